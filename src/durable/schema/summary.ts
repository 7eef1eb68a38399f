/**
 * @module
 * A ring summary's schema: for one ring and one zone, the partitions whose replicas hold rows,
 * with their partition hashes as last reported. All of RingSummary's SQL lives here.
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
];

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
      if (entry.rows <= 0) this.#sql.exec("DELETE FROM partition_hash WHERE partition = ? AND slot = ?", entry.partition, entry.slot);
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
}
