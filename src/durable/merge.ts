/**
 * @module
 * Last-write-wins merge rules, pure. Data and metadata merge separately, as Swift merges an
 * object's .data/.ts with its .meta files and a DB's metadata key by key: the newest data (or
 * tombstone) wins; metadata and content type newer than that data still apply to it.
 */

import { H, OBJECT_SYSMETA_PREFIX, storedMetadataError } from "../common/headers";
import { Timestamp } from "../common/timestamp";
import type { AccountContainerRow, ContainerReport, ContainerRow, ListingRow, MetadataMap, ObjectRow } from "./rows";

interface DataAndMeta {
  createdAt: string;
  deleted: 0 | 1;
  contentType: string;
  contentTypeTimestamp: string;
  metaTimestamp: string;
}

/**
 * Which row's data wins: the newer createdAt; on a tie a tombstone, else the row already held (Swift: equal timestamps
 * keep the first write).
 */
function dataWinner<T extends DataAndMeta>(current: T, incoming: T): T {
  // On equal timestamps the tombstone wins, whichever replica held what first, so every order of
  // delivery ends the same (Swift: diskfile get_ondisk_files, a .ts makes a .data of its time obsolete).
  if (incoming.createdAt === current.createdAt) return incoming.deleted && !current.deleted ? incoming : current;
  return incoming.createdAt > current.createdAt ? incoming : current;
}

/**
 * The newest of the candidates' parts that are not older than the winning data, a tombstone's
 * included: a tombstone keeps a POST newer than itself (Swift: diskfile keeps a .meta newer than
 * the .ts beside it), so data older than that POST but newer than the tombstone, arriving in any
 * order, ends with the POST's metadata.
 */
function newestSince<T extends DataAndMeta>(data: T, candidates: T[], stamp: (row: T) => string): T {
  let best = data;
  for (const row of candidates) {
    if (stamp(row) >= data.createdAt && stamp(row) > stamp(best)) best = row;
  }
  return best;
}

export interface ObjectMerge {
  row: ObjectRow;
  /** Whether the stored row changes. */
  changed: boolean;
  /** Body keys no row points at any more (to delete from this zone's bucket). */
  garbage: string[];
}

/**
 * Merges the data and metadata parts two rows share: the winning data (or tombstone), with the
 * newest metadata timestamp and content type not older than it. `meta` is the row whose metadata won.
 */
function mergeParts<T extends DataAndMeta>(current: T, incoming: T): { data: T; meta: T; row: T } {
  const data = dataWinner(current, incoming);
  const meta = newestSince(data, [current, incoming], (r) => r.metaTimestamp);
  const type = newestSince(data, [current, incoming], (r) => r.contentTypeTimestamp);
  const row: T = {
    ...data,
    metaTimestamp: meta.metaTimestamp,
    // A content type set by a POST over other data keeps the winning data's own parameters.
    contentType:
      type.createdAt === data.createdAt ? type.contentType : withDataParamsOf(data.contentType, type.contentType),
    contentTypeTimestamp: type.contentTypeTimestamp,
  };
  return { data, meta, row };
}

/** Whether a merged row differs from the stored one in any timestamp or its deleted flag. */
function partsChanged(row: DataAndMeta, current: DataAndMeta): boolean {
  return (
    row.createdAt !== current.createdAt ||
    row.metaTimestamp !== current.metaTimestamp ||
    row.contentTypeTimestamp !== current.contentTypeTimestamp ||
    row.deleted !== current.deleted
  );
}

/** Merges an incoming object row into the stored one. */
export function mergeObject(current: ObjectRow | null, incoming: ObjectRow): ObjectMerge {
  if (!current) return { row: incoming, changed: true, garbage: [] };
  const { data, meta, row: merged } = mergeParts(current, incoming);
  const row: ObjectRow = {
    ...merged,
    // A tombstone holds no metadata of its own, only a POST newer than itself; a POST made over
    // other data brings its user metadata, never that data's system metadata.
    metadata:
      data.deleted && meta.metaTimestamp <= data.createdAt
        ? {}
        : meta.createdAt === data.createdAt
          ? meta.metadata
          : withSysmetaOf(data.metadata, meta.metadata),
    deleteAt: data.deleted ? null : meta.deleteAt,
    bodyKey: data.deleted ? null : data.bodyKey,
  };
  const garbage = [current.bodyKey, incoming.bodyKey].filter(
    (key): key is string => key !== null && key !== row.bodyKey,
  );
  return { row, changed: partsChanged(row, current), garbage: [...new Set(garbage)] };
}

/** Merges an incoming listing row into a container's stored one; null current means new. */
export function mergeListing(current: ListingRow | null, incoming: ListingRow): { row: ListingRow; changed: boolean } {
  if (!current) return { row: incoming, changed: true };
  const { row } = mergeParts(current, incoming);
  return { row, changed: partsChanged(row, current) };
}

/** Merges metadata key by key: the newer timestamp wins each key. Swift: db.py update_metadata. */
export function mergeMetadata(
  current: MetadataMap,
  incoming: MetadataMap,
): { metadata: MetadataMap; changed: boolean } {
  const metadata: MetadataMap = { ...current };
  let changed = false;
  for (const [key, entry] of Object.entries(incoming)) {
    const existing = metadata[key];
    if (!existing || entry.timestamp > existing.timestamp) {
      metadata[key] = entry;
      changed = true;
    }
  }
  return { metadata, changed };
}

/**
 * Merges a client's metadata write (account or container PUT, POST) into the stored metadata,
 * within Swift's limits on the result: `refused` is the reason to answer 400 when the merged
 * metadata would exceed them, and then nothing may be stored. A write without metadata is not
 * checked, and repair merges with mergeMetadata alone, as Swift's replication does not validate.
 * Swift: common/db.py update_metadata(validate_metadata=True).
 */
export function mergeClientMetadata(
  current: MetadataMap,
  incoming: MetadataMap,
): { metadata: MetadataMap; changed: boolean; refused: string | null } {
  const merged = mergeMetadata(current, incoming);
  if (!Object.keys(incoming).length) return { ...merged, refused: null };
  const refused = storedMetadataError(
    Object.entries(merged.metadata).map(([key, entry]) => [key, entry.value] as const),
  );
  return { ...merged, refused };
}

/** Stamps plain updates (name → value, "" removes) with one timestamp. */
export function stampMetadata(updates: Record<string, string>, timestamp: string): MetadataMap {
  const stamped: MetadataMap = {};
  for (const [key, value] of Object.entries(updates)) stamped[key] = { value, timestamp };
  return stamped;
}

/** The live metadata (removed keys dropped), as headers carry it. */
export function liveMetadata(metadata: MetadataMap): Record<string, string> {
  const live: Record<string, string> = {};
  for (const [key, { value }] of Object.entries(metadata)) if (value !== "") live[key] = value;
  return live;
}

/**
 * Merges a container report into an account's row for that container. Swift: account/backend.py
 * merge_items. The newer report's counts and storage policy win; two reports taken at the same
 * moment with different counts (two zones' container replicas) resolve the same way on every
 * replica: the larger counts, then the larger policy index.
 */
export function mergeContainerReport(
  current: AccountContainerRow | null,
  report: ContainerReport,
): { row: AccountContainerRow; changed: boolean } {
  const base = current ?? {
    ...report,
    putTimestamp: "0",
    deleteTimestamp: "0",
    objectCount: 0,
    bytesUsed: 0,
    reportedAt: "0",
    deleted: 0 as const,
    storagePolicyIndex: 0,
  };
  const putTimestamp = report.putTimestamp > base.putTimestamp ? report.putTimestamp : base.putTimestamp;
  const deleteTimestamp = report.deleteTimestamp > base.deleteTimestamp ? report.deleteTimestamp : base.deleteTimestamp;
  const tie = report.reportedAt === base.reportedAt;
  const policy = report.storagePolicyIndex ?? 0;
  const newerStats =
    report.reportedAt > base.reportedAt ||
    (tie &&
      (report.objectCount > base.objectCount ||
        (report.objectCount === base.objectCount &&
          (report.bytesUsed > base.bytesUsed ||
            (report.bytesUsed === base.bytesUsed && policy > base.storagePolicyIndex)))));
  const row: AccountContainerRow = {
    account: report.account,
    container: report.container,
    putTimestamp,
    deleteTimestamp,
    objectCount: newerStats ? report.objectCount : base.objectCount,
    bytesUsed: newerStats ? report.bytesUsed : base.bytesUsed,
    reportedAt: newerStats ? report.reportedAt : base.reportedAt,
    deleted: deleteTimestamp > putTimestamp ? 1 : 0,
    // The policy goes with the newer report, as the counts do (a container re-created in another policy).
    storagePolicyIndex: newerStats || !current ? policy : base.storagePolicyIndex,
  };
  const changed =
    !current ||
    row.putTimestamp !== current.putTimestamp ||
    row.deleteTimestamp !== current.deleteTimestamp ||
    row.reportedAt !== current.reportedAt ||
    row.objectCount !== current.objectCount ||
    row.bytesUsed !== current.bytesUsed ||
    row.storagePolicyIndex !== current.storagePolicyIndex;
  return { row, changed };
}

/** Swift: container/backend.py is_deleted — deleted after the put and holding no objects. */
export function isContainerDeleted(row: ContainerRow): boolean {
  return row.deleteTimestamp > row.putTimestamp && row.objectCount === 0;
}

/**
 * The storage policy a container keeps when two replicas' rows disagree (a container created in
 * two policies at once): a live container's over a deleted one's, the earlier created among live
 * ones, the later among deleted ones, the lower index on a tie. Swift: container/reconciler.py
 * best_policy_index. The objects already written under the losing policy are not moved (Swift's
 * reconciler moves them; edgeswift has none yet).
 */
export function winningPolicy(a: ContainerRow, b: ContainerRow): number {
  if (a.storagePolicyIndex === b.storagePolicyIndex) return a.storagePolicyIndex;
  const aLive = !isContainerDeleted(a);
  if (aLive !== !isContainerDeleted(b)) return aLive ? a.storagePolicyIndex : b.storagePolicyIndex;
  if (a.statusChangedAt !== b.statusChangedAt) {
    const aEarlier = a.statusChangedAt < b.statusChangedAt;
    return aEarlier === aLive ? a.storagePolicyIndex : b.storagePolicyIndex;
  }
  return Math.min(a.storagePolicyIndex, b.storagePolicyIndex);
}

/**
 * Whether a metadata name describes the object's data, set with it and kept with it: its system
 * metadata (`x-object-sysmeta-*`) and `X-Static-Large-Object`. Swift: diskfile's
 * DATAFILE_SYSTEM_META and is_sys_meta, read from the .data file whatever the .meta says.
 */
function isDataMetadata(name: string): boolean {
  return name.startsWith(OBJECT_SYSMETA_PREFIX) || name === H.X_STATIC_LARGE_OBJECT;
}

/**
 * A POST's metadata over a stored object: the POST's user metadata replaces the stored one, and
 * what describes the object's data (its system metadata and `X-Static-Large-Object`) stays; a POST
 * cannot set any. Swift: obj/server.py POST writes a .meta, and diskfile keeps the .data file's
 * DATAFILE_SYSTEM_META and sysmeta over it.
 */
export function withSysmetaOf(stored: Record<string, string>, posted: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(posted)) if (!isDataMetadata(name)) metadata[name] = value;
  for (const [name, value] of Object.entries(stored)) if (isDataMetadata(name)) metadata[name] = value;
  return metadata;
}

/**
 * Whether a content type parameter describes the data stored with it (`swift_*`: a manifest's
 * `swift_bytes` and `swift_slo_etag`, a link's `swift_symlink_*`, a delete marker's
 * `swift_versions_deleted`): it follows that data, never a POST's content type.
 */
function isDataParam(param: string): boolean {
  return param.trim().toLowerCase().startsWith("swift_");
}

/**
 * `contentType` (a POST's) with the data parameters of `dataContentType` (the stored data's) in
 * place of any of its own: a POST changes the type a client sees, never what the data is.
 */
export function withDataParamsOf(dataContentType: string, contentType: string): string {
  const [type = "", ...params] = contentType.split(";");
  const own = params.filter((param) => !isDataParam(param));
  const data = dataContentType.split(";").slice(1).filter(isDataParam);
  return [type, ...own, ...data].join(";");
}

/**
 * A sysmeta update's metadata over a stored object: the names it sends set (an empty value
 * removes one), everything else kept, user metadata included.
 */
export function withSysmetaUpdated(
  stored: Record<string, string>,
  updates: Record<string, string>,
): Record<string, string> {
  const metadata = { ...stored };
  for (const [name, value] of Object.entries(updates)) {
    if (!name.startsWith(OBJECT_SYSMETA_PREFIX)) continue;
    if (value === "") delete metadata[name];
    else metadata[name] = value;
  }
  return metadata;
}

/**
 * The meta timestamp a sysmeta update made at `clock` (its time in units) gives an object whose
 * meta timestamp is `metaTimestamp`: the same time with `clock` as its offset, so that replicas
 * and repair take it as newer metadata while the time clients see (Last-Modified, X-Timestamp,
 * listings' last_modified: the offset is never shown) stays. Null when the row holds an update as
 * new or newer (its offset is not smaller). The offset is the clock of the row's sysmeta updates:
 * a POST keeps it (postedAt), a PUT starts again at its own. Swift has no sysmeta update; it uses
 * offsets the same way, to order internal writes of one client-visible time (utils Timestamp).
 */
export function sysmetaUpdatedAt(metaTimestamp: string, clock: number): string | null {
  const held = Timestamp.parse(metaTimestamp);
  if (held === null || clock <= held.offset) return null;
  return new Timestamp(held.units, clock).internal;
}

/**
 * The meta timestamp a POST at `timestamp` gives an object whose meta timestamp is
 * `metaTimestamp`: the POST's, with the larger of the two offsets. A POST keeps the sysmeta
 * updates it lands after; keeping their offset too orders the replica where the POST landed after
 * an update after the one where it landed before it (whose row lacks the update's sysmeta until
 * the update, arriving later, applies to the POST's metadata at the POST's time), so repair
 * carries the sysmeta to replicas that missed the update.
 */
export function postedAt(metaTimestamp: string, timestamp: string): string {
  const held = Timestamp.parse(metaTimestamp);
  const posted = Timestamp.parse(timestamp);
  if (held === null || posted === null || held.offset <= posted.offset) return timestamp;
  return new Timestamp(posted.units, held.offset).internal;
}
