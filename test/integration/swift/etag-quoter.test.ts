/**
 * @module
 * RFC-compliant (double-quoted) object ETags, opted into per account or container, as Swift's
 * etag_quoter middleware does it; each behaviour checked against Swift 2.30.1 with etag-quoter
 * in its pipeline (enable_by_default false). Swift: common/middleware/etag_quoter.py.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text, unique } from "../../helpers";

const ADMIN: [string, string] = ["admin:admin", "admin"];
/** An account of this file's own, so its account-wide setting touches no other test. */
const ACCOUNT = "/AUTH_etagquoter";
const bytes = (s: string) => new TextEncoder().encode(s);

async function md5(data: string): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("MD5", bytes(data)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** A request as the reseller admin, body consumed; returns the response. */
async function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body: string | null = null,
): Promise<Response> {
  const response = await swift(method, path, { user: ADMIN, headers, body });
  await text(response);
  return response;
}

/** A new container with one object `o` holding "hello"; its path. */
async function containerWithObject(headers: Record<string, string> = {}): Promise<string> {
  const container = `${ACCOUNT}/${unique("eq")}`;
  expect201or202((await call("PUT", container, headers)).status);
  expect201or202((await call("PUT", `${container}/o`, {}, "hello")).status);
  return container;
}

function expect201or202(status: number): void {
  if (status !== 201 && status !== 202) throw new Error(`PUT answered ${status}`);
}

const etagOf = async (path: string, method = "HEAD") => (await call(method, path)).headers.get("etag");

let HELLO = "";

beforeAll(async () => {
  HELLO = await md5("hello");
  await call("PUT", ACCOUNT);
});

describe("etag_quoter (Swift: common/middleware/etag_quoter.py)", () => {
  it("/info lists etag_quoter with enable_by_default false", async ({ expect }) => {
    const info = await (await exports.default.fetch(`${BASE}/info`)).json<Record<string, unknown>>();
    expect(info.etag_quoter).toEqual({ enable_by_default: false });
  });

  it("object ETags are bare md5s while neither the account nor the container asks for quotes", async ({ expect }) => {
    const container = await containerWithObject();
    expect(await etagOf(`${container}/o`)).toBe(HELLO);
    expect(await etagOf(`${container}/o`, "GET")).toBe(HELLO);
    expect((await call("PUT", `${container}/p`, {}, "hello")).headers.get("etag")).toBe(HELLO);
  });

  it(
    "X-Container-Rfc-Compliant-Etags: true quotes the container's object ETags on GET, HEAD, PUT and 304; " +
      "the container shows it as True",
    async ({ expect }) => {
      const container = await containerWithObject();
      expect((await call("POST", container, { "X-Container-Rfc-Compliant-Etags": "true" })).status).toBe(204);
      expect((await call("HEAD", container)).headers.get("x-container-rfc-compliant-etags")).toBe("True");
      expect((await call("GET", container)).headers.get("x-container-rfc-compliant-etags")).toBe("True");
      expect((await call("HEAD", container)).headers.has("x-container-sysmeta-rfc-compliant-etags")).toBe(false);
      const head = await call("HEAD", `${container}/o`);
      expect(head.headers.get("etag")).toBe(`"${HELLO}"`);
      expect(head.headers.get("content-length")).toBe("5");
      const get = await swift("GET", `${container}/o`, { user: ADMIN });
      expect(get.headers.get("etag")).toBe(`"${HELLO}"`);
      expect(await get.text()).toBe("hello");
      const put = await call("PUT", `${container}/p`, {}, "hello");
      expect(put.status).toBe(201);
      expect(put.headers.get("etag")).toBe(`"${HELLO}"`);
      const notModified = await call("GET", `${container}/o`, { "If-None-Match": `"${HELLO}"` });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get("etag")).toBe(`"${HELLO}"`);
    },
  );

  it("a container PUT with the header sets it at creation", async ({ expect }) => {
    const container = await containerWithObject({ "X-Container-Rfc-Compliant-Etags": "on" });
    expect((await call("HEAD", container)).headers.get("x-container-rfc-compliant-etags")).toBe("True");
    expect(await etagOf(`${container}/o`)).toBe(`"${HELLO}"`);
  });

  it("values are read as Swift's config_true_value: true, yes, on, 1, t, y are True, anything else False", async ({
    expect,
  }) => {
    const container = await containerWithObject();
    for (const [value, shown] of [
      ["yes", "True"],
      ["maybe", "False"],
      ["1", "True"],
      ["false", "False"],
      ["T", "True"],
      ["0", "False"],
    ] as const) {
      await call("POST", container, { "X-Container-Rfc-Compliant-Etags": value });
      expect((await call("HEAD", container)).headers.get("x-container-rfc-compliant-etags"), value).toBe(shown);
      expect(await etagOf(`${container}/o`), value).toBe(shown === "True" ? `"${HELLO}"` : HELLO);
    }
  });

  it(
    "X-Account-Rfc-Compliant-Etags: true quotes ETags in every container that sets nothing; " +
      "a container's False overrides it; removing the container's lets the account's apply",
    async ({ expect }) => {
      const container = await containerWithObject();
      const other = await containerWithObject();
      try {
        expect((await call("POST", ACCOUNT, { "X-Account-Rfc-Compliant-Etags": "true" })).status).toBe(204);
        expect((await call("HEAD", ACCOUNT)).headers.get("x-account-rfc-compliant-etags")).toBe("True");
        expect(await etagOf(`${container}/o`)).toBe(`"${HELLO}"`);
        expect(await etagOf(`${other}/o`)).toBe(`"${HELLO}"`);
        await call("POST", container, { "X-Container-Rfc-Compliant-Etags": "false" });
        expect(await etagOf(`${container}/o`)).toBe(HELLO);
        expect(await etagOf(`${other}/o`)).toBe(`"${HELLO}"`);
        await call("POST", container, { "X-Remove-Container-Rfc-Compliant-Etags": "x" });
        expect((await call("HEAD", container)).headers.has("x-container-rfc-compliant-etags")).toBe(false);
        expect(await etagOf(`${container}/o`)).toBe(`"${HELLO}"`);
      } finally {
        await call("POST", ACCOUNT, { "X-Remove-Account-Rfc-Compliant-Etags": "1" });
      }
      expect((await call("HEAD", ACCOUNT)).headers.has("x-account-rfc-compliant-etags")).toBe(false);
      expect(await etagOf(`${other}/o`)).toBe(HELLO);
    },
  );

  it("an empty value removes the setting, and an X-Remove- header wins over a value sent with it", async ({
    expect,
  }) => {
    const container = await containerWithObject({ "X-Container-Rfc-Compliant-Etags": "true" });
    await call("POST", container, { "X-Container-Rfc-Compliant-Etags": "" });
    expect((await call("HEAD", container)).headers.has("x-container-rfc-compliant-etags")).toBe(false);
    expect(await etagOf(`${container}/o`)).toBe(HELLO);
    await call("POST", container, {
      "X-Container-Rfc-Compliant-Etags": "true",
      "X-Remove-Container-Rfc-Compliant-Etags": "1",
    });
    expect((await call("HEAD", container)).headers.has("x-container-rfc-compliant-etags")).toBe(false);
    expect(await etagOf(`${container}/o`)).toBe(HELLO);
  });

  it("a client cannot set the sysmeta itself (X-Container-Sysmeta-Rfc-Compliant-Etags is ignored)", async ({
    expect,
  }) => {
    const container = await containerWithObject();
    expect((await call("POST", container, { "X-Container-Sysmeta-Rfc-Compliant-Etags": "true" })).status).toBe(204);
    expect((await call("HEAD", container)).headers.has("x-container-rfc-compliant-etags")).toBe(false);
    expect(await etagOf(`${container}/o`)).toBe(HELLO);
  });

  it("a user who may not write the container's metadata cannot set it: 403 and nothing stored", async ({ expect }) => {
    const container = `/AUTH_test/${unique("eq")}`;
    await text(await swift("PUT", container));
    const refused = await swift("POST", container, {
      user: ["test:tester3", "testing3"],
      headers: { "X-Container-Rfc-Compliant-Etags": "true" },
    });
    await text(refused);
    expect(refused.status).toBe(403);
    expect((await swift("HEAD", container)).headers.has("x-container-rfc-compliant-etags")).toBe(false);
  });

  it("container listings keep their bare hashes", async ({ expect }) => {
    const container = await containerWithObject({ "X-Container-Rfc-Compliant-Etags": "true" });
    const listing = await swift("GET", `${container}?format=json`, { user: ADMIN });
    expect((await listing.json<{ hash: string }[]>()).map((entry) => entry.hash)).toEqual([HELLO]);
  });

  it(
    "an SLO's ETag stays quoted once; its manifest's ETag is quoted and X-Manifest-Etag stays bare; " +
      "segments are checked against bare ETags",
    async ({ expect }) => {
      const container = await containerWithObject({ "X-Container-Rfc-Compliant-Etags": "true" });
      const name = container.slice(ACCOUNT.length + 1);
      const manifest = JSON.stringify([
        { path: `${name}/o`, etag: HELLO, size_bytes: 5 },
        { path: `${name}/o`, etag: HELLO },
      ]);
      const put = await call("PUT", `${container}/m?multipart-manifest=put`, {}, manifest);
      expect(put.status).toBe(201);
      const sloEtag = `"${await md5(HELLO + HELLO)}"`;
      expect(put.headers.get("etag")).toBe(sloEtag);
      const head = await call("HEAD", `${container}/m`);
      expect(head.headers.get("etag")).toBe(sloEtag);
      const manifestEtag = head.headers.get("x-manifest-etag") ?? "";
      expect(manifestEtag).toMatch(/^[0-9a-f]{32}$/);
      expect(await etagOf(`${container}/m`, "GET")).toBe(sloEtag);
      expect(await etagOf(`${container}/m?multipart-manifest=get`, "GET")).toBe(`"${manifestEtag}"`);
    },
  );
});
