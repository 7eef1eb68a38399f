/**
 * @module
 * The TempURL stage in Node: the account's and container's Temp-URL keys come from the isolate's
 * info cache, primed here, so no replica is asked. Any flaw is the same 401 "Temp URL invalid".
 * Swift: common/middleware/tempurl.py, common/digest.py.
 */
import { describe, it, vi } from "vitest";
import { SwiftError } from "../../../../src/common/errors";
import type { AccountRow, ContainerRow } from "../../../../src/durable/rows";
import { constantTimeEqual } from "../../../../src/common/compare";
import { pythonInt, quote } from "../../../../src/common/python";
import {
  extractDigest,
  hmacHex,
  isAllowedDigest,
  tempurl,
  TEMPURL_INFO,
  tempUrlKeys,
} from "../../../../src/proxy/auth/tempurl";
import type { ServiceContext } from "../../../../src/proxy/services/context";
import { InfoCache } from "../../../../src/proxy/services/info-cache";
import type { SwiftRequest } from "../../../../src/proxy/swift/request";
import { stageRequest } from "./stage-request";

const ACCOUNT_KEY = "account-key";
const CONTAINER_KEY = "container-key";
/** One key set on both an account and its container. */
const SHARED_KEY = "shared-key";
const FAR = 4_000_000_000;

function context(): ServiceContext {
  const cache = new InfoCache();
  const now = Date.now();
  const meta = (entries: Record<string, string>) =>
    Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value, timestamp: "1" }]));
  const account: Pick<AccountRow, "account" | "metadata"> = {
    account: "AUTH_test",
    metadata: meta({ "x-account-meta-temp-url-key": ACCOUNT_KEY, "x-account-meta-other": "x" }),
  };
  const container: Pick<ContainerRow, "account" | "container" | "metadata"> = {
    account: "AUTH_test",
    container: "c",
    metadata: meta({ "x-container-meta-temp-url-key-2": CONTAINER_KEY }),
  };
  cache.set("account:AUTH_test", account, 600_000, now);
  cache.set("container:AUTH_test/c", container, 600_000, now);
  cache.set("account:AUTH_nokeys", { account: "AUTH_nokeys", metadata: {} }, 600_000, now);
  cache.set("container:AUTH_nokeys/c", null, 600_000, now);
  const allKeys = {
    account: "AUTH_all",
    metadata: meta({ "x-account-meta-temp-url-key": "a1", "x-account-meta-temp-url-key-2": "a2" }),
  };
  cache.set("account:AUTH_all", allKeys, 600_000, now);
  cache.set(
    "container:AUTH_all/c",
    {
      account: "AUTH_all",
      container: "c",
      metadata: meta({ "x-container-meta-temp-url-key": "c1", "x-container-meta-temp-url-key-2": "c2" }),
    },
    600_000,
    now,
  );
  cache.set(
    "account:AUTH_same",
    { account: "AUTH_same", metadata: meta({ "x-account-meta-temp-url-key": SHARED_KEY }) },
    600_000,
    now,
  );
  cache.set(
    "container:AUTH_same/c",
    { account: "AUTH_same", container: "c", metadata: meta({ "x-container-meta-temp-url-key": SHARED_KEY }) },
    600_000,
    now,
  );
  const ctx: Pick<ServiceContext, "cache"> = { cache };
  return ctx as ServiceContext;
}

async function sign(key: string, message: string, digest: "sha1" | "sha256" | "sha512" = "sha256"): Promise<string> {
  return (await hmacHex(digest, key, message)) ?? "";
}

interface Passed {
  req: SwiftRequest;
}

/** Runs the stage; the controller behind it answers `answer` (200 with object metadata by default). */
async function run(
  target: string,
  init: RequestInit & { answer?: () => Response } = {},
): Promise<{ response: Response; passed: Passed | null; environ: SwiftRequest["environ"] }> {
  const url = new URL(`https://swift.example${target}`);
  const request = new Request(url, init);
  const environ: SwiftRequest["environ"] = {};
  const req = stageRequest(request, context(), environ, () => Promise.reject(new Error("no subrequests here")));
  let passed: Passed | null = null;
  const answer =
    init.answer ??
    (() =>
      new Response("body", {
        headers: { "x-object-meta-secret": "s", "x-object-meta-public-name": "p", "content-type": "text/plain" },
      }));
  const response = await tempurl(req, async (signed) => {
    passed = { req: signed };
    return answer();
  });
  return { response, passed, environ };
}

async function refused(target: string, init: RequestInit = {}): Promise<SwiftError> {
  try {
    await run(target, init);
  } catch (error) {
    if (error instanceof SwiftError) return error;
    throw error;
  }
  throw new Error("not refused");
}

const INVALID = { kind: "Unauthorized", message: "401 Unauthorized: Temp URL invalid\n" };
const invalid = async (target: string, init: RequestInit = {}) => {
  const error = await refused(target, init);
  return { kind: error.kind, message: error.message };
};

/** A signed URL; `expires` is what the query carries, `signedExpires` what was signed (the same unless given). */
async function signedUrl(
  method: string,
  path: string,
  options: {
    key?: string;
    expires?: number | string;
    signedExpires?: number;
    digest?: "sha1" | "sha256" | "sha512";
    extra?: string;
    prefix?: string;
    ip?: string;
  } = {},
) {
  const expires = options.expires ?? FAR;
  const containerPath = path.split("/").slice(0, 4).join("/");
  const signedPath = options.prefix === undefined ? path : `prefix:${containerPath}/${options.prefix}`;
  const ipLine = options.ip ? `ip=${options.ip}\n` : "";
  const message = `${ipLine}${method}\n${options.signedExpires ?? expires}\n${signedPath}`;
  const sig = await sign(options.key ?? ACCOUNT_KEY, message, options.digest);
  const query = new URLSearchParams({ temp_url_sig: sig, temp_url_expires: String(expires) });
  if (options.prefix !== undefined) query.set("temp_url_prefix", options.prefix);
  if (options.ip) query.set("temp_url_ip_range", options.ip);
  return `${path}?${query.toString()}${options.extra ?? ""}`;
}

describe("signatures (Swift: digest.py extract_digest_and_algorithm)", () => {
  it("a hex signature's length names its digest", ({ expect }) => {
    expect(extractDigest("a".repeat(40))).toEqual({ digest: "sha1", hex: "a".repeat(40) });
    expect(extractDigest("B".repeat(64))).toEqual({ digest: "sha256", hex: "B".repeat(64) });
    expect(extractDigest("0".repeat(128))).toEqual({ digest: "sha512", hex: "0".repeat(128) });
    expect(extractDigest("a".repeat(42))).toBeNull();
    expect(extractDigest("g".repeat(40))).toBeNull();
    expect(extractDigest("a".repeat(39))).toBeNull();
  });

  it("a digest-prefixed signature is base64 or base64url", ({ expect }) => {
    expect(extractDigest("sha256:3q2+7w==")).toEqual({ digest: "sha256", hex: "deadbeef" });
    expect(extractDigest("sha256:3q2-7w")).toEqual({ digest: "sha256", hex: "deadbeef" });
    expect(extractDigest("sha256:__8")).toEqual({ digest: "sha256", hex: "ffff" });
    expect(extractDigest("sha512:/+8=")).toEqual({ digest: "sha512", hex: "ffef" });
    expect(extractDigest("md5:AA==")).toEqual({ digest: "md5", hex: "00" });
    expect(extractDigest("sha1:A")).toBeNull();
    expect(extractDigest("sha1:A!==")).toBeNull();
    expect(extractDigest("sha1:-+AA")).toBeNull();
  });

  it("a base64 signature may have '=' before or after it, never inside (Swift: strict_b64decode)", ({ expect }) => {
    expect(extractDigest("sha256:==3q2+7w==")).toEqual({ digest: "sha256", hex: "deadbeef" });
    expect(extractDigest("sha256:3q2+7w")).toEqual({ digest: "sha256", hex: "deadbeef" });
    expect(extractDigest("sha256:3q2+=7w==")).toBeNull();
    expect(extractDigest("sha256:3q=2+7w")).toBeNull();
  });

  it("sha1, sha256 and sha512 are allowed, sha1 deprecated", ({ expect }) => {
    expect(["sha1", "sha256", "sha512", "md5", "sha384"].map(isAllowedDigest)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(TEMPURL_INFO).toMatchObject({
      methods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
      incoming_remove_headers: ["x-timestamp"],
      outgoing_remove_headers: ["x-object-meta-*"],
      outgoing_allow_headers: ["x-object-meta-public-*"],
      deprecated_digests: ["sha1"],
    });
  });

  it("the HMAC is lower-case hex of the digest asked for", async ({ expect }) => {
    expect(await hmacHex("sha1", "key", "The quick brown fox jumps over the lazy dog")).toBe(
      "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9",
    );
    expect((await hmacHex("sha256", "key", "m"))?.length).toBe(64);
    expect((await hmacHex("sha512", "key", "m"))?.length).toBe(128);
  });

  it("signatures are compared in constant time, any difference refusing", ({ expect }) => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});

describe("Python's quote()", () => {
  it("quote() keeps letters, digits, _.-~ and the safe characters; the rest is %XX of UTF-8", ({ expect }) => {
    expect(quote("a b/é~_.-")).toBe("a%20b/%C3%A9~_.-");
    expect(quote("a b/", " ")).toBe("a b%2F");
    expect(quote("\n")).toBe("%0A");
  });
});

describe("the TempURL stage", () => {
  it("a request without temp_url_sig or temp_url_expires passes on untouched", async ({ expect }) => {
    const { passed, environ } = await run("/v1/AUTH_test/c/o");
    expect(passed).not.toBeNull();
    expect(environ.authorized).toBeUndefined();
  });

  it("OPTIONS passes on whatever it carries", async ({ expect }) => {
    const { passed } = await run("/v1/AUTH_test/c/o?temp_url_sig=x&temp_url_expires=1", { method: "OPTIONS" });
    expect(passed).not.toBeNull();
  });

  it("a GET signed with the account key is served, scoped to the account, without X-Object-Meta-*", async ({
    expect,
  }) => {
    const { response, passed, environ } = await run(await signedUrl("GET", "/v1/AUTH_test/c/dir/o.txt"));
    expect(response.status).toBe(200);
    expect(environ).toMatchObject({
      authorized: "tempurl",
      signedScope: { account: "AUTH_test", container: null, objectPrefix: "" },
    });
    expect(passed?.req.identity).toBeNull();
    expect(response.headers.get("x-object-meta-secret")).toBeNull();
    expect(response.headers.get("x-object-meta-public-name")).toBe("p");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="o.txt"; filename*=UTF-8''o.txt`);
    expect(response.headers.get("expires")).toBe(new Date(FAR * 1000).toUTCString());
  });

  it("a container key's signature is scoped to its container", async ({ expect }) => {
    const { environ } = await run(
      await signedUrl("GET", "/v1/AUTH_test/c/o", { key: CONTAINER_KEY, digest: "sha512" }),
    );
    expect(environ).toMatchObject({
      authorized: "tempurl",
      signedScope: { account: "AUTH_test", container: "c", objectPrefix: "" },
    });
  });

  it("downstream sees only the TempURL's own parameters, and no X-Timestamp", async ({ expect }) => {
    const target = await signedUrl("GET", "/v1/AUTH_test/c/o", {
      digest: "sha1",
      extra: "&multipart-manifest=get&filename=f",
    });
    const { passed } = await run(target, { headers: { "x-timestamp": "1", "x-other": "kept" } });
    const params = [...(passed?.req.url.searchParams.keys() ?? [])];
    expect(params).toEqual(["temp_url_sig", "temp_url_expires", "filename"]);
    expect(passed?.req.request.headers.get("x-timestamp")).toBeNull();
    expect(passed?.req.request.headers.get("x-other")).toBe("kept");
  });

  it("HEAD is allowed with a signature for GET, PUT or POST; GET is not allowed with one for HEAD", async ({
    expect,
  }) => {
    for (const signed of ["GET", "PUT", "POST", "HEAD"]) {
      const { response } = await run(await signedUrl(signed, "/v1/AUTH_test/c/o"), { method: "HEAD" });
      expect(response.status, signed).toBe(200);
    }
    expect(await invalid(await signedUrl("HEAD", "/v1/AUTH_test/c/o"))).toEqual(INVALID);
    expect(await invalid(await signedUrl("DELETE", "/v1/AUTH_test/c/o"), { method: "HEAD" })).toEqual(INVALID);
  });

  it("a signature for another method, path, expiry or key is 401 Temp URL invalid", async ({ expect }) => {
    expect(await invalid(await signedUrl("PUT", "/v1/AUTH_test/c/o"))).toEqual(INVALID);
    expect(await invalid((await signedUrl("GET", "/v1/AUTH_test/c/o")).replace("/o?", "/p?"))).toEqual(INVALID);
    expect(
      await invalid((await signedUrl("GET", "/v1/AUTH_test/c/o")).replace(`expires=${FAR}`, `expires=${FAR + 1}`)),
    ).toEqual(INVALID);
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c/o", { key: "guess" }))).toEqual(INVALID);
  });

  it("the 401 is text/html with Www-Authenticate, and no CORS headers", async ({ expect }) => {
    const error = await refused(await signedUrl("GET", "/v1/AUTH_test/c/o", { key: "guess" }));
    expect(error.detailType).toBe("text/html; charset=UTF-8");
    expect(error.headers).toEqual({ "www-authenticate": `Swift realm="unknown"` });
  });

  it("an expiry in the past, missing or unreadable is 401; ISO 8601 expiries are read", async ({ expect }) => {
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c/o", { expires: 1_000_000_000 }))).toEqual(INVALID);
    expect(await invalid("/v1/AUTH_test/c/o?temp_url_sig=abc")).toEqual(INVALID);
    expect(await invalid("/v1/AUTH_test/c/o?temp_url_expires=4000000000")).toEqual(INVALID);
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c/o", { expires: "tomorrow" }))).toEqual(INVALID);
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c/o", { expires: "2099-02-30T00:00:00Z" }))).toEqual(
      INVALID,
    );
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c/o", { expires: "2001-01-01T00:00:00Z" }))).toEqual(
      INVALID,
    );
    const iso = "2099-01-02T03:04:05Z";
    const { response, passed } = await run(
      await signedUrl("GET", "/v1/AUTH_test/c/o", {
        expires: iso,
        signedExpires: Date.UTC(2099, 0, 2, 3, 4, 5) / 1000,
      }),
    );
    expect(response.status).toBe(200);
    expect(passed?.req.url.searchParams.get("temp_url_expires")).toBe(String(Date.UTC(2099, 0, 2, 3, 4, 5) / 1000));
  });

  it("a signature with a digest not allowed, or unreadable, is 401", async ({ expect }) => {
    expect(await invalid(`/v1/AUTH_test/c/o?temp_url_sig=md5:AA==&temp_url_expires=${FAR}`)).toEqual(INVALID);
    expect(await invalid(`/v1/AUTH_test/c/o?temp_url_sig=xyz&temp_url_expires=${FAR}`)).toEqual(INVALID);
  });

  it("only object requests of the v1 API with Swift's methods can be signed", async ({ expect }) => {
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c"))).toEqual(INVALID);
    expect(await invalid(await signedUrl("COPY", "/v1/AUTH_test/c/o"), { method: "COPY" })).toEqual(INVALID);
    expect(await invalid(await signedUrl("GET", "/v1.0/AUTH_test/c/o"))).toEqual(INVALID);
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c/%2F%2F"))).toEqual(INVALID);
  });

  it("an account without Temp-URL keys refuses every signature", async ({ expect }) => {
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_nokeys/c/o"))).toEqual(INVALID);
  });

  it("a prefix signature covers the objects under its prefix, and only them", async ({ expect }) => {
    const { response, environ } = await run(await signedUrl("GET", "/v1/AUTH_test/c/pre/o", { prefix: "pre/" }));
    expect(response.status).toBe(200);
    expect(environ).toMatchObject({ authorized: "tempurl" });
    expect(
      await invalid(
        (await signedUrl("GET", "/v1/AUTH_test/c/pre/o", { prefix: "pre/" })).replace("/pre/o?", "/other?"),
      ),
    ).toEqual(INVALID);
  });

  it("temp_url_ip_range admits only a client inside the signed range", async ({ expect }) => {
    const ipv4 = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: "10.1.2.0/24" });
    expect((await run(ipv4, { headers: { "cf-connecting-ip": "10.1.2.200" } })).response.status).toBe(200);
    expect(await invalid(ipv4, { headers: { "cf-connecting-ip": "10.1.3.1" } })).toEqual(INVALID);
    expect(await invalid(ipv4)).toEqual(INVALID);
    expect(await invalid(ipv4, { headers: { "cf-connecting-ip": "::1" } })).toEqual(INVALID);
    const single = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: "192.0.2.7" });
    expect((await run(single, { headers: { "cf-connecting-ip": "192.0.2.7" } })).response.status).toBe(200);
    expect(await invalid(single, { headers: { "cf-connecting-ip": "192.0.2.8" } })).toEqual(INVALID);
    const ipv6 = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: "2001:db8::/32" });
    expect((await run(ipv6, { headers: { "cf-connecting-ip": "2001:db8:ffff::1" } })).response.status).toBe(200);
    expect(await invalid(ipv6, { headers: { "cf-connecting-ip": "2001:db9::1" } })).toEqual(INVALID);
    const full = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: "1:2:3:4:5:6:7:8" });
    expect((await run(full, { headers: { "cf-connecting-ip": "1:2:3:4:5:6:7:8" } })).response.status).toBe(200);
  });

  it("a malformed or non-strict ip range admits nobody", async ({ expect }) => {
    for (const ip of [
      "10.1.2.1/24",
      "10.1.2.0/33",
      "10.1.2.0/x",
      "10.1.2.0/24/1",
      "256.1.1.1",
      "1::2::3",
      "1:2:3",
      "1:2:3:4:5:6:7:8::",
      "12345::",
      "::/129",
    ]) {
      const url = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip });
      expect(await invalid(url, { headers: { "cf-connecting-ip": "10.1.2.1" } }), ip).toEqual(INVALID);
    }
    const any = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: "::/0" });
    expect((await run(any, { headers: { "cf-connecting-ip": "::1" } })).response.status).toBe(200);
  });

  it("a malformed address never matches, not even the same text as client and range", async ({ expect }) => {
    for (const text of [
      "10.1.2.300",
      "10.1.2.3x",
      "x10.1.2.3",
      "1::2::3",
      "1:2:3",
      "1:2:3:4:5:6:7:8:9",
      "12345::1",
      "g::1",
      "::1x",
      "1:2:3:4:5:6:7::8",
    ]) {
      const url = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: text });
      expect(await invalid(url, { headers: { "cf-connecting-ip": text } }), text).toEqual(INVALID);
    }
    for (const text of ["10.1.2.3", "::1", "1:2:3:4:5:6:7:8", "1::", "::"]) {
      const url = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: text });
      expect((await run(url, { headers: { "cf-connecting-ip": text } })).response.status, text).toBe(200);
    }
  });

  it("a prefix length that is not a number within the address's bits admits nobody", async ({ expect }) => {
    for (const ip of ["10.1.2.3/24x", "10.1.2.3/33", "10.1.2.3/-1", "::1/129", "10.1.2.3/"]) {
      const url = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip });
      expect(await invalid(url, { headers: { "cf-connecting-ip": "10.1.2.3" } }), ip).toEqual(INVALID);
    }
    const exact = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: "10.1.2.3/32" });
    expect((await run(exact, { headers: { "cf-connecting-ip": "10.1.2.3" } })).response.status).toBe(200);
  });

  it("an object name of slashes only cannot be signed", async ({ expect }) => {
    expect(await invalid(await signedUrl("GET", "/v1/AUTH_test/c//"))).toEqual(INVALID);
  });

  it("a refusal is answered before the controller: no CORS headers are added to it", async ({ expect }) => {
    const target = await signedUrl("GET", "/v1/AUTH_test/c/o", { key: "guess" });
    const url = new URL(`https://swift.example${target}`);
    const environ: SwiftRequest["environ"] = {};
    const req = stageRequest(
      new Request(url, { method: "PUT", headers: { "x-copy-from": "c/x" } }),
      context(),
      environ,
      () => Promise.reject(new Error("no subrequests here")),
    );
    await expect(tempurl(req, () => Promise.resolve(new Response()))).rejects.toBeInstanceOf(SwiftError);
    expect(environ.answeredBeforeController).toBe(true);
    const put = new URL(`https://swift.example${await signedUrl("PUT", "/v1/AUTH_test/c/o")}`);
    const badHeader: SwiftRequest = {
      ...req,
      url: put,
      request: new Request(put, { method: "PUT", headers: { "x-copy-from": "c/x" } }),
      environ: {},
    };
    const error = await tempurl(badHeader, () => Promise.resolve(new Response())).catch((caught: unknown) => caught);
    expect(error instanceof SwiftError ? [error.detailType, error.headers] : null).toEqual([
      "text/html; charset=UTF-8",
      {},
    ]);
    expect(badHeader.environ.answeredBeforeController).toBe(true);
  });

  it("the prefix signed is passed on with the signature", async ({ expect }) => {
    const { passed } = await run(await signedUrl("GET", "/v1/AUTH_test/c/pre/o", { prefix: "pre/" }));
    expect(passed?.req.url.searchParams.get("temp_url_prefix")).toBe("pre/");
    const plain = await run(await signedUrl("GET", "/v1/AUTH_test/c/o"));
    expect(plain.passed?.req.url.searchParams.has("temp_url_prefix")).toBe(false);
    expect(plain.passed?.req.url.searchParams.has("filename")).toBe(false);
  });

  it(
    "a 3xx answer to GET gets no Content-Disposition; " +
      "an object under a trailing slash is named by its last segment",
    async ({ expect }) => {
      for (const status of [300, 304]) {
        const redirect = await run(await signedUrl("GET", "/v1/AUTH_test/c/o"), {
          answer: () => new Response(null, { status }),
        });
        expect(redirect.response.headers.get("content-disposition"), String(status)).toBeNull();
        expect(redirect.response.headers.get("expires"), String(status)).toBeNull();
      }
      const dir = await run(await signedUrl("GET", "/v1/AUTH_test/c/a/b//"));
      expect(dir.response.headers.get("content-disposition")).toBe(`attachment; filename="b"; filename*=UTF-8''b`);
      const ok = await run(await signedUrl("HEAD", "/v1/AUTH_test/c/o"), {
        method: "HEAD",
        answer: () => new Response(null, { status: 299 }),
      });
      expect(ok.response.headers.get("content-disposition")).not.toBeNull();
    },
  );

  it("a signed PUT, POST or DELETE may not carry X-Object-Manifest, X-Symlink-Target or X-Copy-From (400)", async ({
    expect,
  }) => {
    const put = await signedUrl("PUT", "/v1/AUTH_test/c/o");
    for (const name of ["X-Object-Manifest", "X-Symlink-Target", "X-Copy-From"]) {
      const error = await refused(put, { method: "PUT", headers: { [name]: "c/x" } });
      expect(error.kind).toBe("BadRequest");
      expect(error.message).toBe(`The header '${name}' is not allowed in this tempurl`);
    }
    expect((await run(put, { method: "PUT" })).response.status).toBe(200);
    const get = await signedUrl("GET", "/v1/AUTH_test/c/o");
    expect((await run(get, { headers: { "x-copy-from": "c/x" } })).response.status).toBe(200);
    expect(
      (await run(get, { method: "HEAD", headers: { "x-copy-from": "c/x", "x-object-manifest": "c/x" } })).response
        .status,
    ).toBe(200);
  });

  it("inline and filename set Content-Disposition; an object's own disposition is kept otherwise", async ({
    expect,
  }) => {
    const url = await signedUrl("GET", "/v1/AUTH_test/c/dir/o");
    const disposition = async (extra: string, answer?: () => Response) =>
      (await run(`${url}${extra}`, answer ? { answer } : {})).response.headers.get("content-disposition");
    expect(await disposition("&inline")).toBe("inline");
    expect(await disposition("&inline&filename=a b.txt")).toBe(
      `inline; filename="a b.txt"; filename*=UTF-8''a%20b.txt`,
    );
    expect(await disposition("&filename=%C3%A9%0A")).toBe(
      `attachment; filename="%C3%A9%0A"; filename*=UTF-8''%C3%A9%0A`,
    );
    expect(await disposition("", () => new Response("b", { headers: { "content-disposition": "inline; x" } }))).toBe(
      "inline; x",
    );
  });

  it("a response that is not 2xx, or to PUT, gets no Content-Disposition or Expires", async ({ expect }) => {
    const notFound = await run(await signedUrl("GET", "/v1/AUTH_test/c/o"), {
      answer: () => new Response("nope", { status: 404 }),
    });
    expect(notFound.response.headers.get("content-disposition")).toBeNull();
    expect(notFound.response.headers.get("expires")).toBeNull();
    const put = await run(await signedUrl("PUT", "/v1/AUTH_test/c/o"), {
      method: "PUT",
      answer: () => new Response(null, { status: 201 }),
    });
    expect(put.response.headers.get("content-disposition")).toBeNull();
  });

  it("an error from downstream loses X-Object-Meta-* headers too", async ({ expect }) => {
    const url = new URL(`https://swift.example${await signedUrl("GET", "/v1/AUTH_test/c/o")}`);
    const req = stageRequest(new Request(url), context(), {}, () => Promise.reject(new Error("no subrequests here")));
    let error: unknown = null;
    try {
      await tempurl(req, () =>
        Promise.reject(
          new SwiftError("NotFound", "gone", { "x-object-meta-secret": "s", "x-object-meta-public-a": "a", etag: "e" }),
        ),
      );
    } catch (caught) {
      error = caught;
    }
    expect(
      error instanceof SwiftError ? { kind: error.kind, message: error.message, headers: error.headers } : error,
    ).toEqual({
      kind: "NotFound",
      message: "gone",
      headers: { etag: "e", "x-object-meta-public-a": "a" },
    });
    const plain = new Error("bug");
    await expect(tempurl(req, () => Promise.reject(plain))).rejects.toBe(plain);
  });
});

describe("Temp-URL keys (Swift: tempurl.py _get_keys)", () => {
  it(
    "the keys are the account's key and key-2, then the container's, those that are set, " +
      "each with where it is set",
    async ({ expect }) => {
      expect(await tempUrlKeys(context(), "AUTH_all", "c")).toEqual([
        { key: "a1", scope: "account" },
        { key: "a2", scope: "account" },
        { key: "c1", scope: "container" },
        { key: "c2", scope: "container" },
      ]);
      expect(await tempUrlKeys(context(), "AUTH_test", "c")).toEqual([
        { key: ACCOUNT_KEY, scope: "account" },
        { key: CONTAINER_KEY, scope: "container" },
      ]);
      expect(await tempUrlKeys(context(), "AUTH_nokeys", "c")).toEqual([]);
    },
  );

  it(
    "a signature that both the account's and the container's key make is scoped to the account " +
      "(Swift takes the first match)",
    async ({ expect }) => {
      const { response, environ } = await run(await signedUrl("GET", "/v1/AUTH_same/c/o", { key: SHARED_KEY }));
      expect(response.status).toBe(200);
      expect(environ).toMatchObject({
        authorized: "tempurl",
        signedScope: { account: "AUTH_same", container: null, objectPrefix: "" },
      });
    },
  );
});

describe("TempURL expiry (Swift: tempurl.py _get_temp_url_info)", () => {
  /** A URL whose temp_url_expires is `text`, signed with the unix time `seconds`. */
  const isoUrl = (text: string, seconds: number) =>
    signedUrl("GET", "/v1/AUTH_test/c/o", { expires: text, signedExpires: seconds });
  const utc = (...fields: [number, number, number, number, number, number]) => Date.UTC(...fields) / 1000;

  it(
    "an ISO 8601 expiry is read as Python's strptime reads it: " +
      "one-digit fields, any case, a space-padded day, seconds up to 61",
    async ({ expect }) => {
      const forms: [string, number][] = [
        ["2099-1-2T3:4:5Z", utc(2099, 0, 2, 3, 4, 5)],
        ["2099-12-31t23:59:59z", utc(2099, 11, 31, 23, 59, 59)],
        ["2099-10- 5T20:30:60Z", utc(2099, 9, 5, 20, 31, 0)],
        ["2099-11-15T21:09:61Z", utc(2099, 10, 15, 21, 10, 1)],
      ];
      for (const [text, seconds] of forms) {
        const { response, passed } = await run(await isoUrl(text, seconds));
        expect(response.status, text).toBe(200);
        expect(passed?.req.url.searchParams.get("temp_url_expires"), text).toBe(String(seconds));
      }
    },
  );

  it(
    "an ISO 8601 expiry with text around it, a month 13 or a day the month lacks is unreadable, " +
      "whatever time was signed",
    async ({ expect }) => {
      const refused: [string, number][] = [
        ["x2099-01-02T03:04:05Z", utc(2099, 0, 2, 3, 4, 5)],
        ["2099-01-02T03:04:05Zx", utc(2099, 0, 2, 3, 4, 5)],
        ["2099-13-01T00:00:00Z", utc(2099, 12, 1, 0, 0, 0)],
        ["2099-02-30T00:00:00Z", utc(2099, 1, 30, 0, 0, 0)],
        ["2099-04-31T00:00:00Z", utc(2099, 3, 31, 0, 0, 0)],
      ];
      for (const [text, seconds] of refused) expect(await invalid(await isoUrl(text, seconds)), text).toEqual(INVALID);
    },
  );

  it("a TempURL is valid through the moment it expires, and refused once the clock is past it", async ({ expect }) => {
    const url = await signedUrl("GET", "/v1/AUTH_test/c/o");
    const clock = vi.spyOn(Date, "now");
    try {
      clock.mockReturnValue(FAR * 1000);
      expect((await run(url)).response.status).toBe(200);
      clock.mockReturnValue(FAR * 1000 + 1);
      expect(await invalid(url)).toEqual(INVALID);
    } finally {
      clock.mockRestore();
    }
  });

  it("Expires is the expiry as an HTTP date, also past JavaScript's last date (as Python's gmtime writes it)", async ({
    expect,
  }) => {
    const expires = async (seconds: number) =>
      (await run(await signedUrl("GET", "/v1/AUTH_test/c/o", { expires: seconds }))).response.headers.get("expires");
    expect(await expires(4_000_000_000)).toBe("Tue, 02 Oct 2096 07:06:40 GMT");
    expect(await expires(10_000_000_000_000)).toBe("Sun, 20 May 318857 17:46:40 GMT");
    expect(await expires(99_999_999_999_999)).toBe("Sat, 07 Nov 3170843 09:46:39 GMT");
  });
});

describe("what a TempURL covers (Swift: tempurl.py _get_path_parts)", () => {
  it("a TempURL is for the v1 API only: a signature of /v1/… does not open /v1.0/…", async ({ expect }) => {
    const url = await signedUrl("GET", "/v1/AUTH_test/c/o");
    expect((await run(url)).response.status).toBe(200);
    expect(await invalid(url.replace("/v1/", "/v1.0/"))).toEqual(INVALID);
  });
});

describe("temp_url_ip_range as Python's ipaddress reads it (Swift: ip_address(client) in ip_network(range))", () => {
  /** The status of a URL signed for `range`, fetched from `client`. */
  const status = async (range: string, client: string) => {
    const url = await signedUrl("GET", "/v1/AUTH_test/c/o", { ip: range });
    try {
      return (await run(url, { headers: { "cf-connecting-ip": client } })).response.status;
    } catch (error) {
      if (error instanceof SwiftError) return error.kind;
      throw error;
    }
  };

  it("an IPv4 octet may be 255, not 256, and has no leading zero", async ({ expect }) => {
    expect(await status("10.1.255.0/24", "10.1.255.255")).toBe(200);
    expect(await status("255.255.255.255", "255.255.255.255")).toBe(200);
    expect(await status("10.1.2.0/24", "010.1.2.3")).toBe("Unauthorized");
    expect(await status("010.1.2.0/24", "10.1.2.3")).toBe("Unauthorized");
    expect(await status("10.1.2.00", "10.1.2.0")).toBe("Unauthorized");
  });

  it("an IPv4 range may give its prefix as a dotted netmask or hostmask; an IPv6 range only as a length", async ({
    expect,
  }) => {
    expect(await status("10.1.2.0/255.255.255.0", "10.1.2.200")).toBe(200);
    expect(await status("10.1.2.0/255.255.255.0", "10.1.3.1")).toBe("Unauthorized");
    expect(await status("10.1.2.0/0.0.0.255", "10.1.2.200")).toBe(200);
    expect(await status("10.1.2.3/255.255.255.255", "10.1.2.3")).toBe(200);
    expect(await status("10.1.2.3/255.255.255.255", "10.1.2.4")).toBe("Unauthorized");
    expect(await status("0.0.0.0/0.0.0.0", "192.0.2.1")).toBe(200);
    expect(await status("10.1.2.0/255.0.255.0", "10.1.2.3")).toBe("Unauthorized");
    expect(await status("10.1.2.0/024", "10.1.2.3")).toBe(200);
    expect(await status("::/ffff::", "::1")).toBe("Unauthorized");
    expect(await status("::/255.255.255.0", "::1")).toBe("Unauthorized");
    expect(await status("::/0.0.0.0", "::1")).toBe("Unauthorized");
  });

  it("an IPv6 address may end in an IPv4 address, carry a %scope, or use :: for one zero group", async ({ expect }) => {
    expect(await status("::ffff:10.1.2.0/120", "::ffff:10.1.2.77")).toBe(200);
    expect(await status("::ffff:10.1.2.0/120", "10.1.2.77")).toBe("Unauthorized");
    expect(await status("::10.1.2.3", "::a01:203")).toBe(200);
    expect(await status("1:2:3:4:5:6:10.1.2.0/120", "1:2:3:4:5:6:a01:203")).toBe(200);
    expect(await status("::ffff:10.1.2", "::ffff:10.1.2")).toBe("Unauthorized");
    expect(await status("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")).toBe(200);
    expect(await status("1::3:4:5:6:7:8", "1:0:3:4:5:6:7:8")).toBe(200);
    expect(await status("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")).toBe(200);
    expect(await status("fe80::1%eth0", "fe80::1")).toBe(200);
    expect(await status("fe80::1%", "fe80::1")).toBe("Unauthorized");
    expect(await status("fe80::1%a%b", "fe80::1")).toBe("Unauthorized");
  });

  it("a group of more than four hex digits is malformed, leading zeros or not", async ({ expect }) => {
    expect(await status("::/0", "12345::1")).toBe("Unauthorized");
    expect(await status("00001::", "1::")).toBe("Unauthorized");
    expect(await status("::/0", "::1")).toBe(200);
  });

  it("a client address that cannot be read is in no range, not even the whole address space", async ({ expect }) => {
    for (const client of ["10.1.2", "garbage", "10.1.2.3/32"])
      expect(await status("0.0.0.0/0", client), client).toBe("Unauthorized");
    for (const client of ["1::2::3", "1:2:3:4::5:6:7:8::9", "1:2:3:4:5:6:7:8:9", ":1::"])
      expect(await status("::/0", client), client).toBe("Unauthorized");
    expect(await status("0.0.0.0/0", "10.1.2.3")).toBe(200);
  });

  it("an IPv4 range holds no IPv6 address and an IPv6 range no IPv4 address, even the whole address space", async ({
    expect,
  }) => {
    expect(await status("0.0.0.0/0", "::1")).toBe("Unauthorized");
    expect(await status("::/0", "10.1.2.3")).toBe("Unauthorized");
    expect(await status("::/0", "::ffff:10.1.2.3")).toBe(200);
  });

  it("a prefix length past the address's bits, or not a number, admits nobody, on the all-zero network too", async ({
    expect,
  }) => {
    for (const range of ["0.0.0.0/33", "0.0.0.0/x", "0.0.0.0/-1", "0.0.0.0/ 8", "0.0.0.0/"])
      expect(await status(range, "10.1.2.3"), range).toBe("Unauthorized");
    for (const range of ["0.0.0.0/8 ", "0.0.0.0/1e1", "0.0.0.0/0x8", "0.0.0.0/8.0"])
      expect(await status(range, "0.1.2.3"), range).toBe("Unauthorized");
    expect(await status("0.0.0.0/8", "0.1.2.3")).toBe(200);
    for (const range of ["::/129", "::/x", "::/1x"]) expect(await status(range, "::1"), range).toBe("Unauthorized");
  });
});
