/**
 * @module
 * Legacy object versioning (versioned_writes with allow_versioned_writes). A container's
 * `X-Versions-Location: <archive>` (stack mode) or `X-History-Location: <archive>` (history
 * mode) names a container of old versions, `<3-hex length of name><name>/<timestamp>`. An
 * object PUT first copies the current object there; a DELETE in stack mode restores the newest
 * archived version in its place (and removes it from the archive), in history mode archives the
 * object and writes a delete marker. Every copy, listing and delete of this stage runs below it,
 * pre-authorized as Swift's are (the client's request was authorized against the versioned
 * container's write ACL): GET as stored with X-Newest, then PUT. Swift: versioned_writes/legacy.py.
 */

import { SwiftError } from "../../../common/errors";
import { unquote } from "../../../common/python";
import { Timestamp } from "../../../common/timestamp";
import { H, byteLength, isTrue } from "../../../common/headers";
import { parseSwiftPath, urlPathOf } from "../../../common/path";
import { liveMetadata } from "../../../durable/merge";
import { containerInfo } from "../../services/container";
import { checkIfDeleteAt } from "../object";
import type { Middleware, Next } from "../pipeline";
import { splitSwiftBytes } from "../large-objects/swift-bytes";
import { withSloManifest } from "../large-objects/environ";
import type { SwiftRequest } from "../request";
import { discard } from "../subrequest";
import { errorResponse } from "../errors";
import { asStored, withContentTypeParams } from "../symlink/params";

/** Swift's delete marker content type; its parameter is stored for the marker only by the versioning stages. */
export const DELETE_MARKER_TYPE = "application/x-deleted";
export const DELETE_MARKER_PARAM = ";swift_versions_deleted=1";
export const DELETE_MARKER_CONTENT_TYPE = DELETE_MARKER_TYPE + DELETE_MARKER_PARAM;
const SOURCE = "VW";
/** Listing page size when reading archived versions. */
const PAGE_LIMIT = 1_000;

const REMOVE_VERSIONS = `x-remove-${H.X_VERSIONS_LOCATION.slice(2)}`;
const REMOVE_HISTORY = `x-remove-${H.X_HISTORY_LOCATION.slice(2)}`;

/** Versions named for an object: `%03x` of its name's UTF-8 length, the name, a slash. */
export function versionsPrefix(object: string): string {
  return `${byteLength(object).toString(16).padStart(3, "0")}${object}/`;
}

/**
 * Swift: container_request. Checks and normalizes a container request's versioning headers:
 * both locations set → 400; a location that is not a container name → 412; an empty one or
 * X-Remove-*-Location removes versioning. Exactly one of the two stored headers is left set.
 */
function containerHeaders(headers: Headers): Headers | null {
  const out = new Headers(headers);
  const versions = out.get(H.X_VERSIONS_LOCATION);
  const history = out.get(H.X_HISTORY_LOCATION);
  if (versions !== null && history !== null) {
    if (!history) out.delete(H.X_HISTORY_LOCATION);
    else if (versions) {
      throw new SwiftError(
        "BadRequest",
        `Only one of ${H.X_VERSIONS_LOCATION} or ${H.X_HISTORY_LOCATION} may be specified`,
      );
    } else out.delete(H.X_VERSIONS_LOCATION);
  }
  const mode = out.has(H.X_VERSIONS_LOCATION) ? "stack" : out.has(H.X_HISTORY_LOCATION) ? "history" : null;
  let remove = Boolean(out.get(REMOVE_VERSIONS) || out.get(REMOVE_HISTORY));
  if (mode) {
    const value = out.get(mode === "stack" ? H.X_VERSIONS_LOCATION : H.X_HISTORY_LOCATION) ?? "";
    if (!value) remove = true;
    else {
      // Swift: constraints.check_container_format.
      if (value.includes("/")) throw SwiftError.html("PreconditionFailed", "Container name cannot contain slashes");
      out.set(H.X_VERSIONS_LOCATION, mode === "stack" ? value : "");
      out.set(H.X_HISTORY_LOCATION, mode === "history" ? value : "");
      remove = false;
    }
  }
  out.delete(REMOVE_VERSIONS);
  out.delete(REMOVE_HISTORY);
  if (remove) {
    out.set(H.X_VERSIONS_LOCATION, "");
    out.set(H.X_HISTORY_LOCATION, "");
  }
  if (!mode && !remove) return null;
  return out;
}

/** Swift: _check_response_error. A failed step: 412 for a client error, 503 otherwise. */
async function check(response: Response): Promise<void> {
  if (response.ok) return;
  await discard(response);
  if (response.status >= 400 && response.status < 500) throw new SwiftError("PreconditionFailed");
  throw new SwiftError("ServiceUnavailable");
}

/** Who makes a request below a versioning stage: its swift.source, and whether it names a hidden container. */
export interface OwnSource {
  source?: string;
  /** Object versioning's names in its hidden versions container (Environ.allowReservedNames). */
  reservedNames?: boolean;
}

/** One request of a versioning stage's own: a decoded `/v1/a/c[/o]` path, its query, headers and body. */
export interface OwnRequest extends OwnSource {
  method: string;
  path: string;
  query?: string;
  headers?: HeadersInit;
  body?: ReadableStream<Uint8Array> | null;
}

/**
 * Swift: make_pre_authed_request(...).get_response(self.app). Runs a request of a versioning
 * stage's own below it (symlink, then the controller), with a link read and written as stored:
 * the client's request was authorized already (the versioned container's write ACL), and Swift
 * asks nothing more of the caller, so a user who may write the container through its ACL has its
 * versions kept whatever it may do in the archive. A thrown error comes back as its response.
 * `prepare` adds a middleware's environ flags (a delete marker's or a manifest's content type).
 */
export async function below(
  req: SwiftRequest,
  next: Next,
  own: OwnRequest,
  prepare: (sub: SwiftRequest) => SwiftRequest = (sub) => sub,
): Promise<Response> {
  const url = new URL(`${req.url.origin}${urlPathOf(own.path)}${own.query ? `?${own.query}` : ""}`);
  const request = new Request(url, { method: own.method, headers: own.headers ?? {}, body: own.body ?? null });
  const environ = {
    source: own.source ?? SOURCE,
    depth: req.environ.depth,
    ...(own.reservedNames ? { allowReservedNames: true } : {}),
  };
  const sub = asStored({ ...req, request, url, path: parseSwiftPath(own.path), environ });
  try {
    return await next(prepare(sub));
  } catch (error) {
    if (error instanceof SwiftError) return errorResponse(error, own.method);
    throw error;
  }
}

/** Swift: _get_source_object. The object as stored (a link as a link, a manifest as its manifest), newest replica. */
export async function getSource(req: SwiftRequest, next: Next, path: string, by: OwnSource = {}): Promise<Response> {
  const response = await below(req, next, { ...by, method: "GET", path, headers: { [H.X_NEWEST]: "true" } });
  const length = response.headers.get(H.CONTENT_LENGTH);
  if (response.ok && (length === null || Number(length) > req.ctx.config.maxFileSize)) {
    await discard(response);
    throw new SwiftError("RequestEntityTooLarge");
  }
  return response;
}

/** Response headers a copy does not carry to the new object (Swift: copy_header_subset without X-Timestamp). */
const NOT_COPIED = new Set<string>([
  H.X_TIMESTAMP,
  H.LAST_MODIFIED,
  H.ACCEPT_RANGES,
  H.X_TRANS_ID,
  H.X_OPENSTACK_REQUEST_ID,
  H.CONTENT_LOCATION,
]);

/** A stored content type split into what a client may send and the `swift_*` parameters middlewares stored with it. */
export function splitStoredParams(contentType: string): { contentType: string; params: string } {
  const [type = "", ...rest] = contentType.split(";");
  const kept = rest.filter((param) => !param.trim().toLowerCase().startsWith("swift_"));
  const params = rest.filter((param) => param.trim().toLowerCase().startsWith("swift_"));
  return { contentType: [type, ...kept].join(";"), params: params.map((param) => `;${param.trim()}`).join("") };
}

/**
 * Swift: _put_versioned_obj. PUTs a GET's body and headers to `path`, as stored: a link's and a
 * delete marker's content type parameters, an SLO manifest with its size and ETag (Swift copies
 * their sysmeta with the other headers).
 */
export async function putFrom(
  req: SwiftRequest,
  next: Next,
  path: string,
  source: Response,
  by: OwnSource = {},
): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of source.headers) if (!NOT_COPIED.has(name)) headers.set(name, value);
  const length = Number(source.headers.get(H.CONTENT_LENGTH) ?? "0");
  const { contentType: withoutSlo, swiftBytes, sloEtag } = splitSwiftBytes(source.headers.get(H.CONTENT_TYPE) ?? "");
  const { contentType, params } = splitStoredParams(withoutSlo);
  headers.set(H.CONTENT_TYPE, contentType);
  const manifest = isTrue(source.headers.get(H.X_STATIC_LARGE_OBJECT))
    ? { bytes: swiftBytes ?? length, etag: sloEtag ?? "" }
    : null;
  const response = await below(
    req,
    next,
    { ...by, method: "PUT", path, headers, body: length > 0 ? source.body : null },
    (sub) => {
      const stored = params ? withContentTypeParams(sub, params) : sub;
      return manifest ? withSloManifest(stored, stored.request, manifest) : stored;
    },
  );
  if (length === 0) await discard(source);
  return response;
}

/** The decoded path of an object in the request's container. */
function objectPathOf(req: SwiftRequest, object: string): string {
  return `/${req.path.version}/${req.path.account}/${req.path.container ?? ""}/${object}`;
}

function versionName(object: string, timestamp: string): string {
  return versionsPrefix(object) + (Timestamp.parse(timestamp) ?? new Timestamp(Number(timestamp) || 0)).internal;
}

/** Swift: _copy_current. Archives the current object (if any) under its own timestamp. */
async function copyCurrent(req: SwiftRequest, next: Next, archive: string, object: string): Promise<void> {
  const current = objectPathOf(req, object);
  const got = await getSource(req, next, current);
  if (got.status === 404) {
    await discard(got);
    return;
  }
  await check(got);
  const timestamp = got.headers.get(H.X_TIMESTAMP) ?? String(Date.parse(got.headers.get(H.LAST_MODIFIED) ?? "") / 1000);
  const put = await putFrom(
    req,
    next,
    `/${req.path.version}/${req.path.account}/${archive}/${versionName(object, timestamp)}`,
    got,
  );
  await check(put);
  await discard(put);
}

/** Swift: handle_obj_versions_delete_push (history mode): archive, then a delete marker, then the DELETE. */
async function deletePush(req: SwiftRequest, next: Next, archive: string, object: string): Promise<Response> {
  await copyCurrent(req, next, archive, object);
  const marker = await below(
    req,
    next,
    {
      method: "PUT",
      path: `/${req.path.version}/${req.path.account}/${archive}/${versionName(object, req.ctx.now().internal)}`,
      headers: { [H.CONTENT_TYPE]: DELETE_MARKER_TYPE, [H.CONTENT_LENGTH]: "0" },
    },
    // Swift's delete marker content type: its parameter is one a client may not send.
    (sub) => withContentTypeParams(sub, DELETE_MARKER_PARAM),
  );
  await check(marker);
  await discard(marker);
  return next(req);
}

interface ListedVersion {
  name: string;
  content_type: string;
}

/**
 * Swift: _listing_iter. The archive's versions of an object, newest first, a page at a time (bounded by the archive's
 * size).
 */
async function* versionsOf(
  req: SwiftRequest,
  next: Next,
  archive: string,
  object: string,
): AsyncGenerator<ListedVersion> {
  const prefix = versionsPrefix(object);
  let marker = "";
  for (;;) {
    const query = new URLSearchParams({ prefix, marker, reverse: "on", format: "json", limit: String(PAGE_LIMIT) });
    const response = await below(req, next, {
      method: "GET",
      path: `/${req.path.version}/${req.path.account}/${archive}`,
      query: query.toString(),
    });
    if (response.status === 404) {
      await discard(response);
      return;
    }
    if (!response.ok) {
      await discard(response);
      if (response.status >= 400 && response.status < 500) throw new SwiftError("PreconditionFailed");
      throw new SwiftError("InternalServerError");
    }
    const page = (await response.json()) as ListedVersion[];
    if (!page.length) return;
    yield* page;
    const last = page[page.length - 1];
    if (!last || page.length < PAGE_LIMIT) return;
    marker = last.name;
  }
}

/** Swift: _restore_data. Puts an archived version back as the object; null when it is gone. */
async function restore(req: SwiftRequest, next: Next, archive: string, version: string): Promise<string | null> {
  const path = `/${req.path.version}/${req.path.account}/${archive}/${version}`;
  const got = await getSource(req, next, path);
  if (got.status === 404) {
    await discard(got);
    return null;
  }
  await check(got);
  const put = await putFrom(req, next, objectPathOf(req, req.path.object ?? ""), got);
  await check(put);
  await discard(put);
  return path;
}

/** Swift: the pre-authorized DELETE the client's DELETE becomes. */
function deleteOf(req: SwiftRequest, next: Next, path: string): Promise<Response> {
  return below(req, next, { method: "DELETE", path });
}

/**
 * Swift: handle_obj_versions_delete_pop (stack mode). The newest archived version replaces the
 * object and leaves the archive; a delete marker on top means the object was deleted in
 * history mode: the version under it is restored only if the object is still gone.
 */
async function deletePop(req: SwiftRequest, next: Next, archive: string, object: string): Promise<Response> {
  const versions = versionsOf(req, next, archive, object);
  try {
    for await (const previous of versions) {
      const archived = `/${req.path.version}/${req.path.account}/${archive}/${previous.name}`;
      if (previous.content_type === DELETE_MARKER_CONTENT_TYPE) {
        const head = await below(req, next, {
          method: "HEAD",
          path: objectPathOf(req, object),
          headers: { [H.X_NEWEST]: "true" },
        });
        await discard(head);
        if (head.status !== 404) {
          await check(head);
          break;
        }
        for await (const candidate of versions) {
          if (candidate.content_type === DELETE_MARKER_CONTENT_TYPE) break;
          const restored = await restore(req, next, archive, candidate.name);
          if (!restored) continue;
          const removed = await deleteOf(req, next, restored);
          await discard(removed);
          if (removed.status !== 404) await check(removed);
          break;
        }
        return deleteOf(req, next, archived);
      }
      const restored = await restore(req, next, archive, previous.name);
      if (!restored) continue;
      return deleteOf(req, next, restored);
    }
  } finally {
    await versions.return(undefined);
  }
  return next(req);
}

/** The archive container and mode of a container, or null when it keeps no versions. */
async function versioningOf(req: SwiftRequest): Promise<{ archive: string; mode: "stack" | "history" } | null> {
  const { container } = req.path;
  if (container === null) return null;
  const info = await containerInfo(req.ctx, req.path.account, container);
  if (!info) return null;
  const metadata = liveMetadata(info.metadata);
  const history = metadata[H.X_HISTORY_LOCATION];
  const versions = metadata[H.X_VERSIONS_LOCATION];
  const location = history ?? versions;
  if (!location) return null;
  const archive = unquote(location).split("/")[0] ?? "";
  return archive ? { archive, mode: history ? "history" : "stack" } : null;
}

/** The versioned_writes stage: container versioning headers, object PUT and DELETE. */
export const versionedWrites: Middleware = async (req, next) => {
  const { container, object } = req.path;
  if (container === null) return next(req);
  const method = req.request.method;
  if (object === null) {
    const headers = containerHeaders(req.request.headers);
    if (!headers) return next(req);
    const request = new Request(req.request.url, { method, headers, body: req.request.body });
    return next({ ...req, request });
  }
  // This stage's own copies and restores go below it (below()), never through it again.
  if (method !== "PUT" && method !== "DELETE") return next(req);
  // A PUT with X-Copy-From writes through a PUT subrequest, which is versioned itself.
  if (method === "PUT" && req.request.headers.has(H.X_COPY_FROM)) return next(req);
  const versioning = await versioningOf(req);
  if (!versioning) return next(req);
  if (method === "PUT") {
    await copyCurrent(req, next, versioning.archive, object);
    return next(req);
  }
  // A conditional DELETE is judged before a version is archived or restored: a malformed or
  // unmet X-If-Delete-At changes nothing. (Swift's legacy versioned_writes redirects the DELETE of
  // a restored version without the header; refusing first is what the condition asks for.)
  await checkIfDeleteAt(req);
  if (versioning.mode === "history") return deletePush(req, next, versioning.archive, object);
  return deletePop(req, next, versioning.archive, object);
};
