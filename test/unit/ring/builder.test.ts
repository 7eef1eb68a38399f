/**
 * @module
 * Builder operations other than rebalance: bad input refused with a sentence, validate finding
 * hand-made damage, the ring file's compact form, parse of builder JSON, and show.
 */
import { describe, it } from "vitest";
import {
  addZone,
  create,
  parseBuilderFile,
  removeZone,
  setWeight,
  show,
  toRingFile,
  validate,
} from "../../../src/ring/builder.ts";
import { parseRingFile } from "../../../src/ring/ring-file.ts";
import { base64ToUint16, uint16ToBase64 } from "../../../src/ring/table.ts";
import type { BuilderFile } from "../../../src/ring/types.ts";
import { built, HOUR, T0, zone } from "./build.ts";

const THREE = [zone("z1"), zone("z2"), zone("z3")];

/** `builder` with table entry (replica, partition) set to `index`. */
function withEntry(builder: BuilderFile, replica: number, partition: number, index: number): BuilderFile {
  const tables = (builder.replica2Partition2Zone ?? []).map((text, r) => {
    const values = base64ToUint16(text);
    if (r === replica) values[partition] = index;
    return uint16ToBase64(values);
  });
  return { ...builder, replica2Partition2Zone: tables };
}

describe("builder input", () => {
  it("create refuses a part power outside 0..24, replicas below 1 and a negative min_part_hours", ({ expect }) => {
    expect(() => create("object", 25, 3, 1)).toThrow(/part power 25/);
    expect(() => create("object", -1, 3, 1)).toThrow(/part power -1/);
    expect(() => create("object", 10, 0, 1)).toThrow(/replicas 0/);
    expect(() => create("object", 10, 2.5, 1)).toThrow(/replicas 2.5/);
    expect(() => create("object", 10, 3, -1)).toThrow(/min_part_hours -1/);
  });

  it("create refuses a seed that is not a 32-bit whole number; a new builder has no zone changes pending", ({
    expect,
  }) => {
    for (const seed of [-1, 0x100000000, 1.5])
      expect(() => create("object", 4, 3, 1, seed), String(seed)).toThrow(`seed ${seed} is not a 32-bit whole number`);
    expect(create("object", 4, 3, 1, 0xffffffff).seed).toBe(0xffffffff);
    expect(create("object", 4, 3, 1).zonesChanged).toBe(false);
  });

  it("addZone names the zone and lists every problem it has, joined by '; '", ({ expect }) => {
    const builder = create("object", 4, 3, 1);
    expect(() => addZone(builder, zone("z/2", -5))).toThrow(
      'zone "z/2" has id "z/2": expected 1-32 letters, digits, "_", "-" or "."; zone "z/2" has weight -5',
    );
  });

  it("removing a zone from a builder never rebalanced drops it at once and keeps the others", ({ expect }) => {
    const builder = addZone(addZone(addZone(create("object", 4, 3, 1), zone("z1")), zone("z2")), zone("z3"));
    const removed = removeZone(builder, "z2");
    expect(removed.zones.map((z) => z.id)).toEqual(["z1", "z3"]);
    expect(removed.zonesChanged).toBe(true);
  });

  it("setWeight refuses a weight that is not a finite number and marks the zones changed", ({ expect }) => {
    const builder = built(THREE);
    expect(builder.zonesChanged).toBe(false);
    for (const weight of [JSON.parse('"5"') as number, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => setWeight(builder, "z1", weight), String(weight)).toThrow(/is not a finite number >= 0/);
    }
    const reweighted = setWeight(builder, "z1", 50);
    expect(reweighted.zonesChanged).toBe(true);
    expect(reweighted.zones.find((z) => z.id === "z1")?.weight).toBe(50);
  });

  it("create refuses a ring name other than account, container or object", ({ expect }) => {
    expect(() => create("bucket" as "object", 10, 3, 1)).toThrow(/unknown ring "bucket"/);
  });

  it("addZone refuses a duplicate id, an id with a slash, a negative weight and a bad binding name", ({ expect }) => {
    const builder = addZone(create("object", 4, 3, 1), zone("z1"));
    expect(() => addZone(builder, zone("z1"))).toThrow(/already has a zone z1/);
    expect(() => addZone(builder, zone("z/2"))).toThrow(/id "z\/2"/);
    expect(() => addZone(builder, zone("z2", -5))).toThrow(/weight -5/);
    expect(() => addZone(builder, zone("z2", Number.NaN))).toThrow(/weight null/);
    expect(() => addZone(builder, zone("z2", 1, { bucket: "bodies-z2" }))).toThrow(/bucket "bodies-z2"/);
  });

  it("removeZone and setWeight refuse a zone the ring does not have", ({ expect }) => {
    const builder = built(THREE);
    expect(() => removeZone(builder, "z9")).toThrow(/has no zone "z9"/);
    expect(() => setWeight(builder, "z9", 1)).toThrow(/has no zone "z9"/);
    expect(() => setWeight(builder, "z1", -1)).toThrow(/weight -1/);
  });

  it("a zone being removed cannot be removed twice, reweighted or added again before a rebalance", ({ expect }) => {
    const removing = removeZone(built([...THREE, zone("z4")]), "z4");
    expect(() => removeZone(removing, "z4")).toThrow(/already being removed/);
    expect(() => setWeight(removing, "z4", 5)).toThrow(/being removed/);
    expect(() => addZone(removing, zone("z4"))).toThrow(/rebalance before adding it again/);
  });

  it("removing a zone from a builder never rebalanced drops it at once", ({ expect }) => {
    const builder = removeZone(addZone(create("object", 4, 3, 1), zone("z1")), "z1");
    expect(builder.zones).toEqual([]);
  });
});

describe("validate", () => {
  it("finds nothing wrong with a rebalanced ring", ({ expect }) => {
    expect(validate(built(THREE))).toEqual([]);
  });

  it("reports a builder never rebalanced, and one without enough weighted zones", ({ expect }) => {
    const builder = addZone(create("object", 4, 3, 1), zone("z1"));
    expect(validate(builder)).toEqual([
      "3 replicas need 3 zones with weight > 0; there are 1",
      "the ring has never been rebalanced",
    ]);
  });

  it("catches a hand-broken table: two replicas in one zone, an unassigned slot, a zone index past the list", ({
    expect,
  }) => {
    const builder = built(THREE, { partPower: 4 });
    const zoneOfFirst = base64ToUint16(builder.replica2Partition2Zone?.[0] ?? "")[5] ?? 0;
    const doubled = withEntry(builder, 1, 5, zoneOfFirst);
    expect(validate(doubled)).toEqual(["partitions 5 have replicas in fewer than 3 distinct zones"]);
    expect(validate(withEntry(builder, 2, 3, 0xffff))).toContain("partition/replica 3/2 have no zone");
    expect(validate(withEntry(builder, 0, 1, 7))).toContain(
      "partition/replica 1/0 name a zone index past the zone list",
    );
  });

  it("catches duplicate zone ids, bad weights, a truncated table and a half-set bucket list", ({ expect }) => {
    const builder = built(THREE, { partPower: 4 });
    const [z1, z2, z3] = builder.zones;
    if (!z1 || !z2 || !z3) throw new Error("three zones expected");
    expect(validate({ ...builder, zones: [z1, z2, { ...z3, id: "z1" }] })).toContain("zone id z1 is used twice");
    expect(validate({ ...builder, zones: [z1, z2, { ...z3, weight: -1 }] }).join("\n")).toMatch(/weight -1/);
    expect(validate({ ...builder, zones: [{ ...z1, bucket: "BODIES_Z1" }, z2, z3] }).join("\n")).toMatch(
      /zones z1 name an R2 bucket and z2, z3 do not/,
    );
    const truncated = {
      ...builder,
      replica2Partition2Zone: (builder.replica2Partition2Zone ?? []).map(() => uint16ToBase64(new Uint16Array(3))),
    };
    expect(validate(truncated).join("\n")).toMatch(/replica 0 table has 3 partitions, expected 16/);
  });

  it("reports a removed zone that still holds partitions until the rebalance", ({ expect }) => {
    const builder = removeZone(built([...THREE, zone("z4")], { partPower: 4 }), "z4");
    expect(validate(builder).join("\n")).toMatch(/removed zone z4 still holds \d+ partition-replicas: rebalance/);
  });

  it("toRingFile refuses a builder validate finds wrong", ({ expect }) => {
    const builder = built(THREE, { partPower: 4 });
    expect(() => toRingFile(withEntry(builder, 2, 3, 0xffff))).toThrow(
      /not valid: partition\/replica 3\/2 have no zone/,
    );
  });
});

describe("files", () => {
  it("the ring file holds one byte per partition per replica, base64, and the zones without builder fields", ({
    expect,
  }) => {
    const zones = [1, 2, 3].map((n) => zone(`z${n}`, 100, { locationHint: "enam", bucket: `BODIES_Z${n}` }));
    const file = toRingFile(built(zones));
    expect(file.format).toBe("edgeswift-ring/1");
    expect(file.zoneIndexBytes).toBe(1);
    expect(file.replica2Partition2Zone).toHaveLength(3);
    for (const table of file.replica2Partition2Zone) expect(atob(table)).toHaveLength(1024);
    expect(file.zones[0]).toEqual({ id: "z1", locationHint: "enam", weight: 100, bucket: "BODIES_Z1" });
    expect(parseRingFile(JSON.parse(JSON.stringify(file)))).toEqual(file);
  });

  it("parseRingFile names the fields that are wrong", ({ expect }) => {
    expect(() => parseRingFile({ format: "x", ring: "bucket" })).toThrow(/format is "x".*ring is "bucket"/);
    expect(() => parseRingFile([])).toThrow(/not a JSON object/);
  });

  it("a builder survives a JSON round trip, and parseBuilderFile rejects a mangled one", ({ expect }) => {
    const builder = built(THREE);
    expect(parseBuilderFile(JSON.parse(JSON.stringify(builder)))).toEqual(builder);
    expect(() => parseBuilderFile({ ...builder, zones: "z1" })).toThrow(/zones is not a list/);
    expect(() => parseBuilderFile({ ...builder, partPower: "10" })).toThrow(/partPower is not a whole number/);
  });
});

describe("show", () => {
  it("prints partitions, balance, dispersion, min_part_hours left and one line per zone", ({ expect }) => {
    const text = show(built(THREE), T0 + HOUR / 2);
    expect(text).toContain("object ring, version 1");
    expect(text).toContain("1024 partitions (part power 10), 3 replicas, 3 zones");
    expect(text).toContain("balance 0.00, dispersion 0.00");
    expect(text).toContain("min_part_hours 1 (0:30:00 remaining)");
    expect(text).toMatch(/z2\s+100\s+1024\s+0\.00/);
  });

  it("says when zones changed since the last rebalance", ({ expect }) => {
    expect(show(addZone(built(THREE), zone("z4")))).toContain("zones changed since the last rebalance: run rebalance");
  });
});
