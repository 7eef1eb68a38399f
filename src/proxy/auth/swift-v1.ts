/**
 * @module
 * Swift v1 authentication compatible with tempauth: `GET /auth/v1.0` with `X-Auth-User:
 * account:user` and `X-Auth-Key` returns a token and the storage URL. Tokens are signed
 * (HMAC-SHA256) and carry their expiry, so checking one needs no storage round trip. A valid
 * X-Service-Token beside a valid X-Auth-Token adds its user's groups to the request's.
 * Swift: common/middleware/tempauth.py __call__, handle_get_token, get_groups, _get_user_groups.
 */

import { DEFAULT_RESELLER_PREFIXES, type Config, type User } from "../../config/config";
import { SWOB_DEFAULT_TYPE, SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { decodePath } from "../../common/path";
import { base64url, fromBase64url } from "../../common/base64url";
import { constantTimeEqual } from "../../common/compare";

/** Who is calling: the authenticated user and the accounts they own. */
export interface Identity {
  account: string;
  user: string;
  /**
   * The request's tempauth groups besides the names: the user's from AUTH_USERS and, with a
   * service token, the service user's but `.admin` (which stands for the service user's own
   * accounts, named by `service`).
   */
  roles: ReadonlySet<string>;
  /** The user of a valid X-Service-Token sent with a valid X-Auth-Token. */
  service?: Identity;
}

/** Swift's default reseller prefix (the first of DEFAULT_RESELLER_PREFIXES). */
export const RESELLER_PREFIX = "AUTH_";

/** The header carrying a service's token beside the user's (Swift: tempauth HTTP_X_SERVICE_TOKEN). */
export const X_SERVICE_TOKEN = "x-service-token";

/** The reseller prefixes tempauth serves, in order (Swift: tempauth self.reseller_prefixes). */
export function resellerPrefixesOf(config: Pick<Config, "resellerPrefixes">): readonly string[] {
  return config.resellerPrefixes;
}

/** The first reseller prefix, which names tokens and storage accounts (Swift: tempauth self.reseller_prefix). */
export function tokenResellerPrefix(config: Pick<Config, "resellerPrefixes">): string {
  return resellerPrefixesOf(config)[0] ?? RESELLER_PREFIX;
}

/**
 * The reseller prefix an account is under, or null when tempauth does not serve it; the first
 * match in the configured order. Swift: tempauth _get_account_prefix.
 */
export function accountPrefix(config: Pick<Config, "resellerPrefixes">, account: string): string | null {
  return resellerPrefixesOf(config).find((prefix) => account.startsWith(prefix)) ?? null;
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const verified = new Map<string, { identity: Identity; expiresAt: number }>();
const VERIFIED_MAX = 10_000;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

/**
 * The storage account of a tempauth account name under a prefix: `test` → `AUTH_test`; users'
 * storage URLs name it under the first prefix. Swift: tempauth __init__ (`$HOST/v1/<reseller_prefix><account>`).
 */
export function storageAccount(account: string, prefix = RESELLER_PREFIX): string {
  return `${prefix}${account}`;
}

/**
 * One user's tempauth groups: the account, `account:user`, the user's groups, and for `.admin`
 * (itself left out) the account under every reseller prefix. Swift: tempauth _get_user_groups.
 */
function userGroups(identity: Identity, prefixes: readonly string[]): string[] {
  const groups = [
    identity.account,
    `${identity.account}:${identity.user}`,
    ...[...identity.roles].filter((role) => role !== ".admin"),
  ];
  if (identity.roles.has(".admin")) groups.push(...prefixes.map((prefix) => storageAccount(identity.account, prefix)));
  return groups;
}

/**
 * The request's groups as tempauth's authorize reads them (Swift's REMOTE_USER, split): the
 * user's, then the service token's user's; none for an anonymous request. Swift: tempauth
 * __call__ (`groups += ',' + service_groups`), _get_user_groups.
 */
export function requestGroups(config: Pick<Config, "resellerPrefixes">, identity: Identity | null): string[] {
  if (!identity) return [];
  const prefixes = resellerPrefixesOf(config);
  return [...userGroups(identity, prefixes), ...(identity.service ? userGroups(identity.service, prefixes) : [])];
}

/** Mints a signed token for a user, valid until `expiresAt` (unix seconds). */
export async function mintToken(config: Config, user: User, expiresAt: number): Promise<string> {
  const payload = encoder.encode(JSON.stringify({ a: user.account, u: user.user, r: [...user.roles], e: expiresAt }));
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(config.tokenSecret), payload));
  return `${tokenResellerPrefix(config)}tk${base64url(payload)}.${base64url(signature)}`;
}

/** The identity a token proves, or null when it is forged, malformed or expired. */
export async function verifyToken(config: Config, token: string, nowMs: number): Promise<Identity | null> {
  const cached = verified.get(token);
  if (cached) {
    if (cached.expiresAt * 1000 > nowMs) return cached.identity;
    verified.delete(token);
    return null;
  }
  const tokenPrefix = `${tokenResellerPrefix(config)}tk`;
  if (!token.startsWith(tokenPrefix)) return null;
  const parts = token.slice(tokenPrefix.length).split(".");
  const [payloadText, signatureText] = parts;
  if (parts.length !== 2 || !payloadText || !signatureText) return null;
  let payload: Uint8Array;
  let signature: Uint8Array;
  try {
    payload = fromBase64url(payloadText);
    signature = fromBase64url(signatureText);
  } catch {
    return null;
  }
  // Only the text minted is the token (tempauth looks a token up whole): atob also reads text
  // with white space, padding or other unused bits, which would make other texts tokens too.
  if (base64url(payload) !== payloadText || base64url(signature) !== signatureText) return null;
  if (!(await crypto.subtle.verify("HMAC", await hmacKey(config.tokenSecret), signature, payload))) return null;
  const claims = JSON.parse(new TextDecoder().decode(payload)) as { a: string; u: string; r: string[]; e: number };
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
  return {
    account: named.slice(0, colon),
    user: named.slice(colon + 1),
    key: headerOf(request, H.X_AUTH_KEY) || headerOf(request, H.X_STORAGE_PASS),
  };
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
  if (!constantTimeEqual(key, user.key)) throw refused("unknown");
  const expiresAt = Math.floor(nowMs / 1000) + config.tokenLifeSeconds;
  const token = await mintToken(config, user, expiresAt);
  const url = new URL(request.url);
  return new Response(null, {
    status: 200,
    headers: {
      [H.X_AUTH_TOKEN]: token,
      [H.X_STORAGE_TOKEN]: token,
      [H.X_AUTH_TOKEN_EXPIRES]: String(config.tokenLifeSeconds),
      [H.X_STORAGE_URL]: `${url.protocol}//${url.host}/v1/${storageAccount(user.account, tokenResellerPrefix(config))}`,
      [H.CONTENT_TYPE]: SWOB_DEFAULT_TYPE,
    },
  });
}

/**
 * The identity of a request's X-Auth-Token (or X-Storage-Token); null when anonymous or invalid.
 * A valid X-Service-Token adds its user as `service` and that user's groups but `.admin` to the
 * roles; an invalid one, or one without a valid X-Auth-Token, adds nothing.
 * Swift: tempauth __call__.
 */
export async function identify(config: Config, request: Request, nowMs: number): Promise<Identity | null> {
  const token = request.headers.get(H.X_AUTH_TOKEN) ?? request.headers.get(H.X_STORAGE_TOKEN);
  if (!token) return null;
  const identity = await verifyToken(config, token, nowMs);
  const serviceToken = request.headers.get(X_SERVICE_TOKEN);
  if (!identity || !serviceToken) return identity;
  const service = await verifyToken(config, serviceToken, nowMs);
  if (!service) return identity;
  const roles = new Set([...identity.roles, ...[...service.roles].filter((role) => role !== ".admin")]);
  return { ...identity, roles, service };
}
