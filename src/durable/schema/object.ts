/**
 * @module
 * The object replica's schema: one row per object (data, metadata and tombstone in one, merged
 * by timestamps), the container updates it still owes (its outbox), and bodies to delete from its bucket.
 * All of ObjectReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import type { ObjectRow } from "../rows";
import { leafOf, objectRowHash, treeKey, type Hash } from "../partition-hash";
import { HASH_LEAVES_ONLY_SQL, HASH_ROOT_CHANGED_AT_SQL, hashTreeSql, backfillHashes, HashedRows } from "./hash-tree";
import type { AuditEntry, HashedRowSql } from "./hash-tree";
import { OUTBOX_TABLE_SQL } from "./outbox";
import { LISTING_COLUMNS_SQL, listingFromSql, listingToSql, type ListingRowSql } from "./container";

/** The key columns of the object table (from migration 6: the leaf first, so a leaf's rows are one range). */
const OBJECT_KEY = ["leaf", "name"];

/** Every column of the object table, as migrations 1 and 2 left it. */
const OBJECT_COLUMNS =
  "name, created_at, deleted, size, etag, content_type, content_type_timestamp, meta_timestamp, metadata, body_key, " +
  "delete_at, leaf, hash";

export const OBJECT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE object (
        name TEXT PRIMARY KEY,
        ${LISTING_COLUMNS_SQL},
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
    sql: hashTreeSql("object"),
    backfill: (sql) => {
      backfillHashes<ObjectRowSql>(sql, "object", ["name"], (row) => {
        const domain = fromSql(row);
        return { leaf: leafOf(domain.name), hash: objectRowHash(domain) };
      });
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
  // Only the hash tree's leaves are stored (hash-tree.ts).
  { id: 5, sql: HASH_LEAVES_ONLY_SQL },
  {
    // Rows keyed by (leaf, name) in a table without rowids: a write stores one entry where it
    // stored three (the row, its name's index and its leaf's), and a leaf's rows are one range.
    // Bodies to delete likewise: one entry each where there were two.
    id: 6,
    sql: `
      CREATE TABLE object_by_leaf (
        leaf INTEGER NOT NULL,
        name TEXT NOT NULL,
        ${LISTING_COLUMNS_SQL},
        metadata TEXT NOT NULL,
        body_key TEXT,
        delete_at INTEGER,
        hash TEXT,
        PRIMARY KEY (leaf, name)
      ) WITHOUT ROWID;
      INSERT INTO object_by_leaf (${OBJECT_COLUMNS}) SELECT ${OBJECT_COLUMNS} FROM object;
      DROP TABLE object;
      ALTER TABLE object_by_leaf RENAME TO object;
      CREATE INDEX object_delete_at ON object (delete_at) WHERE delete_at IS NOT NULL;
      CREATE INDEX object_tombstone ON object (created_at) WHERE deleted = 1;
      CREATE TABLE garbage_body_by_key (body_key TEXT PRIMARY KEY, queued_at INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO garbage_body_by_key (body_key, queued_at) SELECT body_key, queued_at FROM garbage_body;
      DROP TABLE garbage_body;
      ALTER TABLE garbage_body_by_key RENAME TO garbage_body;
    `,
  },
];

interface ObjectRowSql extends ListingRowSql {
  metadata: string;
  body_key: string | null;
  delete_at: number | null;
}

/** An object row as read from the object table. */
function fromSql(row: ObjectRowSql): ObjectRow {
  return {
    ...listingFromSql(row),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    bodyKey: row.body_key,
    deleteAt: row.delete_at,
  };
}

export class ObjectRows extends HashedRows {
  /** An object's row, or null. */
  get(name: string): ObjectRow | null {
    return this.find("object", OBJECT_KEY, [leafOf(name), name], fromSql);
  }

  /** Stores a row and moves its hash in the tree; call inside a transaction. */
  save(row: ObjectRow): void {
    const columns = {
      ...listingToSql(row),
      metadata: JSON.stringify(row.metadata),
      body_key: row.bodyKey,
      delete_at: row.deleteAt,
    };
    this.store("object", OBJECT_KEY, columns, leafOf(row.name), objectRowHash(row));
  }

  /** Removes a row (a reclaimed tombstone) and its hash. */
  remove(name: string): void {
    const current = this.sql
      .exec<HashedRowSql>("SELECT name, hash, leaf FROM object WHERE leaf = ? AND name = ?", leafOf(name), name)
      .toArray()[0];
    if (current) this.removeRow("object", OBJECT_KEY, current);
  }

  /** The oldest tombstone's timestamp, or null. */
  oldestTombstone(): string | null {
    return this.valueOf<string>(
      "SELECT min(created_at) AS t FROM object INDEXED BY object_tombstone WHERE deleted = 1",
    );
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
    return this.valueOf<number>("SELECT min(delete_at) AS t FROM object WHERE delete_at IS NOT NULL AND deleted = 0");
  }

  /** How many live objects' X-Delete-At is at or before `nowSeconds`, counted up to `limit`. */
  expiredCount(nowSeconds: number, limit: number): number {
    return (
      this.valueOf<number>(
        "SELECT count(*) AS t FROM (SELECT 1 FROM object WHERE delete_at IS NOT NULL AND delete_at <= ? AND deleted = 0 LIMIT ?)",
        nowSeconds,
        limit,
      ) ?? 0
    );
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

  /** A row's key in the hash tree: its name. */
  keyOf(row: ObjectRow): string {
    return treeKey.object(row.name);
  }

  /** A row's hash, as the tree holds it. */
  hashOf(row: ObjectRow): Hash {
    return objectRowHash(row);
  }

  /** The auditor's view of a leaf's rows. */
  auditEntries(leaf: number): AuditEntry[] {
    return this.audited<ObjectRowSql>("object", OBJECT_KEY, leaf, (row) => objectRowHash(fromSql(row)));
  }

  /** Every row in the given leaves (for repair). */
  rowsInLeaves(leaves: readonly number[]): ObjectRow[] {
    const rows: ObjectRow[] = [];
    for (const leaf of leaves) for (const row of this.inLeaf<ObjectRowSql>("object", leaf)) rows.push(fromSql(row));
    return rows;
  }

  /** Queues body keys for deletion from the zone's bucket. */
  queueGarbage(bodyKeys: readonly string[], now: number): void {
    for (const key of bodyKeys)
      this.sql.exec("INSERT OR IGNORE INTO garbage_body (body_key, queued_at) VALUES (?, ?)", key, now);
  }

  /** Up to `limit` body keys waiting for deletion. */
  garbage(limit: number): string[] {
    return this.sql
      .exec<{ body_key: string }>("SELECT body_key FROM garbage_body LIMIT ?", limit)
      .toArray()
      .map((row) => row.body_key);
  }

  /** Forgets body keys once deleted. */
  clearGarbage(bodyKeys: readonly string[]): void {
    for (const key of bodyKeys) this.sql.exec("DELETE FROM garbage_body WHERE body_key = ?", key);
  }
}
