/**
 * @module
 * HTTP Range as Swift's swob reads it: `bytes=a-b,c-,-n`, spaces removed, a malformed header
 * ignored (the whole body is served), and the denial-of-service limits that turn a request into
 * 416 (more than 50 ranges, more than 2 overlaps, one out of order among 8 or more).
 * Swift: common/swob.py Range, Range.ranges_for_length.
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import { MAX_NONASCENDING_RANGES, MAX_RANGE_OVERLAPS, MAX_RANGES } from "./constraints";
import { pythonInt } from "./python";

/** One requested range: `start` null for a suffix (`-n`), `end` null for open (`a-`). */
export interface RangeSpec {
  start: number | null;
  end: number | null;
}

/** A satisfiable range: bytes [start, end) of the body. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a Range header as swob does: every space removed, `bytes=` in any case, a start read as
 * Python's int() reads it, an end of digits only; null when it is absent or malformed (Swift then
 * ignores it and serves the whole body).
 */
export function parseRange(header: string | null): RangeSpec[] | null {
  if (!header) return null;
  const value = header.replaceAll(" ", "");
  if (!value.toLowerCase().startsWith("bytes=")) return null;
  const specs: RangeSpec[] = [];
  for (const part of value.slice("bytes=".length).split(",")) {
    const dash = part.indexOf("-");
    if (dash < 0) return null;
    const startText = part.slice(0, dash);
    const endText = part.slice(dash + 1);
    const start = startText ? pythonInt(startText) : null;
    if (startText && start === null) return null;
    if (endText && !/^\d+$/.test(endText)) return null;
    const end = endText ? Number(endText) : null;
    if (start === null && end === null) return null;
    if (start !== null && end !== null && end < start) return null;
    specs.push({ start, end });
  }
  return specs;
}

/**
 * The satisfiable ranges of a body of `length` bytes; an empty list means 416: none satisfiable,
 * more than MAX_RANGES, more than MAX_RANGE_OVERLAPS overlapping pairs (identical or adjacent
 * ranges do not overlap), or any range before the one preceding it (by start, then end) among
 * MAX_NONASCENDING_RANGES or more. Swift: swob.Range.ranges_for_length.
 */
export function rangesForLength(specs: readonly RangeSpec[], length: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (const { start, end } of specs) {
    if (start === null) {
      if (end === null || end === 0) continue;
      ranges.push({ start: Math.max(0, length - end), end: length });
    } else if (start < length) {
      ranges.push({ start, end: end === null || end >= length ? length : end + 1 });
    }
  }
  if (ranges.length > MAX_RANGES) return [];
  let overlaps = 0;
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i];
      const b = ranges[j];
      if (a && b && overlap(a, b)) overlaps += 1;
    }
  }
  if (overlaps > MAX_RANGE_OVERLAPS) return [];
  const ascending = ranges.every((range, i) => {
    const previous = ranges[i - 1];
    return !previous || previous.start < range.start || (previous.start === range.start && previous.end <= range.end);
  });
  if (!ascending && ranges.length >= MAX_NONASCENDING_RANGES) return [];
  return ranges;
}

/** swob's overlap test: one range's start or end strictly inside the other. */
function overlap(a: ByteRange, b: ByteRange): boolean {
  const inside = (point: number, range: ByteRange) => range.start < point && point < range.end;
  return inside(b.start, a) || inside(b.end, a) || inside(a.start, b) || inside(a.end, b);
}

/** The framing of a multipart/byteranges body: one head per range, the closing tail, the total length. */
export interface ByteRangesFraming {
  contentType: string;
  parts: { range: ByteRange; head: Uint8Array }[];
  crlf: Uint8Array;
  tail: Uint8Array;
  length: number;
}

/**
 * Frames several ranges of a body of `size` bytes as Swift's swob does: `--boundary`, the part's
 * Content-Type and Content-Range, the bytes, CRLF; `--boundary--` last.
 */
export function byteRangesFraming(ranges: readonly ByteRange[], size: number, contentType: string): ByteRangesFraming {
  const boundary = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
  const encoder = new TextEncoder();
  const parts = ranges.map((range) => ({
    range,
    head: encoder.encode(
      `--${boundary}\r\nContent-Type: ${contentType}\r\n` +
        `Content-Range: bytes ${range.start}-${range.end - 1}/${size}\r\n\r\n`,
    ),
  }));
  const tail = encoder.encode(`--${boundary}--`);
  const crlf = encoder.encode("\r\n");
  const length = parts.reduce(
    (total, part) => total + part.head.length + (part.range.end - part.range.start) + crlf.length,
    tail.length,
  );
  return { contentType: `multipart/byteranges;boundary=${boundary}`, parts, crlf, tail, length };
}
