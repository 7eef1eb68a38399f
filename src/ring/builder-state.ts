/**
 * @module
 * The builder's working form — typed arrays decoded from a builder file — and the figures
 * swift-ring-builder prints about it: partitions per zone, balance and dispersion.
 * Shared by the builder operations, rebalance and the report; not used by the Worker.
 */
import { base64ToUint16, base64ToUint32, uint16ToBase64, uint32ToBase64 } from "./table.ts";
import type { BuilderFile, BuilderZone } from "./types.ts";

/** The table entry for a partition-replica that no zone holds (Swift: NONE_DEV). */
export const NO_ZONE = 0xffff;
/** What `balance` reports for a zone without weight that still holds partitions (Swift: MAX_BALANCE). */
export const MAX_BALANCE = 999.99;
/** Largest min_part_hours accepted: a year. */
export const MAX_MIN_PART_HOURS = 8760;

/** A thrown builder operation that cannot be done; the message is meant for the operator. */
export class RingBuilderError extends Error {
  override name = "RingBuilderError";
}

/** A builder's table decoded: `table[replica][partition]` is a zone index or NO_ZONE. */
export interface BuilderTables {
  table: Uint16Array[];
  /** Unix second each partition last moved; 0 when it never has. */
  partitionMovedAt: Uint32Array;
}

/** Decodes the table and move times of a builder file; a builder never rebalanced gets an empty table. */
export function decodeTables(builder: BuilderFile): BuilderTables {
  const partitions = 2 ** builder.partPower;
  const table: Uint16Array[] = [];
  for (let replica = 0; replica < builder.replicas; replica++) {
    const text = builder.replica2Partition2Zone?.[replica];
    const decoded = text === undefined ? new Uint16Array(partitions).fill(NO_ZONE) : base64ToUint16(text);
    if (decoded.length !== partitions) {
      throw new RingBuilderError(`replica ${replica} table has ${decoded.length} partitions, expected ${partitions}`);
    }
    table.push(decoded);
  }
  const partitionMovedAt =
    builder.partitionMovedAt === null ? new Uint32Array(partitions) : base64ToUint32(builder.partitionMovedAt);
  if (partitionMovedAt.length !== partitions) {
    throw new RingBuilderError(`partitionMovedAt has ${partitionMovedAt.length} partitions, expected ${partitions}`);
  }
  return { table, partitionMovedAt };
}

/** The file form of decoded tables. */
export function encodeTables(tables: BuilderTables): Pick<BuilderFile, "replica2Partition2Zone" | "partitionMovedAt"> {
  return {
    replica2Partition2Zone: tables.table.map(uint16ToBase64),
    partitionMovedAt: uint32ToBase64(tables.partitionMovedAt),
  };
}

/** Partition-replicas per zone index (entries past the zone list are ignored). */
export function partitionsPerZone(table: readonly Uint16Array[], zoneCount: number): number[] {
  const counts = new Array<number>(zoneCount).fill(0);
  for (const part2zone of table) {
    for (const index of part2zone) if (index < zoneCount) counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/** Zones that take partitions at the next rebalance: not removed, weight above zero. */
export function isAssignable(zone: BuilderZone): boolean {
  return !zone.removed && zone.weight > 0;
}

/**
 * Per zone, how far its partition count is from its weight's share, in percent (Swift:
 * builder.py _build_balance_per_dev): 100 × parts / (weight × weight_of_one_part) − 100, where
 * weight_of_one_part = partition-replicas / total weight. A zone without weight holding
 * partitions counts MAX_BALANCE.
 */
export function balancePerZone(
  zones: readonly BuilderZone[],
  counts: readonly number[],
  partitionReplicas: number,
): number[] {
  const totalWeight = zones.reduce((sum, zone) => sum + (isAssignable(zone) ? zone.weight : 0), 0);
  const weightOfOnePart = totalWeight > 0 ? partitionReplicas / totalWeight : 0;
  return zones.map((zone, index) => {
    const count = counts[index] ?? 0;
    if (!isAssignable(zone)) return count > 0 ? MAX_BALANCE : 0;
    return (100 * count) / (zone.weight * weightOfOnePart) - 100;
  });
}

/** The ring's balance: the largest absolute per-zone balance (Swift: get_balance()). */
export function balanceOf(zones: readonly BuilderZone[], counts: readonly number[], partitionReplicas: number): number {
  return balancePerZone(zones, counts, partitionReplicas).reduce((worst, b) => Math.max(worst, Math.abs(b)), 0);
}

/**
 * Dispersion: percent of partition-replicas sharing a zone with another replica of the same
 * partition beyond what the zones allow (one per zone while there are at least `replicas` zones).
 * Swift: builder.py _build_dispersion_graph(), at the zone tier.
 */
export function dispersionOf(table: readonly Uint16Array[], zoneCount: number, assignableZones: number): number {
  const replicas = table.length;
  const partitions = table[0]?.length ?? 0;
  if (replicas === 0 || partitions === 0) return 0;
  const maxPerZone = Math.ceil(replicas / Math.max(1, Math.min(assignableZones, replicas)));
  const seen = new Map<number, number>();
  let atRisk = 0;
  for (let partition = 0; partition < partitions; partition++) {
    seen.clear();
    for (const part2zone of table) {
      const index = part2zone[partition] ?? NO_ZONE;
      if (index === NO_ZONE || index >= zoneCount) continue;
      const count = (seen.get(index) ?? 0) + 1;
      seen.set(index, count);
      if (count > maxPerZone) atRisk++;
    }
  }
  return (100 * atRisk) / (partitions * replicas);
}
