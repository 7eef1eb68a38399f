/**
 * @module
 * Swift's constraints with their default values (common/constraints.py), the ones edgeswift
 * enforces and publishes in `/info`, plus the bounds of edgeswift's own loops.
 */

export const MAX_META_NAME_LENGTH = 128;
export const MAX_META_VALUE_LENGTH = 256;
export const MAX_META_COUNT = 90;
export const MAX_META_OVERALL_SIZE = 4096;
export const MAX_HEADER_SIZE = 8192;
export const MAX_OBJECT_NAME_LENGTH = 1024;
export const CONTAINER_LISTING_LIMIT = 10_000;
export const ACCOUNT_LISTING_LIMIT = 10_000;
export const MAX_ACCOUNT_NAME_LENGTH = 256;
export const MAX_CONTAINER_NAME_LENGTH = 256;
export const VALID_API_VERSIONS = ["v1", "v1.0"] as const;
export const EXTRA_HEADER_COUNT = 0;

/** Swift: swob.py Range: more ranges than this, or too many overlaps / out-of-order ranges → 416. */
export const MAX_RANGES = 50;
export const MAX_RANGE_OVERLAPS = 2;
export const MAX_NONASCENDING_RANGES = 8;

/** Replica counts and listing sizes stay inside one RPC (32 MiB) and one SQL statement's bounds. */
export const ROWS_PER_RPC_MAX = 1_000;

/** A container update an object replica could not deliver is retried by its alarm after this delay. */
export const UPDATE_RETRY_MS = 1_000;
/** How long an object replica waits for the container replica before queueing the update (Swift: container_update_timeout). */
export const CONTAINER_UPDATE_TIMEOUT_MS = 1_000;
/** How long the proxy waits for a replica (Swift: node_timeout). */
export const NODE_TIMEOUT_MS = 10_000;
/** How long the proxy waits for the remaining replicas once it has a quorum (Swift: post_quorum_timeout). */
export const POST_QUORUM_TIMEOUT_MS = 500;

/** Parts of a chunked upload (R2 multipart: uniform sizes but the last, at least 5 MiB). */
export const CHUNKED_PART_SIZE = 5 * 1024 * 1024;

/** Seconds container information stays in the proxy's in-isolate cache (Swift: recheck_container_existence, shortened). */
export const CONTAINER_INFO_TTL_MS = 5_000;
/** Seconds account existence stays cached. */
export const ACCOUNT_INFO_TTL_MS = 5_000;

/** Headers an object keeps from its PUT/POST besides X-Object-Meta-* (Swift: obj/server.py allowed_headers). */
export const OBJECT_ALLOWED_HEADERS = [
  "content-disposition",
  "content-encoding",
  "x-delete-at",
  "x-object-manifest",
  "x-static-large-object",
  "cache-control",
  "content-language",
  "expires",
  "x-robots-tag",
] as const;

/** Event-driven repair: a replica marked dirty compares with its peers this long after the write. */
export const REPAIR_DELAY_MS = 1_000;
/** While a peer cannot be reached, repair is retried with backoff up to this delay. */
export const REPAIR_RETRY_MAX_MS = 2_000;
/** Leaves whose rows one repair round exchanges, and rounds per repair. */
export const REPAIR_LEAVES_PER_ROUND = 512;
export const REPAIR_ROUNDS_MAX = 20;
/** A replica reports its changed partition hash to its zone's ring summary this long after the change. */
export const SUMMARY_DELAY_MS = 10_000;
