/**
 * @module
 * Swift's Range rule, written again for the property tests from Swift 2.30's common/swob.py
 * (Range.__init__, Range.ranges_for_length, Response._response_iter), independently of
 * src/common/ranges.ts, and a generator of Range headers: single, multiple, suffix, open-ended,
 * out of bounds, malformed.
 */
import fc from "fast-check";

/** swob: (start, end) with None as null; end inclusive as sent. */
export type SwiftSpec = [number | null, number | null];

/** swob Range.__init__: null where swob raises ValueError (the header is then ignored). */
export function swiftRange(header: string | null): SwiftSpec[] | null {
  if (!header) return null;
  const value = header.replaceAll(" ", "");
  if (!value.toLowerCase().startsWith("bytes=")) return null;
  const specs: SwiftSpec[] = [];
  for (const rng of value.slice(6).split(",")) {
    const dash = rng.indexOf("-");
    if (dash === -1) return null;
    const startText = rng.slice(0, dash);
    const endText = rng.slice(dash + 1);
    let start: number | null = null;
    if (startText) {
      // int(start): the generator only makes digits or text int() refuses
      if (!/^\d+$/.test(startText)) return null;
      start = Number(startText);
    }
    let end: number | null = null;
    if (endText) {
      if (!/^\d+$/.test(endText)) return null; // end.isdigit()
      end = Number(endText);
      if (start !== null && end < start) return null;
    } else if (start === null) {
      return null;
    }
    specs.push([start, end]);
  }
  return specs;
}

/** swob Range.ranges_for_length, written again from swob.py: [start, end) pairs; empty means 416. */
export function swiftRangesForLength(specs: readonly SwiftSpec[], length: number): [number, number][] {
  const all: [number, number][] = [];
  for (const [begin, end] of specs) {
    if (begin === null) {
      if (end === 0 || end === null) continue;
      all.push(end > length ? [0, length] : [length - end, length]);
      continue;
    }
    if (end === null) {
      if (begin < length) all.push([begin, length]);
    } else if (begin < length) {
      all.push([begin, Math.min(end + 1, length)]);
    }
  }
  if (all.length > 50) return [];
  let overlaps = 0;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [s1, e1] = all[i] ?? [0, 0];
      const [s2, e2] = all[j] ?? [0, 0];
      const strict = (s1 < s2 && s2 < e1) || (s1 < e2 && e2 < e1) || (s2 < s1 && s1 < e2) || (s2 < e1 && e1 < e2);
      if (strict) {
        overlaps += 1;
        if (overlaps > 2) return [];
      }
    }
  }
  let ascending = true;
  for (let i = 1; i < all.length; i++) {
    const [s1, e1] = all[i - 1] ?? [0, 0];
    const [s2, e2] = all[i] ?? [0, 0];
    if (s1 > s2 || (s1 === s2 && e1 > e2)) ascending = false; // tuple comparison
  }
  if (!ascending && all.length >= 8) return [];
  return all;
}

/** What a GET answers, as swob's Response decides: status and the [start, end) ranges served. */
export function swiftAnswer(
  header: string | null,
  length: number,
): { status: 200 | 206 | 416; ranges: [number, number][] } {
  const specs = swiftRange(header);
  if (!specs || specs.length === 0) return { status: 200, ranges: [[0, length]] };
  const ranges = swiftRangesForLength(specs, length);
  if (ranges.length === 0) return { status: 416, ranges: [] };
  if (length === 0) return { status: 200, ranges: [[0, 0]] }; // a suffix range of an empty body: 200, all zero bytes
  return { status: 206, ranges };
}

/** One byte-range spec, as text: closed, open-ended, suffix (also -0), past the end, or malformed. */
function specArb(maxOffset: number): fc.Arbitrary<string> {
  const offset = fc.integer({ min: 0, max: maxOffset });
  const pad = fc.constantFrom("", "", "", " ");
  const spec = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(offset, fc.integer({ min: 0, max: 40 })).map(([a, d]) => `${a}-${a + d}`) },
    { weight: 2, arbitrary: offset.map((a) => `${a}-`) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: maxOffset + 20 }).map((n) => `-${n}`) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((a) => `${maxOffset + a}-${maxOffset + a + 5}`),
    },
    { weight: 1, arbitrary: fc.constantFrom("5", "3-1", "x-1", "-", "1-y", "--1", "1--2", "", "0x1-2", "-1-2") },
  );
  return fc.tuple(pad, spec, pad).map(([a, s, b]) => `${a}${s}${b}`);
}

/** A Range header: a unit (mostly bytes), then one, a few, many or too many specs. */
export function rangeHeaderArbFor(maxOffset: number): fc.Arbitrary<string> {
  const unit = fc.constantFrom("bytes=", "bytes=", "bytes=", "bytes=", "Bytes=", "bytes = ", "items=", "bytes");
  const specs = fc.oneof(
    { weight: 4, arbitrary: fc.array(specArb(maxOffset), { minLength: 1, maxLength: 3 }) },
    { weight: 3, arbitrary: fc.array(specArb(maxOffset), { minLength: 4, maxLength: 12 }) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.integer({ min: 0, max: maxOffset }).map((a) => `${a}-${a}`),
        { minLength: 45, maxLength: 55 },
      ),
    },
  );
  return fc.tuple(unit, specs).map(([u, s]) => `${u}${s.join(",")}`);
}

export const rangeHeaderArb = rangeHeaderArbFor(320);
