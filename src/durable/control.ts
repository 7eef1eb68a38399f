/**
 * @module
 * The cluster's one control record, named `control`: the fault plan (zones taken down for tests
 * and benchmarks), each ring's sweep cursor and last report, divergences not yet repaired, the
 * reaper's queue of deleted accounts, the registry of buckets that need S3 housekeeping
 * (lifecycle rules, open multipart uploads: src/proxy/s3/housekeeping.ts), and S3's global
 * bucket names (src/proxy/s3/bucket-names.ts), and the containers being sharded or sharded
 * (durable/sharder.ts). Low-rate data only; on a request's path only the
 * fault plan is read (when fault injection is configured), and a bucket's owner by requests that
 * name no account (anonymous S3 requests and CORS preflights, cached in the isolate);
 * PutBucketLifecycleConfiguration, CreateBucket, DeleteBucket and, at most every few minutes per
 * bucket and isolate, CreateMultipartUpload write a row.
 */

import { DurableObject } from "cloudflare:workers";
import type { ReplicaReply } from "../common/replies";
import {
  CONTROL_MIGRATIONS,
  ControlRows,
  type S3HousekeepingEntry,
  type S3HousekeepingKind,
  type ShardingEntry,
} from "./schema/control";
import { migratedRows } from "./schema/migrate";

/** A sweep pass as recon shows it (see replicator/sweep.ts SweepReport). */
export type SweepRecord = Record<string, string | number | boolean | null>;

export class Control extends DurableObject<Env> {
  // Synchronous: the schema is there before any call arrives.
  readonly #rows = migratedRows(this.ctx.storage, CONTROL_MIGRATIONS, ControlRows);

  /** The zones taken down. */
  downZones(): ReplicaReply<string[]> {
    return { status: 200, value: this.#rows.downZones() };
  }

  /** Takes these zones down (and every other one back up). */
  setDownZones(zones: string[]): ReplicaReply<string[]> {
    this.ctx.storage.transactionSync(() => this.#rows.setDownZones(zones));
    return { status: 200, value: this.#rows.downZones() };
  }

  sweepCursor(ring: string): ReplicaReply<number> {
    return { status: 200, value: this.#rows.sweepCursor(ring) };
  }

  /**
   * Saves where a ring's sweep stopped, and, when a pass completed, its report with the partitions
   * it found divergent among those it compared, `checked.from` to `checked.to` (exclusive); a
   * divergent partition's first sighting is kept until a pass finds it in sync. The report, with
   * the divergences it found repaired (`converged`, `convergedLongestMs`: how long the longest of
   * them waited since a sweep first saw it), joins the ring's sweep history.
   */
  saveSweep(
    ring: string,
    cursor: number,
    report: SweepRecord | null,
    divergent: number[],
    checked: { from: number; to: number },
  ): ReplicaReply<number | null> {
    const oldest = this.ctx.storage.transactionSync(() => {
      const { oldest: first, converged } = this.#rows.recordDivergence(ring, divergent, checked, Date.now());
      const saved =
        report === null
          ? null
          : {
              ...report,
              oldestUnrepairedDivergence: first === null ? null : new Date(first).toISOString(),
              converged: converged.count,
              convergedLongestMs: converged.longestMs,
            };
      this.#rows.saveSweep(ring, cursor, saved);
      if (saved !== null) this.#rows.addSweepHistory(ring, saved);
      return first;
    });
    return { status: 200, value: oldest };
  }

  /** Each ring's recent sweep reports (the last SWEEP_HISTORY_MAX), oldest first. */
  sweepHistory(): ReplicaReply<Record<string, SweepRecord[]>> {
    return { status: 200, value: this.#rows.sweepHistory() as Record<string, SweepRecord[]> };
  }

  sweepReports(): ReplicaReply<Record<string, SweepRecord>> {
    return { status: 200, value: this.#rows.sweepReports() as Record<string, SweepRecord> };
  }

  /** A container's sharding state, from its leader (or any replica of its deleted root: "dropped"). */
  noteSharding(entry: Omit<ShardingEntry, "foundAt"> | { container: string; state: "dropped" }): ReplicaReply {
    this.#rows.noteSharding(entry);
    return { status: 202 };
  }

  /** Containers being sharded and sharded (recon's /recon/sharding, the metrics, the dashboard). */
  sharding(): ReplicaReply<ReturnType<ControlRows["sharding"]>> {
    return { status: 200, value: this.#rows.sharding() };
  }

  queueReap(account: string): ReplicaReply {
    this.#rows.queueReap(account, Date.now());
    return { status: 202 };
  }

  /** Deleted accounts still to reap, oldest first (the reaper resumes from what is left in each). */
  reapQueue(): ReplicaReply<{ account: string; queuedAt: number }[]> {
    return { status: 200, value: this.#rows.reapQueue() };
  }

  reaped(account: string): ReplicaReply {
    this.#rows.reaped(account);
    return { status: 200 };
  }

  /** Registers a bucket for S3 housekeeping of a kind (see ControlRows); the row's touched_at. */
  registerS3Housekeeping(account: string, bucket: string, kind: S3HousekeepingKind): ReplicaReply<number> {
    return { status: 200, value: this.#rows.registerS3Housekeeping(account, bucket, kind, Date.now()) };
  }

  /** Registry rows due at `now` (the job's clock), the longest waiting first. */
  dueS3Housekeeping(now: number, limit: number): ReplicaReply<S3HousekeepingEntry[]> {
    return { status: 200, value: this.#rows.dueS3Housekeeping(now, limit) };
  }

  saveS3Housekeeping(
    account: string,
    bucket: string,
    kind: S3HousekeepingKind,
    cursor: string | null,
    dueAt: number,
  ): ReplicaReply {
    this.#rows.saveS3Housekeeping(account, bucket, kind, cursor, dueAt);
    return { status: 200 };
  }

  /** Drops a registry row unless it was registered again since `touchedAt`; whether it was dropped. */
  forgetS3Housekeeping(
    account: string,
    bucket: string,
    kind: S3HousekeepingKind,
    touchedAt: number,
  ): ReplicaReply<boolean> {
    return { status: 200, value: this.#rows.forgetS3Housekeeping(account, bucket, kind, touchedAt) };
  }

  /** The account an S3 bucket name belongs to, or null. */
  s3BucketOwner(name: string): ReplicaReply<string | null> {
    return { status: 200, value: this.#rows.s3BucketOwner(name) };
  }

  /** Claims an S3 bucket name (see ControlRows.claimS3Bucket); its owner afterwards. */
  claimS3Bucket(name: string, account: string, replacing: string | null): ReplicaReply<string> {
    const owner = this.ctx.storage.transactionSync(() =>
      this.#rows.claimS3Bucket(name, account, replacing, Date.now()),
    );
    return { status: 200, value: owner };
  }

  /** Gives an S3 bucket name up if `account` holds it. */
  releaseS3Bucket(name: string, account: string): ReplicaReply<boolean> {
    return { status: 200, value: this.#rows.releaseS3Bucket(name, account) };
  }
}
