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

/** Swift's 412 body for a path that is not UTF-8 or holds a NUL. */
const INVALID_PATH = "Invalid UTF8 or contains NULL";

/**
 * Percent-decodes a URL path; 412 when it is not UTF-8 or holds a NUL, as Swift answers.
 */
export function decodePath(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw SwiftError.html("PreconditionFailed", INVALID_PATH);
  }
  checkReservedNames(decoded, false);
  return decoded;
}

/**
 * Swift's reserved character. A name starting with it is hidden (object versioning's
 * `\0versions\0<container>`): listings leave it out and only requests that edgeswift's own code
 * makes for names it made may use it. Swift: common/utils RESERVED.
 */
export const RESERVED = "\u0000";

/** Swift: request_helpers.get_reserved_name. `reservedName("versions", "c")` is `\0versions\0c`. */
export function reservedName(...parts: string[]): string {
  return RESERVED + parts.join(RESERVED);
}

/** Swift: request_helpers.split_reserved_name. The parts of a reserved name; null for a name that is none. */
export function splitReservedName(name: string): string[] | null {
  return name.startsWith(RESERVED) ? name.slice(RESERVED.length).split(RESERVED) : null;
}

/**
 * 412 for a decoded path holding the reserved character, unless `allowed` (a request edgeswift's
 * own code made: Swift's X-Backend-Allow-Reserved-Names). Swift: proxy/server.py handle_request,
 * constraints.check_utf8(internal=req.allow_reserved_names).
 */
export function checkReservedNames(decodedPath: string, allowed: boolean): void {
  if (!allowed && decodedPath.includes(RESERVED)) throw SwiftError.html("PreconditionFailed", INVALID_PATH);
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
  if (!account) throw SwiftError.html("PreconditionFailed", "Bad URL");
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
