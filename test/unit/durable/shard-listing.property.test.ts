/**
 * @module
 * A sharded listing (listSegments over listNamesWithin) against the unsharded one (listNames)
 * for any names, shard cuts (a shard split again too) and listing parameters.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { listNames, listNamesWithin, type ListingParams, type ListingResume } from "../../../src/durable/listing";
import { listSegments, type ListingSegment } from "../../../src/durable/shard-listing";
import { compareNames, rangesCutAt } from "../../../src/durable/shard-ranges";
import { sharded, shown, tableOf } from "./shard-listing-tables";

describe("a sharded container's listing (listSegments) is the unsharded one, for any names, cuts and parameters", () => {
  it("any names, shard bounds and parameters (marker, end_marker, prefix, delimiter, path, reverse, limit): the same entries", async () => {
    const letter = fc.constantFrom("a", "b", "/", "-", "é", "\u{1F600}", "\uE000");
    const name = fc.array(letter, { minLength: 1, maxLength: 5 }).map((letters) => letters.join(""));
    const maybe = fc.oneof(fc.constant(""), name);
    await fc.assert(
      fc.asyncProperty(
        fc.array(name, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.record({
          limit: fc.integer({ min: 1, max: 12 }),
          marker: maybe,
          endMarker: maybe,
          prefix: fc.option(maybe),
          delimiter: fc.constantFrom(null, "/", "a", "-"),
          reverse: fc.boolean(),
          path: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: maybe }),
        }),
        async (names, cuts, p) => {
          const sorted = [...new Set(names)].sort(compareNames);
          const uppers = cuts.flatMap((cut) => (sorted.length ? [sorted[cut % sorted.length] as string] : []));
          const whole = shown(listNames(p, tableOf(names)));
          const { entries } = await sharded(names, uppers, p);
          if (JSON.stringify(entries) !== JSON.stringify(whole))
            throw new Error(
              `${JSON.stringify(names)} ${JSON.stringify(p)} cut at ${JSON.stringify(uppers)}: ${JSON.stringify(entries)} ≠ ${JSON.stringify(whole)}`,
            );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a shard that split again, listed through its children from where the walk stopped, gives the same entries", async () => {
    const letter = fc.constantFrom("a", "b", "/", "é", "\u{1F600}");
    const name = fc.array(letter, { minLength: 1, maxLength: 4 }).map((letters) => letters.join(""));
    const maybe = fc.oneof(fc.constant(""), name);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(name, { minLength: 3, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.record({
          limit: fc.integer({ min: 1, max: 12 }),
          marker: maybe,
          endMarker: maybe,
          prefix: fc.option(maybe),
          delimiter: fc.constantFrom(null, "/", "a"),
          reverse: fc.boolean(),
          path: fc.constant(null),
        }),
        async (names, cut, subCut, p) => {
          const sorted = [...names].sort(compareNames);
          const upper = sorted[cut % (sorted.length - 1)] as string;
          // The shard above `upper` split again at a name of its own.
          const above = sorted.filter((n) => compareNames(n, upper) > 0);
          const children =
            above.length > 1 ? rangesCutAt([above[subCut % (above.length - 1)] as string], upper, "") : [];
          const table = tableOf(names);
          const list = (segment: ListingSegment, bounded: ListingParams, resume: ListingResume | null) =>
            Promise.resolve(listNamesWithin(bounded, table, segment, resume));
          const { entries } = await listSegments(p, rangesCutAt([upper]), (segment, bounded, resume) =>
            segment.lower === upper && children.length
              ? listSegments(bounded, children, list, resume)
              : list(segment, bounded, resume),
          );
          const whole = shown(listNames(p, table));
          if (JSON.stringify(shown(entries)) !== JSON.stringify(whole))
            throw new Error(
              `${JSON.stringify(p)} at ${upper} then ${JSON.stringify(children)}: ${shown(entries)} ≠ ${whole}`,
            );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
