/**
 * @module
 * The dashboard's ring map cells (src/proxy/dashboard/ring-map.ts partitionCells): one state per
 * zone of a partition from its ring summaries' entries and the zones down.
 */
import { describe, it } from "vitest";
import { ZERO_HASH } from "../../../src/durable/partition-hash";
import type { SummaryEntry } from "../../../src/durable/schema/summary";
import { partitionCells } from "../../../src/proxy/dashboard/ring-map";
import { Ring } from "../../../src/ring/ring";
import { syntheticRingFile } from "../../fixtures/synthetic-ring";

const HASH = { hashPathPrefix: "prefix", hashPathSuffix: "suffix" };
/** Three replicas over four zones: each partition has one zone that is not its replica. */
const ring = Ring.fromFile(
  syntheticRingFile({ seed: 7, partPower: 4, replicas: 3, zones: ["z1", "z2", "z3", "z4"], zonesInTable: 4 }),
  HASH,
);
const PARTITION = 5;
const primaries = ring.primaryZones(PARTITION).map((zone) => zone.id);
const [first = "", second = "", third = ""] = primaries;
const other = ring.zones.map((zone) => zone.id).find((zone) => !primaries.includes(zone)) ?? "";

const entry = (hash: string): SummaryEntry => ({ partition: PARTITION, slot: "", hash, rows: 1 });
const slots = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([slot, hash]) => [slot, entry(hash)]));

/** The cells as a zone → character map. */
function cells(summary: Map<string, SummaryEntry> | undefined, down: string[] = []): Record<string, string> {
  const text = partitionCells(ring, PARTITION, summary, new Set(down));
  return Object.fromEntries(ring.zones.map((zone, index) => [zone.id, text[index] ?? ""]));
}

describe("the ring map's cells", () => {
  it("primaries reporting the same hash are in sync, and a zone that is not a replica is marked so", ({ expect }) => {
    const map = cells(slots({ [first]: "a", [second]: "a", [third]: "a" }));
    expect([map[first], map[second], map[third], map[other]]).toEqual(["s", "s", "s", "-"]);
  });

  it("a primary whose hash differs from the one most primaries share is repairing; one missing reads as empty rows", ({
    expect,
  }) => {
    expect(cells(slots({ [first]: "a", [second]: "a", [third]: "b" }))[third]).toBe("r");
    const missing = cells(slots({ [first]: "a", [second]: "a" }));
    expect([missing[first], missing[third]]).toEqual(["s", "r"]);
  });

  it("with every primary's hash different none is in sync", ({ expect }) => {
    const map = cells(slots({ [first]: "a", [second]: "b", [third]: ZERO_HASH }));
    expect([map[first], map[second], map[third]]).toEqual(["r", "r", "r"]);
  });

  it("a zone's handoff slot holding rows shows as handoff held, a zone down as down whatever it holds", ({
    expect,
  }) => {
    const map = cells(slots({ [first]: "a", [second]: "a", [`${other}/handoff`]: "a" }), [third]);
    expect([map[first], map[second], map[third], map[other]]).toEqual(["s", "s", "d", "h"]);
    expect(cells(undefined, [other])[other]).toBe("d");
  });

  it("a partition no replica reported is empty on its primaries", ({ expect }) => {
    const map = cells(undefined);
    expect([map[first], map[second], map[third], map[other]]).toEqual(["e", "e", "e", "-"]);
  });
});
