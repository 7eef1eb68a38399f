import { describe, it } from "vitest";
import {
  listNames,
  listNamesWithin,
  type ListingBounds,
  type ListingEntry,
  type ListingParams,
} from "../../../src/durable/listing";
import { listSegments, type ListingSegment } from "../../../src/durable/shard-listing";
import { compareNames, inRange, rangesCutAt } from "../../../src/durable/shard-ranges";

/** A table in memory over `names`, queried as the SQL does (BINARY: code point order). */
function tableOf(names: readonly string[]) {
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

const params = (p: Partial<ListingParams>): ListingParams => ({
  limit: 100,
  marker: "",
  endMarker: "",
  prefix: null,
  delimiter: null,
  reverse: false,
  path: null,
  ...p,
});

const shown = (entries: ListingEntry<string>[]) =>
  entries.map((entry) => (entry.kind === "subdir" ? `${entry.name}(dir)` : entry.name));

/** The listing over shards cut after `uppers`, each shard holding its names only. */
async function sharded(names: readonly string[], uppers: readonly string[], p: ListingParams) {
  const segments: ListingSegment[] = rangesCutAt([...new Set(uppers)].sort(compareNames));
  let calls = 0;
  const { entries } = await listSegments(p, segments, async (segment, bounded, resume) => {
    calls += 1;
    return listNamesWithin(bounded, tableOf(names), segment, resume);
  });
  return { entries: shown(entries), calls };
}

const NAMES = ["a", "a/b", "a/b/c", "a/c", "a/d", "b", "b/x", "c", "é", "\u{1F600}", "\uE000"];

describe("a sharded container's listing (listSegments) is the unsharded one", () => {
  it("a pseudo-directory split over two shards is listed once, a caller's marker equal to it not at all, and Swift's path-reversed quirk kept", async ({
    expect,
  }) => {
    const whole = shown(listNames(params({ delimiter: "/" }), tableOf(NAMES)));
    expect((await sharded(NAMES, ["a/b/c"], params({ delimiter: "/" }))).entries).toEqual(whole);
    const fromDir = params({ delimiter: "/", marker: "a/" });
    expect((await sharded(NAMES, ["a/b"], fromDir)).entries).toEqual(shown(listNames(fromDir, tableOf(NAMES))));
    const reversed = params({ delimiter: "/", reverse: true });
    expect((await sharded(NAMES, ["a/b"], reversed)).entries).toEqual(shown(listNames(reversed, tableOf(NAMES))));
    // Reversed with path, Swift's walk seeks below "/" past "/a" and never lists "/" itself.
    const quirk = params({ path: "", reverse: true, marker: "a" });
    expect((await sharded(["/", "/a"], ["/"], quirk)).entries).toEqual([]);
  });

  it("names past U+FFFF sort after U+E000, as SQLite sorts them, across a shard bound", async ({ expect }) => {
    const { entries } = await sharded(NAMES, ["\uE000"], params({}));
    expect(entries.slice(-3)).toEqual(["é", "\uE000", "\u{1F600}"]);
  });

  it("a prefix or marker asks only the shards that can hold its names", async ({ expect }) => {
    const { entries, calls } = await sharded(NAMES, ["a/b", "a/d", "b/x"], params({ prefix: "b" }));
    expect(entries).toEqual(["b", "b/x"]);
    expect(calls).toBe(2);
    expect((await sharded(NAMES, ["a/b", "a/d", "b/x"], params({ marker: "b/x" }))).calls).toBe(1);
  });
});
