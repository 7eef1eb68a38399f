/**
 * @module
 * Ring placement against Swift (issue 19), property: for any table, Ring agrees with an
 * implementation of Swift's get_part_nodes / get_more_nodes written here from Swift's rule, with
 * zones as Swift devices each in a zone of its own. The vectors computed by Swift's own ring code
 * are checked in placement-vectors.test.ts.
 */
import { md5 } from "@noble/hashes/legacy.js";
import fc from "fast-check";
import { describe, it } from "vitest";
import { syntheticRingFile, type SyntheticRingParams } from "../../fixtures/synthetic-ring";
import { Ring } from "../../../src/ring/ring";
import { bytesToBase64 } from "../../../src/ring/table";
import { RING_FILE_FORMAT, type RingFile } from "../../../src/ring/types";

fc.configureGlobal({ seed: 19_003, numRuns: 150 });

const HASH = { hashPathPrefix: "edgeswift-prefix", hashPathSuffix: "edgeswift-suffix" };
const ids = (zones: readonly { id: string }[]) => zones.map((zone) => zone.id).join(" ");

// ---- Swift's rule, written again from ring.py (zones are devices, one region, one zone each) ----

/** Swift: ring.py _get_part_nodes — each replica's device, first appearance only. */
function swiftPartNodes(tables: readonly Uint8Array[], partition: number): number[] {
  const nodes: number[] = [];
  for (const table of tables) {
    const device = table[partition];
    if (device !== undefined && !nodes.includes(device)) nodes.push(device);
  }
  return nodes;
}

/**
 * Swift: ring.py get_more_nodes. With every device in a zone of its own, the region pass stops at
 * once (one region) and the zone pass yields what the ip and device passes would: each device
 * the first time the walk meets it, until every device holding partitions was seen.
 */
function swiftMoreNodes(tables: readonly Uint8Array[], partPower: number, partition: number): number[] {
  const parts = tables[0]?.length ?? 0;
  const withParts = new Set<number>();
  for (const table of tables) for (const device of table) withParts.add(device);
  const used = new Set(swiftPartNodes(tables, partition));
  const digest = md5(new TextEncoder().encode(String(partition)));
  const word = (digest[0] ?? 0) * 2 ** 24 + (digest[1] ?? 0) * 2 ** 16 + (digest[2] ?? 0) * 2 ** 8 + (digest[3] ?? 0);
  const start = Math.floor(word / 2 ** (32 - partPower)); // struct.unpack_from('>I', part_hash)[0] >> part_shift
  const inc = Math.floor(parts / 65536) || 1;
  const walk: number[] = [];
  for (let p = start; p < parts; p += inc) walk.push(p);
  for (let p = inc - ((parts - start) % inc); p < start; p += inc) walk.push(p);
  const more: number[] = [];
  for (const handoffPart of walk) {
    if (used.size >= withParts.size) break;
    for (const table of tables) {
      const device = table[handoffPart];
      if (device === undefined || used.has(device)) continue;
      more.push(device);
      used.add(device);
      if (used.size >= withParts.size) break;
    }
  }
  return more;
}

/** A ring file from raw tables: any zone in any slot, repeats within a partition allowed (Swift allows them too). */
function ringFileFrom(zoneCount: number, partPower: number, tables: Uint8Array[]): RingFile {
  return {
    format: RING_FILE_FORMAT,
    ring: "object",
    version: 1,
    partPower,
    replicaCount: tables.length,
    zones: Array.from({ length: zoneCount }, (_, i) => ({ id: `z${i}`, locationHint: null, weight: 1, bucket: null })),
    zoneIndexBytes: 1,
    replica2Partition2Zone: tables.map((table) => bytesToBase64(table)),
  };
}

const tableRingArb = fc
  .record({
    zoneCount: fc.integer({ min: 1, max: 9 }),
    replicas: fc.integer({ min: 1, max: 4 }),
    partPower: fc.integer({ min: 0, max: 8 }),
  })
  .chain(({ zoneCount, replicas, partPower }) =>
    fc
      .array(fc.uint8Array({ minLength: 2 ** partPower, maxLength: 2 ** partPower, min: 0, max: zoneCount - 1 }), {
        minLength: replicas,
        maxLength: replicas,
      })
      .map((tables) => ({ zoneCount, partPower, tables })),
  );

describe("placement follows Swift's rule for any table (property)", () => {
  it("primaryZones is get_part_nodes; handoffZones is get_more_nodes, then the zones the table never names", ({
    expect,
  }) => {
    fc.assert(
      fc.property(tableRingArb, ({ zoneCount, partPower, tables }) => {
        const ring = Ring.fromFile(ringFileFrom(zoneCount, partPower, tables), HASH);
        const named = new Set(tables.flatMap((table) => [...table]));
        const unnamed = Array.from({ length: zoneCount }, (_, i) => i).filter((i) => !named.has(i));
        for (let p = 0; p < ring.partitionCount; p++) {
          const primaries = swiftPartNodes(tables, p);
          expect(ring.primaryZones(p).map((zone) => zone.id)).toEqual(primaries.map((i) => `z${i}`));
          const handoffs = [...swiftMoreNodes(tables, partPower, p), ...unnamed];
          expect(ring.handoffZones(p).map((zone) => zone.id)).toEqual(handoffs.map((i) => `z${i}`));
        }
      }),
    );
  });

  it("at part powers 16 to 18 (the walk steps by 1, 2 and 4 partitions), sampled partitions follow the same rule", ({
    expect,
  }) => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat(),
          partPower: fc.integer({ min: 16, max: 18 }),
          replicas: fc.integer({ min: 1, max: 3 }),
          zonesInTable: fc.integer({ min: 3, max: 7 }),
          extra: fc.integer({ min: 0, max: 2 }),
        }),
        fc.array(fc.nat(), { minLength: 20, maxLength: 20 }),
        ({ seed, partPower, replicas, zonesInTable, extra }, picks) => {
          const params: SyntheticRingParams = {
            seed,
            partPower,
            replicas,
            zones: Array.from({ length: zonesInTable + extra }, (_, i) => `s${i}`),
            zonesInTable,
          };
          const file = syntheticRingFile(params);
          const ring = Ring.fromFile(file, HASH);
          const tables = file.replica2Partition2Zone.map((text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
          const unnamed = Array.from({ length: extra }, (_, i) => `s${zonesInTable + i}`);
          for (const pick of [0, ring.partitionCount - 1, ...picks.map((n) => n % ring.partitionCount)]) {
            expect(ids(ring.primaryZones(pick))).toBe(
              swiftPartNodes(tables, pick)
                .map((i) => `s${i}`)
                .join(" "),
            );
            expect(ids(ring.handoffZones(pick))).toBe(
              [...swiftMoreNodes(tables, partPower, pick).map((i) => `s${i}`), ...unnamed].join(" "),
            );
          }
        },
      ),
      { numRuns: 4 },
    );
  });
});
