/**
 * Symlinks as Swift 2.30 answers (checked against a SAIO): failed preconditions carry the
 * object's headers, copies of links, static links to large objects, and manifests read through
 * links. Swift: common/middleware/symlink.py, copy.py, slo.py, dlo.py, swob.py.
 */

import { beforeAll, describe, it } from "vitest";
import { swift, text, send, type Sent } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const N = "sym-conf";
const C = `/AUTH_test/${N}`;
const TARGET_ETAG = "ab706c400731332bffa67ed4bc15dcac"; // md5("target body")
const EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e";
const SEG1_ETAG = "74b87337454200d4d33f80c4663dc5e5"; // md5("aaaa")
const SEG2_ETAG = "65ba841e01d6db7733e90a5b7f9e6f80"; // md5("bbbb")
const SLO_ETAG = "8c39aab0ee132c93b93f9cf0ed132353"; // md5(SEG1_ETAG + SEG2_ETAG)
const LONG_AGO = "Thu, 01 Jan 1970 00:00:01 GMT";

function link(name: string, target: string, headers: Record<string, string> = {}): Promise<Sent> {
  return send("PUT", `${C}/${name}`, { headers: { "X-Symlink-Target": target, "Content-Length": "0", ...headers } });
}

/** The manifest's own ETag (what multipart-manifest=get and X-Manifest-Etag say). */
let manifestEtag = "";

beforeAll(async () => {
  await send("PUT", C);
  await send("PUT", `${C}/target`, {
    body: bytes("target body"),
    headers: { "Content-Type": "text/x-t", "X-Object-Meta-T": "1", "Content-Disposition": "inline" },
  });
  await send("PUT", `${C}/seg1`, { body: bytes("aaaa") });
  await send("PUT", `${C}/seg2`, { body: bytes("bbbb") });
  const manifest = JSON.stringify([{ path: `/${N}/seg1` }, { path: `/${N}/seg2` }]);
  const slo = await send("PUT", `${C}/slo?multipart-manifest=put`, {
    body: bytes(manifest),
    headers: { "Content-Type": "text/x-slo" },
  });
  if (slo.status !== 201) throw new Error(`slo manifest: ${slo.status} ${slo.body}`);
  manifestEtag = (await send("HEAD", `${C}/slo`)).headers.get("x-manifest-etag") ?? "";
  await send("PUT", `${C}/dlo`, {
    headers: { "X-Object-Manifest": `${N}/seg`, "Content-Length": "0", "Content-Type": "text/x-dlo" },
  });
});

describe("a failed If-Match or If-Unmodified-Since", () => {
  it(
    "GET with an If-Match that does not match returns 412 " +
      "with the object's ETag, Last-Modified, X-Timestamp and metadata",
    async ({ expect }) => {
      const got = await send("GET", `${C}/target`, { headers: { "If-Match": '"nope"' } });
      expect(got.status).toBe(412);
      expect(got.body).toBe("");
      expect(got.headers.get("content-type")).toBe("text/html; charset=UTF-8");
      expect(got.headers.get("etag")).toBe(TARGET_ETAG);
      expect(got.headers.get("last-modified")).toMatch(/GMT$/);
      expect(got.headers.get("x-timestamp")).toMatch(/^\d{10}\.\d{5}$/);
      expect(got.headers.get("x-object-meta-t")).toBe("1");
      expect(got.headers.get("content-disposition")).toBe("inline");
    },
  );

  it(
    "HEAD with an If-Unmodified-Since before the object returns 412 " + "with its ETag, Last-Modified and X-Timestamp",
    async ({ expect }) => {
      const head = await send("HEAD", `${C}/target`, { headers: { "If-Unmodified-Since": LONG_AGO } });
      expect(head.status).toBe(412);
      expect(head.headers.get("etag")).toBe(TARGET_ETAG);
      expect(head.headers.get("last-modified")).toMatch(/GMT$/);
      expect(head.headers.get("x-timestamp")).toMatch(/^\d{10}\.\d{5}$/);
    },
  );

  it("through a symlink returns 412 with the target's ETag, Last-Modified, X-Timestamp and Content-Location", async ({
    expect,
  }) => {
    await link("cond-link", `${N}/target`, { "X-Object-Meta-L": "2" });
    const target = await send("HEAD", `${C}/target`);
    for (const [method, header, value] of [
      ["GET", "If-Match", "nope"],
      ["HEAD", "If-Unmodified-Since", LONG_AGO],
    ] as const) {
      const got = await send(method, `${C}/cond-link`, { headers: { [header]: value } });
      expect(got.status).toBe(412);
      expect(got.headers.get("etag")).toBe(TARGET_ETAG);
      expect(got.headers.get("last-modified")).toBe(target.headers.get("last-modified"));
      expect(got.headers.get("x-timestamp")).toBe(target.headers.get("x-timestamp"));
      expect(got.headers.get("x-object-meta-t")).toBe("1");
      expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/target`);
    }
  });

  it(
    "on the link itself (?symlink=get) returns 412 " +
      "with the link's ETag, Last-Modified, X-Timestamp and X-Symlink-Target",
    async ({ expect }) => {
      await link("cond-itself", `${N}/target`, { "X-Object-Meta-L": "2" });
      const itself = await send("HEAD", `${C}/cond-itself?symlink=get`);
      for (const [method, header, value] of [
        ["HEAD", "If-Match", "nope"],
        ["GET", "If-Unmodified-Since", LONG_AGO],
      ] as const) {
        const got = await send(method, `${C}/cond-itself?symlink=get`, { headers: { [header]: value } });
        expect(got.status).toBe(412);
        expect(got.body).toBe("");
        expect(got.headers.get("content-type")).toBe("text/html; charset=UTF-8");
        expect(got.headers.get("etag")).toBe(EMPTY_ETAG);
        expect(got.headers.get("last-modified")).toBe(itself.headers.get("last-modified"));
        expect(got.headers.get("x-timestamp")).toBe(itself.headers.get("x-timestamp"));
        expect(got.headers.get("x-symlink-target")).toBe(`${N}/target`);
        expect(got.headers.get("x-object-meta-l")).toBe("2");
        expect(got.headers.get("content-location")).toBeNull();
      }
    },
  );

  it(
    "through two links, a failed If-Match returns 412 with the final target's headers; " +
      "a matching If-None-Match 304",
    async ({ expect }) => {
      await link("cond-chain0", `${N}/target`);
      await link("cond-chain1", `${N}/cond-chain0`);
      const failed = await send("GET", `${C}/cond-chain1`, { headers: { "If-Match": "nope" } });
      expect(failed.status).toBe(412);
      expect(failed.headers.get("etag")).toBe(TARGET_ETAG);
      expect(failed.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/target`);
      const notModified = await send("GET", `${C}/cond-chain1`, { headers: { "If-None-Match": TARGET_ETAG } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get("etag")).toBe(TARGET_ETAG);
      expect(notModified.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/target`);
      const itself = await send("HEAD", `${C}/cond-chain1?symlink=get`, { headers: { "If-None-Match": EMPTY_ETAG } });
      expect(itself.status).toBe(304);
      expect(itself.headers.get("x-symlink-target")).toBe(`${N}/cond-chain0`);
    },
  );

  it("on a static link itself returns 412 with X-Symlink-Target-Etag and X-Symlink-Target-Bytes", async ({
    expect,
  }) => {
    await link("cond-static", `${N}/target`, { "X-Symlink-Target-Etag": TARGET_ETAG });
    const got = await send("GET", `${C}/cond-static?symlink=get`, { headers: { "If-Match": "nope" } });
    expect(got.status).toBe(412);
    expect(got.headers.get("x-symlink-target-etag")).toBe(TARGET_ETAG);
    expect(got.headers.get("x-symlink-target-bytes")).toBe("11");
  });
});

describe("copies of symlinks", () => {
  it("COPY of a symlink copies its target; with ?symlink=get it copies the link itself", async ({ expect }) => {
    await link("copy-src", `${N}/target`, { "X-Object-Meta-L": "2" });
    const copied = await send("COPY", `${C}/copy-src`, { headers: { Destination: `${N}/copy-of-target` } });
    expect(copied.status).toBe(201);
    expect(copied.headers.get("etag")).toBe(TARGET_ETAG);
    const target = await send("GET", `${C}/copy-of-target?symlink=get`);
    expect(target.body).toBe("target body");
    expect(target.headers.get("content-type")).toBe("text/x-t");
    expect(target.headers.get("x-object-meta-t")).toBe("1");
    expect(target.headers.get("x-symlink-target")).toBeNull();

    const linked = await send("COPY", `${C}/copy-src?symlink=get`, { headers: { Destination: `${N}/copy-of-link` } });
    expect(linked.status).toBe(201);
    expect(linked.headers.get("etag")).toBe(EMPTY_ETAG);
    expect(linked.headers.get("x-copied-from")).toBe(`${N}/copy-src`);
    const itself = await send("HEAD", `${C}/copy-of-link?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("application/symlink");
    expect(itself.headers.get("x-symlink-target")).toBe(`${N}/target`);
    expect(itself.headers.get("x-object-meta-l")).toBe("2");
    expect((await send("GET", `${C}/copy-of-link`)).body).toBe("target body");
  });

  it("PUT with X-Copy-From of a symlink copies its target; with ?symlink=get it copies the link itself", async ({
    expect,
  }) => {
    await link("xcf-src", `${N}/target`, { "X-Object-Meta-L": "2" });
    const copied = await send("PUT", `${C}/xcf-target`, {
      headers: { "X-Copy-From": `${N}/xcf-src`, "Content-Length": "0" },
    });
    expect(copied.status).toBe(201);
    expect(copied.headers.get("etag")).toBe(TARGET_ETAG);
    expect((await send("HEAD", `${C}/xcf-target?symlink=get`)).headers.get("x-symlink-target")).toBeNull();

    const linked = await send("PUT", `${C}/xcf-link?symlink=get`, {
      headers: { "X-Copy-From": `${N}/xcf-src`, "Content-Length": "0" },
    });
    expect(linked.status).toBe(201);
    expect(linked.headers.get("etag")).toBe(EMPTY_ETAG);
    const itself = await send("HEAD", `${C}/xcf-link?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("application/symlink");
    expect(itself.headers.get("x-symlink-target")).toBe(`${N}/target`);
    expect(itself.headers.get("x-object-meta-l")).toBe("2");
  });

  it("COPY of a static link with ?symlink=get keeps X-Symlink-Target-Etag, its size and content type", async ({
    expect,
  }) => {
    await link("copy-static", `${N}/target`, { "X-Symlink-Target-Etag": TARGET_ETAG });
    const linked = await send("COPY", `${C}/copy-static?symlink=get`, {
      headers: { Destination: `${N}/copy-of-static` },
    });
    expect(linked.status).toBe(201);
    const itself = await send("HEAD", `${C}/copy-of-static?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("text/x-t");
    expect(itself.headers.get("x-symlink-target")).toBe(`${N}/target`);
    expect(itself.headers.get("x-symlink-target-etag")).toBe(TARGET_ETAG);
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("11");
  });
});

describe("static links to large objects", () => {
  it("a static link to an SLO manifest takes the manifest's ETag; GET serves the large object", async ({ expect }) => {
    const put = await link("static-slo", `${N}/slo`, { "X-Symlink-Target-Etag": manifestEtag });
    expect(put.status).toBe(201);
    const itself = await send("HEAD", `${C}/static-slo?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("text/x-slo");
    expect(itself.headers.get("x-symlink-target-etag")).toBe(manifestEtag);
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("8");
    const got = await send("GET", `${C}/static-slo`);
    expect(got.status).toBe(200);
    expect(got.body).toBe("aaaabbbb");
    expect(got.headers.get("etag")).toBe(`"${SLO_ETAG}"`);
    expect(got.headers.get("x-manifest-etag")).toBe(manifestEtag);
    expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/slo`);
  });

  it("the JSON listing shows a static link to an SLO with symlink_bytes the SLO's size and its slo_etag", async ({
    expect,
  }) => {
    await link("static-slo-listed", `${N}/slo`, { "X-Symlink-Target-Etag": manifestEtag });
    const listing = JSON.parse((await send("GET", `${C}?format=json&prefix=static-slo-listed`)).body) as Record<
      string,
      unknown
    >[];
    expect(listing.map(({ last_modified: _lm, ...rest }) => rest)).toEqual([
      {
        bytes: 0,
        hash: EMPTY_ETAG,
        name: "static-slo-listed",
        content_type: "text/x-slo",
        symlink_etag: manifestEtag,
        symlink_bytes: 8,
        symlink_path: `/v1/AUTH_test/${N}/slo`,
        slo_etag: `"${SLO_ETAG}"`,
      },
    ]);
  });

  it("a static link to an SLO with the large object's ETag (not the manifest's) returns 409 with Swift's body", async ({
    expect,
  }) => {
    const put = await link("static-slo-bad", `${N}/slo`, { "X-Symlink-Target-Etag": SLO_ETAG });
    expect(put.status).toBe(409);
    expect(put.body).toBe(`Object Etag '${manifestEtag}' does not match X-Symlink-Target-Etag header '${SLO_ETAG}'`);
    expect(put.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/slo`);
  });

  it("a static link to a static link to an SLO takes the manifest's ETag and serves the large object", async ({
    expect,
  }) => {
    await link("static-slo-inner", `${N}/slo`, { "X-Symlink-Target-Etag": manifestEtag });
    const put = await link("static-static-slo", `${N}/static-slo-inner`, { "X-Symlink-Target-Etag": manifestEtag });
    expect(put.status).toBe(201);
    const itself = await send("HEAD", `${C}/static-static-slo?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("text/x-slo");
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("8");
    const got = await send("GET", `${C}/static-static-slo`);
    expect(got.status).toBe(200);
    expect(got.body).toBe("aaaabbbb");
    expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/slo`);
  });

  it("a static link to a dynamic link to an SLO must name the link's own (empty) ETag", async ({ expect }) => {
    await link("dyn-slo", `${N}/slo`);
    const bad = await link("static-dyn-slo-bad", `${N}/dyn-slo`, { "X-Symlink-Target-Etag": manifestEtag });
    expect(bad.status).toBe(409);
    expect(bad.body).toBe(`Object Etag '${EMPTY_ETAG}' does not match X-Symlink-Target-Etag header '${manifestEtag}'`);
    expect(bad.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/dyn-slo`);
    const put = await link("static-dyn-slo", `${N}/dyn-slo`, { "X-Symlink-Target-Etag": EMPTY_ETAG });
    expect(put.status).toBe(201);
    const itself = await send("HEAD", `${C}/static-dyn-slo?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("application/symlink");
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("0");
    const got = await send("GET", `${C}/static-dyn-slo`);
    expect(got.body).toBe("aaaabbbb");
    expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/slo`);
  });

  it("a static link to a DLO manifest takes the manifest object's ETag and size", async ({ expect }) => {
    const bad = await link("static-dlo-bad", `${N}/dlo`, { "X-Symlink-Target-Etag": SLO_ETAG });
    expect(bad.status).toBe(409);
    expect(bad.body).toBe(`Object Etag '${EMPTY_ETAG}' does not match X-Symlink-Target-Etag header '${SLO_ETAG}'`);
    const put = await link("static-dlo", `${N}/dlo`, { "X-Symlink-Target-Etag": EMPTY_ETAG });
    expect(put.status).toBe(201);
    const itself = await send("HEAD", `${C}/static-dlo?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("text/x-dlo");
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("0");
    const got = await send("GET", `${C}/static-dlo`);
    expect(got.status).toBe(200);
    expect(got.body).toBe("aaaabbbb");
    expect(got.headers.get("etag")).toBe(`"${SLO_ETAG}"`);
  });

  it("a static link whose target's ETag differs returns 409 with Swift's text/plain body and Content-Location", async ({
    expect,
  }) => {
    const put = await link("static-target-bad", `${N}/target`, { "X-Symlink-Target-Etag": EMPTY_ETAG });
    expect(put.status).toBe(409);
    expect(put.body).toBe(`Object Etag '${TARGET_ETAG}' does not match X-Symlink-Target-Etag header '${EMPTY_ETAG}'`);
    expect(put.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(put.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/target`);
  });
});

describe("manifests read through symlinks", () => {
  it("GET ?multipart-manifest=get through a symlink returns the SLO manifest", async ({ expect }) => {
    await link("mm-slo", `${N}/slo`);
    const got = await send("GET", `${C}/mm-slo?multipart-manifest=get`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(got.headers.get("x-static-large-object")).toBe("True");
    expect(got.headers.get("etag")).toBe(manifestEtag);
    expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/slo`);
    const segments = JSON.parse(got.body) as { name: string; hash: string; bytes: number }[];
    expect(segments.map(({ name, hash, bytes }) => ({ name, hash, bytes }))).toEqual([
      { name: `/${N}/seg1`, hash: SEG1_ETAG, bytes: 4 },
      { name: `/${N}/seg2`, hash: SEG2_ETAG, bytes: 4 },
    ]);
    const head = await send("HEAD", `${C}/mm-slo?multipart-manifest=get`);
    expect(head.headers.get("etag")).toBe(manifestEtag);
    expect(head.headers.get("content-length")).toBe(String(new TextEncoder().encode(got.body).length));
  });

  it("GET ?multipart-manifest=get&format=raw through a static link returns the manifest as the client sent it", async ({
    expect,
  }) => {
    await link("mm-slo-raw", `${N}/slo`, { "X-Symlink-Target-Etag": manifestEtag });
    const got = await send("GET", `${C}/mm-slo-raw?multipart-manifest=get&format=raw`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/x-slo");
    expect(JSON.parse(got.body)).toEqual([
      { etag: SEG1_ETAG, path: `/${N}/seg1`, size_bytes: 4 },
      { etag: SEG2_ETAG, path: `/${N}/seg2`, size_bytes: 4 },
    ]);
  });

  it("a DLO manifest read through a symlink with ?multipart-manifest=get is the manifest object itself", async ({
    expect,
  }) => {
    await link("mm-dlo", `${N}/dlo`);
    const whole = await send("GET", `${C}/mm-dlo`);
    expect(whole.body).toBe("aaaabbbb");
    expect(whole.headers.get("etag")).toBe(`"${SLO_ETAG}"`);
    for (const method of ["GET", "HEAD"]) {
      const got = await send(method, `${C}/mm-dlo?multipart-manifest=get`);
      expect(got.status).toBe(200);
      expect(got.body).toBe("");
      expect(got.headers.get("content-type")).toBe("text/x-dlo");
      expect(got.headers.get("x-object-manifest")).toBe(`${N}/seg`);
      expect(got.headers.get("etag")).toBe(EMPTY_ETAG);
      expect(got.headers.get("content-length")).toBe("0");
      expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${N}/dlo`);
    }
  });
});
