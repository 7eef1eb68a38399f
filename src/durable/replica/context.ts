/**
 * @module
 * What the parts of a replica (repair, revert, reclaim, summary report) share: where the replica
 * sits in its ring, its storage, typed state and alarm, the client to reach its peers, and what
 * its rows module gives the shared replication code.
 */

import type { Config } from "../../config/config";
import type { ReplicaClient } from "../client";
import type { ReplicaIdentity } from "../identity";
import type { Hash } from "../partition-hash";
import type { AuditEntry, HashTree } from "../schema/hash-tree";
import type { AlarmScheduler } from "./alarm";
import type { ReplicaState } from "./state";
import { ringSummaryStub } from "../names";

/** What a replica's rows module gives the shared replication code. */
export interface ReplicaRows<Row> {
  readonly tree: HashTree;
  auditEntries(leaf: number): AuditEntry[];
  rowsInLeaves(leaves: readonly number[]): Row[];
  /** A row's key in the hash tree (what repair compares rows by). */
  keyOf(row: Row): string;
  /** A row's hash, as the tree holds it. */
  hashOf(row: Row): Hash;
  oldestTombstone(): string | null;
  reclaimBefore(cutoff: string, limit: number): number;
}

/** Where a replica sits in its ring now: its partition's primaries, and whether it is one. */
export class Placement {
  readonly #identity: ReplicaIdentity;
  readonly #config: Config;

  constructor(identity: ReplicaIdentity, config: Config) {
    this.#identity = identity;
    this.#config = config;
  }

  /** The zone ids of this partition's primaries, in the ring's order. */
  primaryZones(): string[] {
    return this.#config.rings
      .get(this.#identity.ring)
      .primaryZones(this.#identity.partition)
      .map((zone) => zone.id);
  }

  /**
   * Whether this replica's slot is not a primary of its partition: a handoff, or moved off by a
   * rebalance. A zone's own slot is a handoff too when the zone is not a primary of the partition
   * (a ring with more zones than replicas puts its handoffs there).
   */
  get isHandoff(): boolean {
    if (this.#identity.handoff) return true;
    return !this.primaryZones().includes(this.#identity.zone);
  }

  /** The slots of this partition's other primary replicas (every primary, for a handoff). */
  peerZones(): string[] {
    const primaries = this.primaryZones();
    return this.isHandoff ? primaries : primaries.filter((zone) => zone !== this.#identity.zone);
  }
}

export interface ReplicaContext {
  /** The Durable Object's name, for logs. */
  readonly name: string;
  readonly storage: DurableObjectStorage;
  readonly identity: ReplicaIdentity;
  readonly config: Config;
  readonly client: ReplicaClient;
  readonly state: ReplicaState;
  readonly alarm: AlarmScheduler;
  readonly placement: Placement;
}

/** The stub of this replica's zone's ring summary, `summary/{ring}/{zone}`. */
export function ringSummaryOf(context: ReplicaContext): ReturnType<Config["ringSummary"]["getByName"]> {
  return ringSummaryStub(context.config, context.identity.ring, context.identity.zone);
}
