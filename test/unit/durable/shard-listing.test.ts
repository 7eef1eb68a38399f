import { describe, it } from "vitest";
import { listNames, listNamesWithin, type ListingParams } from "../../../src/durable/listing";
import { listSegments, overlaps } from "../../../src/durable/shard-listing";
import { rangesCutAt } from "../../../src/durable/shard-ranges";
import { params, sharded, shown, tableOf } from "./shard-listing-tables";

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

  it("a shard is asked only when its range can hold a name the caller asks for (marker, end_marker, prefix, path; reversed too)", ({
    expect,
  }) => {
    const p = (q: Partial<ListingParams>) => params(q);
    const segment = { lower: "f", upper: "m" };
    expect(overlaps(segment, p({}))).toBe(true);
    // Every name of the segment is at most "m": a marker at or past it leaves nothing.
    expect(overlaps(segment, p({ marker: "m" }))).toBe(false);
    expect(overlaps(segment, p({ marker: "l" }))).toBe(true);
    expect(overlaps(segment, p({ endMarker: "m", reverse: true }))).toBe(false);
    // Below the prefix: nothing; the prefix inside: something.
    expect(overlaps(segment, p({ prefix: "n" }))).toBe(false);
    expect(overlaps(segment, p({ prefix: "m" }))).toBe(true);
    expect(overlaps(segment, p({ path: "n//" }))).toBe(false);
    expect(overlaps(segment, p({ path: "" }))).toBe(true);
    // Every name is above "f": an end_marker at "f\0" or below, or a prefix ending there, leaves nothing.
    expect(overlaps(segment, p({ endMarker: "f\u0000" }))).toBe(false);
    expect(overlaps(segment, p({ endMarker: "f\u0001" }))).toBe(true);
    expect(overlaps(segment, p({ marker: "f\u0000", reverse: true }))).toBe(false);
    expect(overlaps(segment, p({ prefix: "e" }))).toBe(false);
    expect(overlaps(segment, p({ prefix: "e", endMarker: "z" }))).toBe(false);
    expect(overlaps({ lower: "", upper: "" }, p({ marker: "z", prefix: "a" }))).toBe(true);
    expect(overlaps({ lower: "", upper: "m" }, p({ endMarker: "a" }))).toBe(true);
  });

  it("shards given in any order are walked in name order, each asked for what is still wanted, none once the page is full", async ({
    expect,
  }) => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const segments = rangesCutAt(["b", "d"]).reverse();
    const asked: number[] = [];
    const { entries } = await listSegments(params({ limit: 3 }), segments, async (segment, bounded, resume) => {
      asked.push(bounded.limit);
      // A shard that answers more than asked is cut to the page.
      const all = listNamesWithin({ ...bounded, limit: 10 }, tableOf(names), segment, resume);
      return all;
    });
    expect(shown(entries)).toEqual(["a", "b", "c"]);
    expect(asked).toEqual([3, 1]);
  });
});
