import { describe, it } from "vitest";
import { conditionalStatus, parseEtagList } from "../../../src/common/conditional";
import { parseRange, rangesForLength } from "../../../src/common/ranges";
import { Timestamp, TimestampClock } from "../../../src/common/timestamp";

describe("Range (swob)", () => {
  it("parses byte ranges, suffixes and open ends; malformed headers are null", ({ expect }) => {
    expect(parseRange("bytes=0-4,10-,-3")).toEqual([
      { start: 0, end: 4 },
      { start: 10, end: null },
      { start: null, end: 3 },
    ]);
    for (const bad of ["bytes=4-0", "items=0-1", "bytes=x-1", "bytes=-", "bytes", null])
      expect(parseRange(bad)).toBeNull();
  });

  it("keeps satisfiable ranges and clips them to the length", ({ expect }) => {
    expect(
      rangesForLength(
        [
          { start: 5, end: 100 },
          { start: 50, end: null },
        ],
        10,
      ),
    ).toEqual([{ start: 5, end: 10 }]);
    expect(rangesForLength([{ start: null, end: 100 }], 10)).toEqual([{ start: 0, end: 10 }]);
  });

  it("a range ending at length - 1, at length or at length + 1 ends at the last byte (end exclusive: length)", ({
    expect,
  }) => {
    for (const last of [8, 9, 10, 11]) {
      const expected = last >= 9 ? 10 : 9;
      expect(rangesForLength(parseRange(`bytes=0-${last}`) ?? [], 10), `0-${last}`).toEqual([
        { start: 0, end: expected },
      ]);
    }
  });

  it("a range starting at length - 1 is the last byte; one starting at the length or past it is unsatisfiable (416)", ({
    expect,
  }) => {
    expect(rangesForLength(parseRange("bytes=9-9") ?? [], 10)).toEqual([{ start: 9, end: 10 }]);
    expect(rangesForLength(parseRange("bytes=9-") ?? [], 10)).toEqual([{ start: 9, end: 10 }]);
    for (const range of ["bytes=10-10", "bytes=10-", "bytes=10-20", "bytes=11-"])
      expect(rangesForLength(parseRange(range) ?? [], 10), range).toEqual([]);
  });

  it(
    "suffix ranges: -1 is the last byte, -(length - 1) all but the first, " +
      "-length and -(length + 1) the whole body, -0 nothing (416)",
    ({ expect }) => {
      const suffix = (n: number) => rangesForLength(parseRange(`bytes=-${n}`) ?? [], 10);
      expect(suffix(1)).toEqual([{ start: 9, end: 10 }]);
      expect(suffix(9)).toEqual([{ start: 1, end: 10 }]);
      expect(suffix(10)).toEqual([{ start: 0, end: 10 }]);
      expect(suffix(11)).toEqual([{ start: 0, end: 10 }]);
      expect(suffix(0)).toEqual([]);
    },
  );

  it("refuses (empty list → 416) more than 50 ranges, 3+ overlaps or 8+ descending ranges", ({ expect }) => {
    const many = Array.from({ length: 51 }, (_, i) => ({ start: i, end: i }));
    expect(rangesForLength(many, 100)).toEqual([]);
    expect(
      rangesForLength(
        [
          { start: 0, end: 5 },
          { start: 1, end: 6 },
          { start: 2, end: 7 },
        ],
        100,
      ),
    ).toEqual([]);
    const descending = Array.from({ length: 9 }, (_, i) => ({ start: 90 - i * 10, end: 90 - i * 10 }));
    expect(rangesForLength(descending, 100)).toEqual([]);
  });
});

describe("conditional requests", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it("evaluates If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since", ({ expect }) => {
    const lm = 1_700_000_000;
    const date = (s: number) => new Date(s * 1000).toUTCString();
    expect(conditionalStatus(headers({ "If-Match": '"x"' }), "e", lm)).toBe(412);
    expect(conditionalStatus(headers({ "If-Match": '"e", "f"' }), "e", lm)).toBeNull();
    expect(conditionalStatus(headers({ "If-None-Match": "*" }), "e", lm)).toBe(304);
    expect(conditionalStatus(headers({ "If-Modified-Since": date(lm) }), "e", lm)).toBe(304);
    expect(conditionalStatus(headers({ "If-Modified-Since": date(lm - 1) }), "e", lm)).toBeNull();
    expect(conditionalStatus(headers({ "If-Unmodified-Since": date(lm - 1) }), "e", lm)).toBe(412);
    expect(parseEtagList('W/"a", "b", c')).toEqual(["a", "b", "c"]);
  });
});

describe("Timestamp", () => {
  it("formats Swift's normal and internal forms, isoformat and Last-Modified", ({ expect }) => {
    const t = Timestamp.fromSeconds(1389804109.39027);
    expect(t.normal).toBe("1389804109.39027");
    expect(t.isoformat).toBe("2014-01-15T16:41:49.390270");
    expect(t.httpDate).toBe("Wed, 15 Jan 2014 16:41:50 GMT");
    expect(new Timestamp(t.units, 10).internal).toBe("1389804109.39027_000000000000000a");
    expect(Timestamp.parse("1389804109.39027_000000000000000a")?.offset).toBe(10);
  });

  it("the clock never repeats or goes back, even when the time does not move", ({ expect }) => {
    const clock = new TimestampClock();
    const a = clock.next(1_000_000);
    const b = clock.next(1_000_000);
    const c = clock.next(999_999);
    expect(a.internal < b.internal && b.internal < c.internal).toBe(true);
  });
});
