/**
 * @module
 * The container replica's schema: per container its own row (timestamps, metadata, counts kept
 * in O(1) per change) and its object listing rows, plus the outbox of reports to accounts.
 * All of ContainerReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import { OUTBOX_TABLE_SQL } from "./outbox";
import type { ContainerRow, ListingRow, MetadataMap } from "../rows";
import { containerRowHash, leafOf, listingRowHash, treeKey } from "../partition-hash";
import {
  HASH_ROOT_CHANGED_AT_SQL,
  HASH_TREE_SQL,
  HashedRows,
  HashTree,
  leafColumnsSql,
  type AuditEntry,
} from "./hash-tree";
import type { ListingBounds } from "../listing";
import { boundsSql } from "./listing-sql";

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
        created_at TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content_type_timestamp TEXT NOT NULL,
        meta_timestamp TEXT NOT NULL,
        PRIMARY KEY (container, name)
      ) WITHOUT ROWID;
      CREATE INDEX object_live ON object (container, name) WHERE deleted = 0;
      ${OUTBOX_TABLE_SQL}
    `,
  },
  {
    // The hash tree over container rows and listing rows.
    id: 2,
    sql: `
      ${leafColumnsSql("container")}
      ${leafColumnsSql("object")}
      ${HASH_TREE_SQL}
    `,
    backfill: (sql) => {
      const tree = new HashTree(sql);
      for (const row of sql.exec<ContainerRowSql>("SELECT * FROM container").toArray()) {
        const leaf = leafOf(treeKey.container(row.name));
        const hash = containerRowHash(row.name, containerFromSql(row));
        sql.exec("UPDATE container SET leaf = ?, hash = ? WHERE name = ?", leaf, hash, row.name);
        tree.update(leaf, null, hash);
      }
      for (const row of sql.exec<ListingRowSql & { container: string }>("SELECT * FROM object").toArray()) {
        const leaf = leafOf(treeKey.listing(row.container, row.name));
        const hash = listingRowHash(row.container, listingFromSql(row));
        sql.exec(
          "UPDATE object SET leaf = ?, hash = ? WHERE container = ? AND name = ?",
          leaf,
          hash,
          row.container,
          row.name,
        );
        tree.update(leaf, null, hash);
      }
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

export class ContainerRows extends HashedRows {
  container(key: string): ContainerRow | null {
    const first = this.sql.exec<ContainerRowSql>("SELECT * FROM container WHERE name = ?", key).toArray()[0];
    return first ? containerFromSql(first) : null;
  }

  /** Stores a container's row and moves its hash in the tree; call inside a transaction. */
  saveContainer(key: string, row: ContainerRow): void {
    const before =
      this.sql.exec<{ hash: string | null }>("SELECT hash FROM container WHERE name = ?", key).toArray()[0]?.hash ??
      null;
    const leaf = leafOf(treeKey.container(key));
    const hash = containerRowHash(key, row);
    this.tree.update(leaf, before, hash);
    this.sql.exec(
      `INSERT OR REPLACE INTO container (name, account, container, created_at, put_timestamp, delete_timestamp,
         status_changed_at, object_count, bytes_used, metadata, storage_policy_index, leaf, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      key,
      row.account,
      row.container,
      row.createdAt,
      row.putTimestamp,
      row.deleteTimestamp,
      row.statusChangedAt,
      row.objectCount,
      row.bytesUsed,
      JSON.stringify(row.metadata),
      row.storagePolicyIndex,
      leaf,
      hash,
    );
  }

  object(key: string, name: string): ListingRow | null {
    const first = this.sql
      .exec<ListingRowSql>("SELECT * FROM object WHERE container = ? AND name = ?", key, name)
      .toArray()[0];
    return first ? listingFromSql(first) : null;
  }

  /** Stores a listing row and moves its hash in the tree; call inside a transaction. */
  saveObject(key: string, row: ListingRow): void {
    const before =
      this.sql
        .exec<{ hash: string | null }>("SELECT hash FROM object WHERE container = ? AND name = ?", key, row.name)
        .toArray()[0]?.hash ?? null;
    const leaf = leafOf(treeKey.listing(key, row.name));
    const hash = listingRowHash(key, row);
    this.tree.update(leaf, before, hash);
    this.sql.exec(
      `INSERT OR REPLACE INTO object (container, name, created_at, deleted, size, etag, content_type, content_type_timestamp,
         meta_timestamp, leaf, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      key,
      row.name,
      row.createdAt,
      row.deleted,
      row.size,
      row.etag,
      row.contentType,
      row.contentTypeTimestamp,
      row.metaTimestamp,
      leaf,
      hash,
    );
  }

  /** The auditor's view of a leaf's rows (container rows and listing rows). */
  auditEntries(leaf: number): AuditEntry[] {
    const containers = this.sql
      .exec<ContainerRowSql & { hash: string | null }>("SELECT * FROM container WHERE leaf = ?", leaf)
      .toArray();
    const listings = this.sql
      .exec<ListingRowSql & { container: string; hash: string | null }>("SELECT * FROM object WHERE leaf = ?", leaf)
      .toArray();
    return [
      ...containers.map((row) => ({
        stored: row.hash,
        computed: containerRowHash(row.name, containerFromSql(row)),
        rewrite: (hash: string) => this.sql.exec("UPDATE container SET hash = ? WHERE name = ?", hash, row.name),
      })),
      ...listings.map((row) => ({
        stored: row.hash,
        computed: listingRowHash(row.container, listingFromSql(row)),
        rewrite: (hash: string) =>
          this.sql.exec("UPDATE object SET hash = ? WHERE container = ? AND name = ?", hash, row.container, row.name),
      })),
    ];
  }

  /** Every container row and listing row in the given leaves (for repair). */
  rowsInLeaves(leaves: readonly number[]): ContainerReplicaRow[] {
    const rows: ContainerReplicaRow[] = [];
    for (const leaf of leaves) {
      for (const row of this.sql.exec<ContainerRowSql>("SELECT * FROM container WHERE leaf = ?", leaf)) {
        rows.push({ kind: "container", key: row.name, row: containerFromSql(row) });
      }
      for (const row of this.sql.exec<ListingRowSql & { container: string }>(
        "SELECT * FROM object WHERE leaf = ?",
        leaf,
      )) {
        rows.push({ kind: "object", key: row.container, row: listingFromSql(row) });
      }
    }
    return rows;
  }

  /** Live (not deleted) listing rows of a container within the bounds, in name order. */
  *listObjects(key: string, bounds: ListingBounds): Generator<{ name: string; row: ListingRow }> {
    const { conditions, args, tail } = boundsSql(bounds);
    const cursor = this.sql.exec<ListingRowSql>(
      `SELECT name, created_at, deleted, size, etag, content_type, content_type_timestamp, meta_timestamp
         FROM object INDEXED BY object_live WHERE ${["container = ?", "deleted = 0", ...conditions].join(" AND ")} ${tail}`,
      key,
      ...args,
    );
    // Lazily: a delimiter walk stops reading at its first pseudo-directory (listing.ts).
    for (const row of cursor) yield { name: row.name, row: listingFromSql(row) };
  }

  /** The oldest tombstone (a deleted listing row or a deleted, empty container), or null. */
  oldestTombstone(): string | null {
    const listing = this.sql
      .exec<{ t: string | null }>(
        "SELECT min(created_at) AS t FROM object INDEXED BY object_tombstone WHERE deleted = 1",
      )
      .one().t;
    const container = this.sql
      .exec<{ t: string | null }>(
        "SELECT min(delete_timestamp) AS t FROM container INDEXED BY container_deleted WHERE delete_timestamp > put_timestamp AND object_count = 0",
      )
      .one().t;
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
      .exec<{ container: string; name: string; leaf: number; hash: string | null }>(
        "SELECT container, name, leaf, hash FROM object INDEXED BY object_tombstone WHERE deleted = 1 AND created_at < ? LIMIT ?",
        cutoff,
        limit,
      )
      .toArray();
    for (const row of rows) {
      this.tree.update(row.leaf, row.hash, null);
      this.sql.exec("DELETE FROM object WHERE container = ? AND name = ?", row.container, row.name);
      removed += 1;
    }
    const containers = this.sql
      .exec<{ name: string; leaf: number; hash: string | null }>(
        `SELECT name, leaf, hash FROM container INDEXED BY container_deleted
         WHERE delete_timestamp > put_timestamp AND object_count = 0 AND delete_timestamp < ? LIMIT ?`,
        cutoff,
        Math.max(0, limit - removed),
      )
      .toArray();
    for (const row of containers) {
      if (this.sql.exec("SELECT 1 FROM object WHERE container = ? LIMIT 1", row.name).toArray().length) continue;
      this.tree.update(row.leaf, row.hash, null);
      this.sql.exec("DELETE FROM container WHERE name = ?", row.name);
      removed += 1;
    }
    return removed;
  }

  /** Count and bytes of a container's live listing rows, counted (a container row arriving by repair). */
  countObjects(key: string): { objectCount: number; bytesUsed: number } {
    const row = this.sql
      .exec<{ n: number; bytes: number | null }>(
        "SELECT count(*) AS n, sum(size) AS bytes FROM object INDEXED BY object_live WHERE container = ? AND deleted = 0",
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
