/**
 * @module
 * The container replica's schema: per container its own row (timestamps, metadata, counts kept
 * in O(1) per change) and its object listing rows, plus the outbox of reports to accounts.
 * All of ContainerReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import { OUTBOX_TABLE_SQL } from "./outbox";
import type { ContainerRow, ListingRow, MetadataMap } from "../rows";
import { containerRowHash, leafOf, listingRowHash, treeKey, type Hash } from "../partition-hash";
import { HASH_LEAVES_ONLY_SQL, HASH_ROOT_CHANGED_AT_SQL, hashTreeSql, backfillHashes, HashedRows } from "./hash-tree";
import type { AuditEntry, HashedRowSql } from "./hash-tree";
import type { ListingBounds } from "../listing";
import { boundsSql } from "./listing-sql";

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
];

/** A row a container replica exchanges in repair: a container's own row or one of its listing rows. */
export type ContainerReplicaRow =
  | { kind: "container"; key: string; row: ContainerRow }
  | { kind: "object"; key: string; row: ListingRow };

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
    return row.kind === "container" ? treeKey.container(row.key) : treeKey.listing(row.key, row.row.name);
  }

  /** A row's hash, as the tree holds it. */
  hashOf(row: ContainerReplicaRow): Hash {
    return row.kind === "container" ? containerRowHash(row.key, row.row) : listingRowHash(row.key, row.row);
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
