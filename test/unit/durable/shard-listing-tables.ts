/**
 * @module
 * What the sharded-listing tests share: a name table queried as the SQL does, listing
 * parameters, entries as text, and the listing of names over shards cut at given names.
 */
import {
  listingFromStart,
  listNamesWithin,
  type ListingBounds,
  type ListingEntry,
  type ListingParams,
} from "../../../src/durable/listing";
import { listSegments, type ListingSegment } from "../../../src/durable/shard-listing";
import { compareNames, inRange, rangesCutAt } from "../../../src/durable/shard-ranges";

/** A table in memory over `names`, queried as the SQL does (BINARY: code point order). */
export function tableOf(names: readonly string[]) {
  const sorted = [...new Set(names)].sort(compareNames);
  return (bounds: ListingBounds): { name: string; row: string }[] => {
    let rows = sorted.filter(
      (name) =>
        (bounds.below === null || compareNames(name, bounds.below) < 0) &&
        (bounds.above === null || compareNames(name, bounds.above) > 0) &&
        (bounds.atLeast === null || compareNames(name, bounds.atLeast) >= 0) &&
        (!bounds.within || inRange(bounds.within, name)),
    );
    if (bounds.reverse) rows = rows.reverse();
    return rows.slice(0, bounds.limit).map((name) => ({ name, row: name }));
  };
}

export const params = (p: Partial<ListingParams>): ListingParams => listingFromStart(100, p);

export const shown = (entries: ListingEntry<string>[]) =>
  entries.map((entry) => (entry.kind === "subdir" ? `${entry.name}(dir)` : entry.name));

/** The listing over shards cut after `uppers`, each shard holding its names only. */
export async function sharded(names: readonly string[], uppers: readonly string[], p: ListingParams) {
  const segments: ListingSegment[] = rangesCutAt([...new Set(uppers)].sort(compareNames));
  let calls = 0;
  const { entries } = await listSegments(p, segments, async (segment, bounded, resume) => {
    calls += 1;
    return listNamesWithin(bounded, tableOf(names), segment, resume);
  });
  return { entries: shown(entries), calls };
}
