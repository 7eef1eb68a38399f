/**
 * @module
 * The object replica's schema: one row per object (data, metadata and tombstone in one, merged
 * by timestamps), the container updates it still owes (its outbox), and bodies to delete from its bucket.
 * All of ObjectReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import type { ObjectRow } from "../rows";
import { leafOf, objectRowHash } from "../partition-hash";
import {
  HASH_ROOT_CHANGED_AT_SQL,
  HASH_TREE_SQL,
  HashedRows,
  HashTree,
  leafColumnsSql,
  type AuditEntry,
} from "./hash-tree";
import { OUTBOX_TABLE_SQL } from "./outbox";
import { listingFromSql, type ListingRowSql } from "./container";

export const OBJECT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE object (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content_type_timestamp TEXT NOT NULL,
        meta_timestamp TEXT NOT NULL,
        metadata TEXT NOT NULL,
        body_key TEXT,
        delete_at INTEGER
      );
      CREATE INDEX object_delete_at ON object (delete_at) WHERE delete_at IS NOT NULL;
      ${OUTBOX_TABLE_SQL}
      CREATE TABLE garbage_body (
        body_key TEXT PRIMARY KEY,
        queued_at INTEGER NOT NULL
      );
    `,
  },
  {
    // The hash tree: each row's leaf and hash, and the leaf/bucket/root hashes over them.
    id: 2,
    sql: `
      ${leafColumnsSql("object")}
      ${HASH_TREE_SQL}
    `,
    backfill: (sql) => {
      const tree = new HashTree(sql);
      for (const row of sql.exec<ObjectRowSql>("SELECT * FROM object").toArray()) {
        const domain = fromSql(row);
        const leaf = leafOf(domain.name);
        const hash = objectRowHash(domain);
        sql.exec("UPDATE object SET leaf = ?, hash = ? WHERE name = ?", leaf, hash, domain.name);
        tree.update(leaf, null, hash);
      }
    },
  },
  {
    // Tombstones by age, for reclaim after reclaim_age; outbox items by age, dropped after it.
    id: 3,
    sql: `
      CREATE INDEX object_tombstone ON object (created_at) WHERE deleted = 1;
      ALTER TABLE outbox ADD COLUMN queued_at INTEGER NOT NULL DEFAULT 0;
    `,
  },
  // When the partition hash last changed, for recon and the convergence benchmark.
  { id: 4, sql: HASH_ROOT_CHANGED_AT_SQL },
];

interface ObjectRowSql extends ListingRowSql {
  metadata: string;
  body_key: string | null;
  delete_at: number | null;
}

function fromSql(row: ObjectRowSql): ObjectRow {
  return {
    ...listingFromSql(row),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    bodyKey: row.body_key,
    deleteAt: row.delete_at,
  };
}

export class ObjectRows extends HashedRows {
  get(name: string): ObjectRow | null {
    const rows = this.sql.exec<ObjectRowSql>("SELECT * FROM object WHERE name = ?", name).toArray();
    const first = rows[0];
    return first ? fromSql(first) : null;
  }

  /** Stores a row and moves its hash in the tree; call inside a transaction. */
  save(row: ObjectRow): void {
    const before =
      this.sql.exec<{ hash: string | null }>("SELECT hash FROM object WHERE name = ?", row.name).toArray()[0]?.hash ??
      null;
    const leaf = leafOf(row.name);
    const hash = objectRowHash(row);
    this.tree.update(leaf, before, hash);
    this.sql.exec(
      `INSERT OR REPLACE INTO object (name, created_at, deleted, size, etag, content_type, content_type_timestamp,
         meta_timestamp, metadata, body_key, delete_at, leaf, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.name,
      row.createdAt,
      row.deleted,
      row.size,
      row.etag,
      row.contentType,
      row.contentTypeTimestamp,
      row.metaTimestamp,
      JSON.stringify(row.metadata),
      row.bodyKey,
      row.deleteAt,
      leaf,
      hash,
    );
  }

  /** Removes a row (a reclaimed tombstone) and its hash. */
  remove(name: string): void {
    const current = this.sql
      .exec<{ hash: string | null; leaf: number }>("SELECT hash, leaf FROM object WHERE name = ?", name)
      .toArray()[0];
    if (!current) return;
    this.tree.update(current.leaf, current.hash, null);
    this.sql.exec("DELETE FROM object WHERE name = ?", name);
  }

  /** The oldest tombstone's timestamp, or null. */
  oldestTombstone(): string | null {
    return this.sql
      .exec<{ t: string | null }>(
        "SELECT min(created_at) AS t FROM object INDEXED BY object_tombstone WHERE deleted = 1",
      )
      .one().t;
  }

  /** Removes up to `limit` tombstones older than `cutoff`; returns how many. */
  reclaimBefore(cutoff: string, limit: number): number {
    const names = this.sql
      .exec<{ name: string }>(
        "SELECT name FROM object INDEXED BY object_tombstone WHERE deleted = 1 AND created_at < ? LIMIT ?",
        cutoff,
        limit,
      )
      .toArray();
    for (const { name } of names) this.remove(name);
    return names.length;
  }

  /** The earliest X-Delete-At (unix seconds) of a live object, or null. */
  nextDeleteAt(): number | null {
    return this.sql
      .exec<{ t: number | null }>("SELECT min(delete_at) AS t FROM object WHERE delete_at IS NOT NULL AND deleted = 0")
      .one().t;
  }

  /** Live objects whose X-Delete-At is at or before `nowSeconds`. */
  expired(nowSeconds: number, limit: number): ObjectRow[] {
    return this.sql
      .exec<ObjectRowSql>(
        "SELECT * FROM object WHERE delete_at IS NOT NULL AND delete_at <= ? AND deleted = 0 LIMIT ?",
        nowSeconds,
        limit,
      )
      .toArray()
      .map(fromSql);
  }

  /** The auditor's view of a leaf's rows. */
  auditEntries(leaf: number): AuditEntry[] {
    return this.sql
      .exec<ObjectRowSql & { hash: string | null }>("SELECT * FROM object WHERE leaf = ?", leaf)
      .toArray()
      .map((row) => ({
        stored: row.hash,
        computed: objectRowHash(fromSql(row)),
        rewrite: (hash: string) => this.sql.exec("UPDATE object SET hash = ? WHERE name = ?", hash, row.name),
      }));
  }

  /** Every row in the given leaves (for repair). */
  rowsInLeaves(leaves: readonly number[]): ObjectRow[] {
    const rows: ObjectRow[] = [];
    for (const leaf of leaves) {
      for (const row of this.sql.exec<ObjectRowSql>("SELECT * FROM object WHERE leaf = ?", leaf))
        rows.push(fromSql(row));
    }
    return rows;
  }

  queueGarbage(bodyKeys: readonly string[], now: number): void {
    for (const key of bodyKeys)
      this.sql.exec("INSERT OR IGNORE INTO garbage_body (body_key, queued_at) VALUES (?, ?)", key, now);
  }

  garbage(limit: number): string[] {
    return this.sql
      .exec<{ body_key: string }>("SELECT body_key FROM garbage_body LIMIT ?", limit)
      .toArray()
      .map((row) => row.body_key);
  }

  clearGarbage(bodyKeys: readonly string[]): void {
    for (const key of bodyKeys) this.sql.exec("DELETE FROM garbage_body WHERE body_key = ?", key);
  }
}
