import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift, text, unique } from "../../helpers";

const ADMIN: [string, string] = ["admin:admin", "admin"];
const INVALID = "401 Unauthorized: Temp URL invalid\n";

type Hash = "SHA-1" | "SHA-256" | "SHA-512";

async function hmac(hash: Hash, key: string, message: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

interface SignOptions {
  method?: string;
  key?: string;
  hash?: Hash;
  expires?: number | string;
  prefix?: string;
  ipRange?: string;
  /** `sha512:<base64url>` instead of hex. */
  base64?: string;
}

/** The TempURL query for `path` (`/v1/a/c/o`), as Swift's swift-temp-url builds it. */
async function tempUrlQuery(path: string, options: SignOptions = {}): Promise<string> {
  const method = options.method ?? "GET";
  const expires = options.expires ?? Math.floor(Date.now() / 1000) + 600;
  const expiresSeconds = typeof expires === "number" ? expires : Math.floor(Date.parse(expires) / 1000);
  const signedPath =
    options.prefix === undefined ? path : `prefix:${path.split("/").slice(0, 4).join("/")}/${options.prefix}`;
  const message = `${options.ipRange ? `ip=${options.ipRange}\n` : ""}${method}\n${expiresSeconds}\n${signedPath}`;
  const digest = await hmac(options.hash ?? "SHA-256", options.key ?? "secret", message);
  const signature = options.base64 ? `${options.base64}:${base64url(digest)}` : hex(digest);
  const query = new URLSearchParams({ temp_url_sig: signature, temp_url_expires: String(expires) });
  if (options.prefix !== undefined) query.set("temp_url_prefix", options.prefix);
  if (options.ipRange) query.set("temp_url_ip_range", options.ipRange);
  return query.toString();
}

/** A new account with Temp-URL key "secret", container `c` and object `c/o`, written by the reseller admin. */
async function accountWithKey(
  headers: Record<string, string> = { "X-Account-Meta-Temp-URL-Key": "secret" },
): Promise<string> {
  const account = `AUTH_${unique("tu")}`;
  const put = await swift("PUT", `/${account}`, { user: ADMIN, headers });
  await text(put);
  if (put.status !== 201) throw new Error(`account PUT ${put.status}`);
  await text(await swift("PUT", `/${account}/c`, { user: ADMIN }));
  await text(
    await swift("PUT", `/${account}/c/o`, {
      user: ADMIN,
      body: "hello",
      headers: { "X-Object-Meta-Secret": "s", "X-Object-Meta-Public-Color": "red", "Content-Type": "text/plain" },
    }),
  );
  return account;
}

async function anonymous(
  method: string,
  path: string,
  query: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return swift(method, `${path.slice("/v1".length)}?${query}`, {
    user: null,
    body: init.body ?? null,
    headers: init.headers,
  });
}

describe("TempURL", () => {
  it(
    "a GET signed with the account key returns the object, X-Object-Meta-* removed but Public, " +
      "with Content-Disposition and Expires",
    async ({ expect }) => {
      const account = await accountWithKey();
      const path = `/v1/${account}/c/o`;
      const expires = Math.floor(Date.now() / 1000) + 600;
      const response = await anonymous("GET", path, await tempUrlQuery(path, { expires }));
      expect(await text(response)).toBe("hello");
      expect(response.status).toBe(200);
      expect(response.headers.get("x-object-meta-secret")).toBeNull();
      expect(response.headers.get("x-object-meta-public-color")).toBe("red");
      expect(response.headers.get("content-disposition")).toBe(`attachment; filename="o"; filename*=UTF-8''o`);
      expect(response.headers.get("expires")).toBe(new Date(expires * 1000).toUTCString());
    },
  );

  it("HMAC-SHA1 and HMAC-SHA512 hex signatures and `<digest>:<base64>` signatures are accepted", async ({ expect }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/o`;
    for (const options of [
      { hash: "SHA-1" },
      { hash: "SHA-512" },
      { hash: "SHA-512", base64: "sha512" },
      { hash: "SHA-256", base64: "sha256" },
      { hash: "SHA-1", base64: "sha1" },
    ] as const) {
      const response = await anonymous("GET", path, await tempUrlQuery(path, options));
      expect(await text(response)).toBe("hello");
      expect(response.status).toBe(200);
    }
  });

  it("a container's Temp-URL key signs for that container only; Temp-URL-Key-2 signs too", async ({ expect }) => {
    const account = await accountWithKey({});
    await text(
      await swift("POST", `/${account}/c`, { user: ADMIN, headers: { "X-Container-Meta-Temp-URL-Key-2": "ckey" } }),
    );
    await text(await swift("PUT", `/${account}/other`, { user: ADMIN }));
    await text(await swift("PUT", `/${account}/other/o`, { user: ADMIN, body: "x" }));
    const path = `/v1/${account}/c/o`;
    const ok = await anonymous("GET", path, await tempUrlQuery(path, { key: "ckey" }));
    expect(await text(ok)).toBe("hello");
    const otherPath = `/v1/${account}/other/o`;
    const other = await anonymous("GET", otherPath, await tempUrlQuery(otherPath, { key: "ckey" }));
    expect(await text(other)).toBe(INVALID);
    expect(other.status).toBe(401);
  });

  it("HEAD is allowed with a signature for GET, PUT or POST, and gets Content-Disposition", async ({ expect }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/o`;
    for (const method of ["HEAD", "GET", "PUT", "POST"]) {
      const response = await anonymous("HEAD", path, await tempUrlQuery(path, { method }));
      await text(response);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toBe(`attachment; filename="o"; filename*=UTF-8''o`);
    }
    const deleteSigned = await anonymous("HEAD", path, await tempUrlQuery(path, { method: "DELETE" }));
    expect(await text(deleteSigned)).toBe("");
    expect(deleteSigned.status).toBe(401);
  });

  it("PUT, POST and DELETE signed for their method work; a signature for another method returns 401", async ({
    expect,
  }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/new`;
    expect((await anonymous("PUT", path, await tempUrlQuery(path, { method: "GET" }), { body: "x" })).status).toBe(401);
    const put = await anonymous("PUT", path, await tempUrlQuery(path, { method: "PUT" }), {
      body: "uploaded",
      headers: { "X-Object-Meta-A": "1" },
    });
    await text(put);
    expect(put.status).toBe(201);
    expect(put.headers.get("content-disposition")).toBeNull();
    const post = await anonymous("POST", path, await tempUrlQuery(path, { method: "POST" }), {
      headers: { "X-Object-Meta-B": "2" },
    });
    await text(post);
    expect(post.status).toBe(202);
    const got = await swift("GET", `/${account}/c/new`, { user: ADMIN });
    expect(await text(got)).toBe("uploaded");
    expect(got.headers.get("x-object-meta-b")).toBe("2");
    const removed = await anonymous("DELETE", path, await tempUrlQuery(path, { method: "DELETE" }));
    await text(removed);
    expect(removed.status).toBe(204);
    const missing = await anonymous("GET", path, await tempUrlQuery(path));
    await text(missing);
    expect(missing.status).toBe(404);
  });

  it("every flaw returns the same 401 Temp URL invalid, whatever exists", async ({ expect }) => {
    const account = await accountWithKey();
    const noKeys = await accountWithKey({});
    const path = `/v1/${account}/c/o`;
    const now = Math.floor(Date.now() / 1000);
    const valid = new URLSearchParams(await tempUrlQuery(path));
    const cases: [string, string][] = [
      ["wrong key", await tempUrlQuery(path, { key: "wrong" })],
      ["expired", await tempUrlQuery(path, { expires: now - 1 })],
      ["unreadable expiry", `temp_url_sig=${valid.get("temp_url_sig") ?? ""}&temp_url_expires=soon`],
      ["no expiry", `temp_url_sig=${valid.get("temp_url_sig") ?? ""}`],
      ["no signature", `temp_url_expires=${valid.get("temp_url_expires") ?? ""}`],
      ["empty signature", `temp_url_sig=&temp_url_expires=${valid.get("temp_url_expires") ?? ""}`],
      ["bad signature length", `temp_url_sig=abcd&temp_url_expires=${valid.get("temp_url_expires") ?? ""}`],
      ["non-hex signature", `temp_url_sig=${"z".repeat(64)}&temp_url_expires=${valid.get("temp_url_expires") ?? ""}`],
      [
        "upper-case hex",
        `temp_url_sig=${(valid.get("temp_url_sig") ?? "").toUpperCase()}` +
          `&temp_url_expires=${valid.get("temp_url_expires") ?? ""}`,
      ],
      ["unknown digest", await tempUrlQuery(path, { base64: "md5" })],
      ["other object", await tempUrlQuery(`/v1/${account}/c/other`)],
      ["other account", await tempUrlQuery(`/v1/AUTH_test/c/o`)],
      ["prefix the object is outside", await tempUrlQuery(path, { prefix: "zzz" })],
    ];
    for (const [, query] of cases) {
      const response = await anonymous("GET", path, query);
      expect(await text(response)).toBe(INVALID);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Swift realm="unknown"');
    }
    for (const target of [
      `/v1/${noKeys}/c/o`,
      `/v1/${account}/no-such-container/o`,
      `/v1/${account}/c/no-such-object`,
    ]) {
      const response = await anonymous("GET", target, await tempUrlQuery(target, { key: "nokey" }));
      expect(await text(response)).toBe(INVALID);
      expect(response.status).toBe(401);
    }
    const containerPath = `/v1/${account}/c`;
    const listing = await anonymous("GET", containerPath, await tempUrlQuery(containerPath));
    expect(await text(listing)).toBe(INVALID);
    const v10 = await exports.default.fetch(`${BASE}/v1.0/${account}/c/o?${await tempUrlQuery(path)}`);
    expect(await v10.text()).toBe(INVALID);
    expect(v10.status).toBe(401);
  });

  it(
    "a signature that differs from the right one only in its last or its first hex digit " +
      "returns 401 Temp URL invalid",
    async ({ expect }) => {
      const account = await accountWithKey();
      const path = `/v1/${account}/c/o`;
      const flip = (digit: string) => (digit === "0" ? "1" : "0");
      for (const hash of ["SHA-1", "SHA-256", "SHA-512"] as const) {
        const valid = new URLSearchParams(await tempUrlQuery(path, { hash }));
        const signature = valid.get("temp_url_sig") ?? "";
        const right = await anonymous("GET", path, valid.toString());
        expect(await text(right), hash).toBe("hello");
        for (const wrong of [
          signature.slice(0, -1) + flip(signature.slice(-1)),
          flip(signature.slice(0, 1)) + signature.slice(1),
        ]) {
          valid.set("temp_url_sig", wrong);
          const response = await anonymous("GET", path, valid.toString());
          expect(await text(response), `${hash} ${wrong}`).toBe(INVALID);
          expect(response.status).toBe(401);
        }
      }
    },
  );

  it("temp_url_expires may be ISO 8601 (%Y-%m-%dT%H:%M:%SZ)", async ({ expect }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/o`;
    const iso = new Date(Date.now() + 600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const response = await anonymous("GET", path, await tempUrlQuery(path, { expires: iso }));
    expect(await text(response)).toBe("hello");
    expect(response.headers.get("expires")).toBe(new Date(Date.parse(iso)).toUTCString());
  });

  it("temp_url_prefix signs every object whose name starts with the prefix, and no other", async ({ expect }) => {
    const account = await accountWithKey();
    await text(await swift("PUT", `/${account}/c/pics/a.jpg`, { user: ADMIN, body: "a" }));
    await text(await swift("PUT", `/${account}/c/pics/deep/b.jpg`, { user: ADMIN, body: "b" }));
    for (const [object, body] of [
      ["pics/a.jpg", "a"],
      ["pics/deep/b.jpg", "b"],
    ]) {
      const path = `/v1/${account}/c/${object}`;
      const response = await anonymous("GET", path, await tempUrlQuery(path, { prefix: "pics/" }));
      expect(await text(response)).toBe(body);
    }
    const outside = `/v1/${account}/c/o`;
    const refused = await anonymous("GET", outside, await tempUrlQuery(outside, { prefix: "pics/" }));
    expect(await text(refused)).toBe(INVALID);
  });

  it("filename and inline choose the Content-Disposition, quoted as Swift quotes it", async ({ expect }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/o`;
    const query = await tempUrlQuery(path);
    const cases: [string, string][] = [
      ["&inline", "inline"],
      ["&filename=My+Report.pdf", `attachment; filename="My Report.pdf"; filename*=UTF-8''My%20Report.pdf`],
      [
        `&inline&filename=${encodeURIComponent('a "b"é\n.txt')}`,
        `inline; filename="a %22b%22%C3%A9%0A.txt"; filename*=UTF-8''a%20%22b%22%C3%A9%0A.txt`,
      ],
    ];
    for (const [extra, disposition] of cases) {
      const response = await anonymous("GET", path, query + extra);
      await text(response);
      expect(response.headers.get("content-disposition")).toBe(disposition);
    }
    await text(
      await swift("POST", `/${account}/c/o`, {
        user: ADMIN,
        headers: { "Content-Disposition": "attachment; filename=stored.txt" },
      }),
    );
    const stored = await anonymous("GET", path, query);
    await text(stored);
    expect(stored.headers.get("content-disposition")).toBe("attachment; filename=stored.txt");
  });

  it("a TempURL PUT or POST may not carry X-Object-Manifest, X-Symlink-Target or X-Copy-From (400)", async ({
    expect,
  }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/new`;
    const query = await tempUrlQuery(path, { method: "PUT" });
    for (const header of ["x-object-manifest", "X-Symlink-Target", "X-Copy-From"]) {
      const response = await anonymous("PUT", path, query, { body: "", headers: { [header]: "c/o" } });
      const name = header.replace(
        /(^|-)([a-z])/g,
        (_match, dash: string, letter: string) => dash + letter.toUpperCase(),
      );
      expect(await text(response)).toBe(`The header '${name}' is not allowed in this tempurl`);
      expect(response.status).toBe(400);
    }
  });

  it("temp_url_ip_range admits only clients in the range", async ({ expect }) => {
    const account = await accountWithKey();
    const path = `/v1/${account}/c/o`;
    const query = await tempUrlQuery(path, { ipRange: "192.0.2.0/24" });
    const inside = await anonymous("GET", path, query, { headers: { "CF-Connecting-IP": "192.0.2.7" } });
    expect(await text(inside)).toBe("hello");
    for (const headers of [{ "CF-Connecting-IP": "198.51.100.1" }, {}] as Record<string, string>[]) {
      const outside = await anonymous("GET", path, query, { headers });
      expect(await text(outside)).toBe(INVALID);
    }
    const v6 = await tempUrlQuery(path, { ipRange: "2001:db8::/32" });
    const v6Inside = await anonymous("GET", path, v6, { headers: { "CF-Connecting-IP": "2001:db8:1::5" } });
    expect(await text(v6Inside)).toBe("hello");
  });

  it("a removed key stops signing (401)", async ({ expect }) => {
    const account = await accountWithKey({});
    await text(
      await swift("POST", `/${account}/c`, { user: ADMIN, headers: { "X-Container-Meta-Temp-URL-Key": "ckey" } }),
    );
    const path = `/v1/${account}/c/o`;
    const query = await tempUrlQuery(path, { key: "ckey" });
    expect(await text(await anonymous("GET", path, query))).toBe("hello");
    await text(
      await swift("POST", `/${account}/c`, { user: ADMIN, headers: { "X-Remove-Container-Meta-Temp-URL-Key": "x" } }),
    );
    expect(await text(await anonymous("GET", path, query))).toBe(INVALID);
  });

  it("/info lists tempurl's methods, header rules and digests", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = (await response.json()) as { tempurl: unknown };
    expect(info.tempurl).toEqual({
      methods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
      incoming_remove_headers: ["x-timestamp"],
      incoming_allow_headers: [],
      outgoing_remove_headers: ["x-object-meta-*"],
      outgoing_allow_headers: ["x-object-meta-public-*"],
      allowed_digests: ["sha1", "sha256", "sha512"],
      deprecated_digests: ["sha1"],
    });
  });
});
