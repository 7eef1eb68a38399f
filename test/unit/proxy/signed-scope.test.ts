import { describe, it } from "vitest";
import { parseSwiftPath } from "../../../src/common/path";
import { carrySignedScope, grantSignedScope, signedScopeAllows } from "../../../src/proxy/auth/signed-scope";
import type { Environ } from "../../../src/proxy/swift/request";

const at = (environ: Environ, path: string) => signedScopeAllows({ environ, path: parseSwiftPath(path) });

describe("signed scope", () => {
  it("a FormPOST's authority reaches only objects under its signed container and prefix", ({ expect }) => {
    const environ: Environ = {};
    grantSignedScope(environ, "formpost", { account: "AUTH_a", container: "c", objectPrefix: "up/" });
    expect(at(environ, "/v1/AUTH_a/c/up/x")).toBe(true);
    expect(at(environ, "/v1/AUTH_a/c/up/../../x")).toBe(true);
    expect(at(environ, "/v1/AUTH_a/c/x")).toBe(false);
    expect(at(environ, "/v1/AUTH_a/other/up/x")).toBe(false);
    expect(at(environ, "/v1/AUTH_b/c/up/x")).toBe(false);
    expect(at(environ, "/v1/AUTH_a/c")).toBe(false);
  });

  it("a FormPOST's authority under a prefix never reaches the container itself, whatever the prefix", ({ expect }) => {
    for (const objectPrefix of ["up/", "u", "S", "."]) {
      const environ: Environ = {};
      grantSignedScope(environ, "formpost", { account: "AUTH_a", container: "c", objectPrefix });
      expect(at(environ, "/v1/AUTH_a/c"), objectPrefix).toBe(false);
      expect(at(environ, `/v1/AUTH_a/c/${objectPrefix}x`), objectPrefix).toBe(true);
    }
  });

  it("a container TempURL key reaches its container, an account key its account; a subrequest keeps the scope", ({
    expect,
  }) => {
    const container: Environ = {};
    grantSignedScope(container, "tempurl", { account: "AUTH_a", container: "c", objectPrefix: "" });
    const sub: Environ = {};
    carrySignedScope(container, sub);
    expect(at(sub, "/v1/AUTH_a/c/any")).toBe(true);
    expect(at(sub, "/v1/AUTH_a/d/any")).toBe(false);
    const account: Environ = {};
    grantSignedScope(account, "tempurl", { account: "AUTH_a", container: null, objectPrefix: "" });
    expect(at(account, "/v1/AUTH_a/d/any")).toBe(true);
    expect(at(account, "/v1/AUTH_b/d/any")).toBe(false);
  });

  it("an authority without a scope allows nothing; a request no signature vouched for is left to the ACLs", ({
    expect,
  }) => {
    expect(at({ authorized: "formpost" }, "/v1/AUTH_a/c/o")).toBe(false);
    expect(at({ authorized: "tempurl" }, "/v1/AUTH_a/c/o")).toBe(false);
    expect(at({}, "/v1/AUTH_a/c/o")).toBe(true);
  });
});
