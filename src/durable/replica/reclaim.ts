/**
 * @module
 * Reclaim of tombstones past reclaim_age (Swift: reclaim_age in the replicators): they go once
 * every replica is known to hold them, after a repair that found every peer in sync, so this
 * replica and its peers reclaim the same ones.
 */

import { NODE_TIMEOUT_MS, REPAIR_RETRY_MAX_MS, ROWS_PER_RPC_MAX } from "../../common/constraints";
import type { ReplicaReply } from "../../common/replies";
import { Timestamp } from "../../common/timestamp";
import type { ReplicaContext, ReplicaRows } from "./context";

/** What the reclaim duty runs on this replica: a repair with every peer, and the reclaim itself (its RPC method). */
export interface ReclaimSteps {
  repair(): Promise<ReplicaReply<unknown>>;
  reclaimTombstones(cutoff: string): unknown;
}

export class Reclaim<Row> {
  readonly #context: ReplicaContext;
  readonly #rows: () => ReplicaRows<Row>;

  constructor(context: ReplicaContext, rows: () => ReplicaRows<Row>) {
    this.#context = context;
    this.#rows = rows;
  }

  /** Sets the alarm for when the oldest tombstone passes reclaim_age. Call after writing tombstones. */
  schedule(): void {
    const oldest = this.#rows().oldestTombstone();
    if (oldest === null) return;
    this.#context.alarm.arm(this.#reclaimAt(oldest));
  }

  /** Removes up to ROWS_PER_RPC_MAX tombstones older than `cutoff`, in one transaction; returns how many. */
  removeBefore(cutoff: string): number {
    return this.#context.storage.transactionSync(() => this.#rows().reclaimBefore(cutoff, ROWS_PER_RPC_MAX));
  }

  /** The alarm's duty: reclaims what is past reclaim_age on every replica; returns when to come back, or null. */
  async duty(steps: ReclaimSteps): Promise<number | null> {
    const { client, config, identity, placement } = this.#context;
    const oldest = this.#rows().oldestTombstone();
    if (oldest === null) return null;
    const due = this.#reclaimAt(oldest);
    const now = Date.now();
    if (due > now) return due;
    const repair = await steps.repair();
    if (repair.status !== 200) return now + REPAIR_RETRY_MAX_MS;
    const cutoff = Timestamp.fromSeconds(now / 1000 - config.reclaimAgeSeconds).internal;
    await Promise.all(
      placement
        .peerZones()
        .map((zone) =>
          client.protocol<Row, number>(
            identity.ring,
            identity.partition,
            zone,
            (stub) => stub.reclaimTombstones(cutoff),
            NODE_TIMEOUT_MS,
          ),
        ),
    );
    steps.reclaimTombstones(cutoff);
    const next = this.#rows().oldestTombstone();
    return next === null ? null : Math.max(now + 1, this.#reclaimAt(next));
  }

  #reclaimAt(tombstone: string): number {
    return ((Timestamp.parse(tombstone)?.seconds ?? 0) + this.#context.config.reclaimAgeSeconds) * 1000;
  }
}
