/**
 * @module
 * The authorization stage, as tempauth's authorize and the proxy's controllers apply it: the
 * reseller admin and a `.admin` user own the account; account ACLs (X-Account-Access-Control)
 * and, for the requests Swift delays the denial of (container GET/HEAD, object GET, HEAD, PUT,
 * POST, DELETE), the container's X-Container-Read/-Write grant others; everyone else gets 401
 * (anonymous) or 403, which says nothing about what exists. A request a valid TempURL or
 * FormPOST vouched for passes. Accounts under every reseller prefix are tempauth's; a prefix's
 * require_group must be among the request's groups (a service token's user's count) before an
 * account's own user owns it. Owner-only headers are cleaned (ACLs) or dropped on the way in
 * and hidden on the way out for non-owners.
 * Swift: common/middleware/tempauth.py __call__, authorize; proxy/server.py handle_request;
 * proxy/controllers/{account,container,obj}.py (req.acl, clean_acls, swift_owner_headers).
 */

import type { Config } from "../../config/config";
import { quote } from "../../common/python";
import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { levelOf } from "../../common/path";
import { liveMetadata } from "../../durable/merge";
import { accountInfo } from "../services/account";
import { containerInfo } from "../services/container";
import type { Middleware } from "../swift/pipeline";
import type { SwiftRequest } from "../swift/request";
import {
  OWNER_ONLY_HEADERS,
  accountAclError,
  cleanAcl,
  denied,
  formatAccountAcl,
  parseAccountAcl,
  parseAcl,
  referrerAllowed,
  type AccountAcl,
  type Verdict,
} from "./acl";
import { accountPrefix, requestGroups, resellerPrefixesOf, tokenResellerPrefix } from "./swift-v1";
import { signedScopeAllows } from "./signed-scope";

/** The methods each controller has (Swift: allowed_methods); others are left for the router's 405. */
const CONTROLLER_METHODS = {
  account: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
  container: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
  object: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
} as const;

/** Requests whose denial Swift delays until the controller has read the container's ACL (@delay_denial). */
const DELAYED: Record<"container" | "object", Record<string, "read" | "write">> = {
  container: { GET: "read", HEAD: "read" },
  object: { GET: "read", HEAD: "read", PUT: "write", POST: "write", DELETE: "write" },
};

/** Everything tempauth's authorize looks at, the request's groups read from its tokens. */
export interface TempauthInput {
  /**
   * The request's groups (Swift's REMOTE_USER, split): the user's, then the service token's user's; empty when
   * anonymous.
   */
  groups: readonly string[];
  method: string;
  account: string;
  container: string | null;
  object: string | null;
  referer: string | null;
  /** The container ACL that applies (Swift's req.acl); null on the first pass, before the controller read it. */
  containerAcl: string | null;
  accountAcl: AccountAcl | null;
}

/**
 * Swift: tempauth.py authorize (the ACL header check and container sync apart), in its order:
 * accounts under no reseller prefix are refused; a reseller admin owns every account but a
 * prefix itself and dot accounts, a reseller reader reads them; a member of the account's own
 * group (`.admin` users: their account under every prefix) owns it unless it is an account PUT
 * or DELETE, and, where the prefix has a require_group, only with that group among the
 * request's groups; then OPTIONS, referrers, container ACL groups and the account ACL.
 */
export function tempauthVerdict(
  config: Pick<Config, "resellerPrefixes" | "requireGroups">,
  input: TempauthInput,
): Verdict {
  const { account, container, object, method, groups } = input;
  const prefix = accountPrefix(config, account);
  if (prefix === null) return "denied";
  const reseller = !resellerPrefixesOf(config).includes(account) && account.charAt(prefix.length) !== ".";
  if (groups.includes(".reseller_admin") && reseller) return "owner";
  const read = method === "GET" || method === "HEAD";
  if (groups.includes(".reseller_reader") && reseller && read) return "allowed";
  if (groups.includes(account) && (!["DELETE", "PUT"].includes(method) || container !== null)) {
    const required = config.requireGroups.get(prefix);
    if (!required || groups.includes(required)) return "owner";
  }
  if (method === "OPTIONS") return "allowed";
  const { referrers, groups: aclGroups } = parseAcl(input.containerAcl);
  if (referrerAllowed(input.referer, referrers) && (object !== null || aclGroups.includes(".rlistings")))
    return "allowed";
  if (groups.some((group) => aclGroups.includes(group))) return "allowed";
  const accountAcl = input.accountAcl;
  if (accountAcl) {
    const member = (list: readonly string[]) => groups.some((group) => list.includes(group));
    if (member(accountAcl.admin)) return "owner";
    if (member(accountAcl["read-write"]) && (container !== null || read)) return "allowed";
    if (member(accountAcl["read-only"]) && read) return "allowed";
  }
  return "denied";
}

/**
 * Swift: tempauth __call__. A token of ours (the first reseller prefix) that does not verify is
 * refused with 401 outright, whatever the ACLs would allow an anonymous caller; tempauth names
 * the realm itself, the account as it is (not quoted). An X-Service-Token is never refused so:
 * an invalid one only adds no groups.
 */
function refuseInvalidToken(req: SwiftRequest): void {
  const token = req.request.headers.get(H.X_AUTH_TOKEN) ?? req.request.headers.get(H.X_STORAGE_TOKEN);
  if (token?.startsWith(tokenResellerPrefix(req.ctx.config)) && !req.identity) {
    throw new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: `Swift realm="${req.path.account}"` });
  }
}

/**
 * Tempauth's refusal of this request: 403, or 401 whose realm is the account URL-quoted, as swob
 * fills in Www-Authenticate for a 401 that has none (tempauth's denied_response sets none).
 * Swift: swob.Response.www_authenticate.
 */
function deniedRequest(req: SwiftRequest): SwiftError {
  return denied(req.identity, quote(req.path.account));
}

/** Swift: tempauth authorize. 400 with tempauth's message for an X-Account-Access-Control it cannot read. */
function checkAccountAclHeader(req: SwiftRequest): void {
  const value = req.request.headers.get(H.X_ACCOUNT_ACCESS_CONTROL);
  if (value === null) return;
  const error = accountAclError(value);
  if (error !== null) throw new SwiftError("BadRequest", error, { [H.CONTENT_TYPE]: "text/plain; charset=UTF-8" });
}

/**
 * OPTIONS passes tempauth (Swift lets every OPTIONS through) once the token, the account's
 * prefix and any X-Account-Access-Control are valid. Used by the CORS stage, which answers OPTIONS.
 */
export function authorizeOptions(req: SwiftRequest): void {
  refuseInvalidToken(req);
  if (accountPrefix(req.ctx.config, req.path.account) === null) throw deniedRequest(req);
  checkAccountAclHeader(req);
}

async function accountAcl(req: SwiftRequest): Promise<AccountAcl | null> {
  const row = await accountInfo(req.ctx, req.path.account);
  return row ? parseAccountAcl(liveMetadata(row.metadata)[H.X_ACCOUNT_ACCESS_CONTROL]) : null;
}

/** What tempauth decides `method` on `container`/`object` of the request's account by, before any ACL is read. */
export function tempauthInputOf(
  req: SwiftRequest,
  method: string,
  container: string | null,
  object: string | null,
): TempauthInput {
  return {
    groups: requestGroups(req.ctx.config, req.identity),
    method,
    account: req.path.account,
    container,
    object,
    referer: req.request.headers.get(H.REFERER),
    containerAcl: null,
    accountAcl: null,
  };
}

/** Tempauth's verdict, with the container ACL read for the requests Swift delays the denial of. */
async function verdictFor(req: SwiftRequest, delayed: "read" | "write" | undefined): Promise<Verdict> {
  const { account, container, object } = req.path;
  const { method } = req.request;
  const { config } = req.ctx;
  if (accountPrefix(config, account) === null) return "denied";
  checkAccountAclHeader(req);
  const withoutAcls = tempauthInputOf(req, method, container, object);
  // Owners are decided before any ACL is read.
  if (tempauthVerdict(config, withoutAcls) === "owner") return "owner";
  const input = { ...withoutAcls, accountAcl: await accountAcl(req) };
  const first = tempauthVerdict(config, input);
  if (first !== "denied" || !delayed || container === null) return first;
  const info = await containerInfo(req.ctx, account, container);
  const metadata = info ? liveMetadata(info.metadata) : {};
  const containerAcl = metadata[delayed === "read" ? H.X_CONTAINER_READ : H.X_CONTAINER_WRITE] ?? null;
  return tempauthVerdict(config, { ...input, containerAcl });
}

/**
 * Swift: container.py clean_acls, then PUT/POST drop swift_owner_headers for non-owners. ACLs
 * are stored cleaned (400 when invalid); a non-owner's owner-only headers, and their
 * X-Remove- forms, are dropped.
 */
function cleanContainerWrite(req: SwiftRequest, owner: boolean): SwiftRequest {
  const headers = new Headers(req.request.headers);
  for (const name of [H.X_CONTAINER_READ, H.X_CONTAINER_WRITE]) {
    const value = headers.get(name);
    if (value !== null) headers.set(name, cleanAcl(name, value));
  }
  if (!owner) {
    for (const name of OWNER_ONLY_HEADERS) {
      headers.delete(name);
      headers.delete(`x-remove-${name.slice("x-".length)}`);
    }
  }
  return { ...req, request: new Request(req.request, { headers }) };
}

/** Tempauth reads X-Account-Access-Control alone; an X-Remove- form means nothing to it. */
function dropAccountAclRemoval(req: SwiftRequest): SwiftRequest {
  const removal = `x-remove-${H.X_ACCOUNT_ACCESS_CONTROL.slice("x-".length)}`;
  if (!req.request.headers.has(removal)) return req;
  const headers = new Headers(req.request.headers);
  headers.delete(removal);
  return { ...req, request: new Request(req.request, { headers }) };
}

/**
 * Swift: account.py GETorHEAD and container.py GETorHEAD. Non-owners never see owner-only
 * headers; owners see the account ACL in its normal form.
 */
function ownerView(response: Response, owner: boolean, level: "account" | "container"): Response {
  const acl = response.headers.get(H.X_ACCOUNT_ACCESS_CONTROL);
  const hidden = owner ? [] : OWNER_ONLY_HEADERS.filter((name) => response.headers.has(name));
  if (!hidden.length && (acl === null || level !== "account")) return response;
  const filtered = new Response(response.body, response);
  for (const name of hidden) filtered.headers.delete(name);
  if (owner && acl !== null) {
    const formatted = formatAccountAcl(acl);
    if (formatted === null) filtered.headers.delete(H.X_ACCOUNT_ACCESS_CONTROL);
    else filtered.headers.set(H.X_ACCOUNT_ACCESS_CONTROL, formatted);
  }
  return filtered;
}

/** The authorization stage: owners, account ACLs, container ACLs (delayed), signatures; 401/403 otherwise. */
export const authorize: Middleware = async (req, next) => {
  // edgeswift's own request for a hidden name it made (a versions link followed): pre-authorized,
  // as Swift's symlink traversal infers from the link's allow-reserved-names sysmeta.
  if (req.environ.allowReservedNames) return next(req);
  const level = levelOf(req.path);
  if (req.environ.authorized) {
    // A signature vouched for it (Swift: tempurl's and formpost's swift.authorize); never an owner.
    if (!signedScopeAllows(req))
      throw new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: 'Swift realm="unknown"' });
    const response = await next(req);
    return level === "object" ? response : ownerView(response, false, level);
  }
  refuseInvalidToken(req);
  const { method } = req.request;
  // Swift answers 405 before authorizing; COPY is authorized by the GET and PUT it is made of.
  if (!(CONTROLLER_METHODS[level] as readonly string[]).includes(method)) return next(req);
  const delayed = level === "account" ? undefined : DELAYED[level][method];
  const verdict = await verdictFor(req, delayed);
  if (verdict === "denied") {
    // A denial Swift gives before the controller runs carries no CORS headers.
    if (!delayed) req.environ.answeredBeforeController = true;
    throw deniedRequest(req);
  }
  const owner = verdict === "owner";
  req.environ.swiftOwner = owner;
  let authorized = req;
  if (level === "container" && (method === "PUT" || method === "POST")) authorized = cleanContainerWrite(req, owner);
  if (level === "account") authorized = dropAccountAclRemoval(req);
  const response = await next(authorized);
  return level === "object" ? response : ownerView(response, owner, level);
};
