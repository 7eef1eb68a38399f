/**
 * @module
 * The listing walk over a name-ordered table, as Swift's container and account backends answer
 * GET with prefix, delimiter, marker, end_marker, reverse and path. The table here is an array
 * queried with the bounds the walk asks for, as the SQL does.
 * Swift: container/backend.py list_objects_iter.
 */
import { describe, it } from "vitest";
import { listingFromStart, listNames, type ListingBounds, type ListingParams } from "../../../src/durable/listing";

function tableOf(names: readonly string[], asked: ListingBounds[] = []) {
  const sorted = [...names].sort();
  return (bounds: ListingBounds): { name: string; row: string }[] => {
    asked.push({ ...bounds });
    let rows = sorted.filter(
      (name) =>
        (bounds.below === null || name < bounds.below) &&
        (bounds.above === null || name > bounds.above) &&
        (bounds.atLeast === null || name >= bounds.atLeast),
    );
    if (bounds.reverse) rows = rows.reverse();
    return rows.slice(0, bounds.limit).map((name) => ({ name, row: `row:${name}` }));
  };
}

const params = (p: Partial<ListingParams>): ListingParams => listingFromStart(10_000, p);
const list = (names: readonly string[], p: Partial<ListingParams>) =>
  listNames(params(p), tableOf(names)).map((entry) => (entry.kind === "subdir" ? `${entry.name}(dir)` : entry.name));

const PHOTOS = [
  "photos/2023/a.jpg",
  "photos/2023/b.jpg",
  "photos/2024/c.jpg",
  "photos/d.jpg",
  "photos/",
  "photosx",
  "readme",
  "zz/a",
];

describe("GET container: prefix, marker and end_marker", () => {
  it("prefix lists only names that start with it", ({ expect }) => {
    expect(list(PHOTOS, { prefix: "photos/2023/" })).toEqual(["photos/2023/a.jpg", "photos/2023/b.jpg"]);
    expect(list(PHOTOS, { prefix: "photos" })).toEqual([
      "photos/",
      "photos/2023/a.jpg",
      "photos/2023/b.jpg",
      "photos/2024/c.jpg",
      "photos/d.jpg",
      "photosx",
    ]);
    expect(list(PHOTOS, { prefix: "nothing" })).toEqual([]);
  });

  it("marker lists names after it; end_marker names before it", ({ expect }) => {
    expect(list(PHOTOS, { marker: "photos/d.jpg" })).toEqual(["photosx", "readme", "zz/a"]);
    expect(list(PHOTOS, { endMarker: "photos/2023/b.jpg" })).toEqual(["photos/", "photos/2023/a.jpg"]);
  });

  it("with a prefix, a marker before the prefix or an end_marker past it changes nothing", ({ expect }) => {
    expect(list(PHOTOS, { prefix: "photos/2023/", marker: "a" })).toEqual(["photos/2023/a.jpg", "photos/2023/b.jpg"]);
    expect(list(PHOTOS, { prefix: "photos/2023/", endMarker: "zzz" })).toEqual([
      "photos/2023/a.jpg",
      "photos/2023/b.jpg",
    ]);
    expect(list(PHOTOS, { prefix: "photos/2023/", endMarker: "photos/2023/b.jpg" })).toEqual(["photos/2023/a.jpg"]);
    expect(list(PHOTOS, { prefix: "photos/2023/", marker: "photos/2023/a.jpg" })).toEqual(["photos/2023/b.jpg"]);
  });

  it("the query is bounded by the prefix and the markers, whichever is narrower", ({ expect }) => {
    const boundsOf = (p: Partial<ListingParams>) => {
      const asked: ListingBounds[] = [];
      listNames(params(p), tableOf(PHOTOS, asked));
      const [first] = asked;
      return first && { above: first.above, atLeast: first.atLeast, below: first.below };
    };
    expect(boundsOf({})).toEqual({ above: null, atLeast: null, below: null });
    expect(boundsOf({ marker: "m", endMarker: "q" })).toEqual({ above: "m", atLeast: null, below: "q" });
    expect(boundsOf({ prefix: "photos/2023/", endMarker: "zzz" })).toEqual({
      above: null,
      atLeast: "photos/2023/",
      below: "photos/20230",
    });
    expect(boundsOf({ prefix: "photos/2023/", endMarker: "photos/2023/b" })).toEqual({
      above: null,
      atLeast: "photos/2023/",
      below: "photos/2023/b",
    });
    expect(boundsOf({ prefix: "photos/2023/", endMarker: "photos/20230" })).toEqual({
      above: null,
      atLeast: "photos/2023/",
      below: "photos/20230",
    });
    expect(boundsOf({ prefix: "photos/2023/", marker: "a" })).toEqual({
      above: null,
      atLeast: "photos/2023/",
      below: "photos/20230",
    });
    expect(boundsOf({ prefix: "photos/2023/", marker: "photos/2023/" })).toEqual({
      above: "photos/2023/",
      atLeast: null,
      below: "photos/20230",
    });
    expect(boundsOf({ delimiter: "/" })).toEqual({ above: null, atLeast: null, below: null });
  });

  it("limit caps the listing", ({ expect }) => {
    expect(list(PHOTOS, { limit: 2 })).toEqual(["photos/", "photos/2023/a.jpg"]);
    expect(list(PHOTOS, { limit: 2, delimiter: "/" })).toEqual(["photos/(dir)", "photosx"]);
  });

  it("a prefix ending in the last code point below a surrogate pair still bounds the walk", ({ expect }) => {
    const names = ["a\u{1F600}x", "a\u{1F601}", "a\u{1F600}"];
    expect(list(names, { prefix: "a\u{1F600}" })).toEqual(["a\u{1F600}", "a\u{1F600}x"]);
  });
});

describe("GET container: delimiter", () => {
  it("rolls up names past the prefix at the delimiter; names without it are listed", ({ expect }) => {
    expect(list(PHOTOS, { delimiter: "/" })).toEqual(["photos/(dir)", "photosx", "readme", "zz/(dir)"]);
    expect(list(PHOTOS, { delimiter: "/", prefix: "photos/" })).toEqual([
      "photos/",
      "photos/2023/(dir)",
      "photos/2024/(dir)",
      "photos/d.jpg",
    ]);
  });

  it("a multi-character delimiter rolls up at the whole delimiter", ({ expect }) => {
    expect(list(["a--b", "a--c", "a-b", "b"], { delimiter: "--" })).toEqual(["a--(dir)", "a-b", "b"]);
  });

  it("a marker inside a pseudo-directory lists the rest of it as the subdir, once", ({ expect }) => {
    expect(list(PHOTOS, { delimiter: "/", marker: "photos/2023/a.jpg" })).toEqual([
      "photos/(dir)",
      "photosx",
      "readme",
      "zz/(dir)",
    ]);
    expect(list(PHOTOS, { delimiter: "/", prefix: "photos/", marker: "photos/2023/" })).toEqual([
      "photos/2024/(dir)",
      "photos/d.jpg",
    ]);
  });

  it("an end_marker inside a pseudo-directory still lists that subdir", ({ expect }) => {
    expect(list(PHOTOS, { delimiter: "/", endMarker: "photos/2023/b.jpg" })).toEqual(["photos/(dir)"]);
  });

  it("reverse walks subdirs backwards, within marker and end_marker", ({ expect }) => {
    expect(list(PHOTOS, { delimiter: "/", reverse: true })).toEqual(["zz/(dir)", "readme", "photosx", "photos/(dir)"]);
    expect(list(PHOTOS, { delimiter: "/", prefix: "photos/", reverse: true })).toEqual([
      "photos/d.jpg",
      "photos/2024/(dir)",
      "photos/2023/(dir)",
      "photos/",
    ]);
    expect(list(PHOTOS, { delimiter: "/", reverse: true, marker: "readme" })).toEqual(["photosx", "photos/(dir)"]);
    expect(list(PHOTOS, { delimiter: "/", reverse: true, limit: 2 })).toEqual(["zz/(dir)", "readme"]);
  });

  it(
    "each subdir costs one query that stops at its first name; " +
      "the next starts past it and asks only for what the limit leaves",
    ({ expect }) => {
      const asked: ListingBounds[] = [];
      listNames(params({ delimiter: "/", prefix: "photos/" }), tableOf(PHOTOS, asked));
      expect(asked.map(({ above, atLeast, below, limit }) => ({ above, atLeast, below, limit }))).toEqual([
        { above: null, atLeast: "photos/", below: "photos0", limit: 10_000 },
        { above: null, atLeast: "photos/20230", below: "photos0", limit: 9998 },
        { above: null, atLeast: "photos/20240", below: "photos0", limit: 9997 },
      ]);
    },
  );

  it("a name that starts with the delimiter rolls up into the subdir named by the delimiter alone", ({ expect }) => {
    expect(list(["/a", "/b", "c"], { delimiter: "/" })).toEqual(["/(dir)", "c"]);
  });

  it("an empty delimiter is no delimiter: the prefix lists every name under it (Swift: not delimiter)", ({
    expect,
  }) => {
    expect(list(PHOTOS, { prefix: "photos/2023/", delimiter: "" })).toEqual(["photos/2023/a.jpg", "photos/2023/b.jpg"]);
  });

  it("entries are rows with their stored row, or subdirs, with or without a delimiter", ({ expect }) => {
    expect(listNames(params({ prefix: "photos/2023/" }), tableOf(PHOTOS))).toEqual([
      { kind: "row", name: "photos/2023/a.jpg", row: "row:photos/2023/a.jpg" },
      { kind: "row", name: "photos/2023/b.jpg", row: "row:photos/2023/b.jpg" },
    ]);
    expect(listNames(params({ prefix: "photos/", delimiter: "/" }), tableOf(PHOTOS))).toEqual([
      { kind: "row", name: "photos/", row: "row:photos/" },
      { kind: "subdir", name: "photos/2023/" },
      { kind: "subdir", name: "photos/2024/" },
      { kind: "row", name: "photos/d.jpg", row: "row:photos/d.jpg" },
    ]);
  });

  it("a query that returns fewer rows than asked ends the walk", ({ expect }) => {
    const asked: ListingBounds[] = [];
    listNames(params({ delimiter: "/", limit: 3 }), tableOf(["a", "b"], asked));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ limit: 3, reverse: false });
  });
});

describe("GET container: path", () => {
  const TREE = ["a/", "a/b", "a/b/c", "a/d", "a//e", "b", "c/x"];

  it("lists only the direct children of the pseudo-directory, not the directory itself", ({ expect }) => {
    expect(list(TREE, { path: "a" })).toEqual(["a/b", "a/d"]);
  });

  it("trailing slashes of the path are ignored", ({ expect }) => {
    expect(list(TREE, { path: "a//" })).toEqual(list(TREE, { path: "a" }));
  });

  it("an empty path lists the top level: names without a slash, and directory markers", ({ expect }) => {
    expect(list(TREE, { path: "" })).toEqual(["a/", "b"]);
  });

  it("path lists children backwards in reverse", ({ expect }) => {
    expect(list(TREE, { path: "a", reverse: true })).toEqual(["a/d", "a/b"]);
  });

  it("a path of several segments lists the children of that nested pseudo-directory", ({ expect }) => {
    expect(list(TREE, { path: "a/b" })).toEqual(["a/b/c"]);
    expect(list(["a/b/", "a/b/c", "a/b/d/e", "a/bc"], { path: "a/b/" })).toEqual(["a/b/c"]);
  });

  it("the directory marker itself takes no room under the limit: path=a&limit=1 lists a/b", ({ expect }) => {
    expect(list(["a/", "a/b", "a/c"], { path: "a", limit: 1 })).toEqual(["a/b"]);
    expect(list(["a/", "a/b", "a/c"], { path: "a", limit: 2 })).toEqual(["a/b", "a/c"]);
  });

  it("an empty path does not list names under a leading slash, only the name / itself", ({ expect }) => {
    expect(list(["/", "/x", "/y/z", "a"], { path: "" })).toEqual(["/", "a"]);
  });

  it("seeks past each deeper pseudo-directory both ways: 20 directories of 50 objects cost about a row each", ({
    expect,
  }) => {
    const names = [
      ...Array.from({ length: 1000 }, (_, i) => `p/d${String(i % 20).padStart(2, "0")}/o${String(i).padStart(4, "0")}`),
      "p/x1",
      "p/x2",
    ].sort();
    let read = 0;
    /** A cursor over the sorted names: starts at the bound (as the index seeks) and reads one row at a time. */
    function* cursor(bounds: ListingBounds): Generator<{ name: string; row: string }> {
      const inBounds = (name: string) =>
        (bounds.below === null || name < bounds.below) &&
        (bounds.above === null || name > bounds.above) &&
        (bounds.atLeast === null || name >= bounds.atLeast);
      const first = bounds.reverse ? names.findLastIndex(inBounds) : names.findIndex(inBounds);
      if (first < 0) return;
      const step = bounds.reverse ? -1 : 1;
      for (let i = first, yielded = 0; i >= 0 && i < names.length && yielded < bounds.limit; i += step, yielded++) {
        const name = names[i] ?? "";
        if (!inBounds(name)) return;
        read += 1;
        yield { name, row: name };
      }
    }
    for (const reverse of [false, true]) {
      read = 0;
      const entries = listNames(params({ path: "p", reverse }), cursor).map((entry) => entry.name);
      expect(entries).toEqual(reverse ? ["p/x2", "p/x1"] : ["p/x1", "p/x2"]);
      expect(read, reverse ? "reverse" : "forward").toBeLessThanOrEqual(2 * 20 + 2);
    }
  });
});
