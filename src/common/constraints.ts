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

/** Static large objects (Swift: slo.py defaults, published in /info). */
export const SLO_MAX_MANIFEST_SEGMENTS = 1000;
export const SLO_MAX_MANIFEST_SIZE = 8 * 1024 * 1024;
export const SLO_MIN_SEGMENT_SIZE = 1;
/** Seconds between heartbeats of a long manifest PUT or DELETE (Swift: yield_frequency). */
export const SLO_YIELD_FREQUENCY_SECONDS = 10;
/** Nested manifests followed on GET (Swift: SloGetContext.max_slo_recursion_depth). */
export const SLO_MAX_RECURSION_DEPTH = 10;
/**
 * Segments HEADed at once on a manifest PUT, deleted at once on a manifest DELETE (Swift: concurrency,
 * delete_concurrency).
 */
export const SLO_CONCURRENCY = 2;
/**
 * Large object GETs: segments after the first this many are read at most this many per second, and a GET ends after
 * max_get_time (Swift: slo.py, dlo.py).
 */
export const LARGE_OBJECT_RATE_LIMIT_AFTER_SEGMENT = 10;
export const LARGE_OBJECT_RATE_LIMIT_SEGMENTS_PER_SECOND = 1;
/** SLO segments (reads) smaller than this are rate-limited; DLO segments all are (Swift: rate_limit_under_size). */
export const SLO_RATE_LIMIT_UNDER_SIZE = 1024 * 1024;
export const LARGE_OBJECT_MAX_GET_TIME_SECONDS = 86_400;

/**
 * How many subrequests deep a request may go: a segment read, a sub-manifest or listing fetch, a
 * followed link, a copy's source each go one deeper than the request that made them. Swift's
 * middlewares read below themselves, so an SLO, a DLO and a symlink cannot lead back into one
 * another there; here every subrequest runs the whole pipeline, and this bound ends such a loop
 * (SLO → DLO → SLO, symlink → SLO → symlink) with 409 Conflict. As deep as Swift nests SLOs.
 */
export const SUBREQUEST_DEPTH_MAX = 10;

/**
 * The latest X-Delete-At: a later one is stored as this (Swift: utils normalize_delete_at_timestamp,
 * "values greater than November 20th, 2286 at 17:46:39 UTC will be capped").
 */
export const DELETE_AT_MAX_SECONDS = 9_999_999_999;
/**
 * The latest time a Durable Object alarm may be set for: workerd refuses a Date past its int64
 * nanoseconds ("This API doesn't support dates after 2189", 2262-04-11), so an expiry later than
 * this (DELETE_AT_MAX_SECONDS is 2286) arms the alarm for this time instead, and the alarm then
 * sets the next one.
 */
export const ALARM_AT_MAX_MS = 9_000_000_000_000;

/** Replica counts and listing sizes stay inside one RPC (32 MiB) and one SQL statement's bounds. */
export const ROWS_PER_RPC_MAX = 1_000;

/** A container update an object replica could not deliver is retried by its alarm after this delay. */
export const UPDATE_RETRY_MS = 1_000;
/** While deliveries keep failing, the retry delay doubles up to this (a container that never comes is not hammered). */
export const UPDATE_RETRY_MAX_MS = 300_000;
/**
 * How long an object replica waits for the container replica before queueing the update (Swift:
 * container_update_timeout).
 */
export const CONTAINER_UPDATE_TIMEOUT_MS = 1_000;
/**
 * How long a container replica gathers object writes before it reports its counts to the account
 * (Swift: the container-updater's interval, 300 s): one report per container per window however
 * many objects were written, a lag of at most this much in the account's totals.
 */
export const ACCOUNT_REPORT_DELAY_MS = 500;
/** How long the proxy waits for a replica (Swift: node_timeout). */
export const NODE_TIMEOUT_MS = 10_000;
/** How long the proxy waits for the remaining replicas once it has a quorum (Swift: post_quorum_timeout). */
export const POST_QUORUM_TIMEOUT_MS = 500;

/**
 * A body up to this size is handled in memory in one piece (an upload put from its bytes, a copy
 * between zone buckets): far cheaper than a stream per bucket; a larger one is streamed.
 */
export const IN_MEMORY_BODY_MAX = 1024 * 1024;

/** Parts of a chunked upload (R2 multipart: uniform sizes but the last, at least 5 MiB). */
export const CHUNKED_PART_SIZE = 5 * 1024 * 1024;

/**
 * Seconds container information stays in the proxy's in-isolate cache (Swift: recheck_container_existence, shortened).
 */
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
/**
 * A replica waiting on its zone's ring summary for a zone that stopped answering retries on its
 * own with backoff up to this delay; the summary probes the zone every ZONE_PROBE_INTERVAL_MS
 * with one call and wakes its waiters, WAKE_CALLS_IN_FLIGHT at a time, once the zone answers.
 */
export const REPAIR_WAIT_MAX_MS = 60_000;
export const ZONE_PROBE_INTERVAL_MS = 1_000;
export const WAKE_CALLS_IN_FLIGHT = 32;
/**
 * Probes and wakes one ring summary alarm makes at most (the Free plan allows 1,000 subrequests per invocation); the
 * rest follow at once in the next.
 */
export const SUMMARY_CALLS_PER_ALARM_MAX = 500;
/** Leaves whose rows one repair round exchanges, and rounds per repair. */
export const REPAIR_LEAVES_PER_ROUND = 512;
export const REPAIR_ROUNDS_MAX = 20;
/**
 * A replica reports its changed partition hash to its zone's ring summary this long after a change
 * its peers may not share: a repair's merge, the auditor's fix, a handoff's write, a write the
 * proxy saw miss a replica (markDirty), a peer's repair asking for its hash.
 */
export const SUMMARY_DELAY_MS = 10_000;
/**
 * ...and this long after a change every replica of its partition makes alike: a client's write
 * (the proxy sends it to every primary and, when one missed it, marks the others for repair at
 * once), a container update (every object replica sends its own), a reclaim. The sweep then only
 * stands behind a proxy that stopped between its writes and their repair; one report covers every
 * write of the window, so a partition written every few minutes reports once an hour, not once a
 * write.
 */
export const SUMMARY_QUIET_MS = 3_600_000;
