/**
 * @module
 * The cluster's one control record, named `control`: the fault plan (zones taken down for tests
 * and benchmarks), each ring's sweep cursor and last report, divergences not yet repaired, and
 * the reaper's queue of deleted accounts. Low-rate data only; nothing on a request's path reads
 * it except the fault plan, and only when fault injection is configured.
 */

import { DurableObject } from "cloudflare:workers";
import type { ReplicaReply } from "../common/replies";
import { CONTROL_MIGRATIONS, ControlRows } from "./schema/control";
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
   * it found divergent (their first sighting is kept until a pass finds them in sync).
   */
  saveSweep(
    ring: string,
    cursor: number,
    report: SweepRecord | null,
    divergent: number[],
    checked: number[],
  ): ReplicaReply<number | null> {
    const oldest = this.ctx.storage.transactionSync(() => {
      const first = this.#rows.recordDivergence(ring, divergent, checked, Date.now());
      this.#rows.saveSweep(
        ring,
        cursor,
        report === null
          ? null
          : { ...report, oldestUnrepairedDivergence: first === null ? null : new Date(first).toISOString() },
      );
      return first;
    });
    return { status: 200, value: oldest };
  }

  sweepReports(): ReplicaReply<Record<string, SweepRecord>> {
    return { status: 200, value: this.#rows.sweepReports() as Record<string, SweepRecord> };
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
}
