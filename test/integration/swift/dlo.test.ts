import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text } from "../../helpers";

const C = "/AUTH_test/dlo";
const S = "/AUTH_test/dlo-segments";
const bytes = (s: string) => new TextEncoder().encode(s);
const PARTS = ["part1-", "part2-", "part3-"];

async function md5(data: string): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("MD5", bytes(data)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The DLO ETag of PARTS: quoted md5 of their etags concatenated. */
async function partsEtag(): Promise<string> {
  let etags = "";
  for (const part of PARTS) etags += await md5(part);
  return `"${await md5(etags)}"`;
}

async function putManifest(name: string, manifest: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await swift("PUT", `${C}/${name}`, {
    body: bytes(""),
    headers: { "X-Object-Manifest": manifest, ...headers },
  });
  await text(response);
  return response;
}

beforeAll(async () => {
  await text(await swift("PUT", C));
  await text(await swift("PUT", S));
  // Uploaded out of order: the listing decides the order.
  for (const index of [2, 0, 1])
    await text(await swift("PUT", `${S}/seg/0${index + 1}`, { body: bytes(PARTS[index] ?? "") }));
  await text(await swift("PUT", `${S}/other/01`, { body: bytes("not a segment") }));
  const manifest = await putManifest("large", "dlo-segments/seg/", {
    "Content-Type": "text/x-dlo",
    "X-Object-Meta-Color": "blue",
  });
  if (manifest.status !== 201) throw new Error(`manifest: ${manifest.status}`);
});

describe("/info", () => {
  it("publishes the dlo section with max_get_time", async ({ expect }) => {
    const info = await (await exports.default.fetch(`${BASE}/info`)).json<Record<string, unknown>>();
    expect(info.dlo).toEqual({ max_get_time: 86400 });
  });
});

describe("DLO manifest PUT", () => {
  it("with a malformed X-Object-Manifest returns 400 with Swift's message", async ({ expect }) => {
    for (const value of [
      "nocontainer",
      "/dlo-segments/x",
      "dlo-segments/",
      "dlo-segments/a?b",
      "dlo-segments/a&b",
      "dlo-segments//x",
    ]) {
      const response = await swift("PUT", `${C}/bad`, { body: bytes(""), headers: { "X-Object-Manifest": value } });
      expect(response.status, value).toBe(400);
      expect(await text(response), value).toBe("X-Object-Manifest must be in the format container/prefix");
    }
  });

  it("with a well-formed X-Object-Manifest returns 201 with the manifest object's own ETag", async ({ expect }) => {
    const response = await putManifest("well-formed", "dlo-segments/seg/");
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe(await md5(""));
  });
});

describe("DLO GET and HEAD", () => {
  it(
    "GET returns the segments in listing order with Content-Length their total " +
      "and ETag the quoted md5 of their etags",
    async ({ expect }) => {
      const response = await swift("GET", `${C}/large`);
      expect(await text(response)).toBe(PARTS.join(""));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe("18");
      expect(response.headers.get("etag")).toBe(await partsEtag());
      expect(response.headers.get("x-object-manifest")).toBe("dlo-segments/seg/");
      expect(response.headers.get("content-type")).toBe("text/x-dlo");
      expect(response.headers.get("x-object-meta-color")).toBe("blue");
    },
  );

  it("HEAD returns the same headers and no body", async ({ expect }) => {
    const response = await swift("HEAD", `${C}/large`);
    expect(await text(response)).toBe("");
    expect(response.headers.get("content-length")).toBe("18");
    expect(response.headers.get("etag")).toBe(await partsEtag());
  });

  it("a Range returns 206 with those bytes across segments", async ({ expect }) => {
    const response = await swift("GET", `${C}/large`, { headers: { Range: "bytes=3-8" } });
    expect(await text(response)).toBe("t1-par");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe("bytes 3-8/18");
  });

  it("a suffix Range returns the last bytes", async ({ expect }) => {
    const response = await swift("GET", `${C}/large`, { headers: { Range: "bytes=-4" } });
    expect(await text(response)).toBe("rt3-");
    expect(response.headers.get("content-range")).toBe("bytes 14-17/18");
  });

  it("several ranges are ignored: 200 with the whole object", async ({ expect }) => {
    const response = await swift("GET", `${C}/large`, { headers: { Range: "bytes=0-1,4-5" } });
    expect(await text(response)).toBe(PARTS.join(""));
    expect(response.status).toBe(200);
  });

  it("an unsatisfiable Range returns 416 with Content-Range bytes */total", async ({ expect }) => {
    const response = await swift("GET", `${C}/large`, { headers: { Range: "bytes=100-" } });
    await text(response);
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe("bytes */18");
  });

  it("If-None-Match with the large object's ETag returns 304; If-Match with another, 412", async ({ expect }) => {
    const notModified = await swift("GET", `${C}/large`, { headers: { "If-None-Match": await partsEtag() } });
    await text(notModified);
    expect(notModified.status).toBe(304);
    const failed = await swift("GET", `${C}/large`, { headers: { "If-Match": await md5("") } });
    await text(failed);
    expect(failed.status).toBe(412);
  });

  it("a manifest whose segments do not exist yet is an empty object", async ({ expect }) => {
    await putManifest("empty", "dlo-segments/nothing/");
    const response = await swift("GET", `${C}/empty`);
    expect(await text(response)).toBe("");
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(`"${await md5("")}"`);
    expect(response.headers.get("content-length")).toBe("0");
  });

  it("a manifest naming a container that does not exist returns 404", async ({ expect }) => {
    await putManifest("no-container", "no-such-container/x");
    const response = await swift("GET", `${C}/no-container`);
    await text(response);
    expect(response.status).toBe(404);
    const head = await swift("HEAD", `${C}/no-container`);
    await text(head);
    expect(head.status).toBe(404);
  });

  it("GET through a symlink to a manifest returns the concatenated segments", async ({ expect }) => {
    await text(
      await swift("PUT", `${C}/link-to-large`, { body: bytes(""), headers: { "X-Symlink-Target": "dlo/large" } }),
    );
    const response = await swift("GET", `${C}/link-to-large`);
    expect(await text(response)).toBe(PARTS.join(""));
    expect(response.headers.get("etag")).toBe(await partsEtag());
    expect(response.headers.get("content-location")).toBe("/v1/AUTH_test/dlo/large");
  });

  it("a percent-encoded X-Object-Manifest (as python-swiftclient sends it) is decoded", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/dlo%20spaced"));
    await text(await swift("PUT", "/AUTH_test/dlo%20spaced/a%20b/1", { body: bytes("x") }));
    await text(await swift("PUT", "/AUTH_test/dlo%20spaced/a%20b/2", { body: bytes("y") }));
    await putManifest("encoded", "dlo%20spaced/a%20b/");
    const response = await swift("GET", `${C}/encoded`);
    expect(await text(response)).toBe("xy");
  });

  it("segments in the manifest's own container, the manifest among them, are joined as listed", async ({ expect }) => {
    await text(await swift("PUT", `${C}/self/1`, { body: bytes("one") }));
    await text(await swift("PUT", `${C}/self/2`, { body: bytes("two") }));
    await putManifest("self/0", "dlo/self/");
    const response = await swift("GET", `${C}/self/0`);
    expect(await text(response)).toBe("onetwo");
  });
});

describe("DLO ?multipart-manifest=get, POST and COPY", () => {
  it("?multipart-manifest=get returns the manifest object itself", async ({ expect }) => {
    const response = await swift("GET", `${C}/large?multipart-manifest=get`);
    expect(await text(response)).toBe("");
    expect(response.headers.get("etag")).toBe(await md5(""));
    expect(response.headers.get("content-length")).toBe("0");
    expect(response.headers.get("x-object-manifest")).toBe("dlo-segments/seg/");
  });

  it("POST with X-Object-Manifest keeps it a manifest; POST without makes it a normal object", async ({ expect }) => {
    await putManifest("posted", "dlo-segments/seg/");
    const keep = await swift("POST", `${C}/posted`, {
      headers: { "X-Object-Manifest": "dlo-segments/seg/", "X-Object-Meta-A": "1" },
    });
    await text(keep);
    expect(keep.status).toBe(202);
    expect(await text(await swift("GET", `${C}/posted`))).toBe(PARTS.join(""));
    const drop = await swift("POST", `${C}/posted`, { headers: { "X-Object-Meta-A": "2" } });
    await text(drop);
    const get = await swift("GET", `${C}/posted`);
    expect(await text(get)).toBe("");
    expect(get.headers.get("x-object-manifest")).toBeNull();
    expect(get.headers.get("etag")).toBe(await md5(""));
  });

  it("COPY copies the concatenated object into a plain object", async ({ expect }) => {
    const copy = await swift("COPY", `${C}/large`, { headers: { Destination: "dlo/large-copy" } });
    await text(copy);
    expect(copy.status).toBe(201);
    expect(copy.headers.get("etag")).toBe(await md5(PARTS.join("")));
    const get = await swift("GET", `${C}/large-copy`);
    expect(await text(get)).toBe(PARTS.join(""));
    expect(get.headers.get("x-object-manifest")).toBeNull();
  });

  it("COPY ?multipart-manifest=get copies the manifest itself", async ({ expect }) => {
    const copy = await swift("COPY", `${C}/large?multipart-manifest=get`, {
      headers: { Destination: "dlo/large-manifest-copy" },
    });
    await text(copy);
    expect(copy.status).toBe(201);
    const manifest = await swift("GET", `${C}/large-manifest-copy?multipart-manifest=get`);
    expect(await text(manifest)).toBe("");
    expect(manifest.headers.get("x-object-manifest")).toBe("dlo-segments/seg/");
    expect(await text(await swift("GET", `${C}/large-manifest-copy`))).toBe(PARTS.join(""));
  });
});
