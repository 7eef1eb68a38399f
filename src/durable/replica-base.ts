/**
 * @module
 * What every replica class shares: its identity from its name, its hash tree exposed for repair
 * (partitionHash, bucketHashes, leafHashes, rowsInLeaves, mergeRows), and event-driven repair: a
 * replica marked dirty compares with its peers from its alarm about a second later and exchanges
 * only the rows that differ, retrying with backoff while a peer is unreachable.
 */

import { DurableObject } from "cloudflare:workers";
import { parseConfig, type Config } from "../config/config";
import {
  ALARM_AT_MAX_MS,
  NODE_TIMEOUT_MS,
  REPAIR_DELAY_MS,
  REPAIR_LEAVES_PER_ROUND,
  REPAIR_RETRY_MAX_MS,
  REPAIR_ROUNDS_MAX,
  REPAIR_WAIT_MAX_MS,
  ROWS_PER_RPC_MAX,
  SUMMARY_DELAY_MS,
} from "../common/constraints";
import { faults } from "./faults";
import { Timestamp } from "../common/timestamp";
import type { ReplicaReply } from "../common/replies";
import { repairPair, type RepairEnd, type RepairReport } from "./repair";
import type { RingName } from "../ring/types";
import { ReplicaClient, type ReplicaProtocol } from "./client";
import { parseReplicaName, type ReplicaIdentity } from "./identity";
import { ZERO_HASH, bucketOf, type Hash } from "./partition-hash";
import type { AuditEntry, HashTree, TreeNode } from "./schema/hash-tree";
import { runMigrations, type Migration } from "./schema/migrate";

/** What a replica's rows module gives the shared replication code. */
export interface ReplicaRows<Row> {
  readonly tree: HashTree;
  auditEntries(leaf: number): AuditEntry[];
  rowsInLeaves(leaves: readonly number[]): Row[];
  oldestTombstone(): string | null;
  reclaimBefore(cutoff: string, limit: number): number;
}

const REPAIR_DUE = "repair.due";
const REPAIR_BACKOFF = "repair.backoffMs";
const WIPE_DUE = "wipe.due";
const SUMMARY_DUE = "summary.due";
/** The primaries a handoff's revert gave everything to since its last write (all of them: reverted). */
const HANDED_TO = "handoff.handedTo";
/** Counts a handoff's writes: a revert that saw a write land while it ran hands over again. */
const WRITES = "handoff.writes";
/** The primaries a handoff's rows are owed to: those it stood in for, or ALL_PRIMARIES. */
const OWED = "handoff.owed";
/** In OWED: a write came without the primary it stood in for (a merge, an older proxy): every primary. */
const ALL_PRIMARIES = "*";

class PeerUnavailable extends Error {}

/** Whether a replica's storage holds anything (its schema comes with its first write). */
function hasStorage(storage: DurableObjectStorage): boolean {
  return storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray().length > 0;
}

/** One peer's repair over both passes. */
function mergeReports(first: RepairReport, second: RepairReport): RepairReport {
  return {
    divergent: first.divergent || second.divergent,
    inSync: second.inSync,
    rowsRead: first.rowsRead + second.rowsRead,
    rowsSent: first.rowsSent + second.rowsSent,
    bytesSent: first.bytesSent + second.bytesSent,
    calls: first.calls + second.calls,
  };
}

export abstract class ReplicaBase<Row> extends DurableObject<Env> {
  protected readonly identity: ReplicaIdentity;
  protected readonly config: Config;
  protected readonly client: ReplicaClient;
  #alarmAt: number | null = null;
  /** Set once the replica deleted its storage; the schema comes back with the next write. */
  #wiped = false;

  readonly #migrations: readonly Migration[];

  constructor(ctx: DurableObjectState, env: Env, migrations: readonly Migration[]) {
    super(ctx, env);
    this.#migrations = migrations;
    this.identity = parseReplicaName(ctx.id.name);
    this.config = parseConfig(env);
    this.client = new ReplicaClient(this.config);
    // A replica never written (or wiped) keeps no storage until its first write: reading its
    // hashes (a peer's repair, a check of handoff slots) must not create it.
    if (hasStorage(ctx.storage)) runMigrations(ctx.storage, migrations); // synchronous: done before any call arrives
    else this.#wiped = true;
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** This class's rows: its hash tree, rows by leaf, tombstones. */
  protected abstract get rows(): ReplicaRows<Row>;
  /** Whether nothing is left: no rows, nothing owed to another replica, no garbage. */
  protected abstract isIdle(): boolean;

  protected get tree(): HashTree {
    return this.rows.tree;
  }

  protected rowsOfLeaves(leaves: readonly number[]): Row[] {
    return this.rows.rowsInLeaves(leaves);
  }

  /** The oldest tombstone's timestamp, or null when there is none. */
  protected oldestTombstone(): string | null {
    return this.rows.oldestTombstone();
  }

  /** Removes up to `limit` tombstones older than `cutoff` (inside a transaction); returns how many. */
  protected reclaimBefore(cutoff: string, limit: number): number {
    return this.rows.reclaimBefore(cutoff, limit);
  }

  /** Recreates the schema after this replica deleted its storage. Every entry point calls it first. */
  protected ensureSchema(): void {
    if (!this.#wiped) return;
    runMigrations(this.ctx.storage, this.#migrations);
    this.#wiped = false;
  }

  /**
   * Merges rows from a peer in `sourceZone`; returns how many changed. `sendUpdates` false (the
   * bench Worker's seeding only, bench/worker/replicas.ts) stores the rows without the updates
   * they owe another ring.
   */
  protected abstract merge(rows: Row[], sourceZone: string | null, sendUpdates?: boolean): Promise<number>;
  protected abstract keyOf(row: Row): string;
  protected abstract hashOf(row: Row): Hash;
  /** The replica's other duties (outbox, garbage…): runs them and returns when it next needs the alarm, or null. */
  protected abstract runDuties(): Promise<number | null>;

  /** The partition hash and how many rows it covers. */
  partitionHash(): ReplicaReply<TreeNode> {
    if (this.#wiped) return { status: 200, value: { hash: ZERO_HASH, rows: 0 } };
    return { status: 200, value: this.tree.root() };
  }

  bucketHashes(): ReplicaReply<Record<number, Hash>> {
    if (this.#wiped) return { status: 200, value: {} };
    return { status: 200, value: this.tree.buckets() };
  }

  leafHashes(buckets: number[]): ReplicaReply<Record<number, Hash>> {
    if (this.#wiped) return { status: 200, value: {} };
    return { status: 200, value: this.tree.leaves(buckets) };
  }

  rowsInLeaves(leaves: number[]): ReplicaReply<Row[]> {
    if (this.#wiped) return { status: 200, value: [] };
    return { status: 200, value: this.rowsOfLeaves(leaves) };
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
    const removed = this.ctx.storage.transactionSync(() => this.reclaimBefore(cutoff, ROWS_PER_RPC_MAX));
    if (removed) this.noteChange();
    if (this.isIdle()) {
      this.ctx.storage.kv.put(WIPE_DUE, Date.now());
      this.armAlarm(Date.now());
    } else {
      this.scheduleReclaim();
    }
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
    const sample = this.tree.sampleLeaves(Math.max(0, Math.min(leaves, ROWS_PER_RPC_MAX)), Math.floor(Math.random() * 65_536));
    const drifted = this.ctx.storage.transactionSync(() => {
      const rows = sample.reduce((total, leaf) => total + this.tree.auditLeaf(leaf, this.rows.auditEntries(leaf)), 0);
      return rows + this.tree.auditUpper(sample.map(bucketOf));
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
    this.ensureSchema();
    if (this.isHandoff && owed.length) {
      const kv = this.ctx.storage.kv;
      for (const zone of owed) this.#owe(zone);
      const handedTo = kv.get<string[]>(HANDED_TO);
      if (handedTo) kv.put(HANDED_TO, handedTo.filter((zone) => !owed.includes(zone)));
    }
    this.#repairSoon();
    return { status: 202 };
  }

  /** Sets the repair due REPAIR_DELAY_MS from now, unless one is due sooner. */
  #repairSoon(): void {
    const due = Date.now() + REPAIR_DELAY_MS;
    const current = this.ctx.storage.kv.get<number>(REPAIR_DUE);
    if (current === undefined || current > due) this.ctx.storage.kv.put(REPAIR_DUE, due);
    this.armAlarm(Math.min(due, current ?? due));
  }

  /** Records that this handoff's rows are owed to the primary in `zone` (every primary when it is not one); true when that is new. */
  #owe(zone: string): boolean {
    const kv = this.ctx.storage.kv;
    const owed = kv.get<string[]>(OWED) ?? [];
    const entry = this.#primaryZones().includes(zone) ? zone : ALL_PRIMARIES;
    if (owed.includes(entry)) return false;
    kv.put(OWED, [...owed, entry]);
    return true;
  }

  /**
   * Compares with every peer now and exchanges what differs. A handoff (or a replica whose zone
   * a rebalance took the partition from) instead hands its rows to the primaries.
   */
  async repair(): Promise<ReplicaReply<(RepairReport & { zone?: string })[]>> {
    this.ensureSchema();
    if (this.isHandoff) return this.revert();
    const reports: (RepairReport & { zone: string })[] = [];
    const unreachable = new Set<string>();
    // A second pass hands what a later peer gave this replica to the peers before it.
    for (let pass = 0; pass < 2; pass++) {
      let divergent = false;
      unreachable.clear();
      for (const zone of this.peerZones()) {
        try {
          const report = await repairPair<Row>(this.localEnd(zone), this.remoteEnd(zone), (row) => this.keyOf(row), (row) => this.hashOf(row), {
            maxLeavesPerRound: REPAIR_LEAVES_PER_ROUND,
            maxRounds: REPAIR_ROUNDS_MAX,
          });
          divergent ||= report.divergent;
          const earlier = reports.find((entry) => entry.zone === zone);
          if (earlier) Object.assign(earlier, mergeReports(earlier, report));
          else reports.push({ ...report, zone });
        } catch (error) {
          if (!(error instanceof PeerUnavailable)) throw error;
          unreachable.add(zone);
        }
      }
      if (!divergent) break;
    }
    const incomplete = unreachable.size > 0 || reports.some((report) => !report.inSync);
    if (incomplete) await this.#retryLater([...unreachable]);
    else {
      this.ctx.storage.kv.delete(REPAIR_DUE);
      this.ctx.storage.kv.delete(REPAIR_BACKOFF);
    }
    return { status: incomplete ? 503 : 200, value: reports };
  }

  /**
   * Schedules the next repair after one that could not finish. When peers did not answer, this
   * replica waits for their zones on its own zone's ring summary, which probes each zone with one
   * call a second and wakes its waiters when it answers; its own retries then back off up to
   * REPAIR_WAIT_MAX_MS (a safety net), not every REPAIR_RETRY_MAX_MS, so a zone that stays down
   * is not called by every replica that owes it rows.
   */
  async #retryLater(unreachableZones: string[]): Promise<void> {
    let cap = REPAIR_RETRY_MAX_MS;
    if (unreachableZones.length) {
      try {
        const summary = this.config.ringSummary.getByName(`summary/${this.identity.ring}/${this.identity.zone}`);
        await summary.waitFor(unreachableZones, { partition: this.identity.partition, slot: this.identity.slot });
        cap = REPAIR_WAIT_MAX_MS;
      } catch (error) {
        console.warn(`${this.ctx.id.name}: could not wait on the ring summary; retrying on its own`, error);
      }
    }
    const backoff = Math.min(cap, (this.ctx.storage.kv.get<number>(REPAIR_BACKOFF) ?? REPAIR_DELAY_MS / 2) * 2);
    this.ctx.storage.kv.put(REPAIR_BACKOFF, backoff);
    this.ctx.storage.kv.put(REPAIR_DUE, Date.now() + backoff);
    this.armAlarm(Date.now() + backoff);
  }

  /** Runs the pending repair now: the ring summary saw a zone this replica waited for answer again. */
  wake(): ReplicaReply {
    if (this.#wiped || this.ctx.storage.kv.get<number>(REPAIR_DUE) === undefined) return { status: 200 };
    this.ctx.storage.kv.put(REPAIR_DUE, Date.now());
    this.armAlarm(Date.now());
    return { status: 202 };
  }

  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    this.ensureSchema();
    if (faults.enabled) {
      await faults.refresh();
      if (faults.isDown(this.identity.zone)) {
        // A down zone's replicas do nothing until it is back.
        this.armAlarm(Date.now() + REPAIR_RETRY_MAX_MS);
        return;
      }
    }
    if (this.ctx.storage.kv.get<number>(WIPE_DUE) !== undefined && (this.isIdle() || this.#reverted())) {
      await this.beforeWipe();
      await this.#reportSummary(true);
      await this.ctx.storage.deleteAll();
      this.#wiped = true;
      return;
    }
    this.ctx.storage.kv.delete(WIPE_DUE);
    // A pending repair runs with whatever woke the alarm: early is harmless, late is not.
    if (this.ctx.storage.kv.get<number>(REPAIR_DUE) !== undefined) await this.repair();
    if (this.ctx.storage.kv.get<number>(SUMMARY_DUE) !== undefined) await this.#reportSummary(false);
    const times = [
      await this.runDuties(),
      await this.reclaimDuty(),
      this.ctx.storage.kv.get<number>(REPAIR_DUE) ?? null,
      this.ctx.storage.kv.get<number>(WIPE_DUE) ?? null,
      this.ctx.storage.kv.get<number>(SUMMARY_DUE) ?? null,
    ];
    const next = times.filter((at): at is number => at !== null && !Number.isNaN(at));
    if (next.length) this.armAlarm(Math.min(...next));
  }

  /** Work owed before this replica deletes its storage (garbage bodies, for object replicas). */
  protected async beforeWipe(): Promise<void> {}

  /**
   * Notes that the partition hash changed: the zone's ring summary hears of it within
   * SUMMARY_DELAY_MS, one report however many writes came meanwhile. Call after every write, with
   * no await between (its storage writes commit with the write's). On a handoff, `standingFor`
   * names the primary the write stood in for (the other primaries took it themselves): the revert
   * owes it to that one; without it, to all. A handoff also schedules its revert.
   */
  protected noteChange(standingFor: string | null = null): void {
    // A zone's own slot is a handoff too when the zone is not a primary of the partition (a ring
    // with more zones than replicas puts its handoffs there).
    if (this.isHandoff) {
      const kv = this.ctx.storage.kv;
      kv.delete(HANDED_TO);
      kv.put(WRITES, (kv.get<number>(WRITES) ?? 0) + 1);
      // A handoff holds rows only to give them back: it reverts from its own alarm, without
      // waiting to be told or for the sweep. A revert already pending (perhaps waiting for a zone
      // that is down) takes this write too, unless it is owed to a primary not owed before.
      const newlyOwed = this.#owe(standingFor ?? ALL_PRIMARIES);
      if (newlyOwed || kv.get<number>(REPAIR_DUE) === undefined) this.#repairSoon();
    }
    if (this.ctx.storage.kv.get<number>(SUMMARY_DUE) !== undefined) return;
    const due = Date.now() + SUMMARY_DELAY_MS;
    this.ctx.storage.kv.put(SUMMARY_DUE, due);
    this.armAlarm(due);
  }

  /** Reports this replica's partition hash (no rows when `gone`) to `summary/{ring}/{zone}`. */
  async #reportSummary(gone: boolean): Promise<void> {
    const root = this.tree.root();
    const entry = { partition: this.identity.partition, slot: this.identity.handoff ? "handoff" : "", hash: root.hash, rows: gone ? 0 : root.rows };
    try {
      const stub = this.config.ringSummary.getByName(`summary/${this.identity.ring}/${this.identity.zone}`);
      await stub.report([entry]);
      this.ctx.storage.kv.delete(SUMMARY_DUE);
    } catch (error) {
      console.warn(`${this.ctx.id.name}: summary report failed, alarm retries`, error);
      this.ctx.storage.kv.put(SUMMARY_DUE, Date.now() + REPAIR_RETRY_MAX_MS);
    }
  }

  /** Whether this replica's slot is not a primary of its partition: a handoff, or moved off by a rebalance. */
  protected get isHandoff(): boolean {
    if (this.identity.handoff) return true;
    return !this.#primaryZones().includes(this.identity.zone);
  }

  /**
   * A handoff gives every row it holds to every primary, all at once (each merges by timestamp and
   * copies the bodies it lacks); once all of them took everything, the handoff deletes itself.
   * Primaries that took everything are remembered until the next write, so a retry after one
   * primary failed goes to that one only. Swift: the replicator's handoff revert, with
   * handoff_delete.
   */
  async revert(): Promise<ReplicaReply<RepairReport[]>> {
    this.ensureSchema();
    const writes = this.ctx.storage.kv.get<number>(WRITES) ?? 0;
    const leaves = Object.keys(this.tree.leaves(Object.keys(this.tree.buckets()).map(Number))).map(Number);
    // Primaries an earlier revert already gave everything to (no write came since) are skipped.
    const handedTo = new Set(this.ctx.storage.kv.get<string[]>(HANDED_TO) ?? []);
    const primaries = this.#owedPrimaries().filter((zone) => !handedTo.has(zone));
    const reports = await Promise.all(primaries.map((zone) => this.#handTo(zone, leaves)));
    const unreachable = primaries.filter((_zone, i) => !reports[i]?.inSync);
    if ((this.ctx.storage.kv.get<number>(WRITES) ?? 0) !== writes) {
      // A write landed meanwhile: what was handed over is not everything any more.
      await this.#retryLater([]);
      return { status: 503, value: reports };
    }
    for (const zone of primaries) if (!unreachable.includes(zone)) handedTo.add(zone);
    this.ctx.storage.kv.put(HANDED_TO, [...handedTo]);
    const complete = unreachable.length === 0;
    if (complete) {
      this.ctx.storage.kv.put(WIPE_DUE, Date.now());
      this.ctx.storage.kv.delete(REPAIR_DUE);
      this.ctx.storage.kv.delete(REPAIR_BACKOFF);
      this.armAlarm(Date.now());
    } else {
      await this.#retryLater(unreachable);
    }
    return { status: complete ? 200 : 503, value: reports };
  }

  /** Whether a revert gave everything to every primary it owes since the last write. */
  #reverted(): boolean {
    const handedTo = new Set(this.ctx.storage.kv.get<string[]>(HANDED_TO) ?? []);
    return this.#owedPrimaries().every((zone) => handedTo.has(zone));
  }

  /** The zone ids of this partition's primaries, in the ring's order. */
  #primaryZones(): string[] {
    return this.config.rings.get(this.identity.ring).primaryZones(this.identity.partition).map((zone) => zone.id);
  }

  /**
   * The primaries a revert gives this replica's rows to: on a handoff, those its writes stood in
   * for (the others took each write themselves); every primary when a write came without that,
   * when a rebalance made one of those zones no longer a primary, and for a replica a rebalance
   * moved off.
   */
  #owedPrimaries(): string[] {
    const primaries = this.#primaryZones();
    const owed = this.identity.handoff ? this.ctx.storage.kv.get<string[]>(OWED) : undefined;
    if (owed === undefined || owed.includes(ALL_PRIMARIES)) return primaries;
    const owedNow = primaries.filter((zone) => owed.includes(zone));
    return owedNow.length === owed.length ? owedNow : primaries;
  }

  /** Gives every row of `leaves` to the primary in `zone`, one RPC's worth at a time; stops at the first refusal. */
  async #handTo(zone: string, leaves: readonly number[]): Promise<RepairReport> {
    const report: RepairReport = { divergent: true, inSync: false, rowsRead: 0, rowsSent: 0, bytesSent: 0, calls: 0 };
    for (let start = 0; start < leaves.length; start += REPAIR_LEAVES_PER_ROUND) {
      const rows = this.rowsOfLeaves(leaves.slice(start, start + REPAIR_LEAVES_PER_ROUND));
      report.rowsRead += rows.length;
      for (let offset = 0; offset < rows.length; offset += ROWS_PER_RPC_MAX) {
        const batch = rows.slice(offset, offset + ROWS_PER_RPC_MAX);
        const reply = await this.client.protocol<Row, number>(this.identity.ring, this.identity.partition, zone, (stub) => stub.mergeRows(batch, this.identity.zone), NODE_TIMEOUT_MS);
        report.calls += 1;
        if (reply.status !== 200) return report;
        report.rowsSent += batch.length;
        report.bytesSent += JSON.stringify(batch).length;
      }
    }
    report.inSync = true;
    return report;
  }

  /** When the oldest tombstone passes reclaim_age, the alarm should come. Call after writing tombstones. */
  protected scheduleReclaim(): void {
    const oldest = this.oldestTombstone();
    if (oldest === null) return;
    this.armAlarm(this.#reclaimAt(oldest));
  }

  #reclaimAt(tombstone: string): number {
    return ((Timestamp.parse(tombstone)?.seconds ?? 0) + this.config.reclaimAgeSeconds) * 1000;
  }

  /**
   * Tombstones past reclaim_age go once every replica is known to hold them: after a repair that
   * found every peer in sync, this replica and its peers reclaim the same ones. Returns when to
   * come back, or null.
   */
  protected async reclaimDuty(): Promise<number | null> {
    const oldest = this.oldestTombstone();
    if (oldest === null) return null;
    const due = this.#reclaimAt(oldest);
    const now = Date.now();
    if (due > now) return due;
    const repair = await this.repair();
    if (repair.status !== 200) return now + REPAIR_RETRY_MAX_MS;
    const cutoff = Timestamp.fromSeconds(now / 1000 - this.config.reclaimAgeSeconds).internal;
    await Promise.all(
      this.peerZones().map((zone) =>
        this.client.protocol<Row, number>(this.identity.ring, this.identity.partition, zone, (stub) => stub.reclaimTombstones(cutoff), NODE_TIMEOUT_MS),
      ),
    );
    this.reclaimTombstones(cutoff);
    const next = this.oldestTombstone();
    return next === null ? null : Math.max(now + 1, this.#reclaimAt(next));
  }

  /** Sets the alarm for `at` unless an earlier one is set. */
  protected armAlarm(requestedAt: number): void {
    // workerd refuses dates past 2262 (an X-Delete-At may say 2286): such an alarm is set for the
    // latest time it accepts, where it sets the next.
    const at = Math.min(requestedAt, ALARM_AT_MAX_MS);
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    this.ctx.waitUntil(this.ctx.storage.setAlarm(at));
  }

  /** The slots of this partition's other primary replicas (every primary, for a handoff). */
  protected peerZones(): string[] {
    const primaries = this.#primaryZones();
    return this.isHandoff ? primaries : primaries.filter((zone) => zone !== this.identity.zone);
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
    const call = async <T>(method: (stub: ReplicaProtocol<Row>) => Promise<ReplicaReply<T>>): Promise<T> => {
      const reply = await this.client.protocol(ring, this.identity.partition, zone, method, NODE_TIMEOUT_MS);
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
