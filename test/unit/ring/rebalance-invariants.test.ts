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
import { md5 } from "@noble/hashes/legacy.js";
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
function checkedRebalance(
  before: BuilderFile,
  now: number,
  expect: ExpectStatic,
  label: string,
): { builder: BuilderFile; moved: number } {
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

/** md5 (hex) of the rings a history's rebalances gave, step by step. */
function ringsDigest(builders: readonly BuilderFile[]): string {
  const text = JSON.stringify(builders.map((b) => [b.replica2Partition2Zone, b.partitionMovedAt, b.zones]));
  return [...md5(new TextEncoder().encode(text))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** One generated history: zones, then random changes, each followed by a rebalance; returns its steps' ringsDigest. */
function history(seed: number, expect: ExpectStatic): string {
  const steps: BuilderFile[] = [];
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const replicas = 2 + pick(3);
  const minPartHours = pick(3);
  let builder = create("object", 4 + pick(4), replicas, minPartHours, seed);
  let next = 1;
  const weight = (): number => [0, 1, 50, 100, 100, 200, 300][pick(7)] ?? 100;
  for (let i = 0; i < replicas + 1 + pick(3); i++)
    builder = addZone(builder, zone(`z${next++}`, i < replicas ? 100 : weight()));
  let now = T0;
  for (let step = 0; step < 6; step++) {
    const label = `seed ${seed} step ${step}`;
    ({ builder } = checkedRebalance(builder, now, expect, label));
    steps.push(builder);
    const live = builder.zones.filter(isAssignable);
    const choice = pick(4);
    if (choice === 0) builder = addZone(builder, zone(`z${next++}`, weight()));
    else if (choice === 1 && live.length > replicas) builder = removeZone(builder, live[pick(live.length)]?.id ?? "");
    else if (choice === 2 && live.length > replicas)
      builder = setWeight(builder, live[pick(live.length)]?.id ?? "", weight());
    now += pick(3) * HOUR + pick(2) * 1800;
  }
  // Settle: rebalance past min_part_hours until nothing moves (bounded), then every zone is at its target.
  for (let round = 0; round < 2 * replicas + 4; round++) {
    now += (minPartHours + 1) * HOUR;
    const result = checkedRebalance(builder, now, expect, `seed ${seed} settle ${round}`);
    builder = result.builder;
    steps.push(builder);
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
  return ringsDigest(steps);
}

/**
 * The rings each history gives, pinned: the same builder and clock give the same ring on every
 * version (an operator rebuilding a ring gets the one deployed), so a change to which of several
 * valid placements is chosen shows up here.
 */
const DIGESTS: readonly string[] = [
  "4f02008692ea5cad97365aa34a477832",
  "6b48e5b7c2b9fbf2dcef41001327e309",
  "3d26bd17ad890824f86bfb64d24ebae2",
  "2c467c33fe350a116e22f93a43db4ca0",
  "a6403c7d6cda1a0c3f4f31198afd4a6f",
  "dd506b754b72fe5961d903336e593aa1",
  "68a79d52d50a0deaa62c5688a5e4c0f6",
  "40150ba3fe0b0665ca2b6ae4a5310aa1",
  "8ce89e1f2f25deaeed9ee2ba97e6bf9c",
  "fcb8bf90cb4b055aa1115904857542a8",
  "0a91f1b84523abb2685a59d10010a6e5",
  "0fc6b303a851106d541ef2482dd47a2c",
  "4e691d1a38a91e881956ddaf8cc7dc7e",
  "69d114b03fddb6c6174909648021da31",
  "bc64690fc0b44526c0f066b9cbef590f",
  "cba46ad7204da0605b9b31fb55d29b67",
  "4a72ab79b9b1fa397049d68eeab73ffc",
  "5105c5b8a4c2c3ff8e2453905de8f41d",
  "eab3c7727b1faeba704bbdc975455c31",
  "64158813af3b3c964db3cfccb8b27414",
  "4292cb61cb6bf8bc9c2cf0d0d54d3429",
  "8ff4467b2267af2fbf177e0f02668fe0",
  "422ba741f1f09095fe3c99e684d9dd0b",
  "17d1adaab65cd570460d268f36c51d8f",
  "e8df8b135f70cda00d1b803eeaf0b6c5",
  "734153b6daa0e4c006b9751a0bb1f97f",
  "82db86992117c34d9848fca1c606e14f",
  "d6cb32df41e0f04339e42b7ad4ede1d7",
  "fe8299e7d9c5869c1c5f7db3b0e838fb",
  "588d9509cd457d578457731fe780429b",
  "c6c4321ecb28db142ec1c04c209b26c6",
  "79464140e0c0a65151568611b47f8d72",
  "5f88e9ab8e152ea955ae8b9f117069bc",
  "2f9db899cf2322354beeebba50cf607a",
  "a7095824cbed0693529b9d82f8438d74",
  "8f181368d04e32b97479c9547cf1c5ce",
  "abf14c14a5143c6491779020f80a8748",
  "47b8390ccfe4b0d760faa6e8ba7c19a5",
  "aabec3f67d317d7f7ffa83e5613ba3ee",
  "5bcc19f3c56d7ddb26f02ec6cc3510de",
];

describe("rebalance rules on generated histories", () => {
  for (let batch = 0; batch < 4; batch++) {
    it(
      "hold after every rebalance, settle on the targets and give the same rings on every version " +
        `(seeds ${batch * 10 + 1}–${batch * 10 + 10})`,
      ({ expect }) => {
        for (let seed = batch * 10 + 1; seed <= batch * 10 + 10; seed++) {
          expect(history(seed, expect), `seed ${seed}: the same rings as before`).toBe(DIGESTS[seed - 1]);
        }
      },
    );
  }
});
