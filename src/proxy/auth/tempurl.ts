/**
 * @module
 * TempURL, a pipeline stage before authorize: an object request whose query carries a valid
 * `temp_url_sig` (HMAC-SHA1/256/512 of `METHOD\nEXPIRES\nPATH` with an account or container
 * Temp-URL key) and an unexpired `temp_url_expires` is authorized without a token. Any flaw is
 * the same 401 "Temp URL invalid", which says nothing about keys, objects or containers.
 * Responses lose X-Object-Meta-* (X-Object-Meta-Public-* apart); GET and HEAD get
 * Content-Disposition and Expires. Swift: common/middleware/tempurl.py, common/digest.py.
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import { SwiftError } from "../../common/errors";
import { pythonInt, quote } from "../../common/python";
import { utcTime } from "../../common/timestamp";
import { H, metaPrefix, titleCase } from "../../common/headers";
import { liveMetadata } from "../../durable/merge";
import { accountInfo } from "../services/account";
import { containerInfo } from "../services/container";
import type { ServiceContext } from "../services/context";
import type { Middleware } from "../swift/pipeline";
import type { SwiftRequest } from "../swift/request";
import { grantSignedScope } from "./signed-scope";
import { ipInRange } from "./ip-range";
import { constantTimeEqual } from "../../common/compare";

/** Digests Swift 2.30 allows by default; sha1 is deprecated (Swift: digest.py DEFAULT_ALLOWED_DIGESTS). */
export const ALLOWED_DIGESTS = ["sha1", "sha256", "sha512"] as const;
export type Digest = (typeof ALLOWED_DIGESTS)[number];
export const DEPRECATED_DIGESTS: readonly Digest[] = ["sha1"];

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"];
const INCOMING_REMOVE_HEADERS = [H.X_TIMESTAMP];
/** Headers a signed PUT, POST or DELETE may not carry (Swift: DISALLOWED_INCOMING_HEADERS). */
const DISALLOWED_INCOMING_HEADERS = [H.X_OBJECT_MANIFEST, H.X_SYMLINK_TARGET, H.X_COPY_FROM];
const OUTGOING_REMOVE_PREFIX = metaPrefix("object");
const OUTGOING_ALLOW_PREFIX = `${metaPrefix("object")}public-`;

/** The tempurl section of /info (Swift: tempurl.py filter_factory register_swift_info). */
export const TEMPURL_INFO = {
  methods: METHODS,
  incoming_remove_headers: INCOMING_REMOVE_HEADERS,
  incoming_allow_headers: [],
  outgoing_remove_headers: [`${OUTGOING_REMOVE_PREFIX}*`],
  outgoing_allow_headers: [`${OUTGOING_ALLOW_PREFIX}*`],
  allowed_digests: ALLOWED_DIGESTS,
  deprecated_digests: DEPRECATED_DIGESTS,
};

const HASHES: Record<Digest, string> = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };
const HEX_DIGESTS: Record<number, Digest> = { 40: "sha1", 64: "sha256", 128: "sha512" };

/**
 * Swift: digest.py extract_digest_and_algorithm. A signature as hex (its length names the
 * digest) or `<digest>:<base64 or base64url>`; null when it cannot be read.
 */
export function extractDigest(signature: string): { digest: string; hex: string } | null {
  const colon = signature.indexOf(":");
  if (colon >= 0) {
    const digest = signature.slice(0, colon);
    let value = signature.slice(colon + 1);
    if ((value.includes("-") || value.includes("_")) && !(value.includes("+") || value.includes("/")))
      value = value.replace(/-/g, "+").replace(/_/g, "/");
    const data = value.replace(/^=+|=+$/g, "");
    if (/[^A-Za-z0-9+/]/.test(data) || data.length % 4 === 1) return null;
    const binary = atob(data + "=".repeat((4 - (data.length % 4)) % 4));
    return { digest, hex: bytesToHex(Uint8Array.from(binary, (char) => char.charCodeAt(0))) };
  }
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(signature)) return null;
  const digest = HEX_DIGESTS[signature.length];
  return digest ? { digest, hex: signature } : null;
}

/** Whether `digest` is one edgeswift accepts. */
export function isAllowedDigest(digest: string): digest is Digest {
  return (ALLOWED_DIGESTS as readonly string[]).includes(digest);
}

/** Swift: digest.py get_hmac's HMAC, as lower-case hex; null for a key WebCrypto refuses. */
export async function hmacHex(digest: Digest, key: string, message: string): Promise<string | null> {
  const encoder = new TextEncoder();
  try {
    const cryptoKey = await crypto.subtle.importKey(
      "raw",
      encoder.encode(key),
      { name: "HMAC", hash: HASHES[digest] },
      false,
      ["sign"],
    );
    const signature = await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message));
    return bytesToHex(new Uint8Array(signature));
  } catch {
    return null;
  }
}

/** A Temp-URL key and whether the account or the container holds it. */
export interface ScopedKey {
  key: string;
  scope: "account" | "container";
}

/**
 * Swift: tempurl.py _get_keys. X-Account-Meta-Temp-URL-Key[-2], then
 * X-Container-Meta-Temp-URL-Key[-2], those that are set.
 */
export async function tempUrlKeys(
  ctx: ServiceContext,
  account: string,
  container: string | null,
): Promise<ScopedKey[]> {
  const accountRow = await accountInfo(ctx, account);
  const containerRow = container === null ? null : await containerInfo(ctx, account, container);
  const accountMeta = accountRow ? liveMetadata(accountRow.metadata) : {};
  const containerMeta = containerRow ? liveMetadata(containerRow.metadata) : {};
  const keys: ScopedKey[] = [];
  for (const name of [H.X_ACCOUNT_META_TEMP_URL_KEY, H.X_ACCOUNT_META_TEMP_URL_KEY_2]) {
    const key = accountMeta[name];
    if (key !== undefined) keys.push({ key, scope: "account" });
  }
  for (const name of [H.X_CONTAINER_META_TEMP_URL_KEY, H.X_CONTAINER_META_TEMP_URL_KEY_2]) {
    const key = containerMeta[name];
    if (key !== undefined) keys.push({ key, scope: "container" });
  }
  return keys;
}

/** `%Y-%m-%d` as Python's strptime reads it: one-digit fields, a day padded with a space. */
const ISO_DATE = /(\d{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])/;
/** `%H:%M:%S` as Python's strptime reads it: one-digit fields, seconds up to 61. */
const ISO_TIME = /(2[0-3]|[01]\d|\d):([0-5]\d|\d):(6[01]|[0-5]\d|\d)/;
/** `%Y-%m-%dT%H:%M:%SZ` as Python's strptime reads it, in any case. */
const ISO_EXPIRES = new RegExp(`^${ISO_DATE.source}T${ISO_TIME.source}Z$`, "i");

/**
 * `temp_url_expires` as unix seconds: an integer or `%Y-%m-%dT%H:%M:%SZ` as Python's strptime
 * reads it (any case, one-digit fields, a day padded with a space); 0 when unreadable or past.
 */
function expiresOf(text: string, nowMs: number): number {
  let expires = pythonInt(text);
  if (expires === null) {
    const iso = ISO_EXPIRES.exec(text);
    const ms = iso ? utcTime(iso.slice(1), 61) : null;
    if (ms !== null) expires = Math.floor(ms / 1000);
  }
  return expires === null || expires * 1000 < nowMs ? 0 : expires;
}

/** Swift: tempurl.py disposition_format. */
function dispositionFormat(type: "inline" | "attachment", filename: string): string {
  return `${type}; filename="${quote(filename, " /")}"; filename*=UTF-8''${quote(filename)}`;
}

/** Seconds in 400 Gregorian years, after which dates and weekdays repeat. */
const GREGORIAN_CYCLE_SECONDS = 146_097 * 86_400;

/**
 * Swift: strftime("%a, %d %b %Y %H:%M:%S GMT", gmtime(seconds)), also past JavaScript's last
 * date (year 275760): the date is found 400 years at a time.
 */
function httpDate(seconds: number): string {
  const cycles = Math.floor(seconds / GREGORIAN_CYCLE_SECONDS);
  const text = new Date((seconds - cycles * GREGORIAN_CYCLE_SECONDS) * 1000).toUTCString();
  return text.replace(/\d+(?= \d\d:)/, (year) => String(Number(year) + 400 * cycles));
}

/** Response headers a TempURL caller may see: X-Object-Meta-* removed unless X-Object-Meta-Public-*. */
function cleanOutgoing(headers: Headers): void {
  for (const name of [...headers.keys()]) {
    if (name.startsWith(OUTGOING_REMOVE_PREFIX) && !name.startsWith(OUTGOING_ALLOW_PREFIX)) headers.delete(name);
  }
}

const INVALID_BODY = "401 Unauthorized: Temp URL invalid\n";

/** The TempURL stage: a valid signature authorizes the request; any flaw is 401 "Temp URL invalid". */
export const tempurl: Middleware = async (req, next) => {
  const { method } = req.request;
  if (method === "OPTIONS") return next(req);
  const params = req.url.searchParams;
  const signatureText = params.get("temp_url_sig");
  const expiresText = params.get("temp_url_expires");
  if (signatureText === null && expiresText === null) return next(req);
  const invalid = (): SwiftError => {
    req.environ.answeredBeforeController = true;
    return SwiftError.html("Unauthorized", INVALID_BODY, { [H.WWW_AUTHENTICATE]: 'Swift realm="unknown"' });
  };
  const expires = expiresText === null ? 0 : expiresOf(expiresText, Date.now());
  if (!signatureText || !expires) throw invalid();
  const signature = extractDigest(signatureText);
  if (!signature || !isAllowedDigest(signature.digest)) throw invalid();
  const digest = signature.digest;
  const { version, account, container, object } = req.path;
  if (
    !METHODS.includes(method) ||
    version !== "v1" ||
    container === null ||
    object === null ||
    !object.replace(/^\/+|\/+$/g, "")
  )
    throw invalid();
  const ipRange = params.get("temp_url_ip_range");
  if (ipRange) {
    const client = req.request.headers.get(H.CF_CONNECTING_IP);
    if (client === null || !ipInRange(client, ipRange)) throw invalid();
  }
  const keys = await tempUrlKeys(req.ctx, account, container);
  if (!keys.length) throw invalid();
  const prefix = params.get("temp_url_prefix");
  if (prefix !== null && !object.startsWith(prefix)) throw invalid();
  const path =
    prefix === null ? `/v1/${account}/${container}/${object}` : `prefix:/v1/${account}/${container}/${prefix}`;
  // HEAD is allowed whenever GET, PUT or POST is signed.
  const methods = method === "HEAD" ? ["HEAD", "GET", "POST", "PUT"] : [method];
  let scope: ScopedKey["scope"] | null = null;
  for (const signedMethod of methods) {
    for (const { key, scope: keyScope } of keys) {
      const message = `${ipRange ? `ip=${ipRange}\n` : ""}${signedMethod}\n${expires}\n${path}`;
      const expected = await hmacHex(digest, key, message);
      if (scope === null && expected !== null && constantTimeEqual(signature.hex, expected)) scope = keyScope;
    }
  }
  if (scope === null) throw invalid();
  if (!["GET", "HEAD"].includes(method)) {
    for (const name of DISALLOWED_INCOMING_HEADERS) {
      if (req.request.headers.has(name)) {
        req.environ.answeredBeforeController = true;
        throw SwiftError.html("BadRequest", `The header '${titleCase(name)}' is not allowed in this tempurl`);
      }
    }
  }
  // Downstream sees only the TempURL's own parameters (Swift rewrites QUERY_STRING so).
  const url = new URL(req.url);
  const query = new URLSearchParams({ temp_url_sig: signature.hex, temp_url_expires: String(expires) });
  if (prefix !== null) query.set("temp_url_prefix", prefix);
  const filename = params.get("filename");
  if (filename) query.set("filename", filename);
  url.search = query.toString();
  const headers = new Headers(req.request.headers);
  for (const name of INCOMING_REMOVE_HEADERS) headers.delete(name);
  grantSignedScope(req.environ, "tempurl", {
    account,
    container: scope === "account" ? null : container,
    objectPrefix: "",
  });
  const signed: SwiftRequest = {
    ...req,
    url,
    identity: null,
    request: new Request(url, { method, headers, body: req.request.body }),
  };
  let response: Response;
  try {
    response = await next(signed);
  } catch (error) {
    if (!(error instanceof SwiftError)) throw error;
    const errorHeaders = new Headers(error.headers);
    cleanOutgoing(errorHeaders);
    throw error.withHeaders(Object.fromEntries(errorHeaders));
  }
  const cleaned = new Response(response.body, response);
  cleanOutgoing(cleaned.headers);
  if ((method === "GET" || method === "HEAD") && cleaned.status >= 200 && cleaned.status < 300) {
    const existing = cleaned.headers.get(H.CONTENT_DISPOSITION);
    let disposition: string;
    if (params.has("inline")) disposition = filename ? dispositionFormat("inline", filename) : "inline";
    else if (filename) disposition = dispositionFormat("attachment", filename);
    else if (existing !== null) disposition = existing;
    else disposition = dispositionFormat("attachment", object.replace(/\/+$/, "").split("/").pop() ?? "");
    cleaned.headers.set(H.CONTENT_DISPOSITION, disposition.replace(/\n/g, "%0A"));
    cleaned.headers.set(H.EXPIRES, httpDate(expires));
  }
  return cleaned;
};
