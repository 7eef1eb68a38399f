/**
 * @module
 * Tempauth's v1 tokens in Node, with a configuration built in place: a token proves its user
 * until its expiry second; a forged, truncated or foreign token proves nothing.
 * Swift: common/middleware/tempauth.py handle_get_token, get_groups.
 */
import { describe, it } from "vitest";
import { DEFAULT_RESELLER_PREFIXES, type Config, type User } from "../../../../src/config/config";
import { SwiftError } from "../../../../src/common/errors";
import { handleGetToken, identify, mintToken, storageAccount, verifyToken } from "../../../../src/proxy/auth/swift-v1";

const tester: User = { account: "test", user: "tester", key: "testing", roles: new Set([".admin"]) };
const tester3: User = { account: "test", user: "tester3", key: "testing3", roles: new Set() };
const settings: Pick<Config, "tokenSecret" | "tokenLifeSeconds" | "users" | "resellerPrefixes" | "requireGroups"> = {
  resellerPrefixes: DEFAULT_RESELLER_PREFIXES,
  requireGroups: new Map(),
  tokenSecret: "unit-test-secret",
  tokenLifeSeconds: 86_400,
  users: new Map([
    ["test:tester", tester],
    ["test:tester3", tester3],
  ]),
};
const config = settings as Config;
const otherCluster = { ...settings, tokenSecret: "another-secret" } as Config;

/** A fixed expiry, unique per use so no token is already remembered by the isolate. */
let expirySeconds = 1_800_000_000;
const nextExpiry = () => (expirySeconds += 1000);

async function refusal(run: () => Promise<unknown>): Promise<SwiftError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof SwiftError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("tokens", () => {
  it("a storage account is the reseller prefix and the account", ({ expect }) => {
    expect(storageAccount("test")).toBe("AUTH_test");
  });

  it("a token proves its user, account and roles until its expiry second", async ({ expect }) => {
    const expires = nextExpiry();
    const token = await mintToken(config, tester, expires);
    expect(token.startsWith("AUTH_tk")).toBe(true);
    const identity = await verifyToken(config, token, expires * 1000 - 1);
    expect(identity).toEqual({ account: "test", user: "tester", roles: new Set([".admin"]) });
  });

  it("a token is refused at its expiry second, checked afresh", async ({ expect }) => {
    const expires = nextExpiry();
    const token = await mintToken(config, tester, expires);
    expect(await verifyToken(config, token, expires * 1000)).toBeNull();
  });

  it("a token remembered by the isolate is refused at its expiry second", async ({ expect }) => {
    const expires = nextExpiry();
    const token = await mintToken(config, tester, expires);
    expect(await verifyToken(config, token, expires * 1000 - 1)).not.toBeNull();
    expect(await verifyToken(config, token, expires * 1000)).toBeNull();
    expect(await verifyToken(config, token, expires * 1000 - 1)).not.toBeNull();
  });

  it("a token signed with another cluster's secret proves nothing", async ({ expect }) => {
    const token = await mintToken(otherCluster, tester, nextExpiry());
    expect(await verifyToken(config, token, 0)).toBeNull();
  });

  it("a token that is not ours, truncated, or not base64url proves nothing", async ({ expect }) => {
    const token = await mintToken(config, tester, nextExpiry());
    const body = token.slice("AUTH_tk".length);
    const [payload = "", signature = ""] = body.split(".");
    for (const text of [
      `AUTH_xx${body}`,
      "AUTH_tk",
      `AUTH_tk${payload}`,
      `AUTH_tk${payload}.`,
      `AUTH_tk.${signature}`,
      `AUTH_tk${payload}.!!!`,
      `AUTH_tk${payload}x.${signature}`,
    ]) {
      expect(await verifyToken(config, text, 0), text).toBeNull();
    }
  });

  it("only the text minted is the token: one with a part added, white space, padding or other unused bits proves nothing", async ({
    expect,
  }) => {
    const token = await mintToken(config, tester, nextExpiry());
    const [payload = "", signature = ""] = token.slice("AUTH_tk".length).split(".");
    // The signature is 32 bytes: 43 base64url characters, the last holding 2 unused bits.
    const last = signature.slice(-1);
    const unusedBitsSet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[
      ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(last) & ~3) | 1
    ];
    for (const text of [
      `${token}.x`,
      `${token}.`,
      `${token}=`,
      `AUTH_tk${payload.slice(0, 5)} ${payload.slice(5)}.${signature}`,
      `AUTH_tk${payload}.${signature.slice(0, 5)}\t${signature.slice(5)}`,
      `AUTH_tk${payload}.${signature.slice(0, -1)}${unusedBitsSet}`,
    ]) {
      expect(await verifyToken(config, text, 0), text).toBeNull();
    }
    expect(await verifyToken(config, token, 0)).not.toBeNull();
  });

  it("a token's claims cannot be swapped for another user's under the same signature", async ({ expect }) => {
    const mine = (await mintToken(config, tester3, nextExpiry())).slice("AUTH_tk".length).split(".");
    const theirs = (await mintToken(config, tester, nextExpiry())).slice("AUTH_tk".length).split(".");
    expect(await verifyToken(config, `AUTH_tk${theirs[0]}.${mine[1]}`, 0)).toBeNull();
  });
});

describe("GET /auth/v1.0 (Swift: tempauth handle_get_token)", () => {
  const NOW_MS = 1_700_000_000_500;
  const get = (headers: Record<string, string>) =>
    handleGetToken(config, new Request("https://swift.example:8443/auth/v1.0", { headers }), NOW_MS);

  it("right credentials get 200 with the token, its lifetime and the storage URL", async ({ expect }) => {
    const response = await get({ "X-Auth-User": "test:tester", "X-Auth-Key": "testing" });
    expect(response.status).toBe(200);
    const token = response.headers.get("x-auth-token") ?? "";
    expect(response.headers.get("x-storage-token")).toBe(token);
    expect(response.headers.get("x-auth-token-expires")).toBe("86400");
    expect(response.headers.get("x-storage-url")).toBe("https://swift.example:8443/v1/AUTH_test");
    // swob's default content type: tempauth names none (a Swift 2.30.1 proxy sends this).
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await verifyToken(config, token, NOW_MS)).toMatchObject({ account: "test", user: "tester" });
    expect(await verifyToken(config, token, (1_700_000_000 + 86_400) * 1000)).toBeNull();
    expect(await verifyToken(config, token, (1_700_000_000 + 86_400) * 1000 - 1)).not.toBeNull();
  });

  it("X-Storage-User and X-Storage-Pass are accepted as well", async ({ expect }) => {
    expect((await get({ "X-Storage-User": "test:tester3", "X-Storage-Pass": "testing3" })).status).toBe(200);
  });

  it("a wrong key is 401 with Www-Authenticate, realm unknown (tempauth names no account for a wrong key)", async ({
    expect,
  }) => {
    for (const key of ["wrong!!", "testin", "testing+", "Testing"]) {
      const error = await refusal(() => get({ "X-Auth-User": "test:tester", "X-Auth-Key": key }));
      expect(error.kind, key).toBe("Unauthorized");
      expect(error.headers).toEqual({ "www-authenticate": `Swift realm="unknown"` });
    }
  });

  it("an unknown user or a missing key is 401; no user at all names the realm unknown", async ({ expect }) => {
    expect((await refusal(() => get({ "X-Auth-User": "test:nobody", "X-Auth-Key": "testing" }))).headers).toEqual({
      "www-authenticate": `Swift realm="test"`,
    });
    expect((await refusal(() => get({ "X-Auth-User": "test:tester" }))).kind).toBe("Unauthorized");
    expect((await refusal(() => get({ "X-Auth-Key": "testing" }))).headers).toEqual({
      "www-authenticate": `Swift realm="unknown"`,
    });
    expect((await refusal(() => get({ "X-Auth-User": ":tester", "X-Auth-Key": "testing" }))).headers).toEqual({
      "www-authenticate": `Swift realm="unknown"`,
    });
  });
});

describe("identify", () => {
  it("a request is identified by X-Auth-Token or X-Storage-Token; without one it is anonymous", async ({ expect }) => {
    const token = await mintToken(config, tester, nextExpiry());
    const request = (headers: Record<string, string>) => new Request("https://swift.example/v1/AUTH_test", { headers });
    expect(await identify(config, request({ "X-Auth-Token": token }), 0)).toMatchObject({ user: "tester" });
    expect(await identify(config, request({ "X-Storage-Token": token }), 0)).toMatchObject({ user: "tester" });
    expect(await identify(config, request({}), 0)).toBeNull();
    expect(await identify(config, request({ "X-Auth-Token": "AUTH_tkbogus.bogus" }), 0)).toBeNull();
  });
});
