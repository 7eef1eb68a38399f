/**
 * @module
 * The ring builder's arithmetic: each zone's share of partition-replicas by weight with one
 * replica per partition at most (Swift: builder.py _build_replica_plan, _set_parts_wanted), balance
 * (Swift: _build_balance_per_dev, get_balance) and dispersion (Swift: _build_dispersion_graph at
 * the zone tier), and the seeded randomness that makes a rebalance repeatable.
 */
import { describe, it } from "vitest";
import {
  balanceOf,
  balancePerZone,
  dispersionOf,
  isAssignable,
  MAX_BALANCE,
  NO_ZONE,
  partitionsPerZone,
} from "../../../src/ring/builder-state";
import type { BuilderZone } from "../../../src/ring/types";
import { seededRandom, shuffle, zoneTargets } from "../../../src/ring/zone-targets";

const zone = (id: string, weight: number, removed = false): BuilderZone => ({
  id,
  weight,
  removed,
  locationHint: null,
  bucket: null,
});
const table = (...replicas: number[][]) => replicas.map((row) => Uint16Array.from(row));

describe("zone shares (Swift: _set_parts_wanted)", () => {
  it("equal weights share alike; the remainder goes to the lower index first", ({ expect }) => {
    const { wanted, target } = zoneTargets([zone("a", 1), zone("b", 1), zone("c", 1)], 10, 2);
    expect(wanted.map((w) => w.toFixed(4))).toEqual(["6.6667", "6.6667", "6.6667"]);
    expect(target).toEqual([7, 7, 6]);
  });

  it("a zone whose weight asks for more than one replica of every partition is capped, the rest shared by weight", ({
    expect,
  }) => {
    expect(zoneTargets([zone("a", 3), zone("b", 1), zone("c", 1)], 10, 2)).toEqual({
      wanted: [10, 5, 5],
      target: [10, 5, 5],
    });
    expect(zoneTargets([zone("a", 100), zone("b", 10), zone("c", 1)], 10, 3)).toEqual({
      wanted: [10, 10, 10],
      target: [10, 10, 10],
    });
  });

  it("removed zones and zones without weight want nothing", ({ expect }) => {
    const { wanted, target } = zoneTargets([zone("a", 1), zone("b", 0), zone("c", 1, true), zone("d", 2)], 7, 1);
    expect(wanted.map((w) => w.toFixed(4))).toEqual(["2.3333", "0.0000", "0.0000", "4.6667"]);
    expect(target).toEqual([2, 0, 0, 5]);
  });

  it("the largest remainder gets the spare partition-replica, not the lowest index", ({ expect }) => {
    const { target } = zoneTargets([zone("a", 1), zone("b", 2)], 10, 1);
    expect(target).toEqual([3, 7]);
    expect(zoneTargets([zone("a", 2), zone("b", 1)], 10, 1).target).toEqual([7, 3]);
    // 8.33 and 1.67: the spare goes to the smaller zone, whose remainder is larger.
    expect(zoneTargets([zone("a", 5), zone("b", 1)], 10, 1).target).toEqual([8, 2]);
  });

  it("targets always sum to partitions × replicas, never above one replica per partition", ({ expect }) => {
    for (const weights of [
      [1, 1, 1, 1],
      [5, 1, 1],
      [1, 2, 3, 4, 5],
      [7, 7],
    ]) {
      const zones = weights.map((w, i) => zone(`z${i}`, w));
      const { target } = zoneTargets(zones, 16, 2);
      expect(
        target.reduce((a, b) => a + b, 0),
        weights.join(),
      ).toBe(32);
      expect(Math.max(...target), weights.join()).toBeLessThanOrEqual(16);
    }
  });

  it("no zone with weight: nobody wants anything", ({ expect }) => {
    expect(zoneTargets([zone("a", 0), zone("b", 1, true)], 4, 1)).toEqual({ wanted: [0, 0], target: [0, 0] });
    expect(zoneTargets([], 4, 1)).toEqual({ wanted: [], target: [] });
  });
});

describe("seeded randomness", () => {
  it("is mulberry32: the same seed gives the same numbers in [0, 1) (values from a reference implementation)", ({
    expect,
  }) => {
    const random = seededRandom(0x5eed);
    expect([random(), random(), random()]).toEqual([0.7100320369936526, 0.286336648510769, 0.9519026265479624]);
    const one = seededRandom(1);
    expect([one(), one()]).toEqual([0.6270739405881613, 0.002735721180215478]);
  });

  it("shuffle is Fisher-Yates driven by the random source", ({ expect }) => {
    const values = Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    shuffle(values, seededRandom(7));
    expect([...values]).toEqual([4, 6, 1, 2, 3, 5, 7, 0]);
    const first = Uint32Array.from([0, 1, 2]);
    shuffle(first, () => 0);
    expect([...first]).toEqual([1, 2, 0]);
    const last = Uint32Array.from([0, 1, 2]);
    shuffle(last, () => 0.999);
    expect([...last]).toEqual([0, 1, 2]);
  });

  it("shuffle draws n − 1 numbers, as Python's random.shuffle: the draws after it are the same on every version", ({
    expect,
  }) => {
    for (const length of [0, 1, 2, 8]) {
      let draws = 0;
      shuffle(new Uint32Array(length), () => {
        draws++;
        return 0.5;
      });
      expect(draws, `length ${length}`).toBe(Math.max(0, length - 1));
    }
  });
});

describe("balance (Swift: get_balance)", () => {
  it("is how far each zone's partition count is from its weight's share, in percent", ({ expect }) => {
    expect(balancePerZone([zone("a", 1), zone("b", 1)], [6, 4], 10)).toEqual([20, -20]);
    expect(balancePerZone([zone("a", 3), zone("b", 1)], [6, 2], 8)).toEqual([0, 0]);
    expect(balanceOf([zone("a", 1), zone("b", 1)], [6, 4], 10)).toBe(20);
    expect(balanceOf([zone("a", 1), zone("b", 1)], [3, 7], 10)).toBe(40);
  });

  it("a zone without weight or removed that still holds partitions counts the most; one that holds none, nothing", ({
    expect,
  }) => {
    expect(MAX_BALANCE).toBe(999.99);
    expect(balancePerZone([zone("a", 1), zone("b", 0), zone("c", 1, true), zone("d", 0)], [7, 1, 2, 0], 7)).toEqual([
      0,
      MAX_BALANCE,
      MAX_BALANCE,
      0,
    ]);
    expect(balanceOf([zone("a", 0)], [0], 0)).toBe(0);
  });

  it("zones are assignable when not removed and weighted above zero", ({ expect }) => {
    expect([zone("a", 1), zone("b", 0), zone("c", 1, true), zone("d", 0.5)].map(isAssignable)).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });

  it("partition-replicas are counted per zone, entries past the zone list ignored", ({ expect }) => {
    expect(partitionsPerZone(table([0, 1, 1, 5], [2, NO_ZONE, 0, 0]), 3)).toEqual([3, 2, 1]);
    expect(partitionsPerZone([], 2)).toEqual([0, 0]);
  });
});

describe("dispersion (Swift: _build_dispersion_graph)", () => {
  it("is the percent of partition-replicas in a zone that already holds another replica of the partition", ({
    expect,
  }) => {
    expect(dispersionOf(table([0, 0], [1, 0], [2, 1]), 3, 3)).toBeCloseTo(100 / 6, 10);
    expect(dispersionOf(table([0, 0, 0], [1, 1, 1], [2, 2, 2]), 3, 3)).toBe(0);
    expect(dispersionOf(table([0, 0], [0, 0], [0, 0]), 3, 3)).toBeCloseTo((100 * 4) / 6, 10);
  });

  it("with fewer zones than replicas, a zone may hold as many replicas as the zones require", ({ expect }) => {
    expect(dispersionOf(table([0], [0], [1]), 2, 2)).toBe(0);
    expect(dispersionOf(table([0], [0], [0]), 2, 2)).toBeCloseTo(100 / 3, 10);
    expect(dispersionOf(table([0], [0], [0]), 2, 1)).toBe(0);
    expect(dispersionOf(table([0], [0], [0]), 2, 0)).toBe(0);
  });

  it("unassigned entries and zone indexes past the list are not counted", ({ expect }) => {
    expect(dispersionOf(table([NO_ZONE], [NO_ZONE], [5]), 3, 3)).toBe(0);
    expect(dispersionOf(table([5], [5]), 3, 3)).toBe(0);
  });

  it("an empty table has no dispersion", ({ expect }) => {
    expect(dispersionOf([], 3, 3)).toBe(0);
    expect(dispersionOf(table([], []), 3, 3)).toBe(0);
  });
});
