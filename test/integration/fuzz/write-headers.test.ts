/**
 * @module
 * Fuzzing container, account and object metadata writes through the Worker (fast-check): a container PUT or POST
 * with any name and up to four headers that matter (metadata of any name, size and count,
 * removals, storage policy, versioning, sync, quotas, ACL-free settings), and an account POST
 * with metadata and quota headers, and an object POST with any of the headers a POST reads. Never a 5xx; a 4xx changes nothing stored (the container's
 * and the account's HEAD, and the account's listing). A failing case is printed with its seed.
 */
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { snapshot } from "./snapshot";

const EXISTING = "fuzz-headers";

beforeAll(async () => {
  await text(await swift("PUT", `/AUTH_test/${EXISTING}`, { headers: { "X-Container-Meta-Kept": "1" } }));
  await text(await swift("PUT", "/AUTH_test/fuzz-headers-versions"));
  await text(await swift("PUT", `/AUTH_test/${EXISTING}/o`, { body: "o", headers: { "X-Object-Meta-Kept": "1" } }));
});

const nameArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(EXISTING) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom("a", "/", "..", ".", "%", "%2F", "\u0000", "é", "\uFFFF", " ", "?", "#"), { maxLength: 8 })
      .map((parts) => parts.join("")),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 250, maxLength: 270 }) },
);

/** Printable header text (fetch refuses CR, LF and NUL and trims the ends). */
const valueArb = fc.oneof(
  fc.string({ unit: "grapheme-ascii", maxLength: 300 }).map((value) => value.trim()),
  fc.integer({ min: -5, max: 2 ** 53 }).map(String),
  fc.constantFrom(
    "",
    "true",
    "false",
    "gold",
    "silver",
    "local",
    "nope",
    "fuzz-headers-versions",
    "fuzz-headers",
    "//x",
    "http://example.com/v1/AUTH_test/c",
    "x".repeat(256),
    "x".repeat(4097),
  ),
);
/** Header names: Swift's own, and metadata of any token name (a long one now and then). */
const headerNameArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "x-container-meta-fuzz",
      "x-remove-container-meta-kept",
      "x-storage-policy",
      "x-versions-location",
      "x-history-location",
      "x-versions-enabled",
      "x-container-sync-to",
      "x-container-sync-key",
      "x-container-meta-quota-bytes",
      "x-container-meta-quota-count",
      "x-container-meta-temp-url-key",
      "x-container-meta-access-control-allow-origin",
      "x-container-meta-web-index",
      "x-timestamp",
      "x-account-meta-fuzz",
      "content-type",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{0,140}$/).map((suffix) => `x-container-meta-${suffix}`),
  },
);
const headersArb = fc
  .array(fc.tuple(headerNameArb, valueArb), { maxLength: 4 })
  .map((entries) => Object.fromEntries(entries) as Record<string, string>);
/** Many metadata items at once, to reach Swift's count (90) and total size (4096) limits. */
const manyArb = fc
  .tuple(fc.integer({ min: 80, max: 100 }), fc.integer({ min: 1, max: 60 }))
  .map(([count, size]) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-container-meta-m${i}`, "v".repeat(size)])),
  );

describe("fuzzing container, account and object metadata headers", () => {
  it("a container PUT or POST with any name and headers: never a 5xx; a 4xx changes nothing stored", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("PUT", "POST"),
        nameArb,
        fc.oneof({ weight: 5, arbitrary: headersArb }, { weight: 1, arbitrary: manyArb }),
        async (method, name, headers) => {
          const path = `/AUTH_test/${encodeURIComponent(name)}`;
          const stored = { accounts: ["/AUTH_test"], heads: [path, `/AUTH_test/${EXISTING}`] };
          const before = await snapshot(stored);
          const response = await swift(method, path, { headers });
          const answer = await text(response);
          const what = `${method} ${JSON.stringify(name)} ${JSON.stringify(headers).slice(0, 500)}: ${response.status} ${answer.slice(0, 200)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 400) expect(await snapshot(stored), what).toBe(before);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it("an account POST with any metadata and quota headers: never a 5xx; a 4xx changes nothing stored", async ({
    expect,
  }) => {
    const accountHeaderArb = fc.oneof(
      fc.constantFrom(
        "x-account-meta-fuzz",
        "x-remove-account-meta-fuzz",
        "x-account-meta-quota-bytes",
        "x-account-meta-temp-url-key",
        "x-account-meta-temp-url-key-2",
        "x-account-access-control",
        "x-account-sysmeta-fuzz",
      ),
      fc.stringMatching(/^[a-z0-9-]{0,140}$/).map((suffix) => `x-account-meta-${suffix}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.tuple(accountHeaderArb, valueArb), { minLength: 1, maxLength: 4 })
          .map((entries) => Object.fromEntries(entries) as Record<string, string>),
        async (headers) => {
          const stored = { accounts: ["/AUTH_test"] };
          const before = await snapshot(stored);
          const response = await swift("POST", "/AUTH_test", { headers });
          const answer = await text(response);
          const what = `POST /AUTH_test ${JSON.stringify(headers).slice(0, 500)}: ${response.status} ${answer.slice(0, 200)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 400) expect(await snapshot(stored), what).toBe(before);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it("an object POST with any headers a POST reads: never a 5xx; a 4xx changes nothing stored", async ({ expect }) => {
    const objectHeaderArb = fc.oneof(
      fc.constantFrom(
        "x-object-meta-fuzz",
        "x-remove-object-meta-kept",
        "x-delete-at",
        "x-delete-after",
        "content-type",
        "content-disposition",
        "content-encoding",
        "x-object-manifest",
        "x-static-large-object",
        "x-symlink-target",
        "x-timestamp",
        "x-versions-location",
        "etag",
      ),
      fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{0,140}$/).map((suffix) => `x-object-meta-${suffix}`),
    );
    const path = `/AUTH_test/${EXISTING}/o`;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          {
            weight: 5,
            arbitrary: fc
              .array(fc.tuple(objectHeaderArb, valueArb), { minLength: 1, maxLength: 4 })
              .map((entries) => Object.fromEntries(entries) as Record<string, string>),
          },
          {
            weight: 1,
            arbitrary: manyArb.map((headers) =>
              Object.fromEntries(
                Object.entries(headers).map(([name, value]) => [name.replace("container", "object"), value]),
              ),
            ),
          },
        ),
        async (headers) => {
          const stored = { objects: [path], containers: [`/AUTH_test/${EXISTING}`] };
          const before = await snapshot(stored);
          const response = await swift("POST", path, { headers });
          const answer = await text(response);
          const what = `POST ${path} ${JSON.stringify(headers).slice(0, 500)}: ${response.status} ${answer.slice(0, 200)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 400) expect(await snapshot(stored), what).toBe(before);
          // An expiry would end the object: put it back as it was for the next run.
          if (response.status < 300)
            await text(await swift("PUT", path, { body: "o", headers: { "X-Object-Meta-Kept": "1" } }));
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});
