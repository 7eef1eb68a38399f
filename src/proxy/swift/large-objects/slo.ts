/**
 * @module
 * The slo stage: Static Large Objects as Swift 2.30 serves them. `PUT ?multipart-manifest=put`
 * checks the client's manifest and HEADs every segment, then stores the manifest (JSON) with
 * X-Static-Large-Object: True and `;swift_bytes=<total>` on its content type. GET and HEAD of a
 * manifest answer with the large object: its segments streamed in order (nested manifests
 * followed), Content-Length the total, ETag the quoted md5 of the segments' etags, ranges and
 * conditionals judged against the large object. `?multipart-manifest=get` returns the stored
 * manifest (`&format=raw`: as the client sent it); `DELETE ?multipart-manifest=delete` deletes
 * segments and manifest (large-object-delete.ts; `&async=yes`: the segments handed to the
 * replicas as tombstones, the manifest deleted at once); a client's X-Static-Large-Object is refused.
 * Swift: common/middleware/slo.py.
 */

import { readAtMost } from "../../../common/bodies";
import { CONTAINER_UPDATE_OVERRIDE_ETAG } from "../../../durable/rows";
import {
  SLO_CONCURRENCY,
  SLO_MAX_MANIFEST_SEGMENTS,
  SLO_MAX_MANIFEST_SIZE,
  SLO_MAX_RECURSION_DEPTH,
  SLO_RATE_LIMIT_UNDER_SIZE,
  SLO_YIELD_FREQUENCY_SECONDS,
} from "../../../common/constraints";
import { mapConcurrent } from "../../../common/concurrency";
import { pythonJson, quote } from "../../../common/python";
import { ERRORS, SwiftError, type ErrorKind } from "../../../common/errors";
import { errorBody } from "../errors";
import { H, isTrue } from "../../../common/headers";
import { levelOf } from "../../../common/path";
import { parseRange, rangesForLength, type ByteRange } from "../../../common/ranges";
import { bodyText, subrequest } from "../subrequest";
import { isManifestRead, withManifestRead, withSloManifest } from "./environ";
import { largeObjectConditional } from "./conditional";
import { md5Hex } from "../../../common/digest";
import { normalizeEtag } from "../../../common/conditional";
import { splitSwiftBytes } from "./swift-bytes";
import { ACCEPTABLE_FORMATS, bestMatch, renderOutcome, type OutFormat } from "../bulk/response";
import { statusLine } from "../subrequest";
import { SegmentError, rangedBody, type Piece, type Slicer } from "./segments";
import { deleteManifest, deleteManifestAsync } from "./delete";
import {
  annotate,
  parseManifestInput,
  parseStoredManifest,
  rawManifest,
  sloEtag,
  type InputSegment,
  type PathInput,
  type Segment,
  type StoredSegment,
} from "./manifest";
import type { Middleware, Next } from "../pipeline";
import { required, type SwiftRequest } from "../request";

const RESERVED_HEADER =
  "X-Static-Large-Object is a reserved header. To create a static large object add query param multipart-manifest=put.";

/** The slo stage of the pipeline. Swift: slo.py StaticLargeObject.__call__. */
export const slo: Middleware = async (req, next) => {
  if (levelOf(req.path) !== "object") return next(req);
  const method = req.request.method;
  const manifest = req.url.searchParams.get("multipart-manifest");
  if (method === "PUT" && manifest === "put") return putManifest(req, next);
  // Swift 2.30's allow_async_delete defaults to true (published in /info).
  if (method === "DELETE" && manifest === "delete")
    return isTrue(req.url.searchParams.get("async")) ? deleteManifestAsync(req, next) : deleteManifest(req);
  if (method === "GET" || method === "HEAD") return getOrHead(req, next);
  if (req.request.headers.has(H.X_STATIC_LARGE_OBJECT)) throw SwiftError.html("BadRequest", RESERVED_HEADER);
  // A POST keeps a manifest a manifest: each replica keeps its own data's X-Static-Large-Object
  // and swift_bytes (durable/object-replica.ts postObject), whatever another replica holds.
  return next(req);
};

/** The manifest body as text; 413 past max_manifest_size (also for a chunked body). */
async function readManifestBody(request: Request): Promise<string> {
  const bytes = await readAtMost(request.body, SLO_MAX_MANIFEST_SIZE, () =>
    SwiftError.html("RequestEntityTooLarge", `Manifest File > ${SLO_MAX_MANIFEST_SIZE} bytes`),
  );
  return new TextDecoder().decode(bytes);
}

/** `2026-11-25T22:41:51.000000`: a segment's Last-Modified as a manifest records it. */
function manifestTime(lastModified: string | null): string {
  const ms = Date.parse(lastModified ?? "");
  return `${new Date(Number.isNaN(ms) ? Date.now() : ms).toISOString().slice(0, 19)}.000000`;
}

/** One segment checked against its HEAD: its length and stored form, problems pushed. Swift: validate_seg_dict. */
function checkSegment(
  input: PathInput,
  head: Response,
  allowEmpty: boolean,
  problems: [string, string][],
): { length: number; stored: StoredSegment | null } {
  const name = quote(input.path);
  if (!head.ok) {
    problems.push([name, statusLine(head.status)]);
    return { length: 0, stored: null };
  }
  const contentLength = Number(head.headers.get(H.CONTENT_LENGTH) ?? 0);
  let length = contentLength;
  let range: string | undefined;
  if (input.range) {
    const [only] = rangesForLength([input.range], contentLength);
    if (!only) problems.push([name, "Unsatisfiable Range"]);
    else if (only.start !== 0 || only.end !== contentLength) {
      range = `${only.start}-${only.end - 1}`;
      length = only.end - only.start;
    }
  }
  if (length < 1 && !allowEmpty) problems.push([name, "Too small; each segment must be at least 1 byte."]);
  if (input.sizeBytes !== null && input.sizeBytes !== contentLength) problems.push([name, "Size Mismatch"]);
  const etag = normalizeEtag(head.headers.get(H.ETAG)) ?? "";
  if (input.etag !== null && input.etag !== etag) problems.push([name, "Etag Mismatch"]);
  const stored: StoredSegment = {
    name: `/${input.path.replace(/^\/+/, "")}`,
    bytes: contentLength,
    hash: etag,
    content_type: (head.headers.get(H.CONTENT_TYPE) ?? "").split(";")[0]?.trim() ?? "",
    last_modified: manifestTime(head.headers.get(H.LAST_MODIFIED)),
    ...(range === undefined ? {} : { range }),
    ...(isTrue(head.headers.get(H.X_STATIC_LARGE_OBJECT)) ? { sub_slo: true as const } : {}),
  };
  return { length, stored };
}

/** How a manifest PUT ended, for a plain answer or a heartbeat report. */
type PutOutcome =
  | { kind: "problems"; problems: [string, string][] }
  | { kind: "etag-mismatch" }
  | { kind: "stored"; response: Response; etag: string }
  | { kind: "failed"; error: SwiftError };

/**
 * PUT ?multipart-manifest=put: 411 without a length, 413 past 8 MiB or 1000 object segments,
 * 400 for a bad manifest or bad segments (Swift's report, after Accept), 422 when the client's
 * ETag is not the large object's; else the manifest is stored and 201 carries the quoted ETag.
 * With `heartbeat=on`, 202 at once, a space every yield_frequency while segments are checked,
 * and the outcome as a report. Swift: slo.py handle_multipart_put.
 */
async function putManifest(req: SwiftRequest, next: Next): Promise<Response> {
  const headers = req.request.headers;
  if (headers.get(H.X_COPY_FROM))
    throw SwiftError.html("MethodNotAllowed", "Multipart Manifest PUTs cannot be COPY requests");
  const lengthText = headers.get(H.CONTENT_LENGTH);
  if (lengthText === null && req.request.body === null) throw new SwiftError("LengthRequired");
  if (lengthText !== null && Number(lengthText) > SLO_MAX_MANIFEST_SIZE)
    throw SwiftError.html("RequestEntityTooLarge", `Manifest File > ${SLO_MAX_MANIFEST_SIZE} bytes`);
  const inputs = parseManifestInput(
    await readManifestBody(req.request),
    `/${required(req.path.container)}/${required(req.path.object)}`,
  );
  if (inputs.filter((input) => input.kind === "path").length > SLO_MAX_MANIFEST_SEGMENTS) {
    throw SwiftError.html(
      "RequestEntityTooLarge",
      `Number of object-backed segments must be <= ${SLO_MAX_MANIFEST_SEGMENTS}`,
    );
  }
  const format = bestMatch(headers.get(H.ACCEPT), ACCEPTABLE_FORMATS) ?? "text/plain";
  if (isTrue(req.url.searchParams.get("heartbeat"))) return heartbeatPut(req, next, inputs, format);

  const outcome = await checkAndStore(req, next, inputs, async () => undefined);
  if (outcome.kind === "problems")
    throw new SwiftError(
      "BadRequest",
      renderOutcome(format, { fields: Object.fromEntries([]), errors: outcome.problems }, "upload"),
      { [H.CONTENT_TYPE]: format },
    );
  if (outcome.kind === "etag-mismatch") throw new SwiftError("UnprocessableEntity");
  if (outcome.kind === "failed") throw outcome.error;
  const { response, etag } = outcome;
  if (!response.ok) return response;
  const responseHeaders = new Headers(response.headers);
  responseHeaders.set(H.ETAG, `"${etag}"`);
  return new Response(response.body, { status: response.status, headers: responseHeaders });
}

/** `heartbeat=on`: 202 now; a space at once and every yield_frequency; then the outcome as a report. */
function heartbeatPut(req: SwiftRequest, next: Next, inputs: InputSegment[], format: OutFormat): Response {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const run = async (): Promise<void> => {
    let lastYield = Date.now();
    await writer.write(encoder.encode(" "));
    const outcome = await checkAndStore(req, next, inputs, async () => {
      if (Date.now() - lastYield <= SLO_YIELD_FREQUENCY_SECONDS * 1000) return;
      lastYield = Date.now();
      await writer.write(encoder.encode(" "));
    });
    const reasons = (kind: ErrorKind): string => `${ERRORS[kind].reason}\n${ERRORS[kind].explanation}`;
    let fields: [string, string][];
    let problems: [string, string][] = [];
    if (outcome.kind === "problems") {
      fields = [
        ["Response Status", statusLine(400)],
        ["Response Body", reasons("BadRequest")],
      ];
      problems = outcome.problems;
    } else if (outcome.kind === "etag-mismatch") {
      fields = [
        ["Response Status", statusLine(422)],
        ["Response Body", reasons("UnprocessableEntity")],
      ];
    } else if (outcome.kind === "failed") {
      fields = [
        ["Response Status", statusLine(outcome.error.status)],
        ["Response Body", errorBody(outcome.error).body],
      ];
    } else {
      const { response, etag } = outcome;
      const body = await bodyText(response);
      fields = [["Response Status", statusLine(response.status)]];
      if (response.ok)
        fields.push(["Etag", `"${etag}"`], ["Last Modified", response.headers.get(H.LAST_MODIFIED) ?? ""]);
      fields.push(["Response Body", body]);
    }
    await writer.write(
      encoder.encode(
        `\r\n\r\n${renderOutcome(format, { fields: Object.fromEntries(fields), errors: problems }, "upload")}`,
      ),
    );
    await writer.close();
  };
  req.waitUntil(
    run().catch(async (error: unknown) => {
      console.error(`SLO PUT ${req.url.pathname}:`, error);
      await writer.abort(error).catch(() => undefined);
    }),
  );
  return new Response(readable, { status: 202, headers: { [H.CONTENT_TYPE]: format } });
}

/**
 * HEADs each distinct segment (as the caller, through the whole pipeline), checks every segment
 * against it, and stores the manifest when all hold and the client's ETag (if any) matches.
 * `progress` runs after each HEAD (the heartbeat's chance to write).
 */
async function checkAndStore(
  req: SwiftRequest,
  next: Next,
  inputs: InputSegment[],
  progress: () => Promise<void>,
): Promise<PutOutcome> {
  const paths = [...new Set(inputs.flatMap((input) => (input.kind === "path" ? [input.path] : [])))];
  const heads = await mapConcurrent(paths, SLO_CONCURRENCY, async (path) => {
    const head = await subrequest(req, {
      method: "HEAD",
      path: `/v1/${req.path.account}/${path.replace(/^\/+/, "")}`,
      source: "SLO",
    });
    await head.body?.cancel();
    await progress();
    return head;
  });
  const problems: [string, string][] = [];
  const stored: (StoredSegment | null)[] = inputs.map((input) => (input.kind === "data" ? { data: input.data } : null));
  let total = inputs.reduce((sum, input) => sum + (input.kind === "data" ? input.bytes.length : 0), 0);
  paths.forEach((path, pathIndex) => {
    const head = heads[pathIndex];
    inputs.forEach((input, index) => {
      if (input.kind !== "path" || input.path !== path || !head) return;
      const checked = checkSegment(input, head, index === inputs.length - 1, problems);
      stored[index] = checked.stored;
      total += checked.length;
    });
  });
  if (problems.length) return { kind: "problems", problems };
  const segments = stored.filter((segment): segment is StoredSegment => segment !== null);
  const etag = await sloEtag(segments);
  const clientEtag = normalizeEtag(req.request.headers.get(H.ETAG));
  if (clientEtag && clientEtag !== etag) return { kind: "etag-mismatch" };

  const json = new TextEncoder().encode(pythonJson(segments));
  const putHeaders = new Headers(req.request.headers);
  putHeaders.delete(H.TRANSFER_ENCODING);
  putHeaders.set(H.CONTENT_LENGTH, String(json.byteLength));
  putHeaders.set(H.ETAG, await md5Hex(json));
  putHeaders.set(H.X_STATIC_LARGE_OBJECT, "True");
  // A container-update etag left without its base (S3's `; s3_etag=…`) lists with the manifest's
  // etag as base; one with a base is kept as its sender gave it. Swift: slo.py handle_multipart_put.
  const override = putHeaders.get(CONTAINER_UPDATE_OVERRIDE_ETAG);
  if (override !== null && override.split(";")[0]?.trim() === "")
    putHeaders.set(CONTAINER_UPDATE_OVERRIDE_ETAG, `${putHeaders.get(H.ETAG)}${override.trim()}`);
  try {
    const request = new Request(req.url, { method: "PUT", headers: putHeaders, body: json });
    return { kind: "stored", response: await next(withSloManifest(req, request, { bytes: total, etag })), etag };
  } catch (error) {
    if (error instanceof SwiftError) return { kind: "failed", error };
    throw error;
  }
}

/** The manifest itself: its JSON as stored, or (`format=raw`) as the client sent it. */
async function getManifest(req: SwiftRequest, next: Next): Promise<Response> {
  const raw = req.url.searchParams.get("format") === "raw";
  const response = await next(raw ? withManifestRead(req, H.X_STATIC_LARGE_OBJECT) : req);
  if (!isTrue(response.headers.get(H.X_STATIC_LARGE_OBJECT)) || (raw && !isManifestRead(response))) return response;
  const headers = new Headers(response.headers);
  if (!raw) {
    headers.set(H.CONTENT_TYPE, "application/json; charset=utf-8");
    return new Response(response.body, { status: response.status, headers });
  }
  // The large object's own content type, so that a copy of the raw manifest PUT back is one.
  const json = new TextEncoder().encode(rawManifest(parseStoredManifest(await bodyText(response))));
  headers.set(H.CONTENT_TYPE, splitSwiftBytes(headers.get(H.CONTENT_TYPE) ?? "").contentType);
  headers.set(H.CONTENT_LENGTH, String(json.byteLength));
  headers.set(H.ETAG, await md5Hex(json));
  return new Response(req.request.method === "HEAD" ? null : json, { status: 200, headers });
}

/**
 * GET and HEAD: the manifest read whole; when it is one, the large object's headers, then
 * conditionals, then the body whole or in ranges. Swift: slo.py SloGetContext.
 */
async function getOrHead(req: SwiftRequest, next: Next): Promise<Response> {
  if (req.url.searchParams.get("multipart-manifest") === "get") return getManifest(req, next);
  const response = await next(withManifestRead(req, H.X_STATIC_LARGE_OBJECT));
  if (!isManifestRead(response) || !isTrue(response.headers.get(H.X_STATIC_LARGE_OBJECT))) return response;
  const segments = annotate(parseStoredManifest(await bodyText(response)));
  const size = segments.reduce((sum, segment) => sum + segment.length, 0);
  const etag = await sloEtag(segments);
  const headers = new Headers(response.headers);
  headers.delete(H.CONTENT_RANGE);
  headers.set(H.CONTENT_TYPE, splitSwiftBytes(headers.get(H.CONTENT_TYPE) ?? "").contentType);
  headers.set(H.X_MANIFEST_ETAG, response.headers.get(H.ETAG) ?? "");
  headers.set(H.ETAG, `"${etag}"`);
  headers.set(H.CONTENT_LENGTH, String(size));
  const conditional = largeObjectConditional(req.request, headers, etag);
  if (conditional) return conditional;
  if (req.request.method === "HEAD") return new Response(null, { status: 200, headers });

  const specs = parseRange(req.request.headers.get(H.RANGE));
  let ranges: ByteRange[] = [];
  if (specs && size > 0) {
    ranges = rangesForLength(specs, size);
    if (!ranges.length) {
      const denied = Object.fromEntries(headers);
      delete denied[H.CONTENT_LENGTH];
      throw new SwiftError("RangeNotSatisfiable", undefined, { ...denied, [H.CONTENT_RANGE]: `bytes */${size}` });
    }
  }
  const contentType = headers.get(H.CONTENT_TYPE) ?? "application/octet-stream";
  const body = await rangedBody(req, sloSlicer(req, segments), size, ranges, contentType, {
    source: "SLO",
    name: req.url.pathname,
    rateLimited: (read) => (read.size ?? 0) < SLO_RATE_LIMIT_UNDER_SIZE,
  });
  for (const [name, value] of Object.entries(body.headers)) headers.set(name, value);
  return new Response(body.body, { status: body.status, headers });
}

/**
 * The pieces of bytes [start, end) of an SLO: inline data, and reads of the leaf segments
 * (nested manifests fetched as needed, at most ten deep, a few kept for ranges that revisit
 * them). Swift: SloGetContext._byterange_listing_iterator.
 */
function sloSlicer(req: SwiftRequest, segments: readonly Segment[]): Slicer {
  const cache = new Map<string, Segment[]>();
  const subManifest = async (name: string): Promise<Segment[]> => {
    const cached = cache.get(name);
    if (cached) return cached;
    const response = await subrequest(req, {
      method: "GET",
      path: `/v1/${req.path.account}/${name.replace(/^\/+/, "")}`,
      query: "multipart-manifest=get",
      source: "SLO",
    });
    if (!response.ok || !isTrue(response.headers.get(H.X_STATIC_LARGE_OBJECT))) {
      await response.body?.cancel();
      throw new SegmentError(`GET of submanifest ${name} failed with status ${response.status}`);
    }
    let parsed: Segment[];
    try {
      parsed = annotate(parseStoredManifest(await bodyText(response)));
    } catch {
      throw new SegmentError(`JSON-decoding of submanifest ${name} failed`);
    }
    if (cache.size >= SLO_MAX_RECURSION_DEPTH * 2) cache.delete(cache.keys().next().value ?? "");
    cache.set(name, parsed);
    return parsed;
  };

  async function* pieces(
    list: readonly Segment[],
    firstByte: number,
    lastByte: number,
    depth: number,
  ): AsyncGenerator<Piece> {
    let first = firstByte;
    let last = lastByte;
    for (const segment of list) {
      const length = segment.length;
      if (first >= length) {
        first -= length;
        last -= length;
        continue;
      }
      if (last < 0) return;
      if ("raw" in segment) {
        yield segment.raw.subarray(Math.max(0, first), Math.min(length - 1, last) + 1);
      } else if (segment.sub_slo) {
        if (depth >= SLO_MAX_RECURSION_DEPTH)
          throw new SegmentError(`while processing manifest ${req.url.pathname}, max recursion depth was exceeded`);
        const sub = await subManifest(segment.name);
        yield* pieces(
          sub,
          segment.rangeStart + Math.max(0, first),
          Math.min(segment.rangeEnd, segment.rangeStart + last),
          depth + 1,
        );
      } else {
        yield {
          path: `/v1/${req.path.account}/${segment.name.replace(/^\/+/, "")}`,
          first: segment.rangeStart + Math.max(0, first),
          last: Math.min(segment.rangeEnd, segment.rangeStart + last),
          size: segment.bytes,
          etag: segment.hash,
        };
      }
      first -= length;
      last -= length;
    }
  }
  return (start, end) => pieces(segments, start, end - 1, 1);
}
