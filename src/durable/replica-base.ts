/**
 * @module
 * The Durable Object glue every replica class shares: its identity from its name, its hash tree
 * exposed for repair (partitionHash, bucketHashes, leafHashes, rowsInLeaves, mergeRows), and the
 * RPC methods and alarm that drive its parts in replica/: the lazy schema, the alarm scheduler
 * over typed state, repair with peers, handoff revert, reclaim and ring-summary reports.
 */

import { DurableObject } from "cloudflare:workers";
import { parseConfig, type Config } from "../config/config";
import { NODE_TIMEOUT_MS, REPAIR_RETRY_MAX_MS, ROWS_PER_RPC_MAX } from "../common/constraints";
import { isSuccess, type ReplicaReply } from "../common/replies";
import type { RingName } from "../ring/types";
import { faults } from "./faults";
import type { RepairReport } from "./repair";
import { ReplicaClient, type ReplicaStub } from "./client";
import { Outbox } from "./outbox";
import { OutboxRows } from "./schema/outbox";
import { parseReplicaName, type ReplicaIdentity } from "./identity";
import { ZERO_HASH, bucketOf, type Hash } from "./partition-hash";
import type { HashTree, TreeNode } from "./schema/hash-tree";
import type { Migration } from "./schema/migrate";
import { AlarmScheduler } from "./replica/alarm";
import { Placement, type ReplicaContext, type ReplicaRows } from "./replica/context";
import { HandoffRevert } from "./replica/handoff-revert";
import { LazySchema } from "./replica/lazy-schema";
import { PeerRepair } from "./replica/peer-repair";
import { Reclaim } from "./replica/reclaim";
import { RepairSchedule } from "./replica/repair-schedule";
import { ReplicaState } from "./replica/state";
import { SummaryReport } from "./replica/summary-report";
import { countedKv, countedSql } from "./replica/counted-storage";
import { measuredAlarm, measuredCall, measuredCallAsync } from "../common/measured";
import { ringKind } from "../ring/types";

export abstract class ReplicaBase<Row, Rows extends ReplicaRows<Row>> extends DurableObject<Env> {
  protected readonly identity: ReplicaIdentity;
  protected readonly config: Config;
  protected readonly client: ReplicaClient;
  /** This class's rows: its hash tree, rows by leaf, tombstones (the only SQL is in schema/). */
  protected readonly rows: Rows;
  readonly #context: ReplicaContext;
  readonly #schema: LazySchema;
  readonly #repairs: RepairSchedule;
  readonly #peerRepair: PeerRepair<Row>;
  readonly #revert: HandoffRevert<Row>;
  readonly #reclaim: Reclaim<Row>;
  readonly #summary: SummaryReport;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    migrations: readonly Migration[],
    Rows: new (sql: SqlStorage) => Rows,
  ) {
    super(ctx, env);
    this.identity = parseReplicaName(ctx.id.name);
    this.config = parseConfig(env);
    this.client = new ReplicaClient(this.config);
    this.#schema = new LazySchema(ctx.storage, migrations);
    this.rows = new Rows(countedSql(ctx.storage.sql));
    const state = new ReplicaState(countedKv(ctx.storage.kv));
    this.#context = {
      name: ctx.id.name ?? "",
      storage: ctx.storage,
      identity: this.identity,
      config: this.config,
      client: this.client,
      state,
      alarm: new AlarmScheduler(ctx, state),
      placement: new Placement(this.identity, this.config),
    };
    const rows = (): ReplicaRows<Row> => this.rows;
    this.#repairs = new RepairSchedule(this.#context);
    this.#peerRepair = new PeerRepair(
      this.#context,
      {
        rows,
        merge: (batch, zone) => this.merge(batch, zone),
        keyOf: (row) => this.rows.keyOf(row),
        hashOf: (row) => this.rows.hashOf(row),
      },
      this.#repairs,
    );
    this.#revert = new HandoffRevert(this.#context, rows, this.#repairs);
    this.#reclaim = new Reclaim(this.#context, rows);
    this.#summary = new SummaryReport(this.#context, () => this.tree);
  }

  /** Whether nothing is left: no rows, nothing owed to another replica, no garbage. */
  protected abstract isIdle(): boolean;
  /**
   * Merges rows from a peer in `sourceZone`; returns how many changed. `sendUpdates` false (the
   * reaper's object tombstones, whose listing rows it tombstones itself, and the bench Worker's
   * seeding, bench/worker/replicas.ts) stores the rows without the updates they owe another ring.
   */
  protected abstract merge(rows: Row[], sourceZone: string | null, sendUpdates?: boolean): Promise<number>;
  /** The replica's other duties (outbox, garbage…): runs them and returns when it next needs the alarm, or null. */
  protected abstract runDuties(): Promise<number | null>;

  protected get tree(): HashTree {
    return this.rows.tree;
  }

  /** Recreates the schema after this replica deleted its storage. Every entry point calls it first. */
  protected ensureSchema(): void {
    this.#schema.ensure();
  }

  /** The partition hash and how many rows it covers. */
  partitionHash(): ReplicaReply<TreeNode> {
    if (this.#schema.wiped) return { status: 200, value: { hash: ZERO_HASH, rows: 0 } };
    return { status: 200, value: this.tree.root() };
  }

  /**
   * The partition hash, asked by a peer repairing with this replica: a quiet summary report this
   * replica still owes goes within SUMMARY_DELAY_MS, so the sweep does not compare its older
   * report with the fresh ones of the peers the repair changed.
   */
  peerPartitionHash(): ReplicaReply<TreeNode> {
    this.#summary.doubted();
    return this.partitionHash();
  }

  bucketHashes(): ReplicaReply<Record<number, Hash>> {
    if (this.#schema.wiped) return { status: 200, value: {} };
    return { status: 200, value: this.tree.buckets() };
  }

  leafHashes(buckets: number[]): ReplicaReply<Record<number, Hash>> {
    if (this.#schema.wiped) return { status: 200, value: {} };
    return { status: 200, value: this.tree.leaves(buckets) };
  }

  rowsInLeaves(leaves: number[]): ReplicaReply<Row[]> {
    if (this.#schema.wiped) return { status: 200, value: [] };
    return { status: 200, value: this.rows.rowsInLeaves(leaves) };
  }

  /** Merges rows from a peer (replication), last-write-wins; returns how many changed. */
  async mergeRows(rows: Row[], sourceZone?: string): Promise<ReplicaReply<number>> {
    this.ensureSchema();
    const changed = await this.merge(rows, sourceZone ?? null);
    this.scheduleReclaim();
    return { status: 200, value: changed };
  }

  /**
   * Removes tombstones older than `cutoff` (the caller checked every replica holds them); a
   * replica left with nothing deletes its storage from its alarm and costs nothing afterwards.
   */
  reclaimTombstones(cutoff: string): ReplicaReply<number> {
    this.ensureSchema();
    const removed = this.#reclaim.removeBefore(cutoff);
    if (removed) this.noteWrite();
    if (this.isIdle()) this.#context.alarm.schedule("wipe", Date.now());
    else this.scheduleReclaim();
    return { status: 200, value: removed };
  }

  /**
   * The auditor: recomputes a sample of `leaves` leaves from their rows (each row's hash from its
   * content, each leaf's from its rows) and repairs any drift in place; a replica that drifted
   * then repairs with its peers, since what it told them may have been wrong. Swift: the
   * auditors, which re-read data to catch what a write path got wrong.
   */
  audit(leaves: number): ReplicaReply<{ leavesChecked: number; drifted: number }> {
    this.ensureSchema();
    const sample = this.tree.sampleLeaves(
      Math.max(0, Math.min(leaves, ROWS_PER_RPC_MAX)),
      Math.floor(Math.random() * 65_536),
    );
    const drifted = this.ctx.storage.transactionSync(() => {
      this.tree.forgetUpper();
      return sample.reduce((total, leaf) => total + this.tree.auditLeaf(leaf, this.rows.auditEntries(leaf)), 0);
    });
    if (drifted) {
      console.warn(`${this.ctx.id.name}: auditor repaired ${drifted} drifted hashes`);
      this.noteChange();
      this.markDirty();
    }
    return { status: 200, value: { leavesChecked: sample.length, drifted } };
  }

  /**
   * Asks for a repair with the peers soon (a write did not reach every replica). On a handoff,
   * `owed` names primaries the write missed that it must hand its rows to as well (no replica
   * that took the write was a primary).
   */
  markDirty(owed: string[] = []): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      if (this.#context.placement.isHandoff && owed.length) this.#revert.oweAlso(owed);
      this.#repairs.soon();
      return { status: 202 };
    });
  }

  /**
   * Compares with every peer now and exchanges what differs. A handoff (or a replica whose zone
   * a rebalance took the partition from) instead hands its rows to the primaries.
   */
  async repair(): Promise<ReplicaReply<(RepairReport & { zone?: string })[]>> {
    this.ensureSchema();
    if (this.#context.placement.isHandoff) return this.revert();
    // The sweep (or a write that missed a peer) says the replicas differ: a quiet report still owed goes now.
    this.#summary.doubted();
    return this.#peerRepair.run();
  }

  /** Runs the pending repair now: the ring summary saw a zone this replica waited for answer again. */
  wake(): ReplicaReply {
    if (this.#schema.wiped || !this.#repairs.now()) return { status: 200 };
    return { status: 202 };
  }

  /** A handoff gives its rows back to the primaries it owes them, then deletes itself (handoff-revert.ts). */
  async revert(): Promise<ReplicaReply<RepairReport[]>> {
    this.ensureSchema();
    return this.#revert.run();
  }

  /** The alarm, its work counted and tallied under this replica class's alarms. */
  override async alarm(): Promise<void> {
    await measuredAlarm(`${ringKind(this.identity.ring)} alarms`, () => this.#alarm());
  }

  async #alarm(): Promise<void> {
    const { alarm, state } = this.#context;
    alarm.fired();
    this.ensureSchema();
    if (faults.enabled) {
      await faults.refresh();
      if (faults.isDown(this.identity.zone)) {
        // A down zone's replicas do nothing until it is back.
        alarm.arm(Date.now() + REPAIR_RETRY_MAX_MS);
        return;
      }
    }
    if (state.dueAt("wipe") !== null && (this.isIdle() || this.#revert.reverted())) {
      await this.beforeWipe();
      await this.#summary.report(true);
      await this.#schema.wipe();
      this.tree.forgetUpper();
      return;
    }
    state.clearDue("wipe");
    // A pending repair runs with whatever woke the alarm: early is harmless, late is not.
    if (this.#repairs.pending) await this.repair();
    // A report due within SUMMARY_DELAY_MS goes with whatever woke the alarm, as a pending repair
    // does; a quiet one waits for its time.
    if (this.#summary.isDue(Date.now())) await this.#summary.report(false);
    alarm.armNext([await this.runDuties(), await this.#reclaim.duty(this), this.#summary.dueAt]);
  }

  /** Work owed before this replica deletes its storage (garbage bodies, for object replicas). */
  protected async beforeWipe(): Promise<void> {}

  /**
   * Notes a change every replica of the partition makes alike: a client's write (the proxy sends
   * it to every primary and marks the others dirty when one missed it), an update from the ring
   * below (each of its replicas sends its own), a reclaim. The zone's ring summary hears of it
   * within SUMMARY_QUIET_MS, one report however many writes came meanwhile; on a handoff, within
   * SUMMARY_DELAY_MS. Call after every write, with no await between (its storage writes commit
   * with the write's). On a handoff, `standingFor` names the primary the write stood in for (the
   * other primaries took it themselves): the revert owes it to that one; without it, to all. A
   * handoff also schedules its revert.
   */
  protected noteWrite(standingFor: string | null = null): void {
    this.#noteChange(standingFor, true);
  }

  /**
   * Notes a change this replica's peers may not share (a repair's merge, the auditor's fix): the
   * zone's ring summary hears of it within SUMMARY_DELAY_MS.
   */
  protected noteChange(): void {
    this.#noteChange(null, false);
  }

  #noteChange(standingFor: string | null, alike: boolean): void {
    const isHandoff = this.#context.placement.isHandoff;
    if (isHandoff) this.#revert.noteWrite(standingFor);
    this.#summary.changed(alike && !isHandoff);
  }

  /** When the oldest tombstone passes reclaim_age, the alarm should come. Call after writing tombstones. */
  protected scheduleReclaim(): void {
    this.#reclaim.schedule();
  }

  /**
   * An outbox of the updates this replica owes replicas of `ring` (Swift: async_pending): each
   * batch goes by `send`, landing on a 2xx reply; what is still undelivered after reclaim_age is dropped.
   */
  protected outboxTo<R extends RingName, T>(
    ring: R,
    send: (stub: ReplicaStub<R>, payloads: T[]) => Promise<ReplicaReply<unknown>>,
    table: "outbox" | "shard_outbox" = "outbox",
  ): Outbox<T> {
    const deliver = async (partition: number, zone: string, payloads: T[]): Promise<boolean> => {
      const reply = await this.client.call(ring, partition, zone, (stub) => send(stub, payloads), NODE_TIMEOUT_MS);
      return isSuccess(reply.status);
    };
    return new Outbox(
      this.ctx.storage,
      new OutboxRows<T>(countedSql(this.ctx.storage.sql), table),
      deliver,
      this.config.reclaimAgeSeconds * 1000,
    );
  }

  /**
   * Runs a data-path RPC method counting its work (common/measured.ts: rows its storage read and
   * wrote, requests it made), answers its reply with the work attached and tallies it under this
   * replica class's calls.
   */
  protected measured<T>(method: () => ReplicaReply<T>): ReplicaReply<T> {
    return measuredCall(`${ringKind(this.identity.ring)} calls`, method);
  }

  /** `measured` for a method that awaits (a write that delivers its container update). */
  protected measuredAsync<T>(method: () => Promise<ReplicaReply<T>>): Promise<ReplicaReply<T>> {
    return measuredCallAsync(`${ringKind(this.identity.ring)} calls`, method);
  }

  /** Sets the alarm for `at` unless an earlier one is set. */
  protected armAlarm(at: number): void {
    this.#context.alarm.arm(at);
  }
}
