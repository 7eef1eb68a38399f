/**
 * @module
 * The outbox table a replica keeps for updates it owes a replica of another ring (object →
 * container listing rows, container → account reports): one row per (target replica, key), the
 * newest payload replacing an older one, deleted only once delivered. Survives restarts.
 */

/** Migration 1's table; a later migration adds `queued_at INTEGER NOT NULL DEFAULT 0`. */
export const OUTBOX_TABLE_SQL = `
  CREATE TABLE outbox (
    partition INTEGER NOT NULL,
    zone TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (partition, zone, key)
  ) WITHOUT ROWID;
`;

/**
 * A container replica's second outbox (container migration 6), to other container replicas:
 * listing rows for its shards, counts for its root. A table of its own, since its targets'
 * partitions are the container ring's, not the account ring's.
 */
export const SHARD_OUTBOX_TABLE_SQL = `
  CREATE TABLE shard_outbox (
    partition INTEGER NOT NULL,
    zone TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partition, zone, key)
  ) WITHOUT ROWID;
`;

export interface OutboxItem<T> {
  partition: number;
  zone: string;
  key: string;
  payload: T;
}

export class OutboxRows<T> {
  readonly #sql: SqlStorage;
  readonly #table: "outbox" | "shard_outbox";

  constructor(sql: SqlStorage, table: "outbox" | "shard_outbox" = "outbox") {
    this.#sql = sql;
    this.#table = table;
  }

  put(item: OutboxItem<T>): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO ${this.#table} (partition, zone, key, payload, queued_at) VALUES (?, ?, ?, ?, ?)`,
      item.partition,
      item.zone,
      item.key,
      JSON.stringify(item.payload),
      Date.now(),
    );
  }

  /** Drops items queued before `before` (ms): a target that refused them for reclaim_age never will take them. */
  dropQueuedBefore(before: number): number {
    return this.#sql.exec(`DELETE FROM ${this.#table} WHERE queued_at < ?`, before).rowsWritten;
  }

  pending(limit: number): OutboxItem<T>[] {
    return this.#sql
      .exec<{ partition: number; zone: string; key: string; payload: string }>(
        `SELECT partition, zone, key, payload FROM ${this.#table} ORDER BY partition, zone LIMIT ?`,
        limit,
      )
      .toArray()
      .map((row) => ({
        partition: row.partition,
        zone: row.zone,
        key: row.key,
        payload: JSON.parse(row.payload) as T,
      }));
  }

  /** Removes delivered items, unless a newer payload for the same key was queued meanwhile. */
  clear(items: readonly OutboxItem<T>[]): void {
    for (const item of items) {
      this.#sql.exec(
        `DELETE FROM ${this.#table} WHERE partition = ? AND zone = ? AND key = ? AND payload = ?`,
        item.partition,
        item.zone,
        item.key,
        JSON.stringify(item.payload),
      );
    }
  }

  count(): number {
    return this.#sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${this.#table}`).one().n;
  }
}
