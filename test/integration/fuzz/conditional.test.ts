/**
 * @module
 * Fuzzing conditional headers through the Worker (fast-check): If-Match, If-None-Match,
 * If-Modified-Since and If-Unmodified-Since with any values and plausible ones (the etag, others,
 * lists, `*`, dates a day either side of the object's), on GET, HEAD, PUT and COPY. Never a 5xx;
 * a GET or HEAD answers 200, 304 or 412, 304 and 412 only for a header that asks for them, and
 * as swob's Match reads a lone etag header; a PUT or COPY that does not succeed changes nothing
 * stored. A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { s3Sent } from "../s3/helpers";
import { snapshot } from "./snapshot";

const C = "/AUTH_test/fuzz-conditional";
const OBJECT = `${C}/o`;
const STORED = { containers: [C], objects: [OBJECT, `${C}/copy`, `${C}/new`] };

let etag = "";
let lastModifiedMs = 0;

beforeAll(async () => {
  await text(await swift("PUT", C));
  const put = await swift("PUT", OBJECT, { body: "conditional", headers: { "X-Object-Meta-Fuzz": "1" } });
  await text(put);
  etag = put.headers.get("etag") ?? "";
  const head = await swift("HEAD", OBJECT);
  await text(head);
  lastModifiedMs = Date.parse(head.headers.get("last-modified") ?? "");
});

const DAY_MS = 86_400_000;
/** Printable header text (fetch refuses CR, LF and NUL and trims the ends). */
const valueArb = fc.string({ unit: "grapheme-ascii", maxLength: 80 }).map((value) => value.trim());

type Etag = "stored" | "other" | "star";
type MatchValue = { kind: "etags"; tags: [Etag, boolean][]; separator: string } | { kind: "text"; value: string };
type DateValue = { kind: "date"; days: number } | { kind: "text"; value: string };
type Conditions = Partial<Record<"if-match" | "if-none-match", MatchValue>> &
  Partial<Record<"if-modified-since" | "if-unmodified-since", DateValue>>;
const etagTextArb = fc
  .array(fc.tuple(fc.constantFrom<Etag>("stored", "other", "star"), fc.boolean()), { minLength: 1, maxLength: 3 })
  .map((tags) => ({ tags, separator: ", " }));
const matchArb: fc.Arbitrary<MatchValue> = fc.oneof(
  { weight: 3, arbitrary: etagTextArb.map((value) => ({ kind: "etags" as const, ...value })) },
  { weight: 1, arbitrary: valueArb.map((value) => ({ kind: "text" as const, value })) },
);
const dateArb: fc.Arbitrary<DateValue> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(-1, 1).map((days) => ({ kind: "date" as const, days })) },
  { weight: 1, arbitrary: valueArb.map((value) => ({ kind: "text" as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("0", "-1", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT")
      .map((value) => ({ kind: "text" as const, value })),
  },
);

function matchText(match: MatchValue): string {
  if (match.kind === "text") return match.value;
  const tag = (name: Etag) => (name === "stored" ? etag : name === "other" ? "0123456789abcdef0123456789abcdef" : "*");
  return match.tags
    .map(([name, quoted]) => (quoted && name !== "star" ? `"${tag(name)}"` : tag(name)))
    .join(match.separator);
}

function dateText(date: DateValue): string {
  return date.kind === "text" ? date.value : new Date(lastModifiedMs + date.days * DAY_MS).toUTCString();
}

/** Whether swob's Match of the header holds the stored etag (`*` matches any). */
function matches(match: MatchValue): boolean {
  return match.kind === "etags" && match.tags.some(([name]) => name !== "other");
}

const allConditionsArb = fc.record(
  {
    "if-match": matchArb,
    "if-none-match": matchArb,
    "if-modified-since": dateArb,
    "if-unmodified-since": dateArb,
  },
  { requiredKeys: [] },
);
/** One header alone (as often as several), whose answer is known exactly, or any of them. */
const conditionsArb: fc.Arbitrary<Conditions> = fc.oneof(
  fc.record({ "if-match": matchArb }),
  fc.record({ "if-none-match": matchArb }),
  fc.record({ "if-modified-since": dateArb }),
  fc.record({ "if-unmodified-since": dateArb }),
  allConditionsArb,
  allConditionsArb,
  allConditionsArb,
  allConditionsArb,
);

describe("fuzzing conditional headers", () => {
  it("GET and HEAD with any conditional headers: 200, 304 or 412, each only when a header asks for it", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "HEAD"), conditionsArb, async (method, conditions) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(conditions))
          headers[name] = "days" in value ? dateText(value) : "tags" in value ? matchText(value) : value.value;
        const response = await swift(method, OBJECT, { headers });
        const body = await text(response);
        const what = `${method} ${JSON.stringify(headers)}: ${response.status} ${body.slice(0, 200)}`;
        expect([200, 304, 412], what).toContain(response.status);
        if (response.status === 412) expect("if-match" in headers || "if-unmodified-since" in headers, what).toBe(true);
        if (response.status === 304)
          expect("if-none-match" in headers || "if-modified-since" in headers, what).toBe(true);
        if (response.status === 200 && method === "GET") expect(body, what).toBe("conditional");
        const names = Object.keys(conditions);
        if (names.length !== 1) return;
        const ifMatch = conditions["if-match"];
        const ifNoneMatch = conditions["if-none-match"];
        const ifModifiedSince = conditions["if-modified-since"];
        const ifUnmodifiedSince = conditions["if-unmodified-since"];
        if (ifMatch?.kind === "etags") expect(response.status, what).toBe(matches(ifMatch) ? 200 : 412);
        if (ifNoneMatch?.kind === "etags") expect(response.status, what).toBe(matches(ifNoneMatch) ? 304 : 200);
        if (ifModifiedSince?.kind === "date") expect(response.status, what).toBe(ifModifiedSince.days > 0 ? 304 : 200);
        if (ifUnmodifiedSince?.kind === "date")
          expect(response.status, what).toBe(ifUnmodifiedSince.days > 0 ? 200 : 412);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it("PUT and COPY with any conditional headers: never a 5xx, and one that does not succeed changes nothing stored", async ({
    expect,
  }) => {
    const putArb = fc.record({
      method: fc.constantFrom("PUT", "COPY", "PUT-copy"),
      target: fc.constantFrom(OBJECT, `${C}/new`),
      conditions: fc.oneof(
        conditionsArb,
        fc.record({ "if-none-match": fc.constantFrom("*", '"*"', "* ", "*, *", etag, "x") }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(putArb, async ({ method, target, conditions }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(conditions))
          headers[name] =
            typeof value === "string"
              ? value
              : "days" in value
                ? dateText(value)
                : "tags" in value
                  ? matchText(value)
                  : value.value;
        const before = await snapshot(STORED);
        const path = method === "COPY" ? target : method === "PUT-copy" ? `${C}/copy` : target;
        if (method === "COPY") headers.destination = "fuzz-conditional/copy";
        if (method === "PUT-copy") headers["x-copy-from"] = target.slice("/AUTH_test".length);
        const response = await swift(method === "COPY" ? "COPY" : "PUT", path, {
          headers,
          body: method === "PUT" ? "conditional" : "",
        });
        const body = await text(response);
        const what = `${method} ${path} ${JSON.stringify(headers)}: ${response.status} ${body.slice(0, 200)}`;
        expect(response.status, what).toBeLessThan(500);
        if (response.status >= 300) expect(await snapshot(STORED), what).toBe(before);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("S3 GetObject, HeadObject and CopyObject with any conditional headers: never a 5xx; a refused copy stores nothing", async ({
    expect,
  }) => {
    const s3ConditionsArb = fc.record({
      method: fc.constantFrom("GET", "HEAD", "COPY"),
      conditions: conditionsArb,
    });
    let copies = 0;
    await fc.assert(
      fc.asyncProperty(s3ConditionsArb, async ({ method, conditions }) => {
        const headers: Record<string, string> = {};
        const prefix = method === "COPY" ? "x-amz-copy-source-" : "";
        for (const [name, value] of Object.entries(conditions))
          headers[`${prefix}${name}`] =
            value.kind === "date" ? dateText(value) : value.kind === "etags" ? matchText(value) : value.value;
        copies += 1;
        const target = `/fuzz-conditional/s3-copy${copies}`;
        if (method === "COPY") headers["x-amz-copy-source"] = "/fuzz-conditional/o";
        const sent = await s3Sent(
          method === "COPY" ? "PUT" : method,
          method === "COPY" ? target : "/fuzz-conditional/o",
          {
            headers,
          },
        );
        const what = `S3 ${method} ${JSON.stringify(headers)}: ${sent.status} ${sent.body.slice(0, 200)}`;
        expect(sent.status, what).toBeLessThan(500);
        if (method !== "COPY") {
          expect([200, 304, 412], what).toContain(sent.status);
          return;
        }
        if (sent.status >= 300) expect((await s3Sent("HEAD", target)).status, what).toBe(404);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
