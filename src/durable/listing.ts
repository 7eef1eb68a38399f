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

/** Parameters that list from the first name, up to `limit` (no markers, prefix, delimiter or path), with `p` over them. */
export function listingFromStart(limit: number, p: Partial<ListingParams> = {}): ListingParams {
  return { limit, marker: "", endMarker: "", prefix: null, delimiter: null, reverse: false, path: null, ...p };
}

/**
 * Bounds for one query: names strictly below `below`, above `above` (or at least `atLeast`), and
 * within `within`, a shard's range `(lower, upper]` ("" for no bound) when set.
 */
export interface ListingBounds {
  below: string | null;
  above: string | null;
  atLeast: string | null;
  reverse: boolean;
  limit: number;
  within?: ListingRange | null;
}

/** A range of names `(lower, upper]`, "" for no bound: a shard's. */
export interface ListingRange {
  lower: string;
  upper: string;
}

/**
 * Where a walk stopped: its marker and end marker as it moved them (swapped when reversed) and
 * whether its next query starts at the marker. A walk over the next shard resumes from it.
 */
export interface ListingResume {
  marker: string;
  endMarker: string;
  forceAtLeast: boolean;
}

export type ListingEntry<T> = { kind: "row"; name: string; row: T } | { kind: "subdir"; name: string };

/** Compares two names as SQLite's BINARY collation does over UTF-8: by code point. */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (a code point past U+FFFF) sorts after every other UTF-16 unit.
    const high = (unit: number) => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit);
    return high(x) - high(y);
  }
  return a.length - b.length;
}

/** The string just after every string starting with `text` ends: last code point plus one. */
export function afterPrefix(text: string): string {
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
  return listNamesWithin(params, query, null, null).entries;
}

/**
 * listNames over the names `within` a shard's range alone, from where the walk over the shard
 * before stopped (`resume`; null to start): a sharded container's listing is one walk over its
 * shards in order, each taking it on from the last, so it is the listing of all the names at once.
 */
export function listNamesWithin<T>(
  params: ListingParams,
  query: (bounds: ListingBounds) => Iterable<{ name: string; row: T }>,
  within: ListingRange | null,
  resume: ListingResume | null,
): { entries: ListingEntry<T>[]; resume: ListingResume } {
  let { prefix, delimiter } = params;
  const { limit, reverse, path } = params;
  let marker = params.marker;
  let endMarker = params.endMarker;
  if (reverse) [marker, endMarker] = [endMarker, marker];
  const originalMarker = marker;
  let forceAtLeast = false;
  if (resume) ({ marker, endMarker, forceAtLeast } = resume);
  let pathName: string | null = null;
  if (path !== null) {
    prefix = path ? path.replace(/\/+$/, "") + "/" : "";
    pathName = prefix;
    delimiter = "/";
  } else if (delimiter && !prefix) {
    prefix = "";
  }
  const endPrefix = prefix ? afterPrefix(prefix) : null;
  const results: ListingEntry<T>[] = [];
  const stopped = () => ({ entries: results, resume: { marker, endMarker, forceAtLeast } });

  while (results.length < limit) {
    const bounds: ListingBounds = {
      below: null,
      above: null,
      atLeast: null,
      reverse,
      limit: limit - results.length,
      within,
    };
    if (endMarker && (!prefix || endPrefix === null || compareNames(endMarker, endPrefix) < 0))
      bounds.below = endMarker;
    else if (prefix && endPrefix !== null) bounds.below = endPrefix;
    const forcedAtLeast = forceAtLeast;
    if (forceAtLeast) {
      bounds.atLeast = marker;
      forceAtLeast = false;
    } else if (marker && (!prefix || compareNames(marker, prefix) >= 0)) {
      bounds.above = marker;
    } else if (prefix) {
      bounds.atLeast = prefix;
    }
    const rows = query(bounds);
    if (prefix === null || !delimiter) {
      for (const { name, row } of rows) results.push({ kind: "row", name, row });
      return stopped();
    }
    let brokeOut = false;
    let read = 0;
    for (const { name, row } of rows) {
      read += 1;
      if (reverse) endMarker = name;
      else marker = name;
      if (results.length >= limit) return stopped();
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
    if (!read) {
      // Nothing left here: the next shard's walk starts where this query did.
      forceAtLeast = forcedAtLeast;
      break;
    }
    if (!brokeOut && read < bounds.limit) break;
  }
  return stopped();
}
