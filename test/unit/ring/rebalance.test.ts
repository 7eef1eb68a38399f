/**
 * @module
 * Rebalance, as swift-ring-builder's: dispersion first, then weights; few moves; min_part_hours;
 * one replica of a partition per rebalance; removed zones emptied; same inputs, same ring.
 */
import { describe, it } from "vitest";
import { addZone, create, rebalance, removeZone, setWeight } from "../../../src/ring/builder.ts";
import { decodeTables, encodeTables, RingBuilderError } from "../../../src/ring/builder-state.ts";
import type { BuilderFile } from "../../../src/ring/types.ts";
import { assignments, built, countsByZone, HOUR, T0, zone } from "./build.ts";

/**
 * A builder of 8 partitions, 2 replicas, zones A B C D, whose table puts partitions 0–3 on A and
 * B and 4–7 on C and D, none moved yet, weighted so that A should give two partition-replicas to
 * B: B already holds every partition A holds, so no single move can do it.
 */
function pairedBuilder(): BuilderFile {
  let builder = create("object", 3, 2, 0);
  for (const [id, weight] of [
    ["A", 100],
    ["B", 300],
    ["C", 200],
    ["D", 200],
  ] as const)
    builder = addZone(builder, zone(id, weight));
  const first = Uint16Array.from([0, 0, 0, 0, 2, 2, 2, 2]);
  const second = Uint16Array.from([1, 1, 1, 1, 3, 3, 3, 3]);
  return {
    ...builder,
    ...encodeTables({ table: [first, second], partitionMovedAt: new Uint32Array(8) }),
    version: 1,
    zonesChanged: false,
  };
}

const THREE = [zone("z1"), zone("z2"), zone("z3")];
const PARTITIONS = 1024;
const REPLICA_SLOTS = PARTITIONS * 3;

/** Per partition, how many replicas changed zone between two assignment tables. */
function changedPerPartition(before: string[][], after: string[][]): number[] {
  return before.map((zones, p) => zones.filter((id) => !(after[p] ?? []).includes(id)).length);
}

describe("rebalance", () => {
  it("3 zones × 3 replicas gives each zone every partition exactly once", ({ expect }) => {
    let builder = create("object", 10, 3, 1);
    for (const z of THREE) builder = addZone(builder, z);
    const result = rebalance(builder, T0);
    expect(result.moved).toBe(REPLICA_SLOTS);
    expect(result.balance).toBe(0);
    expect(result.dispersion).toBe(0);
    for (const zones of assignments(result.builder)) expect([...zones].sort()).toEqual(["z1", "z2", "z3"]);
  });

  it("adding a 4th zone of equal weight moves about a quarter of the partition-replicas and loses none", ({
    expect,
  }) => {
    const before = built(THREE);
    const result = rebalance(addZone(before, zone("z4")), T0 + 2 * HOUR);
    expect(result.moved).toBeGreaterThanOrEqual(0.2 * REPLICA_SLOTS);
    expect(result.moved).toBeLessThanOrEqual(0.3 * REPLICA_SLOTS);
    const old = assignments(before);
    const now = assignments(result.builder);
    now.forEach((zones, p) => {
      expect(new Set(zones).size).toBe(3);
      expect(zones.filter((id) => old[p]?.includes(id)).length).toBeGreaterThanOrEqual(2);
    });
    expect(countsByZone(now).get("z4")).toBe(768);
    expect(result.balance).toBeLessThan(1);
  });

  it("moves exactly the partition-replicas the new zone is owed (no churn among old zones)", ({ expect }) => {
    const before = built(THREE);
    const result = rebalance(addZone(before, zone("z4")), T0 + 2 * HOUR);
    expect(result.moved).toBe(768);
  });

  it("zone weights 1, 1, 2, 2 with 2 replicas are honoured within 1%", ({ expect }) => {
    const weights = { z1: 1, z2: 1, z3: 2, z4: 2 };
    const builder = built(
      Object.entries(weights).map(([id, w]) => zone(id, w)),
      { replicas: 2 },
    );
    const counts = countsByZone(assignments(builder));
    for (const [id, weight] of Object.entries(weights)) {
      const share = (PARTITIONS * 2 * weight) / 6;
      expect(Math.abs((counts.get(id) ?? 0) - share) / share, id).toBeLessThan(0.01);
    }
    for (const zones of assignments(builder)) expect(new Set(zones).size).toBe(2);
  });

  it("dispersion comes before weight: a zone never holds two replicas of a partition", ({ expect }) => {
    // z1 "wants" more than one replica of every partition by weight; it can hold only one.
    const builder = built([zone("z1", 10), zone("z2", 1), zone("z3", 1), zone("z4", 1)]);
    const table = assignments(builder);
    for (const zones of table) expect(new Set(zones).size).toBe(3);
    const counts = countsByZone(table);
    expect(counts.get("z1")).toBe(PARTITIONS);
    expect(counts.get("z2")).toBe(683);
    expect((counts.get("z3") ?? 0) + (counts.get("z4") ?? 0)).toBe(2 * PARTITIONS - 683);
  });

  it("right after a build, partitions wait min_part_hours before moving again, as in Swift", ({ expect }) => {
    const grown = addZone(built(THREE), zone("z4"));
    expect(rebalance(grown, T0 + HOUR / 2).moved).toBe(0);
    expect(rebalance(grown, T0 + HOUR).moved).toBe(768);
  });

  it("a partition moved within min_part_hours is not moved again until they have passed", ({ expect }) => {
    const start = built(THREE, { minPartHours: 2 });
    let builder = start;
    for (const id of ["z4", "z5", "z6"]) builder = addZone(builder, zone(id));
    // Half of each partition's replicas belong on the new zones: more than one per partition.
    const first = rebalance(builder, T0 + 3 * HOUR);
    expect(first.moved).toBe(PARTITIONS);
    const soon = rebalance(first.builder, T0 + 4 * HOUR);
    expect(soon.moved).toBe(0);
    const later = rebalance(first.builder, T0 + 5 * HOUR);
    expect(later.moved).toBe(REPLICA_SLOTS / 2 - PARTITIONS);
    expect(later.balance).toBe(0);
    for (const zones of assignments(later.builder)) expect(new Set(zones).size).toBe(3);
  });

  it("at most one replica of a partition moves per rebalance", ({ expect }) => {
    let builder = built(THREE, { minPartHours: 0 });
    for (const id of ["z4", "z5", "z6"]) builder = addZone(builder, zone(id));
    const before = assignments(builder);
    const result = rebalance(builder, T0);
    for (const changed of changedPerPartition(before, assignments(result.builder)))
      expect(changed).toBeLessThanOrEqual(1);
  });

  it("removing a zone reassigns all its replicas at once, min_part_hours notwithstanding", ({ expect }) => {
    const four = built([...THREE, zone("z4")]);
    const before = assignments(four);
    const onZ4 = countsByZone(before).get("z4") ?? 0;
    const result = rebalance(removeZone(four, "z4"), T0 + 60);
    expect(result.moved).toBe(onZ4);
    expect(result.builder.zones.map((z) => z.id)).toEqual(["z1", "z2", "z3"]);
    for (const zones of assignments(result.builder)) expect([...zones].sort()).toEqual(["z1", "z2", "z3"]);
  });

  it("a zone set to weight 0 drains to nothing, honouring min_part_hours", ({ expect }) => {
    const four = built([...THREE, zone("z4")], { minPartHours: 1 });
    const result = rebalance(setWeight(four, "z4", 0), T0 + 2 * HOUR);
    const table = assignments(result.builder);
    expect(countsByZone(table).get("z4")).toBeUndefined();
    for (const zones of table) expect(new Set(zones).size).toBe(3);
  });

  it("the same inputs give the same ring, byte for byte", ({ expect }) => {
    const a = built([...THREE, zone("z4", 50)]);
    const b = built([...THREE, zone("z4", 50)]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("replicas 0 and 2 in one zone are moved apart too; a partition moved within min_part_hours waits, even so", ({
    expect,
  }) => {
    const builder = built(THREE, { partPower: 4 });
    const tables = decodeTables(builder);
    const [first, , third] = tables.table;
    if (!first || !third) throw new Error("three replicas expected");
    // Every partition's replica 2 now shares replica 0's zone.
    const broken = {
      ...builder,
      ...encodeTables({
        table: [first, tables.table[1] ?? first, first.slice()],
        partitionMovedAt: tables.partitionMovedAt,
      }),
    };
    const early = rebalance(broken, T0 + HOUR / 2);
    expect(early.moved).toBe(0);
    const result = rebalance(broken, T0 + 2 * HOUR);
    expect(result.moved).toBe(16);
    for (const zones of assignments(result.builder)) expect([...zones].sort()).toEqual(["z1", "z2", "z3"]);
  });

  it("a zone that can gain only through a third is reached in two steps: C gives a partition to B, A gives one to C", ({
    expect,
  }) => {
    const before = pairedBuilder();
    const result = rebalance(before, T0);
    const table = assignments(result.builder);
    expect(Object.fromEntries([...countsByZone(table)].sort())).toEqual({ A: 2, B: 6, C: 4, D: 4 });
    // Two chains of two moves each, one replica per partition.
    expect(result.moved).toBe(4);
    expect(result.balance).toBe(0);
    expect(result.dispersion).toBe(0);
    const old = assignments(before);
    for (const [p, zones] of table.entries()) {
      expect(new Set(zones).size).toBe(2);
      expect(zones.filter((id) => !(old[p] ?? []).includes(id)).length).toBeLessThanOrEqual(1);
    }
  });

  it("a clock that is not a Unix time, or one past what a builder file records (2106), is refused", ({ expect }) => {
    const builder = addZone(addZone(addZone(create("object", 2, 3, 1), zone("z1")), zone("z2")), zone("z3"));
    for (const now of [0, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => rebalance(builder, now), String(now)).toThrow(/is not a Unix time/);
    }
    expect(rebalance(builder, 1).moved).toBe(12);
    expect(rebalance(builder, 0xffffffff).moved).toBe(12);
    expect(() => rebalance(builder, 0x100000000)).toThrow(/past what a builder file can record/);
  });

  it("a builder with 65535 zones is refused: the table's zone numbers stop at 65534", ({ expect }) => {
    const builder = create("object", 2, 3, 1);
    const zones = Array.from({ length: 0xffff }, (_, i) => ({ ...zone(`z${i}`), removed: false }));
    expect(() => rebalance({ ...builder, zones }, T0)).toThrow(/at most 65534 zones/);
    expect(() => rebalance({ ...builder, zones }, T0)).toThrow(RingBuilderError);
  });

  it("a builder whose move times do not cover every partition is refused, with the error's name", ({ expect }) => {
    const builder = built(THREE, { partPower: 3 });
    const broken = {
      ...builder,
      partitionMovedAt: encodeTables({ table: [], partitionMovedAt: new Uint32Array(4) }).partitionMovedAt,
    };
    expect(() => rebalance(broken, T0 + 2 * HOUR)).toThrow("partitionMovedAt has 4 partitions, expected 8");
    try {
      rebalance(broken, T0 + 2 * HOUR);
    } catch (error) {
      expect(error).toBeInstanceOf(RingBuilderError);
      expect((error as Error).name).toBe("RingBuilderError");
    }
  });

  it("fewer zones with weight than replicas is refused, as Swift refuses too few devices", ({ expect }) => {
    const builder = addZone(addZone(create("object", 4, 3, 1), zone("z1")), zone("z2"));
    expect(() => rebalance(builder, T0)).toThrow(/3 replicas need at least 3 zones with weight > 0/);
  });

  it("a second replica in one zone is moved apart by the next rebalance", ({ expect }) => {
    const builder = built(THREE, { partPower: 4 });
    const [first = "", , third = ""] = builder.replica2Partition2Zone ?? [];
    // Replicas 0 and 1 of every partition now share a zone.
    const broken = { ...builder, replica2Partition2Zone: [first, first, third] };
    const result = rebalance(broken, T0 + 2 * HOUR);
    for (const zones of assignments(result.builder)) expect([...zones].sort()).toEqual(["z1", "z2", "z3"]);
  });
});
