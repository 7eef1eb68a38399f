/**
 * @module
 * Objects: PutObject, GetObject and HeadObject (ranges, If-* conditions, `response-*`
 * overrides), DeleteObject and CopyObject (metadata directive, `x-amz-copy-source-if-*`, a copy
 * onto itself to change metadata), each one Swift request through the pipeline. Conditional
 * writes: `If-None-Match: *` is Swift's own; `If-Match` on a PUT is checked against the current
 * object first. AWS: PutObject, GetObject, HeadObject, DeleteObject, CopyObject; Swift: s3api
 * controllers/obj.py.
 */

import { H } from "../../common/headers";
import { conditionalStatus, normalizeEtag } from "../../common/conditional";
import { MAX_OBJECT_NAME_LENGTH, SLO_MAX_MANIFEST_SEGMENTS } from "../../common/constraints";
import { bucketOf } from "./bucket";
import { checksumOfWrite, storedChecksums } from "./checksums";
import { DELETE_MARKER_TYPE } from "./listing";
import { S3Error, statusError } from "./errors";
import { contentMd5Hex, quoteEtag, s3EtagOf, s3ObjectHeaders, swiftObjectHeaders } from "./headers";
import { emptyOk, keyOf, okOrThrow, type S3Request } from "./request";
import { releaseReplaced, replacedUpload } from "./upload-segments";
import { copiedTagging, taggingCount, taggingOfHeader } from "./tagging";
import { el, xmlResponse } from "./xml";

/** AWS's longest key, in UTF-8 bytes (Swift's object name limit is the same 1024). */
function checkKeyLength(key: string): void {
  if (new TextEncoder().encode(key).length > MAX_OBJECT_NAME_LENGTH)
    throw new S3Error("KeyTooLongError", undefined, { MaxSizeAllowed: String(MAX_OBJECT_NAME_LENGTH) });
}

/** Storage classes a write may name; edgeswift keeps every object alike (STANDARD). */
const STORAGE_CLASSES = new Set(["STANDARD"]);

/**
 * What a write (PutObject, CopyObject, CreateMultipartUpload) names, checked: the bucket, a key
 * of at most 1024 bytes (KeyTooLongError), a storage class edgeswift has (InvalidStorageClass).
 */
export function writeTarget(req: S3Request): { container: string; object: string; headers: Headers } {
  const container = bucketOf(req);
  const object = keyOf(req);
  checkKeyLength(object);
  const headers = req.request.headers;
  const storageClass = headers.get("x-amz-storage-class");
  if (storageClass !== null && !STORAGE_CLASSES.has(storageClass)) throw new S3Error("InvalidStorageClass");
  return { container, object, headers };
}

/**
 * The length of an S3 write's body as stored: x-amz-decoded-content-length for aws-chunked,
 * else Content-Length; MissingContentLength without either.
 */
export function bodyLengthOf(headers: Headers): string {
  const decoded = headers.get("x-amz-decoded-content-length");
  const length = decoded ?? headers.get(H.CONTENT_LENGTH);
  if (length === null) throw new S3Error("MissingContentLength");
  if (!/^\d+$/.test(length)) throw new S3Error("InvalidArgument", "Content-Length is not an integer");
  return length;
}

/**
 * A Swift write's response, when it succeeded; else what failed: the body itself (a digest or a
 * chunk signature that did not match) first, a missing bucket, or the status's code.
 */
export async function writeResult(req: S3Request, response: Response, container: string): Promise<Response> {
  const failure = req.bodyFailure();
  if (response.status < 300 && failure === null) return response;
  if (failure) {
    await response.body?.cancel();
    throw failure;
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw await missing(req, [container]);
  }
  return okOrThrow(response, "object");
}

/**
 * If-Match on a write: the current object's ETag must be among those given; no object is
 * NoSuchKey, another ETag PreconditionFailed. AWS: PutObject conditional writes.
 */
async function checkIfMatch(req: S3Request, container: string, object: string): Promise<void> {
  const ifMatch = req.request.headers.get(H.IF_MATCH);
  if (ifMatch === null) return;
  const head = await req.swift({ method: "HEAD", container, object });
  if (head.status === 404) throw new S3Error("NoSuchKey");
  await okOrThrow(head, "object");
  const current = s3EtagOf(head.headers);
  const wanted = ifMatch.split(",").map((tag) => quoteEtag(tag.trim()));
  if (!wanted.includes('"*"') && (current === null || !wanted.includes(current)))
    throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Match" });
}

/** PutObject: 200 with the body's ETag. */
export async function put(req: S3Request): Promise<Response> {
  const { container, object, headers } = writeTarget(req);
  const swift = swiftObjectHeaders(headers);
  // Tagging: x-amz-tagging kept as the object's sysmeta (tagging.ts).
  for (const [name, value] of Object.entries(taggingOfHeader(headers))) swift.set(name, value);
  const ifNoneMatch = headers.get(H.IF_NONE_MATCH);
  if (ifNoneMatch !== null) {
    if (ifNoneMatch.trim() !== "*") throw new S3Error("NotImplemented", "If-None-Match on a write takes only *.");
    swift.set(H.IF_NONE_MATCH, "*");
  }
  await checkIfMatch(req, container, object);
  const replaced = replacedUpload(req, object);
  const { response, answer } = await writeBody(req, container, object, swift);
  if (response.status === 412) {
    await response.body?.cancel();
    throw new S3Error("PreconditionFailed", undefined, { Condition: "If-None-Match" });
  }
  await writeResult(req, response, container);
  await response.body?.cancel();
  releaseReplaced(req, object, replaced);
  return answer({ ...versionHeader(response) });
}

/**
 * The request's body written as the Swift object `container/object` with `swift` headers: its
 * length as stored, Content-MD5 as Swift's ETag check, S3's checksum verified while it streams
 * and kept. Answers the Swift response (unread) and the 200 to give once it is judged a success:
 * the ETag and the checksum header. Shared by PutObject and UploadPart.
 */
export async function writeBody(
  req: S3Request,
  container: string,
  object: string,
  swift: Headers,
): Promise<{ response: Response; answer: (extra?: Record<string, string>) => Response }> {
  const headers = req.request.headers;
  const length = bodyLengthOf(headers);
  swift.set(H.CONTENT_LENGTH, length);
  const md5 = headers.get("content-md5");
  if (md5 !== null) swift.set(H.ETAG, contentMd5Hex(md5));
  const checksum = await checksumOfWrite(headers, req.body, req.trailers, length);
  for (const [name, value] of Object.entries(checksum.headers)) swift.set(name, value);
  const response = await req.swift({
    method: "PUT",
    container,
    object,
    headers: swift,
    body: req.tracked(checksum.body),
    footers: checksum.footers,
  });
  const answer = (extra: Record<string, string> = {}) =>
    emptyOk({ [H.ETAG]: quoteEtag(response.headers.get(H.ETAG) ?? ""), ...extra, ...checksum.responseHeaders() });
  return { response, answer };
}

/** x-amz-version-id of a write in a versioned bucket (Swift's X-Object-Version-Id). */
export function versionHeader(response: Response): Record<string, string> {
  const version = response.headers.get(H.X_OBJECT_VERSION_ID);
  return version === null ? {} : { [X_AMZ_VERSION_ID]: version };
}

/**
 * GET and HEAD pass Range on; the If-* conditions are judged here, against the ETag S3 shows (a
 * completed upload's multipart ETag, which Swift does not know) and Last-Modified, as s3api has
 * Swift judge them at X-Backend-Etag-Is-At.
 */
const READ_HEADERS = [H.RANGE];

/** GetObject and HeadObject: the object with S3's headers; 206, 304 and 412 as S3 answers them. */
export async function get(req: S3Request): Promise<Response> {
  const container = bucketOf(req);
  const object = keyOf(req);
  const headers = new Headers();
  for (const name of READ_HEADERS) {
    const value = req.request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const versionId = req.url.searchParams.get("versionId");
  const query: Record<string, string> = versionId === null ? {} : { "version-id": versionId };
  const part = await partOf(req, container, object, query);
  if (part?.range) headers.set(H.RANGE, part.range);
  const response = await req.swift({ method: req.method, container, object, headers, query });
  if (response.status === 400 && versionId !== null) {
    await response.body?.cancel();
    throw invalidVersion(versionId);
  }
  if (response.status === 404 && response.headers.get(H.CONTENT_TYPE)?.startsWith(DELETE_MARKER_TYPE)) {
    // A delete marker: the key is gone (NoSuchKey), and the marker itself has no body (405).
    await response.body?.cancel();
    const markerHeaders = {
      [X_AMZ_DELETE_MARKER]: "true",
      [X_AMZ_VERSION_ID]: response.headers.get(H.X_OBJECT_VERSION_ID) ?? "",
    };
    if (versionId !== null)
      throw new S3Error(
        "MethodNotAllowed",
        undefined,
        { Method: req.method, ResourceType: "DeleteMarker" },
        markerHeaders,
      );
    throw new S3Error("NoSuchKey", undefined, { Key: object }, markerHeaders);
  }
  if (response.status === 404 && versionId !== null) {
    await response.body?.cancel();
    const failure = await missing(req, [container]);
    throw failure.code === "NoSuchBucket"
      ? failure
      : new S3Error("NoSuchVersion", undefined, { Key: object, VersionId: versionId });
  }
  if (response.status === 416) {
    await response.body?.cancel();
    throw rangeError(req, Object.fromEntries(response.headers));
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw await missing(req, [container]);
  }
  await okOrThrow(response, "object");
  const out = s3ObjectHeaders(
    response.headers,
    req.method === "GET" || req.method === "HEAD" ? req.url.searchParams : null,
  );
  const etag = normalizeEtag(out.get(H.ETAG)) ?? "";
  const lastModified = Math.floor(Date.parse(out.get(H.LAST_MODIFIED) ?? "") / 1000);
  const condition = conditionalStatus(req.request.headers, etag, Number.isNaN(lastModified) ? 0 : lastModified);
  if (condition === 412) {
    await response.body?.cancel();
    throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Match" });
  }
  if (condition === 304) {
    await response.body?.cancel();
    const notModified = new Headers();
    for (const name of [H.ETAG, H.LAST_MODIFIED]) notModified.set(name, out.get(name) ?? "");
    return new Response(null, { status: 304, headers: notModified });
  }
  // Checksums of the whole object, when asked for and the whole object is sent (AWS: GetObject ChecksumMode).
  if (req.request.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED" && response.status === 200) {
    for (const [name, value] of Object.entries(storedChecksums(response.headers))) out.set(name, value);
  }
  const version = response.headers.get(H.X_OBJECT_VERSION_ID);
  if (version !== null) out.set(X_AMZ_VERSION_ID, version);
  // Tagging: x-amz-tagging-count when the object has tags (tagging.ts).
  for (const [name, value] of Object.entries(taggingCount(response.headers))) out.set(name, value);
  if (part?.count !== undefined) out.set("x-amz-mp-parts-count", String(part.count));
  if (req.method === "HEAD" && part?.range && response.status === 200) {
    // A HEAD reads no range in Swift (its slo stage answers the whole object): the part's own framing.
    const [first = 0, last = 0] = part.range.slice("bytes=".length).split("-").map(Number);
    out.set(H.CONTENT_LENGTH, String(last - first + 1));
    out.set(H.CONTENT_RANGE, `bytes ${first}-${last}/${response.headers.get(H.CONTENT_LENGTH) ?? "*"}`);
    return new Response(null, { status: 206, headers: out });
  }
  return new Response(req.method === "HEAD" ? null : response.body, { status: response.status, headers: out });
}

/** One segment of a stored SLO manifest, as partOf reads it. */
interface StoredSegment {
  name?: string;
  bytes?: number;
  sub_slo?: boolean;
}

/** The bytes before segment `index` of a manifest, and the segment's own. */
function spanOf(segments: readonly StoredSegment[], index: number): { first: number; size: number } {
  const first = segments.slice(0, index).reduce((sum, segment) => sum + (segment.bytes ?? 0), 0);
  return { first, size: segments[index]?.bytes ?? 0 };
}

/** A sub-manifest's segments (its name `/container/object`, as a manifest records it). */
async function subManifestSegments(req: S3Request, name: string): Promise<StoredSegment[]> {
  const [, container = "", ...object] = name.split("/");
  const query = { "multipart-manifest": "get" };
  const response = await req.swift({ method: "GET", container, object: object.join("/"), query });
  return (await (await okOrThrow(response, "object")).json()) as StoredSegment[];
}

/**
 * Where part `number` of a completed upload lies when its manifest nests sub-manifests
 * (multipart.ts layoutOf: its first parts in the manifest itself, then sub-manifests of
 * SLO_MAX_MANIFEST_SEGMENTS parts each): one sub-manifest read at most. InvalidPartNumber when
 * the manifest has no such part.
 */
async function nestedSpanOf(
  req: S3Request,
  segments: readonly StoredSegment[],
  number: number,
): Promise<{ first: number; size: number }> {
  const direct = segments.findIndex((segment) => segment.sub_slo === true);
  if (direct < 0 || number <= direct) return spanOf(segments, number - 1);
  const rest = number - direct - 1;
  const index = direct + Math.floor(rest / SLO_MAX_MANIFEST_SEGMENTS);
  const sub = segments[index];
  if (sub?.sub_slo !== true || sub.name === undefined) throw new S3Error("InvalidPartNumber");
  const subSegments = await subManifestSegments(req, sub.name);
  const within = rest % SLO_MAX_MANIFEST_SEGMENTS;
  if (within >= subSegments.length) throw new S3Error("InvalidPartNumber");
  const span = spanOf(subSegments, within);
  return { first: spanOf(segments, index).first + span.first, size: span.size };
}

/**
 * `?partNumber=N` of a GetObject or HeadObject: the byte range of the upload's Nth part (its
 * Nth segment, as s3api counts; of a completed upload's nested manifest, its Nth part), and the
 * parts count (a completed upload's: its multipart ETag's); for an object that was no multipart
 * upload, part 1 is the whole object. N past the parts is InvalidPartNumber; with a Range
 * header too, InvalidRequest. AWS: GetObject partNumber; Swift: s3api obj.py.
 */
async function partOf(
  req: S3Request,
  container: string,
  object: string,
  query: Record<string, string>,
): Promise<{ range: string | null; count?: number } | null> {
  const text = req.url.searchParams.get("partNumber");
  if (text === null) return null;
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < 1 || number > 10_000)
    throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
      ArgumentName: "partNumber",
      ArgumentValue: text,
    });
  if (req.request.headers.has(H.RANGE))
    throw new S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  const manifest = await req.swift({
    method: "GET",
    container,
    object,
    query: { ...query, "multipart-manifest": "get" },
  });
  if (manifest.status >= 300) {
    await manifest.body?.cancel();
    return { range: null };
  }
  if (manifest.headers.get(H.X_STATIC_LARGE_OBJECT)?.toLowerCase() !== "true") {
    await manifest.body?.cancel();
    if (number > 1) throw new S3Error("InvalidPartNumber");
    return { range: null };
  }
  const segments = (await manifest.json()) as StoredSegment[];
  const uploadCount = Number(/-(\d+)"$/.exec(s3EtagOf(manifest.headers) ?? "")?.[1] ?? 0);
  const count = Math.max(uploadCount, segments.length);
  if (number > count) throw new S3Error("InvalidPartNumber");
  const { first, size } =
    count > segments.length ? await nestedSpanOf(req, segments, number) : spanOf(segments, number - 1);
  return { range: size > 0 ? `bytes=${first}-${first + size - 1}` : null, count };
}

/** InvalidRange with the range asked for and the object's size (from Swift's `Content-Range: bytes *\/size`). */
function rangeError(req: S3Request, headers: Record<string, string>): S3Error {
  const size = /\/(\d+)$/.exec(headers[H.CONTENT_RANGE] ?? "")?.[1];
  return new S3Error("InvalidRange", undefined, {
    RangeRequested: req.request.headers.get(H.RANGE) ?? "",
    ...(size === undefined ? {} : { ActualObjectSize: size }),
  });
}

/**
 * DeleteObject: 204 whether or not there was an object. In a versioned bucket it writes a delete
 * marker (named in x-amz-version-id, with x-amz-delete-marker), and `versionId` deletes that
 * version. A completed multipart upload (an SLO) goes with its parts, unless the bucket keeps
 * versions (an older version may share them).
 */
export async function remove(req: S3Request): Promise<Response> {
  const deleted = await deleteKey(req, bucketOf(req), keyOf(req), req.url.searchParams.get("versionId"));
  const headers: Record<string, string> = {};
  if (deleted.versionId !== null) headers[X_AMZ_VERSION_ID] = deleted.versionId;
  if (deleted.deleteMarker) headers[X_AMZ_DELETE_MARKER] = "true";
  return new Response(null, { status: 204, headers });
}

export const X_AMZ_VERSION_ID = "x-amz-version-id";
export const X_AMZ_DELETE_MARKER = "x-amz-delete-marker";

/** What a delete did: the version it removed or the delete marker it wrote. */
export interface Deleted {
  versionId: string | null;
  deleteMarker: boolean;
}

/** Deletes a key (or one version) as DeleteObject does; no such key is no failure. Shared with DeleteObjects. */
export async function deleteKey(
  req: S3Request,
  container: string,
  object: string,
  versionId: string | null,
): Promise<Deleted> {
  if (versionId !== null) {
    const response = await req.swift({ method: "DELETE", container, object, query: { "version-id": versionId } });
    await response.body?.cancel();
    if (response.status === 400) throw invalidVersion(versionId);
    if (response.status === 404) {
      const failure = await missing(req, [container]);
      if (failure.code === "NoSuchBucket") throw failure;
    } else {
      await okOrThrow(response, "object");
      await restoreNewest(req, container, object);
    }
    return { versionId, deleteMarker: false };
  }
  const bucket = await req.swift({ method: "HEAD", container });
  await bucket.body?.cancel();
  if (bucket.status === 404) throw new S3Error("NoSuchBucket", undefined, { BucketName: container });
  await okOrThrow(bucket, "bucket");
  const versioned = bucket.headers.get(H.X_VERSIONS_ENABLED)?.toLowerCase() === "true";
  if (!versioned) {
    // The HEAD only says whether the object is a large object's manifest. A 404 does not end the
    // delete: an eventual read may come from a replica that missed the object's last write (a
    // zone that was down), and the DELETE is what reaches a quorum of zones or fails (s3api:
    // NoSuchKey from the manifest check still sends the DELETE).
    const head = await req.swift({ method: "HEAD", container, object, query: { "multipart-manifest": "get" } });
    await head.body?.cancel();
    if (head.status !== 404) await okOrThrow(head, "object");
    const manifest = head.headers.get(H.X_STATIC_LARGE_OBJECT)?.toLowerCase() === "true";
    if (manifest && (await deletedManifest(req, container, object))) return { versionId: null, deleteMarker: false };
  }
  const response = await req.swift({ method: "DELETE", container, object });
  if (response.status === 404) await response.body?.cancel();
  else await okOrThrow(response, "object");
  const marker = versioned ? response.headers.get(H.X_OBJECT_VERSION_ID) : null;
  return { versionId: marker, deleteMarker: marker !== null };
}

/**
 * A manifest and its segments deleted (`?multipart-manifest=delete`), by its report: true when
 * the manifest was deleted, false when the manifest read found none (a replica that missed its
 * write may answer: the caller then sends a plain DELETE, which a quorum of zones decides).
 * The report always comes with a 200 (Swift's bulk style): a failure it reports (a segment or the
 * manifest not deleted by a quorum) is thrown as its status, so a delete a quorum did not take is
 * never answered 204 (s3api drains the report and answers 204 whatever it says).
 */
async function deletedManifest(req: S3Request, container: string, object: string): Promise<boolean> {
  const response = await req.swift({
    method: "DELETE",
    container,
    object,
    query: { "multipart-manifest": "delete" },
    headers: { [H.ACCEPT]: "application/json" },
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return false;
  }
  await okOrThrow(response, "object");
  // The report is read to its end: the segments are deleted while it is written.
  const report = JSON.parse((await response.text()).trim()) as Record<string, unknown>;
  const status = Number.parseInt(String(report["Response Status"] ?? ""), 10);
  if (!(status >= 200 && status < 300)) throw statusError(status >= 500 ? 503 : status || 500, "object");
  return Number(report["Number Deleted"] ?? 0) > 0;
}

/**
 * After a version was deleted: when the key has no current object but its newest remaining
 * version is no delete marker, that version is made current, as S3 does (Swift leaves the key
 * without one). Swift: s3api obj.py _restore_on_delete.
 */
async function restoreNewest(req: S3Request, container: string, object: string): Promise<void> {
  const head = await req.swift({ method: "HEAD", container, object });
  await head.body?.cancel();
  if (head.status !== 404) return;
  const listing = await req.swift({
    method: "GET",
    container,
    query: { versions: "", format: "json", prefix: object, limit: "1" },
  });
  if (listing.status !== 200) {
    await listing.body?.cancel();
    return;
  }
  const [newest] = (await listing.json()) as { name?: string; version_id?: string; content_type?: string }[];
  if (newest?.name !== object || !newest.version_id || newest.content_type?.startsWith(DELETE_MARKER_TYPE)) return;
  const restored = await req.swift({
    method: "PUT",
    container,
    object,
    query: { "version-id": newest.version_id },
    headers: { [H.CONTENT_LENGTH]: "0" },
  });
  await restored.body?.cancel();
}

/** A version id Swift cannot read. AWS: "Invalid version id specified". */
function invalidVersion(versionId: string): S3Error {
  return new S3Error("InvalidArgument", "Invalid version id specified", {
    ArgumentName: "versionId",
    ArgumentValue: versionId,
  });
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
export function copySourceOf(value: string): { bucket: string; key: string; versionId: string | null } {
  const [path = "", query = ""] = value.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new S3Error("InvalidArgument", "Invalid copy source encoding", { ArgumentName: "x-amz-copy-source" });
  }
  const trimmed = decoded.startsWith("/") ? decoded.slice(1) : decoded;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1)
    throw new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", {
      ArgumentName: "x-amz-copy-source",
      ArgumentValue: value,
    });
  const versionId = new URLSearchParams(query).get("versionId");
  return { bucket: trimmed.slice(0, slash), key: trimmed.slice(slash + 1), versionId };
}

/** x-amz-copy-source-if-* and the If-* header each is on the source's GET. */
const COPY_CONDITIONS: Record<string, string> = {
  "x-amz-copy-source-if-match": H.IF_MATCH,
  "x-amz-copy-source-if-none-match": H.IF_NONE_MATCH,
  "x-amz-copy-source-if-modified-since": H.IF_MODIFIED_SINCE,
  "x-amz-copy-source-if-unmodified-since": H.IF_UNMODIFIED_SINCE,
};

/** The copy-source conditions as If-* headers for the source's GET. */
export function copyConditions(headers: Headers): Headers {
  const conditions = new Headers();
  for (const [amz, header] of Object.entries(COPY_CONDITIONS)) {
    const value = headers.get(amz);
    if (value !== null) conditions.set(header, value);
  }
  return conditions;
}

/**
 * CopyObject: Swift's server-side copy (X-Copy-From), the source's metadata kept (COPY, the
 * default) or replaced by the request's (REPLACE); the copy-source conditions apply to the
 * source (any failed one is PreconditionFailed). A copy onto itself must change something.
 */
export async function copy(req: S3Request): Promise<Response> {
  const { container, object, headers } = writeTarget(req);
  const source = copySourceOf(headers.get("x-amz-copy-source") ?? "");
  const directive = headers.get("x-amz-metadata-directive") ?? "COPY";
  if (directive !== "COPY" && directive !== "REPLACE")
    throw new S3Error("InvalidArgument", "Unknown metadata directive.", {
      ArgumentName: "x-amz-metadata-directive",
      ArgumentValue: directive,
    });
  if (source.bucket === container && source.key === object && directive === "COPY")
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the " +
        "object's metadata, storage class, website redirect location or encryption attributes.",
    );
  const swift = directive === "REPLACE" ? swiftObjectHeaders(headers) : new Headers();
  if (directive === "REPLACE") swift.set(H.X_FRESH_METADATA, "true");
  for (const [name, value] of copyConditions(headers)) swift.set(name, value);
  // Tagging: x-amz-tagging-directive COPY (the source's tags) or REPLACE (x-amz-tagging) (tagging.ts).
  for (const [name, value] of Object.entries(await copiedTagging(req, source, directive === "REPLACE")))
    swift.set(name, value);
  swift.set(H.X_COPY_FROM, `/${encodeURIComponent(source.bucket)}/${encodeURIComponent(source.key)}`);
  swift.set(H.CONTENT_LENGTH, "0");
  const query: Record<string, string> = source.versionId === null ? {} : { "version-id": source.versionId };
  const replaced = replacedUpload(req, object);
  const response = await req.swift({ method: "PUT", container, object, headers: swift, query });
  if (response.status === 400 && source.versionId !== null) {
    await response.body?.cancel();
    throw invalidVersion(source.versionId);
  }
  if (response.status === 304 || response.status === 412) {
    await response.body?.cancel();
    throw new S3Error("PreconditionFailed");
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw await missing(req, [container, source.bucket]);
  }
  await okOrThrow(response, "object");
  await response.body?.cancel();
  releaseReplaced(req, object, replaced);
  const etag = quoteEtag(response.headers.get(H.ETAG) ?? "");
  const lastModified = new Date(response.headers.get(H.LAST_MODIFIED) ?? Date.now()).toISOString();
  const sourceVersion = response.headers.get(H.X_COPIED_FROM_VERSION_ID);
  return xmlResponse(el("CopyObjectResult", el("LastModified", lastModified), el("ETag", etag)), {
    ...versionHeader(response),
    ...(sourceVersion === null ? {} : { "x-amz-copy-source-version-id": sourceVersion }),
  });
}

/** An object request's 404: NoSuchBucket naming the first of `containers` that is missing, else NoSuchKey. */
export async function missing(req: S3Request, containers: readonly string[]): Promise<S3Error> {
  for (const container of containers) {
    const head = await req.swift({ method: "HEAD", container });
    await head.body?.cancel();
    if (head.status === 404) return new S3Error("NoSuchBucket", undefined, { BucketName: container });
  }
  return new S3Error("NoSuchKey", undefined, { Key: req.key ?? "" });
}
