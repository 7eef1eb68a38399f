/**
 * @module
 * The dlo stage: Dynamic Large Objects as Swift 2.30 serves them. An object with
 * `X-Object-Manifest: <container>/<prefix>` is, on GET and HEAD, the concatenation of the objects
 * of `<container>` whose names start with `<prefix>`, in listing order (listed through the
 * pipeline as the caller, in pages of 10000): Content-Length their total and ETag the quoted md5
 * of their etags when the listing fits one page, a single Range honoured (several are ignored).
 * `?multipart-manifest=get` returns the manifest object itself; a PUT's X-Object-Manifest is
 * checked (400 when malformed). Swift: common/middleware/dlo.py.
 */

import { CONTAINER_LISTING_LIMIT } from "../../../common/constraints";
import { SwiftError } from "../../../common/errors";
import { H } from "../../../common/headers";
import { levelOf } from "../../../common/path";
import { parseRange, rangesForLength, type ByteRange } from "../../../common/ranges";
import { unquote } from "../../../common/python";
import { isManifestRead, withManifestRead } from "./environ";
import { largeObjectConditional } from "./conditional";
import { md5Hex } from "../../../common/digest";
import { normalizeEtag } from "../../../common/conditional";
import { subrequest } from "../subrequest";
import { SegmentError, rangedBody, type Piece, type Slicer } from "./segments";
import type { Middleware, Next } from "../pipeline";
import type { SwiftRequest } from "../request";

/** One entry of a segment container's JSON listing. */
interface ListedSegment {
  name: string;
  bytes: number;
  hash: string;
}

/** The dlo stage of the pipeline. Swift: dlo.py DynamicLargeObject.__call__. */
export const dlo: Middleware = async (req, next) => {
  if (levelOf(req.path) !== "object") return next(req);
  const method = req.request.method;
  if ((method === "GET" || method === "HEAD") && req.url.searchParams.get("multipart-manifest") !== "get")
    return getOrHead(req, next);
  if (method === "PUT") checkManifestHeader(req.request.headers.get(H.X_OBJECT_MANIFEST));
  return next(req);
};

/**
 * 400 unless X-Object-Manifest is `container/prefix`, without `?` or `&`, prefix not starting with `/`. Swift:
 * _validate_x_object_manifest_header.
 */
function checkManifestHeader(value: string | null): void {
  if (value === null) return;
  const slash = value.indexOf("/");
  const container = slash < 0 ? "" : value.slice(0, slash);
  const prefix = slash < 0 ? "" : value.slice(slash + 1);
  if (!container || !prefix || value.includes("?") || value.includes("&") || prefix.startsWith("/")) {
    throw SwiftError.html("BadRequest", "X-Object-Manifest must be in the format container/prefix");
  }
}

/** One page of the segment container's listing after `marker`, or the error response of the listing. */
async function listPage(
  req: SwiftRequest,
  container: string,
  prefix: string,
  marker: string,
): Promise<ListedSegment[] | Response> {
  const query = new URLSearchParams({ format: "json", prefix });
  if (marker) query.set("marker", marker);
  const response = await subrequest(req, {
    method: "GET",
    path: `/v1/${req.path.account}/${container}`,
    query: query.toString(),
    source: "DLO",
  });
  if (!response.ok) return response;
  const parsed: unknown = await response.json();
  if (!Array.isArray(parsed)) throw new SwiftError("InternalServerError", "segment listing is not a list");
  return parsed.flatMap((entry: unknown): ListedSegment[] => {
    if (typeof entry !== "object" || entry === null || !("name" in entry) || typeof entry.name !== "string") return [];
    const bytes = "bytes" in entry && typeof entry.bytes === "number" ? entry.bytes : 0;
    const hash = "hash" in entry && typeof entry.hash === "string" ? entry.hash : "";
    return [{ name: entry.name, bytes, hash }];
  });
}

/** X-Object-Manifest as stored: percent-decoded, split at its first `/`. */
function manifestTarget(value: string): { container: string; prefix: string } {
  // Swift: dlo.py unquotes the value whole (wsgi_unquote: malformed escapes kept), then splits it.
  const decoded = unquote(value);
  const slash = decoded.indexOf("/");
  // Swift: a value without "/" (possible through POST) fails the split: 500.
  if (slash < 0) throw new SwiftError("InternalServerError");
  return { container: decoded.slice(0, slash), prefix: decoded.slice(slash + 1) };
}

/**
 * GET and HEAD of a DLO manifest: the listing's first page decides Content-Length, ETag and a
 * single Range (Swift ignores a range it cannot judge from one page); the body walks the pages.
 * Swift: dlo.py GetContext.get_or_head_response.
 */
async function getOrHead(req: SwiftRequest, next: Next): Promise<Response> {
  const response = await next(withManifestRead(req, H.X_OBJECT_MANIFEST));
  const manifest = response.headers.get(H.X_OBJECT_MANIFEST);
  if (manifest === null || !isManifestRead(response)) return response;
  await response.body?.cancel();
  const { container, prefix } = manifestTarget(manifest);
  const isHead = req.request.method === "HEAD";
  const firstPage = await listPage(req, container, prefix, "");
  if (firstPage instanceof Response) {
    if (!isHead) return firstPage;
    await firstPage.body?.cancel();
    return new Response(null, { status: firstPage.status, headers: firstPage.headers });
  }
  const complete = firstPage.length < CONTAINER_LISTING_LIMIT;
  const firstPageBytes = firstPage.reduce((sum, segment) => sum + segment.bytes, 0);

  const headers = new Headers(response.headers);
  headers.delete(H.CONTENT_LENGTH);
  headers.delete(H.CONTENT_RANGE);
  if (complete) {
    headers.set(H.CONTENT_LENGTH, String(firstPageBytes));
    headers.set(H.ETAG, `"${await md5Hex(firstPage.map((segment) => normalizeEtag(segment.hash) ?? "").join(""))}"`);
  }
  const conditional = largeObjectConditional(req.request, headers, normalizeEtag(headers.get(H.ETAG)) ?? "");
  if (conditional) return conditional;
  if (isHead) return new Response(null, { status: 200, headers });

  let size: number | null = complete ? firstPageBytes : null;
  let ranges: ByteRange[] = [];
  const specs = parseRange(req.request.headers.get(H.RANGE));
  const [spec] = specs ?? [];
  if (specs?.length === 1 && spec) {
    // A suffix or open range needs the whole listing; a closed one inside the first page does not.
    const rangeEnd = spec.start !== null && spec.end !== null ? spec.end + 1 : Number.POSITIVE_INFINITY;
    if (complete || rangeEnd < firstPageBytes) {
      ranges = rangesForLength(specs, firstPageBytes);
      if (!ranges.length) {
        throw new SwiftError("RangeNotSatisfiable", undefined, {
          [H.ACCEPT_RANGES]: "bytes",
          ...(complete ? { [H.CONTENT_RANGE]: `bytes */${firstPageBytes}` } : {}),
        });
      }
      size = firstPageBytes;
    }
  }
  const account = req.path.account;
  const slicer = dloSlicer(req, account, container, prefix, firstPage);
  const body = await rangedBody(req, slicer, size, ranges, headers.get(H.CONTENT_TYPE) ?? "application/octet-stream", {
    source: "DLO",
    name: req.url.pathname,
    rateLimited: () => true,
  });
  for (const [name, value] of Object.entries(body.headers)) headers.set(name, value);
  return new Response(body.body, { status: body.status, headers });
}

/**
 * Reads of the listed segments covering [start, end), the listing walked page by page. Swift:
 * _segment_listing_iterator.
 */
function dloSlicer(
  req: SwiftRequest,
  account: string,
  container: string,
  prefix: string,
  firstPage: readonly ListedSegment[],
): Slicer {
  return async function* (start: number, end: number): AsyncGenerator<Piece> {
    let first = start;
    let last = end - 1;
    let page = firstPage;
    for (;;) {
      for (const segment of page) {
        const length = segment.bytes;
        if (first >= length) {
          first = Math.max(first - length, -1);
          last = Math.max(last - length, -1);
          continue;
        }
        if (last < 0) return;
        yield {
          path: `/v1/${account}/${container}/${segment.name}`,
          first: Math.max(first, 0),
          last: last >= length - 1 ? null : last,
          size: length,
          etag: null,
        };
        first = Math.max(first - length, -1);
        last = Math.max(last - length, -1);
      }
      const marker = page.at(-1)?.name;
      if (page.length < CONTAINER_LISTING_LIMIT || last < 0 || marker === undefined) return;
      const next = await listPage(req, container, prefix, marker);
      if (next instanceof Response) {
        await next.body?.cancel();
        throw new SegmentError(`Got status ${next.status} listing container /${account}/${container}`);
      }
      page = next;
    }
  };
}
