/**
 * @module
 * Rebalance rules checked on generated histories (seeded, so every run tries the same ones): zones
 * added, reweighted (to 0 too) and removed, rebalanced at clocks that do and do not pass
 * min_part_hours. After every rebalance: `moved` counts the slots whose zone changed; every slot is
 * on a zone of the new list; a removed zone is emptied; no partition moves more than one replica
 * (besides those on a removed zone) nor moves again within min_part_hours; move times change for
 * moved partitions only; no zone holds two replicas of a partition; the input is not changed and
 * the same input gives the same output. Rebalanced until nothing moves, every zone holds its
 * target exactly and a zone without weight holds nothing.
 */
import { describe, it, type ExpectStatic } from "vitest";
import { addZone, create, rebalance, removeZone, setWeight } from "../../../src/ring/builder.ts";
import { decodeTables, isAssignable, partitionsPerZone } from "../../../src/ring/builder-state.ts";
import type { BuilderFile } from "../../../src/ring/types.ts";
import { seededRandom, zoneTargets } from "../../../src/ring/zone-targets.ts";
import { HOUR, T0, zone } from "./build.ts";

/** The zone id of every slot, `[replica][partition]`. */
function zoneIds(builder: BuilderFile): (string | undefined)[][] {
  return decodeTables(builder).table.map((part2zone) => Array.from(part2zone, (index) => builder.zones[index]?.id));
}

/** Checks every per-rebalance rule for `next = rebalance(before, now)`; returns `next`'s builder. */
function checkedRebalance(before: BuilderFile, now: number, expect: ExpectStatic, label: string): { builder: BuilderFile; moved: number } {
  const snapshot = JSON.stringify(before);
  const result = rebalance(before, now);
  expect(JSON.stringify(before), `${label}: input unchanged`).toBe(snapshot);
  expect(JSON.stringify(rebalance(before, now)), `${label}: deterministic`).toBe(JSON.stringify(result));
  const next = result.builder;
  expect(next.version).toBe(before.version + 1);
  expect(next.zonesChanged).toBe(false);
  expect(next.zones.map((z) => z.id)).toEqual(before.zones.filter((z) => !z.removed).map((z) => z.id));

  const old = zoneIds(before);
  const now2 = zoneIds(next);
  const removed = new Set(before.zones.filter((z) => z.removed).map((z) => z.id));
  const oldMovedAt = decodeTables(before).partitionMovedAt;
  const newMovedAt = decodeTables(next).partitionMovedAt;
  const partitions = 2 ** before.partPower;
  let moved = 0;
  for (let p = 0; p < partitions; p++) {
    let changed = 0;
    let onRemoved = 0;
    const held = new Set<string>();
    for (let r = 0; r < before.replicas; r++) {
      const from = old[r]?.[p];
      const to = now2[r]?.[p];
      expect(to, `${label}: p${p} r${r} assigned`).toBeDefined();
      expect(removed.has(to ?? ""), `${label}: p${p} r${r} not on a removed zone`).toBe(false);
      expect(held.has(to ?? ""), `${label}: p${p} two replicas in ${to}`).toBe(false);
      held.add(to ?? "");
      if (from !== to) changed++;
      if (from === undefined || removed.has(from)) onRemoved++;
    }
    moved += changed;
    expect(changed, `${label}: p${p} moved ${changed} replicas`).toBeLessThanOrEqual(Math.max(1, onRemoved));
    const movedAt = oldMovedAt[p] ?? 0;
    const settled = movedAt === 0 || now - movedAt >= before.minPartHours * HOUR;
    if (!settled && onRemoved === 0) expect(changed, `${label}: p${p} moved within min_part_hours`).toBe(0);
    expect(newMovedAt[p], `${label}: p${p} move time`).toBe(changed > 0 ? Math.floor(now) : movedAt);
  }
  expect(result.moved, `${label}: moved`).toBe(moved);
  expect(result.dispersion, `${label}: dispersion`).toBe(0);
  return { builder: next, moved };
}

/** One generated history: zones, then random changes, each followed by a rebalance. */
function history(seed: number, expect: ExpectStatic): void {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const replicas = 2 + pick(3);
  const minPartHours = pick(3);
  let builder = create("object", 4 + pick(4), replicas, minPartHours, seed);
  let next = 1;
  const weight = (): number => [0, 1, 50, 100, 100, 200, 300][pick(7)] ?? 100;
  for (let i = 0; i < replicas + 1 + pick(3); i++) builder = addZone(builder, zone(`z${next++}`, i < replicas ? 100 : weight()));
  let now = T0;
  for (let step = 0; step < 6; step++) {
    const label = `seed ${seed} step ${step}`;
    ({ builder } = checkedRebalance(builder, now, expect, label));
    const live = builder.zones.filter(isAssignable);
    const choice = pick(4);
    if (choice === 0) builder = addZone(builder, zone(`z${next++}`, weight()));
    else if (choice === 1 && live.length > replicas) builder = removeZone(builder, live[pick(live.length)]?.id ?? "");
    else if (choice === 2 && live.length > replicas) builder = setWeight(builder, live[pick(live.length)]?.id ?? "", weight());
    now += pick(3) * HOUR + pick(2) * 1800;
  }
  // Settle: rebalance past min_part_hours until nothing moves (bounded), then every zone is at its target.
  for (let round = 0; round < 2 * replicas + 4; round++) {
    now += (minPartHours + 1) * HOUR;
    const result = checkedRebalance(builder, now, expect, `seed ${seed} settle ${round}`);
    builder = result.builder;
    if (result.moved === 0) break;
  }
  const partitions = 2 ** builder.partPower;
  const counts = partitionsPerZone(decodeTables(builder).table, builder.zones.length);
  const { target } = zoneTargets(builder.zones, partitions, replicas);
  builder.zones.forEach((z, index) => {
    const count = counts[index] ?? 0;
    if (!isAssignable(z)) expect(count, `seed ${seed}: ${z.id} without weight`).toBe(0);
    expect(count, `seed ${seed}: ${z.id}`).toBe(target[index]);
  });
}

describe("rebalance rules on generated histories", () => {
  for (let batch = 0; batch < 4; batch++) {
    it(`hold after every rebalance and settle on the targets (seeds ${batch * 10 + 1}–${batch * 10 + 10})`, ({ expect }) => {
      for (let seed = batch * 10 + 1; seed <= batch * 10 + 10; seed++) history(seed, expect);
    });
  }
});
