/**
 * @module
 * The control record's schema: the fault plan, sweep cursors and reports, divergences not yet
 * repaired, the reaper's queue of deleted accounts, the registry of buckets that need S3
 * housekeeping (src/proxy/s3/housekeeping.ts), and S3's global bucket names
 * (src/proxy/s3/bucket-names.ts). All of Control's SQL lives here.
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
  {
    // The S3 housekeeping registry: one row per bucket and kind of work (its lifecycle
    // configuration, its open multipart uploads); touched_at changes with every registration,
    // due_at is when the job next visits it, cursor where an unfinished pass stopped.
    id: 2,
    sql: `
      CREATE TABLE s3_housekeeping (
        account TEXT NOT NULL,
        bucket TEXT NOT NULL,
        kind TEXT NOT NULL,
        touched_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        cursor TEXT,
        PRIMARY KEY (account, bucket, kind)
      ) WITHOUT ROWID;
      CREATE INDEX s3_housekeeping_due ON s3_housekeeping (due_at);
    `,
  },
  {
    // S3's one namespace of bucket names: which account's container a name is, for the requests
    // that name no account (anonymous reads, CORS preflights) and for BucketAlreadyExists.
    id: 3,
    sql: `
      CREATE TABLE s3_bucket (name TEXT PRIMARY KEY, account TEXT NOT NULL, claimed_at INTEGER NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    // Each ring's recent sweeps, newest last (the dashboard's charts): the last SWEEP_HISTORY_MAX
    // invocations' reports per ring, older ones dropped as new ones come.
    id: 4,
    sql: `
      CREATE TABLE sweep_history (id INTEGER PRIMARY KEY AUTOINCREMENT, ring TEXT NOT NULL, report TEXT NOT NULL);
      CREATE INDEX sweep_history_ring ON sweep_history (ring, id);
    `,
  },
  {
    // Containers being sharded or sharded, as their leaders report them (recon, metrics, status, the dashboard).
    id: 5,
    sql: `
      CREATE TABLE sharding (
        container TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        shards INTEGER NOT NULL,
        objects INTEGER NOT NULL,
        found_at INTEGER NOT NULL,
        changed_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** A container being sharded ("sharding": ranges found, not yet all active) or sharded, as recon shows it. */
export interface ShardingEntry {
  /** `account/container`. */
  container: string;
  state: "sharding" | "sharded";
  shards: number;
  /** Its live objects when the state last changed. */
  objects: number;
  /** When its latest split began (its ranges found) and when its state last changed (epoch ms). */
  foundAt: number;
  changedAt: number;
}

/** Containers recon lists, newest change first. */
export const SHARDING_LIST_MAX = 100;

/** Sweep reports kept per ring in the history (one per invocation: cron's every five minutes, about 17 hours). */
export const SWEEP_HISTORY_MAX = 200;

/** Divergences a sweep found repaired: how many, and how long the longest of them had waited (ms). */
export interface Converged {
  count: number;
  longestMs: number;
}

/** What a bucket needs S3 housekeeping for: its lifecycle configuration, or its open multipart uploads. */
export type S3HousekeepingKind = "lifecycle" | "uploads";

/** One bucket of the S3 housekeeping registry. */
export interface S3HousekeepingEntry {
  /** The Swift account (`AUTH_test`) and the bucket, a container of it. */
  account: string;
  bucket: string;
  kind: S3HousekeepingKind;
  /** When it was last registered (ms, the control record's clock): a later registration changes it. */
  touchedAt: number;
  /** When the job next visits it (ms). */
  dueAt: number;
  /** Where an unfinished pass stopped (the job's own JSON); null between passes. */
  cursor: string | null;
}

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

  /** Adds a sweep's report to its ring's history and drops what is past SWEEP_HISTORY_MAX. */
  addSweepHistory(ring: string, report: unknown): void {
    this.#sql.exec("INSERT INTO sweep_history (ring, report) VALUES (?, ?)", ring, JSON.stringify(report));
    this.#sql.exec(
      "DELETE FROM sweep_history WHERE ring = ? AND id <= (SELECT id FROM sweep_history WHERE ring = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
      ring,
      ring,
      SWEEP_HISTORY_MAX,
    );
  }

  /** Each ring's recent sweep reports, oldest first. */
  sweepHistory(): Record<string, unknown[]> {
    const history: Record<string, unknown[]> = {};
    for (const row of this.#sql.exec<{ ring: string; report: string }>(
      "SELECT ring, report FROM sweep_history ORDER BY ring, id",
    ))
      (history[row.ring] ??= []).push(JSON.parse(row.report) as unknown);
    return history;
  }

  sweepReports(): Record<string, unknown> {
    const reports: Record<string, unknown> = {};
    for (const row of this.#sql.exec<{ ring: string; report: string | null }>("SELECT ring, report FROM sweep")) {
      if (row.report) reports[row.ring] = JSON.parse(row.report) as unknown;
    }
    return reports;
  }

  /**
   * Records which partitions of a ring, among those compared from `checked.from` to `checked.to`
   * (exclusive), are divergent now: the others in that range are forgotten (rows read: the
   * divergences recorded there, not the partitions compared). Returns the oldest first-seen time
   * (ms) or null, and the divergences forgotten (found in sync again): how many, and the longest
   * time one of them had waited since first seen.
   */
  recordDivergence(
    ring: string,
    partitions: readonly number[],
    checked: { from: number; to: number },
    now: number,
  ): { oldest: number | null; converged: Converged } {
    const divergent = new Set(partitions);
    const recorded = this.#sql
      .exec<{ partition: number; first_seen: number }>(
        "SELECT partition, first_seen FROM divergence WHERE ring = ? AND partition >= ? AND partition < ?",
        ring,
        checked.from,
        checked.to,
      )
      .toArray();
    const converged: Converged = { count: 0, longestMs: 0 };
    for (const { partition, first_seen } of recorded) {
      if (divergent.has(partition)) continue;
      this.#sql.exec("DELETE FROM divergence WHERE ring = ? AND partition = ?", ring, partition);
      converged.count += 1;
      converged.longestMs = Math.max(converged.longestMs, now - first_seen);
    }
    for (const partition of divergent) {
      this.#sql.exec(
        "INSERT OR IGNORE INTO divergence (ring, partition, first_seen) VALUES (?, ?, ?)",
        ring,
        partition,
        now,
      );
    }
    return { oldest: this.oldestDivergence(ring), converged };
  }

  oldestDivergence(ring: string): number | null {
    return this.#sql
      .exec<{ t: number | null }>("SELECT min(first_seen) AS t FROM divergence WHERE ring = ?", ring)
      .one().t;
  }

  queueReap(account: string, now: number): void {
    this.#sql.exec("INSERT OR IGNORE INTO reap (account, queued_at, progress) VALUES (?, ?, '{}')", account, now);
  }

  /** Records a container's sharding state; "dropped" (its root deleted) forgets it. */
  noteSharding(entry: Omit<ShardingEntry, "foundAt"> | { container: string; state: "dropped" }): void {
    if (entry.state === "dropped") {
      this.#sql.exec("DELETE FROM sharding WHERE container = ?", entry.container);
      return;
    }
    // A split's start stays until the next one starts.
    this.#sql.exec(
      `INSERT INTO sharding (container, state, shards, objects, found_at, changed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (container) DO UPDATE SET state = excluded.state, shards = excluded.shards,
         objects = excluded.objects, changed_at = excluded.changed_at,
         found_at = CASE WHEN excluded.state = 'sharding' THEN excluded.found_at ELSE found_at END`,
      entry.container,
      entry.state,
      entry.shards,
      entry.objects,
      entry.changedAt,
      entry.changedAt,
    );
  }

  /** Counts of containers by sharding state, and the most recently changed ones. */
  sharding(): { sharded: number; sharding: number; shards: number; containers: ShardingEntry[] } {
    const counts = this.#sql
      .exec<{ state: string; n: number; shards: number }>(
        "SELECT state, count(*) AS n, sum(shards) AS shards FROM sharding GROUP BY state",
      )
      .toArray();
    const containers = this.#sql
      .exec<{
        container: string;
        state: string;
        shards: number;
        objects: number;
        found_at: number;
        changed_at: number;
      }>("SELECT * FROM sharding ORDER BY changed_at DESC LIMIT ?", SHARDING_LIST_MAX)
      .toArray()
      .map((row) => ({
        container: row.container,
        state: row.state as ShardingEntry["state"],
        shards: row.shards,
        objects: row.objects,
        foundAt: row.found_at,
        changedAt: row.changed_at,
      }));
    const of = (state: string) => counts.find((row) => row.state === state);
    return {
      sharded: of("sharded")?.n ?? 0,
      sharding: of("sharding")?.n ?? 0,
      shards: counts.reduce((sum, row) => sum + (row.shards ?? 0), 0),
      containers,
    };
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

  /**
   * Registers a bucket for S3 housekeeping of a kind: a new row is due at once; an existing one
   * gets a later touched_at (so a pass that began before cannot forget it), and a lifecycle row
   * is due at once again (its configuration changed). Returns touched_at.
   */
  registerS3Housekeeping(account: string, bucket: string, kind: S3HousekeepingKind, now: number): number {
    const current = this.#sql
      .exec<{ touched_at: number }>(
        "SELECT touched_at FROM s3_housekeeping WHERE account = ? AND bucket = ? AND kind = ?",
        account,
        bucket,
        kind,
      )
      .toArray()[0];
    if (current === undefined) {
      this.#sql.exec(
        "INSERT INTO s3_housekeeping (account, bucket, kind, touched_at, due_at, cursor) VALUES (?, ?, ?, ?, ?, NULL)",
        account,
        bucket,
        kind,
        now,
        now,
      );
      return now;
    }
    const touched = Math.max(now, current.touched_at + 1);
    this.#sql.exec(
      `UPDATE s3_housekeeping SET touched_at = ?, due_at = CASE WHEN ? = 'lifecycle' THEN min(due_at, ?) ELSE due_at END
       WHERE account = ? AND bucket = ? AND kind = ?`,
      touched,
      kind,
      now,
      account,
      bucket,
      kind,
    );
    return touched;
  }

  /** The rows due at `now`, the longest waiting first, at most `limit`. */
  dueS3Housekeeping(now: number, limit: number): S3HousekeepingEntry[] {
    return this.#sql
      .exec<{
        account: string;
        bucket: string;
        kind: S3HousekeepingKind;
        touched_at: number;
        due_at: number;
        cursor: string | null;
      }>(
        `SELECT account, bucket, kind, touched_at, due_at, cursor FROM s3_housekeeping WHERE due_at <= ?
         ORDER BY due_at, account, bucket, kind LIMIT ?`,
        now,
        limit,
      )
      .toArray()
      .map((row) => ({
        account: row.account,
        bucket: row.bucket,
        kind: row.kind,
        touchedAt: row.touched_at,
        dueAt: row.due_at,
        cursor: row.cursor,
      }));
  }

  /** Saves where a row's pass stopped (null: between passes) and when it is next due; a row gone stays gone. */
  saveS3Housekeeping(account: string, bucket: string, kind: S3HousekeepingKind, cursor: string | null, dueAt: number) {
    this.#sql.exec(
      "UPDATE s3_housekeeping SET cursor = ?, due_at = ? WHERE account = ? AND bucket = ? AND kind = ?",
      cursor,
      dueAt,
      account,
      bucket,
      kind,
    );
  }

  /** Drops a row, unless it was registered again since `touchedAt`; whether it was dropped. */
  forgetS3Housekeeping(account: string, bucket: string, kind: S3HousekeepingKind, touchedAt: number): boolean {
    const cursor = this.#sql.exec(
      "DELETE FROM s3_housekeeping WHERE account = ? AND bucket = ? AND kind = ? AND touched_at = ?",
      account,
      bucket,
      kind,
      touchedAt,
    );
    return cursor.rowsWritten > 0;
  }

  /** The account a bucket name belongs to, or null when none has claimed it. */
  s3BucketOwner(name: string): string | null {
    return (
      this.#sql.exec<{ account: string }>("SELECT account FROM s3_bucket WHERE name = ?", name).toArray()[0]?.account ??
      null
    );
  }

  /**
   * Claims a bucket name for `account`: taken when free, or when it belongs to `replacing` (an
   * owner found to have no such container any more). Returns the name's owner afterwards.
   */
  claimS3Bucket(name: string, account: string, replacing: string | null, now: number): string {
    const owner = this.s3BucketOwner(name);
    if (owner === null || (owner !== account && owner === replacing)) {
      this.#sql.exec(
        "INSERT OR REPLACE INTO s3_bucket (name, account, claimed_at) VALUES (?, ?, ?)",
        name,
        account,
        now,
      );
      return account;
    }
    return owner;
  }

  /** Gives a bucket name up, if `account` holds it; whether it did. */
  releaseS3Bucket(name: string, account: string): boolean {
    return this.#sql.exec("DELETE FROM s3_bucket WHERE name = ? AND account = ?", name, account).rowsWritten > 0;
  }
}
