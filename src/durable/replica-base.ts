/**
 * @module
 * What every replica class shares: its identity from its name, its hash tree exposed for repair
 * (partitionHash, bucketHashes, leafHashes, rowsInLeaves, mergeRows), and event-driven repair: a
 * replica marked dirty compares with its peers from its alarm about a second later and exchanges
 * only the rows that differ, retrying with backoff while a peer is unreachable.
 */

import { DurableObject } from "cloudflare:workers";
import { parseConfig, type Config } from "../common/config";
import { NODE_TIMEOUT_MS, REPAIR_DELAY_MS, REPAIR_LEAVES_PER_ROUND, REPAIR_RETRY_MAX_MS, REPAIR_ROUNDS_MAX } from "../common/constraints";
import type { ReplicaReply } from "../common/replies";
import { repairPair, type RepairEnd, type RepairReport } from "../replicator/repair";
import type { RingName } from "../ring/types";
import { ReplicaClient, type ReplicaStubs } from "./client";
import { parseReplicaName, type ReplicaIdentity } from "./identity";
import type { Hash } from "./partition-hash";
import type { HashTree, TreeNode } from "./schema/hash-tree";

const REPAIR_DUE = "repair.due";
const REPAIR_BACKOFF = "repair.backoffMs";

/** The repair RPC surface every replica stub has. */
interface RepairStub<Row> {
  partitionHash(): Promise<ReplicaReply<TreeNode>>;
  bucketHashes(): Promise<ReplicaReply<Record<number, Hash>>>;
  leafHashes(buckets: number[]): Promise<ReplicaReply<Record<number, Hash>>>;
  rowsInLeaves(leaves: number[]): Promise<ReplicaReply<Row[]>>;
  mergeRows(rows: Row[], sourceZone?: string): Promise<ReplicaReply<number>>;
}

class PeerUnavailable extends Error {}

export abstract class ReplicaBase<Row> extends DurableObject<Env> {
  protected readonly identity: ReplicaIdentity;
  protected readonly config: Config;
  protected readonly client: ReplicaClient;
  #alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.identity = parseReplicaName(ctx.id.name);
    this.config = parseConfig(env);
    this.client = new ReplicaClient(this.config);
  }

  protected abstract get tree(): HashTree;
  /** Rows of the given leaves, for a peer. */
  protected abstract rowsOfLeaves(leaves: readonly number[]): Row[];
  /** Merges rows from a peer in `sourceZone`; returns how many changed. */
  protected abstract merge(rows: Row[], sourceZone: string | null): Promise<number>;
  protected abstract keyOf(row: Row): string;
  protected abstract hashOf(row: Row): Hash;
  /** The replica's other duties (outbox, garbage…): runs them and returns when it next needs the alarm, or null. */
  protected abstract runDuties(): Promise<number | null>;

  /** The partition hash and how many rows it covers. */
  partitionHash(): ReplicaReply<TreeNode> {
    return { status: 200, value: this.tree.root() };
  }

  bucketHashes(): ReplicaReply<Record<number, Hash>> {
    return { status: 200, value: this.tree.buckets() };
  }

  leafHashes(buckets: number[]): ReplicaReply<Record<number, Hash>> {
    return { status: 200, value: this.tree.leaves(buckets) };
  }

  rowsInLeaves(leaves: number[]): ReplicaReply<Row[]> {
    return { status: 200, value: this.rowsOfLeaves(leaves) };
  }

  /** Merges rows from a peer (replication), last-write-wins; returns how many changed. */
  async mergeRows(rows: Row[], sourceZone?: string): Promise<ReplicaReply<number>> {
    return { status: 200, value: await this.merge(rows, sourceZone ?? null) };
  }

  /** Asks for a repair with the peers soon (a write did not reach every replica). */
  markDirty(): ReplicaReply {
    const due = Date.now() + REPAIR_DELAY_MS;
    const current = this.ctx.storage.kv.get<number>(REPAIR_DUE);
    if (current === undefined || current > due) this.ctx.storage.kv.put(REPAIR_DUE, due);
    this.armAlarm(due);
    return { status: 202 };
  }

  /** Compares with every peer now and exchanges what differs. */
  async repair(): Promise<ReplicaReply<RepairReport[]>> {
    const reports: RepairReport[] = [];
    let unreachable = false;
    for (const zone of this.peerZones()) {
      try {
        reports.push(await repairPair<Row>(this.localEnd(zone), this.remoteEnd(zone), (row) => this.keyOf(row), (row) => this.hashOf(row), {
          maxLeavesPerRound: REPAIR_LEAVES_PER_ROUND,
          maxRounds: REPAIR_ROUNDS_MAX,
        }));
      } catch (error) {
        if (!(error instanceof PeerUnavailable)) throw error;
        unreachable = true;
      }
    }
    const incomplete = unreachable || reports.some((report) => !report.inSync);
    if (incomplete) {
      const backoff = Math.min(REPAIR_RETRY_MAX_MS, (this.ctx.storage.kv.get<number>(REPAIR_BACKOFF) ?? REPAIR_DELAY_MS / 2) * 2);
      this.ctx.storage.kv.put(REPAIR_BACKOFF, backoff);
      this.ctx.storage.kv.put(REPAIR_DUE, Date.now() + backoff);
      this.armAlarm(Date.now() + backoff);
    } else {
      this.ctx.storage.kv.delete(REPAIR_DUE);
      this.ctx.storage.kv.delete(REPAIR_BACKOFF);
    }
    return { status: incomplete ? 503 : 200, value: reports };
  }

  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    // A pending repair runs with whatever woke the alarm: early is harmless, late is not.
    if (this.ctx.storage.kv.get<number>(REPAIR_DUE) !== undefined) await this.repair();
    const next = await this.runDuties();
    const repairDue = this.ctx.storage.kv.get<number>(REPAIR_DUE);
    const times = [next, repairDue ?? null].filter((at): at is number => at !== null);
    if (times.length) this.armAlarm(Math.min(...times));
  }

  /** Sets the alarm for `at` unless an earlier one is set. */
  protected armAlarm(at: number): void {
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    this.ctx.waitUntil(this.ctx.storage.setAlarm(at));
  }

  /** The zones of this partition's other primary replicas. */
  protected peerZones(): string[] {
    return this.config.rings[this.identity.ring]
      .primaryZones(this.identity.partition)
      .map((zone) => zone.id)
      .filter((zone) => zone !== this.identity.zone);
  }

  /** This replica as one end of a repair with the replica in `peerZone`. */
  private localEnd(peerZone: string): RepairEnd<Row> {
    return {
      partitionHash: async () => this.tree.root(),
      bucketHashes: async () => this.tree.buckets(),
      leafHashes: async (buckets) => this.tree.leaves(buckets),
      rowsInLeaves: async (leaves) => this.rowsOfLeaves(leaves),
      mergeRows: async (rows) => {
        await this.merge(rows, peerZone);
      },
    };
  }

  private remoteEnd(zone: string): RepairEnd<Row> {
    const ring: RingName = this.identity.ring;
    const call = async <T>(method: (stub: RepairStub<Row>) => Promise<ReplicaReply<T>>): Promise<T> => {
      const reply = await this.client.call(ring, this.identity.partition, zone, (stub: ReplicaStubs[RingName]) => method(stub as unknown as RepairStub<Row>), NODE_TIMEOUT_MS);
      if (reply.status !== 200 || reply.value === undefined) throw new PeerUnavailable(`${ring}/${this.identity.partition}/${zone}: ${reply.status}`);
      return reply.value;
    };
    return {
      partitionHash: () => call((stub) => stub.partitionHash()),
      bucketHashes: () => call((stub) => stub.bucketHashes()),
      leafHashes: (buckets) => call((stub) => stub.leafHashes(buckets)),
      rowsInLeaves: (leaves) => call((stub) => stub.rowsInLeaves(leaves)),
      mergeRows: async (rows) => {
        await call((stub) => stub.mergeRows(rows, this.identity.zone));
      },
    };
  }
}
