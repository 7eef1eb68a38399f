/**
 * @module
 * The hash tree a replica keeps over its rows: 65,536 leaves, 256 buckets and one root, each the
 * XOR of the row hashes below it, so comparing two replicas never scans rows. Only the leaves are
 * stored, updated in the same transaction as the row (one upsert: one row written); the buckets
 * and the root are computed from them when first asked for and kept in memory, a bucket computed
 * again (at most 256 leaves read) once a leaf below it changed. See partition-hash.ts for the
 * hashing itself.
 */

import { BUCKET_BITS, LEAF_BITS, ZERO_HASH, bucketOf, xorHash, type Hash } from "../partition-hash";

export const HASH_TREE_SQL = `
  CREATE TABLE hash_leaf (leaf INTEGER PRIMARY KEY, hash TEXT NOT NULL, rows INTEGER NOT NULL);
  CREATE TABLE hash_bucket (bucket INTEGER PRIMARY KEY, hash TEXT NOT NULL, rows INTEGER NOT NULL);
  CREATE TABLE hash_root (id INTEGER PRIMARY KEY CHECK (id = 0), hash TEXT NOT NULL, rows INTEGER NOT NULL);
`;

/** A later migration: when the partition hash last changed (epoch ms), kept with it at no extra write. */
export const HASH_ROOT_CHANGED_AT_SQL = "ALTER TABLE hash_root ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;";

/**
 * A later migration: the buckets and the root are no longer stored (two rows written fewer per
 * change), and each leaf keeps when it last changed, from which the root's time is read.
 */
export const HASH_LEAVES_ONLY_SQL = `
  ALTER TABLE hash_leaf ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
  DROP TABLE hash_bucket;
  DROP TABLE hash_root;
`;

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

interface LeafRow extends TreeNode {
  leaf: number;
}

export class HashTree {
  readonly #sql: SqlStorage;
  readonly #stamped: boolean;
  /** The non-empty buckets as computed from their leaves; null until first asked for. */
  #buckets: Map<number, TreeNode> | null = null;
  /** Buckets with a leaf written since they were computed (a rolled-back write too: computing again is safe). */
  readonly #stale = new Set<number>();
  /** When a leaf last changed (epoch ms), as far as this instance knows. */
  #changedAt = 0;

  /**
   * `stamped`: whether leaves keep when they changed, in the `changed_at` column the leaves-only
   * migration adds; false for backfills of the migrations before it.
   */
  constructor(sql: SqlStorage, stamped = true) {
    this.#sql = sql;
    this.#stamped = stamped;
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

  /** Moves a leaf by a hash and row-count delta; its bucket and the root follow when next asked for. */
  #move(leaf: number, delta: Hash, rows: number): void {
    const current = this.#read(leaf);
    this.#write(leaf, {
      hash: xorHash(current?.hash ?? ZERO_HASH, delta),
      rows: (current?.rows ?? 0) + rows,
    });
  }

  /** A stored leaf's hash and row count, or undefined when it is empty. */
  #read(leaf: number): TreeNode | undefined {
    return this.#sql
      .exec<{ hash: string; rows: number }>("SELECT hash, rows FROM hash_leaf WHERE leaf = ?", leaf)
      .toArray()[0];
  }

  /** Stores a leaf (removes it when empty), noting when it changed. */
  #write(leaf: number, node: TreeNode): void {
    this.#stale.add(bucketOf(leaf));
    if (this.#stamped) this.#changedAt = Date.now();
    if (node.rows <= 0 && node.hash === ZERO_HASH) {
      this.#sql.exec("DELETE FROM hash_leaf WHERE leaf = ?", leaf);
      return;
    }
    const columns: Record<string, SqlStorageValue> = { leaf, hash: node.hash, rows: node.rows };
    if (this.#stamped) columns.changed_at = this.#changedAt;
    const names = Object.keys(columns);
    this.#sql.exec(
      `INSERT OR REPLACE INTO hash_leaf (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
      ...Object.values(columns),
    );
  }

  /** The stored leaves from `fromLeaf` up to (not including) `toLeaf`. */
  #leafRows(fromLeaf: number, toLeaf: number): LeafRow[] {
    const stamp = this.#stamped ? "changed_at" : "0";
    return this.#sql
      .exec<{ leaf: number; hash: string; rows: number; changedAt: number }>(
        `SELECT leaf, hash, rows, ${stamp} AS changedAt FROM hash_leaf WHERE leaf >= ? AND leaf < ?`,
        fromLeaf,
        toLeaf,
      )
      .toArray();
  }

  /** The non-empty buckets, computing those not yet computed or whose leaves changed. */
  #upper(): Map<number, TreeNode> {
    const shift = LEAF_BITS - BUCKET_BITS;
    if (this.#buckets === null) {
      this.#stale.clear();
      const byBucket = new Map<number, LeafRow[]>();
      for (const row of this.#leafRows(0, 1 << LEAF_BITS)) {
        const leaves = byBucket.get(bucketOf(row.leaf)) ?? [];
        leaves.push(row);
        byBucket.set(bucketOf(row.leaf), leaves);
      }
      this.#buckets = new Map([...byBucket].map(([bucket, leaves]) => [bucket, this.#sum(leaves)]));
    }
    for (const bucket of this.#stale) {
      const node = this.#sum(this.#leafRows(bucket << shift, (bucket + 1) << shift));
      if (node.rows > 0 || node.hash !== ZERO_HASH) this.#buckets.set(bucket, node);
      else this.#buckets.delete(bucket);
    }
    this.#stale.clear();
    return this.#buckets;
  }

  /** The node over `nodes` (see sumOf), noting the latest time one of them changed. */
  #sum(nodes: readonly TreeNode[]): TreeNode {
    for (const node of nodes) this.#changedAt = Math.max(this.#changedAt, node.changedAt ?? 0);
    return sumOf(nodes);
  }

  /** The partition hash, how many rows it covers, and when it last changed. */
  root(): TreeNode {
    return { ...sumOf([...this.#upper().values()]), changedAt: this.#changedAt };
  }

  /** Every non-empty bucket's hash. */
  buckets(): Record<number, Hash> {
    const result: Record<number, Hash> = {};
    for (const [bucket, node] of this.#upper()) result[bucket] = node.hash;
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
    const stored = this.#read(leaf);
    const storedHash = stored?.hash ?? ZERO_HASH;
    if (storedHash !== recomputed || (stored?.rows ?? 0) !== rows.length) {
      this.#move(leaf, xorHash(storedHash, recomputed), rows.length - (stored?.rows ?? 0));
      drifted = Math.max(drifted, 1);
    }
    return drifted;
  }

  /**
   * Computes the buckets and the root afresh from the leaves when next asked for: for the auditor
   * (the upper levels are never stored, so nothing there can drift but what this instance holds)
   * and once the replica deleted its storage.
   */
  forgetUpper(): void {
    this.#buckets = null;
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
    this.#sql.exec("DELETE FROM hash_leaf");
    this.#buckets = null;
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
   * Stores a row's `columns` in `table` (the row its `key` columns name, which may include its
   * leaf) with its leaf and hash, and moves its hash in the tree; call inside a transaction. A
   * row already there is updated in place, its changed columns only, so only the indexes over
   * those are written again (never the leaf's); a row stored again unchanged writes nothing.
   */
  protected store(
    table: string,
    key: readonly string[],
    columns: Record<string, SqlStorageValue>,
    leaf: number,
    hash: Hash,
  ): void {
    const stored: Record<string, SqlStorageValue> = { ...columns, leaf, hash };
    const where = keyWhere(key);
    const keys = keyValues(stored, key);
    const before = this.sql
      .exec<Record<string, SqlStorageValue>>(`SELECT * FROM ${table} WHERE ${where}`, ...keys)
      .toArray()[0];
    this.tree.update(leaf, (before?.hash as Hash | null | undefined) ?? null, hash);
    const names = Object.keys(stored);
    if (!before) {
      this.sql.exec(
        `INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
        ...Object.values(stored),
      );
      return;
    }
    const changed = names.filter((name) => !key.includes(name) && before[name] !== stored[name]);
    if (!changed.length) return;
    this.sql.exec(
      `UPDATE ${table} SET ${changed.map((name) => `${name} = ?`).join(", ")} WHERE ${where}`,
      ...changed.map((name) => stored[name] ?? null),
      ...keys,
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
