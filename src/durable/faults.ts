/**
 * @module
 * Fault injection: zones taken down through the control record (`/faults`, reseller admin, only
 * when FAULT_INJECTION is "true"). A down zone's replicas and bucket fail every call made through
 * ReplicaClient and the body paths, as an unreachable region would. The plan is cached in the
 * isolate for a quarter second; off (the default) it costs nothing.
 */

import { CONTROL_NAME } from "./names";

const REFRESH_MS = 250;

class FaultGate {
  #enabled = false;
  #control: DurableObjectNamespace<import("./control").Control> | null = null;
  #down = new Set<string>();
  #loadedAt = 0;

  configure(enabled: boolean, control: DurableObjectNamespace<import("./control").Control>): void {
    this.#enabled = enabled;
    this.#control = control;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Re-reads the plan when the cached copy is older than a quarter second. */
  async refresh(now = Date.now()): Promise<void> {
    if (!this.#enabled || !this.#control || now - this.#loadedAt < REFRESH_MS) return;
    this.#loadedAt = now;
    const reply = await this.#control.getByName(CONTROL_NAME).downZones();
    this.#down = new Set(reply.value ?? []);
  }

  /** Whether a zone (or a slot in it, `z1/handoff`) is down. */
  isDown(zoneOrSlot: string): boolean {
    if (!this.#enabled || !this.#down.size) return false;
    return this.#down.has(zoneOrSlot.split("/")[0] ?? zoneOrSlot);
  }

  /** Sets the plan in this isolate at once (after writing it to the control record). */
  set(zones: readonly string[], now = Date.now()): void {
    this.#down = new Set(zones);
    this.#loadedAt = now;
  }
}

/** The isolate's one gate, shared by the proxy and the replicas running in it. */
export const faults = new FaultGate();
