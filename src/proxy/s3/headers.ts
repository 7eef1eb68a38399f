/**
 * @module
 * What S3 headers become in Swift and back: `x-amz-meta-*` is `x-object-meta-*`, the stored
 * headers S3 and Swift share pass as they are, ETags are quoted, `response-*` query parameters
 * override a GET's headers, and S3's timestamps are written as AWS writes them.
 * Swift: common/middleware/s3api/s3request.py, s3response.py (header translation both ways).
 */

import { H, OBJECT_SYSMETA_PREFIX } from "../../common/headers";
import { S3Error } from "./errors";

export const AMZ_META_PREFIX = "x-amz-meta-";
const SWIFT_META_PREFIX = "x-object-meta-";

/** Headers an object keeps that S3 and Swift name alike (and a browser's POST form may carry). */
export const SHARED_HEADERS = [
  H.CONTENT_TYPE,
  H.CONTENT_ENCODING,
  H.CONTENT_DISPOSITION,
  H.CONTENT_LANGUAGE,
  H.CACHE_CONTROL,
  H.EXPIRES,
] as const;

/** Headers of a Swift object response that an S3 client sees as they are. */
const PASSED_HEADERS = [
  ...SHARED_HEADERS,
  H.CONTENT_LENGTH,
  H.CONTENT_RANGE,
  H.LAST_MODIFIED,
  H.ACCEPT_RANGES,
] as const;

/** The `response-*` query parameters of a GET and the header each overrides. AWS: GetObject. */
const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": H.CONTENT_TYPE,
  "response-content-language": H.CONTENT_LANGUAGE,
  "response-expires": H.EXPIRES,
  "response-cache-control": H.CACHE_CONTROL,
  "response-content-disposition": H.CONTENT_DISPOSITION,
  "response-content-encoding": H.CONTENT_ENCODING,
};

/** The system metadata S3 keeps with an object: `x-object-sysmeta-s3api-<name>`. */
export function s3Sysmeta(name: string): string {
  return `${OBJECT_SYSMETA_PREFIX}s3api-${name}`;
}

/** The multipart ETag (`<md5 of part md5s>-N`) a completed upload keeps. */
export const SYSMETA_ETAG = s3Sysmeta("etag");

/** The Swift headers of an S3 write: user metadata renamed, the shared headers as they are. */
export function swiftObjectHeaders(headers: Headers): Headers {
  const swift = new Headers();
  for (const [name, value] of headers) {
    if (name.startsWith(AMZ_META_PREFIX)) swift.set(`${SWIFT_META_PREFIX}${name.slice(AMZ_META_PREFIX.length)}`, value);
    else if ((SHARED_HEADERS as readonly string[]).includes(name)) swift.set(name, value);
  }
  return swift;
}

/** An ETag as S3 shows it: in double quotes. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

/**
 * A Swift object response's ETag as S3 shows it: the multipart ETag of a completed upload; for
 * another large object (an SLO made through Swift) its ETag and `-N`, as s3api marks an ETag
 * that is no MD5 of the bytes without knowing the parts; else the object's.
 * Swift: s3api s3response.py (is_slo).
 */
export function s3EtagOf(headers: Headers): string | null {
  const s3Etag = headers.get(SYSMETA_ETAG);
  if (s3Etag !== null) return quoteEtag(s3Etag);
  const etag = headers.get(H.ETAG);
  if (etag === null) return null;
  const bare = etag.replace(/^"(.*)"$/, "$1");
  return headers.get(H.X_STATIC_LARGE_OBJECT)?.toLowerCase() === "true" ? `"${bare}-N"` : quoteEtag(bare);
}

/**
 * The headers an S3 client gets for a Swift object response: the shared and framing headers,
 * user metadata as `x-amz-meta-*`, the ETag quoted; then the request's `response-*` overrides.
 */
export function s3ObjectHeaders(swift: Headers, query: URLSearchParams | null): Headers {
  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const value = swift.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of swift) {
    if (name.startsWith(SWIFT_META_PREFIX))
      headers.set(`${AMZ_META_PREFIX}${name.slice(SWIFT_META_PREFIX.length)}`, value);
  }
  const etag = s3EtagOf(swift);
  if (etag !== null) headers.set(H.ETAG, etag);
  if (query !== null) {
    for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = query.get(param);
      if (value !== null) headers.set(header, value);
    }
  }
  return headers;
}

/**
 * A Content-MD5 header as the hex digest Swift's ETag check takes; InvalidDigest when it is not
 * the base64 of 16 bytes. AWS: PutObject Content-MD5.
 */
export function contentMd5Hex(value: string): string {
  let binary: string;
  try {
    binary = atob(value.trim());
  } catch {
    throw new S3Error("InvalidDigest", undefined, { "Content-MD5": value });
  }
  if (binary.length !== 16) throw new S3Error("InvalidDigest", undefined, { "Content-MD5": value });
  let hex = "";
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

/**
 * A Swift listing's `last_modified` (ISO 8601 without zone, microseconds) as S3 writes it,
 * rounded up to the second as Last-Modified is, so a listing and a HEAD agree:
 * `2026-12-05T06:20:01.000Z`.
 */
export function s3Time(isoformat: string): string {
  const seconds = Date.parse(`${isoformat.slice(0, 19)}Z`);
  if (Number.isNaN(seconds)) return "1970-01-01T00:00:00.000Z";
  const fraction = isoformat.slice(20);
  return new Date(seconds + (/[1-9]/.test(fraction) ? 1000 : 0)).toISOString();
}

/** The owner S3 shows for the caller's buckets and objects: the Swift user (`test:tester`). */
export function ownerId(identity: { account: string; user: string }): string {
  return `${identity.account}:${identity.user}`;
}
