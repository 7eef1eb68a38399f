import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift, text, send } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const A = "/AUTH_test";

interface Listed {
  name: string;
  content_type: string;
  bytes: number;
}

async function listing(container: string): Promise<Listed[]> {
  const response = await send("GET", `${A}/${container}?format=json`);
  return response.status === 200 ? (JSON.parse(response.body) as Listed[]) : [];
}

async function versioned(container: string, archive: string, header = "X-Versions-Location"): Promise<void> {
  await send("PUT", `${A}/${archive}`);
  const put = await send("PUT", `${A}/${container}`, { headers: { [header]: archive } });
  if (put.status !== 201) throw new Error(`container PUT ${put.status}`);
}

describe("legacy versioning: container headers", () => {
  it("X-Versions-Location is stored and shown on HEAD; X-Remove-Versions-Location removes it", async ({ expect }) => {
    await versioned("vw-head", "vw-head-archive");
    expect((await send("HEAD", `${A}/vw-head`)).headers.get("x-versions-location")).toBe("vw-head-archive");
    expect((await send("POST", `${A}/vw-head`, { headers: { "X-Remove-Versions-Location": "x" } })).status).toBe(204);
    expect((await send("HEAD", `${A}/vw-head`)).headers.get("x-versions-location")).toBeNull();
  });

  it("setting X-History-Location replaces X-Versions-Location, and an empty value removes it", async ({ expect }) => {
    await versioned("vw-switch", "vw-switch-archive");
    await send("POST", `${A}/vw-switch`, { headers: { "X-History-Location": "vw-switch-archive" } });
    const head = await send("HEAD", `${A}/vw-switch`);
    expect(head.headers.get("x-history-location")).toBe("vw-switch-archive");
    expect(head.headers.get("x-versions-location")).toBeNull();
    await send("POST", `${A}/vw-switch`, { headers: { "X-History-Location": "" } });
    const removed = await send("HEAD", `${A}/vw-switch`);
    expect(removed.headers.get("x-history-location")).toBeNull();
    expect(removed.headers.get("x-versions-location")).toBeNull();
  });

  it("both X-Versions-Location and X-History-Location returns 400", async ({ expect }) => {
    const put = await send("PUT", `${A}/vw-both`, {
      headers: { "X-Versions-Location": "a", "X-History-Location": "b" },
    });
    expect(put.status).toBe(400);
    expect(put.body).toBe("Only one of x-versions-location or x-history-location may be specified");
  });

  it("a location with a slash returns 412 'Container name cannot contain slashes'", async ({ expect }) => {
    const put = await send("PUT", `${A}/vw-slash`, { headers: { "X-Versions-Location": "a/b" } });
    expect(put.status).toBe(412);
    expect(put.body).toBe("Container name cannot contain slashes");
  });

  it("X-Remove-History-Location removes either location", async ({ expect }) => {
    await versioned("vw-remove", "vw-remove-archive");
    await send("POST", `${A}/vw-remove`, { headers: { "X-Remove-History-Location": "x" } });
    expect((await send("HEAD", `${A}/vw-remove`)).headers.get("x-versions-location")).toBeNull();
  });

  it("/info lists versioned_writes with its allowed flags", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(info.versioned_writes).toEqual({ allowed_flags: ["x-versions-location", "x-history-location"] });
  });
});

describe("legacy versioning: stack mode (X-Versions-Location)", () => {
  it("a PUT over an existing object archives it as <3-hex length><name>/<timestamp>", async ({ expect }) => {
    await versioned("vw-stack", "vw-stack-archive");
    await send("PUT", `${A}/vw-stack/obj`, {
      body: bytes("one"),
      headers: { "Content-Type": "text/x-one", "X-Object-Meta-V": "1" },
    });
    const first = await send("HEAD", `${A}/vw-stack/obj`);
    await send("PUT", `${A}/vw-stack/obj`, { body: bytes("two") });
    const archived = await listing("vw-stack-archive");
    expect(archived).toHaveLength(1);
    const [version] = archived;
    expect(version?.name).toBe(`003obj/${first.headers.get("x-timestamp")}`);
    expect(version?.content_type).toBe("text/x-one");
    const old = await send("GET", `${A}/vw-stack-archive/${version?.name ?? ""}`);
    expect(old.body).toBe("one");
    expect(old.headers.get("x-object-meta-v")).toBe("1");
    expect((await send("GET", `${A}/vw-stack/obj`)).body).toBe("two");
  });

  it("the first PUT of an object archives nothing", async ({ expect }) => {
    await versioned("vw-first", "vw-first-archive");
    await send("PUT", `${A}/vw-first/new`, { body: bytes("x") });
    expect(await listing("vw-first-archive")).toEqual([]);
  });

  it("DELETE restores the previous version and removes it from the archive, until none is left", async ({ expect }) => {
    await versioned("vw-pop", "vw-pop-archive");
    for (const body of ["one", "two", "three"]) await send("PUT", `${A}/vw-pop/obj`, { body: bytes(body) });
    expect(await listing("vw-pop-archive")).toHaveLength(2);
    expect((await send("DELETE", `${A}/vw-pop/obj`)).status).toBe(204);
    expect((await send("GET", `${A}/vw-pop/obj`)).body).toBe("two");
    expect(await listing("vw-pop-archive")).toHaveLength(1);
    expect((await send("DELETE", `${A}/vw-pop/obj`)).status).toBe(204);
    expect((await send("GET", `${A}/vw-pop/obj`)).body).toBe("one");
    expect((await send("DELETE", `${A}/vw-pop/obj`)).status).toBe(204);
    expect((await send("GET", `${A}/vw-pop/obj`)).status).toBe(404);
    expect((await send("DELETE", `${A}/vw-pop/obj`)).status).toBe(404);
  });

  it("DELETE with a malformed or unmet X-If-Delete-At returns 400 or 412 and restores nothing", async ({ expect }) => {
    await versioned("vw-ifdel", "vw-ifdel-archive");
    for (const body of ["one", "two"]) await send("PUT", `${A}/vw-ifdel/obj`, { body: bytes(body) });
    const bad = await send("DELETE", `${A}/vw-ifdel/obj`, { headers: { "X-If-Delete-At": "bad" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toBe("Bad X-If-Delete-At header value");
    const unmet = await send("DELETE", `${A}/vw-ifdel/obj`, { headers: { "X-If-Delete-At": "2000000000" } });
    expect(unmet.status).toBe(412);
    expect((await send("GET", `${A}/vw-ifdel/obj`)).body).toBe("two");
    expect(await listing("vw-ifdel-archive")).toHaveLength(1);
  });

  it("names are counted in UTF-8 bytes and versions of other objects are left alone", async ({ expect }) => {
    await versioned("vw-names", "vw-names-archive");
    for (const body of ["a1", "a2"]) await send("PUT", `${A}/vw-names/é`, { body: bytes(body) });
    for (const body of ["b1", "b2"]) await send("PUT", `${A}/vw-names/éx`, { body: bytes(body) });
    const names = (await listing("vw-names-archive")).map((version) => version.name.split("/")[0]);
    expect(names).toEqual(["002é", "003éx"]);
    await send("DELETE", `${A}/vw-names/é`);
    expect((await send("GET", `${A}/vw-names/é`)).body).toBe("a1");
    expect((await send("GET", `${A}/vw-names/éx`)).body).toBe("b2");
  });

  it("a COPY onto a versioned object archives the object it replaces once", async ({ expect }) => {
    await versioned("vw-copy", "vw-copy-archive");
    await send("PUT", `${A}/vw-copy/src`, { body: bytes("source") });
    await send("PUT", `${A}/vw-copy/dst`, { body: bytes("old") });
    expect((await send("COPY", `${A}/vw-copy/src`, { headers: { Destination: "vw-copy/dst" } })).status).toBe(201);
    const archived = await listing("vw-copy-archive");
    expect(archived.map((version) => version.name.slice(0, 7))).toEqual(["003dst/"]);
    expect(
      (await send("PUT", `${A}/vw-copy/dst`, { headers: { "X-Copy-From": "vw-copy/src", "Content-Length": "0" } }))
        .status,
    ).toBe(201);
    expect(await listing("vw-copy-archive")).toHaveLength(2);
  });

  it("a missing archive container makes the PUT fail with 412 and keeps the object", async ({ expect }) => {
    await send("PUT", `${A}/vw-noarchive`, { headers: { "X-Versions-Location": "vw-absent" } });
    await send("PUT", `${A}/vw-noarchive/obj`, { body: bytes("one") });
    const put = await send("PUT", `${A}/vw-noarchive/obj`, { body: bytes("two") });
    expect(put.status).toBe(412);
    expect((await send("GET", `${A}/vw-noarchive/obj`)).body).toBe("one");
  });
});

describe("legacy versioning: history mode (X-History-Location)", () => {
  it("DELETE archives the object and writes a delete marker; the object is gone", async ({ expect }) => {
    await versioned("vw-hist", "vw-hist-archive", "X-History-Location");
    await send("PUT", `${A}/vw-hist/obj`, { body: bytes("one"), headers: { "Content-Type": "text/plain" } });
    await send("PUT", `${A}/vw-hist/obj`, { body: bytes("two"), headers: { "Content-Type": "text/plain" } });
    expect((await send("DELETE", `${A}/vw-hist/obj`)).status).toBe(204);
    expect((await send("GET", `${A}/vw-hist/obj`)).status).toBe(404);
    const archived = await listing("vw-hist-archive");
    expect(archived.map((version) => [version.bytes, version.content_type])).toEqual([
      [3, "text/plain"],
      [3, "text/plain"],
      [0, "application/x-deleted;swift_versions_deleted=1"],
    ]);
  });

  it("switching back to stack mode, a DELETE after a delete marker restores the version under it", async ({
    expect,
  }) => {
    await versioned("vw-mixed", "vw-mixed-archive", "X-History-Location");
    await send("PUT", `${A}/vw-mixed/obj`, { body: bytes("one") });
    await send("DELETE", `${A}/vw-mixed/obj`);
    await send("POST", `${A}/vw-mixed`, { headers: { "X-Versions-Location": "vw-mixed-archive" } });
    expect((await send("DELETE", `${A}/vw-mixed/obj`)).status).toBe(204);
    expect((await send("GET", `${A}/vw-mixed/obj`)).body).toBe("one");
    expect(await listing("vw-mixed-archive")).toEqual([]);
  });

  it("clients cannot store the delete marker's content type themselves", async ({ expect }) => {
    await send("PUT", `${A}/vw-forge`);
    const put = await send("PUT", `${A}/vw-forge/o`, {
      headers: { "Content-Type": "application/x-deleted;swift_versions_deleted=1" },
      body: bytes(""),
    });
    expect(put.status).toBe(400);
  });
});

describe("legacy versioning of large objects and links", () => {
  it("an SLO manifest is archived as a manifest and a DELETE restores it whole", async ({ expect }) => {
    await versioned("vw-slo", "vw-slo-archive");
    await send("PUT", `${A}/vw-slo/seg1`, { body: bytes("aaa") });
    await send("PUT", `${A}/vw-slo/seg2`, { body: bytes("bbb") });
    const manifest = JSON.stringify([{ path: "/vw-slo/seg1" }, { path: "/vw-slo/seg2" }]);
    expect((await send("PUT", `${A}/vw-slo/big?multipart-manifest=put`, { body: bytes(manifest) })).status).toBe(201);
    expect((await send("GET", `${A}/vw-slo/big`)).body).toBe("aaabbb");
    await send("PUT", `${A}/vw-slo/big`, { body: bytes("small") });
    const [archived] = (await listing("vw-slo-archive")).filter((version) => version.name.startsWith("003big/"));
    const old = await send("GET", `${A}/vw-slo-archive/${archived?.name ?? ""}`);
    expect(old.body).toBe("aaabbb");
    expect(old.headers.get("x-static-large-object")).toBe("True");
    expect((await send("DELETE", `${A}/vw-slo/big`)).status).toBe(204);
    const restored = await send("GET", `${A}/vw-slo/big`);
    expect(restored.body).toBe("aaabbb");
    expect(restored.headers.get("x-static-large-object")).toBe("True");
  });

  it("a symlink is archived as a symlink", async ({ expect }) => {
    await versioned("vw-link", "vw-link-archive");
    await send("PUT", `${A}/vw-link/target`, { body: bytes("target") });
    await send("PUT", `${A}/vw-link/l`, { headers: { "X-Symlink-Target": "vw-link/target", "Content-Length": "0" } });
    await send("PUT", `${A}/vw-link/l`, { body: bytes("plain") });
    const [archived] = await listing("vw-link-archive");
    const old = await send("HEAD", `${A}/vw-link-archive/${archived?.name ?? ""}?symlink=get`);
    expect(old.headers.get("x-symlink-target")).toBe("vw-link/target");
    expect((await send("GET", `${A}/vw-link-archive/${archived?.name ?? ""}`)).body).toBe("target");
  });
});
