/**
 * @module
 * Swift v1 authentication compatible with tempauth: `GET /auth/v1.0` with `X-Auth-User:
 * account:user` and `X-Auth-Key` returns a token and the storage URL. Tokens are signed
 * (HMAC-SHA256) and carry their expiry, so checking one needs no storage round trip.
 * Swift: common/middleware/tempauth.py handle_get_token, get_groups.
 */

import type { Config, Role, User } from "../../common/config";
import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";

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

/**
 * Swift: tempauth handle_get_token. 200 with X-Auth-Token, X-Storage-Token, X-Auth-Token-Expires
 * and X-Storage-Url; 401 with Www-Authenticate for missing or wrong credentials.
 */
export async function handleGetToken(config: Config, request: Request, nowMs: number): Promise<Response> {
  const userHeader = request.headers.get(H.X_AUTH_USER) ?? request.headers.get(H.X_STORAGE_USER);
  const key = request.headers.get(H.X_AUTH_KEY) ?? request.headers.get(H.X_STORAGE_PASS);
  const realm = userHeader?.split(":")[0] || "unknown";
  const user = userHeader ? config.users.get(userHeader) : undefined;
  if (!user || key === null || !timingSafeEqual(key, user.key)) {
    throw new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: `Swift realm="${realm}"` });
  }
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
      [H.CONTENT_TYPE]: "text/plain; charset=UTF-8",
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
