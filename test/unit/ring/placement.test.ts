/**
 * @module
 * Ring lookups: path → partition as Swift, primaries distinct and in replica order, handoffs in a
 * fixed per-partition order disjoint from the primaries, replica names, and the bundled rings.
 */
import { describe, it } from "vitest";
import accountRing from "../../../rings/account.ring.json";
import containerRing from "../../../rings/container.ring.json";
import objectRing from "../../../rings/object.ring.json";
import vectors from "../../fixtures/ring-vectors.json";
import { setWeight, rebalance, toRingFile } from "../../../src/ring/builder.ts";
import { loadRings, ringsFrom } from "../../../src/ring/load.ts";
import { Ring } from "../../../src/ring/ring.ts";
import { RingFileError } from "../../../src/ring/ring-file.ts";
import { bytesToBase64 } from "../../../src/ring/table.ts";
import type { RingFile } from "../../../src/ring/types.ts";
import { built, HASH, HOUR, ringOf, T0, zone } from "./build.ts";

const SIX = ["z1", "z2", "z3", "z4", "z5", "z6"].map((id) => zone(id));

describe("Ring lookups", () => {
  it("partitionFor gives Swift's partition for every vector at part power 10", ({ expect }) => {
    const ring = ringOf(built([zone("z1"), zone("z2"), zone("z3")]));
    for (const v of vectors.vectors) {
      expect(ring.partitionFor(v.account, v.container, v.object)).toBe(v.partition["10"]);
    }
  });

  it("primaryZones gives replicaCount distinct zones for every partition", ({ expect }) => {
    const ring = ringOf(built(SIX));
    expect(ring.partitionCount).toBe(1024);
    for (let p = 0; p < ring.partitionCount; p++) {
      const primaries = ring.primaryZones(p);
      expect(primaries).toHaveLength(3);
      expect(new Set(primaries.map((z) => z.id)).size).toBe(3);
    }
  });

  it("handoffZones are every other zone, disjoint from the primaries", ({ expect }) => {
    const ring = ringOf(built(SIX));
    for (let p = 0; p < ring.partitionCount; p++) {
      const primaries = ring.primaryZones(p).map((z) => z.id);
      const handoffs = ring.handoffZones(p).map((z) => z.id);
      expect(handoffs.filter((id) => primaries.includes(id))).toEqual([]);
      expect([...primaries, ...handoffs].sort()).toEqual(["z1", "z2", "z3", "z4", "z5", "z6"]);
    }
  });

  it("handoffZones come in the same order on every call and from every copy of the ring", ({ expect }) => {
    const builder = built(SIX);
    const one = ringOf(builder);
    const other = Ring.fromFile(JSON.parse(JSON.stringify(toRingFile(builder))), HASH);
    for (let p = 0; p < one.partitionCount; p += 7) {
      const ids = one.handoffZones(p).map((z) => z.id);
      expect(one.handoffZones(p).map((z) => z.id)).toEqual(ids);
      expect(other.handoffZones(p).map((z) => z.id)).toEqual(ids);
    }
  });

  it("the first handoff differs from partition to partition, spreading a failed zone's load", ({ expect }) => {
    const ring = ringOf(built(SIX));
    const firsts = new Set<string>();
    for (let p = 0; p < ring.partitionCount; p++) firsts.add(ring.handoffZones(p)[0]?.id ?? "");
    expect(firsts.size).toBe(6);
  });

  it("a zone with no partitions (weight 0) is offered last among the handoffs", ({ expect }) => {
    const drained = rebalance(setWeight(built([...SIX.slice(0, 4)]), "z4", 0), T0 + 2 * HOUR).builder;
    const ring = ringOf(drained);
    for (let p = 0; p < ring.partitionCount; p += 11) {
      expect(ring.primaryZones(p).map((z) => z.id)).not.toContain("z4");
      expect(ring.handoffZones(p).map((z) => z.id)).toEqual(["z4"]);
    }
  });

  it("with as many zones as replicas there are no handoffs", ({ expect }) => {
    const ring = ringOf(built([zone("z1"), zone("z2"), zone("z3")]));
    expect(ring.handoffZones(5)).toEqual([]);
  });

  it("replicaName is {ring}/{partition}/{zone}", ({ expect }) => {
    const ring = ringOf(built([zone("z1"), zone("z2"), zone("z3")], { ring: "container" }));
    const z2 = ring.zone("z2");
    expect(z2?.id).toBe("z2");
    expect(z2 && ring.replicaName(17, z2)).toBe("container/17/z2");
    expect(ring.zone("z9")).toBeUndefined();
  });

  it("a partition outside the ring is a RangeError", ({ expect }) => {
    const ring = ringOf(built([zone("z1"), zone("z2"), zone("z3")]));
    expect(() => ring.primaryZones(1024)).toThrow(RangeError);
    expect(() => ring.handoffZones(-1)).toThrow(RangeError);
    expect(() => ring.primaryZones(1.5)).toThrow(RangeError);
    expect(() => ring.primaryZones(1024)).toThrow("partition 1024 is outside ring object (0..1023)");
  });

  it("a ring file whose table names a missing zone or has the wrong length is refused", ({ expect }) => {
    const file = toRingFile(built([zone("z1"), zone("z2"), zone("z3")], { partPower: 2 }));
    expect(() => Ring.fromFile({ ...file, zones: file.zones.slice(0, 2) }, HASH)).toThrow(RingFileError);
    expect(() => Ring.fromFile({ ...file, partPower: 3 }, HASH)).toThrow(/8 partitions|expected 8/);
    expect(() => Ring.fromFile({ ...file, replicaCount: 2 }, HASH)).toThrow(/3 tables for 2 replicas/);
  });
});

/** A ring file with a hand-made table: `table[replica][partition]` is a zone index into `zones`. */
function handMade(partPower: number, zones: string[], table: number[][]): Ring {
  const file: RingFile = {
    format: "edgeswift-ring/1",
    ring: "object",
    version: 1,
    partPower,
    replicaCount: table.length,
    zones: zones.map((id) => zone(id)),
    zoneIndexBytes: 1,
    replica2Partition2Zone: table.map((row) => bytesToBase64(Uint8Array.from(row))),
  };
  return Ring.fromFile(file, HASH);
}

const ids = (zones: readonly { id: string }[]) => zones.map((z) => z.id);

/**
 * Golden handoff orders. The expected lists were computed by a separate reimplementation of Swift's
 * ring.py get_more_nodes (one region, one device per zone) over the same tables, not by ring.ts:
 * start = md5(str(partition)) >> part_shift, walk range(start, parts, inc) then
 * range(inc - (parts - start) % inc, start, inc), replica by replica, each zone the first time it
 * appears. A change to the order moves every handoff's data: it must break these loudly.
 */
describe("handoff order (Swift: ring.py get_more_nodes)", () => {
  it("handoffZones of every partition of a fixed ring come in Swift's get_more_nodes order, a weight-0 zone last", ({
    expect,
  }) => {
    const ring = handMade(
      3,
      ["z1", "z2", "z3", "z4", "z5", "z6", "z7"],
      [
        [0, 1, 2, 3, 4, 5, 0, 1],
        [1, 2, 3, 4, 5, 0, 2, 3],
        [2, 3, 4, 5, 0, 1, 4, 5],
      ],
    );
    const expected = [
      ["z5", "z4", "z6", "z7"],
      ["z1", "z5", "z6", "z7"],
      ["z1", "z2", "z6", "z7"],
      ["z2", "z3", "z1", "z7"],
      ["z2", "z3", "z4", "z7"],
      ["z4", "z3", "z5", "z7"],
      ["z2", "z4", "z6", "z7"],
      ["z5", "z1", "z3", "z7"],
    ];
    expect(Array.from({ length: 8 }, (_, p) => ids(ring.handoffZones(p)))).toEqual(expected);
  });

  it(
    "past 65,536 partitions the walk steps by parts / 65536 and wraps to a partition of the start's parity, " +
      "as Swift's get_more_nodes",
    ({ expect }) => {
      // z8 and z9 hold only partitions below 1000: odd ones list z9 first, even ones z8, so where the
      // walk wraps to shows in which of them comes first.
      const partitions = 2 ** 17;
      const table = [0, 1, 2].map((replica) =>
        Array.from({ length: partitions }, (_, p) => {
          if (p < 1000) return (p % 2 ? [8, 7, 0] : [7, 8, 1])[replica] ?? 0;
          return (Math.floor((p * 2654435761) / 128) + replica) % 7;
        }),
      );
      const ring = handMade(17, ["z1", "z2", "z3", "z4", "z5", "z6", "z7", "z8", "z9"], table);
      const expected: Record<number, string[]> = {
        2: ["z1", "z3", "z7", "z6", "z5", "z4"],
        3: ["z3", "z4", "z5", "z2", "z7", "z6"],
        1000: ["z4", "z5", "z3", "z2", "z9", "z8"],
        4242: ["z3", "z4", "z5", "z6", "z9", "z8"],
        54321: ["z9", "z8", "z1", "z7", "z3", "z2"],
        65536: ["z2", "z3", "z4", "z5", "z9", "z8"],
        99999: ["z4", "z5", "z7", "z6", "z9", "z8"],
        131071: ["z2", "z3", "z1", "z7", "z8", "z9"],
      };
      for (const [partition, handoffs] of Object.entries(expected))
        expect(ids(ring.handoffZones(Number(partition))), `partition ${partition}`).toEqual(handoffs);
    },
  );
});

describe("loadRings", () => {
  it("builds the three bundled rings: part power 10, 3 replicas, zones z1 enam, z2 weur, z3 apac", ({ expect }) => {
    const rings = loadRings(HASH);
    for (const name of ["account", "container", "object"] as const) {
      const ring = rings[name];
      expect(ring.name).toBe(name);
      expect(ring.partPower).toBe(10);
      expect(ring.replicaCount).toBe(3);
      expect(ring.zones.map((z) => [z.id, z.locationHint, z.bucket])).toEqual([
        ["z1", "enam", "BODIES_Z1"],
        ["z2", "weur", "BODIES_Z2"],
        ["z3", "apac", "BODIES_Z3"],
      ]);
      for (let p = 0; p < ring.partitionCount; p++) expect(ring.primaryZones(p)).toHaveLength(3);
    }
  });

  it("builds the rings once per isolate", ({ expect }) => {
    expect(loadRings(HASH)).toBe(loadRings({ ...HASH }));
  });

  it("uses the hash prefix and suffix it is given", ({ expect }) => {
    const partition = loadRings(HASH).object.partitionFor("AUTH_test", "photos", "2026/cat.jpg");
    expect(partition).toBe(975);
  });

  it("builds them again for another prefix or suffix, and reuses them only for the same pair", ({ expect }) => {
    const first = loadRings(HASH);
    const otherSuffix = loadRings({ ...HASH, hashPathSuffix: `${HASH.hashPathSuffix}x` });
    expect(otherSuffix).not.toBe(first);
    expect(otherSuffix.object.partitionFor("AUTH_test", "photos", "2026/cat.jpg")).not.toBe(975);
    const otherPrefix = loadRings({ ...HASH, hashPathPrefix: `${HASH.hashPathPrefix}x` });
    expect(otherPrefix).not.toBe(otherSuffix);
    const again = loadRings(HASH);
    expect(again.object.partitionFor("AUTH_test", "photos", "2026/cat.jpg")).toBe(975);
    expect(loadRings({ ...HASH })).toBe(again);
  });

  it("a ring file under another ring's name is refused with RingFileError", ({ expect }) => {
    const files = { account: accountRing, container: containerRing, object: objectRing };
    expect(ringsFrom(files, HASH).container.name).toBe("container");
    expect(() => ringsFrom({ ...files, container: objectRing }, HASH)).toThrow(RingFileError);
    expect(() => ringsFrom({ ...files, container: objectRing }, HASH)).toThrow(
      "rings/container.ring.json holds the object ring",
    );
  });
});
