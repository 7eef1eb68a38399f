/**
 * @module
 * Fuzzing container and account listings through the Worker (fast-check): any query parameters
 * Swift's listings read (limit, marker, end_marker, prefix, delimiter, path, reverse, format),
 * any values. Never a 5xx; a 2xx JSON listing is a JSON array no longer than the limit asked for.
 * A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { swift, text } from "../../helpers";

const valueArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "",
    "/",
    "a",
    "a/",
    "o1",
    "d/",
    "..",
    "%2F",
    "\u0000",
    "é",
    "\uFFFF",
    "-1",
    "0",
    "1",
    "10001",
    "true",
    "json",
    "xml",
    "plain",
  ),
  fc.integer({ min: -3, max: 20_000 }).map(String),
);
const PARAMS = ["limit", "marker", "end_marker", "prefix", "delimiter", "path", "reverse", "format"] as const;
const queryArb = fc
  .array(fc.tuple(fc.constantFrom(...PARAMS), valueArb), { maxLength: 4 })
  .map((pairs) => pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&"));

describe("fuzzing listings", () => {
  it("any listing parameters on a container and an account: never a 5xx; a JSON listing keeps to its limit", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/fuzz-list"));
    for (const name of ["a", "a/b", "a/c/d", "b", "é", "z/"])
      await text(await swift("PUT", `/AUTH_test/fuzz-list/${encodeURIComponent(name)}`, { body: name }));
    await fc.assert(
      fc.asyncProperty(queryArb, fc.constantFrom("/AUTH_test/fuzz-list", "/AUTH_test"), async (query, path) => {
        const response = await swift("GET", `${path}?${query}`);
        const body = await text(response);
        expect(response.status, `GET ${path}?${query}: ${body.slice(0, 200)}`).toBeLessThan(500);
        const limit = new URLSearchParams(query).get("limit");
        if (response.status === 200 && (response.headers.get("content-type") ?? "").startsWith("application/json")) {
          const entries: unknown = JSON.parse(body);
          expect(Array.isArray(entries)).toBe(true);
          if (limit !== null && /^\d+$/.test(limit) && Number(limit) > 0 && Number(limit) <= 10_000)
            expect((entries as unknown[]).length).toBeLessThanOrEqual(Number(limit));
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
