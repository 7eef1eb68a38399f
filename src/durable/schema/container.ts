/**
 * @module
 * The container replica's schema: per container its own row (timestamps, metadata, counts kept
 * in O(1) per change) and its object listing rows, plus the outbox of reports to accounts.
 * All of ContainerReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import { OUTBOX_TABLE_SQL, SHARD_OUTBOX_TABLE_SQL } from "./outbox";
import type { ContainerRow, ListingRow, MetadataMap } from "../rows";
import { containerRowHash, leafOf, listingRowHash, treeKey, type Hash } from "../partition-hash";
import {
  HASH_LEAVES_ONLY_SQL,
  HASH_ROOT_CHANGED_AT_SQL,
  hashTreeSql,
  backfillHashes,
  HashedRows,
  leafColumnsSql,
} from "./hash-tree";
import type { AuditEntry, HashedRowSql } from "./hash-tree";
import type { ListingBounds } from "../listing";
import { boundsSql } from "./listing-sql";
import { byLower, shardRangeHash, type ShardRange, type ShardState } from "../shard-ranges";

/** The columns of an object's listing row, as each table holding one declares them (an object row has them too). */
export const LISTING_COLUMNS_SQL = `created_at TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content_type_timestamp TEXT NOT NULL,
        meta_timestamp TEXT NOT NULL`;

/** The key columns of the container table and of the object (listing) table. */
const CONTAINER_KEY = ["name"];
const OBJECT_KEY = ["container", "name"];

export const CONTAINER_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE container (
        name TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        container TEXT NOT NULL,
        created_at TEXT NOT NULL,
        put_timestamp TEXT NOT NULL,
        delete_timestamp TEXT NOT NULL,
        status_changed_at TEXT NOT NULL,
        object_count INTEGER NOT NULL,
        bytes_used INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        storage_policy_index INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE object (
        container TEXT NOT NULL,
        name TEXT NOT NULL,
        ${LISTING_COLUMNS_SQL},
        PRIMARY KEY (container, name)
      ) WITHOUT ROWID;
      CREATE INDEX object_live ON object (container, name) WHERE deleted = 0;
      ${OUTBOX_TABLE_SQL}
    `,
  },
  {
    // The hash tree over container rows and listing rows.
    id: 2,
    sql: hashTreeSql("container", "object"),
    backfill: (sql) => {
      backfillHashes<ContainerRowSql>(sql, "container", CONTAINER_KEY, (row) => ({
        leaf: leafOf(treeKey.container(row.name)),
        hash: containerRowHash(row.name, containerFromSql(row)),
      }));
      backfillHashes<ListingRowSql & { container: string }>(sql, "object", OBJECT_KEY, (row) => ({
        leaf: leafOf(treeKey.listing(row.container, row.name)),
        hash: listingRowHash(row.container, listingFromSql(row)),
      }));
    },
  },
  {
    // Tombstones by age, for reclaim after reclaim_age; outbox items by age, dropped after it.
    id: 3,
    sql: `
      CREATE INDEX object_tombstone ON object (created_at) WHERE deleted = 1;
      CREATE INDEX container_deleted ON container (delete_timestamp) WHERE delete_timestamp > put_timestamp;
      ALTER TABLE outbox ADD COLUMN queued_at INTEGER NOT NULL DEFAULT 0;
    `,
  },
  // When the partition hash last changed, for recon and the convergence benchmark.
  { id: 4, sql: HASH_ROOT_CHANGED_AT_SQL },
  // Only the hash tree's leaves are stored (hash-tree.ts).
  { id: 5, sql: HASH_LEAVES_ONLY_SQL },
  {
    // Container sharding: a root container's shard ranges (hashed, so its replicas repair them),
    // and the outbox of rows and counts it owes other container replicas (its shards, its root).
    id: 6,
    sql: `
      CREATE TABLE shard_range (
        container TEXT NOT NULL,
        name TEXT NOT NULL,
        lower TEXT NOT NULL,
        upper TEXT NOT NULL,
        state TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        state_timestamp TEXT NOT NULL,
        object_count INTEGER NOT NULL,
        bytes_used INTEGER NOT NULL,
        meta_timestamp TEXT NOT NULL,
        PRIMARY KEY (container, name)
      ) WITHOUT ROWID;
      ${leafColumnsSql("shard_range")}
      ${SHARD_OUTBOX_TABLE_SQL}
    `,
  },
];

/** A row a container replica exchanges in repair: a container's own row, one of its listing rows, or one of its shard ranges. */
export type ContainerReplicaRow =
  | { kind: "container"; key: string; row: ContainerRow }
  | { kind: "object"; key: string; row: ListingRow }
  | { kind: "shard"; key: string; row: ShardRange };

/** The key columns of the shard range table. */
const SHARD_KEY = ["container", "name"];

interface ShardRangeSql extends Record<string, SqlStorageValue> {
  container: string;
  name: string;
  lower: string;
  upper: string;
  state: string;
  timestamp: string;
  state_timestamp: string;
  object_count: number;
  bytes_used: number;
  meta_timestamp: string;
}

function shardRangeFromSql(row: ShardRangeSql): ShardRange {
  return {
    name: row.name,
    lower: row.lower,
    upper: row.upper,
    state: row.state as ShardState,
    timestamp: row.timestamp,
    stateTimestamp: row.state_timestamp,
    objectCount: row.object_count,
    bytesUsed: row.bytes_used,
    metaTimestamp: row.meta_timestamp,
  };
}

function shardRangeToSql(key: string, range: ShardRange): ShardRangeSql {
  return {
    container: key,
    name: range.name,
    lower: range.lower,
    upper: range.upper,
    state: range.state,
    timestamp: range.timestamp,
    state_timestamp: range.stateTimestamp,
    object_count: range.objectCount,
    bytes_used: range.bytesUsed,
    meta_timestamp: range.metaTimestamp,
  };
}

/** SQL conditions on `name` for a range `(lower, upper]` ("" for no bound), and their arguments. */
function rangeSql(range: { lower: string; upper: string }): { where: string; args: string[] } {
  const conditions: string[] = [];
  const args: string[] = [];
  if (range.lower) {
    conditions.push("name > ?");
    args.push(range.lower);
  }
  if (range.upper) {
    conditions.push("name <= ?");
    args.push(range.upper);
  }
  return { where: conditions.map((condition) => ` AND ${condition}`).join(""), args };
}

interface ContainerRowSql extends Record<string, SqlStorageValue> {
  name: string;
  account: string;
  container: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  status_changed_at: string;
  object_count: number;
  bytes_used: number;
  metadata: string;
  storage_policy_index: number;
}

/** The columns of an object's listing row (an object replica's row has them too). */
export interface ListingRowSql extends Record<string, SqlStorageValue> {
  name: string;
  created_at: string;
  deleted: number;
  size: number;
  etag: string;
  content_type: string;
  content_type_timestamp: string;
  meta_timestamp: string;
}

/** A container row as read from the container table. */
function containerFromSql(row: ContainerRowSql): ContainerRow {
  return {
    account: row.account,
    container: row.container,
    createdAt: row.created_at,
    putTimestamp: row.put_timestamp,
    deleteTimestamp: row.delete_timestamp,
    statusChangedAt: row.status_changed_at,
    objectCount: row.object_count,
    bytesUsed: row.bytes_used,
    metadata: JSON.parse(row.metadata) as MetadataMap,
    storagePolicyIndex: row.storage_policy_index,
  };
}

/** A container row as stored under its key (the columns of ContainerRowSql, in its order). */
function containerToSql(key: string, row: ContainerRow): ContainerRowSql {
  return {
    name: key,
    account: row.account,
    container: row.container,
    created_at: row.createdAt,
    put_timestamp: row.putTimestamp,
    delete_timestamp: row.deleteTimestamp,
    status_changed_at: row.statusChangedAt,
    object_count: row.objectCount,
    bytes_used: row.bytesUsed,
    metadata: JSON.stringify(row.metadata),
    storage_policy_index: row.storagePolicyIndex,
  };
}

/** An object's listing row as read (a container's listing table, or an object replica's row). */
export function listingFromSql(row: ListingRowSql): ListingRow {
  return {
    name: row.name,
    createdAt: row.created_at,
    deleted: row.deleted ? 1 : 0,
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    contentTypeTimestamp: row.content_type_timestamp,
    metaTimestamp: row.meta_timestamp,
  };
}

/** An object's listing columns as stored (the columns of ListingRowSql, in its order). */
export function listingToSql(row: ListingRow): ListingRowSql {
  return {
    name: row.name,
    created_at: row.createdAt,
    deleted: row.deleted,
    size: row.size,
    etag: row.etag,
    content_type: row.contentType,
    content_type_timestamp: row.contentTypeTimestamp,
    meta_timestamp: row.metaTimestamp,
  };
}

export class ContainerRows extends HashedRows {
  /** A container's own row (by its key, account/container), or null. */
  container(key: string): ContainerRow | null {
    return this.find("container", CONTAINER_KEY, [key], containerFromSql);
  }

  /** Stores a container's row and moves its hash in the tree; call inside a transaction. */
  saveContainer(key: string, row: ContainerRow): void {
    this.store(
      "container",
      CONTAINER_KEY,
      containerToSql(key, row),
      leafOf(treeKey.container(key)),
      containerRowHash(key, row),
    );
  }

  /** A container's listing row for one object, or null. */
  object(key: string, name: string): ListingRow | null {
    return this.find("object", OBJECT_KEY, [key, name], listingFromSql);
  }

  /** Stores a listing row and moves its hash in the tree; call inside a transaction. */
  saveObject(key: string, row: ListingRow): void {
    const columns = { container: key, ...listingToSql(row) };
    this.store("object", OBJECT_KEY, columns, leafOf(treeKey.listing(key, row.name)), listingRowHash(key, row));
  }

  /** A row's key in the hash tree. */
  keyOf(row: ContainerReplicaRow): string {
    if (row.kind === "container") return treeKey.container(row.key);
    if (row.kind === "shard") return treeKey.shardRange(row.key, row.row.name);
    return treeKey.listing(row.key, row.row.name);
  }

  /** A row's hash, as the tree holds it. */
  hashOf(row: ContainerReplicaRow): Hash {
    if (row.kind === "container") return containerRowHash(row.key, row.row);
    if (row.kind === "shard") return shardRangeHash(row.key, row.row);
    return listingRowHash(row.key, row.row);
  }

  /** A container's shard ranges, in name order (none: it is not sharded). */
  shardRanges(key: string): ShardRange[] {
    return byLower(
      this.sql
        .exec<ShardRangeSql>("SELECT * FROM shard_range WHERE container = ?", key)
        .toArray()
        .map(shardRangeFromSql),
    );
  }

  /** One shard range of a container, or null. */
  shardRange(key: string, name: string): ShardRange | null {
    return this.find("shard_range", SHARD_KEY, [key, name], shardRangeFromSql);
  }

  /** Stores a shard range and moves its hash in the tree; call inside a transaction. */
  saveShardRange(key: string, range: ShardRange): void {
    this.store(
      "shard_range",
      SHARD_KEY,
      shardRangeToSql(key, range),
      leafOf(treeKey.shardRange(key, range.name)),
      shardRangeHash(key, range),
    );
  }

  /** Removes a container's shard ranges and takes their hashes out of the tree (its root was deleted). */
  removeShardRanges(key: string): void {
    const rows = this.sql
      .exec<HashedRowSql>("SELECT container, name, leaf, hash FROM shard_range WHERE container = ?", key)
      .toArray();
    for (const row of rows) this.removeRow("shard_range", SHARD_KEY, row);
  }

  /** Containers holding shard ranges (roots being sharded or sharded). */
  shardedContainers(): string[] {
    return this.sql
      .exec<{ container: string }>("SELECT DISTINCT container FROM shard_range")
      .toArray()
      .map((row) => row.container);
  }

  /** Live containers with more than `rows` live listing rows, at most `limit`. */
  containersOver(rows: number, limit: number): string[] {
    return this.sql
      .exec<{ name: string }>(
        "SELECT name FROM container WHERE object_count > ? AND delete_timestamp <= put_timestamp LIMIT ?",
        rows,
        limit,
      )
      .toArray()
      .map((row) => row.name);
  }

  /** The name of a container's live listing row at `offset` in name order, or null. */
  liveNameAt(key: string, offset: number): string | null {
    const row = this.sql
      .exec<{ name: string }>(
        "SELECT name FROM object INDEXED BY object_live WHERE container = ? AND deleted = 0 ORDER BY name LIMIT 1 OFFSET ?",
        key,
        offset,
      )
      .toArray()[0];
    return row?.name ?? null;
  }

  /** A container's listing rows (tombstones too) in a range, after `after` ("" from the start), in name order. */
  rowsInRange(key: string, range: { lower: string; upper: string }, after: string, limit: number): ListingRow[] {
    const { where, args } = rangeSql(range);
    return this.sql
      .exec<ListingRowSql>(
        `SELECT * FROM object WHERE container = ?${where}${after ? " AND name > ?" : ""} ORDER BY name LIMIT ?`,
        key,
        ...args,
        ...(after ? [after] : []),
        limit,
      )
      .toArray()
      .map(listingFromSql);
  }

  /** Live objects and bytes of a container's listing rows in a range. */
  countInRange(key: string, range: { lower: string; upper: string }): { objectCount: number; bytesUsed: number } {
    const { where, args } = rangeSql(range);
    const row = this.sql
      .exec<{ n: number; bytes: number | null }>(
        `SELECT count(*) AS n, sum(size) AS bytes FROM object INDEXED BY object_live WHERE container = ? AND deleted = 0${where}`,
        key,
        ...args,
      )
      .one();
    return { objectCount: row.n, bytesUsed: row.bytes ?? 0 };
  }

  /** Removes a container's listing rows by name (moved to a shard) and takes their hashes out of the tree. */
  removeObjects(key: string, names: readonly string[]): void {
    for (const name of names) {
      const row = this.sql
        .exec<HashedRowSql>(
          "SELECT container, name, leaf, hash FROM object WHERE container = ? AND name = ?",
          key,
          name,
        )
        .toArray()[0];
      if (row) this.removeRow("object", OBJECT_KEY, row);
    }
  }

  /** The auditor's view of a leaf's rows (container rows and listing rows). */
  auditEntries(leaf: number): AuditEntry[] {
    return [
      ...this.audited<ContainerRowSql>("container", CONTAINER_KEY, leaf, (row) =>
        containerRowHash(row.name, containerFromSql(row)),
      ),
      ...this.audited<ListingRowSql & { container: string }>("object", OBJECT_KEY, leaf, (row) =>
        listingRowHash(row.container, listingFromSql(row)),
      ),
      ...this.audited<ShardRangeSql>("shard_range", SHARD_KEY, leaf, (row) =>
        shardRangeHash(row.container, shardRangeFromSql(row)),
      ),
    ];
  }

  /** Every container row and listing row in the given leaves (for repair). */
  rowsInLeaves(leaves: readonly number[]): ContainerReplicaRow[] {
    const rows: ContainerReplicaRow[] = [];
    for (const leaf of leaves) {
      for (const row of this.inLeaf<ContainerRowSql>("container", leaf))
        rows.push({ kind: "container", key: row.name, row: containerFromSql(row) });
      for (const row of this.inLeaf<ListingRowSql & { container: string }>("object", leaf))
        rows.push({ kind: "object", key: row.container, row: listingFromSql(row) });
      for (const row of this.inLeaf<ShardRangeSql>("shard_range", leaf))
        rows.push({ kind: "shard", key: row.container, row: shardRangeFromSql(row) });
    }
    return rows;
  }

  /** Live (not deleted) listing rows of a container within the bounds, in name order. */
  *listObjects(key: string, bounds: ListingBounds): Generator<{ name: string; row: ListingRow }> {
    const { conditions, args, tail } = boundsSql(bounds);
    const where = ["container = ?", "deleted = 0", ...conditions].join(" AND ");
    const cursor = this.sql.exec<ListingRowSql>(
      `SELECT name, created_at, deleted, size, etag, content_type, content_type_timestamp, meta_timestamp
         FROM object INDEXED BY object_live WHERE ${where} ${tail}`,
      key,
      ...args,
    );
    // Lazily: a delimiter walk stops reading at its first pseudo-directory (listing.ts).
    for (const row of cursor) yield { name: row.name, row: listingFromSql(row) };
  }

  /** The oldest tombstone (a deleted listing row or a deleted, empty container), or null. */
  oldestTombstone(): string | null {
    const listing = this.valueOf<string>(
      "SELECT min(created_at) AS t FROM object INDEXED BY object_tombstone WHERE deleted = 1",
    );
    const container = this.valueOf<string>(
      "SELECT min(delete_timestamp) AS t FROM container INDEXED BY container_deleted " +
        "WHERE delete_timestamp > put_timestamp AND object_count = 0",
    );
    if (listing === null) return container;
    if (container === null) return listing;
    return listing < container ? listing : container;
  }

  /**
   * Removes up to `limit` tombstones older than `cutoff`: deleted listing rows, then deleted
   * containers with no rows left (Swift keeps those DBs forever; here they go).
   */
  reclaimBefore(cutoff: string, limit: number): number {
    let removed = 0;
    const rows = this.sql
      .exec<HashedRowSql>(
        "SELECT container, name, leaf, hash FROM object INDEXED BY object_tombstone " +
          "WHERE deleted = 1 AND created_at < ? LIMIT ?",
        cutoff,
        limit,
      )
      .toArray();
    for (const row of rows) {
      this.removeRow("object", OBJECT_KEY, row);
      removed += 1;
    }
    const containers = this.sql
      .exec<HashedRowSql & { name: string }>(
        `SELECT name, leaf, hash FROM container INDEXED BY container_deleted
         WHERE delete_timestamp > put_timestamp AND object_count = 0 AND delete_timestamp < ? LIMIT ?`,
        cutoff,
        Math.max(0, limit - removed),
      )
      .toArray();
    for (const row of containers) {
      if (this.sql.exec("SELECT 1 FROM object WHERE container = ? LIMIT 1", row.name).toArray().length) continue;
      this.removeRow("container", CONTAINER_KEY, row);
      removed += 1;
    }
    return removed;
  }

  /** Count and bytes of a container's live listing rows, counted (a container row arriving by repair). */
  countObjects(key: string): { objectCount: number; bytesUsed: number } {
    const row = this.sql
      .exec<{ n: number; bytes: number | null }>(
        "SELECT count(*) AS n, sum(size) AS bytes FROM object INDEXED BY object_live " +
          "WHERE container = ? AND deleted = 0",
        key,
      )
      .one();
    return { objectCount: row.n, bytesUsed: row.bytes ?? 0 };
  }

  /** Whether a container has any live object row (Swift: broker.empty()). */
  hasObjects(key: string): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM object INDEXED BY object_live WHERE container = ? AND deleted = 0 LIMIT 1", key)
        .toArray().length > 0
    );
  }
}
