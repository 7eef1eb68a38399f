/**
 * @module
 * Names are opaque (issue 19): object and container names with any Unicode and `..`, `.`, `%2e`,
 * `//`, spaces, `?`, `#`, `%` round-trip through PUT, the listing and GET unchanged, through the
 * Worker. The client encodes as a careful client must: each segment percent-encoded, each `/` of
 * the name kept, except that the slashes around a `.` or `..` segment go as `%2F`, since URL
 * parsing removes dot segments (README "Names are opaque"; src/common/path.ts urlPathOf). Names
 * keep within Swift's limits: valid UTF-8, no NUL, object ≤ 1024 and container ≤ 256 bytes.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, it } from "vitest";
import { MAX_CONTAINER_NAME_LENGTH, MAX_OBJECT_NAME_LENGTH } from "../../../src/common/constraints";
import { decodePath, urlPathOf } from "../../../src/common/path";
import { BASE, text, tokenFor } from "../../helpers";

fc.configureGlobal({ seed: 19_007, numRuns: 20 });

const utf8Length = (name: string) => new TextEncoder().encode(name).length;

/** One segment of a name: the troublesome ones, then any Unicode. */
const segmentArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "..",
      ".",
      "%2e",
      "%2E%2e",
      ".%2e",
      "",
      " ",
      "  ",
      "?",
      "#",
      "%",
      "%25",
      "%2F",
      "a b",
      "?x=1#y",
      "...",
      "\\",
      "~",
      "+",
      ";",
      "&",
    ),
  },
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 200, maxLength: 400 }) },
);

/** An object name: segments joined by `/` (so also `//`, a leading or trailing `/`), within Swift's limits. */
const objectNameArb = fc
  .array(segmentArb, { minLength: 1, maxLength: 7 })
  .map((segments) => segments.join("/"))
  .filter((name) => name.length > 0 && !name.includes("\u0000") && utf8Length(name) <= MAX_OBJECT_NAME_LENGTH);

/** A container name: no `/`, within Swift's limits. */
const containerNameArb = fc
  .array(segmentArb, { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join(""))
  .filter(
    (name) =>
      name.length > 0 &&
      !name.includes("/") &&
      !name.includes("\u0000") &&
      utf8Length(name) <= MAX_CONTAINER_NAME_LENGTH,
  );

/** A request as a careful client sends it: the decoded path through urlPathOf, query parameters encoded. */
async function request(
  method: string,
  decodedPath: string,
  init: { query?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const query = init.query ? `?${new URLSearchParams(init.query).toString()}` : "";
  const url = `${BASE}${urlPathOf(decodedPath)}${query}`;
  return exports.default.fetch(url, { method, headers: { "X-Auth-Token": await tokenFor() }, body: init.body ?? null });
}

/** Generous: a run is several requests, and two cores are shared with the rest of the suite. */
const TIMEOUT_MS = 60_000;

let runs = 0;

describe("names round-trip unchanged through the Worker (property)", () => {
  it("the client's URL decodes to the name's path: urlPathOf then the runtime's URL parsing keeps every segment", ({
    expect,
  }) => {
    fc.assert(
      fc.property(containerNameArb, objectNameArb, (container, object) => {
        const path = `/v1/AUTH_test/${container}/${object}`;
        const url = new URL(`${BASE}${urlPathOf(path)}`);
        expect(decodePath(url.pathname)).toBe(path);
      }),
      { numRuns: 300 },
    );
  });

  it(
    "an object PUT under any name is listed under that name and read back with its bytes",
    async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(objectNameArb, async (name) => {
          runs += 1;
          const container = `names-property-${runs}`;
          await text(await request("PUT", `/v1/AUTH_test/${container}`));
          const body = `body of ${JSON.stringify(name)}`;
          const put = await request("PUT", `/v1/AUTH_test/${container}/${name}`, { body });
          expect(put.status, await text(put)).toBe(201);
          const listing = await request("GET", `/v1/AUTH_test/${container}`, { query: { format: "json" } });
          expect(listing.status).toBe(200);
          expect(((await listing.json()) as { name: string }[]).map((entry) => entry.name)).toEqual([name]);
          const got = await request("GET", `/v1/AUTH_test/${container}/${name}`);
          expect(got.status).toBe(200);
          expect(await got.text()).toBe(body);
          const prefixed = await request("GET", `/v1/AUTH_test/${container}`, {
            query: { format: "json", prefix: name },
          });
          expect(((await prefixed.json()) as { name: string }[]).map((entry) => entry.name)).toEqual([name]);
        }),
      );
    },
    TIMEOUT_MS,
  );

  it(
    "an object name of exactly 1024 bytes (UTF-8) round-trips; one byte more is 400 and stores nothing",
    async ({ expect }) => {
      runs += 1;
      const container = `names-property-${runs}`;
      await text(await request("PUT", `/v1/AUTH_test/${container}`));
      await fc.assert(
        fc.asyncProperty(objectNameArb, fc.constantFrom("é", "€", "😀", "a"), async (start, filler) => {
          let name = start.slice(0, 200);
          while (utf8Length(name + filler) <= MAX_OBJECT_NAME_LENGTH) name += filler;
          while (utf8Length(name) < MAX_OBJECT_NAME_LENGTH) name += "a";
          fc.pre(utf8Length(name) === MAX_OBJECT_NAME_LENGTH);
          const fits = await request("PUT", `/v1/AUTH_test/${container}/${name}`, { body: "x" });
          expect(fits.status, await text(fits)).toBe(201);
          const tooLong = await request("PUT", `/v1/AUTH_test/${container}/${name}b`, { body: "x" });
          expect(tooLong.status, await text(tooLong)).toBe(400);
          // Swift checks the length on PUT only (constraints.check_object_creation): a HEAD finds nothing.
          const head = await request("HEAD", `/v1/AUTH_test/${container}/${name}b`);
          await text(head);
          expect(head.status).toBe(404);
          const got = await request("GET", `/v1/AUTH_test/${container}/${name}`);
          expect(await got.text()).toBe("x");
        }),
        { numRuns: 6 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "a container PUT under any name is listed in its account under that name and holds its objects",
    async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(containerNameArb, async (container) => {
          const put = await request("PUT", `/v1/AUTH_test/${container}`);
          expect([201, 202], await text(put)).toContain(put.status);
          const listing = await request("GET", "/v1/AUTH_test", { query: { format: "json", prefix: container } });
          expect(listing.status).toBe(200);
          expect(((await listing.json()) as { name: string }[]).map((entry) => entry.name)).toContain(container);
          const object = await request("PUT", `/v1/AUTH_test/${container}/o`, { body: container });
          expect(object.status, await text(object)).toBe(201);
          const got = await request("GET", `/v1/AUTH_test/${container}/o`);
          expect(await got.text()).toBe(container);
          const head = await request("HEAD", `/v1/AUTH_test/${container}`);
          await text(head);
          expect(head.status).toBe(204);
        }),
        { numRuns: 12 },
      );
    },
    TIMEOUT_MS,
  );
});
