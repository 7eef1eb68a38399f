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
  /** The partitions this invocation compared, `from` to `to` (exclusive; the ring's end when the pass completed). */
  checked: { from: number; to: number };
}

/** A stub's summary entries in (partition, slot) order, read a page at a time: what a sweep holds is a page per zone. */
class SummaryStream {
  readonly #stub: ReturnType<typeof ringSummaryStub>;
  #page: SummaryEntry[] = [];
  #index = 0;
  /** The last entry moved past (at first, one just before `fromPartition`). */
  #last: { partition: number; slot: string };
  #done = false;

  constructor(stub: ReturnType<typeof ringSummaryStub>, fromPartition: number) {
    this.#stub = stub;
    this.#last = { partition: fromPartition - 1, slot: "\uffff" };
  }

  /** The next entry, or null at the end. */
  async next(): Promise<SummaryEntry | null> {
    if (this.#index >= this.#page.length && !this.#done) await this.#read();
    return this.#page[this.#index] ?? null;
  }

  /** Moves past the entry `next` gave. */
  advance(): void {
    this.#last = this.#page[this.#index] ?? this.#last;
    this.#index += 1;
  }

  /**
   * The page after the last entry. It starts at the last entry's partition, whose other slot (a
   * zone's handoff beside its own) may be on the next page, and skips what was read already.
   */
  async #read(): Promise<void> {
    const last = this.#last;
    const page = (await this.#stub.list(Math.max(0, last.partition), SUMMARY_PAGE)).value ?? [];
    this.#done = page.length < SUMMARY_PAGE;
    this.#page = page.filter(
      (entry) => entry.partition > last.partition || (entry.partition === last.partition && entry.slot > last.slot),
    );
    this.#index = 0;
    if (!this.#page.length) this.#done = true;
  }
}

/**
 * Every zone's summary entries of a ring from `fromPartition` on, a partition at a time: its
 * entries keyed by slot (a zone's own, or its handoff slot). Holds a page per zone, not the ring.
 */
export async function* partitionsOf(
  config: Config,
  ring: RingName,
  fromPartition: number,
): AsyncGenerator<{ partition: number; slots: Map<string, SummaryEntry> }> {
  const streams = config.rings.get(ring).zones.map((zone) => ({
    zone: zone.id,
    entries: new SummaryStream(ringSummaryStub(config, ring, zone.id), fromPartition),
  }));
  for (;;) {
    const heads = await Promise.all(streams.map((stream) => stream.entries.next()));
    const partition = Math.min(...heads.map((head) => head?.partition ?? Number.POSITIVE_INFINITY));
    if (partition === Number.POSITIVE_INFINITY) return;
    const slots = new Map<string, SummaryEntry>();
    for (const stream of streams) {
      // A zone holds at most two entries of a partition: its own slot's and its handoff's.
      for (
        let entry = await stream.entries.next();
        entry?.partition === partition;
        entry = await stream.entries.next()
      ) {
        slots.set(entry.slot === "handoff" ? handoffSlot(stream.zone) : stream.zone, entry);
        stream.entries.advance();
      }
    }
    yield { partition, slots };
  }
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
  for await (const { partition, slots } of partitionsOf(config, ring, cursor)) {
    const primaries = config.rings
      .get(ring)
      .primaryZones(partition)
      .map((zone) => zone.id);
    const hashes = new Set(primaries.map((zone) => slots.get(zone)?.hash ?? ZERO_HASH));
    const strays = [...slots.keys()].filter((slot) => !primaries.includes(slot));
    const divergent = hashes.size > 1 || strays.length > 0;
    if (divergent && report.repaired >= maxRepairs) {
      report.complete = false;
      report.cursor = partition;
      break;
    }
    report.handoffsOutstanding += strays.length;
    report.partitionsChecked += 1;
    if (!divergent) continue;
    report.divergent += 1;
    divergentPartitions.push(partition);
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
  report.durationMs = Date.now() - started;
  const to = report.complete ? config.rings.get(ring).partitionCount : report.cursor;
  return { report, divergentPartitions, checked: { from: cursor, to } };
}
