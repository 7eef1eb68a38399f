import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { ConfigError, parseConfig, type DomainRemapConfig } from "../../../src/config/config";
import { remapHost, remappedPath } from "../../../src/proxy/middleware/domain-remap";
import { swift, text, tokenFor, putStatus } from "../../helpers";

// The workers project sets STORAGE_DOMAIN = "example.com" (vitest.config.ts).
const bytes = (s: string) => new TextEncoder().encode(s);
const PUBLIC = { "X-Container-Read": ".r:*,.rlistings" };

/** A request to a host under the storage domain, as a browser sends it (redirects not followed). */
async function visit(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: BodyInit | null; auth?: boolean } = {},
) {
  const headers = new Headers(init.headers);
  if (init.auth) headers.set("X-Auth-Token", await tokenFor());
  const response = await exports.default.fetch(url, {
    method: init.method ?? "GET",
    headers,
    body: init.body ?? null,
    redirect: "manual",
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

beforeAll(async () => {
  await putStatus("/AUTH_test/remapweb", { headers: { ...PUBLIC, "X-Container-Meta-Web-Index": "index.html" } });
  await putStatus("/AUTH_test/remapweb/index.html", {
    body: bytes("<p>home</p>"),
    headers: { "Content-Type": "text/html" },
  });
  await putStatus("/AUTH_test/remapweb/docs/index.html", {
    body: bytes("<p>docs</p>"),
    headers: { "Content-Type": "text/html" },
  });
  await putStatus("/AUTH_test/remapweb/v1/o", { body: bytes("under v1/") });
  await putStatus("/AUTH_test/remapped", {});
  await putStatus("/AUTH_test/remapped/o", { body: bytes("object o") });
});

describe("domain_remap (storage domain example.com)", () => {
  it("a container host serves its public container's web index at / (static web through domain_remap)", async ({
    expect,
  }) => {
    const response = await visit("http://remapweb.AUTH-test.example.com/");
    expect([response.status, response.body]).toEqual([200, "<p>home</p>"]);
    expect(response.headers.get("content-type")).toBe("text/html");
  });

  it("a staticweb redirect to the slashed path is given back at the path the client asked for", async ({ expect }) => {
    const response = await visit("http://remapweb.auth-test.example.com/docs");
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("http://remapweb.auth-test.example.com/docs/");
    const index = await visit("http://remapweb.auth-test.example.com/docs/");
    expect([index.status, index.body]).toEqual([200, "<p>docs</p>"]);
  });

  it("<container>.<account>.<domain>/<object> is /v1/<account>/<container>/<object>, the port ignored", async ({
    expect,
  }) => {
    const response = await visit("http://remapped.auth-test.example.com:8080/o", { auth: true });
    expect([response.status, response.body]).toEqual([200, "object o"]);
  });

  it("<account>.<domain>/<container>/<object> is /v1/<account>/<container>/<object>; / lists the account", async ({
    expect,
  }) => {
    const object = await visit("http://auth_test.example.com/remapped/o", { auth: true });
    expect([object.status, object.body]).toEqual([200, "object o"]);
    const account = await visit("http://AUTH-test.example.com/?format=json", { auth: true });
    expect(account.status).toBe(200);
    expect((JSON.parse(account.body) as { name: string }[]).map((c) => c.name)).toContain("remapped");
  });

  it("writes go through the remapped path too: PUT then DELETE an object on a container host", async ({ expect }) => {
    const created = await visit("http://remapped.auth-test.example.com/new", {
      method: "PUT",
      body: "fresh",
      auth: true,
    });
    expect(created.status).toBe(201);
    const read = await swift("GET", "/AUTH_test/remapped/new");
    expect([read.status, await text(read)]).toEqual([200, "fresh"]);
    const deleted = await visit("http://remapped.auth-test.example.com/new", { method: "DELETE", auth: true });
    expect(deleted.status).toBe(204);
  });

  it("a client path starting with /v1 is kept below the container (mangle_client_paths is off)", async ({ expect }) => {
    const response = await visit("http://remapweb.auth-test.example.com/v1/o");
    expect([response.status, response.body]).toEqual([200, "under v1/"]);
  });

  it("a host with more than two labels before the storage domain answers 400 Bad domain in host header", async ({
    expect,
  }) => {
    const response = await visit("http://a.b.auth-test.example.com/");
    expect([response.status, response.body]).toEqual([400, "Bad domain in host header"]);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("x-trans-id")).toMatch(/^tx/);
  });

  it("an account label without a known reseller prefix leaves the request untouched (/info stays /info)", async ({
    expect,
  }) => {
    const response = await visit("http://foo.example.com/info");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toHaveProperty("swift");
  });

  it("the storage domain itself and hosts outside it are untouched", async ({ expect }) => {
    expect((await visit("http://example.com/")).status).toBe(404);
    expect((await visit("http://badexample.com/info")).status).toBe(200);
  });

  it("/healthcheck answers OK on a remapped host (healthcheck comes before domain_remap)", async ({ expect }) => {
    const response = await visit("http://remapweb.auth-test.example.com/healthcheck");
    expect([response.status, response.body]).toEqual([200, "OK"]);
  });

  it("/info lists domain_remap with its default_reseller_prefix", async ({ expect }) => {
    const response = await visit("http://edgeswift.test/info");
    expect((JSON.parse(response.body) as Record<string, unknown>).domain_remap).toEqual({
      default_reseller_prefix: null,
    });
  });
});

describe("domain_remap host rules (Swift's DomainRemapMiddleware.__call__)", () => {
  const config = (overrides: Partial<DomainRemapConfig> = {}): DomainRemapConfig => ({
    storageDomains: [".example.com"],
    pathRoot: "v1",
    resellerPrefixes: ["AUTH"],
    defaultResellerPrefix: null,
    mangleClientPaths: false,
    ...overrides,
  });

  it("the reseller prefix's case is restored and the account's first - becomes _ (only when it has no _)", ({
    expect,
  }) => {
    expect(remapHost(config(), "c.auth-test.example.com")).toEqual({ account: "AUTH_test", container: "c" });
    expect(remapHost(config(), "auth-a-b.example.com")).toEqual({ account: "AUTH_a-b", container: null });
    expect(remapHost(config(), "auth_a-b.example.com")).toEqual({ account: "AUTH_a-b", container: null });
  });

  it("default_reseller_prefix is prepended to an account label that has no known prefix", ({ expect }) => {
    expect(remapHost(config({ defaultResellerPrefix: "AUTH" }), "c.test.example.com")).toEqual({
      account: "AUTH_test",
      container: "c",
    });
    expect(remapHost(config(), "c.test.example.com")).toBeNull();
  });

  it("reseller_prefixes name every prefix taken, each keeping its configured case", ({ expect }) => {
    const both = config({ resellerPrefixes: ["AUTH", "Service"] });
    expect(remapHost(both, "service-x.example.com")).toEqual({ account: "Service_x", container: null });
    expect(remapHost(both, "other-x.example.com")).toBeNull();
  });

  it("several storage domains: the first one the host ends with applies", ({ expect }) => {
    const two = config({ storageDomains: [".example.com", ".storage.example.org"] });
    expect(remapHost(two, "c.auth-a.storage.example.org")).toEqual({ account: "AUTH_a", container: "c" });
    expect(remapHost(two, "storage.example.org")).toBeNull();
  });

  it("mangle_client_paths drops the client's own leading path root; path_root v1.0 roots the path", ({ expect }) => {
    const target = { account: "AUTH_a", container: "c" };
    expect(remappedPath(config({ mangleClientPaths: true }), target, "/v1/o")).toBe("/v1/AUTH_a/c/o");
    expect(remappedPath(config({ mangleClientPaths: true }), target, "/v1")).toBe("/v1/AUTH_a/c/");
    expect(remappedPath(config(), target, "/v1/o")).toBe("/v1/AUTH_a/c/v1/o");
    expect(remappedPath(config({ pathRoot: "v1.0" }), { account: "AUTH_a", container: null }, "/c/o")).toBe(
      "/v1.0/AUTH_a/c/o",
    );
  });
});

describe("domain_remap configuration (STORAGE_DOMAIN, DOMAIN_REMAP_*)", () => {
  const configWith = (vars: Record<string, string>) => parseConfig({ ...env, ...vars });

  it("unset or empty STORAGE_DOMAIN turns domain_remap off", ({ expect }) => {
    expect(configWith({ STORAGE_DOMAIN: "" }).domainRemap).toBeNull();
  });

  it("STORAGE_DOMAIN is a comma-separated list; Swift's defaults fill the options", ({ expect }) => {
    expect(configWith({ STORAGE_DOMAIN: " .b.example, a.example " }).domainRemap).toEqual({
      storageDomains: [".a.example", ".b.example"],
      pathRoot: "v1",
      resellerPrefixes: ["AUTH"],
      defaultResellerPrefix: null,
      mangleClientPaths: false,
    });
  });

  it("a bad storage domain, path root, reseller prefix or flag is a ConfigError naming the variable", ({ expect }) => {
    expect(() => configWith({ STORAGE_DOMAIN: "Example.COM" })).toThrow(ConfigError);
    expect(() => configWith({ STORAGE_DOMAIN: "example.com:8080" })).toThrow(/STORAGE_DOMAIN/);
    expect(() => configWith({ STORAGE_DOMAIN: "example.com", DOMAIN_REMAP_PATH_ROOT: "v2" })).toThrow(
      /DOMAIN_REMAP_PATH_ROOT/,
    );
    expect(() => configWith({ STORAGE_DOMAIN: "example.com", DOMAIN_REMAP_RESELLER_PREFIXES: "AUTH_" })).toThrow(
      /DOMAIN_REMAP_RESELLER_PREFIXES/,
    );
    expect(() => configWith({ STORAGE_DOMAIN: "example.com", DOMAIN_REMAP_DEFAULT_RESELLER_PREFIX: "A B" })).toThrow(
      /DOMAIN_REMAP_DEFAULT_RESELLER_PREFIX/,
    );
    expect(() => configWith({ STORAGE_DOMAIN: "example.com", DOMAIN_REMAP_MANGLE_CLIENT_PATHS: "yes" })).toThrow(
      /DOMAIN_REMAP_MANGLE_CLIENT_PATHS/,
    );
  });
});
