/**
 * Legacy versioned writes as Swift 2.30 answers (checked against a SAIO): archived links are
 * restored as links, and a user allowed to write the versioned container through its ACL has
 * its writes versioned, whatever it may do in the archive (Swift's copies are pre-authorized).
 * Swift: common/middleware/versioned_writes/legacy.py.
 */

import { describe, it } from "vitest";
import { swift, text, send } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const A = "/AUTH_test";
const TESTER3: [string, string] = ["test:tester3", "testing3"];

interface Listed {
  name: string;
  content_type: string;
  bytes: number;
  symlink_path?: string;
  slo_etag?: string;
}

async function listing(container: string): Promise<Listed[]> {
  const response = await send("GET", `${A}/${container}?format=json`);
  return response.status === 200 ? (JSON.parse(response.body) as Listed[]) : [];
}

async function versioned(
  container: string,
  archive: string,
  header: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await send("PUT", `${A}/${archive}`, { headers: extra });
  const put = await send("PUT", `${A}/${container}`, { headers: { [header]: archive, ...extra } });
  if (put.status !== 201) throw new Error(`container PUT ${put.status}`);
}

describe("legacy versioning of symlinks", () => {
  it("DELETE in stack mode restores an archived symlink as one: application/symlink and its X-Symlink-Target", async ({
    expect,
  }) => {
    await versioned("vwc-stack", "vwc-stack-archive", "X-Versions-Location");
    await send("PUT", `${A}/vwc-stack/target`, { body: bytes("target") });
    await send("PUT", `${A}/vwc-stack/o`, {
      headers: { "X-Symlink-Target": "vwc-stack/target", "Content-Length": "0", "X-Object-Meta-L": "1" },
    });
    await send("PUT", `${A}/vwc-stack/o`, { body: bytes("plain") });
    const archived = await listing("vwc-stack-archive");
    expect(archived.map((version) => [version.content_type, version.symlink_path])).toEqual([
      ["application/symlink", "/v1/AUTH_test/vwc-stack/target"],
    ]);

    expect((await send("DELETE", `${A}/vwc-stack/o`)).status).toBe(204);
    expect(await listing("vwc-stack-archive")).toEqual([]);
    const itself = await send("HEAD", `${A}/vwc-stack/o?symlink=get`);
    expect(itself.status).toBe(200);
    expect(itself.headers.get("content-type")).toBe("application/symlink");
    expect(itself.headers.get("x-symlink-target")).toBe("vwc-stack/target");
    expect(itself.headers.get("x-object-meta-l")).toBe("1");
    const got = await send("GET", `${A}/vwc-stack/o`);
    expect(got.body).toBe("target");
    expect(got.headers.get("content-location")).toBe("/v1/AUTH_test/vwc-stack/target");
    const [listed] = (await listing("vwc-stack")).filter((entry) => entry.name === "o");
    expect(listed?.content_type).toBe("application/symlink");
    expect(listed?.symlink_path).toBe("/v1/AUTH_test/vwc-stack/target");
  });

  it("DELETE in stack mode restores an archived static link with its X-Symlink-Target-Etag and size", async ({
    expect,
  }) => {
    await versioned("vwc-static", "vwc-static-archive", "X-Versions-Location");
    await send("PUT", `${A}/vwc-static/target`, { body: bytes("target"), headers: { "Content-Type": "text/x-t" } });
    const etag = (await send("HEAD", `${A}/vwc-static/target`)).headers.get("etag") ?? "";
    await send("PUT", `${A}/vwc-static/o`, {
      headers: { "X-Symlink-Target": "vwc-static/target", "X-Symlink-Target-Etag": etag, "Content-Length": "0" },
    });
    await send("PUT", `${A}/vwc-static/o`, { body: bytes("plain") });
    expect((await send("DELETE", `${A}/vwc-static/o`)).status).toBe(204);
    const itself = await send("HEAD", `${A}/vwc-static/o?symlink=get`);
    expect(itself.headers.get("content-type")).toBe("text/x-t");
    expect(itself.headers.get("x-symlink-target-etag")).toBe(etag);
    expect(itself.headers.get("x-symlink-target-bytes")).toBe("6");
    expect((await send("GET", `${A}/vwc-static/o`)).body).toBe("target");
  });

  it(
    "history mode archives a symlink as a symlink (application/symlink, its link) " +
      "before it is overwritten or deleted",
    async ({ expect }) => {
      await versioned("vwc-hist", "vwc-hist-archive", "X-History-Location");
      await send("PUT", `${A}/vwc-hist/target`, { body: bytes("target") });
      await send("PUT", `${A}/vwc-hist/o`, {
        headers: { "X-Symlink-Target": "vwc-hist/target", "Content-Length": "0" },
      });
      await send("PUT", `${A}/vwc-hist/o`, { body: bytes("plain"), headers: { "Content-Type": "text/plain" } });
      await send("PUT", `${A}/vwc-hist/o`, {
        headers: { "X-Symlink-Target": "vwc-hist/target", "Content-Length": "0" },
      });
      expect((await send("DELETE", `${A}/vwc-hist/o`)).status).toBe(204);
      const archived = await listing("vwc-hist-archive");
      expect(archived.map((version) => [version.bytes, version.content_type, version.symlink_path])).toEqual([
        [0, "application/symlink", "/v1/AUTH_test/vwc-hist/target"],
        [5, "text/plain", undefined],
        [0, "application/symlink", "/v1/AUTH_test/vwc-hist/target"],
        [0, "application/x-deleted;swift_versions_deleted=1", undefined],
      ]);
      const copy = await send("HEAD", `${A}/vwc-hist-archive/${archived[2]?.name ?? ""}?symlink=get`);
      expect(copy.headers.get("content-type")).toBe("application/symlink");
      expect(copy.headers.get("x-symlink-target")).toBe("vwc-hist/target");
      expect((await send("GET", `${A}/vwc-hist-archive/${archived[2]?.name ?? ""}`)).body).toBe("target");
    },
  );
});

describe("legacy versioning of large objects", () => {
  it("a DLO manifest is archived as its manifest (X-Object-Manifest, empty body) and a DELETE restores it", async ({
    expect,
  }) => {
    await versioned("vwc-dlo", "vwc-dlo-archive", "X-Versions-Location");
    await send("PUT", `${A}/vwc-dlo/seg-1`, { body: bytes("aaa") });
    await send("PUT", `${A}/vwc-dlo/seg-2`, { body: bytes("bbb") });
    await send("PUT", `${A}/vwc-dlo/big`, { headers: { "X-Object-Manifest": "vwc-dlo/seg-", "Content-Length": "0" } });
    await send("PUT", `${A}/vwc-dlo/big`, { body: bytes("small") });
    const [archived] = await listing("vwc-dlo-archive");
    const manifest = await send("GET", `${A}/vwc-dlo-archive/${archived?.name ?? ""}?multipart-manifest=get`);
    expect(manifest.headers.get("x-object-manifest")).toBe("vwc-dlo/seg-");
    expect(manifest.body).toBe("");
    expect((await send("DELETE", `${A}/vwc-dlo/big`)).status).toBe(204);
    const restored = await send("GET", `${A}/vwc-dlo/big`);
    expect(restored.body).toBe("aaabbb");
    expect(restored.headers.get("x-object-manifest")).toBe("vwc-dlo/seg-");
  });

  it("a restored SLO manifest is listed with the large object's size and slo_etag", async ({ expect }) => {
    await versioned("vwc-slo", "vwc-slo-archive", "X-Versions-Location");
    await send("PUT", `${A}/vwc-slo/seg1`, { body: bytes("aaa") });
    await send("PUT", `${A}/vwc-slo/seg2`, { body: bytes("bbb") });
    const manifest = JSON.stringify([{ path: "/vwc-slo/seg1" }, { path: "/vwc-slo/seg2" }]);
    const put = await send("PUT", `${A}/vwc-slo/big?multipart-manifest=put`, { body: bytes(manifest) });
    await send("PUT", `${A}/vwc-slo/big`, { body: bytes("small") });
    expect((await send("DELETE", `${A}/vwc-slo/big`)).status).toBe(204);
    const [listed] = (await listing("vwc-slo")).filter((entry) => entry.name === "big");
    expect(listed?.bytes).toBe(6);
    expect(listed?.slo_etag).toBe(put.headers.get("etag"));
    expect((await send("GET", `${A}/vwc-slo/big`)).body).toBe("aaabbb");
  });
});

describe("legacy versioning through container ACLs", () => {
  it(
    "a non-admin user with the write ACL on both containers " +
      "has its PUTs archived and its DELETE restores (stack mode)",
    async ({ expect }) => {
      await versioned("vwc-acl", "vwc-acl-archive", "X-Versions-Location", { "X-Container-Write": "test:tester3" });
      expect((await send("PUT", `${A}/vwc-acl/o`, { body: bytes("one"), user: TESTER3 })).status).toBe(201);
      expect((await send("PUT", `${A}/vwc-acl/o`, { body: bytes("two"), user: TESTER3 })).status).toBe(201);
      const archived = await listing("vwc-acl-archive");
      expect(archived.map((version) => version.bytes)).toEqual([3]);
      expect((await send("GET", `${A}/vwc-acl/o`)).body).toBe("two");
      expect((await send("DELETE", `${A}/vwc-acl/o`, { user: TESTER3 })).status).toBe(204);
      expect((await send("GET", `${A}/vwc-acl/o`)).body).toBe("one");
      expect(await listing("vwc-acl-archive")).toEqual([]);
    },
  );

  it(
    "a non-admin user with the write ACL on both containers " +
      "has its DELETE archived with a delete marker (history mode)",
    async ({ expect }) => {
      await versioned("vwc-acl-hist", "vwc-acl-hist-archive", "X-History-Location", {
        "X-Container-Write": "test:tester3",
      });
      const headers = { "Content-Type": "text/plain" };
      expect((await send("PUT", `${A}/vwc-acl-hist/o`, { body: bytes("one"), headers, user: TESTER3 })).status).toBe(
        201,
      );
      expect((await send("PUT", `${A}/vwc-acl-hist/o`, { body: bytes("two"), headers, user: TESTER3 })).status).toBe(
        201,
      );
      expect((await send("DELETE", `${A}/vwc-acl-hist/o`, { user: TESTER3 })).status).toBe(204);
      const archived = await listing("vwc-acl-hist-archive");
      expect(archived.map((version) => [version.bytes, version.content_type])).toEqual([
        [3, "text/plain"],
        [3, "text/plain"],
        [0, "application/x-deleted;swift_versions_deleted=1"],
      ]);
    },
  );

  it("the write ACL on the versioned container alone is enough: Swift's archive copies are pre-authorized", async ({
    expect,
  }) => {
    await send("PUT", `${A}/vwc-acl-private-archive`);
    await send("PUT", `${A}/vwc-acl-private`, {
      headers: { "X-Versions-Location": "vwc-acl-private-archive", "X-Container-Write": "test:tester3" },
    });
    expect((await send("PUT", `${A}/vwc-acl-private/o`, { body: bytes("one"), user: TESTER3 })).status).toBe(201);
    expect((await send("PUT", `${A}/vwc-acl-private/o`, { body: bytes("two"), user: TESTER3 })).status).toBe(201);
    expect((await listing("vwc-acl-private-archive")).map((version) => version.bytes)).toEqual([3]);
    expect((await send("DELETE", `${A}/vwc-acl-private/o`, { user: TESTER3 })).status).toBe(204);
    expect((await send("GET", `${A}/vwc-acl-private/o`)).body).toBe("one");
  });

  it("a user without the write ACL is refused before anything is archived", async ({ expect }) => {
    await versioned("vwc-acl-none", "vwc-acl-none-archive", "X-Versions-Location");
    await send("PUT", `${A}/vwc-acl-none/o`, { body: bytes("one") });
    expect((await send("PUT", `${A}/vwc-acl-none/o`, { body: bytes("two"), user: TESTER3 })).status).toBe(403);
    expect((await send("DELETE", `${A}/vwc-acl-none/o`, { user: TESTER3 })).status).toBe(403);
    expect(await listing("vwc-acl-none-archive")).toEqual([]);
    expect((await send("GET", `${A}/vwc-acl-none/o`)).body).toBe("one");
  });
});
