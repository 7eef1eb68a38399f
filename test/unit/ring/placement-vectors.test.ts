/**
 * @module
 * Ring placement against Swift (issue 19), golden: primaries and handoffs of every partition of
 * several generated rings (different zone counts, weights, replica counts and part powers, one
 * large enough that the handoff walk steps over partitions), and of sample paths, computed by
 * Swift 2.30.1's own ring code over the same tables (test/fixtures/make-ring-vectors.ts).
 */
import { describe, it } from "vitest";
import fixture from "../../fixtures/ring-placement-vectors.json";
import { syntheticRingFile, type SyntheticRingParams } from "../../fixtures/synthetic-ring";
import { Ring } from "../../../src/ring/ring";
import type { RingFile } from "../../../src/ring/types";

const HASH = { hashPathPrefix: fixture.hash_path_prefix, hashPathSuffix: fixture.hash_path_suffix };
const ids = (zones: readonly { id: string }[]) => zones.map((zone) => zone.id).join(" ");

/**
 * Zones the table never names: Swift's get_more_nodes never yields them; edgeswift offers them last, in file order
 * (ring.ts).
 */
function zonesNotInTable(file: RingFile): string[] {
  const ring = Ring.fromFile(file, HASH);
  const named = new Set<string>();
  for (let p = 0; p < ring.partitionCount; p++) for (const zone of ring.primaryZones(p)) named.add(zone.id);
  return file.zones.map((zone) => zone.id).filter((id) => !named.has(id));
}

function ringFileOf(entry: (typeof fixture.rings)[number]): RingFile {
  if (entry.file) return entry.file as unknown as RingFile;
  if (!entry.synthetic) throw new Error("a fixture ring has neither a file nor synthetic parameters");
  return syntheticRingFile(entry.synthetic as unknown as SyntheticRingParams);
}

describe("placement matches Swift's ring code (committed vectors)", () => {
  for (const entry of fixture.rings) {
    it(
      `${entry.name}: primaryZones is get_part_nodes and handoffZones is get_more_nodes, ` +
        `for ${entry.vectors.length} partitions`,
      ({ expect }) => {
        const file = ringFileOf(entry);
        const ring = Ring.fromFile(file, HASH);
        const last = zonesNotInTable(file);
        expect(entry.vectors.length).toBeGreaterThan(0);
        for (const [partition, primaries, handoffs] of entry.vectors as [number, string, string][]) {
          expect(ids(ring.primaryZones(partition)), `partition ${partition} primaries`).toBe(primaries);
          const swiftHandoffs = handoffs ? handoffs.split(" ") : [];
          expect(ids(ring.handoffZones(partition)), `partition ${partition} handoffs`).toBe(
            [...swiftHandoffs, ...last].join(" "),
          );
        }
      },
    );
  }

  it("paths: partitionFor, primaries and handoffs are Swift's get_nodes and get_more_nodes", ({ expect }) => {
    const entry = fixture.rings[fixture.paths_ring];
    if (!entry) throw new Error("no ring for the path vectors");
    const ring = Ring.fromFile(ringFileOf(entry), HASH);
    for (const path of fixture.paths) {
      const partition = ring.partitionFor(path.account, path.container, path.object);
      expect(partition).toBe(path.partition);
      expect(ids(ring.primaryZones(partition))).toBe(path.primaries);
      expect(ids(ring.handoffZones(partition))).toBe(path.handoffs);
    }
  });
});
