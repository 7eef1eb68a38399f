import { describe, it } from "vitest";
import {
  compareNames,
  listingFromStart,
  listNames,
  type ListingBounds,
  type ListingParams,
} from "../../../src/durable/listing";

const NAMES = ["a", "a/b", "a/b/c", "a/c", "b", "b/x", "c"].sort();

/** A table in memory, queried as the SQL does. */
function table(bounds: ListingBounds): { name: string; row: string }[] {
  let rows = NAMES.filter(
    (name) =>
      (bounds.below === null || name < bounds.below) &&
      (bounds.above === null || name > bounds.above) &&
      (bounds.atLeast === null || name >= bounds.atLeast),
  );
  if (bounds.reverse) rows = rows.reverse();
  return rows.slice(0, bounds.limit).map((name) => ({ name, row: name }));
}

const params = (p: Partial<ListingParams>): ListingParams => listingFromStart(100, p);
const names = (p: Partial<ListingParams>) =>
  listNames(params(p), table).map((entry) => (entry.kind === "subdir" ? `${entry.name}(dir)` : entry.name));

describe("listNames (Swift's list_objects_iter)", () => {
  it("without delimiter lists every name in order within marker and end_marker", ({ expect }) => {
    expect(names({})).toEqual(NAMES);
    expect(names({ marker: "a/c", endMarker: "c" })).toEqual(["b", "b/x"]);
  });

  it("with a delimiter rolls up each pseudo-directory once, limit counting subdirs", ({ expect }) => {
    expect(names({ delimiter: "/" })).toEqual(["a", "a/(dir)", "b", "b/(dir)", "c"]);
    expect(names({ delimiter: "/", limit: 2 })).toEqual(["a", "a/(dir)"]);
    expect(names({ delimiter: "/", prefix: "a/" })).toEqual(["a/b", "a/b/(dir)", "a/c"]);
  });

  it("a marker equal to a subdir does not list that subdir again", ({ expect }) => {
    expect(names({ delimiter: "/", marker: "a/" })).toEqual(["b", "b/(dir)", "c"]);
  });

  it("reverse swaps marker and end_marker and walks subdirs backwards", ({ expect }) => {
    expect(names({ reverse: true, delimiter: "/" })).toEqual(["c", "b/(dir)", "b", "a/(dir)", "a"]);
    expect(names({ reverse: true, marker: "c", endMarker: "a/c" })).toEqual(["b/x", "b"]);
  });

  it("path lists only direct children", ({ expect }) => {
    expect(names({ path: "a" })).toEqual(["a/b", "a/c"]);
  });

  it(
    "with a delimiter reads each query's rows lazily and stops at the first pseudo-directory " +
      "(100 dirs of 1,000: about 100 + 100 rows read, not 100 × 10,000)",
    ({ expect }) => {
      const big = Array.from(
        { length: 100_000 },
        (_, i) => `d${String(i % 100).padStart(3, "0")}/o${String(i).padStart(7, "0")}`,
      ).sort();
      let read = 0;
      function* lazy(bounds: ListingBounds): Generator<{ name: string; row: string }> {
        // Sorted, so a binary search finds the first name in bounds, as the index does.
        let low = 0;
        let high = big.length;
        while (low < high) {
          const middle = (low + high) >>> 1;
          const name = big[middle] ?? "";
          if ((bounds.above !== null && name <= bounds.above) || (bounds.atLeast !== null && name < bounds.atLeast))
            low = middle + 1;
          else high = middle;
        }
        for (let i = low, yielded = 0; i < big.length && yielded < bounds.limit; i++, yielded++) {
          const name = big[i] ?? "";
          if (bounds.below !== null && name >= bounds.below) return;
          read += 1;
          yield { name, row: name };
        }
      }
      const entries = listNames(params({ delimiter: "/", limit: 10_000 }), lazy);
      expect(entries).toHaveLength(100);
      expect(entries.every((entry) => entry.kind === "subdir")).toBe(true);
      expect(read).toBeLessThanOrEqual(200);
    },
  );

  it("end_marker and marker compare with the prefix as SQLite does (by code point): a name past U+FFFF is after U+E001", ({
    expect,
  }) => {
    const names = ["\uE000-x", "\uE001"];
    const byCodePoint = (bounds: ListingBounds) =>
      names
        .filter((name) => bounds.below === null || compareNames(name, bounds.below) < 0)
        .filter((name) => bounds.atLeast === null || compareNames(name, bounds.atLeast) >= 0)
        .map((name) => ({ name, row: name }));
    // end_marker 😀 is past the prefix's end ("\uE000.") by code point, though not by UTF-16 unit: the prefix bounds the query.
    const seen: ListingBounds[] = [];
    const entries = listNames(params({ prefix: "\uE000-", endMarker: "\u{1F600}" }), (bounds) => {
      seen.push(bounds);
      return byCodePoint(bounds);
    });
    expect(seen[0]?.below).toBe("\uE000.");
    expect(entries.map((entry) => entry.name)).toEqual(["\uE000-x"]);
  });
});
