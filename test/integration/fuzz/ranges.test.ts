/**
 * @module
 * Fuzzing Range headers through the Worker (fast-check): any text and plausible single and
 * multi-range forms, on a GET of an object, of an SLO (one segment a range of its object) and of
 * a DLO, each with a known body. Never a 5xx; the status is what swob answers for that body
 * (test/unit/common/swift-range.property.ts); a 206 carries exactly the bytes its Content-Range
 * names (each part of a multipart/byteranges body parsed), and they are the ranges swob serves.
 * A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { s3, xmlValue } from "../s3/helpers";
import { rangeHeaderArbFor, swiftAnswer, swiftRange } from "../../unit/common/swift-range.property";
import { concat } from "./bytes";

const C = "/AUTH_test/fuzz-ranges";
const SEGMENT_SIZES = [37, 1, 100, 50] as const;

/** Deterministic bytes of `size` for segment `index`. */
function segmentBody(index: number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (index * 53 + i * 7) % 256);
}

const segments = SEGMENT_SIZES.map((size, index) => segmentBody(index, size));
/** The DLO's and the plain object's body: every segment in order. */
const WHOLE = concat(segments);
/** The SLO's body: every segment, the third only its bytes 5 to 24. */
const SLO_BODY = concat([
  segments[0] ?? WHOLE,
  segments[1] ?? WHOLE,
  (segments[2] ?? WHOLE).slice(5, 25),
  segments[3] ?? WHOLE,
]);

const BODIES: Record<string, Uint8Array> = { [`${C}/plain`]: WHOLE, [`${C}/slo`]: SLO_BODY, [`${C}/dlo`]: WHOLE };

beforeAll(async () => {
  await text(await swift("PUT", C));
  for (const [index, body] of segments.entries())
    await text(await swift("PUT", `${C}/seg/${index}`, { body, headers: { "Content-Type": "application/x-fuzz" } }));
  await text(await swift("PUT", `${C}/plain`, { body: WHOLE, headers: { "Content-Type": "application/x-fuzz" } }));
  const manifest = segments.map((segment, index) => ({
    path: `/fuzz-ranges/seg/${index}`,
    size_bytes: segment.length,
    ...(index === 2 ? { range: "5-24" } : {}),
  }));
  const slo = await swift("PUT", `${C}/slo?multipart-manifest=put`, {
    body: JSON.stringify(manifest),
    headers: { "Content-Type": "application/x-fuzz" },
  });
  const sloAnswer = await text(slo);
  if (slo.status !== 201) throw new Error(`SLO manifest: ${slo.status} ${sloAnswer}`);
  await text(
    await swift("PUT", `${C}/dlo`, {
      body: "",
      headers: { "X-Object-Manifest": "fuzz-ranges/seg/", "Content-Type": "application/x-fuzz" },
    }),
  );
});

/** `[start, end)` of a `bytes a-b/len` Content-Range, checked against the length. */
function rangeOf(contentRange: string | null, length: number): [number, number] {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? "");
  if (!match) throw new Error(`Content-Range ${contentRange}`);
  if (Number(match[3]) !== length) throw new Error(`Content-Range ${contentRange} for ${length} bytes`);
  return [Number(match[1]), Number(match[2]) + 1];
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The parts of a multipart/byteranges body: each part's Content-Range and bytes. */
function byteranges(body: Uint8Array, boundary: string): { contentRange: string | null; bytes: Uint8Array }[] {
  const encoder = new TextEncoder();
  const delimiter = encoder.encode(`--${boundary}`);
  const parts: { contentRange: string | null; bytes: Uint8Array }[] = [];
  let at = indexOf(body, delimiter, 0);
  if (at !== 0) throw new Error("multipart body does not start with its boundary");
  for (let guard = 0; guard < 100; guard++) {
    const afterDelimiter = at + delimiter.length;
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) return parts;
    const headersEnd = indexOf(body, encoder.encode("\r\n\r\n"), afterDelimiter);
    if (headersEnd < 0) throw new Error("multipart part without headers' end");
    const headers = new TextDecoder().decode(body.slice(afterDelimiter, headersEnd));
    const next = indexOf(body, encoder.encode(`\r\n--${boundary}`), headersEnd + 4);
    if (next < 0) throw new Error("multipart part without a boundary after it");
    parts.push({
      contentRange: /^content-range:\s*(.*)$/im.exec(headers)?.[1]?.trim() ?? null,
      bytes: body.slice(headersEnd + 4, next),
    });
    at = next + 2;
  }
  throw new Error("more than 100 parts");
}

const rangeArb = fc.oneof(
  { weight: 3, arbitrary: rangeHeaderArbFor(WHOLE.length + 20) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((value) => value.trim()) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom("bytes=", "0", "1", "-", ",", " ", "9", "187", "188", "=", ";"), { maxLength: 12 })
      .map((parts) => parts.join("").trim()),
  },
);

describe("fuzzing Range headers", () => {
  it("any Range on an object, an SLO and a DLO: never a 5xx; swob's status; a 206 is exactly the ranges' bytes", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(BODIES)), rangeArb, async (path, range) => {
        const body = BODIES[path] ?? WHOLE;
        const response = await swift("GET", path, { headers: { Range: range } });
        const got = new Uint8Array(await response.arrayBuffer());
        const what = `GET ${path} Range: ${JSON.stringify(range)}: ${response.status}`;
        expect(response.status, what).toBeLessThan(500);
        // Swift's dlo honours one range only: several serve the whole body (test_dlo test_get_multiple_ranges).
        const several = (swiftRange(range)?.length ?? 0) > 1;
        const expected =
          path.endsWith("/dlo") && several ? { status: 200, ranges: [] } : swiftAnswer(range, body.length);
        expect(response.status, what).toBe(expected.status);
        if (response.status === 200) expect([...got], what).toEqual([...body]);
        if (response.status === 416) expect(response.headers.get("content-range"), what).toBe(`bytes */${body.length}`);
        if (response.status !== 206) return;
        const boundary = /^multipart\/byteranges;\s*boundary=(.+)$/.exec(
          response.headers.get("content-type") ?? "",
        )?.[1];
        const parts =
          boundary === undefined
            ? [{ contentRange: response.headers.get("content-range"), bytes: got }]
            : byteranges(got, boundary);
        const served = parts.map(({ contentRange }) => rangeOf(contentRange, body.length));
        expect(served, what).toEqual(expected.ranges);
        for (const [index, part] of parts.entries()) {
          const [start, end] = served[index] ?? [0, 0];
          expect([...part.bytes], `${what}, part ${index}`).toEqual([...body.slice(start, end)]);
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("a copy from an object, an SLO or a DLO with any Range: never a 5xx; a refused one stores nothing; one range copies exactly its bytes", async ({
    expect,
  }) => {
    let copies = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(BODIES)), rangeArb, fc.boolean(), async (source, range, verb) => {
        copies += 1;
        const target = `${C}/copy${copies}`;
        const response = verb
          ? await swift("COPY", source, { headers: { Range: range, Destination: target.slice("/AUTH_test/".length) } })
          : await swift("PUT", target, { headers: { Range: range, "X-Copy-From": source.slice("/AUTH_test".length) } });
        const answer = await text(response);
        const what = `${verb ? "COPY" : "PUT X-Copy-From"} ${source} Range: ${JSON.stringify(range)}: ${response.status} ${answer.slice(0, 200)}`;
        expect(response.status, what).toBeLessThan(500);
        const stored = await swift("GET", target);
        const got = new Uint8Array(await stored.arrayBuffer());
        if (response.status >= 300) {
          expect(stored.status, what).toBe(404);
          return;
        }
        const body = BODIES[source] ?? WHOLE;
        const expected =
          source.endsWith("/dlo") && (swiftRange(range)?.length ?? 0) > 1
            ? { status: 200, ranges: [] }
            : swiftAnswer(range, body.length);
        const [only] = expected.ranges;
        if (expected.status === 206 && expected.ranges.length === 1 && only)
          expect([...got], what).toEqual([...body.slice(only[0], only[1])]);
        if (expected.status === 200) expect([...got], what).toEqual([...body]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("an S3 GetObject with any Range: never a 5xx; one satisfiable range is a 206 of exactly its bytes, an unsatisfiable one 416 InvalidRange", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(rangeArb, async (range) => {
        const response = await s3("GET", "/fuzz-ranges/plain", { headers: { Range: range } });
        const got = new Uint8Array(await response.arrayBuffer());
        const what = `S3 GET Range: ${JSON.stringify(range)}: ${response.status} ${new TextDecoder().decode(got.slice(0, 200))}`;
        expect(response.status, what).toBeLessThan(500);
        const expected = swiftAnswer(range, WHOLE.length);
        const [only] = expected.ranges;
        if (expected.status === 206 && expected.ranges.length === 1 && only) {
          expect(response.status, what).toBe(206);
          expect([...got], what).toEqual([...WHOLE.slice(only[0], only[1])]);
        }
        if (expected.status === 416) {
          expect(response.status, what).toBe(416);
          expect(xmlValue(new TextDecoder().decode(got), "Code"), what).toBe("InvalidRange");
        }
        if (expected.status === 200) expect([...got], what).toEqual([...WHOLE]);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
