/**
 * @module
 * The symlink middleware. A zero-byte PUT with `X-Symlink-Target: <container>/<object>` (and
 * optionally `X-Symlink-Target-Account`, and `X-Symlink-Target-Etag` for a static link, checked
 * against the target: 409) stores a link; GET and HEAD follow it (at most SYMLOOP_MAX links, then
 * 409) and answer with the target and `Content-Location`; `?symlink=get` returns the link itself
 * with its `X-Symlink-Target*` headers; POST applies to the link and answers 307 to the target;
 * DELETE deletes the link. Each followed link is a subrequest through the whole pipeline, so the
 * caller's rights on the target are checked as for any read.
 * How a link is stored (content type parameters) is symlink-params.ts.
 * Swift: common/middleware/symlink.py.
 */

import { SwiftError } from "../../../common/errors";
import { quote, unquote } from "../../../common/python";
import { H, isTrue } from "../../../common/headers";
import { parseSwiftPath, reservedName } from "../../../common/path";
import type { Middleware, Next } from "../pipeline";
import type { SwiftRequest } from "../request";
import { isManifestRead, manifestRead } from "../large-objects/environ";
import { normalizeEtag } from "../../../common/conditional";
import { subrequest } from "../subrequest";
import { discard } from "../subrequest";
import {
  isAsStored,
  linkHeaders,
  paramsOf,
  postedType,
  splitSymlinkParams,
  withContentTypeParams,
  type SymlinkInfo,
} from "./params";

/** Links followed before a read gives up with 409 (Swift: symloop_max). */
export const SYMLOOP_MAX = 2;

/**
 * This stage's own reads of links and targets (Swift: swift.source SYM). Swift makes them below
 * itself, and below object_versioning: here they run the whole pipeline, read a link with
 * `?symlink=get` as stored (its parameters, the versions flag among them), and object versioning
 * leaves them alone.
 */
export const SOURCE = "SYM";

/**
 * Whether `target` is in the hidden versions container of the container `holder` (both decoded `/v1/a/c/o` paths) is
 * in.
 */
function isOwnVersion(holder: string, target: string): boolean {
  const { version, account, container } = parseSwiftPath(holder);
  return container !== null && target.startsWith(`/${version}/${account}/${reservedName("versions", container)}/`);
}

/**
 * The link a response describes: stored parameters (from the controller) or `X-Symlink-*` headers (from
 * `?symlink=get`).
 */
function linkOf(response: Response): SymlinkInfo | null {
  const stored = splitSymlinkParams(response.headers.get(H.CONTENT_TYPE) ?? "").link;
  if (stored) return stored;
  const target = response.headers.get(H.X_SYMLINK_TARGET);
  if (target === null) return null;
  const bytes = response.headers.get(H.X_SYMLINK_TARGET_BYTES);
  return {
    target,
    account: response.headers.get(H.X_SYMLINK_TARGET_ACCOUNT),
    etag: response.headers.get(H.X_SYMLINK_TARGET_ETAG),
    bytes: bytes === null ? null : Number(bytes),
    sloEtag: null,
  };
}

/**
 * A response with some headers changed (controller responses may be immutable); still the
 * controller's whole read of a manifest when it was one, for the slo and dlo stages above.
 */
export function reheader(response: Response, change: (headers: Headers) => void): Response {
  const headers = new Headers(response.headers);
  change(headers);
  const changed = new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  return isManifestRead(response) ? manifestRead(changed) : changed;
}

/** Swift: handle_get_head_symlink. The link itself, its target in `X-Symlink-*` headers. */
function linkItself(response: Response): Response {
  const stored = response.headers.get(H.CONTENT_TYPE) ?? "";
  const { contentType, link } = splitSymlinkParams(stored);
  if (!link) return response;
  return reheader(response, (headers) => {
    headers.set(H.CONTENT_TYPE, contentType);
    for (const [name, value] of Object.entries(linkHeaders(stored))) headers.set(name, value);
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
  /**
   * The query each followed link is read with: `symlink=get` (so that each link is counted
   * here), and the client's `multipart-manifest=get` (with its `format`), which Swift's traversal
   * keeps with the rest of the query string, so that a manifest read through a link is the manifest.
   */
  query: string;
  /** The ETag the last static link promised for what it points at. */
  targetEtag: string | null;
  /** Whether soft links are followed (not when checking a static link's target). */
  followSoft: boolean;
  /** The path of the last link's target, for Content-Location. */
  lastPath: string | null;
  /** The decoded path last read (the request's own until a link is followed). */
  lastRead: string;
  /** Whether it was reached through object versioning's link: a hidden name, read pre-authorized. */
  lastReserved: boolean;
  /** What the symlink stage saw of the final target, once a static link's ETag was checked against it. */
  seen: Seen | null;
}

/** The query of a traversal for a client's request (see Traversal.query). */
function traversalQuery(url: URL): string {
  const query = new URLSearchParams({ symlink: "get" });
  if (url.searchParams.get("multipart-manifest") === "get") {
    query.set("multipart-manifest", "get");
    const format = url.searchParams.get("format");
    if (format !== null) query.set("format", format);
  }
  return query.toString();
}

/** What Swift's symlink stage sees of a target that is no link: its ETag and size, and an SLO's own ETag. */
interface Seen {
  etag: string | null;
  bytes: number;
  sloEtag: string | null;
}

/**
 * What Swift's symlink stage sees of `response`, the final target read at `path`. It sits below
 * slo and dlo, so for a large object it sees the manifest: a static link names the manifest's
 * ETag (an SLO's X-Manifest-Etag; for a DLO, or a manifest read as `format=raw`, the ETag of a
 * HEAD of the manifest itself), and records an SLO's size as the large object's (Swift:
 * X-Object-Sysmeta-Slo-Size) and a DLO's as its manifest's. Swift: symlink.py module docs,
 * _validate_etag_and_update_sysmeta.
 */
async function seenOf(req: SwiftRequest, response: Response, path: string, allowReservedNames: boolean): Promise<Seen> {
  const etag = normalizeEtag(response.headers.get(H.ETAG));
  const bytes = Number(response.headers.get(H.CONTENT_LENGTH) ?? "0");
  const slo = isTrue(response.headers.get(H.X_STATIC_LARGE_OBJECT));
  const manifestEtag = response.headers.get(H.X_MANIFEST_ETAG);
  if (slo && manifestEtag !== null) return { etag: manifestEtag, bytes, sloEtag: etag };
  if (!response.ok || (!slo && !response.headers.has(H.X_OBJECT_MANIFEST))) return { etag, bytes, sloEtag: null };
  const manifest = await subrequest(req, {
    method: "HEAD",
    path,
    query: "symlink=get&multipart-manifest=get",
    source: SOURCE,
    allowReservedNames,
  });
  await discard(manifest);
  if (!manifest.ok) return { etag, bytes, sloEtag: null };
  return {
    etag: normalizeEtag(manifest.headers.get(H.ETAG)),
    bytes: slo ? bytes : Number(manifest.headers.get(H.CONTENT_LENGTH) ?? "0"),
    sloEtag: null,
  };
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
      if (state.targetEtag && state.targetEtag !== found)
        throw conflict("X-Symlink-Target-Etag headers do not match", state.lastPath ?? undefined);
      if (loops >= SYMLOOP_MAX) throw conflict(`Too many levels of symbolic links, maximum allowed is ${SYMLOOP_MAX}`);
      const targetAccount = link.account ?? quote(account);
      const holder =
        state.lastRead ||
        `/${req.path.version}/${req.path.account}/${req.path.container ?? ""}/${req.path.object ?? ""}`;
      state.lastPath = `/${req.path.version}/${targetAccount}/${link.target.replace(/^\/+/, "")}`;
      state.lastRead = unquote(state.lastPath);
      account = unquote(targetAccount);
      // Object versioning's link to the current version is not counted (Swift: symloop-extend).
      if (!link.versions) loops += 1;
      // One subrequest deeper each: a link to a manifest whose segment is the link ends (409).
      // Object versioning's link names its hidden container and is read pre-authorized (Swift:
      // build_traversal_req, make_pre_authed_request for allow-reserved-names).
      // Only a link to the versions container of the container holding it: a versions link copied
      // elsewhere (legacy versioning archives links as stored) is no key to another's versions.
      state.lastReserved = link.versions === true && isOwnVersion(holder, state.lastRead);
      current = await subrequest(req, {
        method: state.method,
        path: state.lastRead,
        query: state.query,
        headers: state.headers,
        source: SOURCE,
        allowReservedNames: state.lastReserved,
      });
      state.targetEtag = link.etag;
      continue;
    }
    if (state.targetEtag) {
      state.seen = await seenOf(req, current, state.lastRead, state.lastReserved);
      const finalEtag = state.seen.etag;
      if (finalEtag && state.targetEtag !== finalEtag) {
        await discard(current);
        throw conflict(
          `Object Etag '${finalEtag}' does not match X-Symlink-Target-Etag header '${state.targetEtag}'`,
          state.lastPath ?? undefined,
        );
      }
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
  const state: Traversal = {
    method,
    headers: req.request.headers,
    query: traversalQuery(req.url),
    targetEtag: null,
    followSoft: true,
    lastPath: null,
    lastRead: "",
    lastReserved: false,
    seen: null,
  };
  return follow(req, response, state);
}

/** Whether a request without Content-Length sends a body (Swift reads one byte). */
export async function sendsBody(request: Request): Promise<boolean> {
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

/**
 * Swift: _validate_etag_and_update_sysmeta. A static link's target must exist (409) and carry
 * the ETag (409; a large object's manifest's, see seenOf); its size is recorded (an SLO's: the
 * large object's, with its ETag for the listing), and its content type unless the PUT gave one.
 */
async function checkStaticTarget(
  req: SwiftRequest,
  path: string,
  etag: string,
): Promise<{ bytes: number; contentType: string; sloEtag: string | null }> {
  const head = await subrequest(req, { method: "HEAD", path, query: "symlink=get", source: SOURCE });
  const state: Traversal = {
    method: "HEAD",
    headers: {},
    query: "symlink=get",
    targetEtag: etag,
    followSoft: false,
    lastPath: path,
    lastRead: path,
    lastReserved: false,
    seen: null,
  };
  const response = await follow(req, head, state);
  await discard(response);
  if (response.status === 404) throw conflict("X-Symlink-Target does not exist", state.lastPath ?? path);
  if (!response.ok) throw new SwiftError(statusKind(response.status));
  const seen = state.seen ?? { bytes: Number(response.headers.get(H.CONTENT_LENGTH) ?? "0"), sloEtag: null };
  const contentType = splitSymlinkParams(
    response.headers.get(H.CONTENT_TYPE) ?? "application/octet-stream",
  ).contentType;
  return { bytes: seen.bytes, contentType, sloEtag: seen.sloEtag };
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
    if (!account) throw SwiftError.html("PreconditionFailed", "Account name cannot be empty");
    if (account.includes("/")) throw SwiftError.html("PreconditionFailed", "Account name cannot contain slashes");
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
  let sloEtag: string | null = null;
  if (etag) {
    const target = await checkStaticTarget(req, `/${req.path.version}/${targetAccount}/${container}/${object}`, etag);
    bytes = target.bytes;
    sloEtag = target.sloEtag;
    contentType ||= target.contentType;
  }
  const link: SymlinkInfo = {
    target: quote(`${container}/${object}`),
    account: account === null ? null : quote(account),
    etag: etag || null,
    bytes,
    sloEtag,
  };
  const stored = new Headers(headers);
  for (const name of [H.X_SYMLINK_TARGET, H.X_SYMLINK_TARGET_ACCOUNT, H.X_SYMLINK_TARGET_ETAG, H.TRANSFER_ENCODING])
    stored.delete(name);
  stored.set(H.CONTENT_LENGTH, "0");
  if (contentType) stored.set(H.CONTENT_TYPE, contentType);
  const request = new Request(req.request.url, { method: "PUT", headers: stored });
  return next(withContentTypeParams({ ...req, request }, paramsOf(link)));
}

/**
 * Swift: handle_post. A POST to a link applies to the link (each replica keeps its link's
 * `swift_symlink_*` parameters: durable/object-replica.ts postObject) and answers 307 with the
 * target's Location, known from the content type the replicas answered the POST with (Swift
 * reads the symlink sysmeta of the object server's answer); X-Symlink-Target on a POST is refused
 * (400).
 */
async function post(req: SwiftRequest, next: Next): Promise<Response> {
  if (req.request.headers.has(H.X_SYMLINK_TARGET))
    throw new SwiftError("BadRequest", "A PUT request is required to set a symlink target");
  const response = await next(req);
  if (!response.ok) return response;
  const stored = postedType(response);
  const link = stored === null ? null : splitSymlinkParams(stored).link;
  if (!link) return response;
  await discard(response);
  const headers: Record<string, string> = {
    [H.LOCATION]: `/${req.path.version}/${link.account ?? quote(req.path.account)}/${link.target}`,
  };
  if (link.etag !== null) headers[H.X_SYMLINK_TARGET_ETAG] = link.etag;
  throw SwiftError.html(
    "TemporaryRedirect",
    "The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.",
    headers,
  );
}

/** The symlink stage: object GET, HEAD, PUT with X-Symlink-Target, and POST. */
export const symlink: Middleware = async (req, next) => {
  if (req.path.container === null || req.path.object === null || isAsStored(req.environ)) return next(req);
  const method = req.request.method;
  if (method === "GET" || method === "HEAD") {
    if (req.url.searchParams.get("symlink") === "get")
      return req.environ.source === SOURCE ? next(req) : linkItself(await next(req));
    return getOrHead(req, next);
  }
  if (method === "PUT" && req.request.headers.has(H.X_SYMLINK_TARGET)) return put(req, next);
  // A sysmeta update applies to a link itself and keeps it a link (object.ts post): no 307.
  if (method === "POST" && !req.environ.sysmetaUpdate) return post(req, next);
  return next(req);
};
