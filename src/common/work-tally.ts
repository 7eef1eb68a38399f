/**
 * @module
 * The isolate's tallies of work (work.ts): per operation the proxy served (`object PUT`,
 * `container GET`, `s3 object PUT`), how many requests and the sums of their counters; and per
 * Durable Object class (`object calls`, `object alarms`, `summary calls`…), what the objects
 * running in this isolate did, in RPC calls (also in the operations' figures, which carry them)
 * and in alarms (in none: the work a write leaves for later). `GET /recon/work` reads them; a
 * bench phase resets them.
 */

import { noWork, WORK_COUNTERS, type WorkCounts } from "./work";

/** One operation's requests and the sums of their counters. */
export type WorkEntry = { requests: number } & WorkCounts;

export class WorkTally {
  #entries = new Map<string, WorkEntry>();

  /**
   * Adds one request of `operation` with its counts so far, and returns the entry, where the
   * request's later work (a body still streaming) goes as well.
   */
  record(operation: string, counts: WorkCounts): WorkEntry {
    let entry = this.#entries.get(operation);
    if (!entry) {
      entry = { requests: 0, ...noWork() };
      this.#entries.set(operation, entry);
    }
    entry.requests += 1;
    for (const counter of WORK_COUNTERS) entry[counter] += counts[counter];
    return entry;
  }

  /** Every operation's entry, by name (a copy). */
  snapshot(): Record<string, WorkEntry> {
    const result: Record<string, WorkEntry> = {};
    for (const [operation, entry] of [...this.#entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      result[operation] = { ...entry };
    return result;
  }

  /** Zeroes the tally (a bench phase starts). Requests still streaming keep adding to entries no longer listed. */
  reset(): void {
    this.#entries = new Map();
  }
}

/** This isolate's work per operation the proxy served (middleware/work.ts). */
export const operationWork = new WorkTally();

/** This isolate's Durable Objects' work, per class and kind: `object calls`, `container alarms`… */
export const objectWork = new WorkTally();
