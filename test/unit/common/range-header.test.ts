/**
 * @module
 * The Range header as swob reads it (spaces removed, a malformed header ignored), the
 * ranges a body of a given length satisfies with swob's denial-of-service limits, and the
 * multipart/byteranges framing. Swift: common/swob.py Range, Range.ranges_for_length.
 */
import { describe, it, vi } from "vitest";
import { byteRangesFraming, parseRange, rangesForLength } from "../../../src/common/ranges";

describe("parsing Range", () => {
  it("the unit is bytes, in any case; spaces anywhere are removed", ({ expect }) => {
    expect(parseRange(" Bytes = 0 - 1 , 5- , -3 ")).toEqual([
      { start: 0, end: 1 },
      { start: 5, end: null },
      { start: null, end: 3 },
    ]);
    expect(parseRange("BYTES=2-2")).toEqual([{ start: 2, end: 2 }]);
  });

  it("a header without =, with another unit, or with an empty range list is ignored (null)", ({ expect }) => {
    for (const header of ["0-1", "bytes", "items=0-1", "bytes=", "bytes=0-1,", "=0-1", "", null])
      expect(parseRange(header), String(header)).toBeNull();
  });

  it("a range that is not digits-dash-digits, has neither end, or ends before it starts is ignored", ({ expect }) => {
    for (const header of [
      "bytes=1",
      "bytes=a-1",
      "bytes=1-a",
      "bytes=1x-2",
      "bytes=x1-2",
      "bytes=1-2x",
      "bytes=1-x2",
      "bytes=-",
      "bytes=5-2",
      "bytes=1-2-3",
      "bytes=1.0-2",
      "bytes=1-+2",
    ]) {
      expect(parseRange(header), header).toBeNull();
    }
  });
});

describe("ranges of a body", () => {
  it("a suffix range takes the last bytes; -0 takes nothing", ({ expect }) => {
    expect(rangesForLength([{ start: null, end: 3 }], 10)).toEqual([{ start: 7, end: 10 }]);
    expect(rangesForLength([{ start: null, end: 0 }], 10)).toEqual([]);
    expect(rangesForLength([{ start: null, end: null }], 10)).toEqual([]);
  });

  it("an open range runs to the end; a range past the end is clipped to it", ({ expect }) => {
    expect(rangesForLength([{ start: 3, end: null }], 10)).toEqual([{ start: 3, end: 10 }]);
    expect(rangesForLength([{ start: 3, end: 4 }], 10)).toEqual([{ start: 3, end: 5 }]);
    expect(rangesForLength([{ start: 0, end: 0 }], 1)).toEqual([{ start: 0, end: 1 }]);
    expect(rangesForLength([{ start: 0, end: 0 }], 0)).toEqual([]);
  });

  it("up to 50 ranges are served; 51 are refused (416)", ({ expect }) => {
    const ranges = (n: number) => Array.from({ length: n }, (_, i) => ({ start: i * 2, end: i * 2 }));
    expect(rangesForLength(ranges(50), 1000)).toHaveLength(50);
    expect(rangesForLength(ranges(51), 1000)).toEqual([]);
  });

  it("two overlapping pairs are served; three are refused (416); adjacent ranges do not overlap", ({ expect }) => {
    expect(
      rangesForLength(
        [
          { start: 0, end: 5 },
          { start: 3, end: 8 },
          { start: 10, end: 15 },
          { start: 12, end: 18 },
        ],
        100,
      ),
    ).toHaveLength(4);
    expect(
      rangesForLength(
        [
          { start: 0, end: 5 },
          { start: 3, end: 8 },
          { start: 4, end: 9 },
        ],
        100,
      ),
    ).toEqual([]);
    expect(
      rangesForLength(
        [
          { start: 0, end: 4 },
          { start: 5, end: 9 },
          { start: 10, end: 14 },
          { start: 15, end: 19 },
        ],
        100,
      ),
    ).toHaveLength(4);
    expect(
      rangesForLength(
        [
          { start: 0, end: 4 },
          { start: 0, end: 4 },
          { start: 0, end: 4 },
        ],
        100,
      ),
    ).toHaveLength(3);
  });

  it(
    "a range starting inside another, ending inside it, or holding it counts as an overlap either way round: " +
      "three such are refused (416)",
    ({ expect }) => {
      // Each trio overlaps pairwise in one way only (swob: start1 < start2 < end1, start1 < end2 < end1,
      // start2 < start1 < end2, start2 < end1 < end2).
      for (const header of ["bytes=0-9,3-9,6-9", "bytes=0-9,0-4,0-1", "bytes=6-9,3-9,0-9", "bytes=0-1,0-4,0-9"]) {
        expect(rangesForLength(parseRange(header) ?? [], 100), header).toEqual([]);
      }
    },
  );

  it("ranges are in order by start, then by end: equal starts with ascending ends and identical ranges are in order", ({
    expect,
  }) => {
    const rest = ",10-10,20-20,30-30,40-40,50-50,60-60";
    expect(rangesForLength(parseRange(`bytes=0-3,0-5${rest}`) ?? [], 100)).toHaveLength(8);
    expect(rangesForLength(parseRange(`bytes=0-3,0-3${rest}`) ?? [], 100)).toHaveLength(8);
  });

  it(
    "among eight ranges, one with the start of the one before it but an earlier end, " +
      "or an earlier start with the same end, is out of order (416)",
    ({ expect }) => {
      const rest = ",10-10,20-20,30-30,40-40,50-50,60-60";
      expect(rangesForLength(parseRange(`bytes=0-5,0-3${rest}`) ?? [], 100)).toEqual([]);
      expect(rangesForLength(parseRange(`bytes=5-9,3-9${rest}`) ?? [], 100)).toEqual([]);
    },
  );

  it("seven ranges out of order are served; eight or more with one out of order are refused (416)", ({ expect }) => {
    const descending = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ start: (n - i) * 10, end: (n - i) * 10 + 1 }));
    const ascending = (n: number) => Array.from({ length: n }, (_, i) => ({ start: i * 10, end: i * 10 + 1 }));
    expect(rangesForLength(descending(7), 1000)).toHaveLength(7);
    expect(rangesForLength(descending(8), 1000)).toEqual([]);
    expect(rangesForLength(ascending(8), 1000)).toHaveLength(8);
    const oneSwapped = ascending(8);
    const [first, second] = oneSwapped;
    if (first && second) [oneSwapped[0], oneSwapped[1]] = [second, first];
    expect(rangesForLength(oneSwapped, 1000)).toEqual([]);
  });

  it("unsatisfiable ranges are dropped before the limits are counted", ({ expect }) => {
    const outside = Array.from({ length: 60 }, (_, i) => ({ start: 100 + i, end: null }));
    expect(rangesForLength([...outside, { start: 0, end: 1 }], 50)).toEqual([{ start: 0, end: 2 }]);
  });
});

describe("multipart/byteranges framing", () => {
  it("frames each range with the boundary, Content-Type and Content-Range, and counts the whole length", ({
    expect,
  }) => {
    const framing = byteRangesFraming(
      [
        { start: 0, end: 2 },
        { start: 5, end: 10 },
      ],
      10,
      "text/plain",
    );
    const boundary = framing.contentType.replace("multipart/byteranges;boundary=", "");
    expect(boundary).toMatch(/^[0-9a-f]{32}$/);
    const decoder = new TextDecoder();
    expect(framing.parts.map((part) => decoder.decode(part.head))).toEqual([
      `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n`,
      `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-9/10\r\n\r\n`,
    ]);
    expect(framing.parts.map((part) => part.range)).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 10 },
    ]);
    expect(decoder.decode(framing.crlf)).toBe("\r\n");
    expect(decoder.decode(framing.tail)).toBe(`--${boundary}--`);
    const heads = framing.parts.reduce((total, part) => total + part.head.length, 0);
    expect(framing.length).toBe(heads + 2 + 5 + 2 * 2 + framing.tail.length);
  });

  it("the boundary is always 32 hex digits, two per random byte, as swob's %.32x (bytes below 16 too)", ({
    expect,
  }) => {
    const random = vi.spyOn(crypto, "getRandomValues").mockImplementation((array) => array);
    try {
      expect(byteRangesFraming([{ start: 0, end: 1 }], 1, "x/y").contentType).toBe(
        `multipart/byteranges;boundary=${"0".repeat(32)}`,
      );
    } finally {
      random.mockRestore();
    }
  });

  it("every response has a boundary of its own", ({ expect }) => {
    const a = byteRangesFraming([{ start: 0, end: 1 }], 1, "x/y").contentType;
    const b = byteRangesFraming([{ start: 0, end: 1 }], 1, "x/y").contentType;
    expect(a).not.toBe(b);
  });
});
