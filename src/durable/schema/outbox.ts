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

export interface OutboxItem<T> {
  partition: number;
  zone: string;
  key: string;
  payload: T;
}

export class OutboxRows<T> {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  put(item: OutboxItem<T>): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO outbox (partition, zone, key, payload, queued_at) VALUES (?, ?, ?, ?, ?)",
      item.partition,
      item.zone,
      item.key,
      JSON.stringify(item.payload),
      Date.now(),
    );
  }

  /** Drops items queued before `before` (ms): a target that refused them for reclaim_age never will take them. */
  dropQueuedBefore(before: number): number {
    return this.#sql.exec("DELETE FROM outbox WHERE queued_at < ?", before).rowsWritten;
  }

  pending(limit: number): OutboxItem<T>[] {
    return this.#sql
      .exec<{ partition: number; zone: string; key: string; payload: string }>(
        "SELECT partition, zone, key, payload FROM outbox ORDER BY partition, zone LIMIT ?",
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
        "DELETE FROM outbox WHERE partition = ? AND zone = ? AND key = ? AND payload = ?",
        item.partition,
        item.zone,
        item.key,
        JSON.stringify(item.payload),
      );
    }
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }
}
