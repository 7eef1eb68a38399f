import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text, tokenFor } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const C = "/AUTH_test/links";
const TARGET_ETAG = "ab706c400731332bffa67ed4bc15dcac"; // md5("target body")
const EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e";

async function send(
  method: string,
  path: string,
  init: Parameters<typeof swift>[2] = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await swift(method, path, init);
  return { status: response.status, body: await text(response), headers: response.headers };
}

function link(name: string, target: string, headers: Record<string, string> = {}) {
  return send("PUT", `${C}/${name}`, { headers: { "X-Symlink-Target": target, "Content-Length": "0", ...headers } });
}

beforeAll(async () => {
  await send("PUT", C);
  await send("PUT", `${C}/tar get`, {
    body: bytes("target body"),
    headers: { "Content-Type": "text/x-t", "X-Object-Meta-T": "1" },
  });
});

describe("symlinks", () => {
  it("a zero-byte PUT with X-Symlink-Target returns 201 and GET follows the link, with Content-Location", async ({
    expect,
  }) => {
    const put = await link("soft", "links/tar%20get", { "X-Object-Meta-L": "2" });
    expect(put.status).toBe(201);
    expect(put.headers.get("etag")).toBe(EMPTY_ETAG);
    const get = await send("GET", `${C}/soft`);
    expect(get.status).toBe(200);
    expect(get.body).toBe("target body");
    expect(get.headers.get("content-type")).toBe("text/x-t");
    expect(get.headers.get("x-object-meta-t")).toBe("1");
    expect(get.headers.get("content-location")).toBe("/v1/AUTH_test/links/tar%20get");
    const head = await send("HEAD", `${C}/soft`);
    expect(head.headers.get("content-length")).toBe("11");
    expect(head.headers.get("etag")).toBe(TARGET_ETAG);
  });

  it(
    "?symlink=get returns the link itself with X-Symlink-Target " + "and the default content type application/symlink",
    async ({ expect }) => {
      await link("itself", "links/tar%20get", { "X-Object-Meta-L": "2" });
      const get = await send("GET", `${C}/itself?symlink=get`);
      expect(get.status).toBe(200);
      expect(get.body).toBe("");
      expect(get.headers.get("content-type")).toBe("application/symlink");
      expect(get.headers.get("x-symlink-target")).toBe("links/tar%20get");
      expect(get.headers.get("x-object-meta-l")).toBe("2");
      expect(get.headers.get("etag")).toBe(EMPTY_ETAG);
      expect(get.headers.get("content-location")).toBeNull();
    },
  );

  it("Range and conditional headers apply to the target", async ({ expect }) => {
    await link("ranged", "links/tar%20get");
    const range = await send("GET", `${C}/ranged`, { headers: { Range: "bytes=0-2" } });
    expect(range.status).toBe(206);
    expect(range.body).toBe("tar");
    const failed = await send("GET", `${C}/ranged`, { headers: { "If-Match": '"nope"' } });
    expect(failed.status).toBe(412);
    const matched = await send("GET", `${C}/ranged`, { headers: { "If-Match": TARGET_ETAG } });
    expect(matched.status).toBe(200);
    expect(matched.body).toBe("target body");
    const notModified = await send("GET", `${C}/ranged`, { headers: { "If-None-Match": TARGET_ETAG } });
    expect(notModified.status).toBe(304);
  });

  it("a link to a missing object answers 404 with Content-Location", async ({ expect }) => {
    await link("broken", "links/nothing");
    const get = await send("GET", `${C}/broken`);
    expect(get.status).toBe(404);
    expect(get.headers.get("content-location")).toBe("/v1/AUTH_test/links/nothing");
  });

  it("two links in a chain are followed; a third returns 409 'Too many levels of symbolic links'", async ({
    expect,
  }) => {
    await link("chain0", "links/tar%20get");
    await link("chain1", "links/chain0");
    await link("chain2", "links/chain1");
    const two = await send("GET", `${C}/chain1`);
    expect(two.status).toBe(200);
    expect(two.body).toBe("target body");
    const three = await send("GET", `${C}/chain2`);
    expect(three.status).toBe(409);
    expect(three.body).toBe("Too many levels of symbolic links, maximum allowed is 2");
  });

  it("a PUT with a body returns 400 'Symlink requests require a zero byte body'", async ({ expect }) => {
    const put = await send("PUT", `${C}/body`, { headers: { "X-Symlink-Target": "links/x" }, body: bytes("abc") });
    expect(put.status).toBe(400);
    expect(put.body).toBe("Symlink requests require a zero byte body");
  });

  it("a target not of the form <container>/<object> returns 412", async ({ expect }) => {
    for (const target of ["/links/x", "justone", "links/", "/"]) {
      const put = await link("malformed", target);
      expect(put.status, target).toBe(412);
      expect(put.body).toBe("X-Symlink-Target header must be of the form <container name>/<object name>");
    }
  });

  it("a link to itself returns 400 'Symlink cannot target itself'", async ({ expect }) => {
    const put = await link("self", "links/self");
    expect(put.status).toBe(400);
    expect(put.body).toBe("Symlink cannot target itself");
  });

  it("X-Symlink-Target-Account with a slash returns 412; a link to another account is followed there", async ({
    expect,
  }) => {
    const bad = await link("acct", "links/x", { "X-Symlink-Target-Account": "a/b" });
    expect(bad.status).toBe(412);
    expect(bad.body).toBe("Account name cannot contain slashes");
    const put = await link("other-account", "links/tar%20get", { "X-Symlink-Target-Account": "AUTH_test" });
    expect(put.status).toBe(201);
    const itself = await send("HEAD", `${C}/other-account?symlink=get`);
    expect(itself.headers.get("x-symlink-target-account")).toBe("AUTH_test");
    expect((await send("GET", `${C}/other-account`)).body).toBe("target body");
  });

  it("a static link (X-Symlink-Target-Etag) records the target's ETag and size and takes its content type", async ({
    expect,
  }) => {
    const put = await link("static", "links/tar%20get", { "X-Symlink-Target-Etag": `"${TARGET_ETAG}"` });
    expect(put.status).toBe(201);
    const itself = await send("HEAD", `${C}/static?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("text/x-t");
    expect(itself.headers.get("x-symlink-target-etag")).toBe(TARGET_ETAG);
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("11");
    expect((await send("GET", `${C}/static`)).body).toBe("target body");
  });

  it("a static link whose ETag does not match the target returns 409 with Content-Location", async ({ expect }) => {
    const put = await link("static-bad", "links/tar%20get", { "X-Symlink-Target-Etag": "nope" });
    expect(put.status).toBe(409);
    expect(put.body).toBe(`Object Etag '${TARGET_ETAG}' does not match X-Symlink-Target-Etag header 'nope'`);
    expect(put.headers.get("content-location")).toBe("/v1/AUTH_test/links/tar get");
  });

  it("a static link to a missing object returns 409 'X-Symlink-Target does not exist'", async ({ expect }) => {
    const put = await link("static-missing", "links/none", { "X-Symlink-Target-Etag": TARGET_ETAG });
    expect(put.status).toBe(409);
    expect(put.body).toBe("X-Symlink-Target does not exist");
  });

  it("an X-Symlink-Target-Etag with a semicolon, quote or backslash returns 400", async ({ expect }) => {
    const put = await link("static-chars", "links/x", { "X-Symlink-Target-Etag": "a;b" });
    expect(put.status).toBe(400);
    expect(put.body).toBe("Bad X-Symlink-Target-Etag format");
  });

  it("a static link whose target changed since returns 409 on GET", async ({ expect }) => {
    await send("PUT", `${C}/changing`, { body: bytes("v1") });
    await link("static-changing", "links/changing", { "X-Symlink-Target-Etag": "6654c734ccab8f440ff0825eb443dc7f" });
    await send("PUT", `${C}/changing`, { body: bytes("v2") });
    const get = await send("GET", `${C}/static-changing`);
    expect(get.status).toBe(409);
    expect(get.headers.get("content-location")).toBe("/v1/AUTH_test/links/changing");
  });

  it("POST to a link applies to the link and returns 307 with the target's Location", async ({ expect }) => {
    await link("posted", "links/tar%20get");
    // redirect: "manual", or fetch would follow the 307 and POST to the target.
    const response = await exports.default.fetch(`${BASE}/v1${C}/posted`, {
      method: "POST",
      redirect: "manual",
      headers: { "X-Auth-Token": await tokenFor(), "X-Object-Meta-P": "3" },
    });
    const post = { status: response.status, headers: response.headers, body: await response.text() };
    expect(post.status).toBe(307);
    expect(post.headers.get("location")).toBe("/v1/AUTH_test/links/tar%20get");
    expect(post.body).toBe(
      "The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.",
    );
    const itself = await send("HEAD", `${C}/posted?symlink=get`);
    expect(itself.headers.get("x-object-meta-p")).toBe("3");
    expect(itself.headers.get("x-symlink-target")).toBe("links/tar%20get");
    // A POST with a new content type keeps the link.
    await (
      await exports.default.fetch(`${BASE}/v1${C}/posted`, {
        method: "POST",
        redirect: "manual",
        headers: { "X-Auth-Token": await tokenFor(), "Content-Type": "text/x-new" },
      })
    ).text();
    expect((await send("GET", `${C}/posted`)).body).toBe("target body");
  });

  it("POST with X-Symlink-Target returns 400 'A PUT request is required to set a symlink target'", async ({
    expect,
  }) => {
    const post = await send("POST", `${C}/tar get`, { headers: { "X-Symlink-Target": "links/x" } });
    expect(post.status).toBe(400);
    expect(post.body).toBe("A PUT request is required to set a symlink target");
  });

  it("DELETE deletes the link, not the target", async ({ expect }) => {
    await link("deleted", "links/tar%20get");
    expect((await send("DELETE", `${C}/deleted`)).status).toBe(204);
    expect((await send("HEAD", `${C}/deleted?symlink=get`)).status).toBe(404);
    expect((await send("HEAD", `${C}/tar get`)).status).toBe(200);
  });

  it("COPY of a link copies the target's content", async ({ expect }) => {
    await link("copied", "links/tar%20get");
    expect((await send("COPY", `${C}/copied`, { headers: { Destination: "links/copy-of-target" } })).status).toBe(201);
    const get = await send("GET", `${C}/copy-of-target?symlink=get`);
    expect(get.body).toBe("target body");
    expect(get.headers.get("x-symlink-target")).toBeNull();
  });

  it(
    "the JSON container listing adds symlink_path (and symlink_etag, symlink_bytes for static links); " +
      "clients cannot send swift_ content type parameters",
    async ({ expect }) => {
      await send("PUT", "/AUTH_test/link-list");
      await send("PUT", "/AUTH_test/link-list/soft", {
        headers: { "X-Symlink-Target": "links/tar%20get", "Content-Length": "0" },
      });
      await send("PUT", "/AUTH_test/link-list/static", {
        headers: { "X-Symlink-Target": "links/tar%20get", "X-Symlink-Target-Etag": TARGET_ETAG, "Content-Length": "0" },
      });
      const listing = JSON.parse((await send("GET", "/AUTH_test/link-list?format=json")).body) as Record<
        string,
        unknown
      >[];
      expect(listing.map(({ last_modified: _lm, ...rest }) => rest)).toEqual([
        {
          bytes: 0,
          hash: EMPTY_ETAG,
          name: "soft",
          content_type: "application/symlink",
          symlink_path: "/v1/AUTH_test/links/tar%20get",
        },
        {
          bytes: 0,
          hash: EMPTY_ETAG,
          name: "static",
          content_type: "text/x-t",
          symlink_etag: TARGET_ETAG,
          symlink_bytes: 11,
          symlink_path: "/v1/AUTH_test/links/tar%20get",
        },
      ]);
      const xml = (await send("GET", "/AUTH_test/link-list?format=xml")).body;
      expect(xml).toContain("<content_type>application/symlink</content_type>");
      const forged = await send("PUT", "/AUTH_test/link-list/forged", {
        headers: { "Content-Type": "text/plain;swift_symlink_target=links/x" },
        body: bytes("x"),
      });
      expect(forged.status).toBe(400);
    },
  );

  it("/info lists symlink with symloop_max 2 and static_links", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(info.symlink).toEqual({ symloop_max: 2, static_links: true });
  });
});
