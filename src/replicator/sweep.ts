/**
 * @module
 * The cron sweep, the safety net behind event-driven repair: for each ring, read every zone's
 * ring summary (which partitions hold data, and their partition hashes), compare each partition's
 * primaries, and ask a replica of each divergent partition to repair; ask handoffs (and replicas
 * a rebalance moved off) to revert. In-sync and empty partitions cost no call at all, so a sweep's
 * cost follows the partitions that differ, not the data stored. Bounded per invocation; a ring
 * too large for one invocation resumes from a cursor.
 */

import type { Config } from "../config/config";
import { NODE_TIMEOUT_MS } from "../common/constraints";
import type { ReplicaClient } from "../durable/client";
import { handoffSlot } from "../durable/identity";
import { ZERO_HASH } from "../durable/partition-hash";
import type { SummaryEntry } from "../durable/schema/summary";
import type { RingName } from "../ring/types";
import type { RepairReport } from "../durable/repair";
import { ringSummaryStub } from "../durable/names";

/** Summary entries read per call. */
export const SUMMARY_PAGE = 1_000;

export interface SweepReport {
  ring: RingName;
  startedAt: string;
  durationMs: number;
  /** Partitions that hold data in some zone (each compared, whatever it holds). */
  partitionsChecked: number;
  divergent: number;
  repaired: number;
  rowsRead: number;
  rowsMoved: number;
  /** Bytes of the rows moved (their JSON; bodies copied for them are not counted). */
  bytesMoved: number;
  handoffsOutstanding: number;
  /** Whether the pass reached the end of the ring (else it resumes from `cursor`). */
  complete: boolean;
  cursor: number;
}

export interface SweepOutcome {
  report: SweepReport;
  divergentPartitions: number[];
  checkedPartitions: number[];
}

/** Every zone's summary entries of a ring from `fromPartition` on, grouped by partition. */
async function readSummaries(
  config: Config,
  ring: RingName,
  fromPartition: number,
): Promise<Map<number, Map<string, SummaryEntry>>> {
  const byPartition = new Map<number, Map<string, SummaryEntry>>();
  await Promise.all(
    config.rings.get(ring).zones.map(async (zone) => {
      const stub = ringSummaryStub(config, ring, zone.id);
      let from = fromPartition;
      for (;;) {
        const page = (await stub.list(from, SUMMARY_PAGE)).value ?? [];
        for (const entry of page) {
          const slots = byPartition.get(entry.partition) ?? new Map<string, SummaryEntry>();
          slots.set(entry.slot === "handoff" ? handoffSlot(zone.id) : zone.id, entry);
          byPartition.set(entry.partition, slots);
        }
        const last = page[page.length - 1];
        if (page.length < SUMMARY_PAGE || !last) break;
        from = last.partition + 1;
      }
    }),
  );
  return byPartition;
}

/**
 * Sweeps one ring from `cursor`, asking for at most `maxRepairs` repairs; returns the report and
 * where the next invocation resumes (0 when the pass completed).
 */
export async function sweepRing(
  config: Config,
  client: ReplicaClient,
  ring: RingName,
  cursor: number,
  maxRepairs: number,
  nowMs: number,
): Promise<SweepOutcome> {
  const started = Date.now();
  const summaries = await readSummaries(config, ring, cursor);
  const report: SweepReport = {
    ring,
    startedAt: new Date(nowMs).toISOString(),
    durationMs: 0,
    partitionsChecked: 0,
    divergent: 0,
    repaired: 0,
    rowsRead: 0,
    rowsMoved: 0,
    bytesMoved: 0,
    handoffsOutstanding: 0,
    complete: true,
    cursor: 0,
  };
  const divergentPartitions: number[] = [];
  const checkedPartitions: number[] = [];
  const partitions = [...summaries.keys()].sort((a, b) => a - b);
  for (const partition of partitions) {
    const slots = summaries.get(partition) ?? new Map<string, SummaryEntry>();
    const primaries = config.rings
      .get(ring)
      .primaryZones(partition)
      .map((zone) => zone.id);
    const hashes = new Set(primaries.map((zone) => slots.get(zone)?.hash ?? ZERO_HASH));
    const strays = [...slots.keys()].filter((slot) => !primaries.includes(slot));
    report.handoffsOutstanding += strays.length;
    checkedPartitions.push(partition);
    report.partitionsChecked += 1;
    if (hashes.size <= 1 && !strays.length) continue;
    report.divergent += 1;
    divergentPartitions.push(partition);
    if (report.repaired >= maxRepairs) {
      report.complete = false;
      report.cursor = partition;
      break;
    }
    const holder = primaries.find((zone) => (slots.get(zone)?.rows ?? 0) > 0) ?? primaries[0];
    const targets = [...strays, ...(hashes.size > 1 && holder ? [holder] : [])];
    for (const slot of targets) {
      const reply = await client.call(ring, partition, slot, (stub) => stub.repair(), NODE_TIMEOUT_MS);
      for (const pair of reply.value ?? []) {
        report.rowsRead += pair.rowsRead;
        report.rowsMoved += pair.rowsSent;
        report.bytesMoved += pair.bytesSent;
      }
    }
    report.repaired += 1;
  }
  if (!report.complete) {
    const index = checkedPartitions.indexOf(report.cursor);
    checkedPartitions.splice(index);
    divergentPartitions.splice(divergentPartitions.indexOf(report.cursor));
  }
  report.durationMs = Date.now() - started;
  return { report, divergentPartitions, checkedPartitions };
}
