/**
 * @module
 * A replica's reports to its zone's ring summary (`summary/{ring}/{zone}`): its partition hash,
 * within SUMMARY_DELAY_MS of a change, one report however many writes came meanwhile. The cron
 * sweep compares the summaries instead of calling every replica.
 */

import { REPAIR_RETRY_MAX_MS, SUMMARY_DELAY_MS } from "../../common/constraints";
import type { HashTree } from "../schema/hash-tree";
import { ringSummaryOf, type ReplicaContext } from "./context";
import { currentWork } from "../../common/work";

export class SummaryReport {
  readonly #context: ReplicaContext;
  readonly #tree: () => HashTree;
  /**
   * When a report is due (epoch ms), or null when none is. Kept in memory, not storage (a row
   * written to set it and another to clear it, per change): an instance starts with one due, so
   * the first alarm of an object started again (evicted while a report was due) reports.
   */
  #dueAt: number | null = 0;

  constructor(context: ReplicaContext, tree: () => HashTree) {
    this.#context = context;
    this.#tree = tree;
  }

  /** When a report is due (epoch ms), or null. */
  get dueAt(): number | null {
    return this.#dueAt;
  }

  /** The partition hash changed: a report is due within SUMMARY_DELAY_MS, unless one already is. */
  changed(): void {
    // A new instance's 0 is due too, but its alarm may not be set for it yet.
    if (this.#dueAt !== null && this.#dueAt > 0) return;
    this.#dueAt = Date.now() + SUMMARY_DELAY_MS;
    this.#context.alarm.arm(this.#dueAt);
  }

  /** Reports the partition hash (no rows when `gone`); on failure the alarm's next run retries. */
  async report(gone: boolean): Promise<void> {
    const { identity, state } = this.#context;
    const root = this.#tree().root();
    const entry = {
      partition: identity.partition,
      slot: identity.handoff ? "handoff" : "",
      hash: root.hash,
      rows: gone ? 0 : root.rows,
    };
    try {
      const reply = await ringSummaryOf(this.#context).report([entry]);
      if (reply.work) currentWork()?.addReplyWork(reply.work);
      this.#dueAt = null;
      // Replicas before this one kept the due time in storage.
      state.clearDue("summary");
    } catch (error) {
      console.warn(`${this.#context.name}: summary report failed, alarm retries`, error);
      // Not armed here: the alarm that runs the report arms its next run from the due times.
      this.#dueAt = Date.now() + REPAIR_RETRY_MAX_MS;
    }
  }
}
