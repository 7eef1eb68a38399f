/**
 * @module
 * Fuzzing TempURL and FormPOST signatures through the Worker (fast-check): temp_url_sig,
 * temp_url_expires, temp_url_prefix, filename and inline with any values, valid TempURLs changed
 * in one place (signature, expiry, method, object, prefix), valid TempURLs with any filename,
 * and FormPOST forms whose signature or signed fields were changed after signing. Never a 5xx,
 * never a 2xx without a valid signature, and nothing stored changes then.
 * A failing case is printed with its seed, so it can be replayed.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text } from "../../helpers";
import { snapshot } from "./snapshot";

const C = "/AUTH_test/fuzz-sig";
const STORED = { containers: [C], objects: [`${C}/o`, `${C}/p/o`] };
const encoder = new TextEncoder();

beforeAll(async () => {
  await text(await swift("POST", "/AUTH_test", { headers: { "X-Account-Meta-Temp-URL-Key": "secret" } }));
  await text(await swift("PUT", C));
  await text(await swift("PUT", `${C}/o`, { body: "signed" }));
  await text(await swift("PUT", `${C}/p/o`, { body: "signed" }));
});

async function hmacHex(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const valueArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", "0", "-1", "1e10", "sha1:", "sha256:", "sha512:!!", "sha512:", ":", "2099-01-01T00:00:00Z"),
  fc.integer({ min: 0, max: 2 ** 40 }).map(String),
  fc.stringMatching(/^[0-9a-f]{64}$/),
);

/** One character of `text` replaced by a different one from `chars`. */
function replaced(value: string, at: number, chars: string, pick: number): string {
  const i = at % Math.max(value.length, 1);
  const options = [...chars].filter((char) => char !== value[i]);
  return `${value.slice(0, i)}${options[pick % options.length] ?? "z"}${value.slice(i + 1)}`;
}

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"] as const;

describe("fuzzing signatures", () => {
  it("TempURL query parameters of any value: never a 5xx or a 2xx, nothing stored changes", async ({ expect }) => {
    const paramsArb = fc.dictionary(
      fc.constantFrom("temp_url_sig", "temp_url_expires", "temp_url_prefix", "filename", "inline", "temp_url_ip_range"),
      valueArb,
      { minKeys: 1, maxKeys: 5 },
    );
    const before = await snapshot(STORED);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        fc.constantFrom(`${C}/o`, `${C}/p/o`, `${C}/new`, C),
        paramsArb,
        async (method, path, params) => {
          const query = new URLSearchParams(params).toString();
          const response = await swift(method, `${path}?${query}`, {
            user: null,
            body: method === "PUT" || method === "POST" ? "changed" : null,
          });
          const answer = await text(response);
          const what = `${method} ${path}?${query}: ${response.status} ${answer.slice(0, 200)}`;
          expect(response.status, what).toBeGreaterThanOrEqual(400);
          expect(response.status, what).toBeLessThan(500);
          expect(await snapshot(STORED), what).toBe(before);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("a valid TempURL changed in one place: never a 5xx or a 2xx, nothing stored changes; unchanged it is taken", async ({
    expect,
  }) => {
    const changeArb = fc.record({
      method: fc.constantFrom(...METHODS),
      prefixed: fc.boolean(),
      change: fc.constantFrom("none", "sig", "expires", "method", "object", "prefix", "key"),
      at: fc.nat(),
      pick: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(changeArb, async ({ method, prefixed, change, at, pick }) => {
        const before = await snapshot(STORED);
        const expires = String(Math.floor(Date.now() / 1000) + 600);
        const signedPath = prefixed ? `prefix:/v1${C}/p/` : `/v1${C}/p/o`;
        const signature = await hmacHex(change === "key" ? "secreT" : "secret", `${method}\n${expires}\n${signedPath}`);
        const params: Record<string, string> = { temp_url_sig: signature, temp_url_expires: expires };
        if (prefixed) params.temp_url_prefix = "p/";
        let path = `${C}/p/o`;
        let sent = method as string;
        if (change === "sig") params.temp_url_sig = replaced(signature, at, "0123456789abcdefxz", pick);
        if (change === "expires") params.temp_url_expires = replaced(expires, at, "0123456789", pick);
        if (change === "method")
          sent = METHODS.filter((other) => other !== method && other !== "HEAD")[pick % 3] ?? "GET";
        if (change === "object") path = prefixed ? `${C}/o` : `${C}/p/o2`;
        if (change === "prefix") params.temp_url_prefix = prefixed ? replaced("p/", at, "pq/", pick) : "p/";
        const query = new URLSearchParams(params).toString();
        const response = await swift(sent, `${path}?${query}`, {
          user: null,
          body: sent === "PUT" || sent === "POST" ? "signed" : null,
        });
        const answer = await text(response);
        const what = `${sent} ${path}?${query} (signed ${method}, ${change} changed): ${response.status} ${answer.slice(0, 200)}`;
        expect(response.status, what).toBeLessThan(500);
        // HEAD is allowed whenever GET, PUT or POST is signed (Swift's tempurl).
        const headOfSigned = change === "method" && sent === "HEAD" && method !== "DELETE";
        if (change === "none" || headOfSigned) {
          expect(response.status, what).toBeLessThan(400);
          if (method === "DELETE") await text(await swift("PUT", `${C}/p/o`, { body: "signed" }));
          return;
        }
        expect(response.status, what).toBeGreaterThanOrEqual(400);
        expect(await snapshot(STORED), what).toBe(before);
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it("a valid TempURL GET or HEAD with any filename and inline: never a 5xx", async ({ expect }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "HEAD"),
        fc.option(valueArb, { nil: undefined }),
        fc.option(valueArb, { nil: undefined }),
        async (method, filename, inline) => {
          const expires = String(Math.floor(Date.now() / 1000) + 600);
          const signature = await hmacHex("secret", `GET\n${expires}\n/v1${C}/o`);
          const params: Record<string, string> = { temp_url_sig: signature, temp_url_expires: expires };
          if (filename !== undefined) params.filename = filename;
          if (inline !== undefined) params.inline = inline;
          const query = new URLSearchParams(params).toString();
          const response = await swift(method, `${C}/o?${query}`, { user: null });
          const answer = await text(response);
          const what = `${method} ${C}/o?${query}: ${response.status} ${answer.slice(0, 200)}`;
          expect(response.status, what).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it("a FormPOST whose signature or signed fields changed after signing: never a 5xx, nothing stored; unchanged it is taken", async ({
    expect,
  }) => {
    const BOUNDARY = "fuzzSignatureBoundary";
    const fieldsArb = fc.record({
      change: fc.constantFrom(
        "none",
        "signature",
        "expires",
        "max_file_size",
        "max_file_count",
        "redirect",
        "path",
        "any",
      ),
      at: fc.nat(),
      pick: fc.nat(),
      value: valueArb,
      redirect: fc.constantFrom("", "http://example.com/done"),
    });
    const before = await snapshot(STORED);
    await fc.assert(
      fc.asyncProperty(fieldsArb, async ({ change, at, pick, value, redirect }) => {
        const fields: Record<string, string> = {
          redirect,
          max_file_size: "1024",
          max_file_count: "2",
          expires: String(Math.floor(Date.now() / 1000) + 600),
        };
        const signed = `/v1${C}/`;
        fields.signature = await hmacHex(
          "secret",
          `${signed}\n${fields.redirect}\n${fields.max_file_size}\n${fields.max_file_count}\n${fields.expires}`,
        );
        let path = signed;
        if (change === "path") path = `/v1${C}/p/`;
        else if (change === "any") fields.signature = value;
        else if (change === "redirect") fields.redirect = `${redirect}x`;
        else if (change !== "none") {
          const digits = change === "signature" ? "0123456789abcdefxz" : "0123456789";
          fields[change] = replaced(fields[change] ?? "", at, digits, pick);
        }
        const parts = Object.entries(fields).map(
          ([name, data]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${data}\r\n`,
        );
        parts.push(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="new"\r\n\r\nchanged\r\n`,
          `--${BOUNDARY}--\r\n`,
        );
        const response = await exports.default.fetch(`${BASE}${path}`, {
          method: "POST",
          body: parts.join(""),
          headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
          redirect: "manual",
        });
        const answer = await response.text();
        const what = `POST ${path} ${JSON.stringify(fields)} (${change} changed): ${response.status} ${answer.slice(0, 200)}`;
        expect(response.status, what).toBeLessThan(500);
        if (change === "none") {
          if (!redirect) expect(response.status, what).toBe(201);
          else expect(response.headers.get("location") ?? "", what).toMatch(/status=201/);
          await text(await swift("DELETE", `${C}/new`));
          return;
        }
        if (!redirect) expect(response.status, what).toBeGreaterThanOrEqual(400);
        else expect(response.headers.get("location") ?? "", what).not.toMatch(/status=2\d\d/);
        expect(await snapshot(STORED), what).toBe(before);
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});
