/**
 * @module
 * Container sync settings, as Swift keeps them with its default configuration: X-Container-Sync-Key
 * and X-Container-Sync-To are container metadata only the owner sees (acl.ts OWNER_ONLY_HEADERS);
 * a PUT or POST whose X-Container-Sync-To Swift could not sync to is refused with 400 and Swift's
 * message. With no realms configured (container-sync-realms.conf empty) every `//realm/...` value
 * names an unknown realm; a full URL must be http(s) on an allowed sync host (127.0.0.1). Nothing
 * is synced: there is no sync daemon. Swift: common/utils.py validate_sync_to, container/server.py
 * PUT/POST, container-server.conf allowed_sync_hosts, container_sync.py allow_full_urls.
 */

import { SwiftError } from "../../common/errors";
import { pythonRepr } from "../../common/python";
import { H } from "../../common/headers";

/** Swift's container-server default: `allowed_sync_hosts = 127.0.0.1`. */
const ALLOWED_SYNC_HOSTS: readonly string[] = ["127.0.0.1"];

/** A URL split as Python's urllib.parse.urlparse splits it (the parts validate_sync_to reads). */
interface ParsedUrl {
  scheme: string;
  netloc: string;
  path: string;
  params: string;
  query: string;
  fragment: string;
}

/** Python's urlparse: scheme (lower-cased), netloc after `//`, path, `;params` of its last segment, query, fragment. */
function urlparse(url: string): ParsedUrl {
  let rest = url;
  let scheme = "";
  const colon = rest.indexOf(":");
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? "" : rest.slice(end + 2);
  }
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = "";
  const question = rest.indexOf("?");
  if (question >= 0) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  // Swift's schemes (http, https) take parameters after a ";" in the path's last segment.
  let params = "";
  const semicolon = rest.indexOf(";", Math.max(0, rest.lastIndexOf("/")));
  if (semicolon >= 0) {
    params = rest.slice(semicolon + 1);
    rest = rest.slice(0, semicolon);
  }
  return { scheme, netloc, path: rest, params, query, fragment };
}

/** Python's urlparse(...).hostname: the host without user, port or IPv6 brackets, lower-cased; null when empty. */
function hostnameOf(netloc: string): string | null {
  const host = netloc.slice(netloc.lastIndexOf("@") + 1);
  const name = host.startsWith("[") ? (/^\[([^\]]*)\]/.exec(host)?.[1] ?? "") : (host.split(":")[0] ?? "");
  return name ? name.toLowerCase() : null;
}

/** Swift: utils.validate_sync_to. The error message for a value Swift cannot sync to, or null. */
export function syncToError(value: string): string | null {
  const trimmed = value.replace(/\/+$/, "");
  if (!trimmed) return null;
  if (trimmed.startsWith("//")) {
    const parts = trimmed.slice(2).split("/");
    if (parts.length !== 4) return `Invalid X-Container-Sync-To format ${pythonRepr(value)}`;
    // No realm is configured: container-sync-realms.conf has none.
    return `No realm key for ${pythonRepr(parts[0] ?? "")}`;
  }
  const url = urlparse(trimmed);
  if (url.scheme !== "http" && url.scheme !== "https") {
    return `Invalid scheme ${pythonRepr(url.scheme)} in X-Container-Sync-To, must be "//", "http", or "https".`;
  }
  if (!url.path) return "Path required in X-Container-Sync-To";
  if (url.params || url.query || url.fragment)
    return "Params, queries, and fragments not allowed in X-Container-Sync-To";
  const host = hostnameOf(url.netloc);
  if (host === null || !ALLOWED_SYNC_HOSTS.includes(host))
    return `Invalid host ${host === null ? "None" : pythonRepr(host)} in X-Container-Sync-To`;
  return null;
}

/**
 * Container PUT and POST: 400 with Swift's message (swob's text/html) for an X-Container-Sync-To Swift cannot sync to.
 */
export function checkSyncTo(headers: Headers): void {
  const value = headers.get(H.X_CONTAINER_SYNC_TO);
  if (value === null) return;
  const error = syncToError(value);
  if (error !== null) throw SwiftError.html("BadRequest", error);
}
