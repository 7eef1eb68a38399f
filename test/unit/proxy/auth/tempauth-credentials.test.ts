/**
 * @module
 * Which headers a token request reads, on which path, and the realm of its 401, read exactly as
 * tempauth reads them; and a token the isolate remembers. In Node, with a configuration built in place.
 * Swift: common/middleware/tempauth.py handle_get_token.
 */
import { describe, it } from "vitest";
import { DEFAULT_RESELLER_PREFIXES, type Config, type User } from "../../../../src/config/config";
import { SwiftError } from "../../../../src/common/errors";
import { handleGetToken, mintToken, verifyToken } from "../../../../src/proxy/auth/swift-v1";

const tester: User = { account: "test", user: "tester", key: "testing", roles: new Set([".admin"]) };
const tester3: User = { account: "test", user: "tester3", key: "testing3", roles: new Set() };
/** A user whose bare name starts with its account's name. */
const tests: User = { account: "test", user: "tests", key: "testing-s", roles: new Set() };
const settings: Pick<Config, "tokenSecret" | "tokenLifeSeconds" | "users" | "resellerPrefixes" | "requireGroups"> = {
  resellerPrefixes: DEFAULT_RESELLER_PREFIXES,
  requireGroups: new Map(),
  tokenSecret: "credentials-test-secret",
  tokenLifeSeconds: 3_600,
  users: new Map([
    ["test:tester", tester],
    ["test:tester3", tester3],
    ["test:tests", tests],
  ]),
};
const config = settings as Config;
const NOW_MS = 1_700_000_000_000;

/** The user a token request gets a token for, or the realm of its 401. */
async function outcome(path: string, headers: Record<string, string>): Promise<string> {
  try {
    const response = await handleGetToken(config, new Request(`https://swift.example${path}`, { headers }), NOW_MS);
    const identity = await verifyToken(config, response.headers.get("x-auth-token") ?? "", NOW_MS);
    return `token for ${identity?.account ?? "?"}:${identity?.user ?? "?"}`;
  } catch (error) {
    if (error instanceof SwiftError && error.kind === "Unauthorized")
      return error.headers[`www-authenticate`] ?? "401 without realm";
    throw error;
  }
}

describe("GET /auth/v1/{account}/auth (Swift: tempauth handle_get_token)", () => {
  const v1 = (headers: Record<string, string>) => outcome("/auth/v1/test/auth", headers);

  it("X-Storage-User is a bare user name of the path's account, X-Storage-Pass its key", async ({ expect }) => {
    expect(await v1({ "X-Storage-User": "tester", "X-Storage-Pass": "testing" })).toBe("token for test:tester");
    expect(await v1({ "X-Storage-User": "tester3", "X-Auth-Key": "testing3" })).toBe("token for test:tester3");
  });

  it(
    "X-Auth-User must be account:user of the path's account; " +
      "another account, no colon or no user is 401 naming the path's account",
    async ({ expect }) => {
      expect(await v1({ "X-Auth-User": "test:tester", "X-Auth-Key": "testing" })).toBe("token for test:tester");
      expect(await v1({ "X-Auth-User": "other:tester", "X-Auth-Key": "testing" })).toBe(`Swift realm="test"`);
      expect(await v1({ "X-Auth-User": "tester", "X-Auth-Key": "testing" })).toBe(`Swift realm="test"`);
      expect(await v1({ "X-Auth-Key": "testing" })).toBe(`Swift realm="test"`);
    },
  );

  it("a bare user name in X-Auth-User is 401 there, even that of a user of the account", async ({ expect }) => {
    expect(await v1({ "X-Auth-User": "tests", "X-Auth-Key": "testing-s" })).toBe(`Swift realm="test"`);
    expect(await v1({ "X-Auth-User": "test:tests", "X-Auth-Key": "testing-s" })).toBe("token for test:tests");
  });

  it("X-Storage-Pass is read before X-Auth-Key", async ({ expect }) => {
    expect(await v1({ "X-Storage-User": "tester", "X-Storage-Pass": "testing", "X-Auth-Key": "wrong" })).toBe(
      "token for test:tester",
    );
    expect(await v1({ "X-Storage-User": "tester", "X-Storage-Pass": "wrong", "X-Auth-Key": "testing" })).toBe(
      `Swift realm="unknown"`,
    );
  });

  it("an empty header counts as absent", async ({ expect }) => {
    expect(
      await v1({ "X-Storage-User": "", "X-Auth-User": "test:tester", "X-Storage-Pass": "", "X-Auth-Key": "testing" }),
    ).toBe("token for test:tester");
    expect(await v1({ "X-Storage-User": "tester", "X-Storage-Pass": "", "X-Auth-Key": "" })).toBe(`Swift realm="test"`);
  });
});

describe("GET /auth/v1.0 and /auth/auth (Swift: tempauth handle_get_token)", () => {
  it("X-Auth-User is read before X-Storage-User, X-Auth-Key before X-Storage-Pass, on both paths", async ({
    expect,
  }) => {
    for (const path of ["/auth/v1.0", "/auth/auth"]) {
      expect(
        await outcome(path, {
          "X-Auth-User": "test:tester",
          "X-Storage-User": "test:tester3",
          "X-Auth-Key": "testing",
        }),
        path,
      ).toBe("token for test:tester");
      expect(
        await outcome(path, { "X-Auth-User": "test:tester", "X-Auth-Key": "testing", "X-Storage-Pass": "wrong" }),
        path,
      ).toBe("token for test:tester");
      expect(
        await outcome(path, { "X-Auth-User": "test:tester", "X-Auth-Key": "wrong", "X-Storage-Pass": "testing" }),
        path,
      ).toBe(`Swift realm="unknown"`);
    }
  });

  it("an empty X-Auth-User or X-Auth-Key counts as absent", async ({ expect }) => {
    expect(
      await outcome("/auth/v1.0", {
        "X-Auth-User": "",
        "X-Storage-User": "test:tester3",
        "X-Auth-Key": "",
        "X-Storage-Pass": "testing3",
      }),
    ).toBe("token for test:tester3");
  });

  it("a user without a colon is 401, realm unknown; a known user without a key is 401 naming the account", async ({
    expect,
  }) => {
    expect(await outcome("/auth/v1.0", { "X-Auth-User": "tester", "X-Auth-Key": "testing" })).toBe(
      `Swift realm="unknown"`,
    );
    expect(await outcome("/auth/v1.0", { "X-Auth-User": "test:tester" })).toBe(`Swift realm="test"`);
    expect(await outcome("/auth/v1.0", { "X-Auth-User": "test:", "X-Auth-Key": "testing" })).toBe(`Swift realm="test"`);
  });
});

describe("a token the isolate remembers", () => {
  it("is accepted on every check before its expiry, not only the first", async ({ expect }) => {
    const expires = 1_950_000_000;
    const token = await mintToken(config, tester3, expires);
    for (const nowMs of [expires * 1000 - 60_000, expires * 1000 - 1, NOW_MS]) {
      expect(await verifyToken(config, token, nowMs), String(nowMs)).toEqual({
        account: "test",
        user: "tester3",
        roles: new Set(),
      });
    }
  });
});
