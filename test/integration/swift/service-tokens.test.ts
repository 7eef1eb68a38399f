/**
 * @module
 * Tempauth's reseller prefixes and service tokens, with the development configuration of a
 * Swift all-in-one (RESELLER_PREFIX "AUTH, SERVICE", REQUIRE_GROUP "SERVICE=service", users
 * test5:tester5 in group `service` and admin:auditor with `.reseller_reader`); each behaviour
 * checked against Swift 2.30.1 configured so.
 * Swift: common/middleware/tempauth.py __call__, authorize, _get_user_groups, _get_account_prefix.
 */
import { env, exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { ConfigError, parseConfig, parseRequireGroups, parseResellerPrefixes } from "../../../src/config/config";
import { tempauthVerdict, type TempauthInput } from "../../../src/proxy/auth/authorize";
import { handleGetToken, mintToken, requestGroups, verifyToken } from "../../../src/proxy/auth/swift-v1";
import { BASE, text, tokenFor, unique } from "../../helpers";

const TESTER: [string, string] = ["test:tester", "testing"];
const TESTER3: [string, string] = ["test:tester3", "testing3"];
const TESTER2: [string, string] = ["test2:tester2", "testing2"];
const SERVICE_USER: [string, string] = ["test5:tester5", "testing5"];
const ADMIN: [string, string] = ["admin:admin", "admin"];
const AUDITOR: [string, string] = ["admin:auditor", "admin_ro"];

/** A Swift request with an X-Auth-Token and, optionally, an X-Service-Token (users or raw tokens); body consumed. */
async function request(
  method: string,
  path: string,
  tokens: { user?: [string, string] | string | null; service?: [string, string] | string | null },
  headers: Record<string, string> = {},
  body: string | null = null,
): Promise<Response> {
  const sent = new Headers(headers);
  const token = async (who: [string, string] | string) => (typeof who === "string" ? who : tokenFor(...who));
  if (tokens.user) sent.set("X-Auth-Token", await token(tokens.user));
  if (tokens.service) sent.set("X-Service-Token", await token(tokens.service));
  const response = await exports.default.fetch(`${BASE}/v1${path}`, { method, headers: sent, body });
  await text(response);
  return response;
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("reseller prefixes (Swift: tempauth reseller_prefix = AUTH, SERVICE)", () => {
  it("a token names the first prefix, and a user's storage URL is its account under the first prefix", async ({
    expect,
  }) => {
    const response = await exports.default.fetch(`${BASE}/auth/v1.0`, {
      headers: { "X-Auth-User": "test5:tester5", "X-Auth-Key": "testing5" },
    });
    await text(response);
    expect(response.headers.get("x-auth-token")).toMatch(/^AUTH_tk/);
    expect(response.headers.get("x-storage-url")).toBe(`${BASE}/v1/AUTH_test5`);
  });

  it("with another first prefix, tokens and storage URLs take it; tokens of the old prefix no longer verify", async ({
    expect,
  }) => {
    const base = parseConfig(env);
    const config = { ...base, resellerPrefixes: ["FOO_", "AUTH_"] };
    const response = await handleGetToken(
      config,
      new Request(`${BASE}/auth/v1.0`, { headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" } }),
      Date.now(),
    );
    const token = response.headers.get("x-auth-token") ?? "";
    expect(token).toMatch(/^FOO_tk/);
    expect(response.headers.get("x-storage-url")).toBe(`${BASE}/v1/FOO_test`);
    const tester = base.users.get("test:tester");
    if (!tester) throw new Error("no test:tester in AUTH_USERS");
    const old = await mintToken(base, tester, Math.floor(Date.now() / 1000) + 60);
    expect(await verifyToken(config, old, Date.now())).toBeNull();
    expect(await verifyToken(config, token, Date.now())).toMatchObject({ account: "test", user: "tester" });
  });

  it("an .admin user's groups name its account under every prefix", async ({ expect }) => {
    const config = parseConfig(env);
    expect(requestGroups(config, { account: "test", user: "tester", roles: new Set([".admin"]) })).toEqual([
      "test",
      "test:tester",
      "AUTH_test",
      "SERVICE_test",
    ]);
    expect(requestGroups(config, { account: "test5", user: "tester5", roles: new Set(["service"]) })).toEqual([
      "test5",
      "test5:tester5",
      "service",
    ]);
    expect(requestGroups(config, null)).toEqual([]);
  });

  it("an account under the first prefix (no require_group) is its .admin user's with no service token", async ({
    expect,
  }) => {
    expect((await request("HEAD", "/AUTH_test", { user: TESTER })).status).toBe(204);
  });

  it("an account under no prefix is refused: 401 naming it when anonymous, 403 with a token", async ({ expect }) => {
    const anonymous = await request("HEAD", "/OTHER_test", {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Swift realm="OTHER_test"');
    expect((await request("HEAD", "/OTHER_test", { user: TESTER, service: SERVICE_USER })).status).toBe(403);
  });
});

describe("X-Service-Token (Swift: tempauth SERVICE_require_group = service)", () => {
  it("an account under a prefix with a require_group refuses its own .admin user alone with 403", async ({
    expect,
  }) => {
    expect((await request("HEAD", "/SERVICE_test", { user: TESTER })).status).toBe(403);
    expect((await request("PUT", "/SERVICE_test/c", { user: TESTER })).status).toBe(403);
  });

  it(
    "the user's X-Auth-Token with the X-Service-Token of a user in the required group owns the account: " +
      "containers and objects are written and read",
    async ({ expect }) => {
      const tokens = { user: TESTER, service: SERVICE_USER };
      const container = `/SERVICE_test/${unique("svc")}`;
      expect((await request("PUT", container, tokens)).status).toBe(201);
      expect((await request("PUT", `${container}/o`, tokens, {}, "service data")).status).toBe(201);
      const got = await exports.default.fetch(`${BASE}/v1${container}/o`, {
        headers: { "X-Auth-Token": await tokenFor(...TESTER), "X-Service-Token": await tokenFor(...SERVICE_USER) },
      });
      expect(got.status).toBe(200);
      expect(await got.text()).toBe("service data");
      expect((await request("HEAD", "/SERVICE_test", tokens)).status).toBe(204);
      // The owner sees owner-only headers, so it is swift_owner.
      expect((await request("POST", container, tokens, { "X-Container-Read": "test:tester3" })).status).toBe(204);
      expect((await request("HEAD", container, tokens)).headers.get("x-container-read")).toBe("test:tester3");
    },
  );

  it(
    "the groups of both tokens are merged: " +
      "the service user's token as X-Auth-Token and the user's as X-Service-Token work the same",
    async ({ expect }) => {
      expect((await request("HEAD", "/SERVICE_test", { user: SERVICE_USER, service: TESTER })).status).toBe(204);
    },
  );

  it("account PUT and DELETE stay refused to the account's own user with a service token (403)", async ({ expect }) => {
    expect((await request("PUT", "/SERVICE_test", { user: TESTER, service: SERVICE_USER })).status).toBe(403);
    expect((await request("DELETE", "/SERVICE_test", { user: TESTER, service: SERVICE_USER })).status).toBe(403);
  });

  it("a service token of a user outside the required group, or a user not admin of the account, gets 403", async ({
    expect,
  }) => {
    expect((await request("HEAD", "/SERVICE_test", { user: TESTER, service: TESTER3 })).status).toBe(403);
    expect((await request("HEAD", "/SERVICE_test", { user: TESTER3, service: SERVICE_USER })).status).toBe(403);
    // The service user is in the group but owns no account.
    expect((await request("HEAD", "/SERVICE_test5", { user: SERVICE_USER, service: SERVICE_USER })).status).toBe(403);
  });

  it("an invalid, forged or expired X-Service-Token adds nothing: 403 with a valid X-Auth-Token, never 401", async ({
    expect,
  }) => {
    const config = parseConfig(env);
    const tester5 = config.users.get("test5:tester5");
    if (!tester5) throw new Error("no test5:tester5 in AUTH_USERS");
    const expired = await mintToken(config, tester5, Math.floor(Date.now() / 1000) - 1);
    for (const service of ["AUTH_tkbogus", "nonsense", expired]) {
      expect((await request("HEAD", "/SERVICE_test", { user: TESTER, service })).status, service).toBe(403);
    }
    expect((await request("HEAD", "/AUTH_test", { user: TESTER, service: "AUTH_tkbogus" })).status).toBe(204);
  });

  it("an X-Service-Token without an X-Auth-Token is not read: 401 naming the account", async ({ expect }) => {
    const response = await request("HEAD", "/SERVICE_test", { service: SERVICE_USER });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Swift realm="SERVICE_test"');
  });

  it("an invalid X-Auth-Token is refused with 401 outright, whatever the X-Service-Token", async ({ expect }) => {
    const response = await request("HEAD", "/SERVICE_test", { user: "AUTH_tkbad", service: SERVICE_USER });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Swift realm="SERVICE_test"');
  });

  it(
    "ACLs on a service account match the X-Auth-Token's user: " + "a container ACL grants it without a service token",
    async ({ expect }) => {
      const tokens = { user: TESTER, service: SERVICE_USER };
      const container = `/SERVICE_test/${unique("acl")}`;
      expect((await request("PUT", container, tokens, { "X-Container-Read": "test:tester3" })).status).toBe(201);
      expect((await request("PUT", `${container}/o`, tokens, {}, "shared")).status).toBe(201);
      expect((await request("GET", `${container}/o`, { user: TESTER3 })).status).toBe(200);
      expect((await request("PUT", `${container}/o`, { user: TESTER3 }, {}, "x")).status).toBe(403);
    },
  );

  it("the service token's user's own groups count too: an .admin service user's accounts are owned through it", async ({
    expect,
  }) => {
    // test2:tester2 is .admin of test2: its groups name AUTH_test2 and SERVICE_test2.
    expect((await request("HEAD", "/AUTH_test2", { user: TESTER, service: TESTER2 })).status).toBe(204);
    expect((await request("HEAD", "/AUTH_test2", { user: TESTER })).status).toBe(403);
  });
});

describe(".reseller_admin and .reseller_reader across prefixes (Swift: tempauth authorize)", () => {
  it(
    ".reseller_admin owns accounts under every prefix, needing no required group, " +
      "but not a prefix itself or a dot account",
    async ({ expect }) => {
      expect((await request("HEAD", "/SERVICE_test", { user: ADMIN })).status).toBe(204);
      expect((await request("PUT", `/SERVICE_test/${unique("ra")}`, { user: ADMIN })).status).toBe(201);
      for (const account of ["/SERVICE_", "/AUTH_", "/SERVICE_.hidden", "/AUTH_.hidden"]) {
        expect((await request("HEAD", account, { user: ADMIN })).status, account).toBe(403);
      }
    },
  );

  it("a reseller admin's X-Service-Token makes the request a reseller admin's", async ({ expect }) => {
    expect((await request("HEAD", "/AUTH_test2", { user: TESTER, service: ADMIN })).status).toBe(204);
    // Setting an account quota is the reseller admin's alone.
    expect(
      (
        await request(
          "POST",
          "/AUTH_test2",
          { user: TESTER, service: ADMIN },
          { "X-Account-Meta-Quota-Bytes": "1000000" },
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await request(
          "POST",
          "/AUTH_test2",
          { user: TESTER, service: ADMIN },
          { "X-Remove-Account-Meta-Quota-Bytes": "x" },
        )
      ).status,
    ).toBe(204);
    expect(
      (await request("POST", "/AUTH_test", { user: TESTER }, { "X-Account-Meta-Quota-Bytes": "1000000" })).status,
    ).toBe(403);
  });

  it(".reseller_reader reads accounts, containers and objects under every prefix and writes none (403)", async ({
    expect,
  }) => {
    const tokens = { user: TESTER, service: SERVICE_USER };
    const container = `/SERVICE_test/${unique("rr")}`;
    await request("PUT", container, tokens);
    await request("PUT", `${container}/o`, tokens, {}, "readable");
    expect((await request("HEAD", "/SERVICE_test", { user: AUDITOR })).status).toBe(204);
    expect((await request("GET", container, { user: AUDITOR })).status).toBe(200);
    expect((await request("GET", `${container}/o`, { user: AUDITOR })).status).toBe(200);
    expect((await request("HEAD", "/AUTH_test", { user: AUDITOR })).status).toBe(204);
    expect((await request("POST", "/AUTH_test", { user: AUDITOR })).status).toBe(403);
    expect((await request("PUT", `${container}/new`, { user: AUDITOR }, {}, "x")).status).toBe(403);
    expect((await request("DELETE", `${container}/o`, { user: AUDITOR })).status).toBe(403);
    expect((await request("HEAD", "/AUTH_", { user: AUDITOR })).status).toBe(403);
  });
});

describe("tempauthVerdict (Swift: tempauth authorize), pure", () => {
  const config = { resellerPrefixes: ["AUTH_", "SERVICE_"], requireGroups: new Map([["SERVICE_", ".service"]]) };
  const input = (changes: Partial<TempauthInput>): TempauthInput => ({
    groups: [],
    method: "GET",
    account: "AUTH_test",
    container: null,
    object: null,
    referer: null,
    containerAcl: null,
    accountAcl: null,
    ...changes,
  });

  it("the first matching prefix decides the require_group: an account under two prefixes takes the earlier one's", ({
    expect,
  }) => {
    const overlapping = {
      resellerPrefixes: ["AUTH_", "AUTH_SVC_"],
      requireGroups: new Map([["AUTH_SVC_", ".service"]]),
    };
    expect(tempauthVerdict(overlapping, input({ account: "AUTH_SVC_x", groups: ["AUTH_SVC_x"] }))).toBe("owner");
  });

  it(
    "a require_group is met by any of the request's groups; " +
      "without it the account's own group falls through to the ACLs",
    ({ expect }) => {
      expect(
        tempauthVerdict(
          config,
          input({ account: "SERVICE_test", groups: ["test", "test:tester", "AUTH_test", "SERVICE_test", ".service"] }),
        ),
      ).toBe("owner");
      expect(
        tempauthVerdict(
          config,
          input({ account: "SERVICE_test", groups: ["test", "test:tester", "AUTH_test", "SERVICE_test"] }),
        ),
      ).toBe("denied");
      expect(
        tempauthVerdict(
          config,
          input({
            account: "SERVICE_test",
            groups: ["test", "test:tester", "SERVICE_test"],
            accountAcl: { admin: [], "read-write": [], "read-only": ["test:tester"] },
          }),
        ),
      ).toBe("allowed");
    },
  );

  it("a require_group for every prefix applies to the first prefix's accounts too", ({ expect }) => {
    const everywhere = { resellerPrefixes: ["AUTH_"], requireGroups: new Map([["AUTH_", "staff"]]) };
    expect(tempauthVerdict(everywhere, input({ groups: ["test", "test:tester", "AUTH_test"] }))).toBe("denied");
    expect(tempauthVerdict(everywhere, input({ groups: ["test", "test:tester", "AUTH_test", "staff"] }))).toBe("owner");
  });
});

describe("RESELLER_PREFIX and REQUIRE_GROUP (Swift: utils.config_read_reseller_options)", () => {
  it("prefixes are comma-separated, given their underscore, kept once in order; unset is AUTH", ({ expect }) => {
    expect(parseResellerPrefixes("AUTH, SERVICE")).toEqual(["AUTH_", "SERVICE_"]);
    expect(parseResellerPrefixes(" AUTH_ ,SERVICE,AUTH,, ")).toEqual(["AUTH_", "SERVICE_"]);
    expect(parseResellerPrefixes("")).toEqual(["AUTH_"]);
  });

  it("the empty prefix '' and a malformed prefix are refused with 503, naming RESELLER_PREFIX", ({ expect }) => {
    for (const text of ["AUTH, ''", "AU/TH", `"AUTH"`]) {
      const error = configErrorOf(() => parseResellerPrefixes(text));
      expect(error.status, text).toBe(503);
      expect(error.message, text).toMatch(/^configuration: RESELLER_PREFIX /);
    }
  });

  it("PREFIX=group applies to one prefix, a bare group to every prefix without its own", ({ expect }) => {
    const prefixes = ["AUTH_", "SERVICE_", "OTHER_"];
    expect([...parseRequireGroups("SERVICE=.service", prefixes)]).toEqual([["SERVICE_", ".service"]]);
    expect([...parseRequireGroups("staff; SERVICE_=.service", prefixes)]).toEqual([
      ["AUTH_", "staff"],
      ["SERVICE_", ".service"],
      ["OTHER_", "staff"],
    ]);
    expect([...parseRequireGroups("", prefixes)]).toEqual([]);
  });

  it(
    "a require_group for a prefix RESELLER_PREFIX does not list, named twice, or without a group is refused, " +
      "naming REQUIRE_GROUP",
    ({ expect }) => {
      for (const text of ["NOPE=.service", "SERVICE=a SERVICE_=b", "SERVICE=", "a b"]) {
        expect(configErrorOf(() => parseRequireGroups(text, ["AUTH_", "SERVICE_"])).message, text).toMatch(
          /^configuration: REQUIRE_GROUP /,
        );
      }
    },
  );

  it("AUTH_USERS takes any group name, but not one holding a comma", ({ expect }) => {
    const config = parseConfig(env);
    expect(config.users.get("test5:tester5")?.roles).toEqual(new Set(["service"]));
    expect(config.resellerPrefixes).toEqual(["AUTH_", "SERVICE_"]);
    expect(config.requireGroups).toEqual(new Map([["SERVICE_", "service"]]));
    const error = configErrorOf(() => parseConfig({ ...env, AUTH_USERS: "a:b=key x,y" }));
    expect(error.message).toBe('configuration: AUTH_USERS has a group with a comma "x,y" for a:b');
  });
});
