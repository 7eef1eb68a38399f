/**
 * @module
 * Every header name edgeswift reads or writes, and the typed readers over them
 * (metadata with Swift's limits, booleans as Swift's config_true_value reads them).
 */

import {
  MAX_HEADER_SIZE,
  MAX_META_COUNT,
  MAX_META_NAME_LENGTH,
  MAX_META_OVERALL_SIZE,
  MAX_META_VALUE_LENGTH,
} from "./constraints";
import { SwiftError } from "./errors";

export const H = {
  ACCEPT: "accept",
  ACCEPT_RANGES: "accept-ranges",
  AUTHORIZATION: "authorization",
  ALLOW: "allow",
  CACHE_CONTROL: "cache-control",
  CONTENT_DISPOSITION: "content-disposition",
  CONTENT_LANGUAGE: "content-language",
  CONTENT_ENCODING: "content-encoding",
  CONTENT_LENGTH: "content-length",
  CONTENT_RANGE: "content-range",
  CONTENT_TYPE: "content-type",
  DESTINATION: "destination",
  DESTINATION_ACCOUNT: "destination-account",
  ETAG: "etag",
  IF_MATCH: "if-match",
  IF_MODIFIED_SINCE: "if-modified-since",
  IF_NONE_MATCH: "if-none-match",
  IF_UNMODIFIED_SINCE: "if-unmodified-since",
  LAST_MODIFIED: "last-modified",
  RANGE: "range",
  TRANSFER_ENCODING: "transfer-encoding",
  VARY: "vary",
  WWW_AUTHENTICATE: "www-authenticate",
  X_ACCOUNT_BYTES_USED: "x-account-bytes-used",
  X_ACCOUNT_CONTAINER_COUNT: "x-account-container-count",
  X_ACCOUNT_OBJECT_COUNT: "x-account-object-count",
  X_ACCOUNT_STORAGE_POLICY_PREFIX: "x-account-storage-policy-",
  X_AUTH_KEY: "x-auth-key",
  X_AUTH_TOKEN: "x-auth-token",
  X_AUTH_TOKEN_EXPIRES: "x-auth-token-expires",
  X_AUTH_USER: "x-auth-user",
  X_CONTAINER_BYTES_USED: "x-container-bytes-used",
  X_CONTAINER_OBJECT_COUNT: "x-container-object-count",
  X_CONTAINER_READ: "x-container-read",
  X_CONTAINER_WRITE: "x-container-write",
  X_COPIED_FROM: "x-copied-from",
  X_COPIED_FROM_ACCOUNT: "x-copied-from-account",
  X_COPIED_FROM_LAST_MODIFIED: "x-copied-from-last-modified",
  X_COPY_FROM: "x-copy-from",
  X_COPY_FROM_ACCOUNT: "x-copy-from-account",
  X_DELETE_AFTER: "x-delete-after",
  X_DELETE_AT: "x-delete-at",
  X_DETECT_CONTENT_TYPE: "x-detect-content-type",
  X_FRESH_METADATA: "x-fresh-metadata",
  X_IF_DELETE_AT: "x-if-delete-at",
  X_MANIFEST_ETAG: "x-manifest-etag",
  X_NEWEST: "x-newest",
  X_CONSISTENCY: "x-consistency",
  X_OPENSTACK_REQUEST_ID: "x-openstack-request-id",
  X_PUT_TIMESTAMP: "x-put-timestamp",
  X_STATIC_LARGE_OBJECT: "x-static-large-object",
  X_STORAGE_PASS: "x-storage-pass",
  X_STORAGE_POLICY: "x-storage-policy",
  X_STORAGE_TOKEN: "x-storage-token",
  X_STORAGE_URL: "x-storage-url",
  X_STORAGE_USER: "x-storage-user",
  X_TIMESTAMP: "x-timestamp",
  X_TRANS_ID: "x-trans-id",
  X_TRANS_ID_EXTRA: "x-trans-id-extra",
  // Access: ACLs, TempURL, FormPOST, CORS.
  ACCESS_CONTROL_ALLOW_HEADERS: "access-control-allow-headers",
  ACCESS_CONTROL_ALLOW_METHODS: "access-control-allow-methods",
  ACCESS_CONTROL_ALLOW_ORIGIN: "access-control-allow-origin",
  ACCESS_CONTROL_EXPOSE_HEADERS: "access-control-expose-headers",
  ACCESS_CONTROL_MAX_AGE: "access-control-max-age",
  ACCESS_CONTROL_REQUEST_HEADERS: "access-control-request-headers",
  ACCESS_CONTROL_REQUEST_METHOD: "access-control-request-method",
  CF_CONNECTING_IP: "cf-connecting-ip",
  EXPIRES: "expires",
  LOCATION: "location",
  ORIGIN: "origin",
  REFERER: "referer",
  X_ACCOUNT_ACCESS_CONTROL: "x-account-access-control",
  X_ACCOUNT_META_TEMP_URL_KEY: "x-account-meta-temp-url-key",
  X_ACCOUNT_META_TEMP_URL_KEY_2: "x-account-meta-temp-url-key-2",
  X_CONTAINER_META_ACCESS_CONTROL_ALLOW_ORIGIN: "x-container-meta-access-control-allow-origin",
  X_CONTAINER_META_ACCESS_CONTROL_EXPOSE_HEADERS: "x-container-meta-access-control-expose-headers",
  X_CONTAINER_META_ACCESS_CONTROL_MAX_AGE: "x-container-meta-access-control-max-age",
  X_CONTAINER_META_TEMP_URL_KEY: "x-container-meta-temp-url-key",
  X_CONTAINER_META_TEMP_URL_KEY_2: "x-container-meta-temp-url-key-2",
  X_CONTAINER_SYNC_KEY: "x-container-sync-key",
  X_CONTAINER_SYNC_TO: "x-container-sync-to",
  X_OBJECT_MANIFEST: "x-object-manifest",
  X_SYMLINK_TARGET: "x-symlink-target",
  // Bulk, quotas, versioning, symlinks, static web.
  CONTENT_LOCATION: "content-location",
  X_HISTORY_LOCATION: "x-history-location",
  X_SYMLINK_TARGET_ACCOUNT: "x-symlink-target-account",
  X_SYMLINK_TARGET_BYTES: "x-symlink-target-bytes",
  X_SYMLINK_TARGET_ETAG: "x-symlink-target-etag",
  X_VERSIONS_LOCATION: "x-versions-location",
  X_WEB_MODE: "x-web-mode",
  // Object versioning (X-Versions-Enabled): what clients see, and the sysmeta it is kept as.
  X_CONTAINER_SYSMETA_VERSIONS_CONTAINER: "x-container-sysmeta-versions-container",
  X_CONTAINER_SYSMETA_VERSIONS_ENABLED: "x-container-sysmeta-versions-enabled",
  X_COPIED_FROM_VERSION_ID: "x-copied-from-version-id",
  X_OBJECT_CURRENT_VERSION_ID: "x-object-current-version-id",
  X_OBJECT_VERSION_ID: "x-object-version-id",
  X_VERSIONS_ENABLED: "x-versions-enabled",
} as const;

export type MetadataTarget = "account" | "container" | "object";

/** Header name prefix of user metadata for a resource level: `x-object-meta-`. */
export function metaPrefix(target: MetadataTarget): string {
  return `x-${target}-meta-`;
}

/**
 * Header name prefix of object system metadata: stored with the object by edgeswift's own
 * middleware (S3's multipart ETag), never set or seen by a client (Swift: request_helpers
 * get_sys_meta_prefix, which the gatekeeper strips both ways).
 */
export const OBJECT_SYSMETA_PREFIX = "x-object-sysmeta-";

/** Header name prefix of a level's system metadata: `x-container-sysmeta-`. */
export function sysmetaPrefix(target: MetadataTarget): string {
  return `x-${target}-sysmeta-`;
}

/** Header name prefix of metadata removal for accounts and containers: `x-remove-container-meta-`. */
export function removeMetaPrefix(target: MetadataTarget): string {
  return `x-remove-${target}-meta-`;
}

const encoder = new TextEncoder();

/** `content-type` → `Content-Type`, as WSGI hands header names to Swift (its messages show them so). */
export function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** UTF-8 byte length, which is what Swift's limits count. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Swift: common/constraints.py check_metadata. Throws 400 with Swift's message on the first
 * violation; counts bytes, as Swift does.
 */
export function checkMetadata(headers: Headers, target: MetadataTarget): void {
  const prefix = metaPrefix(target);
  let count = 0;
  let size = 0;
  for (const [name, value] of headers) {
    if (value.length > MAX_HEADER_SIZE) {
      throw new SwiftError("BadRequest", `Header value too long: ${name.slice(0, MAX_META_NAME_LENGTH)}`);
    }
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    if (!key) throw new SwiftError("BadRequest", "Metadata name cannot be empty");
    count += 1;
    const keyBytes = byteLength(key);
    const valueBytes = byteLength(value);
    size += keyBytes + valueBytes;
    if (keyBytes > MAX_META_NAME_LENGTH)
      throw new SwiftError("BadRequest", `Metadata name too long: ${prefix}${titleCase(key)}`);
    if (valueBytes > MAX_META_VALUE_LENGTH) {
      throw new SwiftError(
        "BadRequest",
        `Metadata value longer than ${MAX_META_VALUE_LENGTH}: ${prefix}${titleCase(key)}`,
      );
    }
    if (count > MAX_META_COUNT) throw new SwiftError("BadRequest", `Too many metadata items; max ${MAX_META_COUNT}`);
    if (size > MAX_META_OVERALL_SIZE)
      throw new SwiftError("BadRequest", `Total metadata too large; max ${MAX_META_OVERALL_SIZE}`);
  }
}

const USER_META_PREFIXES = [metaPrefix("account"), metaPrefix("container")] as const;

/** Length in code points, as Python's len() counts a str. */
function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // A low surrogate after a high one ends a pair already counted.
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) continue;
    }
    length += 1;
  }
  return length;
}

/**
 * The limits on an account's or container's metadata as stored, after a write merged into it:
 * the reason to refuse the write (400), or null. Only user metadata with a value counts
 * (`x-account-meta-*`, `x-container-meta-*`; not ACLs or sysmeta, not removed items), names
 * without their prefix; sizes in characters, as Swift's servers count a decoded str (the
 * proxy's checkMetadata counts a request's bytes).
 * Swift: common/db.py DatabaseBroker.validate_metadata.
 */
export function storedMetadataError(metadata: Iterable<readonly [string, string]>): string | null {
  let count = 0;
  let size = 0;
  for (const [name, value] of metadata) {
    const key = name.toLowerCase();
    const prefix = USER_META_PREFIXES.find((candidate) => key.startsWith(candidate));
    if (!value || prefix === undefined) continue;
    count += 1;
    size += codePointLength(key.slice(prefix.length)) + codePointLength(value);
  }
  if (count > MAX_META_COUNT) return `Too many metadata items; max ${MAX_META_COUNT}`;
  if (size > MAX_META_OVERALL_SIZE) return `Total metadata too large; max ${MAX_META_OVERALL_SIZE}`;
  return null;
}

/**
 * Metadata updates for an account or container POST/PUT: set values, and "" for removals
 * (an empty value or an `X-Remove-…-Meta-*` header), as Swift stores them; system metadata too,
 * which only edgeswift's own requests carry (the Swift router drops a client's).
 */
export function metadataUpdates(
  headers: Headers,
  target: MetadataTarget,
  extraNames: readonly string[] = [],
): Record<string, string> {
  const prefix = metaPrefix(target);
  const removePrefix = removeMetaPrefix(target);
  const updates: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith(prefix)) updates[name] = value.trim();
    else if (name.startsWith(sysmetaPrefix(target))) updates[name] = value;
    else if (name.startsWith(removePrefix)) updates[prefix + name.slice(removePrefix.length)] = "";
    else if (extraNames.includes(name)) updates[name] = value.trim();
    else if (name.startsWith("x-remove-") && extraNames.includes(`x-${name.slice("x-remove-".length)}`)) {
      updates[`x-${name.slice("x-remove-".length)}`] = "";
    }
  }
  return updates;
}

/** Swift: common/utils config_true_value. */
export function isTrue(value: string | null | undefined): boolean {
  return (
    value !== null && value !== undefined && ["true", "1", "yes", "on", "t", "y"].includes(value.trim().toLowerCase())
  );
}
