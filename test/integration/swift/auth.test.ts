import { env, exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { parseConfig } from "../../../src/config/config";
import { mintToken } from "../../../src/proxy/auth/swift-v1";
import { BASE, swift, text, tokenFor } from "../../helpers";

async function getToken(headers: Record<string, string>, path = "/auth/v1.0", method = "GET"): Promise<Response> {
  const response = await exports.default.fetch(`${BASE}${path}`, { method, headers });
  await response.arrayBuffer();
  return response;
}

describe("v1 auth (tempauth)", () => {
  it("GET /auth/v1.0 with a user's key returns 200 with X-Auth-Token, X-Storage-Token and X-Storage-Url", async ({
    expect,
  }) => {
    const response = await getToken({ "X-Auth-User": "test:tester", "X-Auth-Key": "testing" });
    expect(response.status).toBe(200);
    const token = response.headers.get("x-auth-token");
    expect(token).toMatch(/^AUTH_tk/);
    expect(response.headers.get("x-storage-token")).toBe(token);
    expect(response.headers.get("x-storage-url")).toBe(`${BASE}/v1/AUTH_test`);
    expect(Number(response.headers.get("x-auth-token-expires"))).toBeGreaterThan(0);
  });

  it("X-Storage-User and X-Storage-Pass are accepted as X-Auth-User and X-Auth-Key", async ({ expect }) => {
    const response = await getToken({ "X-Storage-User": "test2:tester2", "X-Storage-Pass": "testing2" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-storage-url")).toBe(`${BASE}/v1/AUTH_test2`);
  });

  it("/auth/v1/{account}/auth and /auth/auth also issue tokens", async ({ expect }) => {
    expect(
      (await getToken({ "X-Auth-User": "test:tester", "X-Auth-Key": "testing" }, "/auth/v1/test/auth")).status,
    ).toBe(200);
    expect((await getToken({ "X-Auth-User": "test:tester", "X-Auth-Key": "testing" }, "/auth/auth")).status).toBe(200);
  });

  it("a wrong key is 401 with Www-Authenticate, realm unknown (tempauth names no account for a wrong key)", async ({
    expect,
  }) => {
    const response = await getToken({ "X-Auth-User": "test:tester", "X-Auth-Key": "wrong" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Swift realm="unknown"');
  });

  it("an unknown user and missing credentials return 401", async ({ expect }) => {
    expect((await getToken({ "X-Auth-User": "nobody:none", "X-Auth-Key": "x" })).status).toBe(401);
    const missing = await getToken({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Swift realm="unknown"');
  });

  it("any method but GET on /auth/v1.0 returns 405", async ({ expect }) => {
    const response = await getToken({ "X-Auth-User": "test:tester", "X-Auth-Key": "testing" }, "/auth/v1.0", "POST");
    expect(response.status).toBe(405);
  });

  it("a request without a token returns 401 with Www-Authenticate for the account", async ({ expect }) => {
    const response = await swift("GET", "/AUTH_test", { user: null });
    await text(response);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Swift realm="AUTH_test"');
  });

  it("a forged or tampered token returns 401", async ({ expect }) => {
    const token = await tokenFor();
    for (const bad of ["AUTH_tkbogus", token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA"), "nonsense"]) {
      const response = await swift("HEAD", "/AUTH_test", { user: null, headers: { "X-Auth-Token": bad } });
      await text(response);
      expect(response.status, bad).toBe(401);
    }
  });

  it("a request with a token that expired returns 401; one that has not, 204", async ({ expect }) => {
    const config = parseConfig(env);
    const tester = config.users.get("test:tester");
    if (!tester) throw new Error("no test:tester in AUTH_USERS");
    const now = Math.floor(Date.now() / 1000);
    for (const expires of [now, now - 1]) {
      const response = await swift("HEAD", "/AUTH_test", {
        user: null,
        headers: { "X-Auth-Token": await mintToken(config, tester, expires) },
      });
      await text(response);
      expect(response.status, `expires ${expires - now} s from now`).toBe(401);
    }
    const valid = await swift("HEAD", "/AUTH_test", {
      user: null,
      headers: { "X-Auth-Token": await mintToken(config, tester, now + 60) },
    });
    await text(valid);
    expect(valid.status).toBe(204);
  });

  it("X-Storage-Token is accepted as X-Auth-Token", async ({ expect }) => {
    const response = await swift("HEAD", "/AUTH_test", {
      user: null,
      headers: { "X-Storage-Token": await tokenFor() },
    });
    await text(response);
    expect(response.status).toBe(204);
  });

  it("an .admin user reaching another account returns 403", async ({ expect }) => {
    const response = await swift("GET", "/AUTH_test", { user: ["test2:tester2", "testing2"] });
    await text(response);
    expect(response.status).toBe(403);
  });

  it("a user without a role (test:tester3) is refused 403 on its own account", async ({ expect }) => {
    const response = await swift("PUT", "/AUTH_test/tester3-container", { user: ["test:tester3", "testing3"] });
    await text(response);
    expect(response.status).toBe(403);
  });

  it("the reseller admin (admin:admin) may act on any account", async ({ expect }) => {
    const put = await swift("PUT", "/AUTH_test2/from-reseller", { user: ["admin:admin", "admin"] });
    await text(put);
    expect(put.status).toBe(201);
    const head = await swift("HEAD", "/AUTH_test2/from-reseller", { user: ["test2:tester2", "testing2"] });
    await text(head);
    expect(head.status).toBe(204);
  });
});

describe("every response", () => {
  it("carries X-Trans-Id and an identical X-Openstack-Request-Id, errors included", async ({ expect }) => {
    for (const response of [
      await swift("HEAD", "/AUTH_test"),
      await swift("GET", "/AUTH_test/missing-container"),
      await exports.default.fetch(`${BASE}/info`),
    ]) {
      await text(response);
      const id = response.headers.get("x-trans-id");
      expect(id).toMatch(/^tx[0-9a-f]{21}-[0-9a-f]{10}$/);
      expect(response.headers.get("x-openstack-request-id")).toBe(id);
    }
  });

  it("X-Trans-Id-Extra is appended to the transaction id", async ({ expect }) => {
    const response = await swift("HEAD", "/AUTH_test", { headers: { "X-Trans-Id-Extra": "mine" } });
    await text(response);
    expect(response.headers.get("x-trans-id")).toMatch(/^tx[0-9a-f]{21}-[0-9a-f]{10}mine$/);
  });
});

describe("discovery and health", () => {
  it("GET /info returns the cluster's constraints without auth", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const info = (await response.json()) as { swift: Record<string, unknown> };
    expect(info.swift).toMatchObject({
      max_file_size: 100000000,
      max_meta_name_length: 128,
      max_meta_value_length: 256,
      max_meta_count: 90,
      max_meta_overall_size: 4096,
      max_object_name_length: 1024,
      container_listing_limit: 10000,
      account_listing_limit: 10000,
      max_container_name_length: 256,
      max_account_name_length: 256,
      account_autocreate: true,
    });
  });

  it("HEAD /info has the headers and no body; OPTIONS /info lists the methods", async ({ expect }) => {
    const head = await exports.default.fetch(`${BASE}/info`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const options = await exports.default.fetch(`${BASE}/info`, { method: "OPTIONS" });
    await options.text();
    expect(options.headers.get("allow")).toBe("HEAD, GET, OPTIONS");
  });

  it("GET /healthcheck returns 200 OK", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/healthcheck`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("OK");
  });
});
