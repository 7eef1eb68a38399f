import { describe, it } from "vitest";
import { containerKey, decodePath, levelOf, objectKey, parseSwiftPath } from "../../../src/common/path";
import { SwiftError } from "../../../src/common/errors";

function errorOf(run: () => unknown): { kind: string; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof SwiftError) return { kind: error.kind, message: error.message };
    throw error;
  }
}

describe("parseSwiftPath (Swift: split_path, get_controller)", () => {
  it("splits account, container and object, the object keeping its slashes", ({ expect }) => {
    expect(parseSwiftPath("/v1/AUTH_test/c/a/b//o")).toEqual({
      version: "v1",
      account: "AUTH_test",
      container: "c",
      object: "a/b//o",
    });
    expect(parseSwiftPath("/v1.0/AUTH_test/c")).toEqual({
      version: "v1.0",
      account: "AUTH_test",
      container: "c",
      object: null,
    });
    expect(parseSwiftPath("/v1/AUTH_test")).toEqual({
      version: "v1",
      account: "AUTH_test",
      container: null,
      object: null,
    });
  });

  it("a trailing slash after the account or container names no deeper level", ({ expect }) => {
    expect(parseSwiftPath("/v1/AUTH_test/")).toEqual({
      version: "v1",
      account: "AUTH_test",
      container: null,
      object: null,
    });
    expect(parseSwiftPath("/v1/AUTH_test/c/")).toEqual({
      version: "v1",
      account: "AUTH_test",
      container: "c",
      object: null,
    });
  });

  it("a path without an account is 412 Bad URL", ({ expect }) => {
    expect(errorOf(() => parseSwiftPath("/v1"))).toEqual({ kind: "PreconditionFailed", message: "Bad URL" });
    expect(errorOf(() => parseSwiftPath("/v1/"))).toEqual({ kind: "PreconditionFailed", message: "Bad URL" });
  });

  it("an unknown API version is 400 Bad Request", ({ expect }) => {
    expect(errorOf(() => parseSwiftPath("/v2/AUTH_test/c"))?.kind).toBe("BadRequest");
  });

  it("an empty path is 404 Not Found, as split_path refuses it", ({ expect }) => {
    expect(errorOf(() => parseSwiftPath(""))?.kind).toBe("NotFound");
  });

  it("an empty container before an object is 404 Not Found", ({ expect }) => {
    expect(errorOf(() => parseSwiftPath("/v1/AUTH_test//o"))?.kind).toBe("NotFound");
  });
});

describe("decodePath", () => {
  it("percent-decodes the path", ({ expect }) => {
    expect(decodePath("/v1/AUTH_test/c/a%20b%2Fc")).toBe("/v1/AUTH_test/c/a b/c");
  });

  it("a path that is not UTF-8 or holds a NUL is 412 Invalid UTF8 or contains NULL", ({ expect }) => {
    for (const raw of ["/v1/AUTH_test/c/%FF", "/v1/AUTH_test/c/%00", "/v1/AUTH_test/c/%"]) {
      expect(
        errorOf(() => decodePath(raw)),
        raw,
      ).toEqual({ kind: "PreconditionFailed", message: "Invalid UTF8 or contains NULL" });
    }
  });
});

describe("levelOf and row keys", () => {
  it("a path names the account, container or object level", ({ expect }) => {
    expect(levelOf(parseSwiftPath("/v1/AUTH_test"))).toBe("account");
    expect(levelOf(parseSwiftPath("/v1/AUTH_test/c"))).toBe("container");
    expect(levelOf(parseSwiftPath("/v1/AUTH_test/c/o"))).toBe("object");
  });

  it("replicas key rows as account/container/object", ({ expect }) => {
    expect(objectKey("AUTH_test", "c", "o/p")).toBe("AUTH_test/c/o/p");
    expect(containerKey("AUTH_test", "c")).toBe("AUTH_test/c");
  });
});
