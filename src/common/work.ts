/**
 * @module
 * The work a request costs, counted where it happens: Durable Object requests by class, SQLite
 * rows read and written (from the cursors' `rowsRead`/`rowsWritten`), R2 operations by pricing
 * class, and the subrequests of the invocation that made them. A request (in the proxy) or a
 * replica RPC call runs inside `runWithWork`; code on its path calls `countWork`, which adds to the
 * Work of the call it runs for (AsyncLocalStorage: concurrent requests in one isolate, or calls
 * interleaved in one Durable Object, each count their own) and is a no-op outside one (cron,
 * alarms). A replica's reply carries its Work (ReplicaReply.work), which the caller adds to its own.
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** Every counter, in the order tables print them. */
export const WORK_COUNTERS = [
  "accountRequests",
  "containerRequests",
  "objectRequests",
  "controlRequests",
  "summaryRequests",
  "rowsRead",
  "rowsWritten",
  "r2ClassA",
  "r2ClassB",
  "subrequests",
] as const;

export type WorkCounter = (typeof WORK_COUNTERS)[number];
export type WorkCounts = Record<WorkCounter, number>;

/** The Durable Object request counter of each class the proxy and the replicas call. */
export const DO_REQUEST_COUNTER = {
  account: "accountRequests",
  container: "containerRequests",
  object: "objectRequests",
  control: "controlRequests",
} as const satisfies Record<string, WorkCounter>;

/** All counters at zero. */
export function noWork(): WorkCounts {
  return {
    accountRequests: 0,
    containerRequests: 0,
    objectRequests: 0,
    controlRequests: 0,
    summaryRequests: 0,
    rowsRead: 0,
    rowsWritten: 0,
    r2ClassA: 0,
    r2ClassB: 0,
    subrequests: 0,
  };
}

/** Durable Object requests of every class. */
export function doRequestsOf(counts: WorkCounts): number {
  return (
    counts.accountRequests +
    counts.containerRequests +
    counts.objectRequests +
    counts.controlRequests +
    counts.summaryRequests
  );
}

/** What a cursor reports: the rows it has read and written so far. */
interface RowCursor {
  readonly rowsRead: number;
  readonly rowsWritten: number;
}

/** The work of one request or one replica call. */
export class Work {
  readonly counts: WorkCounts = noWork();
  /** The operation the request served (`object PUT`), named by the router that took it; null: none. */
  operation: string | null = null;
  /** Where counts go as well once the request was recorded (work done while its body streams). */
  #sink: WorkCounts | null = null;
  /** Cursors opened in this call: their rows are read once the call is over (cursors count lazily). */
  #cursors: RowCursor[] = [];

  add(counter: WorkCounter, n: number): void {
    this.counts[counter] += n;
    if (this.#sink) this.#sink[counter] += n;
  }

  /** Adds a replica's reply work: all but its subrequests, which are its own invocation's, not the caller's. */
  addReplyWork(work: WorkCounts): void {
    for (const counter of WORK_COUNTERS)
      if (counter !== "subrequests" && work[counter]) this.add(counter, work[counter]);
  }

  /** Sends what this work counts from now on to `sink` as well. */
  drainInto(sink: WorkCounts): void {
    this.#sink = sink;
  }

  keepCursor(cursor: RowCursor): void {
    this.#cursors.push(cursor);
  }

  /** The counts, with the rows of every cursor this call opened (call once the call is over). */
  settle(): WorkCounts {
    for (const cursor of this.#cursors) {
      this.add("rowsRead", cursor.rowsRead);
      this.add("rowsWritten", cursor.rowsWritten);
    }
    this.#cursors = [];
    return this.counts;
  }
}

const current = new AsyncLocalStorage<Work>();

/** Runs `fn` (and everything it starts) counting into `work`. */
export function runWithWork<R>(work: Work, fn: () => R): R {
  return current.run(work, fn);
}

/** The Work of the request or call running now; undefined outside one. */
export function currentWork(): Work | undefined {
  return current.getStore();
}

/** Adds `n` to a counter of the request or call running now (none: nothing). */
export function countWork(counter: WorkCounter, n = 1): void {
  current.getStore()?.add(counter, n);
}

/** Names the operation the request running now serves, unless a router before named it (S3 before Swift's). */
export function nameOperation(operation: string): void {
  const work = current.getStore();
  if (work && work.operation === null) work.operation = operation;
}
