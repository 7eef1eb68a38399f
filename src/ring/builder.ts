/**
 * @module
 * The ring builder, after swift-ring-builder's RingBuilder: create a builder, add, remove and
 * reweight zones, rebalance, validate, print, and write the ring file the Worker bundles.
 * Every operation is pure: it takes a BuilderFile and returns a new one, never reading a clock.
 */
import { validate } from "./builder-report.ts";
import { decodeTables, MAX_MIN_PART_HOURS, RingBuilderError } from "./builder-state.ts";
import { isIntegerIn, MAX_PART_POWER, plainZone, zoneProblems } from "./ring-file.ts";
import { bytesToBase64, uint16ToBase64 } from "./table.ts";
import {
  BUILDER_FILE_FORMAT,
  isRingName,
  RING_FILE_FORMAT,
  type BuilderFile,
  type RingFile,
  type RingName,
  type Zone,
} from "./types.ts";

export { RingBuilderError } from "./builder-state.ts";
export { rebalance, type RebalanceResult } from "./rebalance.ts";
export { validate, show, summarize, parseBuilderFile, type BuilderSummary } from "./builder-report.ts";

/** Seed of a builder created without one: any fixed number keeps builds reproducible. */
export const DEFAULT_SEED = 0x5eed;

/**
 * A new, empty builder. Swift: RingBuilder(part_power, replicas, min_part_hours). Throws
 * RingBuilderError for a part power outside 0..24, replicas outside 1..255, or min_part_hours
 * outside 0..8760 (a year).
 */
export function create(
  ring: RingName,
  partPower: number,
  replicas: number,
  minPartHours: number,
  seed = DEFAULT_SEED,
): BuilderFile {
  if (!isRingName(ring))
    throw new RingBuilderError(
      `unknown ring ${JSON.stringify(ring)}: expected account, container, object or object-<policy index>`,
    );
  if (!isIntegerIn(partPower, 0, MAX_PART_POWER)) {
    throw new RingBuilderError(`part power ${partPower} is not a whole number in 0..${MAX_PART_POWER}`);
  }
  if (!isIntegerIn(replicas, 1, 255))
    throw new RingBuilderError(`replicas ${replicas} is not a whole number in 1..255`);
  if (!isIntegerIn(minPartHours, 0, MAX_MIN_PART_HOURS)) {
    throw new RingBuilderError(`min_part_hours ${minPartHours} is not a whole number in 0..${MAX_MIN_PART_HOURS}`);
  }
  if (!isIntegerIn(seed, 0, 0xffffffff)) throw new RingBuilderError(`seed ${seed} is not a 32-bit whole number`);
  return {
    format: BUILDER_FILE_FORMAT,
    ring,
    partPower,
    replicas,
    minPartHours,
    zones: [],
    replica2Partition2Zone: null,
    partitionMovedAt: null,
    seed,
    version: 0,
    zonesChanged: false,
  };
}

/** The zone with `id` in `builder`, or a RingBuilderError naming the ring. */
function zoneIndex(builder: BuilderFile, id: string): number {
  const index = builder.zones.findIndex((zone) => zone.id === id);
  if (index < 0) throw new RingBuilderError(`the ${builder.ring} ring has no zone ${JSON.stringify(id)}`);
  return index;
}

/**
 * `builder` with `zone` added; it takes partitions at the next rebalance. Swift: add_dev().
 * Throws RingBuilderError for a malformed zone or an id already in use.
 */
export function addZone(builder: BuilderFile, zone: Zone): BuilderFile {
  const problems = zoneProblems(zone, `zone ${JSON.stringify(zone.id)}`);
  if (problems.length > 0) throw new RingBuilderError(problems.join("; "));
  const existing = builder.zones.find((z) => z.id === zone.id);
  if (existing?.removed) {
    throw new RingBuilderError(
      `zone ${zone.id} is being removed from the ${builder.ring} ring: rebalance before adding it again`,
    );
  }
  if (existing) throw new RingBuilderError(`the ${builder.ring} ring already has a zone ${zone.id}`);
  return { ...builder, zones: [...builder.zones, { ...plainZone(zone), removed: false }], zonesChanged: true };
}

/**
 * `builder` with zone `id` marked removed: the next rebalance moves all its partitions away,
 * min_part_hours notwithstanding, then forgets it. Swift: remove_dev(). A zone that holds nothing
 * yet (never rebalanced) is dropped at once.
 */
export function removeZone(builder: BuilderFile, id: string): BuilderFile {
  const index = zoneIndex(builder, id);
  const zone = builder.zones[index];
  if (zone?.removed) throw new RingBuilderError(`zone ${id} is already being removed from the ${builder.ring} ring`);
  const zones =
    builder.replica2Partition2Zone === null
      ? builder.zones.filter((_, i) => i !== index)
      : builder.zones.map((z, i) => (i === index ? { ...z, removed: true } : z));
  return { ...builder, zones, zonesChanged: true };
}

/**
 * `builder` with zone `id` weighted `weight` (≥ 0; 0 drains it over successive rebalances).
 * Swift: set_dev_weight().
 */
export function setWeight(builder: BuilderFile, id: string, weight: number): BuilderFile {
  const index = zoneIndex(builder, id);
  if (builder.zones[index]?.removed)
    throw new RingBuilderError(`zone ${id} is being removed from the ${builder.ring} ring`);
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
    throw new RingBuilderError(`weight ${weight} is not a finite number >= 0`);
  }
  return { ...builder, zones: builder.zones.map((z, i) => (i === index ? { ...z, weight } : z)), zonesChanged: true };
}

/**
 * The ring file of a rebalanced builder: zones without the builder's bookkeeping, one table per
 * replica, one byte per entry while there are at most 256 zones. Throws RingBuilderError listing
 * what `validate` finds wrong.
 */
export function toRingFile(builder: BuilderFile): RingFile {
  const problems = validate(builder);
  if (problems.length > 0) throw new RingBuilderError(`the ${builder.ring} ring is not valid: ${problems.join("; ")}`);
  const { table } = decodeTables(builder);
  const zoneIndexBytes = builder.zones.length <= 256 ? 1 : 2;
  const tables = table.map((part2zone) =>
    zoneIndexBytes === 1 ? bytesToBase64(Uint8Array.from(part2zone)) : uint16ToBase64(part2zone),
  );
  return {
    format: RING_FILE_FORMAT,
    ring: builder.ring,
    version: builder.version,
    partPower: builder.partPower,
    replicaCount: builder.replicas,
    zones: builder.zones.map(plainZone),
    zoneIndexBytes,
    replica2Partition2Zone: tables,
  };
}
