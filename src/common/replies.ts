/**
 * @module
 * What every replica RPC method returns: the status words of Swift's backend servers.
 * Replicas never throw expected outcomes (a thrown error keeps only its message over RPC).
 */

import type { WorkCounts } from "./work";

export type ReplicaStatus = 200 | 201 | 202 | 204 | 400 | 404 | 409 | 412 | 422 | 503 | 507;

export interface ReplicaReply<T = undefined> {
  status: ReplicaStatus;
  /** The timestamp the replica holds for the row (data, tombstone or put timestamp). */
  timestamp?: string;
  value?: T;
  /** Why a write was refused (400), in Swift's words: the body Swift's proxy passes on from its backend. */
  detail?: string;
  /**
   * With a 503: the runtime said the replica's Durable Object is overloaded. Such a failure is
   * never retried, on a handoff or elsewhere: moving its load onto another object only spreads
   * the overload (Cloudflare's guidance for `.overloaded` errors).
   */
  overloaded?: true;
  /**
   * What the call cost the replica (common/work.ts): the rows it read and wrote, and the Durable
   * Object requests and R2 operations it made within the call (a container update delivered
   * before it answered). Work its alarm does later is not in it.
   */
  work?: WorkCounts;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
