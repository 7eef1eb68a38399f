/**
 * @module
 * What the slo and dlo stages leave in the request environment for the object controller: read
 * a manifest whole (Swift: X-Backend-Ignore-Range-If-Metadata-Present, X-Backend-Etag-Is-At),
 * and store an SLO manifest with the large object's size and ETag.
 * Swift: common/middleware/slo.py, dlo.py, common/request_helpers.py.
 */

import { H, isTrue } from "../../../common/headers";
import type { SwiftRequest } from "../request";

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
