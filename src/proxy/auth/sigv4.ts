/**
 * @module
 * S3 authentication: AWS Signature Version 4 in the Authorization header or a presigned query
 * (`X-Amz-Algorithm`, `X-Amz-Credential`, …), and detection of any S3 signature (V2 is verified
 * by sigv2.ts). A verified request answers its access key and how its body must be checked
 * (PayloadCheck: the sha256 the client signed, or aws-chunked with chunk signatures chaining
 * from the seed signature), which s3/payload.ts applies as the body streams.
 * S3 signs the path as sent, URI-encoded once (never normalized, never encoded twice as other
 * services do). AWS: "Create a canonical request" (sigv4-create-canonical-request.html),
 * "Authenticating requests: Using the Authorization header" (sig-v4-header-based-auth.html),
 * "Using query parameters" (sigv4-query-string-auth.html), sigv4-streaming.html; Swift:
 * common/middleware/s3api/s3request.py SigV4Mixin, SigCheckerV4.
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { constantTimeEqual } from "../../common/compare";
import { S3Error } from "../s3/errors";
import {
  isoSeconds,
  isV2Header,
  MAX_SKEW_MS,
  parseAmzDate,
  parseHttpDate,
  percentDecode,
  type QueryParameter,
  queryParameters,
  queryValue,
  type V2Context,
  verifyV2,
} from "./sigv2";

/** Whether a request carries S3 authentication (SigV4 or SigV2, header or query). */
export function hasS3Authentication(request: Request): boolean {
  return authKind(request.headers.get("authorization"), queryParameters(new URL(request.url).search)) !== null;
}

export interface S3Credentials {
  /** The secret of an access key, or null when the key is unknown. */
  secretOf(accessKey: string): string | null;
  /** The region signatures must be scoped to (e.g. "us-east-1"). */
  region: string;
}

export interface S3Signed {
  accessKey: string;
  payload: PayloadCheck;
}

export type PayloadCheck =
  | { mode: "unsigned" } // UNSIGNED-PAYLOAD, a presigned URL, SigV2
  | { mode: "sha256"; sha256: string } // lower-case hex the client signed (x-amz-content-sha256)
  | {
      mode: "chunked"; // Content-Encoding aws-chunked, x-amz-content-sha256 STREAMING-*
      /** null for STREAMING-UNSIGNED-PAYLOAD-TRAILER; else what chunk signatures chain from. */
      signing: ChunkSigning | null;
      trailer: boolean; // a *-TRAILER variant: trailing headers (x-amz-checksum-*) after the last chunk
      decodedLength: number | null; // x-amz-decoded-content-length
    };

export interface ChunkSigning {
  signingKey: Uint8Array;
  seedSignature: string;
  amzDate: string;
  scope: string;
}

/** What verifyS3Request needs beyond the request: the bucket of a virtual-hosted-style request, for SigV2. */
export type VerifyOptions = V2Context;

export const ALGORITHM = "AWS4-HMAC-SHA256";
/** sha256 of nothing, lower-case hex. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
/** The longest a presigned URL may live: a week (AWS). */
export const MAX_PRESIGNED_EXPIRES_S = 604800;
const SERVICE = "s3";
const TERMINAL = "aws4_request";
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const CREDENTIAL_FORMAT = '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"';

/** The aws-chunked variants edgeswift decodes: whether chunks are signed, whether trailers follow. */
const STREAMING: Readonly<Record<string, { signed: boolean; trailer: boolean }>> = {
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": { signed: true, trailer: false },
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": { signed: true, trailer: true },
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER": { signed: false, trailer: true },
};
/** SigV4a's streaming variants, which need ECDSA keys edgeswift does not have. */
const ECDSA_STREAMING = new Set([
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
]);

/** x-amz-* headers a request may carry only signed (Swift: SIGV4_MUST_BE_SIGNED_AMZ_PREFIXES). */
const MUST_BE_SIGNED_PREFIXES = ["x-amz-copy", "x-amz-acl", "x-amz-grant", "x-amz-meta"];
/** Any of these in the query makes a request presigned with SigV4. */
const V4_QUERY_NAMES = new Set(["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"]);

const encoder = new TextEncoder();

type AuthKind = "v4-header" | "v4-query" | "v2-header" | "v2-query";

function authKind(authorization: string | null, parameters: readonly QueryParameter[]): AuthKind | null {
  if (authorization !== null && authorization.startsWith("AWS4-")) return "v4-header";
  if (isV2Header(authorization)) return "v2-header";
  if (parameters.some((parameter) => V4_QUERY_NAMES.has(parameter.name))) return "v4-query";
  if (parameters.some((parameter) => parameter.name === "AWSAccessKeyId")) return "v2-query";
  return null;
}

// ---- Canonical request -------------------------------------------------------------------------

const HEX_UPPER = Array.from({ length: 256 }, (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`);

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/** AWS's UriEncode: every byte but `A-Za-z0-9-._~` (and `/` when `keepSlash`) as `%XX`, upper-case. */
export function uriEncode(bytes: Uint8Array, keepSlash: boolean): string {
  let out = "";
  for (const byte of bytes) {
    out += isUnreserved(byte) || (keepSlash && byte === 0x2f) ? String.fromCharCode(byte) : HEX_UPPER[byte];
  }
  return out;
}

/**
 * The canonical URI of a path as sent (`new URL(request.url).pathname`): its escapes decoded and
 * every byte encoded again the one way AWS signs (so `%2a` and `*` both read `%2A`), `/` kept. An
 * escaped slash (`%2F`) stays escaped: it is part of a name, not a separator.
 */
export function canonicalUri(pathname: string): string {
  return pathname
    .split(/%2f/i)
    .map((piece) => uriEncode(percentDecode(piece, false), true))
    .join("%2F");
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical query: every parameter but `omit`, name and value URI-encoded (`/` too, a space
 * as `%20`, `?uploads` as `uploads=`), sorted by encoded name, then value.
 */
export function canonicalQuery(parameters: readonly QueryParameter[], omit?: string): string {
  return parameters
    .filter((parameter) => parameter.name !== omit)
    .map((parameter) => [uriEncode(parameter.nameBytes, false), uriEncode(parameter.valueBytes, false)] as const)
    .sort(([aName, aValue], [bName, bValue]) => compareStrings(aName, bName) || compareStrings(aValue, bValue))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/** An HTTP header name (RFC 9110 token), which Headers.get accepts. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A signed header's canonical value: trimmed, runs of white space as one space. The runtime joins
 * a repeated header with `, `, so repeated headers sign as AWS signs one header holding that list.
 * `host` falls back to the URL's host when the runtime has no Host header. A name no header can
 * have (SignedHeaders is the client's text) reads as absent, so the signature does not match, as
 * s3api answers a signed header the request lacks.
 */
export function canonicalHeaderValue(request: Request, name: string): string {
  if (!HEADER_NAME.test(name)) return "";
  const value = request.headers.get(name) ?? (name === "host" ? new URL(request.url).host : "");
  return value.replace(/[\t\n\v\f\r ]+/g, " ").replace(/^ | $/g, "");
}

/**
 * The canonical request: method, canonical URI, canonical query (less `omitParameter`, the
 * presigned signature), the signed headers `name:value\n`, their names `;`-joined, the payload hash.
 */
export function canonicalRequest(
  request: Request,
  signedHeaders: readonly string[],
  payloadHash: string,
  omitParameter?: string,
): string {
  const url = new URL(request.url);
  const headers = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request, name)}\n`).join("");
  return [
    request.method,
    canonicalUri(url.pathname),
    canonicalQuery(queryParameters(url.search), omitParameter),
    headers,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

/** Lower-case hex sha256 of UTF-8 text or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return bytesToHex(sha256(typeof data === "string" ? encoder.encode(data) : data));
}

/** The string to sign: algorithm, request time, credential scope, sha256 of the canonical request. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** The signing key: HMAC-SHA256 chained from `AWS4<secret>` through date, region, service and `aws4_request`. */
export function signingKey(secret: string, date: string, region: string, service = SERVICE): Uint8Array {
  const name = `${date}\n${region}\n${service}\n${secret}`;
  const cached = signingKeys.get(name);
  if (cached) return cached;
  let key = encoder.encode(`AWS4${secret}`);
  for (const part of [date, region, service, TERMINAL]) key = hmac(sha256, key, encoder.encode(part));
  // A key serves a whole day of requests (AWS's SDKs keep it as long): four HMACs saved on each.
  if (signingKeys.size >= SIGNING_KEYS_MAX) signingKeys.clear();
  signingKeys.set(name, key);
  return key;
}

/** Signing keys derived this isolate's life, by date, region, service and secret. */
const signingKeys = new Map<string, Uint8Array>();
const SIGNING_KEYS_MAX = 1000;

/** Lower-case hex HMAC-SHA256 of UTF-8 text. */
export function hmacHex(key: Uint8Array, message: string): string {
  return bytesToHex(hmac(sha256, key, encoder.encode(message)));
}

/** `ms` as SigV4 writes times: `YYYYMMDDTHHMMSSZ`. */
export function amzDateOf(ms: number): string {
  return isoSeconds(ms).replace(/[-:]/g, "");
}

// ---- Verification ------------------------------------------------------------------------------

/**
 * Verifies the request's S3 signature (SigV4 header, SigV4 query, or SigV2 either way: delegate to sigv2.ts).
 * Returns null when the request carries no S3 authentication at all. Throws S3Error otherwise:
 * unknown key → InvalidAccessKeyId; wrong signature → SignatureDoesNotMatch; x-amz-date/Date more than 15 min
 * from now → RequestTimeTooSkewed (header auth); presigned URL past X-Amz-Expires (or V2 Expires) → AccessDenied
 * "Request has expired"; X-Amz-Expires over 604800 → AuthorizationQueryParametersError; a malformed Authorization
 * header or credential scope (wrong service, wrong region → AuthorizationHeaderMalformed naming the expected region
 * as AWS does, bad date) → AuthorizationHeaderMalformed / AuthorizationQueryParametersError; missing x-amz-date
 * and Date → AccessDenied "AWS authentication requires a valid Date or x-amz-date header"; header auth without
 * x-amz-content-sha256 → InvalidRequest "Missing required header for this request: x-amz-content-sha256";
 * an x-amz-content-sha256 that is neither 64 hex nor one of the known literals → InvalidArgument.
 * `options.hostBucket` names the bucket of a virtual-hosted-style request (SigV2 signs it; SigV4 does not).
 */
export async function verifyS3Request(
  request: Request,
  credentials: S3Credentials,
  nowMs: number,
  options: VerifyOptions = {},
): Promise<S3Signed | null> {
  const url = new URL(request.url);
  const parameters = queryParameters(url.search);
  const authorization = request.headers.get("authorization");
  const kind = authKind(authorization, parameters);
  if (kind === null) return null;
  const header = kind === "v4-header" || kind === "v2-header";
  if (header && authKind(null, parameters) !== null) {
    throw new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string " +
        "parameter or the Authorization header should be specified",
      { ArgumentName: "Authorization", ArgumentValue: authorization ?? "" },
    );
  }
  switch (kind) {
    case "v2-header":
    case "v2-query": {
      const { accessKey } = verifyV2(request, (key) => credentials.secretOf(key), nowMs, options);
      return { accessKey, payload: v2Payload(request) };
    }
    case "v4-header":
      return verifyHeader(request, authorization ?? "", credentials, nowMs);
    case "v4-query":
      return verifyPresigned(request, parameters, credentials, nowMs);
  }
}

type ErrorCode = "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError";

/** A credential's parts: `<access key>/<date>/<region>/<service>/aws4_request`. */
interface Credential {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  terminal: string;
}

function parseCredential(value: string, code: ErrorCode, prefix: string): Credential {
  const parts = value.split("/");
  const accessKey = parts.slice(0, -4).join("/");
  const [date, region, service, terminal] = parts.slice(-4) as [string, string, string, string];
  // Fewer than five parts leave no access key.
  if (accessKey === "") {
    throw new S3Error(code, `${prefix}; the Credential is mal-formed; expecting ${CREDENTIAL_FORMAT}.`);
  }
  return { accessKey, date, region, service, terminal };
}

/** Refuses a credential scoped to another day than the request's, another region, service or terminal. */
function checkScope(credential: Credential, amzDate: string, region: string, code: ErrorCode, prefix: string): void {
  const day = amzDate.slice(0, 8);
  if (credential.date !== day) {
    throw new S3Error(
      code,
      `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${day}".`,
    );
  }
  // AWS's .NET SDK lower-cases the region it signs with (Swift allows it too).
  if (credential.region !== region && credential.region !== region.toLowerCase()) {
    throw new S3Error(code, `${prefix}; the region '${credential.region}' is wrong; expecting '${region}'`, {
      Region: region,
    });
  }
  if (credential.service !== SERVICE) {
    throw new S3Error(
      code,
      `${prefix}; incorrect service "${credential.service}". This endpoint belongs to "${SERVICE}".`,
    );
  }
  if (credential.terminal !== TERMINAL) {
    throw new S3Error(
      code,
      `${prefix}; incorrect terminal "${credential.terminal}". This endpoint uses "${TERMINAL}".`,
    );
  }
}

function scopeOf(credential: Credential): string {
  return `${credential.date}/${credential.region}/${credential.service}/${credential.terminal}`;
}

/** What an x-amz-content-sha256 value asks of the body, or InvalidArgument / NotImplemented. */
type PayloadKind =
  | { mode: "unsigned" }
  | { mode: "sha256"; sha256: string }
  | { mode: "chunked"; signed: boolean; trailer: boolean };

function payloadKind(value: string): PayloadKind {
  if (value === UNSIGNED_PAYLOAD) return { mode: "unsigned" };
  if (SHA256_HEX.test(value)) return { mode: "sha256", sha256: value.toLowerCase() };
  const streaming = STREAMING[value];
  if (streaming) return { mode: "chunked", ...streaming };
  if (ECDSA_STREAMING.has(value)) throw new S3Error("NotImplemented", `Don't know how to validate ${value} streams`);
  throw new S3Error(
    "InvalidArgument",
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, " +
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
    { ArgumentName: "x-amz-content-sha256", ArgumentValue: value },
  );
}

function decodedLength(request: Request): number | null {
  const value = request.headers.get("x-amz-decoded-content-length");
  if (value === null) return null;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new S3Error("InvalidArgument", undefined, {
      ArgumentName: "x-amz-decoded-content-length",
      ArgumentValue: value,
    });
  }
  return Number(value.trim());
}

function payloadCheck(kind: PayloadKind, request: Request, signing: ChunkSigning | null): PayloadCheck {
  if (kind.mode !== "chunked") return kind;
  return {
    mode: "chunked",
    signing: kind.signed ? signing : null,
    trailer: kind.trailer,
    decodedLength: decodedLength(request),
  };
}

/**
 * SigV2 signs no body; a sha256 the client sent anyway is checked, and an unsigned aws-chunked body
 * decoded. Any other value (UNSIGNED-PAYLOAD among them) checks nothing.
 */
function v2Payload(request: Request): PayloadCheck {
  const value = request.headers.get("x-amz-content-sha256")?.trim();
  if (value === undefined) return { mode: "unsigned" };
  if (SHA256_HEX.test(value)) return { mode: "sha256", sha256: value.toLowerCase() };
  if (value === "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
    return { mode: "chunked", signing: null, trailer: true, decodedLength: decodedLength(request) };
  }
  if (value.startsWith("STREAMING-")) {
    throw new S3Error("InvalidRequest", `x-amz-content-sha256 ${value} needs AWS Signature Version 4`);
  }
  return { mode: "unsigned" };
}

/** Refuses signed headers that leave out host, or x-amz-* headers that must be signed and were not. */
function checkSignedHeaders(request: Request, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders);
  const unsigned: string[] = [];
  if (!signed.has("host")) unsigned.push("host");
  for (const [name] of request.headers) {
    if (!signed.has(name) && MUST_BE_SIGNED_PREFIXES.some((prefix) => name.startsWith(prefix))) unsigned.push(name);
  }
  if (unsigned.length) {
    throw new S3Error("AccessDenied", "There were headers present in the request which were not signed", {
      HeadersNotSigned: unsigned.join(", "),
    });
  }
}

function spacedHex(text: string): string {
  return Array.from(encoder.encode(text), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Compares the signature sent with the one the secret gives, and answers the signing key; throws
 * InvalidAccessKeyId for an unknown key and SignatureDoesNotMatch with AWS's diagnostic fields.
 */
function checkSignature(
  credentials: S3Credentials,
  credential: Credential,
  amzDate: string,
  canonical: string,
  signature: string,
): Uint8Array {
  const secret = credentials.secretOf(credential.accessKey);
  if (secret === null) throw new S3Error("InvalidAccessKeyId", undefined, { AWSAccessKeyId: credential.accessKey });
  const key = signingKey(secret, credential.date, credential.region, credential.service);
  const toSign = stringToSign(amzDate, scopeOf(credential), canonical);
  const matches = (text: string) =>
    constantTimeEqual(hmacHex(key, stringToSign(amzDate, scopeOf(credential), text)), signature);
  if (!canonicalVariants(canonical).some(matches)) {
    throw new S3Error("SignatureDoesNotMatch", undefined, {
      AWSAccessKeyId: credential.accessKey,
      StringToSign: toSign,
      SignatureProvided: signature,
      StringToSignBytes: spacedHex(toSign),
      CanonicalRequest: canonical,
      CanonicalRequestBytes: spacedHex(canonical),
    });
  }
  return key;
}

/**
 * The canonical request with the path's escaped slashes read as slashes: a key's `/` sent as
 * `%2F` names the same key, and signers differ in how they sign it (aws4fetch, s3api and MinIO
 * sign the decoded path; SDKs that send `%2F` sign it so), so either signature is the caller's.
 */
function withSlashesDecoded(canonical: string): string {
  const [method = "", uri = "", ...rest] = canonical.split("\n");
  return uri.includes("%2F") ? [method, uri.replaceAll("%2F", "/"), ...rest].join("\n") : canonical;
}

/**
 * Accept-Encoding values clients send, for a signed Accept-Encoding the runtime rewrote before
 * the Worker saw it (workerd hands on `br, gzip` for a client's `gzip`; aws-sdk-go, so rclone,
 * signs the header). It only chooses a response encoding, so trying these is no weakness.
 */
const ACCEPT_ENCODINGS = ["gzip", "identity", "gzip, deflate", "gzip,deflate", "gzip, deflate, br", "br", "deflate"];

/** The canonical request as signed, and as it may have been signed before the runtime changed it. */
function canonicalVariants(canonical: string): string[] {
  const variants = [canonical, withSlashesDecoded(canonical)];
  const line = /^accept-encoding:.*$/m.exec(canonical);
  if (line === null) return variants;
  for (const value of ACCEPT_ENCODINGS) {
    const rewritten = canonical.replace(line[0], `accept-encoding:${value}`);
    variants.push(rewritten, withSlashesDecoded(rewritten));
  }
  return variants;
}

const HEADER_MALFORMED = "The authorization header is malformed";

/** The components of `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
function parseAuthorization(authorization: string): { credential: string; signedHeaders: string; signature: string } {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw new S3Error("InvalidArgument", "Unsupported Authorization Type", {
      ArgumentName: "Authorization",
      ArgumentValue: authorization,
    });
  }
  const components = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(",")) {
    const component = part.trim();
    if (component === "") continue;
    const equals = component.indexOf("=");
    const name = equals > 0 ? component.slice(0, equals) : component;
    if (equals <= 0 || !["Credential", "SignedHeaders", "Signature"].includes(name) || components.has(name)) {
      throw new S3Error(
        "AuthorizationHeaderMalformed",
        `${HEADER_MALFORMED}; the authorization component "${component}" is malformed.`,
      );
    }
    components.set(name, component.slice(equals + 1).trim());
  }
  const credential = components.get("Credential");
  const signedHeaders = components.get("SignedHeaders");
  const signature = components.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    throw new S3Error(
      "AuthorizationHeaderMalformed",
      `${HEADER_MALFORMED}; the authorization header requires three components: Credential, SignedHeaders, ` +
        "and Signature.",
    );
  }
  return { credential, signedHeaders, signature };
}

function signedHeaderList(value: string, code: ErrorCode, prefix: string): string[] {
  const names = value.split(";").map((name) => name.trim().toLowerCase());
  if (names.some((name) => name === "")) throw new S3Error(code, `${prefix}; the SignedHeaders are malformed.`);
  return names;
}

function verifyHeader(request: Request, authorization: string, credentials: S3Credentials, nowMs: number): S3Signed {
  const components = parseAuthorization(authorization);
  const credential = parseCredential(components.credential, "AuthorizationHeaderMalformed", HEADER_MALFORMED);

  const amzHeader = request.headers.get("x-amz-date");
  const dateHeader = request.headers.get("date");
  const requestMs =
    amzHeader !== null ? parseAmzDate(amzHeader.trim()) : dateHeader !== null ? parseHttpDate(dateHeader) : null;
  if (requestMs === null) {
    throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  const amzDate = amzHeader !== null ? amzHeader.trim() : amzDateOf(requestMs);
  if (Math.abs(requestMs - nowMs) > MAX_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", undefined, {
      RequestTime: amzHeader ?? dateHeader ?? amzDate,
      ServerTime: isoSeconds(nowMs),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  checkScope(credential, amzDate, credentials.region, "AuthorizationHeaderMalformed", HEADER_MALFORMED);

  const payloadHash = request.headers.get("x-amz-content-sha256")?.trim();
  if (payloadHash === undefined) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  const kind = payloadKind(payloadHash);
  const signedHeaders = signedHeaderList(components.signedHeaders, "AuthorizationHeaderMalformed", HEADER_MALFORMED);
  checkSignedHeaders(request, signedHeaders);

  const canonical = canonicalRequest(request, signedHeaders, payloadHash);
  const key = checkSignature(credentials, credential, amzDate, canonical, components.signature);
  const signing = { signingKey: key, seedSignature: components.signature, amzDate, scope: scopeOf(credential) };
  return { accessKey: credential.accessKey, payload: payloadCheck(kind, request, signing) };
}

const QUERY_MALFORMED = "Error parsing the X-Amz-Credential parameter";

function verifyPresigned(
  request: Request,
  parameters: readonly QueryParameter[],
  credentials: S3Credentials,
  nowMs: number,
): S3Signed {
  const code = "AuthorizationQueryParametersError";
  const algorithm = queryValue(parameters, "X-Amz-Algorithm");
  const credentialValue = queryValue(parameters, "X-Amz-Credential");
  const signature = queryValue(parameters, "X-Amz-Signature");
  const amzDate = queryValue(parameters, "X-Amz-Date");
  const signedValue = queryValue(parameters, "X-Amz-SignedHeaders");
  const expiresValue = queryValue(parameters, "X-Amz-Expires");
  if (!algorithm || !credentialValue || !signature || !amzDate || !signedValue || expiresValue === null) {
    throw new S3Error(
      code,
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, " +
        "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  if (algorithm !== ALGORITHM) throw new S3Error(code, `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const credential = parseCredential(credentialValue, code, QUERY_MALFORMED);
  const requestMs = parseAmzDate(amzDate);
  if (requestMs === null) {
    throw new S3Error(code, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  if (!/^-?\d{1,15}$/.test(expiresValue)) throw new S3Error(code, "X-Amz-Expires should be a number");
  const expires = Number(expiresValue);
  if (expires < 0) throw new S3Error(code, "X-Amz-Expires must be non-negative");
  if (expires > MAX_PRESIGNED_EXPIRES_S) {
    throw new S3Error(
      code,
      "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than " +
        `${MAX_PRESIGNED_EXPIRES_S} seconds`,
    );
  }
  checkScope(credential, amzDate, credentials.region, code, QUERY_MALFORMED);
  if (requestMs - nowMs > MAX_SKEW_MS) throw new S3Error("AccessDenied", "Request is not valid yet");
  const expiresMs = requestMs + expires * 1000;
  if (nowMs > expiresMs) {
    throw new S3Error("AccessDenied", "Request has expired", {
      "X-Amz-Expires": expiresValue,
      Expires: isoSeconds(expiresMs),
      ServerTime: isoSeconds(nowMs),
    });
  }

  const signedHeaders = signedHeaderList(signedValue, code, QUERY_MALFORMED);
  checkSignedHeaders(request, signedHeaders);
  // A presigned URL signs no body, unless its query (or a signed header) names the body's sha256.
  const payloadHash =
    queryValue(parameters, "X-Amz-Content-Sha256") ??
    (signedHeaders.includes("x-amz-content-sha256") ? request.headers.get("x-amz-content-sha256")?.trim() : null) ??
    UNSIGNED_PAYLOAD;
  const kind = payloadKind(payloadHash);

  const canonical = canonicalRequest(request, signedHeaders, payloadHash, "X-Amz-Signature");
  const key = checkSignature(credentials, credential, amzDate, canonical, signature);
  const signing = { signingKey: key, seedSignature: signature, amzDate, scope: scopeOf(credential) };
  return { accessKey: credential.accessKey, payload: payloadCheck(kind, request, signing) };
}
