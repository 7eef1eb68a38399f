import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift, text, unique } from "../../helpers";

const A = "/AUTH_test";
const TESTER3: [string, string] = ["test:tester3", "testing3"];
const bytes = (s: string) => new TextEncoder().encode(s);

async function status(method: string, path: string, init: Parameters<typeof swift>[2] = {}): Promise<number> {
  const response = await swift(method, path, init);
  await text(response);
  return response.status;
}

/** A container with `count` segments `s0…` and a manifest of them in `manifestContainer` (the same by default). */
async function largeObject(
  count: number,
  options: { manifestContainer?: string; headers?: Record<string, string> } = {},
) {
  const segments = unique("asyncseg");
  const manifests = options.manifestContainer ?? segments;
  await status("PUT", `${A}/${segments}`);
  if (manifests !== segments) await status("PUT", `${A}/${manifests}`, { headers: options.headers });
  const names = Array.from({ length: count }, (_, i) => `s${i}`);
  for (const name of names) await status("PUT", `${A}/${segments}/${name}`, { body: bytes(`segment ${name}`) });
  const manifest = `${A}/${manifests}/big`;
  const put = await status("PUT", `${manifest}?multipart-manifest=put`, {
    body: JSON.stringify(names.map((name) => ({ path: `/${segments}/${name}` }))),
  });
  if (put !== 201) throw new Error(`manifest PUT: ${put}`);
  return { segments, manifests, manifest, names };
}

async function listing(container: string): Promise<string[]> {
  const response = await swift("GET", `${A}/${container}?format=json`);
  return ((await response.json()) as { name: string }[]).map((row) => row.name);
}

describe("SLO DELETE ?multipart-manifest=delete&async=yes", () => {
  it("/info publishes slo.allow_async_delete: true (Swift 2.30's default)", async ({ expect }) => {
    const info = await (await exports.default.fetch(`${BASE}/info`)).json<{ slo: Record<string, unknown> }>();
    expect(info.slo.allow_async_delete).toBe(true);
  });

  it("deletes the manifest at once and answers as a plain DELETE: 204, empty body", async ({ expect }) => {
    const { manifest } = await largeObject(3);
    const response = await swift("DELETE", `${manifest}?multipart-manifest=delete&async=yes`);
    expect([response.status, await text(response)]).toEqual([204, ""]);
    expect(await status("GET", manifest)).toBe(404);
  });

  it("the segments are handed on for deletion: each answers 404 and leaves its container's listing", async ({
    expect,
  }) => {
    const { manifest, segments, manifests, names } = await largeObject(5, { manifestContainer: unique("asyncman") });
    await status("PUT", `${A}/${segments}/bystander`, { body: bytes("not a segment") });
    expect(await status("DELETE", `${manifest}?multipart-manifest=delete&async=on`)).toBe(204);
    for (const name of names) expect(await status("GET", `${A}/${segments}/${name}`)).toBe(404);
    expect(await listing(segments)).toEqual(["bystander"]);
    expect(await listing(manifests)).toEqual([]);
  });

  it("a segment written again after the async delete is kept (the tombstones carry the DELETE's time)", async ({
    expect,
  }) => {
    const { manifest, segments } = await largeObject(2);
    expect(await status("DELETE", `${manifest}?multipart-manifest=delete&async=yes`)).toBe(204);
    expect(await status("PUT", `${A}/${segments}/s0`, { body: bytes("again") })).toBe(201);
    const read = await swift("GET", `${A}/${segments}/s0`);
    expect([read.status, await text(read)]).toEqual([200, "again"]);
  });

  it("segments in more than one container: 400 naming them, nothing deleted", async ({ expect }) => {
    const one = await largeObject(1);
    const two = await largeObject(1);
    const manifest = `${A}/${one.segments}/mixed`;
    const body = JSON.stringify([{ path: `/${one.segments}/s0` }, { path: `/${two.segments}/s0` }]);
    expect(await status("PUT", `${manifest}?multipart-manifest=put`, { body })).toBe(201);
    const response = await swift("DELETE", `${manifest}?multipart-manifest=delete&async=yes`);
    expect([response.status, await text(response)]).toEqual([
      400,
      `All segments must be in one container. Found segments in "${one.segments}", "${two.segments}"`,
    ]);
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await status("HEAD", manifest)).toBe(200);
    expect(await status("HEAD", `${A}/${two.segments}/s0`)).toBe(200);
  });

  it("a segment that is itself an SLO: 400 No segments may be large objects.", async ({ expect }) => {
    const inner = await largeObject(1);
    const outer = `${A}/${inner.segments}/outer`;
    const body = JSON.stringify([{ path: `/${inner.segments}/big` }, { path: `/${inner.segments}/s0` }]);
    expect(await status("PUT", `${outer}?multipart-manifest=put`, { body })).toBe(201);
    const response = await swift("DELETE", `${outer}?multipart-manifest=delete&async=yes`);
    expect([response.status, await text(response)]).toEqual([400, "No segments may be large objects."]);
    expect(await status("HEAD", `${outer}?multipart-manifest=get`)).toBe(200);
  });

  it("an object that is not an SLO: 400 Not an SLO manifest; a missing one: 404 SLO manifest not found", async ({
    expect,
  }) => {
    const container = unique("asyncplain");
    await status("PUT", `${A}/${container}`);
    await status("PUT", `${A}/${container}/plain`, { body: bytes("x") });
    const plain = await swift("DELETE", `${A}/${container}/plain?multipart-manifest=delete&async=yes`);
    expect([plain.status, await text(plain)]).toEqual([400, "Not an SLO manifest"]);
    expect(await status("HEAD", `${A}/${container}/plain`)).toBe(200);
    const missing = await swift("DELETE", `${A}/${container}/nothing?multipart-manifest=delete&async=yes`);
    expect([missing.status, await text(missing)]).toEqual([404, "SLO manifest not found"]);
  });

  it("a caller who may write the manifest's container but not the segments' is refused 403, nothing deleted", async ({
    expect,
  }) => {
    const acl = { "X-Container-Read": "test:tester3", "X-Container-Write": "test:tester3" };
    const { manifest, segments } = await largeObject(2, { manifestContainer: unique("asyncacl"), headers: acl });
    expect(await status("DELETE", `${manifest}?multipart-manifest=delete&async=yes`, { user: TESTER3 })).toBe(403);
    expect(await status("HEAD", manifest)).toBe(200);
    expect(await status("HEAD", `${A}/${segments}/s0`)).toBe(200);
    expect(await status("POST", `${A}/${segments}`, { headers: { "X-Container-Write": "test:tester3" } })).toBe(204);
    expect(await status("DELETE", `${manifest}?multipart-manifest=delete&async=yes`, { user: TESTER3 })).toBe(204);
    expect(await status("HEAD", `${A}/${segments}/s0`)).toBe(404);
  });

  it("async with a false value keeps the synchronous delete and its bulk-style 200 report", async ({ expect }) => {
    const { manifest } = await largeObject(2);
    const response = await swift("DELETE", `${manifest}?multipart-manifest=delete&async=no`, {
      headers: { Accept: "application/json" },
    });
    expect(response.status).toBe(200);
    const report = JSON.parse(await text(response)) as Record<string, unknown>;
    expect([report["Response Status"], report["Number Deleted"]]).toEqual(["200 OK", 3]);
  });
});
