/**
 * @module
 * Golden rebalances: the same builder file and the same clock give the same ring on every
 * version, so an operator who rebuilds a ring from its builder file gets the ring that is
 * deployed, and a change to placement shows up here before it moves data. The digest is md5 of
 * the tables, the partition move times and the zones, as the builder file stores them; the
 * counts per zone say the same in a readable form.
 */
import { md5 } from "@noble/hashes/legacy.js";
import { describe, it } from "vitest";
import { addZone, create, rebalance, removeZone, setWeight, type RebalanceResult } from "../../../src/ring/builder.ts";
import type { BuilderFile } from "../../../src/ring/types.ts";
import { assignments, countsByZone, HOUR, T0, zone } from "./build.ts";

function digest(builder: BuilderFile): string {
  const text = JSON.stringify([builder.replica2Partition2Zone, builder.partitionMovedAt, builder.zones]);
  return [...md5(new TextEncoder().encode(text))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function countsOf(builder: BuilderFile): Record<string, number> {
  return Object.fromEntries([...countsByZone(assignments(builder))].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const STEPS: { name: string; change: (b: BuilderFile) => BuilderFile; now: number }[] = [
  { name: "the first build places every partition-replica, a weight-0 zone none", change: (b) => b, now: T0 },
  {
    name: "a new zone takes its share, at most one replica of a partition per rebalance",
    change: (b) => addZone(b, zone("z6", 100)),
    now: T0 + 2 * HOUR,
  },
  { name: "a zone set to weight 0 starts draining", change: (b) => setWeight(b, "z3", 0), now: T0 + 4 * HOUR },
  {
    name: "a removed zone is emptied at once and dropped from the zone list",
    change: (b) => removeZone(b, "z1"),
    now: T0 + 6 * HOUR,
  },
  { name: "a rebalance with nothing to do moves nothing", change: (b) => b, now: T0 + 8 * HOUR },
];

const COUNTS_1 = { z1: 28, z2: 27, z3: 55, z4: 55, z6: 27 };
const COUNTS_2 = { z1: 43, z2: 43, z3: 2, z4: 62, z6: 42 };
const COUNTS_3 = { z2: 64, z4: 64, z6: 64 };

const EXPECTED = [
  { moved: 192, balance: 0, digest: "844bdbec94da752435cb5bb0cbb8745a", counts: { z1: 32, z2: 32, z3: 64, z4: 64 } },
  { moved: 27, balance: 2.0833, digest: "cf61a533531679e8918413ad9d99197b", counts: COUNTS_1 },
  { moved: 53, balance: 999.99, digest: "ccb7b61bf75ac3444b126e8c7af4637c", counts: COUNTS_2 },
  { moved: 45, balance: 33.3333, digest: "8bf2551bf99e5f2977b72f3f61e39138", counts: COUNTS_3 },
  { moved: 0, balance: 33.3333, digest: "8bf2551bf99e5f2977b72f3f61e39138", counts: COUNTS_3 },
];

/** The builder's history up to step `last`, rebuilt from scratch (each test runs on its own). */
function runSteps(last: number) {
  let builder = create("object", 6, 3, 1);
  for (const z of [zone("z1", 100), zone("z2", 100), zone("z3", 200), zone("z4", 200), zone("z5", 0)])
    builder = addZone(builder, z);
  const results: RebalanceResult[] = [];
  for (const { change, now } of STEPS.slice(0, last + 1)) {
    const result = rebalance(change(builder), now);
    results.push(result);
    builder = result.builder;
  }
  const result = results[last];
  if (!result) throw new Error(`no step ${last}`);
  return result;
}

describe("golden rebalances (64 partitions, 3 replicas, min_part_hours 1)", () => {
  STEPS.forEach(({ name }, i) => {
    it(name, ({ expect }) => {
      const result = runSteps(i);
      const want = EXPECTED[i];
      if (!want) throw new Error(`no expectation for step ${i}`);
      expect(result.moved).toBe(want.moved);
      expect(result.balance).toBeCloseTo(want.balance, 3);
      expect(result.dispersion).toBe(0);
      expect(result.builder.version).toBe(i + 1);
      expect(countsOf(result.builder)).toEqual(want.counts);
      expect(digest(result.builder)).toBe(want.digest);
    });
  });
});

/**
 * A second history, 256 partitions of 4 replicas over uneven zones, where placement has choices
 * to make at every step: a zone gaining weight, one drained, one removed, two added, a
 * rebalance within min_part_hours (nothing may move) and one past it. Each step's digest pins
 * the ring it gives.
 */
const UNEVEN: { name: string; change: (b: BuilderFile) => BuilderFile; now: number }[] = [
  { name: "uneven weights, first build", change: (b) => b, now: T0 },
  { name: "a zone gains weight", change: (b) => setWeight(b, "u2", 400), now: T0 + 3 * HOUR },
  { name: "within min_part_hours nothing moves", change: (b) => b, now: T0 + 3 * HOUR + 1800 },
  {
    name: "two zones added, one drained",
    change: (b) => setWeight(addZone(addZone(b, zone("u7", 150)), zone("u8", 50)), "u5", 0),
    now: T0 + 6 * HOUR,
  },
  { name: "a zone removed", change: (b) => removeZone(b, "u1"), now: T0 + 9 * HOUR },
  { name: "settling", change: (b) => b, now: T0 + 12 * HOUR },
];

/** The UNEVEN history's results, rebuilt from scratch. */
function unevenResults(): RebalanceResult[] {
  let builder = create("object", 8, 4, 2, 7);
  for (const z of [zone("u1", 100), zone("u2", 100), zone("u3", 150), zone("u4", 200), zone("u5", 50), zone("u6", 300)])
    builder = addZone(builder, z);
  return UNEVEN.map(({ change, now }) => {
    const result = rebalance(change(builder), now);
    builder = result.builder;
    return result;
  });
}

const UNEVEN_EXPECTED: { moved: number; digest: string }[] = [
  { moved: 1024, digest: "a3afa335486d6a888afcbf290895c34b" },
  { moved: 128, digest: "389ec7781ef93c820ee1678256f1558d" },
  { moved: 0, digest: "389ec7781ef93c820ee1678256f1558d" },
  { moved: 161, digest: "c7d7692db177d581661adfbcc0edb9e2" },
  { moved: 88, digest: "afd30d945195061010bfd7e61faba231" },
  { moved: 0, digest: "afd30d945195061010bfd7e61faba231" },
];

describe("golden rebalances (256 partitions, 4 replicas, uneven weights, min_part_hours 2)", () => {
  it("every step gives the same ring on every version", ({ expect }) => {
    const results = unevenResults();
    const got = results.map((result) => ({ moved: result.moved, digest: digest(result.builder) }));
    expect(got).toEqual(UNEVEN_EXPECTED);
    for (const result of results) expect(result.dispersion).toBe(0);
  });
});
