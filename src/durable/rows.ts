/**
 * @module
 * The rows replicas hold and exchange, as plain data (they cross RPC). Timestamps are Swift's
 * internal-form strings; `deleted` is 0 | 1 as stored.
 */

/** Metadata of an account or container: each key with the timestamp of its last change ("" = removed). */
export interface MetadataEntry {
  value: string;
  timestamp: string;
}

/** Metadata of an account or container: each key with the timestamp of its last change ("" = removed). */
export type MetadataMap = Record<string, MetadataEntry>;

/** One object as a container lists it (Swift's container DB object table). */
export interface ListingRow {
  /** The object's name within its container. */
  name: string;
  /** Timestamp of the PUT (data) or of the DELETE (tombstone). */
  createdAt: string;
  deleted: 0 | 1;
  size: number;
  etag: string;
  contentType: string;
  contentTypeTimestamp: string;
  /** Timestamp of the newest metadata (the PUT itself, or a later POST). */
  metaTimestamp: string;
}

/**
 * One object in an object replica (Swift's .data/.meta/.ts files of one hash dir): what its container lists, and more.
 */
export interface ObjectRow extends ListingRow {
  /** `account/container/object` */
  name: string;
  /** User metadata and the allowed headers, lower-case names. */
  metadata: Record<string, string>;
  /** The R2 key of the body in this replica's zone bucket. */
  bodyKey: string | null;
  /** Unix seconds after which the object no longer exists (X-Delete-At). */
  deleteAt: number | null;
}

/**
 * Object system metadata naming the etag the object's container lists instead of its own: set
 * only by edgeswift's own requests (S3's completed multipart upload: `<manifest etag>; s3_etag=…`).
 * Swift: request_helpers get_container_update_override_key("etag"), which the object server sends
 * as the container update's etag.
 */
export const CONTAINER_UPDATE_OVERRIDE_ETAG = "x-object-sysmeta-container-update-override-etag";

/** An object row (named `account/container/object`) as its container lists it. */
export function listingRowOf(row: ObjectRow): ListingRow {
  return {
    name: row.name.split("/").slice(2).join("/"),
    createdAt: row.createdAt,
    deleted: row.deleted,
    size: row.size,
    etag: row.metadata[CONTAINER_UPDATE_OVERRIDE_ETAG] ?? row.etag,
    contentType: row.contentType,
    contentTypeTimestamp: row.contentTypeTimestamp,
    metaTimestamp: row.metaTimestamp,
  };
}

/**
 * A container update an object replica sends: the listing row and the container it goes to; for
 * a shard, `root` names the container it is listed in (so a shard that is gone sends the update
 * back to the root).
 */
export interface ContainerUpdate {
  account: string;
  container: string;
  row: ListingRow;
  root?: { account: string; container: string };
}

/** A container's own row in a container replica. */
export interface ContainerRow {
  account: string;
  container: string;
  createdAt: string;
  putTimestamp: string;
  deleteTimestamp: string;
  statusChangedAt: string;
  objectCount: number;
  bytesUsed: number;
  metadata: MetadataMap;
  storagePolicyIndex: number;
}

/** What a container replica reports to its account (Swift: the container updater's report). */
export interface ContainerReport {
  account: string;
  container: string;
  putTimestamp: string;
  deleteTimestamp: string;
  objectCount: number;
  bytesUsed: number;
  /** When these counts were taken; the newer report's counts win. */
  reportedAt: string;
  /** The container's storage policy; absent in reports queued before policies existed (policy 0). */
  storagePolicyIndex?: number;
}

/** A container as an account lists it. */
export interface AccountContainerRow extends ContainerReport {
  deleted: 0 | 1;
  storagePolicyIndex: number;
}

/** An account's totals in one storage policy (Swift: the account DB's policy_stat table). */
export interface PolicyStat {
  containerCount: number;
  objectCount: number;
  bytesUsed: number;
}

/** An account's own row in an account replica. */
export interface AccountRow {
  account: string;
  createdAt: string;
  putTimestamp: string;
  deleteTimestamp: string;
  status: "" | "DELETED";
  metadata: MetadataMap;
  containerCount: number;
  objectCount: number;
  bytesUsed: number;
  /** The same totals per storage policy index, for policies that have held a container. */
  policyStats: Record<string, PolicyStat>;
}

/** An object's tombstone at `timestamp` (a DELETE, the expirer, the reaper). */
export function objectTombstone(name: string, timestamp: string): ObjectRow {
  return {
    name,
    createdAt: timestamp,
    deleted: 1,
    size: 0,
    etag: "",
    contentType: "",
    contentTypeTimestamp: timestamp,
    metaTimestamp: timestamp,
    metadata: {},
    bodyKey: null,
    deleteAt: null,
  };
}

/** A new, empty account row (created on first write, or read as empty before it exists). */
export function newAccountRow(account: string, timestamp: string): AccountRow {
  return {
    account,
    createdAt: timestamp,
    putTimestamp: timestamp,
    deleteTimestamp: "0",
    status: "",
    metadata: {},
    containerCount: 0,
    objectCount: 0,
    bytesUsed: 0,
    policyStats: {},
  };
}
