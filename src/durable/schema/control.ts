/**
 * @module
 * The control record's schema: the fault plan, sweep cursors and reports, divergences not yet
 * repaired, and the reaper's queue of deleted accounts. All of Control's SQL lives here.
 */

import type { Migration } from "./migrate";

export const CONTROL_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE fault_zone (zone TEXT PRIMARY KEY, mode TEXT NOT NULL);
      CREATE TABLE sweep (ring TEXT PRIMARY KEY, cursor INTEGER NOT NULL, report TEXT);
      CREATE TABLE divergence (ring TEXT NOT NULL, partition INTEGER NOT NULL, first_seen INTEGER NOT NULL, PRIMARY KEY (ring, partition)) WITHOUT ROWID;
      CREATE TABLE reap (account TEXT PRIMARY KEY, queued_at INTEGER NOT NULL, progress TEXT NOT NULL);
    `,
  },
];

export class ControlRows {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  downZones(): string[] {
    return this.#sql
      .exec<{ zone: string }>("SELECT zone FROM fault_zone ORDER BY zone")
      .toArray()
      .map((row) => row.zone);
  }

  setDownZones(zones: readonly string[]): void {
    this.#sql.exec("DELETE FROM fault_zone");
    for (const zone of zones) this.#sql.exec("INSERT INTO fault_zone (zone, mode) VALUES (?, 'down')", zone);
  }

  sweepCursor(ring: string): number {
    return (
      this.#sql.exec<{ cursor: number }>("SELECT cursor FROM sweep WHERE ring = ?", ring).toArray()[0]?.cursor ?? 0
    );
  }

  saveSweep(ring: string, cursor: number, report: unknown | null): void {
    const current = this.#sql
      .exec<{ report: string | null }>("SELECT report FROM sweep WHERE ring = ?", ring)
      .toArray()[0];
    this.#sql.exec(
      "INSERT OR REPLACE INTO sweep (ring, cursor, report) VALUES (?, ?, ?)",
      ring,
      cursor,
      report === null ? (current?.report ?? null) : JSON.stringify(report),
    );
  }

  sweepReports(): Record<string, unknown> {
    const reports: Record<string, unknown> = {};
    for (const row of this.#sql.exec<{ ring: string; report: string | null }>("SELECT ring, report FROM sweep")) {
      if (row.report) reports[row.ring] = JSON.parse(row.report) as unknown;
    }
    return reports;
  }

  /** Records which partitions of a ring are divergent now; returns the oldest first-seen time (ms) or null. */
  recordDivergence(
    ring: string,
    partitions: readonly number[],
    checked: readonly number[],
    now: number,
  ): number | null {
    const divergent = new Set(partitions);
    for (const partition of checked) {
      if (divergent.has(partition)) {
        this.#sql.exec(
          "INSERT OR IGNORE INTO divergence (ring, partition, first_seen) VALUES (?, ?, ?)",
          ring,
          partition,
          now,
        );
      } else {
        this.#sql.exec("DELETE FROM divergence WHERE ring = ? AND partition = ?", ring, partition);
      }
    }
    return this.oldestDivergence(ring);
  }

  oldestDivergence(ring: string): number | null {
    return this.#sql
      .exec<{ t: number | null }>("SELECT min(first_seen) AS t FROM divergence WHERE ring = ?", ring)
      .one().t;
  }

  queueReap(account: string, now: number): void {
    this.#sql.exec("INSERT OR IGNORE INTO reap (account, queued_at, progress) VALUES (?, ?, '{}')", account, now);
  }

  reapQueue(): { account: string; queuedAt: number }[] {
    return this.#sql
      .exec<{ account: string; queued_at: number }>("SELECT account, queued_at FROM reap ORDER BY queued_at")
      .toArray()
      .map((row) => ({ account: row.account, queuedAt: row.queued_at }));
  }

  reaped(account: string): void {
    this.#sql.exec("DELETE FROM reap WHERE account = ?", account);
  }
}
