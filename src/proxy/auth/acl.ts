/**
 * @module
 * Who may do what, as tempauth decides it: the reseller admin and a `.admin` user of the account
 * own it; container ACLs (`X-Container-Read`/`-Write`: groups, users and referrers) and account
 * ACLs (`X-Account-Access-Control`: admin, read-write, read-only) grant the rest. Pure: the
 * authorize stage (authorize.ts) fetches the ACLs and applies the verdict.
 * Swift: common/middleware/acl.py, common/middleware/tempauth.py authorize, denied_response.
 */

import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { pythonJson, pythonRepr, unquote } from "../../common/python";
import { RESELLER_PREFIX, storageAccount, type Identity } from "./swift-v1";

/** Whether the identity owns the account (Swift's swift_owner). */
export function isOwner(identity: Identity | null, account: string): boolean {
  if (!identity) return false;
  if (!account.startsWith(RESELLER_PREFIX)) return false;
  if (identity.roles.has(".reseller_admin")) return true;
  return identity.roles.has(".admin") && storageAccount(identity.account) === account;
}

/** Whether the identity is a reseller admin. */
export function isResellerAdmin(identity: Identity | null): boolean {
  return identity?.roles.has(".reseller_admin") ?? false;
}

/** Tempauth's refusal: 403 for an authenticated caller, 401 with Www-Authenticate for an anonymous one. */
export function denied(identity: Identity | null, account: string): SwiftError {
  if (identity) return new SwiftError("Forbidden");
  return new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: `Swift realm="${account}"` });
}

/** Throws tempauth's refusal unless the identity owns the account. */
export function requireOwner(identity: Identity | null, account: string): void {
  if (!isOwner(identity, account)) throw denied(identity, account);
}

const REFERRER_DESIGNATORS = [".r", ".ref", ".referer", ".referrer"];

/**
 * Swift: acl.py clean_acl. The cleaned form of an `X-Container-Read`/`-Write` value (`.ref:*.a.com`
 * → `.r:.a.com`, empty items dropped); 400 with Swift's message for a referrer in a write ACL,
 * a referrer without a host, or an unknown `.designator`.
 */
export function cleanAcl(name: string, value: string): string {
  const values: string[] = [];
  for (const item of value.split(",")) {
    const raw = item.trim();
    if (!raw) continue;
    const colon = raw.indexOf(":");
    if (colon < 0) {
      values.push(raw);
      continue;
    }
    const first = raw.slice(0, colon).trim();
    let second = raw.slice(colon + 1).trim();
    if (!first.startsWith(".")) {
      values.push(raw);
    } else if (REFERRER_DESIGNATORS.includes(first)) {
      if (name.toLowerCase().includes("write"))
        throw SwiftError.html("BadRequest", `Referrers not allowed in write ACL: ${pythonRepr(raw)}`);
      const negate = second.startsWith("-");
      if (negate) second = second.slice(1).trim();
      if (second && second !== "*" && second.startsWith("*")) second = second.slice(1).trim();
      if (!second || second === ".")
        throw SwiftError.html(
          "BadRequest",
          `No host/domain value after referrer designation in ACL: ${pythonRepr(raw)}`,
        );
      values.push(`.r:${negate ? "-" : ""}${second}`);
    } else {
      throw SwiftError.html("BadRequest", `Unknown designator ${pythonRepr(first)} in ACL: ${pythonRepr(raw)}`);
    }
  }
  return values.join(",");
}

/** A container ACL split into referrer designations (without `.r:`) and groups. Swift: acl.py parse_acl_v1. */
export interface ContainerAcl {
  referrers: string[];
  groups: string[];
}

/** Swift: acl.py parse_acl_v1. */
export function parseAcl(value: string | null | undefined): ContainerAcl {
  const acl: ContainerAcl = { referrers: [], groups: [] };
  if (!value) return acl;
  for (const item of value.split(",")) {
    if (item.startsWith(".r:")) acl.referrers.push(item.slice(3));
    else acl.groups.push(unquote(item));
  }
  return acl;
}

/** The host of a Referer as Python's urlparse(...).hostname reads it, or "unknown". */
function refererHost(referer: string | null): string {
  if (!referer) return "unknown";
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/?#]*)/.exec(referer);
  if (!match) return "unknown";
  const netloc = (match[1] ?? "").slice((match[1] ?? "").lastIndexOf("@") + 1);
  // An IPv6 host is bracketed; otherwise a port follows the last colon.
  const host = netloc.startsWith("[") ? (/^\[([^\]]*)\]/.exec(netloc)?.[1] ?? "") : (netloc.split(":")[0] ?? "");
  return host ? host.toLowerCase() : "unknown";
}

/**
 * Swift: acl.py referrer_allowed. Designations apply in order: `*`, a host, or a `.domain`
 * suffix allow; the same with a leading `-` deny.
 */
export function referrerAllowed(referer: string | null, referrers: readonly string[]): boolean {
  if (!referrers.length) return false;
  let allow = false;
  const host = refererHost(referer);
  for (const designation of referrers) {
    if (designation.startsWith("-")) {
      const denied = designation.slice(1);
      if (denied === host || (denied.startsWith(".") && host.endsWith(denied))) allow = false;
    } else if (
      designation === "*" ||
      designation === host ||
      (designation.startsWith(".") && host.endsWith(designation))
    ) {
      allow = true;
    }
  }
  return allow;
}

/** Tempauth's account ACL: who is admin (owner), read-write and read-only. */
export interface AccountAcl {
  admin: string[];
  "read-write": string[];
  "read-only": string[];
}

const ACCOUNT_ACL_KEYS = ["admin", "read-write", "read-only"] as const;

/** Swift: acl.py parse_acl_v2. The JSON object, {} for "", null when it is not a JSON object. */
function parseAclV2(value: string): Record<string, unknown> | null {
  if (value === "") return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * How Swift writes account ACLs and their keys: json.dumps(ensure_ascii=True, separators=(',', ':'), sort_keys=True).
 */
const ACL_JSON = { compact: true, sortKeys: true } as const;

/**
 * Swift: tempauth extract_acl_and_report_errors. Null when `value` is a valid tempauth account
 * ACL, else the 400 message tempauth sends.
 */
export function accountAclError(value: string): string | null {
  const acl = parseAclV2(value);
  const error = ((): string | null => {
    if (acl === null) return `Syntax error in input (${pythonRepr(value)})`;
    for (const key of Object.keys(acl)) {
      if (!(ACCOUNT_ACL_KEYS as readonly string[]).includes(key))
        return `Key ${pythonJson(key, ACL_JSON)} not recognized`;
    }
    for (const key of ACCOUNT_ACL_KEYS) {
      if (!(key in acl)) continue;
      const grantees = acl[key];
      if (!Array.isArray(grantees)) return `Value for key ${pythonJson(key, ACL_JSON)} must be a list`;
      if (grantees.some((grantee) => typeof grantee !== "string"))
        return `Elements of ${pythonJson(key, ACL_JSON)} list must be strings`;
    }
    return null;
  })();
  return error === null ? null : `X-Account-Access-Control invalid: ${error}\n\nInput: ${value}\n`;
}

/** Swift: acl.py acls_from_account_info. The stored account ACL, or null when it grants nobody anything. */
export function parseAccountAcl(value: string | undefined): AccountAcl | null {
  if (value === undefined) return null;
  const acl = parseAclV2(value);
  if (acl === null) return null;
  const list = (key: (typeof ACCOUNT_ACL_KEYS)[number]): string[] => {
    const grantees = acl[key];
    return Array.isArray(grantees) ? grantees.filter((grantee): grantee is string => typeof grantee === "string") : [];
  };
  const parsed: AccountAcl = { admin: list("admin"), "read-write": list("read-write"), "read-only": list("read-only") };
  if (!parsed.admin.length && !parsed["read-write"].length && !parsed["read-only"].length) return null;
  return parsed;
}

/**
 * Swift: proxy/controllers/account.py add_acls_from_sys_metadata. The stored account ACL as an
 * owner sees it (compact, sorted JSON); null when it is empty.
 */
export function formatAccountAcl(value: string): string | null {
  const acl = parseAclV2(value);
  if (!acl || !Object.keys(acl).length) return null;
  return pythonJson(acl, ACL_JSON);
}

/** What tempauth decided: the caller owns the account, is allowed this request, or is refused. */
export type Verdict = "owner" | "allowed" | "denied";

/**
 * Headers only an owner may set or see (Swift: proxy/server.py swift_owner_headers): stripped
 * from non-owners' container writes and from their account and container responses.
 */
export const OWNER_ONLY_HEADERS: readonly string[] = [
  H.X_CONTAINER_READ,
  H.X_CONTAINER_WRITE,
  H.X_CONTAINER_SYNC_KEY,
  H.X_CONTAINER_SYNC_TO,
  H.X_ACCOUNT_META_TEMP_URL_KEY,
  H.X_ACCOUNT_META_TEMP_URL_KEY_2,
  H.X_CONTAINER_META_TEMP_URL_KEY,
  H.X_CONTAINER_META_TEMP_URL_KEY_2,
  H.X_ACCOUNT_ACCESS_CONTROL,
];
