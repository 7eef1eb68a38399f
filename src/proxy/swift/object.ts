/**
 * @module
 * Object PUT, GET, HEAD, POST, DELETE and COPY (and PUT with X-Copy-From), with Swift's checks,
 * conditional requests and ranges. Swift: proxy/controllers/obj.py, common/constraints.py
 * check_object_creation, check_delete_headers, common/middleware/copy.py, common/swob.py.
 */

import { DELETE_AT_MAX_SECONDS, MAX_OBJECT_NAME_LENGTH, OBJECT_ALLOWED_HEADERS } from "../../common/constraints";
import { SwiftError, kindForStatus } from "../../common/errors";
import { guessType } from "../../common/mime-types";
import { pythonInt } from "../../common/python";
import { H, OBJECT_SYSMETA_PREFIX, checkMetadata, isTrue, metaPrefix } from "../../common/headers";
import { conditionalStatus, parseEtagList } from "../../common/conditional";
import { byteRangesFraming, parseRange, rangesForLength, type ByteRange } from "../../common/ranges";
import { Timestamp } from "../../common/timestamp";
import type { ObjectRow } from "../../durable/rows";
import { containerInfo } from "../services/container";
import {
  deleteObject,
  findObject,
  openBody,
  postObject,
  postObjectSysmeta,
  putObject,
  type FoundObject,
  type ObjectPath,
} from "../services/object";
import { manifestRead, readsManifestWhole, sloManifest } from "./large-objects/environ";
import { withSloParams } from "./large-objects/swift-bytes";
import { checkNameLength, emptyResponse, required, statusOrThrow, type SwiftRequest } from "./request";
import { copyLinkHeaders, linkHeaders, splitSymlinkParams, withPostedType, withStoredParams } from "./symlink/params";
import { readPreference } from "./consistency";
import { NEWEST } from "../services/context";

function objectPath(req: SwiftRequest): ObjectPath {
  return { account: req.path.account, container: required(req.path.container), object: required(req.path.object) };
}

/**
 * User metadata, system metadata (which only edgeswift's own requests carry: the router drops a
 * client's) and the allowed headers of a PUT or POST, lower-case names (X-Delete-At apart).
 */
export function objectMetadata(headers: Headers): Record<string, string> {
  const prefix = metaPrefix("object");
  const metadata: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (
      name.startsWith(prefix) ||
      name.startsWith(OBJECT_SYSMETA_PREFIX) ||
      ((OBJECT_ALLOWED_HEADERS as readonly string[]).includes(name) && name !== H.X_DELETE_AT)
    ) {
      metadata[name] = value;
    }
  }
  return metadata;
}

/**
 * A delete-at time as Swift stores it: whole seconds, at least 0 and at most 9999999999, however
 * large the value sent (it is never written in exponent form). Swift: utils
 * normalize_delete_at_timestamp.
 */
function normalizeDeleteAt(seconds: number): number {
  return Math.floor(Math.min(Math.max(0, seconds), DELETE_AT_MAX_SECONDS));
}

/**
 * X-Delete-At / X-Delete-After as unix seconds, capped at 9999999999; 400 with Swift's messages
 * for values that are not integers and for times not after now. X-Delete-After wins over
 * X-Delete-At. Swift: constraints.check_delete_headers, proxy obj.py _config_obj_expiration.
 */
export function deleteAtOf(headers: Headers, nowMs: number): number | null {
  const now = nowMs / 1000;
  const after = headers.get(H.X_DELETE_AFTER);
  if (after !== null) {
    const seconds = pythonInt(after);
    if (seconds === null) throw new SwiftError("BadRequest", "Non-integer X-Delete-After");
    const at = normalizeDeleteAt(now + seconds);
    if (at <= now) throw new SwiftError("BadRequest", "X-Delete-After in past");
    return at;
  }
  const text = headers.get(H.X_DELETE_AT);
  if (text === null) return null;
  const value = pythonInt(text);
  if (value === null) throw new SwiftError("BadRequest", "Non-integer X-Delete-At");
  const at = normalizeDeleteAt(value);
  if (at <= now) throw new SwiftError("BadRequest", "X-Delete-At in past");
  return at;
}

/**
 * X-If-Delete-At read as Swift's object server reads it (Timestamp.fromText); null when absent;
 * 400 "Bad X-If-Delete-At header value" otherwise. Swift: obj/server.py DELETE, utils Timestamp.
 */
function ifDeleteAtOf(headers: Headers): Timestamp | null {
  const text = headers.get(H.X_IF_DELETE_AT);
  if (text === null) return null;
  const timestamp = Timestamp.fromText(text);
  if (!timestamp) throw SwiftError.html("BadRequest", "Bad X-If-Delete-At header value");
  return timestamp;
}

/**
 * DELETE with X-If-Delete-At (what Swift's expirer sends): 400 before anything changes when the
 * value is malformed, 404 when there is no object, 412 "X-If-Delete-At and X-Delete-At do not
 * match" unless the object's X-Delete-At (none: 0) is that time. Swift: obj/server.py DELETE.
 * Checked here on the newest replica's row and not inside each replica's delete, so a write that
 * lands between this check and the delete is deleted too.
 */
export async function checkIfDeleteAt(req: SwiftRequest): Promise<void> {
  const wanted = ifDeleteAtOf(req.request.headers);
  if (wanted === null) return;
  const found = await findObject(req.ctx, objectPath(req), NEWEST);
  if (!found) throw new SwiftError("NotFound");
  if (wanted.offset !== 0 || wanted.units !== (found.row.deleteAt ?? 0) * 100_000) {
    throw SwiftError.html("PreconditionFailed", "X-If-Delete-At and X-Delete-At do not match");
  }
}

/**
 * The Content-Type to store: as sent, or guessed from the name as Swift's proxy guesses from the
 * request path (mimetypes.guess_type; only the path's last part counts, and a leading "/" keeps
 * the name from reading as a URL scheme); `swift_*` parameters are refused.
 */
function contentTypeOf(headers: Headers, object: string, fallback: string | null): string {
  const sent = headers.get(H.CONTENT_TYPE);
  if (sent && !isTrue(headers.get(H.X_DETECT_CONTENT_TYPE))) {
    for (const param of sent.split(";").slice(1)) {
      if (param.trim().toLowerCase().startsWith("swift_")) throw new SwiftError("BadRequest", "Invalid Content-Type");
    }
    return sent;
  }
  return fallback ?? guessType(`/${object}`) ?? "application/octet-stream";
}

/** Headers of an object's GET/HEAD. */
function objectHeaders(row: ObjectRow): Record<string, string> {
  const timestamp = Timestamp.parse(row.metaTimestamp) ?? new Timestamp(0);
  const headers: Record<string, string> = {
    [H.CONTENT_TYPE]: row.contentType,
    [H.ETAG]: row.etag,
    [H.LAST_MODIFIED]: timestamp.httpDate,
    [H.X_TIMESTAMP]: timestamp.normal,
    [H.ACCEPT_RANGES]: "bytes",
    ...row.metadata,
  };
  if (row.deleteAt !== null) headers[H.X_DELETE_AT] = String(row.deleteAt);
  return headers;
}

/**
 * A failed If-Match or If-Unmodified-Since: 412 with no body and the object's headers (its ETag,
 * Last-Modified, X-Timestamp and metadata; a link's target as `X-Symlink-*`), as Swift's object
 * server answers. Swift: obj/server.py GET/HEAD, swob.py Response conditional_response.
 */
function preconditionFailed(row: ObjectRow): SwiftError {
  const { [H.CONTENT_TYPE]: _type, [H.ACCEPT_RANGES]: _ranges, ...headers } = objectHeaders(row);
  return SwiftError.html("PreconditionFailed", "", { ...headers, ...linkHeaders(row.contentType) });
}

async function requireContainer(req: SwiftRequest, path: { account: string; container: string }): Promise<void> {
  if (!(await containerInfo(req.ctx, path.account, path.container))) throw new SwiftError("NotFound");
}

/**
 * The request body's length: Content-Length, or null for chunked; from the headers alone, before
 * any byte is read: 501 for more than one transfer coding, 400 for another coding or a malformed
 * or negative length, 413 past `maxFileSize`, 411 for neither length nor chunking.
 * Swift: constraints.check_object_creation, swob is_chunked and message_length,
 * proxy/server.py handle_request (a negative Content-Length).
 */
function bodyLength(request: Request, maxFileSize: number): number | null {
  const transferEncoding = request.headers.get(H.TRANSFER_ENCODING);
  if (transferEncoding !== null) {
    const codings = transferEncoding.split(",").map((coding) => coding.trim().toLowerCase());
    if (codings.length > 1)
      throw new SwiftError(
        "NotImplemented",
        "Unsupported Transfer-Coding header value specified in Transfer-Encoding header",
      );
    if (codings[0] !== "chunked") throw new SwiftError("BadRequest", "Invalid Transfer-Encoding header value");
    return null;
  }
  const text = request.headers.get(H.CONTENT_LENGTH);
  if (text === null) {
    if (request.body === null) throw new SwiftError("LengthRequired", "Missing Content-Length header.");
    return null;
  }
  const length = pythonInt(text);
  if (length === null) throw new SwiftError("BadRequest", "Invalid Content-Length header value");
  if (length < 0) throw SwiftError.html("BadRequest", "Invalid Content-Length");
  if (length > maxFileSize) throw new SwiftError("RequestEntityTooLarge", "Your request is too large.");
  return length;
}

/** PUT: 201 with the body's ETag; X-Copy-From makes it a server-side copy. */
export async function put(req: SwiftRequest): Promise<Response> {
  const path = objectPath(req);
  const headers = req.request.headers;
  checkNameLength("Object", path.object, MAX_OBJECT_NAME_LENGTH);
  const copyFrom = headers.get(H.X_COPY_FROM);
  if (copyFrom !== null) {
    const length = headers.get(H.CONTENT_LENGTH);
    if (length !== null && length !== "0") throw new SwiftError("BadRequest", "Copy requests require a zero byte body");
    const source = parseCopyPath(copyFrom, "X-Copy-From");
    return copy(req, { account: headers.get(H.X_COPY_FROM_ACCOUNT) ?? path.account, ...source }, path);
  }
  const length = bodyLength(req.request, req.ctx.config.maxFileSize);
  checkMetadata(headers, "object");
  // Only the slo stage stores X-Static-Large-Object, with `swift_bytes` on the content type (Swift: slo.py).
  const manifest = sloManifest(req.environ);
  if (manifest === null && headers.get(H.X_STATIC_LARGE_OBJECT) !== null)
    throw SwiftError.html("BadRequest", "X-Static-Large-Object is a reserved header");
  const ifNoneMatch = headers.get(H.IF_NONE_MATCH);
  if (ifNoneMatch !== null && ifNoneMatch.trim() !== "*")
    throw new SwiftError("BadRequest", "If-None-Match only supports *");
  const deleteAt = deleteAtOf(headers, Date.now());
  const contentType = withStoredParams(req.environ, withSloParams(contentTypeOf(headers, path.object, null), manifest));
  await requireContainer(req, path);
  const etagHeader = headers.get(H.ETAG);
  const result = await putObject(req.ctx, path, {
    body: req.request.body,
    length,
    contentType,
    metadata: objectMetadata(headers),
    deleteAt,
    expectedEtag: etagHeader === null ? null : (parseEtagList(etagHeader)[0] ?? "").toLowerCase(),
    ifNoneMatch: ifNoneMatch !== null,
    ...(req.environ.footers ? { footers: req.environ.footers } : {}),
  });
  statusOrThrow(result.status);
  return emptyResponse(result.status, { [H.ETAG]: result.etag, [H.LAST_MODIFIED]: result.timestamp.httpDate });
}

/** GET and HEAD: the object with its headers; conditional requests; single and multiple ranges. */
export async function get(req: SwiftRequest): Promise<Response> {
  const path = objectPath(req);
  const headers = req.request.headers;
  const found = await findObject(req.ctx, path, await readPreference(req));
  if (!found) {
    if (headers.get(H.IF_MATCH) !== null) throw new SwiftError("PreconditionFailed");
    throw new SwiftError("NotFound");
  }
  const { row } = found;
  const responseHeaders = objectHeaders(row);
  // The slo and dlo stages read a manifest whole and judge Range and conditionals against the
  // large object (Swift: X-Backend-Ignore-Range-If-Metadata-Present, X-Backend-Etag-Is-At).
  if (readsManifestWhole(req.environ, row.metadata)) {
    const body = row.size > 0 ? await openBody(req.ctx, path, found) : null;
    return manifestRead(
      new Response(body, { status: 200, headers: { ...responseHeaders, [H.CONTENT_LENGTH]: String(row.size) } }),
    );
  }
  const lastModified = (Timestamp.parse(row.metaTimestamp) ?? new Timestamp(0)).ceilSeconds;
  const conditional = conditionalStatus(headers, row.etag, lastModified);
  if (conditional === 412) throw preconditionFailed(row);
  if (conditional === 304) {
    // swob's 304 keeps the object's headers, Content-Type too; a link says where it points, so a
    // chain is followed past it (Swift keeps its sysmeta on a 304).
    return new Response(null, { status: 304, headers: { ...responseHeaders, ...linkHeaders(row.contentType) } });
  }
  if (req.request.method === "HEAD") {
    return new Response(null, { status: 200, headers: { ...responseHeaders, [H.CONTENT_LENGTH]: String(row.size) } });
  }
  // A link's Range is for its target, which the symlink stage reads with the same headers (Swift:
  // X-Backend-Ignore-Range-If-Metadata-Present with the symlink's sysmeta).
  const specs = splitSymlinkParams(row.contentType).link ? null : parseRange(headers.get(H.RANGE));
  if (specs) {
    const ranges = rangesForLength(specs, row.size);
    if (!ranges.length) {
      const { [H.CONTENT_TYPE]: _type, ...objectHeadersOnly } = responseHeaders;
      throw new SwiftError("RangeNotSatisfiable", undefined, {
        ...objectHeadersOnly,
        [H.CONTENT_RANGE]: `bytes */${row.size}`,
      });
    }
    // An empty object satisfies only a suffix range, and has no bytes to name in a Content-Range:
    // Swift serves the whole of it (swob _response_iter).
    if (row.size > 0) return rangedResponse(req, path, found, ranges, responseHeaders);
  }
  const body = row.size > 0 ? await openBody(req.ctx, path, found) : null;
  return new Response(body, { status: 200, headers: { ...responseHeaders, [H.CONTENT_LENGTH]: String(row.size) } });
}

async function rangedResponse(
  req: SwiftRequest,
  path: ObjectPath,
  found: FoundObject,
  ranges: ByteRange[],
  headers: Record<string, string>,
): Promise<Response> {
  const { size, contentType } = found.row;
  const [only] = ranges;
  if (ranges.length === 1 && only) {
    const body = await openBody(req.ctx, path, found, { offset: only.start, length: only.end - only.start });
    return new Response(body, {
      status: 206,
      headers: {
        ...headers,
        [H.CONTENT_LENGTH]: String(only.end - only.start),
        [H.CONTENT_RANGE]: `bytes ${only.start}-${only.end - 1}/${size}`,
      },
    });
  }
  const { parts, crlf, tail, length, contentType: multipartType } = byteRangesFraming(ranges, size, contentType);
  const { readable, writable } = new FixedLengthStream(length);
  const write = async (): Promise<void> => {
    const writer = writable.getWriter();
    try {
      for (const part of parts) {
        await writer.write(part.head);
        const body = await openBody(req.ctx, path, found, {
          offset: part.range.start,
          length: part.range.end - part.range.start,
        });
        const reader = body.getReader();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) await writer.write(chunk.value);
        await writer.write(crlf);
      }
      await writer.write(tail);
      await writer.close();
    } catch (error) {
      await writer.abort(error).catch(() => undefined);
    }
  };
  req.waitUntil(write());
  return new Response(readable, {
    status: 206,
    headers: { ...headers, [H.CONTENT_TYPE]: multipartType, [H.CONTENT_LENGTH]: String(length) },
  });
}

/**
 * POST: replaces the object's metadata; 202; 404 when there is no object. A sysmeta update
 * (edgeswift's own: Environ.sysmetaUpdate) changes only the system metadata it sends.
 */
export async function post(req: SwiftRequest): Promise<Response> {
  const path = objectPath(req);
  const headers = req.request.headers;
  if (req.environ.sysmetaUpdate) {
    const sysmeta: Record<string, string> = {};
    for (const [name, value] of headers) if (name.startsWith(OBJECT_SYSMETA_PREFIX)) sysmeta[name] = value;
    statusOrThrow(await postObjectSysmeta(req.ctx, path, sysmeta));
    return emptyResponse(202);
  }
  checkMetadata(headers, "object");
  const deleteAt = deleteAtOf(headers, Date.now());
  await requireContainer(req, path);
  // Each replica keeps its own data's parameters (swift_bytes, a link's) on the content type given.
  const contentType = headers.get(H.CONTENT_TYPE) ? contentTypeOf(headers, path.object, null) : null;
  const posted = await postObject(req.ctx, path, objectMetadata(headers), deleteAt, contentType);
  statusOrThrow(posted.status);
  return withPostedType(emptyResponse(202), posted.storedType);
}

/** DELETE: 204; 404 when there was no object; X-If-Delete-At checked first (checkIfDeleteAt). */
export async function remove(req: SwiftRequest): Promise<Response> {
  const path = objectPath(req);
  await checkIfDeleteAt(req);
  statusOrThrow(await deleteObject(req.ctx, path));
  return emptyResponse(204);
}

/** COPY with Destination (and Destination-Account). Swift: common/middleware/copy.py. */
export async function copyVerb(req: SwiftRequest): Promise<Response> {
  const path = objectPath(req);
  const destination = req.request.headers.get(H.DESTINATION);
  if (destination === null) throw SwiftError.html("PreconditionFailed", "Destination header required");
  const target = parseCopyPath(destination, "Destination");
  const account = req.request.headers.get(H.DESTINATION_ACCOUNT) ?? path.account;
  return copy(req, path, { account, ...target });
}

/** `/container/object` or `container/object` of X-Copy-From or Destination; 412 otherwise. */
function parseCopyPath(value: string, header: string): { container: string; object: string } {
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    throw SwiftError.html("PreconditionFailed", `${header} header must be of the form <container name>/<object name>`);
  }
  const trimmed = text.startsWith("/") ? text.slice(1) : text;
  const slash = trimmed.indexOf("/");
  const container = slash > 0 ? trimmed.slice(0, slash) : "";
  const object = slash > 0 ? trimmed.slice(slash + 1) : "";
  if (!container || !object)
    throw SwiftError.html("PreconditionFailed", `${header} header must be of the form <container name>/<object name>`);
  return { container, object };
}

/** Request headers a copy passes on to the source's GET (Swift: copy applies Range and If-* to the source). */
const SOURCE_HEADERS = [H.RANGE, H.IF_MATCH, H.IF_NONE_MATCH, H.IF_MODIFIED_SINCE, H.IF_UNMODIFIED_SINCE];

/**
 * Server-side copy, as Swift's copy middleware does it: GET the source through the pipeline as
 * X-Newest (so large objects and symlinks resolve as for any reader, and the caller's rights are
 * checked), then PUT its body to the destination through the pipeline. The source's metadata is
 * kept unless X-Fresh-Metadata, the request's overriding; Range and If-* apply to the source.
 * 201 with X-Copied-From, X-Copied-From-Account and X-Copied-From-Last-Modified, and the
 * copy's user metadata.
 */
async function copy(req: SwiftRequest, source: ObjectPath, destination: ObjectPath): Promise<Response> {
  const headers = req.request.headers;
  checkNameLength("Object", destination.object, MAX_OBJECT_NAME_LENGTH);
  checkMetadata(headers, "object");
  const sourceHeaders = new Headers({ [H.X_NEWEST]: "true" });
  for (const name of SOURCE_HEADERS) {
    const value = headers.get(name);
    if (value !== null) sourceHeaders.set(name, value);
  }
  // Swift: copy.py — a large object is copied whole; with multipart-manifest=get its manifest
  // itself is (an SLO's raw manifest stored again through multipart-manifest=put).
  const manifestGet = req.url.searchParams.get("multipart-manifest") === "get";
  // With symlink=get a link is copied as a link (Swift: copy.py keeps the query for the source
  // GET and copies the link's X-Symlink-* headers to the PUT, where symlink checks them again).
  const symlinkGet = req.url.searchParams.get("symlink") === "get";
  // A version of a versioned object is copied by its `version-id` (Swift: copy.py copy_get keeps the
  // query for the source, and drops version-id from the PUT).
  const versionId = req.url.searchParams.get("version-id");
  const sourceQuery = [
    ...(manifestGet ? ["multipart-manifest=get&format=raw"] : []),
    ...(symlinkGet ? ["symlink=get"] : []),
    ...(versionId !== null ? [`version-id=${encodeURIComponent(versionId)}`] : []),
  ].join("&");
  const got = await req.subrequest({
    method: "GET",
    path: `/v1/${source.account}/${source.container}/${source.object}`,
    query: sourceQuery,
    headers: sourceHeaders,
    source: "copy",
  });
  if (got.status === 304) {
    await got.body?.cancel();
    return new Response(null, { status: 304 });
  }
  if (got.status !== 200 && got.status !== 206) {
    await got.body?.cancel();
    throw new SwiftError(
      kindForStatus(got.status),
      undefined,
      got.status === 416 ? { [H.CONTENT_RANGE]: got.headers.get(H.CONTENT_RANGE) ?? "" } : {},
    );
  }
  // A source of unknown length (a DLO too long for one listing page) cannot be copied: Swift answers 413.
  const lengthHeader = got.headers.get(H.CONTENT_LENGTH);
  const length = lengthHeader === null ? Number.NaN : Number(lengthHeader);
  if (!Number.isSafeInteger(length)) {
    await got.body?.cancel();
    throw new SwiftError("RequestEntityTooLarge");
  }
  if (length > req.ctx.config.maxFileSize) {
    await got.body?.cancel();
    throw new SwiftError("RequestEntityTooLarge");
  }
  const fresh = isTrue(headers.get(H.X_FRESH_METADATA));
  const putHeaders = new Headers(fresh ? {} : objectMetadata(got.headers));
  if (!fresh) {
    const deleteAt = got.headers.get(H.X_DELETE_AT);
    if (deleteAt !== null) putHeaders.set(H.X_DELETE_AT, deleteAt);
  }
  // A large object read whole is copied as one plain object: what its system metadata said of
  // the manifest (S3's multipart ETag) is not true of the copy.
  if (!manifestGet && isTrue(got.headers.get(H.X_STATIC_LARGE_OBJECT))) {
    for (const name of [...putHeaders.keys()]) if (name.startsWith(OBJECT_SYSMETA_PREFIX)) putHeaders.delete(name);
  }
  putHeaders.delete(H.X_STATIC_LARGE_OBJECT);
  const dloManifest = got.headers.get(H.X_OBJECT_MANIFEST);
  if (manifestGet && dloManifest !== null) putHeaders.set(H.X_OBJECT_MANIFEST, dloManifest);
  else putHeaders.delete(H.X_OBJECT_MANIFEST);
  for (const [name, value] of Object.entries(objectMetadata(headers))) putHeaders.set(name, value);
  for (const name of [H.X_DELETE_AT, H.X_DELETE_AFTER]) {
    const value = headers.get(name);
    if (value !== null) putHeaders.set(name, value);
  }
  if (symlinkGet && !fresh) copyLinkHeaders(got.headers, putHeaders);
  putHeaders.set(
    H.CONTENT_TYPE,
    headers.get(H.CONTENT_TYPE) ?? got.headers.get(H.CONTENT_TYPE) ?? "application/octet-stream",
  );
  putHeaders.set(H.CONTENT_LENGTH, String(length));
  // The PUT's only body is the source's: a ClientDisconnect from it says the source stopped
  // mid-stream (a large object's segment unreadable), not the client. Swift answers 500 (proxy
  // obj.py _transfer_data); the source was unavailable, so 503: the copy may be tried again.
  const put = await req
    .subrequest({
      method: "PUT",
      path: `/v1/${destination.account}/${destination.container}/${destination.object}`,
      query: manifestGet && isTrue(got.headers.get(H.X_STATIC_LARGE_OBJECT)) ? "multipart-manifest=put" : "",
      headers: putHeaders,
      body: length > 0 ? got.body : null,
      source: "copy",
    })
    .catch((error: unknown) => {
      throw error instanceof SwiftError && error.kind === "ClientDisconnect"
        ? new SwiftError("ServiceUnavailable")
        : error;
    });
  if (length === 0) await got.body?.cancel();
  if (put.status !== 201 && put.status !== 202) return put;
  await put.body?.cancel();
  const headersOut: Record<string, string> = {
    [H.ETAG]: put.headers.get(H.ETAG) ?? "",
    [H.LAST_MODIFIED]: put.headers.get(H.LAST_MODIFIED) ?? "",
    [H.X_COPIED_FROM]: encodeURI(`${source.container}/${source.object}`),
    [H.X_COPIED_FROM_ACCOUNT]: encodeURI(source.account),
    [H.X_COPIED_FROM_LAST_MODIFIED]: got.headers.get(H.LAST_MODIFIED) ?? "",
  };
  // The versions a versioned source and destination answer with (Swift: copy.py, object_versioning).
  const sourceVersion = got.headers.get(H.X_OBJECT_VERSION_ID);
  if (sourceVersion !== null) headersOut[H.X_COPIED_FROM_VERSION_ID] = sourceVersion;
  const version = put.headers.get(H.X_OBJECT_VERSION_ID);
  if (version !== null) headersOut[H.X_OBJECT_VERSION_ID] = version;
  // The copy's user metadata and X-Delete-At, the source's kept and the request's added
  // (Swift: copy.py _create_response_headers, _copy_headers from the sink request).
  for (const [name, value] of putHeaders) {
    if (name.startsWith(metaPrefix("object")) || name === H.X_DELETE_AT) headersOut[name] = value;
  }
  return emptyResponse(put.status, headersOut);
}
