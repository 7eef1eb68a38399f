/**
 * @module
 * Object versioning as Swift 2.30's object_versioning does it (`X-Versions-Enabled`; the legacy
 * `X-Versions-Location` stage is versioned-writes.ts). Enabling it creates the hidden container
 * `\0versions\0<container>` (same storage policy); an object PUT then writes its data there as
 * `\0<object>\0<inverted timestamp>` and a static link to it in the container (the current
 * version, `X-Object-Version-Id`); a DELETE writes a delete marker version; `?version-id=` reads,
 * deletes, makes current or (as a copy's source) copies one. Listings are
 * object-versioning-listing.ts. This stage's own requests run below it, pre-authorized, as
 * Swift's make_pre_authed_request; a client's `?version-id=` request is authorized again for the
 * hidden container it reaches. Swift 2.30.1: common/middleware/versioned_writes/object_versioning.py.
 */

import { SwiftError, kindForStatus } from "../../../common/errors";
import { quote, unquote } from "../../../common/python";
import { H, isTrue } from "../../../common/headers";
import { parseSwiftPath, reservedName, urlPathOf } from "../../../common/path";
import { policyByName } from "../../../config/storage-policies";
import { Timestamp } from "../../../common/timestamp";
import { authorize } from "../../auth/authorize";
import { queryText } from "../listing";
import { splitSwiftBytes } from "../large-objects/swift-bytes";
import { checkIfDeleteAt } from "../object";
import { listAccount, readContainer } from "./listing";
import {
  ENABLED,
  LOCATION,
  OWN,
  SOURCE,
  atUrl,
  pathOf,
  versionIdOf,
  versionIn,
  versionName,
  versioningOf,
  versionsContainerOf,
} from "./names";
import type { Middleware, Next } from "../pipeline";
import { required, type SwiftRequest } from "../request";
import { discard } from "../subrequest";
import { errorResponse } from "../errors";
import { SOURCE as SYMLINK_SOURCE, reheader, sendsBody } from "../symlink/symlink";
import { paramsOf, splitSymlinkParams, withContentTypeParams, type SymlinkInfo } from "../symlink/params";
import {
  DELETE_MARKER_CONTENT_TYPE,
  DELETE_MARKER_PARAM,
  DELETE_MARKER_TYPE,
  below,
  getSource,
  putFrom,
  splitStoredParams,
} from "./versioned-writes";

const NO_VERSIONS_CONTAINER = "The versions container does not exist. You may want to re-enable object versioning.";
/** Headers the link to a version does not take from the client's PUT (Swift: not_for_symlink_headers). */
const NOT_FOR_LINK = [
  H.ETAG,
  H.X_IF_DELETE_AT,
  H.X_SYMLINK_TARGET,
  H.X_SYMLINK_TARGET_ACCOUNT,
  H.X_SYMLINK_TARGET_ETAG,
  H.X_OBJECT_MANIFEST,
  H.X_STATIC_LARGE_OBJECT,
  H.TRANSFER_ENCODING,
];
/** Headers versions do not take from the client: expiry is the current version's (Swift: non_expiry_header). */
const EXPIRY = [H.X_DELETE_AT, H.X_DELETE_AFTER];

/** The request itself at `path`, a name in the hidden container (Swift rewrites path_info). */
function atPath(
  req: SwiftRequest,
  path: string,
  headers: Headers = req.request.headers,
  query = req.url.search,
): SwiftRequest {
  const url = new URL(`${req.url.origin}${urlPathOf(path)}${query}`);
  const request = new Request(url, { method: req.request.method, headers, body: req.request.body });
  return { ...req, url, request, path: parseSwiftPath(path), environ: { ...req.environ, source: SOURCE } };
}

/** Pre-authorized for the hidden container's names (Swift: X-Backend-Allow-Reserved-Names). */
function preauthorized(req: SwiftRequest): SwiftRequest {
  return { ...req, environ: { ...req.environ, allowReservedNames: true } };
}

/**
 * A write stamped with `timestamp` (Swift: a pre-authed request's X-Timestamp), so a version is named for its own time.
 */
function stampedAt(req: SwiftRequest, timestamp: Timestamp): SwiftRequest {
  return { ...req, ctx: { ...req.ctx, now: () => timestamp } };
}

/** The client's headers without some. */
function headersWithout(req: SwiftRequest, names: readonly string[]): Headers {
  const headers = new Headers(req.request.headers);
  for (const name of names) headers.delete(name);
  return headers;
}

/** A response, or the SwiftError thrown on the way rendered as one (Swift's get_response). */
async function answer(response: Promise<Response>, method: string): Promise<Response> {
  try {
    return await response;
  } catch (error) {
    if (error instanceof SwiftError) return errorResponse(error, method);
    throw error;
  }
}

/** Rethrows an error with `headers` added (Swift sets them on whatever response came back). */
function rethrowWith(error: unknown, headers: Record<string, string>): never {
  if (error instanceof SwiftError) throw error.withHeaders({ ...error.headers, ...headers });
  throw error;
}

/** Swift: _check_response_error. A failed step: 412 for a 404, another client error as it came, 503 otherwise. */
async function check(response: Response): Promise<void> {
  if (response.ok) return;
  const body = await response.text();
  if (response.status === 404) throw new SwiftError("PreconditionFailed");
  if (response.status >= 400 && response.status < 500)
    throw new SwiftError(kindForStatus(response.status), body, Object.fromEntries(response.headers));
  throw new SwiftError("ServiceUnavailable");
}

/** A write to the versions container that found none: 500 with Swift's advice. */
async function refuseMissing(response: Response): Promise<void> {
  if (response.status !== 404) return check(response);
  await discard(response);
  throw new SwiftError("InternalServerError", NO_VERSIONS_CONTAINER);
}

// ---------------------------------------------------------------------------------------------
// Containers (Swift: ContainerContext)

/** Swift: enable_versioning. X-Versions-Enabled on a PUT or POST: sysmeta set, the hidden container made for `true`. */
async function enableVersioning(req: SwiftRequest, next: Next, container: string): Promise<Response> {
  const { exists, metadata } = await versioningOf(req, container);
  if (metadata[H.X_VERSIONS_LOCATION] || metadata[H.X_HISTORY_LOCATION]) {
    throw SwiftError.html(
      "BadRequest",
      "Cannot enable object versioning on a container that is already using the legacy versioned writes feature.",
    );
  }
  if (metadata[H.X_CONTAINER_SYNC_TO])
    throw SwiftError.html(
      "BadRequest",
      "Cannot enable object versioning on a container configured as source of container syncing.",
    );
  const headers = new Headers(req.request.headers);
  const enabled = isTrue(headers.get(H.X_VERSIONS_ENABLED));
  headers.set(ENABLED, enabled ? "True" : "False");
  const versionsPath = pathOf(req, versionsContainerOf(container));
  if (enabled) {
    // The primary's storage policy, as its HEAD shows it; for a new container, the one it asks for.
    let policy = req.request.method === "PUT" ? headers.get(H.X_STORAGE_POLICY) : null;
    if (exists) {
      const head = await below(req, next, { ...OWN, method: "HEAD", path: pathOf(req, container) });
      await discard(head);
      policy = head.ok ? head.headers.get(H.X_STORAGE_POLICY) : null;
      if (policy !== null && policyByName(req.ctx.config.policies, policy)?.deprecated) {
        throw SwiftError.html(
          "BadRequest",
          "Cannot enable object versioning on a container that uses a deprecated storage policy.",
        );
      }
    }
    const put = await below(req, next, {
      ...OWN,
      method: "PUT",
      path: versionsPath,
      headers: policy ? { [H.X_STORAGE_POLICY]: policy } : {},
    });
    await discard(put);
    if (!put.ok && put.status !== 409) throw SwiftError.html("InternalServerError", "Error enabling object versioning");
    headers.set(LOCATION, quote(versionsContainerOf(container)));
  }
  // A request that fails takes the hidden container it made with it (a non-empty one stays: 409).
  const undo = async (): Promise<void> => {
    if (enabled) await discard(await below(req, next, { ...OWN, method: "DELETE", path: versionsPath }));
  };
  try {
    const response = await next({ ...req, request: new Request(req.request, { headers }) });
    if (!response.ok) await undo();
    return response;
  } catch (error) {
    await undo();
    throw error;
  }
}

/**
 * Swift: ContainerContext.handle_delete. 409 while versions remain; else the hidden container goes
 * first. Unlike Swift, a container that still holds objects keeps its hidden container (the
 * DELETE answers 409 and changes nothing).
 */
async function deleteContainer(req: SwiftRequest, next: Next, container: string): Promise<Response> {
  const { location, objectCount } = await versioningOf(req, container, true);
  if (!location) return next(req);
  const path = pathOf(req, location);
  const head = await below(req, next, { ...OWN, method: "HEAD", path });
  await discard(head);
  if (head.ok && Number(head.headers.get(H.X_CONTAINER_OBJECT_COUNT) ?? "0") > 0)
    throw SwiftError.html("Conflict", "Delete all versions before deleting container.");
  if (!head.ok && head.status !== 404)
    throw SwiftError.html("InternalServerError", "Error deleting versioned container");
  if (objectCount > 0) return next(req);
  const deleted = await below(req, next, { ...OWN, method: "DELETE", path });
  await discard(deleted);
  if (!deleted.ok && deleted.status !== 404)
    throw SwiftError.html("InternalServerError", "Error deleting versioned container");
  return next(req);
}

/** A client's container request: its sysmeta dropped (Swift's gatekeeper), then as its method asks. */
async function containerRequest(req: SwiftRequest, next: Next, container: string): Promise<Response> {
  const method = req.request.method;
  const clean =
    req.request.headers.has(ENABLED) || req.request.headers.has(LOCATION)
      ? { ...req, request: new Request(req.request, { headers: headersWithout(req, [ENABLED, LOCATION]) }) }
      : req;
  if ((method === "PUT" || method === "POST") && clean.request.headers.has(H.X_VERSIONS_ENABLED))
    return enableVersioning(clean, next, container);
  if (method === "DELETE") return deleteContainer(clean, next, container);
  if (method === "GET" || method === "HEAD") return readContainer(clean, next, container);
  return next(clean);
}

// ---------------------------------------------------------------------------------------------
// Objects (Swift: ObjectContext)

/** The version a stored object is: its ETag, size (an SLO's: the large object's) and content type. */
interface StoredVersion {
  etag: string;
  bytes: number;
  contentType: string;
  sloEtag: string | null;
}

/** A HEAD of an object as stored (Swift: ?symlink=get, X-Newest), pre-authorized. */
function headAsStored(req: SwiftRequest, next: Next, path: string): Promise<Response> {
  return below(req, next, { ...OWN, method: "HEAD", path, headers: { [H.X_NEWEST]: "true" } });
}

/** What the link to a version records of it, from its HEAD as stored. */
function versionOf(head: Response): StoredVersion {
  const { contentType: withoutLink } = splitSymlinkParams(head.headers.get(H.CONTENT_TYPE) ?? "");
  const { contentType, swiftBytes, sloEtag } = splitSwiftBytes(withoutLink);
  return {
    etag: head.headers.get(H.ETAG) ?? "",
    bytes: swiftBytes ?? Number(head.headers.get(H.CONTENT_LENGTH) ?? "0"),
    contentType,
    sloEtag,
  };
}

/**
 * Swift: _put_symlink_to_version. The current version: a static link in the container to the
 * version `name`, stamped just after `stamp` (the version's own time for a new version), with the
 * client's metadata; answers with the version's ETag and X-Object-Version-Id.
 */
async function putLink(
  req: SwiftRequest,
  next: Next,
  location: string,
  name: string,
  version: Timestamp,
  stored: StoredVersion,
  stamp: Timestamp,
): Promise<Response> {
  const headers = headersWithout(req, NOT_FOR_LINK);
  // The link lists as the version does: its type without parameters (Swift: parse_content_type).
  const { contentType, params } = splitStoredParams(stored.contentType);
  headers.set(H.CONTENT_TYPE, contentType.split(";")[0]?.trim() ?? "");
  headers.set(H.CONTENT_LENGTH, "0");
  const link: SymlinkInfo = {
    target: quote(`${location}/${name}`),
    account: null,
    etag: stored.etag,
    bytes: stored.bytes,
    sloEtag: stored.sloEtag,
    versions: true,
  };
  const path = pathOf(req, required(req.path.container), required(req.path.object));
  const response = await below(req, next, { ...OWN, method: "PUT", path, headers }, (sub) =>
    stampedAt(withContentTypeParams(sub, paramsOf(link) + params), new Timestamp(stamp.units, 1)),
  );
  return reheader(response, (out) => {
    out.set(H.ETAG, stored.etag);
    out.set(H.X_OBJECT_VERSION_ID, version.internal);
  });
}

/**
 * Swift: _copy_current. An object that is not a link to a version (written while versioning was
 * off, or before) is copied into the hidden container under its own time first.
 */
async function copyCurrent(req: SwiftRequest, next: Next, location: string): Promise<void> {
  const object = required(req.path.object);
  const got = await getSource(req, next, pathOf(req, required(req.path.container), object), OWN);
  if (got.status === 404 || (got.ok && splitSymlinkParams(got.headers.get(H.CONTENT_TYPE) ?? "").link?.versions)) {
    await discard(got);
    return;
  }
  await check(got);
  const timestamp =
    Timestamp.fromText(got.headers.get(H.X_TIMESTAMP) ?? "") ??
    Timestamp.fromSeconds(Date.parse(got.headers.get(H.LAST_MODIFIED) ?? "") / 1000);
  const put = await putFrom(req, next, pathOf(req, location, versionName(object, timestamp)), got, OWN);
  await refuseMissing(put);
  await discard(put);
}

/**
 * Swift: handle_put. The client's data goes to the hidden container as a new version (checked
 * there first, so a refused PUT changes nothing), the current object is kept as a version if it
 * is none, and the link moves to the new version.
 */
async function putVersioned(req: SwiftRequest, next: Next, location: string): Promise<Response> {
  const version = req.ctx.now();
  const name = versionName(required(req.path.object), version);
  const path = pathOf(req, location, name);
  const put = await answer(
    next(preauthorized(stampedAt(atPath(req, path, headersWithout(req, EXPIRY), ""), version))),
    "PUT",
  );
  await refuseMissing(put);
  await discard(put);
  await copyCurrent(req, next, location);
  const head = await headAsStored(req, next, path);
  await check(head);
  await discard(head);
  return putLink(req, next, location, name, version, versionOf(head), version);
}

/**
 * Swift: handle_delete. The current object kept as a version if it is none, a delete marker written, the object
 * deleted.
 */
async function deleteVersioned(req: SwiftRequest, next: Next, location: string): Promise<Response> {
  // A malformed or unmet X-If-Delete-At changes nothing (Swift would have written the marker).
  await checkIfDeleteAt(req);
  await copyCurrent(req, next, location);
  const version = req.ctx.now();
  const marker = await below(
    req,
    next,
    {
      ...OWN,
      method: "PUT",
      path: pathOf(req, location, versionName(required(req.path.object), version)),
      headers: { [H.CONTENT_TYPE]: DELETE_MARKER_TYPE, [H.CONTENT_LENGTH]: "0" },
    },
    (sub) => stampedAt(withContentTypeParams(sub, DELETE_MARKER_PARAM), version),
  );
  await refuseMissing(marker);
  await discard(marker);
  const id = { [H.X_OBJECT_VERSION_ID]: version.internal };
  try {
    return reheader(await next(req), (headers) => headers.set(H.X_OBJECT_VERSION_ID, version.internal));
  } catch (error) {
    if (error instanceof SwiftError && error.kind === "NotFound") rethrowWith(error, id);
    throw error;
  }
}

/**
 * Swift: handle_post. A POST to a link to a version applies to the link (the symlink stage answers
 * 307 to the version) and then to the version itself, but for its expiry: through the whole
 * pipeline, pre-authorized, so that slo keeps a manifest a manifest (what Swift's object server
 * does with its sysmeta).
 */
async function postVersioned(req: SwiftRequest, next: Next, location: string): Promise<Response> {
  try {
    return await next(req);
  } catch (error) {
    // Only this stage's links are static links into the hidden container: a client's static link
    // there is refused when it is made (its target's HEAD is 412).
    const target =
      error instanceof SwiftError &&
      error.kind === "TemporaryRedirect" &&
      error.headers[H.X_SYMLINK_TARGET_ETAG] !== undefined
        ? unquote(error.headers[H.LOCATION] ?? "")
        : "";
    const [, , account, container, ...object] = target.split("/");
    if (account !== req.path.account || container !== location || !object.length) throw error;
    return req.subrequest({
      method: "POST",
      path: target,
      headers: headersWithout(req, EXPIRY),
      source: SOURCE,
      allowReservedNames: true,
    });
  }
}

/**
 * Swift: handle_request for GET and HEAD. The current version: X-Object-Version-Id (`null` for an
 * object that is no version), and the version's `?version-id=` path where Swift shows the hidden one.
 */
async function readCurrent(req: SwiftRequest, next: Next, location: string): Promise<Response> {
  let response: Response;
  try {
    response = await next(req);
  } catch (error) {
    rethrowWith(error, { [H.X_OBJECT_VERSION_ID]: "null" });
  }
  const { version, account } = req.path;
  const container = required(req.path.container);
  const object = required(req.path.object);
  return reheader(response, (headers) => {
    headers.set(H.X_OBJECT_VERSION_ID, "null");
    // Content-Location: /<version>/<account>/<container>/<object> of the target read.
    const [, , readAccount, ...read] = unquote(headers.get(H.CONTENT_LOCATION) ?? "").split("/");
    const shown = readAccount === account ? versionIn(location, read.join("/")) : null;
    if (shown) {
      headers.set(H.X_OBJECT_VERSION_ID, shown.internal);
      headers.set(
        H.CONTENT_LOCATION,
        `${quote(`/${version}/${account}/${container}/${object}`)}?version-id=${shown.internal}`,
      );
    }
    const linked = versionIn(location, unquote(headers.get(H.X_SYMLINK_TARGET) ?? ""));
    if (linked) {
      headers.set(H.X_OBJECT_VERSION_ID, linked.internal);
      headers.set(H.X_SYMLINK_TARGET, `${quote(`${container}/${object}`)}?version-id=${linked.internal}`);
    }
  });
}

/**
 * Swift: _check_head. The target (unquoted) of the object when it is a link to a version; null for any other object, or
 * none.
 */
async function currentLink(req: SwiftRequest, next: Next): Promise<string | null> {
  const head = await headAsStored(req, next, pathOf(req, required(req.path.container), required(req.path.object)));
  if (head.status === 404) {
    await discard(head);
    return null;
  }
  await check(head);
  await discard(head);
  const { link } = splitSymlinkParams(head.headers.get(H.CONTENT_TYPE) ?? "");
  return link?.versions ? unquote(link.target) : null;
}

/**
 * Swift: handle_delete_version. The version is deleted; when the link points at it, the link
 * first (no older version becomes current). Authorized for the hidden container before anything
 * is deleted (Swift deletes the link, then refuses the version's DELETE); every answer names the
 * version and the current one.
 */
async function deleteVersion(
  req: SwiftRequest,
  next: Next,
  location: string,
  version: Timestamp,
  text: string,
): Promise<Response> {
  const name = versionName(required(req.path.object), version);
  const target = await currentLink(req, next);
  const latest = target === `${location}/${name}`;
  const headers = {
    [H.X_OBJECT_VERSION_ID]: text,
    [H.X_OBJECT_CURRENT_VERSION_ID]: (target && versionIn(location, target)?.internal) ?? "null",
  };
  try {
    return await authorize(atPath(req, pathOf(req, location, name)), async (authorized) => {
      if (latest) {
        // The link goes first, without the query (Swift: QUERY_STRING emptied), then the version.
        const link = await answer(next(atUrl(req, new URL(req.url.origin + req.url.pathname))), "DELETE");
        await check(link);
        await discard(link);
        headers[H.X_OBJECT_CURRENT_VERSION_ID] = "null";
      }
      return reheader(await next(preauthorized(authorized)), (out) => {
        for (const [key, value] of Object.entries(headers)) out.set(key, value);
      });
    });
  } catch (error) {
    rethrowWith(error, headers);
  }
}

/** Swift: handle_put_version. `PUT ?version-id=` with no body makes that version current. */
async function putVersion(
  req: SwiftRequest,
  next: Next,
  location: string,
  version: Timestamp | null,
): Promise<Response> {
  if (await sendsBody(req.request))
    throw new SwiftError("BadRequest", "PUT version-id requests require a zero byte body");
  // Swift fails with 500 on `null` here (it cannot invert it); no version is one.
  if (!version) throw SwiftError.html("BadRequest", "Invalid version parameter");
  const name = versionName(required(req.path.object), version);
  const head = await headAsStored(req, next, pathOf(req, location, name));
  if (head.status === 404 && (await versioningOf(req, location)).exists) {
    await discard(head);
    throw new SwiftError("NotFound", "The specified version does not exist");
  }
  await refuseMissing(head);
  await discard(head);
  return putLink(req, next, location, name, version, versionOf(head), req.ctx.now());
}

/**
 * Swift: handle_versioned_request. `?version-id=` acts on that version (in the hidden container,
 * authorized there); `null` is the object in the container itself when it is no version. A POST
 * is refused, but for a sysmeta update (edgeswift's own: Environ.sysmetaUpdate), which changes
 * the version as any request reads it.
 */
async function versionRequest(req: SwiftRequest, next: Next, location: string, text: string): Promise<Response> {
  const method = req.request.method;
  if (method === "POST" && !req.environ.sysmetaUpdate)
    throw SwiftError.html("BadRequest", "POST to a specific version is not allowed");
  if (!location && text !== "null")
    throw SwiftError.html("BadRequest", "version-aware operations require that the container is versioned");
  const version = text === "null" ? null : versionIdOf(text);
  if (text !== "null" && !version) throw SwiftError.html("BadRequest", "Invalid version parameter");
  if (method === "PUT") return putVersion(req, next, location, version);
  if (!version) {
    const response = await next(req);
    if (method === "DELETE" || !response.ok) return response;
    if (unquote(response.headers.get(H.CONTENT_LOCATION) ?? "").includes(reservedName("versions", ""))) {
      await discard(response);
      throw new SwiftError("NotFound");
    }
    return reheader(response, (headers) => headers.set(H.X_OBJECT_VERSION_ID, "null"));
  }
  if (method === "DELETE") return deleteVersion(req, next, location, version, text);
  return authorize(
    atPath(req, pathOf(req, location, versionName(required(req.path.object), version))),
    async (authorized) => {
      const response = await next(preauthorized(authorized));
      if (response.headers.get(H.CONTENT_TYPE) === DELETE_MARKER_CONTENT_TYPE) {
        await discard(response);
        throw new SwiftError("NotFound", undefined, {
          [H.X_OBJECT_VERSION_ID]: text,
          [H.CONTENT_TYPE]: DELETE_MARKER_CONTENT_TYPE,
        });
      }
      return response.ok ? reheader(response, (headers) => headers.set(H.X_OBJECT_VERSION_ID, text)) : response;
    },
  );
}

/** Swift: object_request. */
async function objectRequest(req: SwiftRequest, next: Next, container: string): Promise<Response> {
  const method = req.request.method;
  // The symlink stage's own reads run below this stage in Swift; a copy is a GET and a PUT
  // through the whole pipeline, each versioned here (Swift's copy sits above).
  if (
    req.environ.source === SYMLINK_SOURCE ||
    method === "COPY" ||
    (method === "PUT" && req.request.headers.has(H.X_COPY_FROM))
  )
    return next(req);
  const { location, enabled } = await versioningOf(req, container);
  const version = queryText(req.url, "version-id");
  if (version) return versionRequest(req, next, location, version);
  if (!location) return next(req);
  if (method === "PUT") return enabled ? putVersioned(req, next, location) : next(req);
  if (method === "DELETE") return enabled ? deleteVersioned(req, next, location) : next(req);
  if (method === "POST") return postVersioned(req, next, location);
  return readCurrent(req, next, location);
}

/** The object_versioning stage. */
export const objectVersioning: Middleware = async (req, next) => {
  const { container, object } = req.path;
  if (container === null) return req.request.method === "GET" ? listAccount(req, next) : next(req);
  if (object === null) return containerRequest(req, next, container);
  return objectRequest(req, next, container);
};
