import { describe, it } from "vitest";
import {
  checkReservedNames,
  decodePath,
  parseSwiftPath,
  reservedName,
  splitReservedName,
  urlPathOf,
} from "../../../src/common/path";

const PATHS = [
  "/v1/AUTH_test/c/o",
  "/v1/AUTH_test/bad/x/../../bad_segs/victim",
  "/v1/AUTH_test/bad/../p",
  "/v1/AUTH_test/../AUTH_test2/c/o",
  "/v1/AUTH_test/./c",
  "/v1/AUTH_test/c/./o/.",
  "/v1/AUTH_test/c/..",
  "/v1/AUTH_test/c/...",
  "/v1/AUTH_test/c/a b/%2e%2e/?#;",
  "/v1/AUTH_test/c//o",
  "/v1/AUTH_test/c/ünïcode/..",
];

describe("urlPathOf", () => {
  it("a URL parser resolves no dot segment of its path: the URL names exactly the decoded path", ({ expect }) => {
    for (const path of PATHS) {
      const url = new URL(`http://edgeswift.test${urlPathOf(path)}`);
      expect(decodePath(url.pathname)).toBe(path);
      expect(parseSwiftPath(decodePath(url.pathname))).toEqual(parseSwiftPath(path));
    }
  });

  it("a path without dot segments is encoded segment by segment, slashes kept", ({ expect }) => {
    expect(urlPathOf("/v1/AUTH_test/c/a b/o")).toBe("/v1/AUTH_test/c/a%20b/o");
    expect(urlPathOf("/v1/AUTH_test/c/../o")).toBe("/v1/AUTH_test/c%2F..%2Fo");
  });

  it("a path without a leading slash keeps its first segment", ({ expect }) => {
    expect(urlPathOf("c d/o")).toBe("c%20d/o");
    expect(decodePath(urlPathOf("c d/o"))).toBe("c d/o");
  });
});

describe("reserved names (Swift: request_helpers get_reserved_name, split_reserved_name)", () => {
  it("a reserved name is its parts each after a NUL, and splits back into them", ({ expect }) => {
    expect(reservedName("versions", "c")).toBe("\u0000versions\u0000c");
    expect(reservedName("versions")).toBe("\u0000versions");
    expect(reservedName("o", "")).toBe("\u0000o\u0000");
    expect(splitReservedName("\u0000o\u00008203569489.73855")).toEqual(["o", "8203569489.73855"]);
    expect(splitReservedName("plain")).toBeNull();
  });

  it("a path with a NUL is 412 unless edgeswift's own request allows reserved names", ({ expect }) => {
    expect(() => decodePath("/v1/a/%00versions%00c")).toThrowError("Invalid UTF8 or contains NULL");
    expect(() => checkReservedNames("/v1/a/\u0000versions\u0000c", false)).toThrowError(
      "Invalid UTF8 or contains NULL",
    );
    expect(() => checkReservedNames("/v1/a/\u0000versions\u0000c", true)).not.toThrow();
  });
});
