/**
 * @module
 * Swift v1 authentication compatible with tempauth: `GET /auth/v1.0` with `X-Auth-User:
 * account:user` and `X-Auth-Key` returns a token and the storage URL. Tokens are signed
 * (HMAC-SHA256) and carry their expiry, so checking one needs no storage round trip.
 * Swift: common/middleware/tempauth.py handle_get_token, get_groups.
 */

import type { Config, Role, User } from "../../common/config";
import { SWOB_DEFAULT_TYPE, SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { decodePath } from "../../common/path";

/** Who is calling: the authenticated user and the accounts they own. */
export interface Identity {
  account: string;
  user: string;
  roles: ReadonlySet<Role>;
}

export const RESELLER_PREFIX = "AUTH_";
const TOKEN_PREFIX = "AUTH_tk";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const verified = new Map<string, { identity: Identity; expiresAt: number }>();
const VERIFIED_MAX = 10_000;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The storage account of a tempauth account name: `test` → `AUTH_test`. */
export function storageAccount(account: string): string {
  return `${RESELLER_PREFIX}${account}`;
}

/** Mints a signed token for a user, valid until `expiresAt` (unix seconds). */
export async function mintToken(config: Config, user: User, expiresAt: number): Promise<string> {
  const payload = encoder.encode(JSON.stringify({ a: user.account, u: user.user, r: [...user.roles], e: expiresAt }));
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(config.tokenSecret), payload));
  return `${TOKEN_PREFIX}${base64url(payload)}.${base64url(signature)}`;
}

/** The identity a token proves, or null when it is forged, malformed or expired. */
export async function verifyToken(config: Config, token: string, nowMs: number): Promise<Identity | null> {
  const cached = verified.get(token);
  if (cached) {
    if (cached.expiresAt * 1000 > nowMs) return cached.identity;
    verified.delete(token);
    return null;
  }
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [payloadText, signatureText] = token.slice(TOKEN_PREFIX.length).split(".");
  if (!payloadText || !signatureText) return null;
  let payload: Uint8Array;
  let signature: Uint8Array;
  try {
    payload = fromBase64url(payloadText);
    signature = fromBase64url(signatureText);
  } catch {
    return null;
  }
  if (!(await crypto.subtle.verify("HMAC", await hmacKey(config.tokenSecret), signature, payload))) return null;
  const claims = JSON.parse(new TextDecoder().decode(payload)) as { a: string; u: string; r: Role[]; e: number };
  if (claims.e * 1000 <= nowMs) return null;
  const identity: Identity = { account: claims.a, user: claims.u, roles: new Set(claims.r) };
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.set(token, { identity, expiresAt: claims.e });
  return identity;
}

/** What a token request names: the user and key to check, or the realm of its 401. */
type Credentials = { account: string; user: string; key: string } | { realm: string };

/** A header's value, "" when absent (Python's `headers.get(name)` read for truth). */
function headerOf(request: Request, name: string): string {
  return request.headers.get(name) ?? "";
}

/**
 * Swift: tempauth handle_get_token, read exactly: on `/auth/v1/{account}/auth` the account is
 * the path's, X-Storage-User is a bare user name (X-Auth-User must be `account:user` of that
 * account) and X-Storage-Pass comes before X-Auth-Key; on `/auth/v1.0` and `/auth/auth`
 * X-Auth-User (else X-Storage-User) is `account:user` and X-Auth-Key comes first. An empty
 * header counts as absent.
 */
function credentialsOf(request: Request): Credentials {
  const segments = new URL(request.url).pathname.split("/");
  if (segments[2] === "v1") {
    const account = decodePath(segments[3] ?? "");
    let user = headerOf(request, H.X_STORAGE_USER);
    if (!user) {
      const named = headerOf(request, H.X_AUTH_USER);
      const colon = named.indexOf(":");
      if (colon < 0 || named.slice(0, colon) !== account) return { realm: account };
      user = named.slice(colon + 1);
    }
    return { account, user, key: headerOf(request, H.X_STORAGE_PASS) || headerOf(request, H.X_AUTH_KEY) };
  }
  const named = headerOf(request, H.X_AUTH_USER) || headerOf(request, H.X_STORAGE_USER);
  const colon = named.indexOf(":");
  if (colon < 0) return { realm: "unknown" };
  return { account: named.slice(0, colon), user: named.slice(colon + 1), key: headerOf(request, H.X_AUTH_KEY) || headerOf(request, H.X_STORAGE_PASS) };
}

/** Tempauth's 401 for a token request, naming the realm it names. */
function refused(realm: string): SwiftError {
  return new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: `Swift realm="${realm}"` });
}

/**
 * Swift: tempauth handle_get_token. 200 with X-Auth-Token, X-Storage-Token, X-Auth-Token-Expires
 * and X-Storage-Url (swob's default content type, no body); 401 with Www-Authenticate for
 * missing or wrong credentials: realm the account named, or "unknown" for a wrong key or a user
 * without an account.
 */
export async function handleGetToken(config: Config, request: Request, nowMs: number): Promise<Response> {
  const credentials = credentialsOf(request);
  if ("realm" in credentials) throw refused(credentials.realm);
  const { account, user: name, key } = credentials;
  if (!account || !name || !key) throw refused(account || "unknown");
  const user = config.users.get(`${account}:${name}`);
  if (!user) throw refused(account);
  if (!timingSafeEqual(key, user.key)) throw refused("unknown");
  const expiresAt = Math.floor(nowMs / 1000) + config.tokenLifeSeconds;
  const token = await mintToken(config, user, expiresAt);
  const url = new URL(request.url);
  return new Response(null, {
    status: 200,
    headers: {
      [H.X_AUTH_TOKEN]: token,
      [H.X_STORAGE_TOKEN]: token,
      [H.X_AUTH_TOKEN_EXPIRES]: String(config.tokenLifeSeconds),
      [H.X_STORAGE_URL]: `${url.protocol}//${url.host}/v1/${storageAccount(user.account)}`,
      [H.CONTENT_TYPE]: SWOB_DEFAULT_TYPE,
    },
  });
}

function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}

/** The identity of a request's X-Auth-Token (or X-Storage-Token); null when anonymous or invalid. */
export async function identify(config: Config, request: Request, nowMs: number): Promise<Identity | null> {
  const token = request.headers.get(H.X_AUTH_TOKEN) ?? request.headers.get(H.X_STORAGE_TOKEN);
  if (!token) return null;
  return verifyToken(config, token, nowMs);
}
