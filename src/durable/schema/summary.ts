/**
 * @module
 * A ring summary's schema: for one ring and one zone, the partitions whose replicas hold rows,
 * with their partition hashes as last reported, and the zone's replicas waiting for another zone
 * to answer again. All of RingSummary's SQL lives here.
 */

import type { Migration } from "./migrate";

export const SUMMARY_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE partition_hash (
        partition INTEGER NOT NULL,
        slot TEXT NOT NULL,
        hash TEXT NOT NULL,
        rows INTEGER NOT NULL,
        reported_at INTEGER NOT NULL,
        PRIMARY KEY (partition, slot)
      ) WITHOUT ROWID;
    `,
  },
  {
    id: 2,
    sql: `
      CREATE TABLE waiting (
        zone TEXT NOT NULL,
        partition INTEGER NOT NULL,
        slot TEXT NOT NULL,
        since INTEGER NOT NULL,
        PRIMARY KEY (zone, partition, slot)
      ) WITHOUT ROWID;
    `,
  },
];

/** A replica of this zone waiting for `zone`: its partition and slot (a zone id or `{zone}/handoff`). */
export interface Waiter {
  partition: number;
  slot: string;
}

/** One replica's entry: `slot` is "" for the zone's primary slot, "handoff" for its handoff slot. */
export interface SummaryEntry {
  partition: number;
  slot: string;
  hash: string;
  rows: number;
}

export class SummaryRows {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Upserts reported entries; an entry with no rows leaves the summary. */
  report(entries: readonly SummaryEntry[], now: number): void {
    for (const entry of entries) {
      if (entry.rows <= 0)
        this.#sql.exec("DELETE FROM partition_hash WHERE partition = ? AND slot = ?", entry.partition, entry.slot);
      else {
        this.#sql.exec(
          "INSERT OR REPLACE INTO partition_hash (partition, slot, hash, rows, reported_at) VALUES (?, ?, ?, ?, ?)",
          entry.partition,
          entry.slot,
          entry.hash,
          entry.rows,
          now,
        );
      }
    }
  }

  /** Entries from `fromPartition` on, in partition order. */
  list(fromPartition: number, limit: number): SummaryEntry[] {
    return this.#sql
      .exec<{ partition: number; slot: string; hash: string; rows: number }>(
        "SELECT partition, slot, hash, rows FROM partition_hash WHERE partition >= ? ORDER BY partition, slot LIMIT ?",
        fromPartition,
        limit,
      )
      .toArray()
      .map((row) => ({ partition: row.partition, slot: row.slot, hash: row.hash, rows: row.rows }));
  }

  /** Notes that a replica waits for each of `zones` (once, however often it asks). */
  wait(zones: readonly string[], waiter: Waiter, now: number): void {
    for (const zone of zones) {
      this.#sql.exec(
        "INSERT OR IGNORE INTO waiting (zone, partition, slot, since) VALUES (?, ?, ?, ?)",
        zone,
        waiter.partition,
        waiter.slot,
        now,
      );
    }
  }

  /** Each zone waited for, with the partition of its longest waiter (the one to probe it with). */
  waitedZones(): { zone: string; partition: number }[] {
    return (
      this.#sql
        // SQLite takes a bare column from the row MIN() picked.
        .exec<{ zone: string; partition: number }>(
          "SELECT zone, partition, MIN(since) FROM waiting GROUP BY zone ORDER BY zone",
        )
        .toArray()
        .map((row) => ({ zone: row.zone, partition: row.partition }))
    );
  }

  /** Takes up to `limit` of the waiters for `zone` off the list and returns them. */
  takeWaiters(zone: string, limit: number): Waiter[] {
    const waiters = this.#sql
      .exec<{ partition: number; slot: string }>(
        "SELECT partition, slot FROM waiting WHERE zone = ? ORDER BY since LIMIT ?",
        zone,
        limit,
      )
      .toArray()
      .map((row) => ({ partition: row.partition, slot: row.slot }));
    for (const waiter of waiters)
      this.#sql.exec(
        "DELETE FROM waiting WHERE zone = ? AND partition = ? AND slot = ?",
        zone,
        waiter.partition,
        waiter.slot,
      );
    return waiters;
  }

  /** How many replicas wait for each zone. */
  waitingCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.#sql.exec<{ zone: string; n: number }>(
      "SELECT zone, COUNT(*) AS n FROM waiting GROUP BY zone",
    ))
      counts[row.zone] = row.n;
    return counts;
  }
}
