/**
 * @module
 * Test helpers: builders and rings made from a short zone list, and the zones a builder gives each
 * partition, read through the public Ring API.
 */
import { addZone, create, rebalance, toRingFile } from "../../../src/ring/builder.ts";
import { Ring } from "../../../src/ring/ring.ts";
import type { BuilderFile, RingName, Zone } from "../../../src/ring/types.ts";

/** The hash prefix and suffix of the Swift vectors (and of wrangler.toml). */
export const HASH = { hashPathPrefix: "edgeswift-prefix", hashPathSuffix: "edgeswift-suffix" };
/** A fixed "now" for builds: 2026-01-01T00:00:00Z. */
export const T0 = 1_767_225_600;
export const HOUR = 3600;

/** A zone with defaults for what the test does not care about. */
export function zone(id: string, weight = 100, extra: Partial<Zone> = {}): Zone {
  return { id, weight, locationHint: null, bucket: null, ...extra };
}

export interface BuildOptions {
  ring?: RingName;
  partPower?: number;
  replicas?: number;
  minPartHours?: number;
  now?: number;
}

/** A builder with `zones` added and rebalanced once at `now` (default T0). */
export function built(zones: readonly Zone[], options: BuildOptions = {}): BuilderFile {
  let builder = create(
    options.ring ?? "object",
    options.partPower ?? 10,
    options.replicas ?? 3,
    options.minPartHours ?? 1,
  );
  for (const z of zones) builder = addZone(builder, z);
  return rebalance(builder, options.now ?? T0).builder;
}

/** The Ring a builder writes. */
export function ringOf(builder: BuilderFile): Ring {
  return Ring.fromFile(toRingFile(builder), HASH);
}

/** For every partition, the ids of its primary zones in replica order. */
export function assignments(builder: BuilderFile): string[][] {
  const ring = ringOf(builder);
  return Array.from({ length: ring.partitionCount }, (_, p) => ring.primaryZones(p).map((z) => z.id));
}

/** Partition-replicas per zone id. */
export function countsByZone(table: readonly string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const zones of table) for (const id of zones) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
