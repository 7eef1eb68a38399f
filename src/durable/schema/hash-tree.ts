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
  readonly #stampRoot: boolean;

  /**
   * `stampRoot`: whether the root keeps when it changed, in the `changed_at` column migration 4
   * adds; false for the backfill of migration 2, which runs before that column exists.
   */
  constructor(sql: SqlStorage, stampRoot = true) {
    this.#sql = sql;
    this.#stampRoot = stampRoot;
  }

  /**
   * Replaces a row's hash in the tree: `before` is the hash it had (null when new), `after` the
   * hash it has now (null when removed). Call inside the row's transaction.
   */
  update(leaf: number, before: Hash | null, after: Hash | null): void {
    if (before === after) return;
    this.#move(
      leaf,
      xorHash(before ?? ZERO_HASH, after ?? ZERO_HASH),
      (after === null ? 0 : 1) - (before === null ? 0 : 1),
    );
  }

  /** Moves a leaf, its bucket and the root by the same hash and row-count delta. */
  #move(leaf: number, delta: Hash, rows: number): void {
    this.#apply("hash_leaf", "leaf", leaf, delta, rows);
    this.#apply("hash_bucket", "bucket", bucketOf(leaf), delta, rows);
    this.#apply("hash_root", "id", 0, delta, rows);
  }

  /** Moves one node by a hash and row-count delta. */
  #apply(table: string, column: string, id: number, delta: Hash, rows: number): void {
    const current = this.#read(table, column, id);
    this.#write(table, column, id, {
      hash: xorHash(current?.hash ?? ZERO_HASH, delta),
      rows: (current?.rows ?? 0) + rows,
    });
  }

  /** A stored node's hash and row count, or undefined when it is empty. */
  #read(table: string, column: string, id: number): TreeNode | undefined {
    return this.#sql
      .exec<{ hash: string; rows: number }>(`SELECT hash, rows FROM ${table} WHERE ${column} = ?`, id)
      .toArray()[0];
  }

  /** Stores a node (removes it when empty); the root also keeps when it changed. */
  #write(table: string, column: string, id: number, node: TreeNode): void {
    if (node.rows <= 0 && node.hash === ZERO_HASH) this.#sql.exec(`DELETE FROM ${table} WHERE ${column} = ?`, id);
    else if (table === "hash_root" && this.#stampRoot)
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
    const stored = this.#read("hash_leaf", "leaf", leaf);
    const storedHash = stored?.hash ?? ZERO_HASH;
    if (storedHash !== recomputed || (stored?.rows ?? 0) !== rows.length) {
      this.#move(leaf, xorHash(storedHash, recomputed), rows.length - (stored?.rows ?? 0));
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
    const fix = (table: string, column: string, id: number, below: readonly TreeNode[]): void => {
      const expected = sumOf(below);
      const stored = this.#read(table, column, id);
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
      fix("hash_bucket", "bucket", bucket, leaves);
    }
    fix(
      "hash_root",
      "id",
      0,
      this.#sql.exec<{ hash: string; rows: number }>("SELECT hash, rows FROM hash_bucket").toArray(),
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

/** The node over `nodes`: the XOR of their hashes and the sum of their rows. */
function sumOf(nodes: readonly TreeNode[]): TreeNode {
  return {
    hash: xorHash(ZERO_HASH, ...nodes.map((node) => node.hash)),
    rows: nodes.reduce((n, node) => n + node.rows, 0),
  };
}

/**
 * The migration that adds the hash tree: the leaf and hash columns of each hashed table, then
 * the tree's own tables (one statement group a line, as the migrations first wrote it).
 */
export function hashTreeSql(...tables: string[]): string {
  return `\n${[...tables.map(leafColumnsSql), HASH_TREE_SQL].map((sql) => `      ${sql}\n`).join("")}    `;
}

/** SQL giving a table the leaf and hash columns every hashed row has, and the index by leaf. */
export function leafColumnsSql(table: string): string {
  return `
      ALTER TABLE ${table} ADD COLUMN leaf INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE ${table} ADD COLUMN hash TEXT;
      CREATE INDEX ${table}_leaf ON ${table} (leaf);`;
}

/** A hashed row as stored: its columns, with the leaf and hash every hashed table adds. */
export type HashedRowSql = Record<string, SqlStorageValue> & { leaf: number; hash: string | null };

/** `a = ? AND b = ?` over a table's key columns. */
function keyWhere(key: readonly string[]): string {
  return key.map((column) => `${column} = ?`).join(" AND ");
}

/** The values of a row's key columns, in order. */
function keyValues(row: Record<string, SqlStorageValue>, key: readonly string[]): SqlStorageValue[] {
  return key.map((column) => row[column] ?? null);
}

/**
 * The backfill of the migration that adds the hash tree (migration 2 of each replica class):
 * every row of `table` (rows found by their `key` columns) gets the leaf and hash `place` gives
 * it, and goes into the tree. Rows here have only the columns of the migrations before: `place`
 * reads later columns with the defaults their migrations give.
 */
export function backfillHashes<R extends Record<string, SqlStorageValue>>(
  sql: SqlStorage,
  table: string,
  key: readonly string[],
  place: (row: R) => { leaf: number; hash: Hash },
): void {
  const tree = new HashTree(sql, false);
  for (const row of sql.exec<R>(`SELECT * FROM ${table}`).toArray()) {
    const { leaf, hash } = place(row);
    sql.exec(`UPDATE ${table} SET leaf = ?, hash = ? WHERE ${keyWhere(key)}`, leaf, hash, ...keyValues(row, key));
    tree.update(leaf, null, hash);
  }
}

/** The rows of one replica class over its SQLite storage, with the hash tree over them. */
export abstract class HashedRows {
  protected readonly sql: SqlStorage;
  readonly tree: HashTree;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.tree = new HashTree(sql);
  }

  /** The one row of `table` whose `key` columns hold `values`, as `fromSql` reads it, or null. */
  protected find<R extends Record<string, SqlStorageValue>, T>(
    table: string,
    key: readonly string[],
    values: readonly SqlStorageValue[],
    fromSql: (row: R) => T,
  ): T | null {
    const first = this.sql.exec<R>(`SELECT * FROM ${table} WHERE ${keyWhere(key)}`, ...values).toArray()[0];
    return first ? fromSql(first) : null;
  }

  /**
   * Stores a row's `columns` in `table` (replacing the row its `key` columns name) with its leaf
   * and hash, and moves its hash in the tree; call inside a transaction.
   */
  protected store(
    table: string,
    key: readonly string[],
    columns: Record<string, SqlStorageValue>,
    leaf: number,
    hash: Hash,
  ): void {
    const before =
      this.sql
        .exec<{ hash: string | null }>(`SELECT hash FROM ${table} WHERE ${keyWhere(key)}`, ...keyValues(columns, key))
        .toArray()[0]?.hash ?? null;
    this.tree.update(leaf, before, hash);
    const stored = { ...columns, leaf, hash };
    const names = Object.keys(stored);
    this.sql.exec(
      `INSERT OR REPLACE INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
      ...Object.values(stored),
    );
  }

  /** Removes a row of `table` (found by its `key` columns) and takes its hash out of the tree. */
  protected removeRow(table: string, key: readonly string[], row: HashedRowSql): void {
    this.tree.update(row.leaf, row.hash, null);
    this.sql.exec(`DELETE FROM ${table} WHERE ${keyWhere(key)}`, ...keyValues(row, key));
  }

  /** The rows of `table` in one leaf, with their stored hashes (read lazily). */
  protected inLeaf<R extends Record<string, SqlStorageValue>>(
    table: string,
    leaf: number,
  ): SqlStorageCursor<R & HashedRowSql> {
    return this.sql.exec<R & HashedRowSql>(`SELECT * FROM ${table} WHERE leaf = ?`, leaf);
  }

  /**
   * The auditor's view of one leaf's rows of `table`: each row's stored hash, the hash `hashOf`
   * computes from its content, and how to store the latter (rows found by their `key` columns).
   */
  protected audited<R extends Record<string, SqlStorageValue>>(
    table: string,
    key: readonly string[],
    leaf: number,
    hashOf: (row: R) => Hash,
  ): AuditEntry[] {
    return this.inLeaf<R>(table, leaf)
      .toArray()
      .map((row) => ({
        stored: row.hash,
        computed: hashOf(row),
        rewrite: (hash: string) =>
          this.sql.exec(`UPDATE ${table} SET hash = ? WHERE ${keyWhere(key)}`, hash, ...keyValues(row, key)),
      }));
  }

  /** The value `t` a one-row query selects (a min() over an index, null over no rows). */
  protected valueOf<T extends SqlStorageValue>(query: string, ...args: SqlStorageValue[]): T | null {
    return this.sql.exec<{ t: T | null }>(query, ...args).one().t;
  }
}
