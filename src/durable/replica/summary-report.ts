/**
 * @module
 * A replica's reports to its zone's ring summary (`summary/{ring}/{zone}`): its partition hash,
 * one report however many changes came meanwhile. A change its peers may not share (a repair's
 * merge, a handoff's write, a write that missed a peer) is reported within SUMMARY_DELAY_MS; a
 * change every replica makes alike (a client's write each primary took) within SUMMARY_QUIET_MS,
 * so the summaries of replicas in sync stay equal, only older. The cron sweep compares the
 * summaries instead of calling every replica.
 */

import { REPAIR_RETRY_MAX_MS, SUMMARY_DELAY_MS, SUMMARY_QUIET_MS } from "../../common/constraints";
import type { HashTree } from "../schema/hash-tree";
import { ringSummaryOf, type ReplicaContext } from "./context";
import { currentWork } from "../../common/work";

export class SummaryReport {
  readonly #context: ReplicaContext;
  readonly #tree: () => HashTree;
  /**
   * When a report is due (epoch ms), or null when none is. Kept in memory, not storage (a row
   * written to set it and another to clear it, per window). Undefined until first used: an
   * instance started again (evicted while a report was due) does not know whether one is, but one
   * due was due no later than the alarm its predecessor left set, so it takes that time (at worst
   * a report for nothing, once per instance).
   */
  #due: number | null | undefined = undefined;

  constructor(context: ReplicaContext, tree: () => HashTree) {
    this.#context = context;
    this.#tree = tree;
  }

  /** When the next report is due (epoch ms), or null when none is. */
  get dueAt(): number | null {
    if (this.#due === undefined) this.#due = this.#context.alarm.setAtStart;
    return this.#due;
  }

  /**
   * Whether an alarm running at `now` reports: one due within SUMMARY_DELAY_MS goes with whatever
   * woke the alarm (early is harmless), a quiet one waits for its time, so the alarms a busy
   * replica runs for its other duties do not report every change after all.
   */
  isDue(now: number): boolean {
    const due = this.dueAt;
    return due !== null && due <= now + SUMMARY_DELAY_MS;
  }

  /**
   * The partition hash changed: a report is due within SUMMARY_QUIET_MS when every replica of the
   * partition makes the change alike (`alike`), else within SUMMARY_DELAY_MS; one due sooner stays.
   */
  changed(alike: boolean): void {
    this.#dueBy(Date.now() + (alike ? SUMMARY_QUIET_MS : SUMMARY_DELAY_MS));
  }

  /**
   * Something says this replica's peers may differ (a write missed one, a peer repairs with it):
   * a report still owed goes within SUMMARY_DELAY_MS, so the sweep does not compare a summary
   * made stale by quiet changes with its peers' fresh ones. None owed, the last report stands.
   */
  doubted(): void {
    if (this.dueAt !== null) this.#dueBy(Date.now() + SUMMARY_DELAY_MS);
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
    // A change made while the report is on its way is due again.
    this.#due = null;
    try {
      const reply = await ringSummaryOf(this.#context).report([entry]);
      if (reply.work) currentWork()?.addReplyWork(reply.work);
      // Replicas before this one kept the due time in storage.
      state.clearDue("summary");
    } catch (error) {
      console.warn(`${this.#context.name}: summary report failed, alarm retries`, error);
      // Not armed here: the alarm that runs the report arms its next run from the due times.
      const retry = Date.now() + REPAIR_RETRY_MAX_MS;
      this.#due = Math.min(this.#due ?? retry, retry);
    }
  }

  /** A report due by `at`, unless one is due sooner. */
  #dueBy(at: number): void {
    const due = this.dueAt;
    if (due !== null && due <= at) return;
    this.#due = at;
    this.#context.alarm.arm(at);
  }
}
