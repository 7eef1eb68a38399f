/**
 * @module
 * A replica's reports to its zone's ring summary (`summary/{ring}/{zone}`): its partition hash,
 * within SUMMARY_DELAY_MS of a change, one report however many writes came meanwhile. The cron
 * sweep compares the summaries instead of calling every replica.
 */

import { REPAIR_RETRY_MAX_MS, SUMMARY_DELAY_MS } from "../../common/constraints";
import type { HashTree } from "../schema/hash-tree";
import { ringSummaryOf, type ReplicaContext } from "./context";

export class SummaryReport {
  readonly #context: ReplicaContext;
  readonly #tree: () => HashTree;

  constructor(context: ReplicaContext, tree: () => HashTree) {
    this.#context = context;
    this.#tree = tree;
  }

  /** Whether a report is due. */
  get due(): boolean {
    return this.#context.state.dueAt("summary") !== null;
  }

  /** The partition hash changed: a report is due within SUMMARY_DELAY_MS, unless one already is. */
  changed(): void {
    if (this.due) return;
    this.#context.alarm.schedule("summary", Date.now() + SUMMARY_DELAY_MS);
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
      await ringSummaryOf(this.#context).report([entry]);
      state.clearDue("summary");
    } catch (error) {
      console.warn(`${this.#context.name}: summary report failed, alarm retries`, error);
      // Not armed here: the alarm that runs the report arms its next run from the due times.
      state.setDue("summary", Date.now() + REPAIR_RETRY_MAX_MS);
    }
  }
}
