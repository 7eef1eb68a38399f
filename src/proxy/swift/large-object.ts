/**
 * @module
 * What the slo and dlo stages share: the environ flags they leave for the object controller
 * (read a manifest whole; store an SLO manifest), `swift_bytes` in content types, subrequests
 * whose errors come back as responses, conditional responses against a large object's ETag,
 * and MD5 of bodies and manifests.
 * Swift: common/middleware/slo.py, dlo.py, common/request_helpers.py, common/swob.py.
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import { conditionalStatus } from "../../common/conditional";
import { ERRORS, SwiftError, errorBody, kindForStatus } from "../../common/errors";
import { H, isTrue } from "../../common/headers";
import type { SubrequestInit, SwiftRequest } from "./request";
import { subrequestResponse } from "./subrequest";

/**
 * A copy of the request whose object GET or HEAD, when the object carries `header` (a manifest),
 * is answered with the whole manifest (body included, even for HEAD), Range and conditionals left
 * to the stage. Swift: X-Backend-Ignore-Range-If-Metadata-Present, X-Backend-Etag-Is-At.
 */
export function withManifestRead(req: SwiftRequest, header: string): SwiftRequest {
  return { ...req, environ: { ...req.environ, manifestRead: [...manifestReadHeaders(req.environ), header] } };
}

function manifestReadHeaders(environ: SwiftRequest["environ"]): readonly string[] {
  return environ.manifestRead ?? [];
}

/**
 * Responses the object controller made by reading a manifest whole for a stage. A stage resolves
 * only such a response (the very object: stages between pass it on as is), never a large object
 * an inner pipeline already assembled — a followed symlink's target, for one.
 */
const manifestReads = new WeakSet<Response>();

/** For the object controller: marks its answer to a whole-manifest read. */
export function manifestRead(response: Response): Response {
  manifestReads.add(response);
  return response;
}

/** Whether `response` is the controller's whole read of a manifest (not an assembled large object). */
export function isManifestRead(response: Response): boolean {
  return manifestReads.has(response);
}

/** For the object controller: whether this GET/HEAD reads a large object's manifest whole. */
export function readsManifestWhole(environ: SwiftRequest["environ"], metadata: Record<string, string>): boolean {
  return manifestReadHeaders(environ).some((name) =>
    name === H.X_STATIC_LARGE_OBJECT ? isTrue(metadata[name]) : metadata[name] !== undefined,
  );
}

/** What an SLO manifest's content type carries for listings: the large object's size and ETag. */
export interface SloParams {
  bytes: number;
  /** Empty when unknown. */
  etag: string;
}

/** A copy of the request that stores (or updates) an SLO manifest of the large object `manifest`. */
export function withSloManifest(req: SwiftRequest, request: Request, manifest: SloParams): SwiftRequest {
  return { ...req, request, url: new URL(request.url), environ: { ...req.environ, sloManifest: manifest } };
}

/**
 * For the object controller: the large object when the slo stage stores its manifest (which may
 * carry X-Static-Large-Object and `swift_bytes`), else null.
 */
export function sloManifest(environ: SwiftRequest["environ"]): SloParams | null {
  return environ.sloManifest ?? null;
}

/**
 * A content type with the manifest's `swift_bytes` appended, as Swift's slo stores it, and the
 * large object's ETag as `swift_slo_etag` (where Swift puts `slo_etag` on the container update's
 * etag; here the content type is what reaches the listing, and clients cannot set `swift_*`).
 */
export function withSloParams(contentType: string, manifest: SloParams | null): string {
  if (manifest === null) return contentType;
  return `${contentType};swift_bytes=${manifest.bytes}${manifest.etag ? `;swift_slo_etag=${manifest.etag}` : ""}`;
}

/**
 * A stored content type without its `swift_bytes` and `swift_slo_etag` parameters, and their
 * values. Swift: common/utils.py override_bytes_from_content_type, extract_swift_bytes.
 */
export function splitSwiftBytes(contentType: string): {
  contentType: string;
  swiftBytes: number | null;
  sloEtag: string | null;
} {
  let swiftBytes: number | null = null;
  let sloEtag: string | null = null;
  const kept = contentType.split(";").filter((param, index) => {
    if (index === 0) return true;
    const bytes = /^\s*swift_bytes=(\d+)\s*$/.exec(param);
    const etag = /^\s*swift_slo_etag=([0-9a-f]+)\s*$/.exec(param);
    if (bytes) swiftBytes = Number(bytes[1]);
    else if (etag?.[1]) sloEtag = etag[1];
    else return true;
    return false;
  });
  return { contentType: kept.join(";"), swiftBytes, sloEtag };
}

/** An ETag without its quotes (Swift: swob.normalize_etag). */
export function normalizeEtag(etag: string | null): string | null {
  if (etag === null) return null;
  return etag.startsWith('"') && etag.endsWith('"') && etag.length >= 2 ? etag.slice(1, -1) : etag;
}

/**
 * Runs a subrequest through the pipeline keeping the caller's authorization; an error comes back
 * as its response, and so does the 409 Conflict of a subrequest nested past SUBREQUEST_DEPTH_MAX
 * (router.ts): Swift answers a manifest it cannot walk with 409. The client's Referer goes on
 * with it, so a referrer ACL that lets the client read a manifest lets it read the segments and
 * list a DLO's container too (Swift: wsgi.py make_env keeps HTTP_REFERER in every subrequest).
 */
export function subrequest(req: SwiftRequest, init: SubrequestInit): Promise<Response> {
  const referer = req.request.headers.get(H.REFERER);
  if (referer === null) return subrequestResponse(req, { keepAuthorization: true, ...init });
  const headers = new Headers(init.headers);
  if (!headers.has(H.REFERER)) headers.set(H.REFERER, referer);
  return subrequestResponse(req, { keepAuthorization: true, ...init, headers });
}

/** A response body as UTF-8 text, whatever its content type says (a manifest is stored with the large object's). */
export async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

/** A 400 (or other) error whose body is sent as swob sends an explicit body: text/html. */
export function swobError(kind: "BadRequest" | "MethodNotAllowed" | "RequestEntityTooLarge", body: string): SwiftError {
  return new SwiftError(kind, body, { [H.CONTENT_TYPE]: "text/html; charset=UTF-8" });
}

/** MD5 hex of bytes or of a string's UTF-8. */
export async function md5Hex(data: Uint8Array | string): Promise<string> {
  return bytesToHex(
    new Uint8Array(await crypto.subtle.digest("MD5", typeof data === "string" ? new TextEncoder().encode(data) : data)),
  );
}

/**
 * The answer to a conditional GET/HEAD of a large object, judged against its own ETag and the
 * manifest's Last-Modified, as swob's conditional_response does: 304 keeping the headers, 412
 * with an empty body, or null to serve it.
 */
export function largeObjectConditional(request: Request, headers: Headers, etag: string): Response | null {
  const lastModified = Date.parse(headers.get(H.LAST_MODIFIED) ?? "");
  const status = conditionalStatus(
    request.headers,
    etag,
    Number.isNaN(lastModified) ? 0 : Math.floor(lastModified / 1000),
  );
  if (status === null) return null;
  const kept = new Headers(headers);
  kept.set(H.CONTENT_LENGTH, "0");
  if (status === 304) return new Response(null, { status: 304, headers: kept });
  kept.delete(H.ACCEPT_RANGES);
  kept.set(H.CONTENT_TYPE, "text/html; charset=UTF-8");
  throw new SwiftError("PreconditionFailed", "", Object.fromEntries(kept));
}
