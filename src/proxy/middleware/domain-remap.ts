/**
 * @module
 * Swift's domain_remap: a request to `<container>.<account>.<storage domain>/<object>` or
 * `<account>.<storage domain>/<container>/<object>` is served as `/v1/<account>/<container>/<object>`
 * (reseller prefix case restored, its first `-` read as `_`), the Host left as it is, and a
 * Location or Content-Location pointing back at the remapped path rewritten to the path the
 * client asked for. Routing sees the remapped path through the app's getPath (Hono routes before
 * any middleware runs); the middleware then swaps in the remapped request. Hosts outside the
 * storage domains pass untouched, as do `/healthcheck` (before domain_remap in Swift's pipeline)
 * and accounts naming no known reseller prefix when no default is configured.
 * Swift: common/middleware/domain_remap.py, common/middleware/__init__.py RewriteContext.
 */

import type { MiddlewareHandler } from "hono";
import { quote } from "../../common/python";
import { getPath } from "hono/utils/url";
import { parseConfig, type DomainRemapConfig } from "../../config/config";
import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { decodePath, urlPathOf } from "../../common/path";

/** Where a host sends a request: a path below the root, a host Swift refuses, or nowhere (untouched). */
export type HostRemap = { account: string; container: string | null } | "bad-domain" | null;

/** Swift's 400 body for a host with more than two labels before the storage domain. */
const BAD_DOMAIN = "Bad domain in host header";

/** Swift: healthcheck sits before domain_remap and answers this path on any host. */
const HEALTHCHECK_PATH = "/healthcheck";

/**
 * The account and container a host names under one of the storage domains (`host` without its
 * port); null when it is under none, or names an account without a known reseller prefix and no
 * default is set; "bad-domain" for more than two labels. Swift: DomainRemapMiddleware.__call__.
 */
export function remapHost(config: DomainRemapConfig, host: string): HostRemap {
  const domain = config.storageDomains.find((candidate) => host.endsWith(candidate));
  if (domain === undefined) return null;
  const labels = host
    .slice(0, -domain.length)
    .replace(/^\.+|\.+$/g, "")
    .split(".");
  if (labels.length > 2) return "bad-domain";
  const [first = "", second] = labels;
  const container = second === undefined ? null : first;
  let account = second ?? first;
  if (config.resellerPrefixes.length > 0) {
    if (!account.includes("_") && account.includes("-")) account = account.replace("-", "_");
    const found = (account.split("_", 1)[0] ?? "").toLowerCase();
    const index = config.resellerPrefixes.findIndex((prefix) => prefix.toLowerCase() === found);
    const real = config.resellerPrefixes[index];
    if (real !== undefined) {
      if (!account.startsWith(real)) account = real + account.slice(real.length);
    } else if (config.defaultResellerPrefix !== null) account = `${config.defaultResellerPrefix}_${account}`;
    else return null;
  }
  return { account, container };
}

/**
 * The decoded path a remapped request is served at: `/<root>/<account>[/<container>]/<path>`,
 * the client's leading `<root>/` dropped first when mangle_client_paths is on.
 * Swift: DomainRemapMiddleware.__call__ (new_path_parts).
 */
export function remappedPath(
  config: DomainRemapConfig,
  target: { account: string; container: string | null },
  requestedPath: string,
): string {
  let path = requestedPath.slice(1);
  const root = `${config.pathRoot}/`;
  if (config.mangleClientPaths && `${path}/`.startsWith(root)) path = path.slice(root.length);
  return ["", config.pathRoot, target.account, ...(target.container === null ? [] : [target.container]), path].join(
    "/",
  );
}

/** What one request becomes: its new URL and the decoded paths before and after, or Swift's refusal. */
type Remapped = { url: string; requested: string; rewritten: string } | "bad-domain" | null;

const remaps = new WeakMap<Request, Remapped>();

/** The remap of a request (memoised: getPath and the middleware both ask). */
function remapOf(request: Request, env: Env | undefined): Remapped {
  if (remaps.has(request)) return remaps.get(request) ?? null;
  let remapped: Remapped = null;
  const config = env === undefined ? null : parseConfig(env).domainRemap;
  const url = new URL(request.url);
  if (config && url.pathname !== HEALTHCHECK_PATH) {
    // The URL's host is the Host header, lower-cased by the runtime (Swift reads HTTP_HOST, port cut off).
    const target = remapHost(config, url.hostname);
    if (target === "bad-domain") remapped = target;
    else if (target !== null) {
      const requested = decodePath(url.pathname);
      const rewritten = remappedPath(config, target, requested);
      remapped = { url: `${url.origin}${urlPathOf(rewritten)}${url.search}`, requested, rewritten };
    }
  }
  remaps.set(request, remapped);
  return remapped;
}

/**
 * The app's getPath: the path Hono routes on, the remapped one for a host under a storage domain.
 * A configuration that does not load, or a path that does not decode, is left for the request's
 * own handling to answer (503, 412). Swift: domain_remap.py __call__ (env['PATH_INFO'] rewritten).
 */
export function domainRemapPath(request: Request, options?: { env?: Env }): string {
  try {
    const remapped = remapOf(request, options?.env);
    if (remapped !== null && remapped !== "bad-domain") return new URL(remapped.url).pathname;
  } catch {
    // Answered by the middleware or the route, which meet the same error.
  }
  return getPath(request);
}

/** Escapes a string for use inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The domain_remap stage: 400 for a host Swift refuses, the remapped request handed on, and a
 * Location or Content-Location at the remapped path given back at the requested one.
 * Swift: DomainRemapMiddleware.__call__, RewriteContext.handle_request.
 */
export const domainRemap: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const remapped = remapOf(c.req.raw, c.env);
  if (remapped === null) return next();
  if (remapped === "bad-domain") throw new SwiftError("BadRequest", BAD_DOMAIN);
  c.req.raw = new Request(remapped.url, c.req.raw);
  await next();
  const pattern = new RegExp(`^(https?://[^/]+)${escapeRegExp(quote(remapped.rewritten))}(.*)$`);
  const rewrites: [string, string][] = [];
  for (const name of [H.LOCATION, H.CONTENT_LOCATION]) {
    const value = c.res.headers.get(name);
    if (value === null || !pattern.test(value)) continue;
    rewrites.push([
      name,
      value.replace(pattern, (_match, origin: string, rest: string) => `${origin}${quote(remapped.requested)}${rest}`),
    ]);
  }
  if (!rewrites.length) return;
  // A copy, so headers from any source can be set; cleared first, or Hono would merge the old ones back.
  const { body, status, statusText } = c.res;
  const headers = new Headers(c.res.headers);
  for (const [name, value] of rewrites) headers.set(name, value);
  c.res = undefined;
  c.res = new Response(body, { status, statusText, headers });
};
