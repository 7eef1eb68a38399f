/**
 * @module
 * When a replica's next repair (or a handoff's revert) runs: soon after a write missed a replica,
 * at once when the ring summary wakes it, and with backoff while peers do not answer, waiting for
 * their zones on its own zone's ring summary rather than calling them every few seconds.
 */

import { REPAIR_DELAY_MS, REPAIR_RETRY_MAX_MS, REPAIR_WAIT_MAX_MS } from "../../common/constraints";
import { ringSummaryOf, type ReplicaContext } from "./context";

export class RepairSchedule {
  readonly #context: ReplicaContext;

  constructor(context: ReplicaContext) {
    this.#context = context;
  }

  /** Whether a repair is pending. */
  get pending(): boolean {
    return this.#context.state.dueAt("repair") !== null;
  }

  /** Sets the repair due REPAIR_DELAY_MS from now, unless one is due sooner. */
  soon(): void {
    const { state, alarm } = this.#context;
    const due = Date.now() + REPAIR_DELAY_MS;
    const current = state.dueAt("repair");
    if (current === null || current > due) alarm.schedule("repair", due);
    else alarm.arm(current);
  }

  /** Runs the pending repair now (the ring summary saw a zone it waited for answer); false when none is pending. */
  now(): boolean {
    if (!this.pending) return false;
    this.#context.alarm.schedule("repair", Date.now());
    return true;
  }

  /** The repair finished: nothing is due. */
  done(): void {
    this.#context.state.clearRepair();
  }

  /**
   * Schedules the next repair after one that could not finish. When peers did not answer, this
   * replica waits for their zones on its own zone's ring summary, which probes each zone with one
   * call a second and wakes its waiters when it answers; its own retries then back off up to
   * REPAIR_WAIT_MAX_MS (a safety net), not every REPAIR_RETRY_MAX_MS, so a zone that stays down
   * is not called by every replica that owes it rows.
   */
  async retryLater(unreachableZones: string[]): Promise<void> {
    const { identity, state, alarm } = this.#context;
    let cap = REPAIR_RETRY_MAX_MS;
    if (unreachableZones.length) {
      try {
        await ringSummaryOf(this.#context).waitFor(unreachableZones, {
          partition: identity.partition,
          slot: identity.slot,
        });
        cap = REPAIR_WAIT_MAX_MS;
      } catch (error) {
        console.warn(`${this.#context.name}: could not wait on the ring summary; retrying on its own`, error);
      }
    }
    const backoff = Math.min(cap, (state.repairBackoffMs ?? REPAIR_DELAY_MS / 2) * 2);
    state.repairBackoffMs = backoff;
    alarm.schedule("repair", Date.now() + backoff);
  }
}
