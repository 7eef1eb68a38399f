/**
 * @module
 * Fuzzing an object PUT through the Worker (fast-check): any name and any headers a client may
 * send. Never a 5xx, never an uncaught error; a 4xx stores nothing (the name still answers 404).
 * A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { swift, text } from "../../helpers";

/** Names: any text, with the characters that matter to paths and to Swift's checks more often. */
const nameArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(fc.constantFrom("a", "/", "..", ".", "%", "%2F", "\u0000", "é", "\uFFFF", " ", "?", "#"), { maxLength: 12 })
    .map((parts) => parts.join("")),
  fc.string({ minLength: 1000, maxLength: 1100 }),
);

/** Header values: any printable text a fetch may carry (no CR, LF or NUL, which it refuses itself). */
const valueArb = fc.string({ unit: "grapheme-ascii", maxLength: 300 }).map((value) => value.trim());

/** Up to three headers, each any value (most of them a value a client may well send, some anything). */
const HEADER_NAMES = [
  "content-type",
  "x-object-meta-fuzz",
  "x-delete-at",
  "x-delete-after",
  "content-disposition",
  "x-object-manifest",
  "etag",
  "x-timestamp",
  "content-encoding",
  "x-symlink-target",
] as const;
const headerValueArb = fc.oneof(
  valueArb,
  fc.integer({ min: -5, max: 4_000_000_000 }).map(String),
  fc.constantFrom("text/plain", "application/json;swift_bytes=3", "d41d8cd98f00b204e9800998ecf8427e", "fuzz/o", "gzip"),
);
const headersArb = fc
  .array(fc.tuple(fc.constantFrom(...HEADER_NAMES), headerValueArb), { maxLength: 3 })
  .map((entries) => Object.fromEntries(entries));

describe("fuzzing an object PUT", () => {
  it("any name and headers: never a 5xx; a 4xx stores nothing", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/fuzz"));
    const stored = new Set<string>();
    await fc.assert(
      fc.asyncProperty(nameArb, headersArb, fc.uint8Array({ maxLength: 64 }), async (name, headers, body) => {
        const path = `/AUTH_test/fuzz/${encodeURIComponent(name)}`;
        const put = await swift("PUT", path, { headers, body });
        const answer = await text(put);
        expect(put.status, `PUT ${JSON.stringify(name)} ${JSON.stringify(headers)}: ${answer}`).toBeLessThan(500);
        if (put.status < 300) stored.add(name);
        else if (!stored.has(name)) {
          const head = await swift("HEAD", path);
          await text(head);
          expect(head.status, `HEAD ${JSON.stringify(name)} after a ${put.status}`).not.toBe(200);
          expect(head.status).toBeLessThan(500);
        }
      }),
      { numRuns: 150, verbose: true },
    );
  }, 120_000);
});
