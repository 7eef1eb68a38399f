/**
 * @module
 * The dashboard's ring map: for each ring, partitions × zones, each cell the state of that
 * zone's replica of the partition as the zones' ring summaries last had it reported (in sync,
 * repairing, handoff held, zone down). Read from the same summaries the sweep compares
 * (replicator/sweep.ts partitionsOf), so it is as fresh as their reports: within SUMMARY_DELAY_MS
 * of a repair or a handoff's write, within SUMMARY_QUIET_MS of a write every replica took alike.
 * A partition whose primaries the summaries show differing is checked against the replicas
 * themselves (their partitionHash, a read with no side effect), the first MAP_PROBES_MAX per ring:
 * a replica repaired a moment ago shows in sync though its peers' quiet reports are not due yet.
 */

import type { Config } from "../../config/config";
import { NODE_TIMEOUT_MS } from "../../common/constraints";
import type { ReplicaClient } from "../../durable/client";
import { handoffSlot } from "../../durable/identity";
import { ZERO_HASH } from "../../durable/partition-hash";
import type { SummaryEntry } from "../../durable/schema/summary";
import { partitionsOf } from "../../replicator/sweep";
import type { Ring } from "../../ring/ring";
import type { RingName } from "../../ring/types";

/**
 * Partitions a ring's map shows: every partition of a ring this small or smaller, else the first
 * this many holding data (the map says it is capped).
 */
export const MAP_PARTITIONS_MAX = 4_096;

/** Partitions per ring and refresh whose primaries are asked for their hashes (three calls each). */
export const MAP_PROBES_MAX = 32;

/** A cell's state, one character each in a partition's cells (one per zone of the ring, in its order). */
export const CELL = {
  /** A primary whose partition hash is the one most of the primaries reported. */
  sync: "s",
  /** A primary whose hash differs from that (or none agree): a repair is due. */
  repairing: "r",
  /** The zone's handoff slot holds rows of the partition, waiting to give them back. */
  handoff: "h",
  /** The zone is down (the fault plan): its replicas answer nothing. */
  down: "d",
  /** A primary of a partition no replica reported rows for. */
  empty: "e",
  /** Not a replica of the partition. */
  none: "-",
} as const;

export type CellState = keyof typeof CELL;

/** One ring's map. */
export interface RingMap {
  ring: RingName;
  partitionCount: number;
  zones: string[];
  /** `[partition, cells]`, in partition order: each cell one CELL character, per zone. */
  rows: [number, string][];
  /** Cells by state, over the rows shown. */
  counts: Record<CellState, number>;
  /** Whether partitions holding data were left out (past MAP_PARTITIONS_MAX). */
  capped: boolean;
  /** Partitions whose primaries were asked for their hashes, and those left as reported (past MAP_PROBES_MAX). */
  probed: number;
  unprobed: number;
  /** The replica slots (`z1`, `z1/handoff`) the summaries list as holding rows, by partition (for the backlog). */
  holders: { partition: number; slots: string[] }[];
}

/**
 * The cells of one partition: `slots` its summary entries by slot (undefined: none holds rows),
 * `down` the zones down. A down zone is down whatever it holds; a handoff held shows where it is
 * held; a primary is in sync when its hash is the one most primaries share (with every hash
 * different, or a tie, each is repairing).
 */
export function partitionCells(
  ring: Ring,
  partition: number,
  slots: ReadonlyMap<string, SummaryEntry> | undefined,
  down: ReadonlySet<string>,
): string {
  const primaries = ring.primaryZones(partition).map((zone) => zone.id);
  const hashOf = (zone: string) => slots?.get(zone)?.hash ?? ZERO_HASH;
  const tally = new Map<string, number>();
  for (const zone of primaries) tally.set(hashOf(zone), (tally.get(hashOf(zone)) ?? 0) + 1);
  const most = Math.max(...tally.values());
  const agreed = [...tally].filter(([, count]) => count === most);
  // A tie (every hash different, or two against two) agrees on nothing.
  const agreedHash = agreed.length === 1 ? agreed[0]?.[0] : undefined;
  return ring.zones
    .map(({ id }) => {
      if (down.has(id)) return CELL.down;
      if (slots?.has(handoffSlot(id))) return CELL.handoff;
      if (!primaries.includes(id)) return CELL.none;
      if (!slots?.size) return CELL.empty;
      return hashOf(id) === agreedHash ? CELL.sync : CELL.repairing;
    })
    .join("");
}

/** A ring's map from its zones' summaries, with the zones in `down` down. */
export async function ringMap(
  config: Config,
  client: ReplicaClient,
  name: RingName,
  down: ReadonlySet<string>,
): Promise<RingMap> {
  const ring = config.rings.get(name);
  const held = new Map<number, Map<string, SummaryEntry>>();
  let capped = false;
  for await (const { partition, slots } of partitionsOf(config, name, 0)) {
    if (held.size >= MAP_PARTITIONS_MAX) {
      capped = true;
      break;
    }
    held.set(partition, slots);
  }
  const partitions =
    ring.partitionCount <= MAP_PARTITIONS_MAX
      ? Array.from({ length: ring.partitionCount }, (_, partition) => partition)
      : [...held.keys()];
  const counts: Record<CellState, number> = { sync: 0, repairing: 0, handoff: 0, down: 0, empty: 0, none: 0 };
  const states = Object.entries(CELL) as [CellState, string][];
  const rows: [number, string][] = partitions.map((partition) => [
    partition,
    partitionCells(ring, partition, held.get(partition), down),
  ]);
  const doubted = rows.filter(([, cells]) => cells.includes(CELL.repairing));
  const probed = doubted.slice(0, MAP_PROBES_MAX);
  await Promise.all(
    probed.map(async (row) => {
      const slots = await probedSlots(client, ring, name, row[0], held.get(row[0]), down);
      row[1] = partitionCells(ring, row[0], slots, down);
    }),
  );
  for (const [, cells] of rows) {
    for (const cell of cells) {
      const state = states.find(([, character]) => character === cell)?.[0];
      if (state) counts[state] += 1;
    }
  }
  const holders = [...held].map(([partition, slots]) => ({
    partition,
    slots: [...slots].filter(([, entry]) => entry.rows > 0).map(([slot]) => slot),
  }));
  return {
    ring: name,
    partitionCount: ring.partitionCount,
    zones: ring.zones.map((zone) => zone.id),
    rows,
    counts,
    capped,
    probed: probed.length,
    unprobed: doubted.length - probed.length,
    holders,
  };
}

/**
 * A partition's summary entries with its primaries' (those not down) replaced by what the
 * replicas answer now; a replica that does not answer keeps its reported entry.
 */
async function probedSlots(
  client: ReplicaClient,
  ring: Ring,
  name: RingName,
  partition: number,
  slots: ReadonlyMap<string, SummaryEntry> | undefined,
  down: ReadonlySet<string>,
): Promise<Map<string, SummaryEntry>> {
  const probed = new Map(slots);
  const primaries = ring
    .primaryZones(partition)
    .map((zone) => zone.id)
    .filter((zone) => !down.has(zone));
  await Promise.all(
    primaries.map(async (zone) => {
      const reply = await client.protocol(name, partition, zone, (stub) => stub.partitionHash(), NODE_TIMEOUT_MS);
      if (reply.status !== 200 || !reply.value) return;
      if (reply.value.rows > 0)
        probed.set(zone, { partition, slot: "", hash: reply.value.hash, rows: reply.value.rows });
      else probed.delete(zone);
    }),
  );
  return probed;
}
