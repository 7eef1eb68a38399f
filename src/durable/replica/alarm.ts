/**
 * @module
 * A replica's one Durable Object alarm, multiplexed over its duties: the due times kept in storage
 * (repair, wipe) and those its other duties compute or keep in memory (outbox, expiry, reclaim,
 * summary report).
 * The alarm is set for the earliest; whatever wakes it runs every duty that is due.
 */

import { ALARM_AT_MAX_MS } from "../../common/constraints";
import type { Duty, ReplicaState } from "./state";
import { setAlarmCounted } from "./counted-storage";

/** The earliest of `times`, skipping null (nothing due) and NaN; null when none is left. */
export function earliest(times: readonly (number | null)[]): number | null {
  const due = times.filter((at): at is number => at !== null && !Number.isNaN(at));
  return due.length ? Math.min(...due) : null;
}

export class AlarmScheduler {
  readonly #ctx: DurableObjectState;
  readonly #state: ReplicaState;
  /** The alarm set, as far as this instance knows (read once before any call arrives). */
  #alarmAt: number | null = null;
  #alarmAtStart: number | null = null;

  constructor(ctx: DurableObjectState, state: ReplicaState) {
    this.#ctx = ctx;
    this.#state = state;
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
      this.#alarmAtStart = this.#alarmAt;
    });
  }

  /**
   * The alarm this instance found set: the earliest time its predecessor (the instance before an
   * eviction) had something due, or null when it had nothing.
   */
  get setAtStart(): number | null {
    return this.#alarmAtStart;
  }

  /** Sets `duty` due at `at`, and the alarm with it. */
  schedule(duty: Duty, at: number): void {
    this.#state.setDue(duty, at);
    this.arm(at);
  }

  /** Sets the alarm for `at` unless an earlier one is set. */
  arm(requestedAt: number): void {
    // workerd refuses dates past 2262 (an X-Delete-At may say 2286): such an alarm is set for the
    // latest time it accepts, where it sets the next.
    const at = Math.min(requestedAt, ALARM_AT_MAX_MS);
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    this.#ctx.waitUntil(setAlarmCounted(this.#ctx.storage, at));
  }

  /** The alarm is running: the runtime cleared it, so the next arm() sets it again. */
  fired(): void {
    this.#alarmAt = null;
  }

  /** After a run: sets the alarm for the earliest of `times` and the duties still due. */
  armNext(times: readonly (number | null)[]): void {
    const state = this.#state;
    const next = earliest([...times, state.dueAt("repair"), state.dueAt("wipe")]);
    if (next !== null) this.arm(next);
  }
}
