/**
 * @module
 * Swift's listing walk with prefix, delimiter, marker, end_marker, reverse and path, over any
 * name-ordered table: the caller supplies the bounded query. Pure.
 * Swift: container/backend.py list_objects_iter (accounts: list_containers_iter, the same walk).
 */

export interface ListingParams {
  limit: number;
  marker: string;
  endMarker: string;
  prefix: string | null;
  delimiter: string | null;
  reverse: boolean;
  /** `path=`: direct children of a pseudo-directory (containers only). */
  path: string | null;
}

/** Bounds for one query: names strictly below `below`, above `above` (or at least `atLeast`). */
export interface ListingBounds {
  below: string | null;
  above: string | null;
  atLeast: string | null;
  reverse: boolean;
  limit: number;
}

export type ListingEntry<T> = { kind: "row"; name: string; row: T } | { kind: "subdir"; name: string };

/** The string just after every string starting with `text` ends: last code point plus one. */
function afterPrefix(text: string): string {
  const points = Array.from(text);
  const last = points.pop();
  if (last === undefined) return "";
  const next = (last.codePointAt(0) ?? 0) + 1;
  return points.join("") + String.fromCodePoint(next);
}

/**
 * Lists up to `params.limit` entries; `query` returns rows (name-ordered, ascending or
 * descending as asked) within the bounds, best lazily (a SQL cursor): a delimiter walk stops
 * reading at the first name in a pseudo-directory and seeks past it, as Swift's does, so a
 * listing of 100 pseudo-directories of 1,000 objects reads about 200 rows, not 100 pages.
 */
export function listNames<T>(
  params: ListingParams,
  query: (bounds: ListingBounds) => Iterable<{ name: string; row: T }>,
): ListingEntry<T>[] {
  let { prefix, delimiter } = params;
  const { limit, reverse, path } = params;
  let marker = params.marker;
  let endMarker = params.endMarker;
  if (reverse) [marker, endMarker] = [endMarker, marker];
  let pathName: string | null = null;
  if (path !== null) {
    prefix = path ? path.replace(/\/+$/, "") + "/" : "";
    pathName = prefix;
    delimiter = "/";
  } else if (delimiter && !prefix) {
    prefix = "";
  }
  const endPrefix = prefix ? afterPrefix(prefix) : null;
  const originalMarker = marker;
  const results: ListingEntry<T>[] = [];
  let forceAtLeast = false;

  while (results.length < limit) {
    const bounds: ListingBounds = { below: null, above: null, atLeast: null, reverse, limit: limit - results.length };
    if (endMarker && (!prefix || endPrefix === null || endMarker < endPrefix)) bounds.below = endMarker;
    else if (prefix && endPrefix !== null) bounds.below = endPrefix;
    if (forceAtLeast) {
      bounds.atLeast = marker;
      forceAtLeast = false;
    } else if (marker && (!prefix || marker >= prefix)) {
      bounds.above = marker;
    } else if (prefix) {
      bounds.atLeast = prefix;
    }
    const rows = query(bounds);
    if (prefix === null || !delimiter) {
      for (const { name, row } of rows) results.push({ kind: "row", name, row });
      return results;
    }
    let brokeOut = false;
    let read = 0;
    for (const { name, row } of rows) {
      read += 1;
      if (reverse) endMarker = name;
      else marker = name;
      if (results.length >= limit) return results;
      const end = name.indexOf(delimiter, prefix.length);
      if (pathName !== null) {
        if (name === pathName) continue;
        if (end >= 0 && name.length > end + delimiter.length) {
          if (reverse) endMarker = name.slice(0, end + delimiter.length);
          else marker = name.slice(0, end) + afterPrefix(delimiter);
          brokeOut = true;
          break;
        }
      } else if (end >= 0) {
        const dirName = name.slice(0, end + delimiter.length);
        if (reverse) endMarker = dirName;
        else {
          marker = name.slice(0, end) + afterPrefix(delimiter);
          forceAtLeast = true;
        }
        if (dirName !== originalMarker) results.push({ kind: "subdir", name: dirName });
        brokeOut = true;
        break;
      }
      results.push({ kind: "row", name, row });
    }
    if (!read) break;
    if (!brokeOut && read < bounds.limit) break;
  }
  return results;
}
