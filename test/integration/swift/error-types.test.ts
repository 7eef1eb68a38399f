/**
 * @module
 * The content type of every error detail edgeswift raises, through the Worker: swob's default
 * text/html (SwiftError.html, where Swift's raising code names no content type; each checked
 * against a Swift 2.30.1 proxy) next to the text/plain of the checks that name it (SwiftError).
 * One test per throw site of SwiftError.html in src/, with its text/plain neighbours; each asserts
 * the status, the exact body and the Content-Type. Errors that bulk and slo's delete report inside
 * their streamed result have no content type of their own: their tests assert the report.
 */

import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { parseConfig } from "../../../src/config/config";
import { serviceContext } from "../../../src/proxy/services/context";
import { putObject } from "../../../src/proxy/services/object";
import { BASE, send, swift, swiftWithVars, text, tokenFor, unique, type SwiftInit } from "../../helpers";

const A = "/AUTH_test";
const HTML = "text/html; charset=UTF-8";
const PLAIN = "text/plain";
const ADMIN: [string, string] = ["admin:admin", "admin"];
const JSON_ACCEPT = { Accept: "application/json" };
const bytes = (s: string) => new TextEncoder().encode(s);

interface Answer {
  status: number;
  type: string | null;
  body: string;
}

/** Status, content type and body of a response, read whole. */
async function answer(response: Response): Promise<Answer> {
  return { status: response.status, type: response.headers.get("content-type"), body: await text(response) };
}

/** A Swift API request (below /v1) answered as status, content type and body. */
async function call(method: string, path: string, init: SwiftInit = {}): Promise<Answer> {
  return answer(await swift(method, path, init));
}

/** A request to any path of the Worker (not only below /v1), with the tester's token. */
async function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const token = await tokenFor();
  return answer(
    await exports.default.fetch(`${BASE}${path}`, { method, headers: { "X-Auth-Token": token, ...headers } }),
  );
}

/** A new container of AUTH_test (with `headers`); its path. */
async function container(prefix: string, headers: Record<string, string> = {}): Promise<string> {
  const name = unique(prefix);
  const put = await send("PUT", `${A}/${name}`, { headers });
  if (put.status !== 201) throw new Error(`container PUT ${name}: ${put.status} ${put.body}`);
  return `${A}/${name}`;
}

/** An object PUT that must succeed. */
async function object(path: string, body = "x", headers: Record<string, string> = {}): Promise<void> {
  const put = await send("PUT", path, { body: bytes(body), headers });
  if (put.status !== 201) throw new Error(`object PUT ${path}: ${put.status} ${put.body}`);
}

/** An SLO manifest PUT (`segments` as its JSON) that must succeed. */
async function manifest(path: string, segments: unknown[]): Promise<void> {
  const put = await send("PUT", `${path}?multipart-manifest=put`, { body: JSON.stringify(segments) });
  if (put.status !== 201) throw new Error(`manifest PUT ${path}: ${put.status} ${put.body}`);
}

/** A request through the Worker with STORAGE_POLICIES replaced (the tester's token). */
async function withPolicies(
  policies: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return answer(await swiftWithVars({ STORAGE_POLICIES: policies }, method, path, headers));
}

/** A bulk-style report (bulk delete, slo's delete) read as JSON. */
interface Report {
  "Response Status": string;
  "Response Body": string;
  Errors: [string, string][];
}

let C: string;
beforeAll(async () => {
  C = await container("errtypes");
  await object(`${C}/plain`, "plain body");
});

describe("paths (Swift: proxy/server.py, constraints.check_utf8, split_path)", () => {
  it("a path that is not UTF-8 is 412 'Invalid UTF8 or contains NULL' as swob's text/html", async ({ expect }) => {
    expect(await raw("GET", "/v1/AUTH_test/c%FF")).toEqual({
      status: 412,
      type: HTML,
      body: "Invalid UTF8 or contains NULL",
    });
  });

  it("a path holding a NUL is 412 'Invalid UTF8 or contains NULL' as swob's text/html", async ({ expect }) => {
    expect(await raw("GET", "/v1/AUTH_test/c/o%00")).toEqual({
      status: 412,
      type: HTML,
      body: "Invalid UTF8 or contains NULL",
    });
  });

  it("a path without an account is 412 'Bad URL' as swob's text/html", async ({ expect }) => {
    expect(await raw("GET", "/v1//c")).toEqual({ status: 412, type: HTML, body: "Bad URL" });
  });
});

describe("name lengths (Swift: account.py, container.py, constraints.check_object_creation)", () => {
  it("an account name over 256 bytes is 400 'Account name length of 265 longer than 256' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("GET", `/AUTH_${"x".repeat(260)}`, { user: ADMIN })).toEqual({
      status: 400,
      type: HTML,
      body: "Account name length of 265 longer than 256",
    });
  });

  it(
    "a container name over 256 bytes is 400 'Container name length " + "of 257 longer than 256' as swob's text/html",
    async ({ expect }) => {
      expect(await call("PUT", `${A}/${"c".repeat(257)}`)).toEqual({
        status: 400,
        type: HTML,
        body: "Container name length of 257 longer than 256",
      });
    },
  );

  it("an object name over 1024 bytes is 400 'Object name length of 1025 longer than 1024' as text/plain", async ({
    expect,
  }) => {
    expect(await call("PUT", `${C}/${"o".repeat(1025)}`, { body: bytes("x") })).toEqual({
      status: 400,
      type: PLAIN,
      body: "Object name length of 1025 longer than 1024",
    });
  });

  it(
    "a copy to an object name over 1024 bytes is 400 'Object name " + "length of 1025 longer than 1024' as text/plain",
    async ({ expect }) => {
      const destination = `${C.slice(A.length + 1)}/${"o".repeat(1025)}`;
      expect(await call("COPY", `${C}/plain`, { headers: { Destination: destination } })).toEqual({
        status: 400,
        type: PLAIN,
        body: "Object name length of 1025 longer than 1024",
      });
    },
  );
});

describe("object PUT framing (Swift: constraints.check_object_creation, proxy/server.py)", () => {
  it("a Content-Length that is not a number is 400 'Invalid Content-Length header value' as text/plain", async ({
    expect,
  }) => {
    expect(await call("PUT", `${C}/bad-length`, { headers: { "Content-Length": "X" }, body: bytes("x") })).toEqual({
      status: 400,
      type: PLAIN,
      body: "Invalid Content-Length header value",
    });
  });

  it("a negative Content-Length is 400 'Invalid Content-Length' as swob's text/html", async ({ expect }) => {
    expect(
      await call("PUT", `${C}/negative-length`, { headers: { "Content-Length": "-1" }, body: bytes("x") }),
    ).toEqual({ status: 400, type: HTML, body: "Invalid Content-Length" });
  });

  it("X-Static-Large-Object on a plain PUT is 400 with slo's reserved-header message as swob's text/html", async ({
    expect,
  }) => {
    expect(
      await call("PUT", `${C}/reserved`, { headers: { "X-Static-Large-Object": "True" }, body: bytes("x") }),
    ).toEqual({
      status: 400,
      type: HTML,
      body:
        "X-Static-Large-Object is a reserved header. " +
        "To create a static large object add query param multipart-manifest=put.",
    });
  });

  it("X-Static-Large-Object on a POST is 400 with slo's reserved-header message as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("POST", `${C}/plain`, { headers: { "X-Static-Large-Object": "True" } })).toEqual({
      status: 400,
      type: HTML,
      body:
        "X-Static-Large-Object is a reserved header. " +
        "To create a static large object add query param multipart-manifest=put.",
    });
  });
});

describe("object conditionals and X-If-Delete-At (Swift: obj/server.py, swob conditional_response)", () => {
  it("a failed If-Match on an object GET is 412 with an empty body as swob's text/html", async ({ expect }) => {
    const response = await swift("GET", `${C}/plain`, { headers: { "If-Match": '"nope"' } });
    expect(await answer(response)).toEqual({ status: 412, type: HTML, body: "" });
    expect(response.headers.get("etag")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a bad X-If-Delete-At is 400 'Bad X-If-Delete-At header value' as swob's text/html", async ({ expect }) => {
    expect(await call("DELETE", `${C}/plain`, { headers: { "X-If-Delete-At": "x" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Bad X-If-Delete-At header value",
    });
  });

  it(
    "an X-If-Delete-At that is not the object's is 412 'X-If-Delete-At " +
      "and X-Delete-At do not match' as swob's text/html",
    async ({ expect }) => {
      expect(await call("DELETE", `${C}/plain`, { headers: { "X-If-Delete-At": "12345" } })).toEqual({
        status: 412,
        type: HTML,
        body: "X-If-Delete-At and X-Delete-At do not match",
      });
    },
  );

  it("a non-integer X-Delete-At is 400 'Non-integer X-Delete-At' as text/plain", async ({ expect }) => {
    expect(await call("PUT", `${C}/delete-at`, { headers: { "X-Delete-At": "soon" }, body: bytes("x") })).toEqual({
      status: 400,
      type: PLAIN,
      body: "Non-integer X-Delete-At",
    });
  });
});

describe("copy (Swift: common/middleware/copy.py)", () => {
  it("COPY without Destination is 412 'Destination header required' as swob's text/html", async ({ expect }) => {
    expect(await call("COPY", `${C}/plain`)).toEqual({
      status: 412,
      type: HTML,
      body: "Destination header required",
    });
  });

  it("a Destination without an object is 412 with copy's form message as swob's text/html", async ({ expect }) => {
    expect(await call("COPY", `${C}/plain`, { headers: { Destination: "only-a-container" } })).toEqual({
      status: 412,
      type: HTML,
      body: "Destination header must be of the form <container name>/<object name>",
    });
  });

  it("an X-Copy-From that cannot be percent-decoded is 412 with copy's form message as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("PUT", `${C}/copy-dest`, { headers: { "X-Copy-From": "c/%E0%A4%A" }, body: bytes("") })).toEqual({
      status: 412,
      type: HTML,
      body: "X-Copy-From header must be of the form <container name>/<object name>",
    });
  });

  it("an X-Copy-From with a body is 400 'Copy requests require a zero byte body' as text/plain", async ({ expect }) => {
    expect(
      await call("PUT", `${C}/copy-dest`, {
        headers: { "X-Copy-From": `${C.slice(A.length + 1)}/plain` },
        body: bytes("x"),
      }),
    ).toEqual({ status: 400, type: PLAIN, body: "Copy requests require a zero byte body" });
  });
});

describe("listings (Swift: request_helpers.get_param, constrain_req_limit, listing_formats)", () => {
  it("an account listing limit over 10000 is 412 'Maximum limit is 10000' as swob's text/html", async ({ expect }) => {
    expect(await call("GET", `${A}?limit=10001`)).toEqual({ status: 412, type: HTML, body: "Maximum limit is 10000" });
  });

  it("a container listing limit over 10000 is 412 'Maximum limit is 10000' as swob's text/html", async ({ expect }) => {
    expect(await call("GET", `${C}?limit=10001`)).toEqual({ status: 412, type: HTML, body: "Maximum limit is 10000" });
  });

  it("a marker that is not UTF-8 is 400 '\"marker\" parameter not valid UTF-8' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("GET", `${C}?marker=%FF`)).toEqual({
      status: 400,
      type: HTML,
      body: '"marker" parameter not valid UTF-8',
    });
  });

  it("an Accept with a q that is no number is 400 'Invalid Accept header' as swob's text/html", async ({ expect }) => {
    expect(await call("GET", C, { headers: { Accept: "application/json;q=x" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid Accept header",
    });
  });

  it("an Accept that is no media type is 400 'Invalid Accept header' as swob's text/html", async ({ expect }) => {
    expect(await call("GET", C, { headers: { Accept: "bad" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid Accept header",
    });
  });
});

describe("container ACLs (Swift: acl.py clean_acl)", () => {
  it("a referrer in a write ACL is 400 'Referrers not allowed in write ACL' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("PUT", `${A}/${unique("acl")}`, { headers: { "X-Container-Write": ".r:*" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Referrers not allowed in write ACL: '.r:*'",
    });
  });

  it("a referrer without a host is 400 'No host/domain value after referrer designation' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("POST", C, { headers: { "X-Container-Read": ".r:-" } })).toEqual({
      status: 400,
      type: HTML,
      body: "No host/domain value after referrer designation in ACL: '.r:-'",
    });
  });

  it("an unknown designator is 400 'Unknown designator' as swob's text/html", async ({ expect }) => {
    expect(await call("POST", C, { headers: { "X-Container-Read": "bob, .foo:bar" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Unknown designator '.foo' in ACL: '.foo:bar'",
    });
  });
});

describe("quotas (Swift: container_quotas.py, account_quotas.py)", () => {
  it("a container bytes quota that is no integer is 400 'Invalid bytes quota.' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("POST", C, { headers: { "X-Container-Meta-Quota-Bytes": "many" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid bytes quota.",
    });
  });

  it("a container count quota that is no integer is 400 'Invalid count quota.' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("PUT", `${A}/${unique("quota")}`, { headers: { "X-Container-Meta-Quota-Count": "x" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid count quota.",
    });
  });

  it("a PUT past a container's bytes quota is 413 'Upload exceeds quota.' as swob's text/html", async ({ expect }) => {
    const full = await container("quota", { "X-Container-Meta-Quota-Bytes": "3" });
    const refused = await swift("PUT", `${full}/o`, { body: bytes("four") });
    expect(await answer(refused)).toEqual({ status: 413, type: HTML, body: "Upload exceeds quota." });
    expect(refused.statusText).toBe("Request Entity Too Large");
  });

  it("a PUT past a container's count quota is 413 'Upload exceeds quota.' as swob's text/html", async ({ expect }) => {
    const full = await container("quota", { "X-Container-Meta-Quota-Count": "0" });
    expect(await call("PUT", `${full}/o`, { body: bytes("x") })).toEqual({
      status: 413,
      type: HTML,
      body: "Upload exceeds quota.",
    });
  });

  it("a PUT past the account's bytes quota is 413 'Upload exceeds quota.' as swob's text/html", async ({ expect }) => {
    const tester2: [string, string] = ["test2:tester2", "testing2"];
    expect((await send("PUT", "/AUTH_test2/quota", { user: tester2 })).status).toBe(201);
    const set = await send("POST", "/AUTH_test2", { headers: { "X-Account-Meta-Quota-Bytes": "1" }, user: ADMIN });
    expect(set.status).toBe(204);
    expect(await call("PUT", "/AUTH_test2/quota/o", { user: tester2, body: bytes("two") })).toEqual({
      status: 413,
      type: HTML,
      body: "Upload exceeds quota.",
    });
  });

  it("a reseller admin's account quota that is no integer is 400 with swob's Bad Request page", async ({ expect }) => {
    expect(
      await call("POST", "/AUTH_test2", { headers: { "X-Account-Meta-Quota-Bytes": "lots" }, user: ADMIN }),
    ).toEqual({
      status: 400,
      type: HTML,
      body:
        "<html><h1>Bad Request</h1><p>The server could not comply with the request " +
        "since it is either malformed or otherwise incorrect.</p></html>",
    });
  });
});

describe("container PUT and POST (Swift: container.py, utils.validate_sync_to)", () => {
  it("a deprecated storage policy is 400 \"Storage Policy 'silver' is deprecated\" as swob's text/html", async ({
    expect,
  }) => {
    expect(
      await withPolicies("0 gold default; 1 silver deprecated; 2 local", "PUT", `${A}/${unique("pol")}`, {
        "X-Storage-Policy": "silver",
      }),
    ).toEqual({ status: 400, type: HTML, body: "Storage Policy 'silver' is deprecated" });
  });

  it("an unknown storage policy is 400 \"Invalid X-Storage-Policy 'nope'\" as text/plain", async ({ expect }) => {
    expect(await call("PUT", `${A}/${unique("pol")}`, { headers: { "X-Storage-Policy": "nope" } })).toEqual({
      status: 400,
      type: PLAIN,
      body: "Invalid X-Storage-Policy 'nope'",
    });
  });

  it("an X-Container-Sync-To Swift cannot sync to is 400 with validate_sync_to's message as swob's text/html", async ({
    expect,
  }) => {
    expect(
      await call("POST", C, { headers: { "X-Container-Sync-To": "http://example.com/v1/AUTH_test/other" } }),
    ).toEqual({ status: 400, type: HTML, body: "Invalid host 'example.com' in X-Container-Sync-To" });
  });
});

describe("legacy versioned writes (Swift: versioned_writes/legacy.py, constraints.check_container_format)", () => {
  it("an X-Versions-Location with a slash is 412 'Container name cannot contain slashes' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("PUT", `${A}/${unique("vw")}`, { headers: { "X-Versions-Location": "a/b" } })).toEqual({
      status: 412,
      type: HTML,
      body: "Container name cannot contain slashes",
    });
  });

  it("X-Versions-Location with X-History-Location is 400 'Only one of … may be specified' as text/plain", async ({
    expect,
  }) => {
    expect(
      await call("PUT", `${A}/${unique("vw")}`, { headers: { "X-Versions-Location": "a", "X-History-Location": "b" } }),
    ).toEqual({
      status: 400,
      type: PLAIN,
      body: "Only one of x-versions-location or x-history-location may be specified",
    });
  });
});

describe("object versioning (Swift: object_versioning.py)", () => {
  /** A new container with versioning enabled; its path. */
  const versioned = () => container("ov", { "X-Versions-Enabled": "true" });

  it(
    "enabling versioning on a legacy versioned container is 400 " +
      "'Cannot enable object versioning…' as swob's text/html",
    async ({ expect }) => {
      const legacy = await container("ovleg", { "X-Versions-Location": "archive" });
      expect(await call("POST", legacy, { headers: { "X-Versions-Enabled": "true" } })).toEqual({
        status: 400,
        type: HTML,
        body:
          "Cannot enable object versioning on a container that is already using " +
          "the legacy versioned writes feature.",
      });
    },
  );

  it(
    "enabling versioning on a syncing container is 400 'Cannot " + "enable object versioning…' as swob's text/html",
    async ({ expect }) => {
      const syncing = await container("ovsync", {
        "X-Container-Sync-To": "http://127.0.0.1/v1/AUTH_test/other",
        "X-Container-Sync-Key": "k",
      });
      expect(await call("POST", syncing, { headers: { "X-Versions-Enabled": "true" } })).toEqual({
        status: 400,
        type: HTML,
        body: "Cannot enable object versioning on a container configured as source of container syncing.",
      });
    },
  );

  it("enabling versioning on a container of a deprecated policy is 400 'Cannot enable…' as swob's text/html", async ({
    expect,
  }) => {
    const silver = await container("ovdep", { "X-Storage-Policy": "silver" });
    expect(
      await withPolicies("0 gold default; 1 silver deprecated; 2 local", "POST", silver, {
        "X-Versions-Enabled": "true",
      }),
    ).toEqual({
      status: 400,
      type: HTML,
      body: "Cannot enable object versioning on a container that uses a deprecated storage policy.",
    });
  });

  it(
    "deleting a container that still has versions is 409 'Delete all " +
      "versions before deleting container.' as swob's text/html",
    async ({ expect }) => {
      const c = await versioned();
      await object(`${c}/o`);
      expect((await send("DELETE", `${c}/o`)).status).toBe(204);
      expect(await call("DELETE", c)).toEqual({
        status: 409,
        type: HTML,
        body: "Delete all versions before deleting container.",
      });
    },
  );

  it("a version-id that is no version is 400 'Invalid version parameter' as swob's text/html", async ({ expect }) => {
    const c = await versioned();
    await object(`${c}/o`);
    expect(await call("GET", `${c}/o?version-id=bad`)).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid version parameter",
    });
  });

  it("PUT ?version-id=null is 400 'Invalid version parameter' as swob's text/html", async ({ expect }) => {
    const c = await versioned();
    await object(`${c}/o`);
    expect(await call("PUT", `${c}/o?version-id=null`, { headers: { "Content-Length": "0" } })).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid version parameter",
    });
  });

  it("PUT ?version-id= with a body is 400 'PUT version-id requests require a zero byte body' as text/plain", async ({
    expect,
  }) => {
    const c = await versioned();
    const id = (await send("PUT", `${c}/o`, { body: bytes("x") })).headers.get("x-object-version-id");
    expect(await call("PUT", `${c}/o?version-id=${id}`, { body: bytes("x") })).toEqual({
      status: 400,
      type: PLAIN,
      body: "PUT version-id requests require a zero byte body",
    });
  });

  it("a POST to a version is 400 'POST to a specific version is not allowed' as swob's text/html", async ({
    expect,
  }) => {
    const c = await versioned();
    const id = (await send("PUT", `${c}/o`, { body: bytes("x") })).headers.get("x-object-version-id");
    expect(await call("POST", `${c}/o?version-id=${id}`, { headers: { "X-Object-Meta-X": "y" } })).toEqual({
      status: 400,
      type: HTML,
      body: "POST to a specific version is not allowed",
    });
  });

  it(
    "a version-id in a container that is not versioned is 400 " + "'version-aware operations…' as swob's text/html",
    async ({ expect }) => {
      expect(await call("GET", `${C}/plain?version-id=1.00000`)).toEqual({
        status: 400,
        type: HTML,
        body: "version-aware operations require that the container is versioned",
      });
    },
  );

  it(
    "a versions listing with version_marker but no marker is 400 " +
      "'version_marker param requires marker' as swob's text/html",
    async ({ expect }) => {
      const c = await versioned();
      expect(await call("GET", `${c}?versions&version_marker=1`)).toEqual({
        status: 400,
        type: HTML,
        body: "version_marker param requires marker",
      });
    },
  );

  it("a versions listing with a bad version_marker is 400 'invalid version_marker param' as swob's text/html", async ({
    expect,
  }) => {
    const c = await versioned();
    expect(await call("GET", `${c}?versions&marker=a&version_marker=nope`)).toEqual({
      status: 400,
      type: HTML,
      body: "invalid version_marker param",
    });
  });

  it("a versions listing with a digit or dot delimiter is 400 'invalid delimiter param' as swob's text/html", async ({
    expect,
  }) => {
    const c = await versioned();
    for (const delimiter of ["1", "."]) {
      expect(await call("GET", `${c}?versions&delimiter=${delimiter}`), delimiter).toEqual({
        status: 400,
        type: HTML,
        body: "invalid delimiter param",
      });
    }
  });
});

describe("symlinks (Swift: common/middleware/symlink.py)", () => {
  it("an empty X-Symlink-Target-Account is 412 'Account name cannot be empty' as swob's text/html", async ({
    expect,
  }) => {
    const headers = { "X-Symlink-Target": "c/o", "X-Symlink-Target-Account": "", "Content-Length": "0" };
    expect(await call("PUT", `${C}/link`, { headers })).toEqual({
      status: 412,
      type: HTML,
      body: "Account name cannot be empty",
    });
  });

  it(
    "an X-Symlink-Target-Account with a slash is 412 'Account name " + "cannot contain slashes' as swob's text/html",
    async ({ expect }) => {
      const headers = { "X-Symlink-Target": "c/o", "X-Symlink-Target-Account": "a/b", "Content-Length": "0" };
      expect(await call("PUT", `${C}/link`, { headers })).toEqual({
        status: 412,
        type: HTML,
        body: "Account name cannot contain slashes",
      });
    },
  );

  it("an X-Symlink-Target without an object is 412 with symlink's form message as text/plain", async ({ expect }) => {
    const headers = { "X-Symlink-Target": "only-a-container", "Content-Length": "0" };
    expect(await call("PUT", `${C}/link`, { headers })).toEqual({
      status: 412,
      type: PLAIN,
      body: "X-Symlink-Target header must be of the form <container name>/<object name>",
    });
  });

  it("a POST to a symlink is 307 'The requested POST was applied to a symlink…' as swob's text/html", async ({
    expect,
  }) => {
    const link = `${C}/${unique("link")}`;
    const target = `${C.slice(A.length + 1)}/plain`;
    expect((await send("PUT", link, { headers: { "X-Symlink-Target": target, "Content-Length": "0" } })).status).toBe(
      201,
    );
    const response = await exports.default.fetch(`${BASE}/v1${link}`, {
      method: "POST",
      redirect: "manual",
      headers: { "X-Auth-Token": await tokenFor(), "X-Object-Meta-P": "1" },
    });
    expect(await answer(response)).toEqual({
      status: 307,
      type: HTML,
      body: "The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.",
    });
    expect(response.headers.get("location")).toBe(`/v1${C}/plain`);
  });
});

describe("static large objects: manifest PUT (Swift: slo.py handle_multipart_put, parse_and_validate_input)", () => {
  let seg: string;
  beforeAll(async () => {
    seg = `${C.slice(A.length)}/seg`;
    await object(`${C}/seg`, "segment");
  });

  it(
    "a manifest PUT with X-Copy-From is 405 'Multipart Manifest PUTs " + "cannot be COPY requests' as swob's text/html",
    async ({ expect }) => {
      expect(
        await call("PUT", `${C}/m?multipart-manifest=put`, {
          headers: { "X-Copy-From": `${C.slice(A.length + 1)}/plain`, "Content-Length": "0" },
        }),
      ).toEqual({ status: 405, type: HTML, body: "Multipart Manifest PUTs cannot be COPY requests" });
    },
  );

  it("a manifest with a Content-Length over 8 MiB is 413 'Manifest File > 8388608 bytes' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("PUT", `${C}/m?multipart-manifest=put`, { body: new Uint8Array(8 * 1024 * 1024 + 1) })).toEqual({
      status: 413,
      type: HTML,
      body: "Manifest File > 8388608 bytes",
    });
  });

  it("a chunked manifest past 8 MiB is 413 'Manifest File > 8388608 bytes' as swob's text/html", async ({ expect }) => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 8 * 1024 * 1024) return controller.close();
        controller.enqueue(new Uint8Array(1024 * 1024));
        sent += 1024 * 1024;
      },
    });
    expect(await call("PUT", `${C}/m?multipart-manifest=put`, { body })).toEqual({
      status: 413,
      type: HTML,
      body: "Manifest File > 8388608 bytes",
    });
  });

  it(
    "a manifest of 1001 object segments is 413 'Number of " +
      "object-backed segments must be <= 1000' as swob's text/html",
    async ({ expect }) => {
      const segments = JSON.stringify(Array.from({ length: 1001 }, () => ({ path: seg })));
      expect(await call("PUT", `${C}/m?multipart-manifest=put`, { body: segments })).toEqual({
        status: 413,
        type: HTML,
        body: "Number of object-backed segments must be <= 1000",
      });
    },
  );

  it("a manifest that is not JSON is 400 'Manifest must be valid JSON.' as swob's text/html", async ({ expect }) => {
    expect(await call("PUT", `${C}/m?multipart-manifest=put`, { body: "nojson" })).toEqual({
      status: 400,
      type: HTML,
      body: "Manifest must be valid JSON.\n",
    });
  });

  it("a manifest that is not a list is 400 'Manifest must be a list.' as swob's text/html", async ({ expect }) => {
    expect(await call("PUT", `${C}/m?multipart-manifest=put`, { body: JSON.stringify({ path: seg }) })).toEqual({
      status: 400,
      type: HTML,
      body: "Manifest must be a list.\n",
    });
  });

  it("a manifest with a bad segment is 400 with its 'Index N: …' line as text/plain", async ({ expect }) => {
    expect(await call("PUT", `${C}/m?multipart-manifest=put`, { body: JSON.stringify([{ path: 5 }]) })).toEqual({
      status: 400,
      type: PLAIN,
      body: 'Index 0: "path" must be a string\n',
    });
  });
});

describe("static large objects: reading (Swift: slo.py SloGetContext, swob conditional_response)", () => {
  it("a failed If-Match on an SLO GET is 412 with an empty body as swob's text/html", async ({ expect }) => {
    await object(`${C}/slo-seg`, "segment");
    await manifest(`${C}/slo-cond`, [{ path: `${C.slice(A.length)}/slo-seg` }]);
    const response = await swift("GET", `${C}/slo-cond`, { headers: { "If-Match": '"nope"' } });
    expect(await answer(response)).toEqual({ status: 412, type: HTML, body: "" });
    expect(response.headers.get("x-static-large-object")).toBe("True");
  });

  it(
    "a stored manifest that is not JSON, or not a list, is 500 " + "'Unable to load SLO manifest' as swob's text/html",
    async ({ expect }) => {
      // No client can store one: each manifest is written below the proxy, as a broken replica might hold it.
      const ctx = serviceContext(parseConfig(env));
      for (const [name, stored] of [
        ["not-json", "{nojson"],
        ["not-a-list", '{"not": "a list"}'],
      ] as const) {
        const body = bytes(stored);
        await putObject(
          ctx,
          { account: "AUTH_test", container: C.slice(A.length + 1), object: name },
          {
            body: new Blob([body]).stream(),
            length: body.length,
            contentType: "application/octet-stream;swift_bytes=7",
            metadata: { "x-static-large-object": "True" },
            deleteAt: null,
            expectedEtag: null,
            ifNoneMatch: false,
          },
        );
        const get = await swift("GET", `${C}/${name}`);
        expect(await answer(get), name).toEqual({ status: 500, type: HTML, body: "Unable to load SLO manifest" });
        expect(get.statusText).toBe("Internal Error");
        expect(await call("DELETE", `${C}/${name}?multipart-manifest=delete&async=yes`), name).toEqual({
          status: 500,
          type: HTML,
          body: "Unable to load SLO manifest",
        });
      }
    },
  );
});

describe("static large objects: delete (Swift: slo.py handle_multipart_delete, handle_async_delete)", () => {
  it("an async delete of an object that is no SLO is 400 'Not an SLO manifest' as swob's text/html", async ({
    expect,
  }) => {
    expect(await call("DELETE", `${C}/plain?multipart-manifest=delete&async=yes`)).toEqual({
      status: 400,
      type: HTML,
      body: "Not an SLO manifest",
    });
  });

  it("an async delete of a missing object is 404 'SLO manifest not found' as swob's text/html", async ({ expect }) => {
    expect(await call("DELETE", `${C}/nothing?multipart-manifest=delete&async=yes`)).toEqual({
      status: 404,
      type: HTML,
      body: "SLO manifest not found",
    });
  });

  it(
    "an async delete of segments in two containers is 400 'All " +
      "segments must be in one container…' as swob's text/html",
    async ({ expect }) => {
      const one = await container("asyncseg");
      const two = await container("asyncseg");
      await object(`${one}/s`);
      await object(`${two}/s`);
      await manifest(`${one}/mixed`, [{ path: `${one.slice(A.length)}/s` }, { path: `${two.slice(A.length)}/s` }]);
      expect(await call("DELETE", `${one}/mixed?multipart-manifest=delete&async=yes`)).toEqual({
        status: 400,
        type: HTML,
        body:
          "All segments must be in one container. " +
          `Found segments in "${one.slice(A.length + 1)}", "${two.slice(A.length + 1)}"`,
      });
    },
  );

  it(
    "an async delete of a manifest with an SLO segment is 400 'No " +
      "segments may be large objects.' as swob's text/html",
    async ({ expect }) => {
      const c = await container("asyncseg");
      await object(`${c}/s`);
      await manifest(`${c}/inner`, [{ path: `${c.slice(A.length)}/s` }]);
      await manifest(`${c}/outer`, [{ path: `${c.slice(A.length)}/inner` }, { path: `${c.slice(A.length)}/s` }]);
      expect(await call("DELETE", `${c}/outer?multipart-manifest=delete&async=yes`)).toEqual({
        status: 400,
        type: HTML,
        body: "No segments may be large objects.",
      });
    },
  );

  it("a delete buffering over 10000 segments reports 400 'Too many buffered slo segments to delete.'", async ({
    expect,
  }) => {
    const c = await container("sloseg");
    const name = c.slice(A.length);
    await object(`${c}/s`);
    await manifest(
      `${c}/wide`,
      Array.from({ length: 1000 }, () => ({ path: `${name}/s` })),
    );
    await manifest(
      `${c}/top`,
      Array.from({ length: 11 }, () => ({ path: `${name}/wide` })),
    );
    const response = await swift("DELETE", `${c}/top?multipart-manifest=delete`, { headers: JSON_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const report = JSON.parse(await text(response)) as Report;
    expect([report["Response Status"], report["Response Body"]]).toEqual([
      "400 Bad Request",
      "Too many buffered slo segments to delete.",
    ]);
  });
});

describe("dynamic large objects (Swift: dlo.py)", () => {
  it("X-Object-Manifest with no prefix: 400 'X-Object-Manifest must be in the format…' as swob's text/html", async ({
    expect,
  }) => {
    expect(
      await call("PUT", `${C}/dlo`, { headers: { "X-Object-Manifest": "container-only" }, body: bytes("") }),
    ).toEqual({ status: 400, type: HTML, body: "X-Object-Manifest must be in the format container/prefix" });
  });
});

describe("bulk (Swift: common/middleware/bulk.py)", () => {
  /** A bulk delete of `body`'s names, its JSON report. */
  async function bulkDelete(body: string, init: SwiftInit = {}): Promise<Report> {
    const response = await swift("POST", `${A}?bulk-delete`, {
      ...init,
      body: bytes(body),
      headers: { ...JSON_ACCEPT, "Content-Type": "text/plain" },
    });
    if (response.status !== 200) throw new Error(`bulk delete ${response.status}`);
    if (response.headers.get("content-type") !== "application/json") throw new Error("bulk delete report type");
    return JSON.parse(await text(response)) as Report;
  }

  it("an unsupported archive format is 400 'Unsupported archive format' as swob's text/html", async ({ expect }) => {
    expect(await call("PUT", `${C}?extract-archive=zip`, { body: bytes("not a zip") })).toEqual({
      status: 400,
      type: HTML,
      body: "Unsupported archive format",
    });
  });

  it("more than 10000 names to delete report 413 'Maximum Bulk Deletes: 10000 per request'", async ({ expect }) => {
    const report = await bulkDelete(Array.from({ length: 10_001 }, (_, i) => `/nothing/n${i}`).join("\n"));
    expect([report["Response Status"], report["Response Body"]]).toEqual([
      "413 Request Entity Too Large",
      "Maximum Bulk Deletes: 10000 per request",
    ]);
  });

  it("a name line longer than twice the longest path reports 400 'Invalid File Name'", async ({ expect }) => {
    const report = await bulkDelete(`/nothing/${"x".repeat(2600)}`);
    expect([report["Response Status"], report["Response Body"]]).toEqual(["400 Bad Request", "Invalid File Name"]);
  });

  it("1000 failed deletes report 400 'Max delete failures exceeded'", async ({ expect }) => {
    const report = await bulkDelete(Array.from({ length: 1_100 }, (_, i) => `/nothing/f${i}`).join("\n"), {
      user: null,
    });
    expect([report["Response Status"], report["Response Body"]]).toEqual([
      "400 Bad Request",
      "Max delete failures exceeded",
    ]);
  });
});

describe("staticweb (Swift: common/middleware/staticweb.py _listing)", () => {
  it("a directory without an index where listings are off is 404 'Web Listing Disabled' as swob's text/html", async ({
    expect,
  }) => {
    const site = await container("web", {
      "X-Container-Read": ".r:*,.rlistings",
      "X-Container-Meta-Web-Index": "i.html",
    });
    await object(`${site}/d/x`);
    const response = await exports.default.fetch(`${BASE}/v1${site}/d/`, { redirect: "manual" });
    expect(await answer(response)).toEqual({
      status: 404,
      type: HTML,
      body:
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n' +
        `<html>\n<head>\n<title>Listing of /v1${site}/d/</title>\n` +
        '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n   p {font-size: 2}\n  </style>\n' +
        "</head>\n<body>  <h1>Web Listing Disabled</h1>   <p>The owner of this web site has disabled web listing." +
        "   <p>If you are the owner of this web site, you can enable   web listing by setting " +
        "X-Container-Meta-Web-Listings.</p>" +
        "<h1>Index File Not Found</h1> <p>The owner of this web site has set  " +
        "<b>X-Container-Meta-Web-Index: i.html</b>.  However, this file is not found.</p>" +
        " </body>\n</html>\n",
    });
  });
});
