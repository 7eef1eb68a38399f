/**
 * @module
 * How many partition-replicas each zone should hold, and the builder's seeded randomness. Split
 * from rebalance.ts, which uses both. Swift: builder.py _build_replica_plan / _set_parts_wanted,
 * reduced to one tier (zones) and no overload.
 */
import { isAssignable } from "./builder-state.ts";
import type { BuilderZone } from "./types.ts";

/** A zone's share of partition-replicas: exact (`wanted`) and whole (`target`). */
export interface ZoneTargets {
  wanted: number[];
  target: number[];
}

/**
 * Shares of `partitions × replicas` by weight, where no zone takes more than one replica of every
 * partition (dispersion first: what a zone cannot take goes to the others by weight, as Swift's
 * replica plan caps a tier at one replica per part). `wanted` is exact; `target` is whole, by
 * largest remainder (ties to the lower index), and sums to `partitions × replicas`. Zones that
 * are removed or without weight want nothing.
 */
export function zoneTargets(zones: readonly BuilderZone[], partitions: number, replicas: number): ZoneTargets {
  const weightOf = (index: number): number => zones[index]?.weight ?? 0;
  const wanted = new Array<number>(zones.length).fill(0);
  const assignable = zones
    .map((_, index) => index)
    .filter((index) => {
      const zone = zones[index];
      return zone !== undefined && isAssignable(zone);
    });
  let free = assignable;
  let remaining = partitions * replicas;
  for (;;) {
    const weight = free.reduce((sum, index) => sum + weightOf(index), 0);
    if (weight <= 0) break;
    const capped = free.filter((index) => (remaining * weightOf(index)) / weight > partitions);
    if (capped.length === 0) {
      for (const index of free) wanted[index] = (remaining * weightOf(index)) / weight;
      break;
    }
    for (const index of capped) wanted[index] = partitions;
    remaining -= capped.length * partitions;
    free = free.filter((index) => !capped.includes(index));
  }
  const target = wanted.map((w) => Math.floor(w));
  let rest = partitions * replicas - target.reduce((sum, t) => sum + t, 0);
  const byRemainder = assignable
    .map((index) => ({ index, fraction: (wanted[index] ?? 0) - (target[index] ?? 0) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of byRemainder) {
    if (rest <= 0) break;
    if ((target[index] ?? 0) < partitions) {
      target[index] = (target[index] ?? 0) + 1;
      rest--;
    }
  }
  return { wanted, target };
}

/** A small seeded PRNG (mulberry32) returning numbers in [0, 1): the builder's only randomness. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `values` in place (Fisher–Yates) with `random`. */
export function shuffle(values: Uint32Array, random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = values[i] ?? 0;
    values[i] = values[j] ?? 0;
    values[j] = swap;
  }
}
