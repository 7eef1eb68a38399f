/**
 * A body stored with Content-Encoding (gzip) is returned as stored: the runtime must not encode
 * it again on the way out. The Worker's own fetch, like a browser, decodes a body sent as
 * encoded: it must read the original content (decoded once), with the stored ETag and
 * Content-Length. (Byte for byte over real HTTP: test/clients/encoded-body.test.ts.)
 */
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";

const C = "/AUTH_test/encoded";

async function gzip(data: string): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

async function md5(data: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("MD5", data))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

const CONTENT = "hello hello hello gzip world\n".repeat(50);
let stored: Uint8Array;

async function expectStored(
  expect: (value: unknown) => { toBe(expected: unknown): void; toEqual(expected: unknown): void },
  path: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const response = await swift("GET", path, { headers: { "Accept-Encoding": "gzip", ...headers } });
  const got = await text(response);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-encoding")).toBe("gzip");
  expect(response.headers.get("content-length")).toBe(String(stored.length));
  expect(response.headers.get("etag")).toBe(await md5(stored));
  expect(got).toBe(CONTENT);
}

beforeAll(async () => {
  stored = await gzip(CONTENT);
  await text(await swift("PUT", C, { headers: { "X-Versions-Location": "encoded-versions" } }));
  await text(await swift("PUT", "/AUTH_test/encoded-versions"));
  const put = await swift("PUT", `${C}/g.gz`, {
    body: stored,
    headers: { "Content-Encoding": "gzip", "Content-Type": "text/plain" },
  });
  await text(put);
  if (put.status !== 201) throw new Error(`PUT ${put.status}`);
});

describe("Content-Encoding: gzip bodies are returned as stored", () => {
  it("GET returns the stored gzip bytes, encoded once, with the stored ETag and Content-Length", async ({ expect }) => {
    await expectStored(expect, `${C}/g.gz`);
  });

  it("COPY and PUT with X-Copy-From store and return the same bytes", async ({ expect }) => {
    await text(await swift("COPY", `${C}/g.gz`, { headers: { Destination: "encoded/copied.gz" } }));
    await expectStored(expect, `${C}/copied.gz`);
    await text(
      await swift("PUT", `${C}/from.gz`, { headers: { "X-Copy-From": "encoded/g.gz", "Content-Length": "0" } }),
    );
    await expectStored(expect, `${C}/from.gz`);
  });

  it("a versioned-writes restore returns the archived bytes", async ({ expect }) => {
    await text(await swift("PUT", `${C}/v.gz`, { body: stored, headers: { "Content-Encoding": "gzip" } }));
    await text(await swift("PUT", `${C}/v.gz`, { body: "newer" }));
    await text(await swift("DELETE", `${C}/v.gz`));
    await expectStored(expect, `${C}/v.gz`);
  });

  it("an error for a gzip object (416) carries its own text, not labelled gzip, and keeps the object's ETag", async ({
    expect,
  }) => {
    const response = await swift("GET", `${C}/g.gz`, { headers: { Range: "bytes=999999-" } });
    expect(response.status).toBe(416);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("etag")).toBe(await md5(stored));
    expect(await text(response)).toBe(
      "<html><h1>Requested Range Not Satisfiable</h1><p>The Range requested is not available.</p></html>",
    );
  });
});
