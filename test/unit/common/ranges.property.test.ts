/**
 * @module
 * Range headers against Swift's rule (issue 19): for generated bodies and generated Range headers
 * (single, multiple, suffix, open-ended, out of bounds, malformed), parseRange + rangesForLength
 * agree with swob's Range and ranges_for_length, written again here from Swift 2.30's swob.py,
 * and the bytes they select are the body's slices; the cases where they once disagreed are pinned
 * below with minimal examples.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { parseRange, rangesForLength } from "../../../src/common/ranges";
import { rangeHeaderArb, swiftRange, swiftRangesForLength } from "./swift-range.property";

fc.configureGlobal({ seed: 19_004, numRuns: 200 });

/** The bytes a client gets for each range: the body sliced, computed without ranges.ts. */
function slices(body: Uint8Array, ranges: readonly [number, number][]): number[][] {
  return ranges.map(([start, end]) => [...body.slice(start, end)]);
}

describe("Range against swob (property)", () => {
  it("parseRange refuses exactly the headers swob's Range refuses (then the whole body is served)", ({ expect }) => {
    fc.assert(
      fc.property(rangeHeaderArb, (header) => {
        expect(parseRange(header) === null, header).toBe(swiftRange(header) === null);
      }),
    );
  });

  it("rangesForLength gives swob's ranges_for_length (empty: 416) and the bytes are the body's slices", ({
    expect,
  }) => {
    fc.assert(
      fc.property(rangeHeaderArb, fc.uint8Array({ maxLength: 300 }), (header, body) => {
        const specs = swiftRange(header);
        fc.pre(specs !== null);
        const parsed = parseRange(header);
        expect(parsed, header).not.toBeNull();
        if (!parsed || !specs) return;
        const expected = swiftRangesForLength(specs, body.length);
        const got = rangesForLength(parsed, body.length).map(({ start, end }): [number, number] => [start, end]);
        expect(got, `${header} on ${body.length} bytes`).toEqual(expected);
        expect(slices(body, got)).toEqual(slices(body, expected));
        for (const [start, end] of got) {
          expect(start).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(body.length);
          expect(start).toBeLessThanOrEqual(end);
        }
      }),
    );
  });
});

describe("swob's denial-of-service rules and parsing, at their edges", () => {
  const IDENTICAL = "bytes=0-0,0-0,0-0";
  const ONE_OUT_OF_ORDER = "bytes=1-1,0-0,2-2,3-3,4-4,5-5,6-6,7-7";

  it("swob serves three identical ranges (not overlaps to it) and refuses eight ranges with one out of order", ({
    expect,
  }) => {
    expect(swiftRangesForLength(swiftRange(IDENTICAL) ?? [], 1)).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(swiftRangesForLength(swiftRange(ONE_OUT_OF_ORDER) ?? [], 8)).toEqual([]);
    expect(swiftRange("bytes=1 0-20")).toEqual([[10, 20]]);
  });

  it(`${IDENTICAL} on a 1-byte body is three ranges (206), as in Swift: identical ranges are not overlaps`, ({
    expect,
  }) => {
    expect(rangesForLength(parseRange(IDENTICAL) ?? [], 1)).toEqual([
      { start: 0, end: 1 },
      { start: 0, end: 1 },
      { start: 0, end: 1 },
    ]);
  });

  it(`${ONE_OUT_OF_ORDER} on an 8-byte body is 416, as in Swift: one range out of order among eight`, ({ expect }) => {
    expect(rangesForLength(parseRange(ONE_OUT_OF_ORDER) ?? [], 8)).toEqual([]);
  });

  // swob removes every space before parsing and reads a start with Python's int(), which takes a
  // sign (checked with swob itself).
  it("bytes=1 0-20 is bytes=10-20, as swob reads it (spaces removed)", ({ expect }) => {
    expect(parseRange("bytes=1 0-20")).toEqual([{ start: 10, end: 20 }]);
  });

  it("bytes=+1-2 is bytes=1-2, as swob reads it (int() takes the sign)", ({ expect }) => {
    expect(parseRange("bytes=+1-2")).toEqual([{ start: 1, end: 2 }]);
  });
});
