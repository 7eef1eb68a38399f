/**
 * @module
 * A primary's repair with its peers: this replica and each other primary descend their hash
 * trees (repair.ts) and exchange only the rows that differ, in two passes so that what a later
 * peer gave is handed to the peers before it. Swift: db_replicator's sync with each peer.
 */

import { NODE_TIMEOUT_MS, REPAIR_LEAVES_PER_ROUND, REPAIR_ROUNDS_MAX } from "../../common/constraints";
import type { ReplicaReply } from "../../common/replies";
import type { ReplicaProtocol } from "../client";
import type { Hash } from "../partition-hash";
import { repairPair, type RepairEnd, type RepairReport } from "../repair";
import type { ReplicaContext, ReplicaRows } from "./context";
import type { RepairSchedule } from "./repair-schedule";

/** What a repair needs of the replica it runs in. */
export interface LocalReplica<Row> {
  rows(): ReplicaRows<Row>;
  /** Merges rows from the replica in `sourceZone`; returns how many changed. */
  merge(rows: Row[], sourceZone: string): Promise<number>;
  keyOf(row: Row): string;
  hashOf(row: Row): Hash;
}

/** One peer's repair report, with the zone it was made with. */
export type PeerReport = RepairReport & { zone: string };

class PeerUnavailable extends Error {}

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

export class PeerRepair<Row> {
  readonly #context: ReplicaContext;
  readonly #local: LocalReplica<Row>;
  readonly #schedule: RepairSchedule;

  constructor(context: ReplicaContext, local: LocalReplica<Row>, schedule: RepairSchedule) {
    this.#context = context;
    this.#local = local;
    this.#schedule = schedule;
  }

  /** Compares with every peer now and exchanges what differs; 503 when a peer could not finish (retried later). */
  async run(): Promise<ReplicaReply<PeerReport[]>> {
    const reports: PeerReport[] = [];
    const unreachable = new Set<string>();
    // A second pass hands what a later peer gave this replica to the peers before it.
    for (let pass = 0; pass < 2; pass++) {
      let divergent = false;
      unreachable.clear();
      for (const zone of this.#context.placement.peerZones()) {
        try {
          const report = await repairPair<Row>(
            this.#localEnd(zone),
            this.#remoteEnd(zone),
            (row) => this.#local.keyOf(row),
            (row) => this.#local.hashOf(row),
            {
              maxLeavesPerRound: REPAIR_LEAVES_PER_ROUND,
              maxRounds: REPAIR_ROUNDS_MAX,
            },
          );
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
    if (incomplete) await this.#schedule.retryLater([...unreachable]);
    else this.#schedule.done();
    return { status: incomplete ? 503 : 200, value: reports };
  }

  /** This replica as one end of a repair with the replica in `peerZone`. */
  #localEnd(peerZone: string): RepairEnd<Row> {
    const tree = this.#local.rows().tree;
    return {
      partitionHash: async () => tree.root(),
      bucketHashes: async () => tree.buckets(),
      leafHashes: async (buckets) => tree.leaves(buckets),
      rowsInLeaves: async (leaves) => this.#local.rows().rowsInLeaves(leaves),
      mergeRows: async (rows) => {
        await this.#local.merge(rows, peerZone);
      },
    };
  }

  /** The replica in `zone` as the other end, over RPC; a call that fails ends the pair's repair. */
  #remoteEnd(zone: string): RepairEnd<Row> {
    const { client, identity } = this.#context;
    const call = async <T>(method: (stub: ReplicaProtocol<Row>) => Promise<ReplicaReply<T>>): Promise<T> => {
      const reply = await client.protocol(identity.ring, identity.partition, zone, method, NODE_TIMEOUT_MS);
      if (reply.status !== 200 || reply.value === undefined)
        throw new PeerUnavailable(`${identity.ring}/${identity.partition}/${zone}: ${reply.status}`);
      return reply.value;
    };
    return {
      partitionHash: () => call((stub) => stub.peerPartitionHash()),
      bucketHashes: () => call((stub) => stub.bucketHashes()),
      leafHashes: (buckets) => call((stub) => stub.leafHashes(buckets)),
      rowsInLeaves: (leaves) => call((stub) => stub.rowsInLeaves(leaves)),
      mergeRows: async (rows) => {
        await call((stub) => stub.mergeRows(rows, identity.zone));
      },
    };
  }
}
