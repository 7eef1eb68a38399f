/**
 * @module
 * A sharded container's listing: one listing walk (listing.ts) over its shards in name order
 * (reversed for `reverse`), each shard walking its own range from where the shard before
 * stopped, until the limit is reached. It is the walk over all the names at once, so it gives
 * the unsharded listing exactly: a pseudo-directory spanning two shards once, Swift's quirks of
 * `path` and `reverse` alike. Shards that can hold no name the caller asks for are not asked.
 * Pure: the caller lists one shard. Swift: proxy/controllers/container.py _get_from_shards.
 */

import { afterPrefix, compareNames, type ListingEntry, type ListingParams, type ListingResume } from "./listing";
import type { ShardRange } from "./shard-ranges";

/** A shard's range `(lower, upper]` ("" for no bound) and whatever the caller needs to list it. */
export type ListingSegment = Pick<ShardRange, "lower" | "upper">;

/** One shard's part of the walk: its entries and where it stopped. */
export interface SegmentListing<T> {
  entries: ListingEntry<T>[];
  resume: ListingResume | null;
}

/** The lesser of two exclusive upper bounds ("" is none, above all). */
function minUpper(a: string, b: string): string {
  if (a === "") return b;
  if (b === "") return a;
  return compareNames(a, b) <= 0 ? a : b;
}

/** The prefix the caller's names all start with ("" for none): `path=`'s or `prefix=`'s. */
function prefixOf(params: ListingParams): string {
  if (params.path !== null) return params.path ? `${params.path.replace(/\/+$/, "")}/` : "";
  return params.prefix ?? "";
}

/** Whether a segment can hold a name the caller asks for (a shard it need not ask). */
export function overlaps(segment: ListingSegment, params: ListingParams): boolean {
  const prefix = prefixOf(params);
  const [lower, end] = params.reverse ? [params.endMarker, params.marker] : [params.marker, params.endMarker];
  const upper = minUpper(end, afterPrefix(prefix));
  // Every name of the segment is at most its upper bound: none may be above the caller's lower one, or reach the prefix.
  if (segment.upper !== "" && lower !== "" && compareNames(segment.upper, lower) <= 0) return false;
  if (segment.upper !== "" && prefix !== "" && compareNames(segment.upper, prefix) < 0) return false;
  // Every name of the segment is above its lower bound: none may be below the caller's upper one.
  if (segment.lower !== "" && upper !== "" && compareNames(`${segment.lower}\u0000`, upper) >= 0) return false;
  return true;
}

/**
 * Lists `params.limit` entries over `segments` (ranges covering the namespace, or a range that
 * split, any order): each segment in turn is listed by `list` with the entries still wanted and
 * where the walk stopped (`from` for the first: null to start), one call per segment; the
 * entries and where the walk stopped.
 */
export async function listSegments<T, S extends ListingSegment>(
  params: ListingParams,
  segments: readonly S[],
  list: (segment: S, params: ListingParams, resume: ListingResume | null) => Promise<SegmentListing<T>>,
  from: ListingResume | null = null,
): Promise<SegmentListing<T>> {
  const ordered = [...segments].sort((a, b) => compareNames(a.lower, b.lower));
  if (params.reverse) ordered.reverse();
  const results: ListingEntry<T>[] = [];
  let resume = from;
  for (const segment of ordered) {
    if (results.length >= params.limit) break;
    if (!overlaps(segment, params)) continue;
    const part: SegmentListing<T> = await list(segment, { ...params, limit: params.limit - results.length }, resume);
    results.push(...part.entries.slice(0, params.limit - results.length));
    resume = part.resume;
  }
  return { entries: results, resume };
}
