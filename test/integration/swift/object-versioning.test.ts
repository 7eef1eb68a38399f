import { env, exports } from "cloudflare:workers";
import { describe, it, vi } from "vitest";
import { parseConfig } from "../../../src/config/config";
import { containerInfo } from "../../../src/proxy/services/container";
import { serviceContext } from "../../../src/proxy/services/context";
import { BASE, send, unique, type Sent, type SwiftInit } from "../../helpers";

const A = "/AUTH_test";
const MARKER = "application/x-deleted;swift_versions_deleted=1";
const ADMIN: [string, string] = ["admin:admin", "admin"];
const TESTER3: [string, string] = ["test:tester3", "testing3"];
const NOT_FOUND = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>";

interface Version {
  name: string;
  bytes: number;
  hash: string;
  content_type: string;
  last_modified: string;
  version_id: string;
  is_latest: boolean;
}

/** A new container of AUTH_test with versioning enabled (and `headers`). */
async function versioned(headers: Record<string, string> = {}): Promise<string> {
  const name = unique("ov");
  const put = await send("PUT", `${A}/${name}`, { headers: { "X-Versions-Enabled": "true", ...headers } });
  if (put.status !== 201) throw new Error(`container PUT ${put.status} ${put.body}`);
  return name;
}

/** An object PUT (`path` below the account); its response. */
function put(path: string, body: string, headers: Record<string, string> = {}, init: SwiftInit = {}): Promise<Sent> {
  return send("PUT", `${A}/${path}`, {
    ...init,
    body,
    headers: { "Content-Type": "application/octet-stream", ...headers },
  });
}

/** The version id a PUT answered with. */
async function putVersion(path: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await put(path, body, headers);
  const id = response.headers.get("x-object-version-id");
  if (response.status !== 201 || id === null) throw new Error(`PUT ${path}: ${response.status} ${response.body}`);
  return id;
}

/** A `?versions` listing as JSON. */
async function versions(container: string, query = "", init: SwiftInit = {}): Promise<Version[]> {
  const listed = await send("GET", `${A}/${container}?versions&format=json${query}`, init);
  if (listed.status !== 200) throw new Error(`versions listing ${listed.status} ${listed.body}`);
  return JSON.parse(listed.body) as Version[];
}

/** What a versions listing says of each version: id, latest, content type. */
const summary = (items: Version[]) =>
  items.map((item) => [item.name, item.version_id, item.is_latest, item.content_type]);

describe("object versioning: containers", () => {
  it("X-Versions-Enabled: true on a container PUT is shown as True on HEAD and GET, never as sysmeta", async ({
    expect,
  }) => {
    const name = await versioned();
    expect((await send("HEAD", `${A}/${name}`)).headers.get("x-versions-enabled")).toBe("True");
    const get = await send("GET", `${A}/${name}`);
    expect(get.headers.get("x-versions-enabled")).toBe("True");
    expect(get.headers.get("x-container-sysmeta-versions-enabled")).toBeNull();
    expect(get.headers.get("x-container-sysmeta-versions-container")).toBeNull();
  });

  it("a container whose name is the longest allowed (256 bytes) can have versioning: its hidden versions container, 10 bytes longer, is made and keeps the old version", async ({
    expect,
  }) => {
    const name = `${unique("ovlong")}-`.padEnd(256, "x");
    expect((await send("PUT", `${A}/${name}`, { headers: { "X-Versions-Enabled": "true" } })).status).toBe(201);
    const first = await putVersion(`${name}/o`, "one");
    await putVersion(`${name}/o`, "two");
    const listed = await versions(name);
    expect(listed.map((item) => [item.version_id, item.is_latest])).toContainEqual([first, false]);
    expect((await send("GET", `${A}/${name}/o?version-id=${first}`)).body).toBe("one");
    const spaces = " ".repeat(250);
    expect((await send("POST", `${A}/${name}`, { headers: { "X-Versions-Enabled": "false" } })).status).toBe(204);
    const put = await send("PUT", `${A}/${encodeURIComponent(spaces)}`, { headers: { "X-Versions-Enabled": "Y" } });
    expect(put.status).toBe(201);
    expect((await send("HEAD", `${A}/${encodeURIComponent(spaces)}`)).headers.get("x-versions-enabled")).toBe("True");
  });

  it("X-Versions-Enabled: false, or a value that is no boolean, is stored as False (201, as Swift answers)", async ({
    expect,
  }) => {
    for (const value of ["false", "maybe"]) {
      const name = unique("ovf");
      expect((await send("PUT", `${A}/${name}`, { headers: { "X-Versions-Enabled": value } })).status).toBe(201);
      expect((await send("HEAD", `${A}/${name}`)).headers.get("x-versions-enabled")).toBe("False");
      const object = await put(`${name}/o`, "x");
      expect(object.headers.get("x-object-version-id")).toBeNull();
    }
  });

  it("POST X-Versions-Enabled: false turns versioning off and true turns it back on", async ({ expect }) => {
    const name = await versioned();
    expect((await send("POST", `${A}/${name}`, { headers: { "X-Versions-Enabled": "false" } })).status).toBe(204);
    expect((await send("HEAD", `${A}/${name}`)).headers.get("x-versions-enabled")).toBe("False");
    expect((await send("POST", `${A}/${name}`, { headers: { "X-Versions-Enabled": "true" } })).status).toBe(204);
    expect((await send("HEAD", `${A}/${name}`)).headers.get("x-versions-enabled")).toBe("True");
  });

  it("enabling versioning on a container with X-Versions-Location or X-History-Location returns 400", async ({
    expect,
  }) => {
    for (const header of ["X-Versions-Location", "X-History-Location"]) {
      const name = unique("ovleg");
      await send("PUT", `${A}/${name}`, { headers: { [header]: "archive" } });
      for (const value of ["true", "false"]) {
        const refused = await send("POST", `${A}/${name}`, { headers: { "X-Versions-Enabled": value } });
        expect(refused.status).toBe(400);
        expect(refused.body).toBe(
          "Cannot enable object versioning on a container that is already using the legacy versioned writes feature.",
        );
        expect(refused.headers.get("content-type")).toBe("text/html; charset=UTF-8");
      }
      expect((await send("HEAD", `${A}/${name}`)).headers.get("x-versions-enabled")).toBeNull();
    }
  });

  it("X-Versions-Enabled with X-Versions-Location on a new container's PUT stores both (201), as Swift does", async ({
    expect,
  }) => {
    const name = unique("ovboth");
    expect(
      (
        await send("PUT", `${A}/${name}`, {
          headers: { "X-Versions-Enabled": "true", "X-Versions-Location": "archive" },
        })
      ).status,
    ).toBe(201);
    const head = await send("HEAD", `${A}/${name}`);
    expect(head.headers.get("x-versions-enabled")).toBe("True");
    expect(head.headers.get("x-versions-location")).toBe("archive");
  });

  it("enabling versioning on a container that syncs to another returns 400", async ({ expect }) => {
    const name = unique("ovsync");
    await send("PUT", `${A}/${name}`, {
      headers: { "X-Container-Sync-To": "http://127.0.0.1/v1/AUTH_test/other", "X-Container-Sync-Key": "k" },
    });
    const refused = await send("POST", `${A}/${name}`, { headers: { "X-Versions-Enabled": "true" } });
    expect(refused.status).toBe(400);
    expect(refused.body).toBe(
      "Cannot enable object versioning on a container configured as source of container syncing.",
    );
  });

  it("POST X-Versions-Enabled to a container that does not exist returns 404 and leaves no versions container", async ({
    expect,
  }) => {
    const name = unique("ovnone");
    expect((await send("POST", `${A}/${name}`, { headers: { "X-Versions-Enabled": "true" } })).status).toBe(404);
    const ctx = serviceContext(parseConfig(env));
    expect(await containerInfo(ctx, "AUTH_test", `\u0000versions\u0000${name}`, true)).toBeNull();
  });

  it("the hidden versions container has the primary's storage policy", async ({ expect }) => {
    const ctx = serviceContext(parseConfig(env));
    const made = await versioned({ "X-Storage-Policy": "silver" });
    const later = unique("ovpol");
    await send("PUT", `${A}/${later}`, { headers: { "X-Storage-Policy": "silver" } });
    await send("POST", `${A}/${later}`, { headers: { "X-Versions-Enabled": "true" } });
    for (const name of [made, later]) {
      const primary = await containerInfo(ctx, "AUTH_test", name, true);
      const hidden = await containerInfo(ctx, "AUTH_test", `\u0000versions\u0000${name}`, true);
      expect(hidden?.storagePolicyIndex).toBe(1);
      expect(hidden?.storagePolicyIndex).toBe(primary?.storagePolicyIndex);
    }
  });

  it("/info lists object_versioning", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(info.object_versioning).toEqual({});
  });

  it("a client cannot set the versioning sysmeta itself", async ({ expect }) => {
    const name = unique("ovsys");
    await send("PUT", `${A}/${name}`, {
      headers: {
        "X-Container-Sysmeta-Versions-Enabled": "True",
        "X-Container-Sysmeta-Versions-Container": "%00versions%00x",
      },
    });
    expect((await send("HEAD", `${A}/${name}`)).headers.get("x-versions-enabled")).toBeNull();
    expect((await put(`${name}/o`, "x")).headers.get("x-object-version-id")).toBeNull();
  });

  it(
    "HEAD of a versioned container counts its versions' bytes in X-Container-Bytes-Used, " +
      "its objects alone in the count",
    async ({ expect }) => {
      const c = await versioned();
      await put(`${c}/a`, "12345");
      await put(`${c}/a`, "123");
      const head = await send("HEAD", `${A}/${c}`);
      expect(head.headers.get("x-container-bytes-used")).toBe("8");
      expect(head.headers.get("x-container-object-count")).toBe("1");
    },
  );

  it(
    "DELETE of a container whose versions remain returns 409; " +
      "once they are deleted its hidden container goes with it",
    async ({ expect }) => {
      const c = await versioned();
      const v = await putVersion(`${c}/o`, "x");
      await send("DELETE", `${A}/${c}/o?version-id=${v}`);
      await put(`${c}/p`, "y");
      const marker = (await send("DELETE", `${A}/${c}/p`)).headers.get("x-object-version-id");
      const refused = await send("DELETE", `${A}/${c}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toBe("Delete all versions before deleting container.");
      for (const item of await versions(c))
        await send("DELETE", `${A}/${c}/${item.name}?version-id=${item.version_id}`);
      expect(marker).not.toBeNull();
      expect(await versions(c)).toEqual([]);
      expect((await send("DELETE", `${A}/${c}`)).status).toBe(204);
      const ctx = serviceContext(parseConfig(env));
      expect(await containerInfo(ctx, "AUTH_test", `\u0000versions\u0000${c}`, true)).toBeNull();
    },
  );

  it("DELETE of a versioned container that holds objects returns 409 and keeps its versions container working", async ({
    expect,
  }) => {
    const c = await versioned();
    await put(`${c}/o`, "x");
    await send("DELETE", `${A}/${c}/o?version-id=${(await versions(c))[0]?.version_id}`);
    await send("POST", `${A}/${c}`, { headers: { "X-Versions-Enabled": "false" } });
    await put(`${c}/plain`, "y");
    expect((await send("DELETE", `${A}/${c}`)).status).toBe(409);
    await send("POST", `${A}/${c}`, { headers: { "X-Versions-Enabled": "true" } });
    expect((await put(`${c}/o`, "z")).status).toBe(201);
  });
});

describe("object versioning: hidden containers", () => {
  it(
    "hidden versions containers are never listed in an account listing; " +
      "a versioned container's bytes include its versions'",
    async ({ expect }) => {
      const account = `AUTH_${unique("ovacct")}`;
      const as = { user: ADMIN };
      await send("PUT", `/${account}`, as);
      await send("PUT", `/${account}/a`, { ...as, headers: { "X-Versions-Enabled": "true" } });
      await send("PUT", `/${account}/b`, as);
      await send("PUT", `/${account}/a/o`, { ...as, body: "1234" });
      await send("PUT", `/${account}/a/o`, { ...as, body: "12" });
      await send("PUT", `/${account}/b/o`, { ...as, body: "123" });
      const plain = await send("GET", `/${account}`, as);
      expect(plain.body).toBe("a\nb\n");
      // Counts reach the account just after the writes are answered.
      await vi.waitFor(
        async () => {
          const json = JSON.parse((await send("GET", `/${account}?format=json`, as)).body) as {
            name: string;
            count: number;
            bytes: number;
          }[];
          expect(json.map(({ name, count, bytes }) => [name, count, bytes])).toEqual([
            ["a", 1, 6],
            ["b", 1, 3],
          ]);
        },
        { timeout: 2_000, interval: 20 },
      );
      const xml = await send("GET", `/${account}?format=xml`, as);
      expect(xml.body).toMatch(
        new RegExp(
          /^<\?xml version="1.0" encoding="UTF-8"\?>\n<account name="AUTH_ovacct\d+">\n/.source +
            /<container><name>a<\/name><count>1<\/count><bytes>6<\/bytes>/.source,
        ),
      );
      expect((await send("GET", `/${account}?limit=1`, as)).body).toBe("a\n");
      expect((await send("GET", `/${account}?limit=1&reverse=on`, as)).body).toBe("b\n");
      expect((await send("GET", `/${account}?marker=a`, as)).body).toBe("b\n");
      expect((await send("GET", `/${account}?reverse=on`, as)).body).toBe("b\na\n");
      expect((await send("HEAD", `/${account}`, as)).headers.get("x-account-container-count")).toBe("3");
    },
  );

  it("a client path naming a hidden container returns 412, and so do X-Copy-From and a symlink into one", async ({
    expect,
  }) => {
    const c = await versioned();
    const v = await putVersion(`${c}/o`, "secret");
    const name = `%00versions%00${c}`;
    const direct = await send("GET", `${A}/${name}`);
    expect(direct.status).toBe(412);
    expect(direct.body).toBe("Invalid UTF8 or contains NULL");
    const inverted = (9_999_999_999.99999 - Number(v)).toFixed(5);
    const copy = await send("PUT", `${A}/${c}/copy`, {
      headers: { "X-Copy-From": `${name}/%00o%00${inverted}`, "Content-Length": "0" },
    });
    expect(copy.status).toBe(412);
    expect(copy.body).toBe("Invalid UTF8 or contains NULL");
    const plain = unique("ovplain");
    await send("PUT", `${A}/${plain}`);
    expect(
      (
        await send("PUT", `${A}/${plain}/link`, {
          headers: { "X-Symlink-Target": `${name}/%00o%00${inverted}`, "Content-Length": "0" },
        })
      ).status,
    ).toBe(201);
    const followed = await send("GET", `${A}/${plain}/link`);
    expect(followed.status).toBe(412);
    expect(followed.body).toBe("Invalid UTF8 or contains NULL");
  });
});

describe("object versioning: objects", () => {
  it(
    "a PUT answers X-Object-Version-Id, " +
      "and GET and HEAD serve the newest version with it and its ?version-id Content-Location",
    async ({ expect }) => {
      const c = await versioned();
      const first = await put(`${c}/obj`, "one", { "Content-Type": "text/x-one", "X-Object-Meta-A": "1" });
      expect(first.status).toBe(201);
      const v1 = first.headers.get("x-object-version-id");
      expect(v1).toMatch(/^\d{10}\.\d{5}$/);
      expect(first.headers.get("etag")).toBe("f97c5d29941bfb1b2fdab0874906ab82");
      const v2 = await putVersion(`${c}/obj`, "twotwo", { "Content-Type": "text/x-two" });
      expect(v2 > (v1 ?? "")).toBe(true);
      for (const method of ["GET", "HEAD"]) {
        const got = await send(method, `${A}/${c}/obj`);
        expect(got.status).toBe(200);
        expect(got.body).toBe(method === "GET" ? "twotwo" : "");
        expect(got.headers.get("content-type")).toBe("text/x-two");
        expect(got.headers.get("content-length")).toBe("6");
        expect(got.headers.get("etag")).toBe("c29061571064e796be195d4b9b99bc8b");
        expect(got.headers.get("x-object-version-id")).toBe(v2);
        expect(got.headers.get("x-timestamp")).toBe(v2);
        expect(got.headers.get("x-object-meta-a")).toBeNull();
        expect(got.headers.get("content-location")).toBe(`/v1/AUTH_test/${c}/obj?version-id=${v2}`);
      }
      const old = await send("GET", `${A}/${c}/obj?version-id=${v1}`);
      expect(old.body).toBe("one");
      expect(old.headers.get("x-object-version-id")).toBe(v1);
      expect(old.headers.get("content-type")).toBe("text/x-one");
      expect(old.headers.get("x-object-meta-a")).toBe("1");
      expect(old.headers.get("content-location")).toBeNull();
    },
  );

  it("?symlink=get shows the link to the current version as Swift shows it", async ({ expect }) => {
    const c = await versioned();
    const v = await putVersion(`${c}/obj`, "abc", { "Content-Type": "text/x-abc" });
    const link = await send("GET", `${A}/${c}/obj?symlink=get`);
    expect(link.status).toBe(200);
    expect(link.body).toBe("");
    expect(link.headers.get("content-type")).toBe("text/x-abc");
    expect(link.headers.get("etag")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(link.headers.get("x-symlink-target")).toBe(`${c}/obj?version-id=${v}`);
    expect(link.headers.get("x-symlink-target-etag")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(link.headers.get("x-symlink-target-bytes")).toBe("3");
    expect(link.headers.get("x-object-version-id")).toBe(v);
  });

  it(
    "the container listing shows a versioned object with the version's bytes, ETag and content type, " +
      "in every format",
    async ({ expect }) => {
      const c = await versioned();
      const v = await putVersion(`${c}/obj`, "abc", { "Content-Type": "text/plain; charset=utf-8" });
      const json = await send("GET", `${A}/${c}?format=json`);
      expect(json.body).toMatch(
        new RegExp(
          `^\\[\\{"bytes": 3, "hash": "900150983cd24fb0d6963f7d28e17f72", "name": "obj", ` +
            `"content_type": "text/plain", "last_modified": "[0-9T:.-]+", ` +
            `"symlink_path": "/v1/AUTH_test/${c}/obj\\?version-id=${v}", "version_symlink": true\\}\\]$`,
        ),
      );
      expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const xml = await send("GET", `${A}/${c}?format=xml`);
      expect(xml.body).toMatch(
        new RegExp(
          `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<container name="${c}">` +
            `<object><name>obj</name><hash>900150983cd24fb0d6963f7d28e17f72</hash><bytes>3</bytes>` +
            `<content_type>text/plain</content_type><last_modified>[0-9T:.-]+</last_modified></object></container>$`,
        ),
      );
      const plain = await send("GET", `${A}/${c}`);
      expect(plain.body).toBe("obj\n");
      expect(plain.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(plain.headers.get("vary")).toBe("Accept");
    },
  );

  it("GET ?versions lists every version newest first, with is_latest and version_id, as Swift's JSON", async ({
    expect,
  }) => {
    const c = await versioned();
    const v1 = await putVersion(`${c}/obj`, "one", { "Content-Type": "text/x-one" });
    const v2 = await putVersion(`${c}/obj`, "twotwo", { "Content-Type": "text/x-two" });
    const listed = await send("GET", `${A}/${c}?versions`);
    expect(listed.status).toBe(200);
    expect(listed.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(listed.headers.get("vary")).toBeNull();
    expect(listed.body).toMatch(
      new RegExp(
        `^\\[\\{"bytes": 6, "hash": "c29061571064e796be195d4b9b99bc8b", "name": "obj", "content_type": "text/x-two", ` +
          `"last_modified": "[0-9T:.-]+", "is_latest": true, "version_id": "${v2}"\\}, ` +
          `\\{"bytes": 3, "hash": "f97c5d29941bfb1b2fdab0874906ab82", "name": "obj", "content_type": "text/x-one", ` +
          `"last_modified": "[0-9T:.-]+", "is_latest": false, "version_id": "${v1}"\\}\\]$`,
      ),
    );
  });

  it("?versions lists unversioned objects with version_id null, and is JSON only (406 for XML or plain text)", async ({
    expect,
  }) => {
    const c = unique("ovnull");
    await send("PUT", `${A}/${c}`);
    await put(`${c}/a`, "A");
    const before = await versions(c);
    expect(Object.keys(before[0] ?? {})).toEqual([
      "bytes",
      "hash",
      "name",
      "content_type",
      "last_modified",
      "version_id",
      "is_latest",
    ]);
    expect(summary(before)).toEqual([["a", "null", true, "application/octet-stream"]]);
    await send("POST", `${A}/${c}`, { headers: { "X-Versions-Enabled": "true" } });
    const vb = await putVersion(`${c}/b`, "B");
    expect(summary(await versions(c))).toEqual([
      ["a", "null", true, "application/octet-stream"],
      ["b", vb, true, "application/octet-stream"],
    ]);
    for (const query of ["&format=xml", "&format=plain"])
      expect((await send("GET", `${A}/${c}?versions${query}`)).status).toBe(406);
    expect((await send("GET", `${A}/${c}?versions`, { headers: { Accept: "text/plain" } })).status).toBe(406);
  });

  it("?versions takes marker with version_marker, prefix, limit, reverse and delimiter as Swift does", async ({
    expect,
  }) => {
    const c = await versioned();
    const a1 = await putVersion(`${c}/a`, "1");
    const a2 = await putVersion(`${c}/a`, "2");
    const a3 = await putVersion(`${c}/a`, "3");
    const b1 = await putVersion(`${c}/b`, "1");
    const d1 = await putVersion(`${c}/d/x`, "1");
    const ids = async (query: string) =>
      (await versions(c, query)).map(
        (item) => (item.name ?? (item as { subdir?: string }).subdir) + ":" + (item.version_id ?? ""),
      );
    expect(await ids("")).toEqual([`a:${a3}`, `a:${a2}`, `a:${a1}`, `b:${b1}`, `d/x:${d1}`]);
    expect(await ids(`&marker=a&version_marker=${a2}`)).toEqual([`a:${a1}`, `b:${b1}`, `d/x:${d1}`]);
    expect(await ids("&marker=a")).toEqual([`b:${b1}`, `d/x:${d1}`]);
    // Swift 2.30.1 keeps `marker` as it is for version_marker=null: every hidden name sorts before it.
    expect(await ids("&marker=a&version_marker=null")).toEqual([]);
    expect(await ids("&prefix=b")).toEqual([`b:${b1}`]);
    expect(await ids("&limit=2")).toEqual([`a:${a3}`, `a:${a2}`]);
    expect(await ids("&limit=2&reverse=on")).toEqual([`d/x:${d1}`, `b:${b1}`]);
    expect(await ids("&delimiter=/")).toEqual([`a:${a3}`, `a:${a2}`, `a:${a1}`, `b:${b1}`, "d/:"]);
    const bad: [string, string][] = [
      ["&version_marker=1", "version_marker param requires marker"],
      ["&marker=a&version_marker=nope", "invalid version_marker param"],
      ["&delimiter=1", "invalid delimiter param"],
      ["&delimiter=.", "invalid delimiter param"],
    ];
    for (const [query, message] of bad) {
      const refused = await send("GET", `${A}/${c}?versions${query}`);
      expect(refused.status).toBe(400);
      expect(refused.body).toBe(message);
    }
  });

  it(
    "?version-id reads a version; a malformed id is 400, POST with one is 400, " +
      "and an unversioned container refuses ids",
    async ({ expect }) => {
      const c = await versioned();
      const v1 = await putVersion(`${c}/obj`, "one");
      await putVersion(`${c}/obj`, "two");
      const head = await send("HEAD", `${A}/${c}/obj?version-id=${v1}`);
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe("3");
      expect(head.headers.get("x-object-version-id")).toBe(v1);
      const missing = await send("GET", `${A}/${c}/obj?version-id=1.0`);
      expect(missing.status).toBe(404);
      const bad = await send("GET", `${A}/${c}/obj?version-id=bad`);
      expect(bad.status).toBe(400);
      expect(bad.body).toBe("Invalid version parameter");
      const post = await send("POST", `${A}/${c}/obj?version-id=${v1}`, { headers: { "X-Object-Meta-X": "y" } });
      expect(post.status).toBe(400);
      expect(post.body).toBe("POST to a specific version is not allowed");
      const plain = unique("ovplain");
      await send("PUT", `${A}/${plain}`);
      await put(`${plain}/o`, "x");
      const refused = await send("GET", `${A}/${plain}/o?version-id=${v1}`);
      expect(refused.status).toBe(400);
      expect(refused.body).toBe("version-aware operations require that the container is versioned");
    },
  );

  it("version-id=null reads an object that is no version (X-Object-Version-Id: null), and 404 for one that is", async ({
    expect,
  }) => {
    const c = unique("ovn");
    await send("PUT", `${A}/${c}`);
    await put(`${c}/plain`, "p");
    await send("POST", `${A}/${c}`, { headers: { "X-Versions-Enabled": "true" } });
    await put(`${c}/versioned`, "v");
    const plain = await send("GET", `${A}/${c}/plain?version-id=null`);
    expect(plain.status).toBe(200);
    expect(plain.body).toBe("p");
    expect(plain.headers.get("x-object-version-id")).toBe("null");
    expect((await send("GET", `${A}/${c}/plain`)).headers.get("x-object-version-id")).toBe("null");
    const versionedNull = await send("GET", `${A}/${c}/versioned?version-id=null`);
    expect(versionedNull.status).toBe(404);
  });

  it("PUT ?version-id with no body makes that version current; with a body 400, for a missing version 404", async ({
    expect,
  }) => {
    const c = await versioned();
    const v1 = await putVersion(`${c}/obj`, "one", { "Content-Type": "text/x-one" });
    const v2 = await putVersion(`${c}/obj`, "two", { "Content-Type": "text/x-two" });
    const made = await send("PUT", `${A}/${c}/obj?version-id=${v1}`, { body: "" });
    expect(made.status).toBe(201);
    expect(made.headers.get("x-object-version-id")).toBe(v1);
    expect(made.headers.get("etag")).toBe("f97c5d29941bfb1b2fdab0874906ab82");
    expect((await send("GET", `${A}/${c}/obj`)).body).toBe("one");
    expect(summary(await versions(c))).toEqual([
      ["obj", v2, false, "text/x-two"],
      ["obj", v1, true, "text/x-one"],
    ]);
    const withBody = await send("PUT", `${A}/${c}/obj?version-id=${v2}`, { body: "x" });
    expect(withBody.status).toBe(400);
    expect(withBody.body).toBe("PUT version-id requests require a zero byte body");
    const missing = await send("PUT", `${A}/${c}/obj?version-id=1.0`, { body: "" });
    expect(missing.status).toBe(404);
    expect(missing.body).toBe("The specified version does not exist");
    expect((await send("GET", `${A}/${c}/obj`)).body).toBe("one");
  });

  it(
    "DELETE writes a delete marker and answers its X-Object-Version-Id; " +
      "GET of the marker is 404 with Swift's headers",
    async ({ expect }) => {
      const c = await versioned();
      await put(`${c}/obj`, "one");
      const deleted = await send("DELETE", `${A}/${c}/obj`);
      expect(deleted.status).toBe(204);
      const marker = deleted.headers.get("x-object-version-id");
      expect(marker).toMatch(/^\d{10}\.\d{5}$/);
      const gone = await send("GET", `${A}/${c}/obj`);
      expect(gone.status).toBe(404);
      expect(gone.headers.get("x-object-version-id")).toBe("null");
      expect((await versions(c)).map((item) => [item.content_type, item.is_latest, item.bytes])).toEqual([
        [MARKER, true, 0],
        ["application/octet-stream", false, 3],
      ]);
      for (const method of ["GET", "HEAD"]) {
        const markerGet = await send(method, `${A}/${c}/obj?version-id=${marker}`);
        expect(markerGet.status).toBe(404);
        expect(markerGet.headers.get("content-type")).toBe(MARKER);
        expect(markerGet.headers.get("x-object-version-id")).toBe(marker);
        expect(markerGet.body).toBe(method === "GET" ? NOT_FOUND : "");
      }
      expect((await send("GET", `${A}/${c}?format=json`)).body).toBe("[]");
    },
  );

  it("DELETE of an object not there writes a delete marker and answers 404 with its X-Object-Version-Id", async ({
    expect,
  }) => {
    const c = await versioned();
    const deleted = await send("DELETE", `${A}/${c}/never`);
    expect(deleted.status).toBe(404);
    const marker = deleted.headers.get("x-object-version-id");
    expect(summary(await versions(c))).toEqual([["never", marker, true, MARKER]]);
  });

  it("DELETE ?version-id of the current version removes it and its link (no older version becomes current)", async ({
    expect,
  }) => {
    const c = await versioned();
    const v1 = await putVersion(`${c}/obj`, "one");
    const v2 = await putVersion(`${c}/obj`, "two");
    const deleted = await send("DELETE", `${A}/${c}/obj?version-id=${v2}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("x-object-version-id")).toBe(v2);
    expect(deleted.headers.get("x-object-current-version-id")).toBe("null");
    expect((await send("GET", `${A}/${c}/obj`)).status).toBe(404);
    expect(summary(await versions(c))).toEqual([["obj", v1, false, "application/octet-stream"]]);
  });

  it("DELETE ?version-id of an older version removes it alone and names the current one", async ({ expect }) => {
    const c = await versioned();
    const v1 = await putVersion(`${c}/obj`, "one");
    const v2 = await putVersion(`${c}/obj`, "two");
    const deleted = await send("DELETE", `${A}/${c}/obj?version-id=${v1}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("x-object-version-id")).toBe(v1);
    expect(deleted.headers.get("x-object-current-version-id")).toBe(v2);
    expect((await send("GET", `${A}/${c}/obj`)).body).toBe("two");
    expect(summary(await versions(c))).toEqual([["obj", v2, true, "application/octet-stream"]]);
  });

  it(
    "DELETE ?version-id of a delete marker removes the marker; " +
      "DELETE ?version-id=null removes the current link and keeps every version",
    async ({ expect }) => {
      const c = await versioned();
      await put(`${c}/obj`, "one");
      const marker = (await send("DELETE", `${A}/${c}/obj`)).headers.get("x-object-version-id");
      const removed = await send("DELETE", `${A}/${c}/obj?version-id=${marker}`);
      expect(removed.status).toBe(204);
      expect(removed.headers.get("x-object-version-id")).toBe(marker);
      expect((await versions(c)).map((item) => item.content_type)).toEqual(["application/octet-stream"]);
      const d = await versioned();
      await put(`${d}/obj`, "one");
      await put(`${d}/obj`, "two");
      const nulled = await send("DELETE", `${A}/${d}/obj?version-id=null`);
      expect(nulled.status).toBe(204);
      expect((await send("GET", `${A}/${d}/obj`)).status).toBe(404);
      expect(await versions(d)).toHaveLength(2);
    },
  );

  it("COPY with ?version-id restores an old version as a new current version, with X-Copied-From-Version-Id", async ({
    expect,
  }) => {
    const c = await versioned();
    const v1 = await putVersion(`${c}/obj`, "version1", { "Content-Type": "text/jibberish32", "X-Object-Meta-A": "1" });
    const v2 = await putVersion(`${c}/obj`, "version2", { "Content-Type": "text/jibberish33" });
    const copied = await send("COPY", `${A}/${c}/obj?version-id=${v1}`, { headers: { Destination: `${c}/obj` } });
    expect(copied.status).toBe(201);
    const v3 = copied.headers.get("x-object-version-id");
    expect(copied.headers.get("x-copied-from-version-id")).toBe(v1);
    expect(copied.headers.get("x-copied-from")).toBe(`${c}/obj`);
    const got = await send("GET", `${A}/${c}/obj`);
    expect(got.body).toBe("version1");
    expect(got.headers.get("content-type")).toBe("text/jibberish32");
    expect(got.headers.get("x-object-meta-a")).toBe("1");
    expect(summary(await versions(c, "&reverse=on"))).toEqual([
      ["obj", v1, false, "text/jibberish32"],
      ["obj", v2, false, "text/jibberish33"],
      ["obj", v3, true, "text/jibberish32"],
    ]);
    const fromHeader = await send("PUT", `${A}/${c}/other?version-id=${v2}`, {
      headers: { "X-Copy-From": `${c}/obj`, "Content-Length": "0" },
    });
    expect(fromHeader.status).toBe(201);
    expect(fromHeader.headers.get("x-copied-from-version-id")).toBe(v2);
    expect((await send("GET", `${A}/${c}/other`)).body).toBe("version2");
  });

  it("POST to a versioned object updates the current version's metadata and content type, no new version", async ({
    expect,
  }) => {
    const c = await versioned();
    const v = await putVersion(`${c}/o`, "version1", { "Content-Type": "text/jibberish10" });
    const post = await send("POST", `${A}/${c}/o`, {
      headers: { "Content-Type": "text/updated20", "X-Object-Meta-Color": "red" },
    });
    expect(post.status).toBe(202);
    const head = await send("HEAD", `${A}/${c}/o`);
    expect(head.headers.get("content-type")).toBe("text/updated20");
    expect(head.headers.get("x-object-meta-color")).toBe("red");
    expect(head.headers.get("x-object-version-id")).toBe(v);
    const listed = await versions(c);
    expect(
      listed.map(({ name, bytes, content_type, hash, version_id, is_latest }) => ({
        name,
        bytes,
        content_type,
        hash,
        version_id,
        is_latest,
      })),
    ).toEqual([
      {
        name: "o",
        bytes: 8,
        content_type: "text/updated20",
        hash: "966634ebf2fc135707d6753692bf4b1e",
        version_id: v,
        is_latest: true,
      },
    ]);
    expect((await send("GET", `${A}/${c}/o?symlink=get`)).headers.get("x-object-meta-color")).toBe("red");
  });

  it(
    "with versioning off, old versions stay, a PUT overwrites as a null version and a DELETE writes no marker; " +
      "turned on again, the null version is kept as a version",
    async ({ expect }) => {
      const c = await versioned();
      const v1 = await putVersion(`${c}/obj`, "version1", { "Content-Type": "text/jibberish18" });
      await send("POST", `${A}/${c}`, { headers: { "X-Versions-Enabled": "false" } });
      expect((await send("DELETE", `${A}/${c}/obj`)).status).toBe(204);
      expect(await versions(c)).toHaveLength(1);
      expect((await send("GET", `${A}/${c}/obj?version-id=${v1}`)).body).toBe("version1");
      const overwrite = await put(`${c}/obj`, "version2", { "Content-Type": "text/jibberish19" });
      expect(overwrite.status).toBe(201);
      expect(overwrite.headers.get("x-object-version-id")).toBeNull();
      expect(summary(await versions(c))).toEqual([
        ["obj", "null", true, "text/jibberish19"],
        ["obj", v1, false, "text/jibberish18"],
      ]);
      const plainTimestamp = (await send("HEAD", `${A}/${c}/obj`)).headers.get("x-timestamp");
      await send("POST", `${A}/${c}`, { headers: { "X-Versions-Enabled": "true" } });
      const v3 = await putVersion(`${c}/obj`, "version3");
      expect(summary(await versions(c))).toEqual([
        ["obj", v3, true, "application/octet-stream"],
        ["obj", plainTimestamp, false, "text/jibberish19"],
        ["obj", v1, false, "text/jibberish18"],
      ]);
      expect((await send("GET", `${A}/${c}/obj?version-id=${plainTimestamp}`)).body).toBe("version2");
    },
  );

  it("a refused PUT or DELETE writes no version: a wrong ETag (422), a malformed X-If-Delete-At (400)", async ({
    expect,
  }) => {
    const c = await versioned();
    await put(`${c}/obj`, "one");
    expect((await put(`${c}/obj`, "two", { ETag: "00000000000000000000000000000000" })).status).toBe(422);
    expect((await send("DELETE", `${A}/${c}/obj`, { headers: { "X-If-Delete-At": "soon" } })).status).toBe(400);
    expect(await versions(c)).toHaveLength(1);
    expect((await send("GET", `${A}/${c}/obj`)).body).toBe("one");
  });
});

describe("object versioning: ACLs", () => {
  it(
    "a user with read and write ACLs on the container reads, writes, deletes and lists versions, " +
      "but may not use ?version-id (403)",
    async ({ expect }) => {
      const c = await versioned({ "X-Container-Read": "test:tester3", "X-Container-Write": "test:tester3" });
      const as = { user: TESTER3 };
      const v1 = await putVersion(`${c}/obj`, "owner");
      const written = await put(`${c}/obj`, "tester3", {}, as);
      expect(written.status).toBe(201);
      const v2 = written.headers.get("x-object-version-id");
      const got = await send("GET", `${A}/${c}/obj`, as);
      expect(got.body).toBe("tester3");
      expect(got.headers.get("x-object-version-id")).toBe(v2);
      expect(summary(await versions(c, "", as))).toEqual([
        ["obj", v2, true, "application/octet-stream"],
        ["obj", v1, false, "application/octet-stream"],
      ]);
      expect((await send("GET", `${A}/${c}/obj?version-id=${v1}`, as)).status).toBe(403);
      expect((await send("DELETE", `${A}/${c}/obj?version-id=${v2}`, as)).status).toBe(403);
      expect((await send("GET", `${A}/${c}/obj`, as)).body).toBe("tester3");
      expect((await send("DELETE", `${A}/${c}/obj`, as)).status).toBe(204);
      expect(await versions(c)).toHaveLength(3);
    },
  );

  it("a user with no ACL gets 403 on the versioned object and its versions", async ({ expect }) => {
    const c = await versioned();
    const v = await putVersion(`${c}/obj`, "x");
    const as = { user: TESTER3 };
    expect((await send("GET", `${A}/${c}/obj`, as)).status).toBe(403);
    expect((await send("GET", `${A}/${c}/obj?version-id=${v}`, as)).status).toBe(403);
    expect((await send("GET", `${A}/${c}?versions`, as)).status).toBe(403);
  });
});

describe("object versioning: large objects and symlinks", () => {
  it(
    "an SLO manifest PUT in a versioned container is a version; GET reads the large object; " +
      "the listing shows its size and slo_etag",
    async ({ expect }) => {
      const c = await versioned();
      const segments = unique("ovseg");
      await send("PUT", `${A}/${segments}`);
      await put(`${segments}/s1`, "aaaa");
      await put(`${segments}/s2`, "bb");
      const manifest = JSON.stringify([{ path: `${segments}/s1` }, { path: `${segments}/s2` }]);
      const made = await send("PUT", `${A}/${c}/m?multipart-manifest=put`, { body: manifest });
      expect(made.status).toBe(201);
      const v = made.headers.get("x-object-version-id");
      expect(v).toMatch(/^\d{10}\.\d{5}$/);
      const got = await send("GET", `${A}/${c}/m`);
      expect(got.body).toBe("aaaabb");
      expect(got.headers.get("x-static-large-object")).toBe("True");
      expect(got.headers.get("x-object-version-id")).toBe(v);
      expect((await send("GET", `${A}/${c}/m?version-id=${v}`)).body).toBe("aaaabb");
      const listed = JSON.parse((await send("GET", `${A}/${c}?format=json`)).body) as Record<string, unknown>[];
      expect(listed[0]).toMatchObject({ bytes: 6, version_symlink: true, slo_etag: made.headers.get("etag") });
      expect(Object.keys(listed[0] ?? {}).slice(-2)).toEqual(["version_symlink", "slo_etag"]);
      const [version] = await versions(c);
      expect(version).toMatchObject({ name: "m", bytes: 6, version_id: v, is_latest: true });
      expect(Object.keys(version ?? {}).slice(-3)).toEqual(["is_latest", "version_id", "slo_etag"]);
    },
  );

  it("a POST to a versioned SLO updates its metadata and keeps it a large object", async ({ expect }) => {
    const c = await versioned();
    const segments = unique("ovpseg");
    await send("PUT", `${A}/${segments}`);
    await put(`${segments}/s1`, "aaaa");
    await put(`${segments}/s2`, "bb");
    const made = await send("PUT", `${A}/${c}/m?multipart-manifest=put`, {
      body: JSON.stringify([{ path: `${segments}/s1` }, { path: `${segments}/s2` }]),
    });
    const post = await send("POST", `${A}/${c}/m`, {
      headers: { "X-Object-Meta-Color": "red", "Content-Type": "text/x" },
    });
    expect(post.status).toBe(202);
    const got = await send("GET", `${A}/${c}/m`);
    expect(got.body).toBe("aaaabb");
    expect(got.headers.get("content-type")).toBe("text/x");
    expect(got.headers.get("x-object-meta-color")).toBe("red");
    expect((await versions(c))[0]).toMatchObject({
      bytes: 6,
      content_type: "text/x",
      version_id: made.headers.get("x-object-version-id"),
    });
  });

  it("a DLO manifest PUT in a versioned container is a version; GET and ?version-id read the large object", async ({
    expect,
  }) => {
    const c = await versioned();
    const segments = unique("ovdseg");
    await send("PUT", `${A}/${segments}`);
    await put(`${segments}/s1`, "aaaa");
    await put(`${segments}/s2`, "bb");
    const v1 = await putVersion(`${c}/dlo`, "old content");
    const v2 = await putVersion(`${c}/dlo`, "", { "X-Object-Manifest": `${segments}/s` });
    const got = await send("GET", `${A}/${c}/dlo`);
    expect(got.body).toBe("aaaabb");
    expect(got.headers.get("x-object-manifest")).toBe(`${segments}/s`);
    expect(got.headers.get("x-object-version-id")).toBe(v2);
    await put(`${c}/dlo`, "new content");
    expect((await send("GET", `${A}/${c}/dlo?version-id=${v2}`)).body).toBe("aaaabb");
    expect((await send("GET", `${A}/${c}/dlo?version-id=${v1}`)).body).toBe("old content");
  });

  it(
    "a symlink PUT in a versioned container is a version whose GET follows the link; " +
      "an older link version reads as it was",
    async ({ expect }) => {
      const c = await versioned();
      await put(`${c}/target-a`, "aaaaa", { "Content-Type": "text/jibberish01" });
      await put(`${c}/target-b`, "bbbbb");
      const v1 = await putVersion(`${c}/link`, "", {
        "X-Symlink-Target": `${c}/target-a`,
        "Content-Type": "application/symlink",
      });
      expect((await send("GET", `${A}/${c}/link`)).body).toBe("aaaaa");
      await putVersion(`${c}/link`, "", { "X-Symlink-Target": `${c}/target-b`, "Content-Type": "application/symlink" });
      expect((await send("GET", `${A}/${c}/link`)).body).toBe("bbbbb");
      const old = await send("GET", `${A}/${c}/link?version-id=${v1}`);
      expect(old.body).toBe("aaaaa");
      expect(old.headers.get("content-type")).toBe("text/jibberish01");
      const oldLink = await send("HEAD", `${A}/${c}/link?version-id=${v1}&symlink=get`);
      expect(oldLink.headers.get("content-type")).toBe("application/symlink");
      expect(oldLink.headers.get("x-symlink-target")).toBe(`${c}/target-a`);
      expect((await versions(c, "&prefix=link")).map((item) => [item.bytes, item.content_type])).toEqual([
        [0, "application/symlink"],
        [0, "application/symlink"],
      ]);
    },
  );
});

describe("object versioning: a version link is no key to hidden names elsewhere", () => {
  it(
    "a version link archived as stored into another container (legacy versioning) " +
      "is not followed into the hidden container",
    async ({ expect }) => {
      const container = await versioned();
      const archive = unique("ov-archive");
      expect((await send("PUT", `${A}/${archive}`)).status).toBe(201);
      await putVersion(`${container}/doc`, "secret v1");
      // Versioning off, then legacy versioning on: the next PUT archives the current object, a version link, as stored.
      expect((await send("POST", `${A}/${container}`, { headers: { "X-Versions-Enabled": "false" } })).status).toBe(
        204,
      );
      const legacy = await send("POST", `${A}/${container}`, { headers: { "X-Versions-Location": archive } });
      expect(legacy.status).toBe(204);
      expect((await put(`${container}/doc`, "v2")).status).toBe(201);
      const listed = JSON.parse((await send("GET", `${A}/${archive}?format=json`)).body) as { name: string }[];
      expect(listed).toHaveLength(1);
      // Read as a user the archive's ACL lets in, who has no right to the versioned container.
      expect((await send("POST", `${A}/${archive}`, { headers: { "X-Container-Read": "test:tester3" } })).status).toBe(
        204,
      );
      const read = await send("GET", `${A}/${archive}/${listed[0]!.name}`, { user: TESTER3 });
      expect(read.status).toBe(403);
      expect(read.body).not.toContain("secret v1");
    },
  );
});
