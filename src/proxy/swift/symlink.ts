/**
 * @module
 * The symlink middleware. A zero-byte PUT with `X-Symlink-Target: <container>/<object>` (and
 * optionally `X-Symlink-Target-Account`, and `X-Symlink-Target-Etag` for a static link, checked
 * against the target: 409) stores a link; GET and HEAD follow it (at most SYMLOOP_MAX links, then
 * 409) and answer with the target and `Content-Location`; `?symlink=get` returns the link itself
 * with its `X-Symlink-Target*` headers; POST applies to the link and answers 307 to the target;
 * DELETE deletes the link. Each followed link is a subrequest through the whole pipeline, so the
 * caller's rights on the target are checked as for any read.
 *
 * Where Swift keeps the target in object sysmeta and in the container listing's etag parameters,
 * edgeswift keeps it in `swift_symlink_*` parameters of the stored content type (as slo keeps
 * `swift_bytes`): that is what reaches the container listing, it survives a POST (which replaces
 * the metadata), and clients cannot set it (object PUT refuses `swift_*` parameters).
 * Swift: common/middleware/symlink.py.
 */

import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { findObject } from "../services/object";
import type { Middleware, Next } from "./pipeline";
import type { Environ, SwiftRequest } from "./request";
import { subrequest } from "./large-object";
import { discard, quote, unquote } from "./subrequest";

/** Links followed before a read gives up with 409 (Swift: symloop_max). */
export const SYMLOOP_MAX = 2;

/** A stored link: the quoted `container/object` target, and the static link's ETag and size. */
export interface SymlinkInfo {
  target: string;
  account: string | null;
  etag: string | null;
  bytes: number | null;
}

const PARAM = {
  target: "swift_symlink_target",
  account: "swift_symlink_target_account",
  etag: "swift_symlink_target_etag",
  bytes: "swift_symlink_target_bytes",
} as const;

/**
 * Environ key: content type parameters a middleware stores with the object (a link's target, a
 * versioning delete marker's `swift_versions_deleted`), which clients cannot send themselves.
 */
const CONTENT_TYPE_PARAMS = "contentTypeParams";

/** A copy of the request whose stored content type gets `params` appended. */
export function withContentTypeParams(req: SwiftRequest, params: string): SwiftRequest {
  return { ...req, environ: { ...req.environ, [CONTENT_TYPE_PARAMS]: params } };
}

/** The content type parameters that record a link. */
function paramsOf(link: SymlinkInfo): string {
  let params = `;${PARAM.target}=${link.target}`;
  if (link.account !== null) params += `;${PARAM.account}=${link.account}`;
  if (link.etag !== null) params += `;${PARAM.etag}=${link.etag};${PARAM.bytes}=${link.bytes ?? 0}`;
  return params;
}

/** A stored content type without its link parameters, and the link they record (null for other objects). */
export function splitSymlinkParams(contentType: string): { contentType: string; link: SymlinkInfo | null } {
  const values = new Map<string, string>();
  const kept = contentType.split(";").filter((param, index) => {
    if (index === 0) return true;
    const equals = param.indexOf("=");
    const name = param.slice(0, equals).trim();
    if (equals < 0 || !name.startsWith("swift_symlink_")) return true;
    values.set(name, param.slice(equals + 1).trim());
    return false;
  });
  const target = values.get(PARAM.target);
  if (target === undefined) return { contentType, link: null };
  const bytes = values.get(PARAM.bytes);
  return {
    contentType: kept.join(";"),
    link: { target, account: values.get(PARAM.account) ?? null, etag: values.get(PARAM.etag) ?? null, bytes: bytes === undefined ? null : Number(bytes) },
  };
}

/**
 * For the object controller (PUT and POST): the content type to store, with the parameters a
 * middleware asked for (withContentTypeParams).
 */
export function withStoredParams(environ: Environ, contentType: string): string {
  const params = environ[CONTENT_TYPE_PARAMS];
  return typeof params === "string" ? contentType + params : contentType;
}

/**
 * For the container listing: an object row's content type to show, and the JSON keys Swift adds
 * for a link (`symlink_path`, and `symlink_etag`, `symlink_bytes` for a static link).
 */
export function listingSymlink(contentType: string, version: string, account: string): { contentType: string; json: Record<string, string | number> } {
  const { contentType: shown, link } = splitSymlinkParams(contentType);
  if (!link) return { contentType, json: {} };
  const json: Record<string, string | number> = {};
  if (link.etag !== null) json.symlink_etag = link.etag;
  if (link.bytes !== null) json.symlink_bytes = link.bytes;
  json.symlink_path = `/${version}/${link.account ?? quote(account)}/${link.target}`;
  return { contentType: shown, json };
}

/** The link a response describes: stored parameters (from the controller) or `X-Symlink-*` headers (from `?symlink=get`). */
function linkOf(response: Response): SymlinkInfo | null {
  const stored = splitSymlinkParams(response.headers.get(H.CONTENT_TYPE) ?? "").link;
  if (stored) return stored;
  const target = response.headers.get(H.X_SYMLINK_TARGET);
  if (target === null) return null;
  const bytes = response.headers.get(H.X_SYMLINK_TARGET_BYTES);
  return { target, account: response.headers.get(H.X_SYMLINK_TARGET_ACCOUNT), etag: response.headers.get(H.X_SYMLINK_TARGET_ETAG), bytes: bytes === null ? null : Number(bytes) };
}

/** A response with some headers changed (controller responses may be immutable). */
function reheader(response: Response, change: (headers: Headers) => void): Response {
  const headers = new Headers(response.headers);
  change(headers);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Swift: handle_get_head_symlink. The link itself, its target in `X-Symlink-*` headers. */
function linkItself(response: Response): Response {
  const { contentType, link } = splitSymlinkParams(response.headers.get(H.CONTENT_TYPE) ?? "");
  if (!link) return response;
  return reheader(response, (headers) => {
    headers.set(H.CONTENT_TYPE, contentType);
    headers.set(H.X_SYMLINK_TARGET, link.target);
    if (link.account !== null) headers.set(H.X_SYMLINK_TARGET_ACCOUNT, link.account);
    if (link.etag !== null) headers.set(H.X_SYMLINK_TARGET_ETAG, link.etag);
    if (link.bytes !== null) headers.set(H.X_SYMLINK_TARGET_BYTES, String(link.bytes));
  });
}

const conflict = (body: string, contentLocation?: string) =>
  new SwiftError("Conflict", body, contentLocation === undefined ? {} : { [H.CONTENT_LOCATION]: contentLocation });

interface Traversal {
  /**
   * The method and headers each followed link is read with: the client's GET or HEAD, or a bare
   * HEAD when a static link's PUT checks its target (Swift: build_traversal_req copies the
   * traversal request, never the PUT; sending the PUT on would write the link over its target).
   */
  method: "GET" | "HEAD";
  headers: HeadersInit;
  /** The ETag the last static link promised for what it points at. */
  targetEtag: string | null;
  /** Whether soft links are followed (not when checking a static link's target). */
  followSoft: boolean;
  /** The path of the last link's target, for Content-Location. */
  lastPath: string | null;
}

/**
 * Swift: SymlinkObjectContext._recursive_get_head. Follows links from `response` (each target
 * read by a subrequest with `?symlink=get`), checks static links' ETags, and answers with the
 * final response and Content-Location.
 */
async function follow(req: SwiftRequest, response: Response, state: Traversal): Promise<Response> {
  let loops = 0;
  let account = req.path.account;
  let current = response;
  for (;;) {
    const link = linkOf(current);
    if (link && (link.etag !== null || state.followSoft)) {
      await discard(current);
      const found = link.etag ?? current.headers.get(H.ETAG);
      if (state.targetEtag && state.targetEtag !== found) throw conflict("X-Symlink-Target-Etag headers do not match", state.lastPath ?? undefined);
      if (loops >= SYMLOOP_MAX) throw conflict(`Too many levels of symbolic links, maximum allowed is ${SYMLOOP_MAX}`);
      const targetAccount = link.account ?? quote(account);
      state.lastPath = `/${req.path.version}/${targetAccount}/${link.target.replace(/^\/+/, "")}`;
      account = unquote(targetAccount);
      loops += 1;
      // One subrequest deeper each: a link to a manifest whose segment is the link ends (409).
      current = await subrequest(req, { method: state.method, path: unquote(state.lastPath), query: "symlink=get", headers: state.headers, source: "SYM" });
      state.targetEtag = link.etag;
      continue;
    }
    const finalEtag = current.headers.get(H.ETAG);
    if (finalEtag && state.targetEtag && state.targetEtag !== finalEtag) {
      await discard(current);
      throw conflict(`Object Etag '${finalEtag}' does not match X-Symlink-Target-Etag header '${state.targetEtag}'`, state.lastPath ?? undefined);
    }
    const lastPath = state.lastPath;
    if (lastPath === null) return current;
    return reheader(current, (headers) => headers.set(H.CONTENT_LOCATION, lastPath));
  }
}

const CONDITIONALS = [H.IF_MATCH, H.IF_NONE_MATCH, H.IF_MODIFIED_SINCE, H.IF_UNMODIFIED_SINCE];

/**
 * GET/HEAD: the object, or what its links lead to. Conditions are the target's to judge (as in
 * Swift): when they fail on a link itself, the link is read again without them and followed.
 */
async function getOrHead(req: SwiftRequest, next: Next): Promise<Response> {
  const conditional = CONDITIONALS.some((name) => req.request.headers.has(name));
  let response: Response | null = null;
  let refused: unknown = null;
  try {
    response = await next(req);
  } catch (error) {
    if (!conditional || !(error instanceof SwiftError) || error.kind !== "PreconditionFailed") throw error;
    refused = error;
  }
  if (conditional && (response === null || response.status === 304)) {
    const headers = new Headers(req.request.headers);
    for (const name of CONDITIONALS) headers.delete(name);
    let plain: Response;
    try {
      plain = await next({ ...req, request: new Request(req.request.url, { method: req.request.method, headers }) });
    } catch (error) {
      // Not there without the conditions either: the conditions' answer stands.
      if (response) return response;
      throw error instanceof SwiftError ? refused : error;
    }
    if (!linkOf(plain)) {
      await discard(plain);
      if (response) return response;
      throw refused;
    }
    if (response) await discard(response);
    response = plain;
  }
  if (!response) throw refused;
  const method = req.request.method === "HEAD" ? "HEAD" : "GET";
  return follow(req, response, { method, headers: req.request.headers, targetEtag: null, followSoft: true, lastPath: null });
}

/** Whether a request without Content-Length sends a body (Swift reads one byte). */
async function sendsBody(request: Request): Promise<boolean> {
  const length = request.headers.get(H.CONTENT_LENGTH);
  if (length !== null) return Number(length) !== 0;
  if (!request.body) return false;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength) return true;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** An ETag without its quotes (Swift: swob.normalize_etag). */
function normalizeEtag(etag: string | null): string | null {
  if (etag === null) return null;
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/**
 * Swift: _validate_etag_and_update_sysmeta. A static link's target must exist (409) and carry
 * the ETag (409); its size is recorded, and its content type unless the PUT gave one.
 */
async function checkStaticTarget(req: SwiftRequest, path: string, etag: string): Promise<{ bytes: number; contentType: string }> {
  const head = await subrequest(req, { method: "HEAD", path, query: "symlink=get", source: "SYM" });
  const state: Traversal = { method: "HEAD", headers: {}, targetEtag: etag, followSoft: false, lastPath: path };
  const response = await follow(req, head, state);
  await discard(response);
  if (response.status === 404) throw conflict("X-Symlink-Target does not exist", state.lastPath ?? path);
  if (!response.ok) throw new SwiftError(statusKind(response.status));
  return { bytes: Number(response.headers.get(H.CONTENT_LENGTH) ?? "0"), contentType: response.headers.get(H.CONTENT_TYPE) ?? "application/octet-stream" };
}

function statusKind(status: number): "Unauthorized" | "Forbidden" | "ServiceUnavailable" | "InternalServerError" {
  if (status === 401) return "Unauthorized";
  if (status === 403) return "Forbidden";
  if (status === 503) return "ServiceUnavailable";
  return "InternalServerError";
}

const FORM_ERROR = "X-Symlink-Target header must be of the form <container name>/<object name>";

/** Swift: handle_put and _validate_and_prep_request_headers. */
async function put(req: SwiftRequest, next: Next): Promise<Response> {
  const headers = req.request.headers;
  if (await sendsBody(req.request)) throw new SwiftError("BadRequest", "Symlink requests require a zero byte body");
  const decoded = unquote(headers.get(H.X_SYMLINK_TARGET) ?? "");
  if (decoded.startsWith("/")) throw new SwiftError("PreconditionFailed", FORM_ERROR);
  const slash = decoded.indexOf("/");
  const container = slash > 0 ? decoded.slice(0, slash) : "";
  const object = slash > 0 ? decoded.slice(slash + 1) : "";
  if (!container || !object) throw new SwiftError("PreconditionFailed", FORM_ERROR);
  let account: string | null = null;
  const accountHeader = headers.get(H.X_SYMLINK_TARGET_ACCOUNT);
  if (accountHeader !== null) {
    account = unquote(accountHeader);
    if (!account) throw new SwiftError("PreconditionFailed", "Account name cannot be empty");
    if (account.includes("/")) throw new SwiftError("PreconditionFailed", "Account name cannot contain slashes");
  }
  const targetAccount = account ?? req.path.account;
  if (targetAccount === req.path.account && container === req.path.container && object === req.path.object) {
    throw new SwiftError("BadRequest", "Symlink cannot target itself");
  }
  const etag = normalizeEtag(headers.get(H.X_SYMLINK_TARGET_ETAG));
  if (etag && /[;"\\]/.test(etag)) throw new SwiftError("BadRequest", "Bad X-Symlink-Target-Etag format");
  let contentType = headers.get(H.CONTENT_TYPE);
  if (!etag && !contentType) contentType = "application/symlink";
  let bytes: number | null = null;
  if (etag) {
    const target = await checkStaticTarget(req, `/${req.path.version}/${targetAccount}/${container}/${object}`, etag);
    bytes = target.bytes;
    contentType ||= target.contentType;
  }
  const link: SymlinkInfo = { target: quote(`${container}/${object}`), account: account === null ? null : quote(account), etag: etag || null, bytes };
  const stored = new Headers(headers);
  for (const name of [H.X_SYMLINK_TARGET, H.X_SYMLINK_TARGET_ACCOUNT, H.X_SYMLINK_TARGET_ETAG, H.TRANSFER_ENCODING]) stored.delete(name);
  stored.set(H.CONTENT_LENGTH, "0");
  if (contentType) stored.set(H.CONTENT_TYPE, contentType);
  const request = new Request(req.request.url, { method: "PUT", headers: stored });
  return next(withContentTypeParams({ ...req, request }, paramsOf(link)));
}

/**
 * Swift: handle_post. A POST to a link applies to the link (keeping it a link) and answers 307
 * with the target's Location; X-Symlink-Target on a POST is refused (400).
 */
async function post(req: SwiftRequest, next: Next): Promise<Response> {
  if (req.request.headers.has(H.X_SYMLINK_TARGET)) throw new SwiftError("BadRequest", "A PUT request is required to set a symlink target");
  const { container, object } = req.path;
  if (container === null || object === null) return next(req);
  const found = await findObject(req.ctx, { account: req.path.account, container, object });
  const link = found ? splitSymlinkParams(found.row.contentType).link : null;
  if (!link) return next(req);
  const response = await next(withContentTypeParams(req, paramsOf(link)));
  if (!response.ok) return response;
  await discard(response);
  const headers: Record<string, string> = { [H.LOCATION]: `/${req.path.version}/${link.account ?? quote(req.path.account)}/${link.target}` };
  if (link.etag !== null) headers[H.X_SYMLINK_TARGET_ETAG] = link.etag;
  throw new SwiftError("TemporaryRedirect", "The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.", headers);
}

/** The symlink stage: object GET, HEAD, PUT with X-Symlink-Target, and POST. */
export const symlink: Middleware = async (req, next) => {
  if (req.path.container === null || req.path.object === null) return next(req);
  const method = req.request.method;
  if (method === "GET" || method === "HEAD") {
    if (req.url.searchParams.get("symlink") === "get") return linkItself(await next(req));
    return getOrHead(req, next);
  }
  if (method === "PUT" && req.request.headers.has(H.X_SYMLINK_TARGET)) return put(req, next);
  if (method === "POST") return post(req, next);
  return next(req);
};
