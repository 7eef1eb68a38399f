/**
 * @module
 * Fuzzing authentication through the Worker (fast-check): X-Auth-Token, X-Storage-Token and
 * X-Service-Token with any value or a valid token changed a little; Authorization with any text
 * and with AWS SigV4 and SigV2 forms near a valid one; /auth/v1.0 with any X-Auth-User,
 * X-Auth-Key and X-Storage-User. Never a 5xx, never a 2xx for credentials that are not valid,
 * and nothing stored changes. A failing case is printed with its seed, so it can be replayed.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text, tokenFor } from "../../helpers";
import { signed } from "../s3/helpers";
import { snapshot } from "./snapshot";

const CONTAINER = "/AUTH_test/fuzz-auth";
const BUCKET = "fuzz-auth-bucket";
const STORED = {
  accounts: ["/AUTH_test"],
  containers: [CONTAINER, `/AUTH_test/${BUCKET}`],
  objects: [`${CONTAINER}/o`, `/AUTH_test/${BUCKET}/k`],
};

let token = "";
let before = "";

beforeAll(async () => {
  await text(await swift("PUT", CONTAINER));
  await text(await swift("PUT", `${CONTAINER}/o`, { body: "fuzz" }));
  await text(await swift("PUT", `/AUTH_test/${BUCKET}`));
  await text(await swift("PUT", `/AUTH_test/${BUCKET}/k`, { body: "fuzz" }));
  token = await tokenFor();
  before = await snapshot(STORED);
});

/** Printable header text (fetch itself refuses CR, LF and NUL; it trims the ends). */
const valueArb = fc.string({ unit: "grapheme-ascii", maxLength: 200 }).map((value) => value.trim());

/** A text changed a little: one character replaced, one inserted, one removed, or cut short. */
function nearArb(valid: () => string): fc.Arbitrary<string> {
  const at = fc.nat({ max: 2000 });
  const char = fc.constantFrom("A", "a", "0", "_", "-", ".", "=", "+", "/", " ", "\t", ",", ":", "é");
  return fc
    .oneof(
      fc.tuple(fc.constant("replace"), at, char),
      fc.tuple(fc.constant("insert"), at, char),
      fc.tuple(fc.constant("remove"), at, char),
      fc.tuple(fc.constant("cut"), at, char),
    )
    .map(([how, position, inserted]) => {
      const text = valid();
      const i = position % Math.max(text.length, 1);
      if (how === "replace") return `${text.slice(0, i)}${text[i] === inserted ? "B" : inserted}${text.slice(i + 1)}`;
      if (how === "insert") return `${text.slice(0, i)}${inserted}${text.slice(i)}`;
      if (how === "remove") return `${text.slice(0, i)}${text.slice(i + 1)}`;
      return text.slice(0, i);
    })
    .map((value) => value.trim())
    .filter((value) => value !== valid());
}

/**
 * `original` changed a little by the seed: for an Authorization, inside one of its three values
 * (a comma or space added around them names the same credentials, as in s3api).
 */
function changedSomewhere(original: string, field: number, seed: number): string {
  const change = (value: string) =>
    fc.sample(
      nearArb(() => value),
      { seed, numRuns: 1 },
    )[0] ?? "";
  if (field < 0) return change(original);
  const values = [...original.matchAll(/(?:Credential|SignedHeaders|Signature)=([^,]*)/g)];
  const chosen = values[field % values.length];
  if (!chosen?.[1] || chosen.index === undefined) return change(original);
  const start = chosen.index + chosen[0].length - chosen[1].length;
  return `${original.slice(0, start)}${change(chosen[1])}${original.slice(start + chosen[1].length)}`;
}

const tokenArb = fc.oneof(
  valueArb,
  nearArb(() => token),
  fc.constantFrom(".x", ".", "=", "..").map((suffix) => `${token}${suffix}`),
  fc.constantFrom("AUTH_tk", "AUTH_tk.", "AUTH_tk..", "AUTH_tke30.e30", "AUTH_tk!!.!!", "SERVICE_tkx.y"),
);

const swiftRequestArb = fc.record({
  method: fc.constantFrom("GET", "HEAD", "PUT", "POST", "DELETE", "COPY"),
  path: fc.constantFrom("/AUTH_test", CONTAINER, `${CONTAINER}/o`, `${CONTAINER}/new`, "/AUTH_test/fuzz-auth-new"),
  headers: fc
    .array(fc.tuple(fc.constantFrom("x-auth-token", "x-storage-token", "x-service-token"), tokenArb), {
      minLength: 1,
      maxLength: 3,
    })
    .map((entries) => Object.fromEntries(entries)),
});

async function expectNothingChanged(expect: (value: unknown, message?: string) => { toBe(v: unknown): void }) {
  expect(await snapshot(STORED), "stored state after a refused request").toBe(before);
}

describe("fuzzing authentication", () => {
  it("X-Auth-Token, X-Storage-Token and X-Service-Token of any value: never a 5xx or a 2xx, nothing stored changes", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(swiftRequestArb, async ({ method, path, headers }) => {
        const body = method === "PUT" || method === "POST" ? "changed" : null;
        const extra: Record<string, string> = method === "COPY" ? { destination: "fuzz-auth/copied" } : {};
        const response = await swift(method, path, { user: null, headers: { ...headers, ...extra }, body });
        const answer = await text(response);
        const what = `${method} ${path} ${JSON.stringify(headers)}: ${response.status} ${answer.slice(0, 200)}`;
        expect(response.status, what).toBeGreaterThanOrEqual(400);
        expect(response.status, what).toBeLessThan(500);
        if (method !== "GET" && method !== "HEAD") await expectNothingChanged(expect);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it("Authorization of any text, of SigV2 and SigV4 forms, or a valid SigV4 one changed a little: never a 5xx or a 2xx, nothing stored changes", async ({
    expect,
  }) => {
    const methods = fc.constantFrom("GET", "PUT", "DELETE", "HEAD");
    const keys = fc.constantFrom(`/${BUCKET}/k`, `/${BUCKET}/new`, `/${BUCKET}`);
    const sigv4 = fc.tuple(methods, keys).chain(([method, key]) =>
      fc.tuple(
        fc.constant(method),
        fc.constant(key),
        fc.oneof(
          valueArb,
          valueArb.map((value) => `AWS4-HMAC-SHA256 ${value}`),
          valueArb.map(
            (value) => `AWS4-HMAC-SHA256 Credential=test:tester/${value}, SignedHeaders=host, Signature=${value}`,
          ),
          valueArb.map((value) => `AWS ${value}`),
          valueArb.map((value) => `AWS test:tester:${value}`),
          fc.constantFrom("AWS test:tester:", "AWS :", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential="),
        ),
        fc.constant(null),
      ),
    );
    // A request signed for the method and key, then one header of it changed a little.
    const near = fc.tuple(
      methods,
      keys,
      fc.constantFrom("authorization", "x-amz-date", "x-amz-content-sha256"),
      fc.nat(),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(sigv4, near), async (generated) => {
        let request: Request;
        let what: string;
        if (generated[3] === null) {
          const [method, key, authorization] = generated;
          const headers = new Headers({
            authorization,
            "x-amz-date": new Date().toISOString().replace(/[-:]|\.\d{3}/g, ""),
          });
          request = new Request(`${BASE}${key}`, { method, headers, body: method === "PUT" ? "changed" : null });
          what = `${method} ${key} Authorization: ${authorization}`;
        } else {
          const [method, key, header, seed] = generated;
          const valid = await signed(method, key, { body: method === "PUT" ? "changed" : null });
          const original = valid.headers.get(header) ?? "";
          const changed = changedSomewhere(original, header === "authorization" ? seed : -1, seed);
          const headers = new Headers(valid.headers);
          headers.set(header, changed);
          request = new Request(valid.url, { method, headers, body: method === "PUT" ? "changed" : null });
          what = `${method} ${key} ${header}: ${original} → ${changed}`;
        }
        const response = await exports.default.fetch(request);
        const answer = await response.text();
        expect(response.status, `${what}: ${response.status} ${answer.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${what}: ${answer.slice(0, 300)}`).toBeLessThan(500);
        if (request.method !== "GET" && request.method !== "HEAD") await expectNothingChanged(expect);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it("presigned URL parameters of any value, or a valid presigned URL changed in one parameter: never a 5xx or a 2xx, nothing stored changes", async ({
    expect,
  }) => {
    const V4 = [
      "X-Amz-Algorithm",
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders",
      "X-Amz-Signature",
    ];
    const V2 = ["AWSAccessKeyId", "Signature", "Expires"];
    const paramValueArb = fc.oneof(
      valueArb,
      fc.constantFrom(
        "",
        "0",
        "-1",
        "604801",
        "99999999999999999999",
        "AWS4-HMAC-SHA256",
        "host",
        "test:tester",
        "1e3",
      ),
    );
    const anyArb = fc.record({
      kind: fc.constant("any" as const),
      params: fc.dictionary(fc.constantFrom(...V4, ...V2), paramValueArb, { minKeys: 1, maxKeys: 6 }),
    });
    const nearArbOfUrl = fc.record({
      kind: fc.constant("near" as const),
      name: fc.constantFrom(...V4),
      seed: fc.nat(),
      drop: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "PUT", "DELETE"),
        fc.constantFrom(`/${BUCKET}/k`, `/${BUCKET}/new`),
        fc.oneof(anyArb, nearArbOfUrl),
        async (method, key, generated) => {
          let url: URL;
          if (generated.kind === "any") {
            url = new URL(`${BASE}${key}`);
            for (const [name, value] of Object.entries(generated.params)) url.searchParams.set(name, value);
          } else {
            url = new URL((await signed(method, key, { presign: true, expiresSeconds: 60 })).url);
            const original = url.searchParams.get(generated.name) ?? "";
            if (generated.drop) url.searchParams.delete(generated.name);
            else url.searchParams.set(generated.name, changedSomewhere(original, -1, generated.seed));
          }
          const response = await exports.default.fetch(url.toString(), {
            method,
            body: method === "PUT" ? "changed" : null,
          });
          const answer = await response.text();
          const what = `${method} ${url.pathname}${url.search}: ${response.status} ${answer.slice(0, 300)}`;
          expect(response.status, what).toBeGreaterThanOrEqual(400);
          expect(response.status, what).toBeLessThan(500);
          if (method !== "GET") await expectNothingChanged(expect);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("/auth/v1.0 with any X-Auth-User, X-Auth-Key and X-Storage-User: never a 5xx, a 200 only for a user's own key", async ({
    expect,
  }) => {
    const users = fc.oneof(
      valueArb,
      fc.constantFrom("test:tester", "test2:tester2", "admin:admin", "test", ":", "test:", ":tester", "test:tester:x"),
      nearArb(() => "test:tester"),
    );
    const keys = fc.oneof(
      valueArb,
      fc.constantFrom("testing", "testing2", "admin", ""),
      nearArb(() => "testing"),
    );
    const headersArb = fc
      .array(
        fc.oneof(
          fc.tuple(fc.constantFrom("x-auth-user", "x-storage-user"), users),
          fc.tuple(fc.constantFrom("x-auth-key", "x-storage-pass"), keys),
        ),
        { maxLength: 4 },
      )
      .map((entries) => Object.fromEntries(entries) as Record<string, string>);
    const valid = new Map([
      ["test:tester", "testing"],
      ["test2:tester2", "testing2"],
      ["admin:admin", "admin"],
      ["test:tester2", "testing2"],
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/auth/v1.0", "/auth/auth", "/auth/v1/test/auth"),
        headersArb,
        async (path, headers) => {
          const response = await exports.default.fetch(`${BASE}${path}`, { headers });
          await response.text();
          const what = `${path} ${JSON.stringify(headers)}: ${response.status}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status !== 200) return;
          // tempauth's reading: which user and key the request names (see swift-v1.ts credentialsOf)
          const user = path.startsWith("/auth/v1/")
            ? headers["x-storage-user"]
              ? `test:${headers["x-storage-user"]}`
              : headers["x-auth-user"]
            : headers["x-auth-user"] || headers["x-storage-user"];
          const key = path.startsWith("/auth/v1/")
            ? headers["x-storage-pass"] || headers["x-auth-key"]
            : headers["x-auth-key"] || headers["x-storage-pass"];
          expect(valid.get(user ?? ""), what).toBe(key);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
