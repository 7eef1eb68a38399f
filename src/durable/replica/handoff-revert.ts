/**
 * @module
 * A handoff's revert: it holds rows only to give them back, to the primaries it owes them (those
 * its writes stood in for; every primary for rows that came another way), then deletes itself.
 * Swift: the replicator's handoff revert, with handoff_delete.
 */

import { NODE_TIMEOUT_MS, REPAIR_LEAVES_PER_ROUND, ROWS_PER_RPC_MAX } from "../../common/constraints";
import type { ReplicaReply } from "../../common/replies";
import type { RepairReport } from "../repair";
import type { ReplicaContext, ReplicaRows } from "./context";
import type { RepairSchedule } from "./repair-schedule";
import type { Debt } from "./state";

export class HandoffRevert<Row> {
  readonly #context: ReplicaContext;
  readonly #rows: () => ReplicaRows<Row>;
  readonly #schedule: RepairSchedule;

  constructor(context: ReplicaContext, rows: () => ReplicaRows<Row>, schedule: RepairSchedule) {
    this.#context = context;
    this.#rows = rows;
    this.#schedule = schedule;
  }

  /**
   * A write landed on this handoff, standing in for the primary in `standingFor` (the other
   * primaries took it themselves), or for none known. It reverts from its own alarm, without
   * waiting to be told or for the sweep; a revert already pending (perhaps waiting for a zone
   * that is down) takes this write too, unless it is owed to a primary not owed before.
   */
  noteWrite(standingFor: string | null): void {
    this.#context.state.recordWrite();
    const newlyOwed = this.#owe(standingFor);
    if (newlyOwed || !this.#schedule.pending) this.#schedule.soon();
  }

  /** Primaries a write missed, which no replica that took it was: this handoff owes them its rows too. */
  oweAlso(zones: readonly string[]): void {
    for (const zone of zones) this.#owe(zone);
    this.#context.state.forgetHandedTo(zones);
  }

  /**
   * Gives every row this replica holds to every primary it owes them, all at once (each merges by
   * timestamp and copies the bodies it lacks); once all of them took everything, the replica
   * deletes itself. Primaries that took everything are remembered until the next write, so a
   * retry after one primary failed goes to that one only.
   */
  async run(): Promise<ReplicaReply<RepairReport[]>> {
    const { state, alarm } = this.#context;
    const tree = this.#rows().tree;
    const writes = state.writes;
    const leaves = Object.keys(tree.leaves(Object.keys(tree.buckets()).map(Number))).map(Number);
    // Primaries an earlier revert already gave everything to (no write came since) are skipped.
    const handedTo = new Set(state.handedTo);
    const primaries = this.#owedPrimaries().filter((zone) => !handedTo.has(zone));
    const reports = await Promise.all(primaries.map((zone) => this.#handTo(zone, leaves)));
    const unreachable = primaries.filter((_zone, i) => !reports[i]?.inSync);
    if (state.writes !== writes) {
      // A write landed meanwhile: what was handed over is not everything any more.
      await this.#schedule.retryLater([]);
      return { status: 503, value: reports };
    }
    for (const zone of primaries) if (!unreachable.includes(zone)) handedTo.add(zone);
    state.handedTo = [...handedTo];
    const complete = unreachable.length === 0;
    if (complete) {
      alarm.schedule("wipe", Date.now());
      this.#schedule.done();
    } else {
      await this.#schedule.retryLater(unreachable);
    }
    return { status: complete ? 200 : 503, value: reports };
  }

  /** Whether a revert gave everything to every primary it owes since the last write. */
  reverted(): boolean {
    const handedTo = new Set(this.#context.state.handedTo);
    return this.#owedPrimaries().every((zone) => handedTo.has(zone));
  }

  /**
   * Records that the rows are owed to the primary in `zone` (every primary when it is not one, or null); true when that
   * is new.
   */
  #owe(zone: string | null): boolean {
    const debt: Debt =
      zone !== null && this.#context.placement.primaryZones().includes(zone)
        ? { to: "primary", zone }
        : { to: "every-primary" };
    return this.#context.state.addDebt(debt);
  }

  /**
   * The primaries a revert gives this replica's rows to: on a handoff, those its writes stood in
   * for (the others took each write themselves); every primary when a write came without that,
   * when a rebalance made one of those zones no longer a primary, and for a replica a rebalance
   * moved off.
   */
  #owedPrimaries(): string[] {
    const { identity, placement, state } = this.#context;
    const primaries = placement.primaryZones();
    const owed = identity.handoff ? state.owed : null;
    if (owed === null || owed.some((debt) => debt.to === "every-primary")) return primaries;
    const owedNow = primaries.filter((zone) => owed.some((debt) => debt.to === "primary" && debt.zone === zone));
    return owedNow.length === owed.length ? owedNow : primaries;
  }

  /** Gives every row of `leaves` to the primary in `zone`, one RPC's worth at a time; stops at the first refusal. */
  async #handTo(zone: string, leaves: readonly number[]): Promise<RepairReport> {
    const { client, identity } = this.#context;
    const report: RepairReport = { divergent: true, inSync: false, rowsRead: 0, rowsSent: 0, bytesSent: 0, calls: 0 };
    for (let start = 0; start < leaves.length; start += REPAIR_LEAVES_PER_ROUND) {
      const rows = this.#rows().rowsInLeaves(leaves.slice(start, start + REPAIR_LEAVES_PER_ROUND));
      report.rowsRead += rows.length;
      for (let offset = 0; offset < rows.length; offset += ROWS_PER_RPC_MAX) {
        const batch = rows.slice(offset, offset + ROWS_PER_RPC_MAX);
        const reply = await client.protocol<Row, number>(
          identity.ring,
          identity.partition,
          zone,
          (stub) => stub.mergeRows(batch, identity.zone),
          NODE_TIMEOUT_MS,
        );
        report.calls += 1;
        if (reply.status !== 200) return report;
        report.rowsSent += batch.length;
        report.bytesSent += JSON.stringify(batch).length;
      }
    }
    report.inSync = true;
    return report;
  }
}
