/**
 * @module
 * Repair of two replicas of one partition by descending their hash trees: equal partition hashes
 * end it at once; otherwise compare the 256 bucket hashes, then the leaves of differing buckets,
 * then exchange the rows of differing leaves, each side merging the other's by timestamp. Work
 * and bytes follow the difference, not what is stored. Bounded per round; the caller loops.
 */

import type { Hash } from "./partition-hash";
import type { TreeNode } from "./schema/hash-tree";

/** One side of a repair: a replica (local or over RPC) seen through its hash tree. */
export interface RepairEnd<Row> {
  partitionHash(): Promise<TreeNode>;
  bucketHashes(): Promise<Record<number, Hash>>;
  leafHashes(buckets: number[]): Promise<Record<number, Hash>>;
  rowsInLeaves(leaves: number[]): Promise<Row[]>;
  mergeRows(rows: Row[]): Promise<void>;
}

export interface RepairReport {
  /** Whether the replicas differed when the repair started. */
  divergent: boolean;
  /** Whether they hold the same rows now. */
  inSync: boolean;
  rowsRead: number;
  rowsSent: number;
  /** Bytes of the rows sent (their JSON), bodies apart. */
  bytesSent: number;
  /** Round trips made (for recon and benchmarks). */
  calls: number;
}

function differing(a: Record<number, Hash>, b: Record<number, Hash>): number[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].map(Number));
  return [...keys].filter((key) => a[key] !== b[key]).sort((x, y) => x - y);
}

/**
 * Repairs a pair: at most `maxLeavesPerRound` leaves' rows per round, up to `maxRounds` rounds.
 * `keyOf` and `hashOf` identify a row and its version, so only rows the other side lacks travel.
 */
export async function repairPair<Row>(
  a: RepairEnd<Row>,
  b: RepairEnd<Row>,
  keyOf: (row: Row) => string,
  hashOf: (row: Row) => Hash,
  limits: { maxLeavesPerRound: number; maxRounds: number } = { maxLeavesPerRound: 512, maxRounds: 20 },
): Promise<RepairReport> {
  const report: RepairReport = { divergent: false, inSync: false, rowsRead: 0, rowsSent: 0, bytesSent: 0, calls: 0 };
  for (let round = 0; round < limits.maxRounds; round++) {
    const [rootA, rootB] = await Promise.all([a.partitionHash(), b.partitionHash()]);
    report.calls += 2;
    if (rootA.hash === rootB.hash) {
      report.inSync = true;
      return report;
    }
    report.divergent = true;
    const [bucketsA, bucketsB] = await Promise.all([a.bucketHashes(), b.bucketHashes()]);
    const buckets = differing(bucketsA, bucketsB);
    const [leavesA, leavesB] = await Promise.all([a.leafHashes(buckets), b.leafHashes(buckets)]);
    const leaves = differing(leavesA, leavesB).slice(0, limits.maxLeavesPerRound);
    const [rowsA, rowsB] = await Promise.all([a.rowsInLeaves(leaves), b.rowsInLeaves(leaves)]);
    report.calls += 6;
    report.rowsRead += rowsA.length + rowsB.length;
    const versionsA = new Map(rowsA.map((row) => [keyOf(row), hashOf(row)]));
    const versionsB = new Map(rowsB.map((row) => [keyOf(row), hashOf(row)]));
    const toB = rowsA.filter((row) => versionsB.get(keyOf(row)) !== hashOf(row));
    const toA = rowsB.filter((row) => versionsA.get(keyOf(row)) !== hashOf(row));
    await Promise.all([toB.length ? b.mergeRows(toB) : undefined, toA.length ? a.mergeRows(toA) : undefined]);
    report.calls += (toB.length ? 1 : 0) + (toA.length ? 1 : 0);
    report.rowsSent += toA.length + toB.length;
    report.bytesSent += JSON.stringify(toA).length + JSON.stringify(toB).length;
    if (!toA.length && !toB.length) return report; // Same rows, different hashes: the auditor's case.
  }
  return report;
}
