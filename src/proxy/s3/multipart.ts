/**
 * @module
 * Multipart uploads, as Swift's s3api keeps them: the parts are objects of the bucket's
 * `<bucket>+segments` container (made on the first upload, in the bucket's storage policy), an
 * upload is the marker object `<key>/<uploadId>` there (carrying the metadata, content type and
 * headers CreateMultipartUpload was given), its parts `<key>/<uploadId>/<partNumber>`; completing
 * one stores an SLO manifest of the named parts at `<bucket>/<key>` with S3's multipart ETag as
 * system metadata (and, for listings, as `; s3_etag=` in the etag its container lists), then
 * deletes the marker. Past the 1000 segments one SLO manifest holds (s3api stops there; AWS
 * allows 10,000 parts), the manifest nests sub-manifests (layoutOf). Every Swift request goes
 * through the pipeline as the caller. Every listing of the segments container is paged (PAGE
 * entries) and bounded (MAX_PAGES).
 * AWS: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads; Swift: s3api controllers/multi_upload.py.
 */

import { base64url } from "../../common/base64url";
import { normalizeEtag } from "../../common/conditional";
import { mapConcurrent } from "../../common/concurrency";
import { SLO_MAX_MANIFEST_SEGMENTS } from "../../common/constraints";
import { md5Hex } from "../../common/digest";
import { H } from "../../common/headers";
import { CONTAINER_UPDATE_OVERRIDE_ETAG } from "../../durable/rows";
import { bucketOf, headBucket } from "./bucket";
import { S3Error, statusError } from "./errors";
import { quoteEtag, s3EtagOf, s3Sysmeta, s3Time, swiftObjectHeaders, SYSMETA_ETAG } from "./headers";
import { copyConditions, copySourceOf, missing, writeBody, writeTarget } from "./object";
import { encodingOf } from "./listing";
import { COMPLETE_HEARTBEAT, withHeartbeat } from "./heartbeat";
import { decodeSegment, keyOf, type S3Request } from "./request";
import {
  deleteSegments,
  deleteUploadSegments,
  discard,
  markBucket,
  MAX_PAGES,
  MAX_PART_NUMBER,
  PAGE,
  segmentsOf,
  segmentsPage,
  succeeded,
  UPLOAD_ID,
  uploadNames,
} from "./upload-segments";
import { registerUploads } from "./registry";
import { pageSize } from "./service";
import { isTaggingHeader, taggingOfHeader } from "./tagging";
import { childObjects, childText, el, parseXml, readDocument, type XmlElement, xmlResponse } from "./xml";

/** ListParts' largest page (max-parts) and default; ListMultipartUploads' (max-uploads). */
const MAX_PARTS_LISTING = 1000;
const MAX_UPLOADS = 1000;
/** The largest CompleteMultipartUpload document read (s3api's MAX_COMPLETE_UPLOAD_BODY_SIZE). */
const MAX_COMPLETE_BODY = 2 * 1024 * 1024;
/** Parts a completion HEADs at once, those the segments container's listing does not show yet. */
const PART_HEAD_CONCURRENCY = 4;
/** Sub-manifests a completion stores at once (each PUT HEADs its parts, SLO_CONCURRENCY at a time). */
const SUB_MANIFEST_CONCURRENCY = 2;

/** System metadata of an upload's marker: the content type CreateMultipartUpload was given, if any. */
const HAS_CONTENT_TYPE = s3Sysmeta("has-content-type");
const SYSMETA_CONTENT_TYPE = s3Sysmeta("content-type");
/** Headers of CreateMultipartUpload the completed object keeps, besides content type and metadata. */
const KEPT_HEADERS = [H.CONTENT_ENCODING, H.CONTENT_LANGUAGE, H.CONTENT_DISPOSITION, H.EXPIRES, H.CACHE_CONTROL];

/** A new upload id: 16 random bytes, base64url (as s3api's unique_id), never all digits (a part's name). */
function newUploadId(): string {
  const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
  return /^\d+$/.test(id) ? `u${id.slice(1)}` : id;
}

/** The upload id a request names; one edgeswift could not have made (a `/` in it, say) is NoSuchUpload. */
function uploadIdOf(req: S3Request): string {
  const id = req.url.searchParams.get("uploadId") ?? "";
  if (!/^[A-Za-z0-9_-]+$/.test(id) || /^\d+$/.test(id)) throw noSuchUpload(id);
  return id;
}

function noSuchUpload(id: string): S3Error {
  return new S3Error("NoSuchUpload", undefined, { UploadId: id });
}

/** The upload's marker (its headers), or null when there is none. */
async function uploadMarker(req: S3Request, key: string, id: string): Promise<Headers | null> {
  const response = await req.swift({ method: "HEAD", container: segmentsOf(bucketOf(req)), object: `${key}/${id}` });
  if (response.status === 404) {
    await discard(response);
    return null;
  }
  return (await succeeded(response, "upload")).headers;
}

async function requireUpload(req: S3Request, key: string, id: string): Promise<Headers> {
  const marker = await uploadMarker(req, key, id);
  if (marker === null) throw noSuchUpload(id);
  return marker;
}

/** One part as the segments container lists it. */
interface PartEntry {
  name: string;
  number: number;
  hash: string;
  bytes: number;
  lastModified: string;
}

/** The part number a part's name ends with, or null for another name. */
function partNumberOfName(name: string, prefix: string): number | null {
  const rest = name.slice(prefix.length);
  if (!/^[1-9]\d{0,4}$/.test(rest)) return null;
  const number = Number(rest);
  return number <= MAX_PART_NUMBER ? number : null;
}

/**
 * The name of an upload's sub-manifest `index` (1-based; layoutOf): `<key>/<uploadId>/0<index>`.
 * All digits, as a part's name, so the walks that pass over parts pass over it too
 * (ListMultipartUploads, the housekeeping job's), and the aborts that delete an upload's parts
 * delete it too (abort, housekeeping.ts abortUpload); the leading 0 keeps it from every part
 * (ListParts) and from the upload's marker.
 */
function subManifestName(key: string, id: string, index: number): string {
  return `${key}/${id}/0${index}`;
}

/** An upload's objects in the segments container: its parts and the sub-manifests a Complete stored. */
interface UploadSegments {
  /** In part-number order. */
  parts: PartEntry[];
  subManifests: string[];
}

/** Every part of an upload, in part-number order, and its sub-manifests. */
async function uploadSegments(req: S3Request, key: string, id: string): Promise<UploadSegments> {
  const prefix = `${key}/${id}/`;
  const found: UploadSegments = { parts: [], subManifests: [] };
  for await (const entries of uploadNames(req, key, id)) {
    for (const { name = "", hash = "", bytes = 0, last_modified: lastModified = "" } of entries) {
      const number = partNumberOfName(name, prefix);
      if (number !== null) found.parts.push({ name, number, hash, bytes, lastModified });
      else if (/^0[1-9]\d*$/.test(name.slice(prefix.length))) found.subManifests.push(name);
    }
  }
  found.parts.sort((a, b) => a.number - b.number);
  return found;
}

/**
 * CreateMultipartUpload: the segments container made when missing (with the bucket's storage
 * policy and ACLs), then the upload's marker, which keeps the request's metadata, content type
 * and headers for the completed object. AWS: CreateMultipartUpload; Swift: UploadsController.POST.
 */
export async function create(req: S3Request): Promise<Response> {
  const { container: bucket, object: key, headers } = writeTarget(req);
  // Tagging: x-amz-tagging checked now, kept on the marker for the completed object (tagging.ts).
  const tagging = taggingOfHeader(headers);
  const bucketHeaders = await headBucket(req);
  const segments = segmentsOf(bucket);
  const existing = await req.swift({ method: "HEAD", container: segments });
  if (existing.status === 404) {
    await discard(existing);
    const containerHeaders: Record<string, string> = {};
    for (const name of [H.X_STORAGE_POLICY, H.X_CONTAINER_READ, H.X_CONTAINER_WRITE]) {
      const value = bucketHeaders.get(name);
      if (value) containerHeaders[name] = value;
    }
    await succeeded(await req.swift({ method: "PUT", container: segments, headers: containerHeaders }), "bucket");
  } else await succeeded(existing, "bucket");
  // The S3 housekeeping job reclaims the bucket's abandoned uploads (registry.ts, housekeeping.ts),
  // and an S3 write that replaces a completed upload's object deletes its parts (upload-segments.ts).
  await registerUploads(req.ctx.config, req.account, bucket);
  await markBucket(req, bucketHeaders);

  const id = newUploadId();
  const marker = swiftObjectHeaders(headers);
  const contentType = headers.get(H.CONTENT_TYPE);
  marker.set(HAS_CONTENT_TYPE, contentType ? "yes" : "no");
  if (contentType) marker.set(SYSMETA_CONTENT_TYPE, contentType);
  marker.set(H.CONTENT_TYPE, "application/directory");
  marker.set(H.CONTENT_LENGTH, "0");
  for (const [name, value] of Object.entries(tagging)) marker.set(name, value);
  const put = await req.swift({
    method: "PUT",
    container: segments,
    object: `${key}/${id}`,
    headers: marker,
    body: "",
  });
  await succeeded(put, "object");
  return xmlResponse(el("InitiateMultipartUploadResult", el("Bucket", bucket), el("Key", key), el("UploadId", id)));
}

/** AWS's answer to a part number outside 1..10000 (`argument`: the parameter or element that gave it). */
function invalidPartNumber(argument: string, value: string): S3Error {
  return new S3Error("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
    ArgumentName: argument,
    ArgumentValue: value,
  });
}

/** The part number of UploadPart: an integer 1..10000, InvalidArgument otherwise. */
function partNumberOf(req: S3Request): number {
  const value = req.url.searchParams.get("partNumber");
  const number = value !== null && /^\d{1,5}$/.test(value) ? Number(value) : 0;
  if (number < 1 || number > MAX_PART_NUMBER) throw invalidPartNumber("partNumber", value ?? "");
  return number;
}

/**
 * UploadPart (the body streamed into `<key>/<uploadId>/<n>`, Content-MD5 checked by the store),
 * or UploadPartCopy when x-amz-copy-source names an object. 200 with the part's ETag.
 * AWS: UploadPart, UploadPartCopy; Swift: PartController.PUT.
 */
export async function uploadPart(req: S3Request): Promise<Response> {
  const key = keyOf(req);
  if (!req.url.searchParams.has("uploadId"))
    throw new S3Error("InvalidArgument", "Unexpected query string parameter", {
      ArgumentName: "ResourceType",
      ArgumentValue: "partNumber",
    });
  const number = partNumberOf(req);
  const id = uploadIdOf(req);
  await headBucket(req);
  await requireUpload(req, key, id);
  const container = segmentsOf(bucketOf(req));
  const object = `${key}/${id}/${number}`;
  const headers = req.request.headers;
  if (headers.has("x-amz-copy-source")) {
    await req.body?.cancel().catch(() => undefined);
    return copyPart(req, container, object);
  }
  const { response, answer } = await writeBody(req, container, object, new Headers());
  // What failed with the body itself (a digest, a chunk signature, a checksum) first.
  const failure = req.bodyFailure();
  if (failure !== null) {
    await discard(response);
    throw failure;
  }
  await succeeded(response, "upload");
  return answer();
}

const COPY_RANGE_MESSAGE =
  "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the " +
  "zero-based offsets of the first and last bytes to copy";

/** x-amz-copy-source-range: `bytes=first-last`, first ≤ last; InvalidArgument for anything else. */
function copyRangeOf(value: string): { first: number; last: number } {
  const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first > last)
    throw new S3Error("InvalidArgument", COPY_RANGE_MESSAGE, {
      ArgumentName: "x-amz-copy-source-range",
      ArgumentValue: value,
    });
  return { first, last };
}

/** A copy's failed status as S3 names it: a source's condition, its absence, a range past its end. */
async function copyFailure(req: S3Request, status: number, sourceBucket: string): Promise<S3Error | null> {
  if (status === 304 || status === 412) return new S3Error("PreconditionFailed");
  if (status === 404) return missing(req, [sourceBucket]);
  if (status === 416) return new S3Error("InvalidRange");
  return null;
}

/**
 * UploadPartCopy: the source (or `x-amz-copy-source-range` of it, which must lie within it) copied
 * by Swift's server-side copy into the part, the copy-source conditions applied to the source.
 * A completed upload copied whole is plain bytes (the copy drops its multipart system metadata).
 */
async function copyPart(req: S3Request, container: string, object: string): Promise<Response> {
  const headers = req.request.headers;
  const source = copySourceOf(headers.get("x-amz-copy-source") ?? "");
  if (source.versionId !== null && source.versionId !== "null")
    throw new S3Error("NotImplemented", "Copying a version is not implemented yet.");
  const conditions = copyConditions(headers);
  const swift = new Headers(conditions);
  const rangeHeader = headers.get("x-amz-copy-source-range");
  if (rangeHeader !== null) {
    const range = copyRangeOf(rangeHeader);
    const head = await req.swift({ method: "HEAD", container: source.bucket, object: source.key, headers: conditions });
    const failure = await copyFailure(req, head.status, source.bucket);
    if (failure) {
      await discard(head);
      throw failure;
    }
    await succeeded(head, "object");
    const size = Number(head.headers.get(H.CONTENT_LENGTH) ?? 0);
    if (range.last >= size)
      throw new S3Error("InvalidRange", undefined, { RangeRequested: rangeHeader, ActualObjectSize: String(size) });
    swift.set(H.RANGE, `bytes=${range.first}-${range.last}`);
  }
  swift.set(H.X_COPY_FROM, `/${encodeURIComponent(source.bucket)}/${encodeURIComponent(source.key)}`);
  swift.set(H.X_FRESH_METADATA, "true");
  swift.set(H.CONTENT_LENGTH, "0");
  const response = await req.swift({ method: "PUT", container, object, headers: swift });
  const failure = await copyFailure(req, response.status, source.bucket);
  if (failure) {
    await discard(response);
    throw failure;
  }
  await succeeded(response, "upload");
  const lastModified = new Date(response.headers.get(H.LAST_MODIFIED) ?? Date.now()).toISOString();
  const etag = quoteEtag(response.headers.get(H.ETAG) ?? "");
  return xmlResponse(el("CopyPartResult", el("LastModified", lastModified), el("ETag", etag)));
}

/** One part a CompleteMultipartUpload names. */
interface NamedPart {
  number: number;
  etag: string;
}

/**
 * The parts of a CompleteMultipartUpload document, checked for order and form. Ascending part
 * numbers of at most MAX_PART_NUMBER: more parts than that is InvalidArgument at the first part
 * number past it (or InvalidPartOrder where they stop ascending).
 */
function namedParts(text: string, id: string): NamedPart[] {
  const root = parseXml(text, "CompleteMultipartUpload", ["Part"]);
  const items = childObjects(root, "Part");
  if (items.length === 0) throw new S3Error("MalformedXML");
  let previous = 0;
  return items.map((item) => {
    const numberText = childText(item, "PartNumber")?.trim() ?? "";
    if (!/^\d{1,9}$/.test(numberText)) throw new S3Error("MalformedXML");
    const number = Number(numberText);
    if (number <= previous) throw new S3Error("InvalidPartOrder", undefined, { UploadId: id });
    if (number > MAX_PART_NUMBER) throw invalidPartNumber("PartNumber", numberText);
    previous = number;
    const given = childText(item, "ETag")?.trim() ?? "";
    const etag = (
      given.length >= 2 && given.startsWith('"') && given.endsWith('"') ? given.slice(1, -1) : given
    ).toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(etag))
      throw new S3Error("InvalidPart", undefined, { UploadId: id, PartNumber: String(number), ETag: given });
    return { number, etag };
  });
}

/** S3's multipart ETag: the md5 of the parts' binary md5s, then `-<number of parts>`. */
async function multipartEtag(parts: readonly NamedPart[]): Promise<string> {
  const digests = new Uint8Array(parts.length * 16);
  parts.forEach((part, index) => {
    for (let i = 0; i < 16; i++) digests[index * 16 + i] = Number.parseInt(part.etag.slice(i * 2, i * 2 + 2), 16);
  });
  return `${await md5Hex(digests)}-${parts.length}`;
}

/** The headers a completed object gets from its upload's marker: metadata, content type, kept headers. */
function completedHeaders(marker: Headers): Headers {
  const headers = new Headers();
  for (const [name, value] of marker) {
    if (name.startsWith("x-object-meta-") || (KEPT_HEADERS as string[]).includes(name) || isTaggingHeader(name))
      headers.set(name, value);
  }
  const hasContentType = marker.get(HAS_CONTENT_TYPE);
  // "no": none was given, and Swift guesses one from the key, as for a PUT without one.
  const contentType =
    hasContentType === "yes"
      ? marker.get(SYSMETA_CONTENT_TYPE)
      : hasContentType === null
        ? marker.get(H.CONTENT_TYPE)
        : null;
  if (contentType) headers.set(H.CONTENT_TYPE, contentType);
  return headers;
}

function completeResult(req: S3Request, key: string, etag: string): Response {
  return xmlResponse(
    el(
      "CompleteMultipartUploadResult",
      el("Location", `${req.url.origin}${req.url.pathname}`),
      el("Bucket", bucketOf(req)),
      el("Key", key),
      el("ETag", quoteEtag(etag)),
    ),
  );
}

/**
 * The object at the key (its headers, system metadata included), or null when there is none or
 * it cannot be read; the latter only without If-Match (a caller may write what it cannot read).
 */
async function currentObject(req: S3Request, key: string): Promise<Headers | null> {
  const head = await discard(await req.swift({ method: "HEAD", container: bucketOf(req), object: key }));
  if (head.ok) return head.headers;
  if (head.status !== 404 && req.request.headers.has(H.IF_MATCH)) throw statusError(head.status, "object");
  return null;
}

/**
 * Conditional completes: If-None-Match takes only `*` (Swift's own check on the manifest PUT);
 * If-Match must name the current object's ETag (no object: NoSuchKey). AWS: conditional writes.
 */
function checkIfMatch(req: S3Request, key: string, current: Headers | null): void {
  const ifMatch = req.request.headers.get(H.IF_MATCH);
  if (ifMatch === null) return;
  if (current === null) throw new S3Error("NoSuchKey", undefined, { Key: key });
  const etag = s3EtagOf(current);
  const wanted = ifMatch.split(",").map((tag) => quoteEtag(tag.trim()));
  if (!wanted.includes('"*"') && (etag === null || !wanted.includes(etag)))
    throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Match" });
}

/**
 * A manifest PUT's answer when it failed, as S3 names it: a failed If-None-Match, or what the
 * slo stage found wrong with the parts (s3api reads the same words in SLO's report).
 */
async function manifestFailure(response: Response, id: string): Promise<S3Error> {
  if (response.status !== 400) {
    await discard(response);
    return response.status === 412
      ? new S3Error("PreconditionFailed", undefined, { Condition: "If-None-Match" })
      : statusError(response.status, "object");
  }
  const detail = await response.text();
  if (/too small/i.test(detail)) return new S3Error("EntityTooSmall");
  if (/Etag Mismatch|404 Not Found|Size Mismatch/.test(detail))
    return new S3Error("InvalidPart", undefined, { UploadId: id });
  return new S3Error("InvalidRequest", detail || undefined);
}

/** The named parts as the upload holds them (listed, or HEADed when the listing is behind); InvalidPart otherwise. */
async function foundParts(
  req: S3Request,
  key: string,
  id: string,
  parts: readonly NamedPart[],
  uploaded: readonly PartEntry[],
): Promise<PartEntry[]> {
  const byNumber = new Map(uploaded.map((part) => [part.number, part]));
  return mapConcurrent(parts, PART_HEAD_CONCURRENCY, async (part) => {
    const listed = byNumber.get(part.number);
    if (listed !== undefined && listed.hash === part.etag) return listed;
    // The container's listing may not show a part just uploaded (or uploaded again) yet: the part says.
    const name = `${key}/${id}/${part.number}`;
    const head = await discard(await req.swift({ method: "HEAD", container: segmentsOf(bucketOf(req)), object: name }));
    if (!head.ok || normalizeEtag(head.headers.get(H.ETAG)) !== part.etag)
      throw new S3Error("InvalidPart", undefined, { UploadId: id, PartNumber: String(part.number), ETag: part.etag });
    const bytes = Number(head.headers.get(H.CONTENT_LENGTH) ?? 0);
    return { name, number: part.number, hash: part.etag, bytes, lastModified: "" };
  });
}

/** Every part but the last must have S3_MIN_PART_SIZE bytes at least: EntityTooSmall. */
function checkPartSizes(req: S3Request, found: readonly PartEntry[]): void {
  const min = req.ctx.config.s3.minPartSizeBytes;
  const small = found.slice(0, -1).find((part) => part.bytes < min);
  if (small !== undefined)
    throw new S3Error("EntityTooSmall", undefined, {
      ProposedSize: String(small.bytes),
      MinSizeAllowed: String(min),
      PartNumber: String(small.number),
      ETag: small.hash,
    });
}

/** One segment of a manifest PUT, as slo's input names it. */
interface ManifestSegment {
  path: string;
  etag: string;
  size_bytes: number;
}

/**
 * How a completion's segments are laid out in SLO manifests, none of more than
 * SLO_MAX_MANIFEST_SEGMENTS segments. Up to that many parts: one manifest of them all, as s3api
 * stores it. Past it: the first parts in the object's manifest itself, then sub-manifests of
 * SLO_MAX_MANIFEST_SEGMENTS parts each (the last of fewer, at least 2), as many as fill the
 * object's manifest. The parts come first in the object's manifest because Swift's
 * `?multipart-manifest=delete` (which DeleteObject and lifecycle expiration send) reads every
 * sub-manifest before it deletes their parts and refuses past 10,000 names waiting (slo.py
 * MAX_BUFFERED_SLO_SEGMENTS): deleted first, they keep an upload of 10,000 parts under it (9,020
 * at most). object.ts partOf finds a part by the same layout.
 */
export function layoutOf<T>(segments: readonly T[]): { direct: T[]; groups: T[][] } {
  const max = SLO_MAX_MANIFEST_SEGMENTS;
  if (segments.length <= max) return { direct: [...segments], groups: [] };
  const groupCount = Math.ceil((segments.length - max) / (max - 1));
  const direct = segments.slice(0, max - groupCount);
  const groups: T[][] = [];
  for (let start = direct.length; start < segments.length; start += max)
    groups.push(segments.slice(start, start + max));
  return { direct, groups };
}

/**
 * Stores an SLO manifest of `segments` at `container/object` with `headers` (the slo stage checks
 * every segment); the PUT's response headers, or S3's error for its failure.
 */
async function putManifest(
  req: S3Request,
  container: string,
  object: string,
  segments: readonly ManifestSegment[],
  headers: Headers,
  id: string,
): Promise<Headers> {
  const json = new TextEncoder().encode(JSON.stringify(segments));
  headers.set(H.ACCEPT, "application/json");
  headers.set(H.CONTENT_LENGTH, String(json.byteLength));
  const query = { "multipart-manifest": "put" };
  const put = await req.swift({ method: "PUT", container, object, query, headers, body: json });
  if (put.status >= 300) throw await manifestFailure(put, id);
  return (await discard(put)).headers;
}

/** Stores a sub-manifest of `segments` at `name`; the segment of the object's manifest that names it. */
async function putSubManifest(
  req: S3Request,
  name: string,
  segments: readonly ManifestSegment[],
  id: string,
): Promise<ManifestSegment> {
  const container = segmentsOf(bucketOf(req));
  const stored = await putManifest(req, container, name, segments, new Headers(), id);
  const size = segments.reduce((sum, part) => sum + part.size_bytes, 0);
  return { path: `/${container}/${name}`, etag: normalizeEtag(stored.get(H.ETAG)) ?? "", size_bytes: size };
}

/**
 * The object's manifest (layoutOf): the parts, or the first parts and the sub-manifests of the
 * rest, stored first; with the sub-manifests' names.
 */
async function objectManifest(
  req: S3Request,
  key: string,
  id: string,
  parts: readonly PartEntry[],
): Promise<{ manifest: ManifestSegment[]; subManifests: string[] }> {
  const segments = parts.map((part) => ({
    path: `/${segmentsOf(bucketOf(req))}/${part.name}`,
    etag: part.hash,
    size_bytes: part.bytes,
  }));
  const layout = layoutOf(segments);
  const groups = layout.groups.map((group, index) => ({ name: subManifestName(key, id, index + 1), group }));
  const nested = await mapConcurrent(groups, SUB_MANIFEST_CONCURRENCY, ({ name, group }) =>
    putSubManifest(req, name, group, id),
  );
  return { manifest: [...layout.direct, ...nested], subManifests: groups.map(({ name }) => name) };
}

/**
 * The completed upload (its id) whose object a completion replaces, or null: none, the same
 * upload, or a bucket that keeps (or kept) versions, where the older version still reads its parts.
 */
function replacedUpload(bucketHeaders: Headers, current: Headers | null, id: string): string | null {
  const replaced = current?.get(UPLOAD_ID) ?? null;
  return bucketHeaders.has(H.X_VERSIONS_ENABLED) || replaced === id ? null : replaced;
}

/** What a completion leaves to delete once its object is stored. */
interface Leftovers {
  /** The upload's parts and sub-manifests the object does not use. */
  names: string[];
  /** The completed upload the object replaced, whose parts and sub-manifests go too; null for none. */
  replaced: string | null;
}

/**
 * After the object is stored: the upload's marker deleted, then what it left over. The object is
 * complete whatever becomes of the leftovers; one not deleted is only logged.
 */
async function finishUpload(req: S3Request, key: string, id: string, leftovers: Leftovers): Promise<void> {
  const gone = await req.swift({ method: "DELETE", container: segmentsOf(bucketOf(req)), object: `${key}/${id}` });
  if (gone.status === 404) await discard(gone);
  else await succeeded(gone, "upload");
  try {
    await deleteSegments(req, leftovers.names);
    if (leftovers.replaced !== null) await deleteUploadSegments(req, key, leftovers.replaced);
  } catch (error) {
    console.error(`S3 complete ${bucketOf(req)}/${key}: leftovers not deleted:`, error);
  }
}

/**
 * CompleteMultipartUpload: the named parts (ascending, at most MAX_PART_NUMBER, each uploaded
 * with that ETag, each but the last at least S3_MIN_PART_SIZE) become an SLO manifest at the key
 * (nesting sub-manifests past SLO_MAX_MANIFEST_SEGMENTS parts: layoutOf), with the marker's
 * metadata and S3's multipart ETag; then the marker, the parts and sub-manifests left out, and
 * the parts of the completed upload the object replaced (in a bucket that never kept versions)
 * are deleted. A Complete that fails after storing sub-manifests leaves them to the next Complete
 * or the abort. A Complete retried after the marker is gone answers again when the object is
 * that upload with the same ETag (s3api keeps the upload id on the object); otherwise it is
 * NoSuchUpload. Past COMPLETE_HEARTBEAT's grace period the answer is a 200 kept alive with
 * whitespace, its outcome (or error) at the end, as AWS answers. AWS: CompleteMultipartUpload;
 * Swift: UploadController.POST.
 */
export async function complete(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const key = keyOf(req);
  const id = uploadIdOf(req);
  const bucketHeaders = await headBucket(req);
  const text = await readDocument(req, MAX_COMPLETE_BODY);
  const ifNoneMatch = req.request.headers.get(H.IF_NONE_MATCH);
  if (ifNoneMatch !== null && ifNoneMatch.trim() !== "*")
    throw new S3Error("NotImplemented", "If-None-Match on a write takes only *.");

  const marker = await uploadMarker(req, key, id);
  // No marker: completed already? The object says which upload it was, and its ETag.
  const completed =
    marker === null
      ? (await discard(await req.swift({ method: "HEAD", container: bucket, object: key }))).headers
      : null;
  if (completed !== null && completed.get(UPLOAD_ID) !== id) throw noSuchUpload(id);
  const parts = namedParts(text, id);
  const etag = await multipartEtag(parts);
  if (marker === null) {
    // s3api answers the retry of the very same Complete again; anything else finds no upload.
    if (completed?.get(SYSMETA_ETAG) === etag) return completeResult(req, key, etag);
    throw noSuchUpload(id);
  }
  const completion = { key, id, parts, etag, marker, bucketHeaders, ifNoneMatch };
  // Checking and storing thousands of parts takes a while: past a grace period the client gets
  // its 200 and whitespace until the outcome (heartbeat.ts).
  return withHeartbeat(storeCompletion(req, completion), COMPLETE_HEARTBEAT, {
    about: "upload",
    resource: decodeSegment(req.url.pathname),
    requestId: req.requestId,
  });
}

/** What `complete` found before the long part: the upload, its named parts and their ETag. */
interface Completion {
  key: string;
  id: string;
  parts: readonly NamedPart[];
  etag: string;
  marker: Headers;
  bucketHeaders: Headers;
  ifNoneMatch: string | null;
}

/** The parts checked, the object's manifest stored, the leftovers deleted; the Complete's result. */
async function storeCompletion(req: S3Request, completion: Completion): Promise<Response> {
  const { key, id, parts, etag, marker, bucketHeaders, ifNoneMatch } = completion;
  const uploaded = await uploadSegments(req, key, id);
  const found = await foundParts(req, key, id, parts, uploaded.parts);
  checkPartSizes(req, found);
  const current = await currentObject(req, key);
  checkIfMatch(req, key, current);

  const { manifest, subManifests } = await objectManifest(req, key, id, found);
  const headers = completedHeaders(marker);
  headers.set(SYSMETA_ETAG, etag);
  headers.set(UPLOAD_ID, id);
  // The container lists the manifest's etag with the multipart one (the slo stage fills in the base).
  headers.set(CONTAINER_UPDATE_OVERRIDE_ETAG, `; s3_etag=${etag}`);
  if (ifNoneMatch !== null) headers.set(H.IF_NONE_MATCH, "*");
  await putManifest(req, bucketOf(req), key, manifest, headers, id);

  const named = new Set(parts.map((part) => part.number));
  const used = new Set(subManifests);
  await finishUpload(req, key, id, {
    names: [
      ...uploaded.parts.filter((part) => !named.has(part.number)).map((part) => part.name),
      ...uploaded.subManifests.filter((name) => !used.has(name)),
    ],
    replaced: replacedUpload(bucketHeaders, current, id),
  });
  return completeResult(req, key, etag);
}

/**
 * AbortMultipartUpload: the marker deleted (none: NoSuchUpload), then every part and
 * sub-manifest, a page at a time. 204. AWS: AbortMultipartUpload; Swift: UploadController.DELETE.
 */
export async function abort(req: S3Request): Promise<Response> {
  const key = keyOf(req);
  const id = uploadIdOf(req);
  await headBucket(req);
  const deleted = await req.swift({ method: "DELETE", container: segmentsOf(bucketOf(req)), object: `${key}/${id}` });
  if (deleted.status === 404) {
    await discard(deleted);
    throw noSuchUpload(id);
  }
  await succeeded(deleted, "upload");
  await deleteUploadSegments(req, key, id);
  return new Response(null, { status: 204 });
}

function ownerElements(req: S3Request): XmlElement[] {
  const owner = req.owner;
  return [
    el("Initiator", el("ID", owner), el("DisplayName", owner)),
    el("Owner", el("ID", owner), el("DisplayName", owner)),
  ];
}

/**
 * ListParts: the upload's parts in part-number order after `part-number-marker`, at most
 * `max-parts` (1000 by default and at most). The segments container lists them by name (10
 * before 2), so every part is read, then ordered. AWS: ListParts; Swift: UploadController.GET.
 */
export async function listParts(req: S3Request): Promise<Response> {
  const key = keyOf(req);
  const id = uploadIdOf(req);
  const params = req.url.searchParams;
  const encoding = encodingOf(req);
  const maxParts = pageSize(params.get("max-parts"), "max-parts", MAX_PARTS_LISTING);
  const markerParam = params.get("part-number-marker");
  const numberMarker = markerParam === null ? 0 : pageSize(markerParam, "part-number-marker", MAX_PART_NUMBER);
  await headBucket(req);
  await requireUpload(req, key, id);
  const after = (await uploadSegments(req, key, id)).parts.filter((part) => part.number > numberMarker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  return xmlResponse(
    el(
      "ListPartsResult",
      el("Bucket", bucketOf(req)),
      el("Key", encoding ? encoding(key) : key),
      el("UploadId", id),
      ownerElements(req),
      el("StorageClass", "STANDARD"),
      el("PartNumberMarker", numberMarker),
      el("NextPartNumberMarker", page.at(-1)?.number ?? 0),
      el("MaxParts", maxParts),
      encoding ? el("EncodingType", "url") : null,
      el("IsTruncated", truncated),
      page.map((part) =>
        el(
          "Part",
          el("PartNumber", part.number),
          el("LastModified", s3Time(part.lastModified)),
          el("ETag", quoteEtag(part.hash)),
          el("Size", part.bytes),
        ),
      ),
    ),
  );
}

/** One upload or common prefix of ListMultipartUploads, in key order. */
type UploadItem =
  | { kind: "upload"; key: string; id: string; lastModified: string }
  | { kind: "prefix"; prefix: string };

/** A marker past every name that starts with `prefix` (names past it that still do are skipped). */
function pastPrefix(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/**
 * ListMultipartUploads: the markers of the segments container (its parts left out) as uploads
 * by key then upload id, after `key-marker` (and `upload-id-marker` within that key), under
 * `prefix`, keys grouped by `delimiter` into CommonPrefixes; uploads and prefixes together at
 * most `max-uploads`. The listing skips an upload's parts (past `<key>/<id>/9999`, its greatest
 * part name) and a prefix's keys, and reads at most MAX_PAGES pages; when they run out first the
 * result is truncated where it got to. AWS: ListMultipartUploads; Swift: UploadsController.GET.
 */
export async function listUploads(req: S3Request): Promise<Response> {
  const params = req.url.searchParams;
  const encoding = encodingOf(req);
  const encode = encoding ?? ((text: string) => text);
  const maxUploads = pageSize(params.get("max-uploads"), "max-uploads", MAX_UPLOADS);
  const keyMarker = params.get("key-marker") ?? "";
  const idMarker = params.get("upload-id-marker") ?? "";
  const prefix = params.get("prefix") ?? "";
  const delimiter = params.get("delimiter") ?? "";
  await headBucket(req);

  const items: UploadItem[] = [];
  /** The common prefix a key falls in, or null. */
  const groupOf = (key: string): string | null => {
    if (!delimiter) return null;
    const end = key.indexOf(delimiter, prefix.length);
    return end < 0 ? null : key.slice(0, end + delimiter.length);
  };
  // A key marker that is a common prefix continues past the whole prefix.
  const markerGroup = idMarker === "" ? groupOf(keyMarker) : null;
  let marker =
    keyMarker === ""
      ? ""
      : idMarker !== ""
        ? `${keyMarker}/${idMarker}`
        : markerGroup === keyMarker
          ? pastPrefix(keyMarker)
          : `${keyMarker}/~`;
  let lastGroup: string | null = markerGroup === keyMarker ? keyMarker : null;
  let more = false;
  let pages = 0;
  scan: for (; pages < MAX_PAGES; pages++) {
    const entries = await segmentsPage(req, { prefix, marker });
    let jump: string | null = null;
    for (const entry of entries) {
      const name = entry.name;
      if (name === undefined) continue;
      jump = null;
      const slash = name.lastIndexOf("/");
      if (slash <= 0) continue;
      const key = name.slice(0, slash);
      const id = name.slice(slash + 1);
      // A part, `<key>/<id>/<n>`: past the upload's parts at once.
      if (/^\d+$/.test(id)) {
        jump = `${key}/9999`;
        continue;
      }
      if (!key.startsWith(prefix)) continue;
      const group = groupOf(key);
      if (group !== null) {
        if (group === lastGroup) {
          jump = pastPrefix(group);
          continue;
        }
        if (items.length === maxUploads) {
          more = true;
          break scan;
        }
        items.push({ kind: "prefix", prefix: group });
        lastGroup = group;
        jump = pastPrefix(group);
        continue;
      }
      if (items.length === maxUploads) {
        more = true;
        break scan;
      }
      items.push({ kind: "upload", key, id, lastModified: entry.last_modified ?? "" });
    }
    const last = entries.at(-1);
    if (entries.length < PAGE || last === undefined) break;
    marker = jump ?? last.name ?? last.subdir ?? "";
  }
  // The pages ran out before the listing did: truncated where the scan got to.
  if (pages === MAX_PAGES) more = true;
  const lastItem = items.at(-1);
  let nextKey = lastItem === undefined ? "" : lastItem.kind === "upload" ? lastItem.key : lastItem.prefix;
  let nextId = lastItem?.kind === "upload" ? lastItem.id : "";
  if (lastItem === undefined && more && marker !== "") {
    // Nothing found in the pages read: the markers name the listing's position (`key/id` again).
    const slash = marker.lastIndexOf("/");
    nextKey = slash < 0 ? marker : marker.slice(0, slash);
    nextId = slash < 0 ? "" : marker.slice(slash + 1);
  }
  return xmlResponse(
    el(
      "ListMultipartUploadsResult",
      el("Bucket", bucketOf(req)),
      el("KeyMarker", encode(keyMarker)),
      el("UploadIdMarker", idMarker),
      el("NextKeyMarker", encode(nextKey)),
      el("NextUploadIdMarker", nextId),
      delimiter ? el("Delimiter", encode(delimiter)) : null,
      params.has("prefix") ? el("Prefix", encode(prefix)) : null,
      el("MaxUploads", maxUploads),
      encoding ? el("EncodingType", "url") : null,
      el("IsTruncated", more),
      items.flatMap((item) =>
        item.kind === "upload"
          ? [
              el(
                "Upload",
                el("Key", encode(item.key)),
                el("UploadId", item.id),
                ownerElements(req),
                el("StorageClass", "STANDARD"),
                el("Initiated", s3Time(item.lastModified)),
              ),
            ]
          : [],
      ),
      items.flatMap((item) =>
        item.kind === "prefix" ? [el("CommonPrefixes", el("Prefix", encode(item.prefix)))] : [],
      ),
    ),
  );
}
