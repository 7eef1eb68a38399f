/**
 * @module
 * SwiftPath: `/v1/{account}[/{container}[/{object}]]` parsed and checked as Swift's proxy does
 * (proxy/server.py get_controller, common/utils split_path, constraints.check_utf8).
 */

import { VALID_API_VERSIONS } from "./constraints";
import { SwiftError } from "./errors";

export interface SwiftPath {
  version: string;
  account: string;
  container: string | null;
  object: string | null;
}

/** The resource level a path names. */
export function levelOf(path: SwiftPath): "account" | "container" | "object" {
  return path.object !== null ? "object" : path.container !== null ? "container" : "account";
}

/**
 * Percent-decodes a URL path; 412 when it is not UTF-8 or holds a NUL, as Swift answers.
 */
export function decodePath(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new SwiftError("PreconditionFailed", "Invalid UTF8 or contains NULL");
  }
  if (decoded.includes("\u0000")) {
    throw new SwiftError("PreconditionFailed", "Invalid UTF8 or contains NULL");
  }
  return decoded;
}

/**
 * Splits a decoded `/v1/a/c/o` path. The object keeps its slashes; a path split_path refuses
 * (an empty first segment: `//v1/a`, `//`) is 404, and so is an empty container before an object;
 * no account is 412 "Bad URL"; an unknown version is 400.
 * Swift: utils.split_path(path, 1, 4, True), proxy/server.py get_controller.
 */
export function parseSwiftPath(decodedPath: string): SwiftPath {
  const segments = decodedPath.split("/");
  // segments[0] is "" (leading slash)
  const version = segments[1] ?? "";
  const account = segments[2] ?? "";
  const container = segments[3];
  const object = segments.length > 4 ? segments.slice(4).join("/") : undefined;
  if (!version) throw new SwiftError("NotFound");
  if (!account) throw new SwiftError("PreconditionFailed", "Bad URL");
  if (!(VALID_API_VERSIONS as readonly string[]).includes(version)) throw new SwiftError("BadRequest");
  if (container === "" && object) throw new SwiftError("NotFound");
  return {
    version,
    account,
    container: container ? container : null,
    object: container && object ? object : null,
  };
}

/**
 * The URL path of a decoded `/v1/a/c/o` path that no URL parser can resolve against dot
 * segments: each segment percent-encoded, and a `/` next to a `.` or `..` segment written
 * `%2F`, so that segment is never one of its own (WHATWG URL parsing would remove `.` and
 * `..`, also as `%2e`). `decodePath(urlPathOf(p)) === p` for every path.
 */
export function urlPathOf(decodedPath: string): string {
  const segments = decodedPath.split("/");
  const isDot = (segment: string | undefined) => segment === "." || segment === "..";
  let out = encodeURIComponent(segments[0] ?? "");
  for (let i = 1; i < segments.length; i++) {
    out += isDot(segments[i - 1]) || isDot(segments[i]) ? "%2F" : "/";
    out += encodeURIComponent(segments[i] ?? "");
  }
  return out;
}

/** The `account/container/object` key under which replicas store a row. */
export function objectKey(account: string, container: string, object: string): string {
  return `${account}/${container}/${object}`;
}

/** The `account/container` key under which container replicas store a container. */
export function containerKey(account: string, container: string): string {
  return `${account}/${container}`;
}
