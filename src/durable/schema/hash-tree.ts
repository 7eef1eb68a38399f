/**
 * @module
 * The hash tree a replica keeps over its rows: 65,536 leaves, 256 buckets and one root, each the
 * XOR of the row hashes below it, updated in the same transaction as the row (three upserts), so
 * comparing two replicas never scans rows. See partition-hash.ts for the hashing itself.
 */

import { BUCKET_BITS, LEAF_BITS, ZERO_HASH, bucketOf, xorHash, type Hash } from "../partition-hash";

export const HASH_TREE_SQL = `
  CREATE TABLE hash_leaf (leaf INTEGER PRIMARY KEY, hash TEXT NOT NULL, rows INTEGER NOT NULL);
  CREATE TABLE hash_bucket (bucket INTEGER PRIMARY KEY, hash TEXT NOT NULL, rows INTEGER NOT NULL);
  CREATE TABLE hash_root (id INTEGER PRIMARY KEY CHECK (id = 0), hash TEXT NOT NULL, rows INTEGER NOT NULL);
`;

/** A later migration: when the partition hash last changed (epoch ms), kept with it at no extra write. */
export const HASH_ROOT_CHANGED_AT_SQL = "ALTER TABLE hash_root ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;";

/** One row as the auditor sees it: the hash stored with it, the hash its content gives, and how to store the latter. */
export interface AuditEntry {
  stored: Hash | null;
  computed: Hash;
  rewrite(hash: Hash): void;
}

export interface TreeNode {
  hash: Hash;
  rows: number;
  /** For the partition hash: when it last changed (epoch ms; 0 before that was kept). */
  changedAt?: number;
}

export class HashTree {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Replaces a row's hash in the tree: `before` is the hash it had (null when new), `after` the
   * hash it has now (null when removed). Call inside the row's transaction.
   */
  update(leaf: number, before: Hash | null, after: Hash | null): void {
    if (before === after) return;
    const delta = xorHash(before ?? ZERO_HASH, after ?? ZERO_HASH);
    const rows = (after === null ? 0 : 1) - (before === null ? 0 : 1);
    this.#apply("hash_leaf", "leaf", leaf, delta, rows);
    this.#apply("hash_bucket", "bucket", bucketOf(leaf), delta, rows);
    this.#apply("hash_root", "id", 0, delta, rows);
  }

  #apply(table: string, column: string, id: number, delta: Hash, rows: number): void {
    const current = this.#sql
      .exec<{ hash: string; rows: number }>(`SELECT hash, rows FROM ${table} WHERE ${column} = ?`, id)
      .toArray()[0];
    this.#write(table, column, id, {
      hash: xorHash(current?.hash ?? ZERO_HASH, delta),
      rows: (current?.rows ?? 0) + rows,
    });
  }

  /** Stores a node (removes it when empty); the root also keeps when it changed. */
  #write(table: string, column: string, id: number, node: TreeNode): void {
    if (node.rows <= 0 && node.hash === ZERO_HASH) this.#sql.exec(`DELETE FROM ${table} WHERE ${column} = ?`, id);
    else if (table === "hash_root")
      this.#sql.exec(
        "INSERT OR REPLACE INTO hash_root (id, hash, rows, changed_at) VALUES (0, ?, ?, ?)",
        node.hash,
        node.rows,
        Date.now(),
      );
    else
      this.#sql.exec(
        `INSERT OR REPLACE INTO ${table} (${column}, hash, rows) VALUES (?, ?, ?)`,
        id,
        node.hash,
        node.rows,
      );
  }

  /** The partition hash, how many rows it covers, and when it last changed. */
  root(): TreeNode {
    const row = this.#sql
      .exec<{ hash: string; rows: number; changed_at: number }>(
        "SELECT hash, rows, changed_at FROM hash_root WHERE id = 0",
      )
      .toArray()[0];
    return { hash: row?.hash ?? ZERO_HASH, rows: row?.rows ?? 0, changedAt: row?.changed_at ?? 0 };
  }

  /** Every non-empty bucket's hash. */
  buckets(): Record<number, Hash> {
    const result: Record<number, Hash> = {};
    for (const row of this.#sql.exec<{ bucket: number; hash: string }>("SELECT bucket, hash FROM hash_bucket"))
      result[row.bucket] = row.hash;
    return result;
  }

  /** The non-empty leaves' hashes within the given buckets. */
  leaves(buckets: readonly number[]): Record<number, Hash> {
    const result: Record<number, Hash> = {};
    const shift = LEAF_BITS - BUCKET_BITS;
    for (const bucket of buckets) {
      for (const row of this.#sql.exec<{ leaf: number; hash: string }>(
        "SELECT leaf, hash FROM hash_leaf WHERE leaf >= ? AND leaf < ?",
        bucket << shift,
        (bucket + 1) << shift,
      )) {
        result[row.leaf] = row.hash;
      }
    }
    return result;
  }

  /**
   * The auditor's check of one leaf: each row's stored hash against the hash its content gives
   * now, and the leaf's hash against the XOR of those. Drift is repaired in place (row hashes
   * rewritten; leaf, bucket and root moved by the same delta); returns how many rows drifted
   * (and 1 when only the leaf itself did).
   */
  auditLeaf(leaf: number, rows: readonly AuditEntry[]): number {
    let drifted = 0;
    let recomputed = ZERO_HASH;
    for (const row of rows) {
      recomputed = xorHash(recomputed, row.computed);
      if (row.stored !== row.computed) {
        drifted += 1;
        row.rewrite(row.computed);
      }
    }
    const stored = this.#sql
      .exec<{ hash: string; rows: number }>("SELECT hash, rows FROM hash_leaf WHERE leaf = ?", leaf)
      .toArray()[0];
    const storedHash = stored?.hash ?? ZERO_HASH;
    if (storedHash !== recomputed || (stored?.rows ?? 0) !== rows.length) {
      const delta = xorHash(storedHash, recomputed);
      const countDelta = rows.length - (stored?.rows ?? 0);
      this.#apply("hash_leaf", "leaf", leaf, delta, countDelta);
      this.#apply("hash_bucket", "bucket", bucketOf(leaf), delta, countDelta);
      this.#apply("hash_root", "id", 0, delta, countDelta);
      drifted = Math.max(drifted, 1);
    }
    return drifted;
  }

  /**
   * The auditor's check of the upper levels: each given bucket against the XOR of its leaves, and
   * the root against the XOR of all buckets (at most 256 + 256 rows read). Rewrites what drifted;
   * returns how many nodes did.
   */
  auditUpper(buckets: readonly number[]): number {
    let drifted = 0;
    const shift = LEAF_BITS - BUCKET_BITS;
    const fix = (table: string, column: string, id: number, expected: TreeNode, stored: TreeNode | undefined): void => {
      if (stored && stored.hash === expected.hash && stored.rows === expected.rows) return;
      drifted += 1;
      this.#write(table, column, id, expected);
    };
    for (const bucket of new Set(buckets)) {
      const leaves = this.#sql
        .exec<{ hash: string; rows: number }>(
          "SELECT hash, rows FROM hash_leaf WHERE leaf >= ? AND leaf < ?",
          bucket << shift,
          (bucket + 1) << shift,
        )
        .toArray();
      const expected = {
        hash: xorHash(ZERO_HASH, ...leaves.map((leaf) => leaf.hash)),
        rows: leaves.reduce((n, leaf) => n + leaf.rows, 0),
      };
      fix(
        "hash_bucket",
        "bucket",
        bucket,
        expected,
        this.#sql
          .exec<{ hash: string; rows: number }>("SELECT hash, rows FROM hash_bucket WHERE bucket = ?", bucket)
          .toArray()[0],
      );
    }
    const all = this.#sql.exec<{ hash: string; rows: number }>("SELECT hash, rows FROM hash_bucket").toArray();
    const root = {
      hash: xorHash(ZERO_HASH, ...all.map((bucket) => bucket.hash)),
      rows: all.reduce((n, bucket) => n + bucket.rows, 0),
    };
    fix(
      "hash_root",
      "id",
      0,
      root,
      this.#sql.exec<{ hash: string; rows: number }>("SELECT hash, rows FROM hash_root WHERE id = 0").toArray()[0],
    );
    return drifted;
  }

  /** Up to `limit` non-empty leaves, from a random point (the auditor's sample). */
  sampleLeaves(limit: number, startLeaf: number): number[] {
    const after = this.#sql
      .exec<{ leaf: number }>("SELECT leaf FROM hash_leaf WHERE leaf >= ? ORDER BY leaf LIMIT ?", startLeaf, limit)
      .toArray();
    const before =
      after.length < limit
        ? this.#sql
            .exec<{ leaf: number }>(
              "SELECT leaf FROM hash_leaf WHERE leaf < ? ORDER BY leaf LIMIT ?",
              startLeaf,
              limit - after.length,
            )
            .toArray()
        : [];
    return [...after, ...before].map((row) => row.leaf);
  }

  /** Empties the tree (before rebuilding it from the rows). */
  clear(): void {
    this.#sql.exec("DELETE FROM hash_leaf; DELETE FROM hash_bucket; DELETE FROM hash_root;");
  }
}

/** SQL giving a table the leaf and hash columns every hashed row has, and the index by leaf. */
export function leafColumnsSql(table: string): string {
  return `
      ALTER TABLE ${table} ADD COLUMN leaf INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE ${table} ADD COLUMN hash TEXT;
      CREATE INDEX ${table}_leaf ON ${table} (leaf);`;
}

/** The rows of one replica class over its SQLite storage, with the hash tree over them. */
export abstract class HashedRows {
  protected readonly sql: SqlStorage;
  readonly tree: HashTree;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.tree = new HashTree(sql);
  }
}
