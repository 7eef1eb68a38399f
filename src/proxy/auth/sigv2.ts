/**
 * @module
 * AWS Signature Version 2 for S3: `Authorization: AWS <AccessKeyId>:<Signature>` or a presigned
 * query (`AWSAccessKeyId`, `Expires`, `Signature`), the signature being base64 HMAC-SHA1 of
 * `Verb\nContent-MD5\nContent-Type\nDate\n<x-amz-* headers><resource>`. Also the raw query
 * reader both signature versions share. AWS: "Signing and authenticating REST requests"
 * (RESTAuthentication.html); Swift: common/middleware/s3api/s3request.py SigCheckerV2.
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { constantTimeEqual } from "../../common/compare";
import { utcTime } from "../../common/timestamp";
import { S3Error } from "../s3/errors";

/** How far a header-signed request's Date may stray from the server's clock (AWS: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** The query parameters that name a sub-resource, and so are part of the V2 resource (Swift: ALLOWED_SUB_RESOURCES). */
export const V2_SUB_RESOURCES: ReadonlySet<string> = new Set([
  "acl",
  "cors",
  "delete",
  "lifecycle",
  "location",
  "logging",
  "notification",
  "partNumber",
  "policy",
  "requestPayment",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
]);

/** One query parameter as sent: its name and value percent-decoded (`+` as a space), as bytes and as text. */
export interface QueryParameter {
  name: string;
  value: string;
  nameBytes: Uint8Array;
  valueBytes: Uint8Array;
  /** Whether the parameter had an `=` (`?uploads` has none). */
  hasValue: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** The bytes `text` stands for: `%XX` escapes decoded, everything else as UTF-8 (`+` as a space when `plusIsSpace`). */
export function percentDecode(text: string, plusIsSpace: boolean): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 37 && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        out.push(high * 16 + low);
        i += 2;
        continue;
      }
    }
    if (code === 43 && plusIsSpace) out.push(32);
    else if (code < 128) out.push(code);
    else {
      // A character beyond ASCII (a URL's parser escapes them, but a caller may not have): its UTF-8.
      const char = String.fromCodePoint(text.codePointAt(i) ?? code);
      out.push(...encoder.encode(char));
      i += char.length - 1;
    }
  }
  return Uint8Array.from(out);
}

/** The parameters of a URL's query (`url.search`, with or without its `?`), in the order sent. */
export function queryParameters(search: string): QueryParameter[] {
  const query = search.startsWith("?") ? search.slice(1) : search;
  const parameters: QueryParameter[] = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const hasValue = equals >= 0;
    const nameBytes = percentDecode(hasValue ? part.slice(0, equals) : part, true);
    const valueBytes = percentDecode(hasValue ? part.slice(equals + 1) : "", true);
    parameters.push({
      name: decoder.decode(nameBytes),
      value: decoder.decode(valueBytes),
      nameBytes,
      valueBytes,
      hasValue,
    });
  }
  return parameters;
}

/** The first value of the parameter `name`, or null. */
export function queryValue(parameters: readonly QueryParameter[], name: string): string | null {
  return parameters.find((parameter) => parameter.name === name)?.value ?? null;
}

/** `ms` as AWS writes times in error bodies: ISO 8601 to the second. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A `YYYYMMDDTHHMMSSZ` time as milliseconds, or null when it is not one. */
export function parseAmzDate(value: string): number | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return match ? utcTime(match.slice(1)) : null;
}

/** A Date (or V2 x-amz-date) header's time: RFC 1123 as HTTP writes it, or the SigV4 basic form; null otherwise. */
export function parseHttpDate(value: string): number | null {
  const amz = parseAmzDate(value);
  if (amz !== null) return amz;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms < 0 ? null : ms;
}

/** The inputs of V2 signing that a request's URL does not carry. */
export interface V2Context {
  /** The bucket named by the host of a virtual-hosted-style request: the resource then starts `/bucket`. */
  hostBucket?: string | undefined;
}

/**
 * V2's CanonicalizedResource: `/bucket` for a virtual-hosted-style request, the path as sent, then
 * the sub-resources among the query's parameters, sorted by name, `?acl&versionId=3`.
 */
export function v2Resource(url: URL, parameters: readonly QueryParameter[], hostBucket?: string): string {
  const path = (hostBucket ? `/${hostBucket}` : "") + url.pathname;
  const subResources = parameters
    .filter((parameter) => V2_SUB_RESOURCES.has(parameter.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((parameter) => (parameter.hasValue ? `${parameter.name}=${parameter.value}` : parameter.name));
  return subResources.length ? `${path}?${subResources.join("&")}` : path;
}

function trimmed(value: string | null): string {
  return (value ?? "").trim();
}

/**
 * V2's StringToSign. `dateLine` is the Date header (empty when x-amz-date is sent) or, presigned,
 * the Expires parameter. Every x-amz-* header is in it, lower-cased and sorted (the runtime's
 * Headers already are), `name:value\n` with the value trimmed.
 */
export function v2StringToSign(request: Request, dateLine: string, resource: string): string {
  let amzHeaders = "";
  for (const [name, value] of request.headers) {
    if (name.startsWith("x-amz-")) amzHeaders += `${name}:${value.trim()}\n`;
  }
  return (
    `${request.method}\n${trimmed(request.headers.get("content-md5"))}\n` +
    `${trimmed(request.headers.get("content-type"))}\n${dateLine}\n${amzHeaders}${resource}`
  );
}

/** V2's signature of a StringToSign: base64 HMAC-SHA1 with the secret. */
export function v2Signature(secret: string, stringToSign: string): string {
  const mac = hmac(sha1, encoder.encode(secret), encoder.encode(stringToSign));
  return btoa(String.fromCharCode(...mac));
}

function spacedHex(text: string): string {
  return Array.from(encoder.encode(text), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** Whether the request is V2 header-signed (`Authorization: AWS …`). */
export function isV2Header(authorization: string | null): authorization is string {
  return authorization !== null && authorization.startsWith("AWS ");
}

/**
 * Verifies a V2-signed request (header or presigned query) and answers its access key; throws
 * S3Error as AWS answers: InvalidArgument for an unreadable Authorization, AccessDenied for a
 * missing date or query parameter or an expired URL, RequestTimeTooSkewed, InvalidAccessKeyId,
 * SignatureDoesNotMatch.
 */
export function verifyV2(
  request: Request,
  secretOf: (accessKey: string) => string | null,
  nowMs: number,
  context: V2Context = {},
): { accessKey: string } {
  const url = new URL(request.url);
  const parameters = queryParameters(url.search);
  const authorization = request.headers.get("authorization");
  let accessKey: string;
  let signature: string;
  let dateLine: string;
  if (isV2Header(authorization)) {
    const credentials = authorization.slice(4).trim();
    const colon = credentials.lastIndexOf(":");
    if (colon <= 0 || colon === credentials.length - 1) {
      throw new S3Error("InvalidArgument", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", {
        ArgumentName: "Authorization",
        ArgumentValue: authorization,
      });
    }
    accessKey = credentials.slice(0, colon);
    signature = credentials.slice(colon + 1);
    const amzDate = request.headers.get("x-amz-date");
    const date = request.headers.get("date");
    const sent = amzDate ?? date;
    const ms = sent === null ? null : parseHttpDate(sent.trim());
    if (sent === null || ms === null) {
      throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    }
    if (Math.abs(ms - nowMs) > MAX_SKEW_MS) {
      throw new S3Error("RequestTimeTooSkewed", undefined, {
        RequestTime: sent,
        ServerTime: isoSeconds(nowMs),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      });
    }
    dateLine = amzDate !== null ? "" : sent.trim();
  } else {
    const key = queryValue(parameters, "AWSAccessKeyId");
    const expires = queryValue(parameters, "Expires");
    const sent = queryValue(parameters, "Signature");
    if (!key || !expires || !sent) {
      throw new S3Error(
        "AccessDenied",
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
      );
    }
    if (!/^\d{1,12}$/.test(expires)) {
      throw new S3Error("AccessDenied", `Invalid date (should be seconds since epoch): ${expires}`);
    }
    const expiresMs = Number(expires) * 1000;
    if (nowMs > expiresMs) {
      throw new S3Error("AccessDenied", "Request has expired", {
        Expires: isoSeconds(expiresMs),
        ServerTime: isoSeconds(nowMs),
      });
    }
    accessKey = key;
    // A `+` a client left unescaped reads as a space; base64 has no spaces, so it was a `+`.
    signature = sent.replace(/ /g, "+");
    dateLine = expires;
  }
  const secret = secretOf(accessKey);
  if (secret === null) throw new S3Error("InvalidAccessKeyId", undefined, { AWSAccessKeyId: accessKey });
  const stringToSign = v2StringToSign(request, dateLine, v2Resource(url, parameters, context.hostBucket));
  if (!constantTimeEqual(v2Signature(secret, stringToSign), signature)) {
    throw new S3Error("SignatureDoesNotMatch", undefined, {
      AWSAccessKeyId: accessKey,
      StringToSign: stringToSign,
      SignatureProvided: signature,
      StringToSignBytes: spacedHex(stringToSign),
    });
  }
  return { accessKey };
}
