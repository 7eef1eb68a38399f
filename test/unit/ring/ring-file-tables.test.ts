/**
 * @module
 * A ring file's tables as Ring.fromFile reads them: one byte per zone index up to 256 zones, two
 * (little-endian) past that; and the ring files it refuses, each with the reason.
 */
import { describe, it } from "vitest";
import { addZone, create, rebalance, toRingFile } from "../../../src/ring/builder.ts";
import { Ring } from "../../../src/ring/ring.ts";
import { RingFileError } from "../../../src/ring/ring-file.ts";
import { bytesToBase64 } from "../../../src/ring/table.ts";
import type { RingFile } from "../../../src/ring/types.ts";
import { built, HASH, T0, zone } from "./build.ts";

function refusal(file: RingFile): string {
  try {
    Ring.fromFile(file, HASH);
  } catch (error) {
    if (error instanceof RingFileError) return error.message;
    throw error;
  }
  return "";
}

describe("zone index width", () => {
  it("up to 256 zones a table holds one byte per partition; past 256, two", ({ expect }) => {
    const zones = (n: number) => Array.from({ length: n }, (_, i) => zone(`z${i}`, 1));
    const small = toRingFile(built(zones(256), { partPower: 2, replicas: 1 }));
    expect(small.zoneIndexBytes).toBe(1);
    let builder = create("object", 2, 1, 1);
    for (const z of zones(257)) builder = addZone(builder, z);
    const large = toRingFile(rebalance(builder, T0).builder);
    expect(large.zoneIndexBytes).toBe(2);
    expect(large.replica2Partition2Zone[0]?.length).toBe(bytesToBase64(new Uint8Array(8)).length);
  });

  it("a two-byte table gives the zones the builder placed", ({ expect }) => {
    let builder = create("object", 2, 2, 1);
    for (let i = 0; i < 300; i++) builder = addZone(builder, zone(`z${i}`, i < 298 ? 0 : 1));
    const ring = Ring.fromFile(toRingFile(rebalance(builder, T0).builder), HASH);
    for (let p = 0; p < 4; p++)
      expect(
        ring
          .primaryZones(p)
          .map((z) => z.id)
          .sort(),
      ).toEqual(["z298", "z299"]);
    expect(ring.handoffZones(0)).toHaveLength(298);
  });

  it("a two-byte table with an odd number of bytes, or a zone index past the list, is refused", ({ expect }) => {
    const file = toRingFile(built([zone("z1"), zone("z2")], { partPower: 1, replicas: 1 }));
    const wide: RingFile = {
      ...file,
      zoneIndexBytes: 2,
      replica2Partition2Zone: [bytesToBase64(new Uint8Array([0, 0, 1, 0]))],
    };
    expect(
      Ring.fromFile(wide, HASH)
        .primaryZones(1)
        .map((z) => z.id),
    ).toEqual(["z2"]);
    expect(refusal({ ...wide, replica2Partition2Zone: [bytesToBase64(new Uint8Array([0, 0, 1]))] })).toBe(
      "ring object replica 0 has an odd number of bytes",
    );
    expect(refusal({ ...wide, replica2Partition2Zone: [bytesToBase64(new Uint8Array([0, 0, 2, 0]))] })).toBe(
      "ring object replica 0: zone index 2 has no zone",
    );
    expect(refusal({ ...wide, replica2Partition2Zone: [bytesToBase64(new Uint8Array([0, 0, 0, 1]))] })).toBe(
      "ring object replica 0: zone index 256 has no zone",
    );
  });
});

describe("ring files refused", () => {
  const file = toRingFile(built([zone("z1"), zone("z2")], { partPower: 1, replicas: 1 }));

  it("a table that is not base64", ({ expect }) => {
    expect(refusal({ ...file, replica2Partition2Zone: ["!!"] })).toBe("ring object replica 0 is not base64");
  });

  it("two zones with one id", ({ expect }) => {
    expect(refusal({ ...file, zones: [zone("z1"), zone("z1")] })).toBe("ring object: two zones share an id");
  });

  it("a table count other than the replica count, or a table of the wrong length", ({ expect }) => {
    expect(refusal({ ...file, replicaCount: 2 })).toBe("ring object: 1 tables for 2 replicas");
    expect(refusal({ ...file, replica2Partition2Zone: [bytesToBase64(new Uint8Array([0]))] })).toBe(
      "ring object replica 0: 1 partitions, expected 2",
    );
  });
});
