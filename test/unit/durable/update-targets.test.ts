/**
 * @module
 * Which replicas of the ring above a write updates (an object replica its container replicas, a
 * container replica its account replicas): every target primary by some source primary, as
 * Swift's proxy spreads the container hosts over the object servers (obj.py _backend_requests).
 */
import { describe, it } from "vitest";
import { updateTargetZones } from "../../../src/durable/identity";
import type { Zone } from "../../../src/ring/types";

const zones = (...ids: string[]): Zone[] => ids.map((id) => ({ id, locationHint: null, weight: 1, bucket: null }));
const Z123 = zones("z1", "z2", "z3");

describe("updateTargetZones", () => {
  it("three replicas over three zones: each source updates the target in its own zone", ({ expect }) => {
    for (const zone of ["z1", "z2", "z3"])
      expect(updateTargetZones(zone, zones("z3", "z1", "z2"), Z123)).toEqual([zone]);
  });

  it("two source replicas, three targets: together they update all three, the extra from the source at its index", ({
    expect,
  }) => {
    const sources = zones("z3", "z1");
    expect(updateTargetZones("z3", sources, Z123)).toEqual(["z3"]);
    expect(updateTargetZones("z1", sources, Z123)).toEqual(["z1", "z2"]);
  });

  it("one source replica updates every target", ({ expect }) => {
    expect(updateTargetZones("z1", zones("z1"), Z123)).toEqual(["z1", "z2", "z3"]);
  });

  it(
    "a source in a zone the targets are not in updates the target at its own index; " +
      "a target no source shares a zone with goes to the source at its index",
    ({ expect }) => {
      const sources = zones("z4", "z1", "z2");
      expect(updateTargetZones("z4", sources, Z123)).toEqual(["z1"]);
      expect(updateTargetZones("z2", sources, Z123)).toEqual(["z2", "z3"]);
    },
  );

  it("a handoff (not a source primary) updates its own zone's target, else the first target", ({ expect }) => {
    expect(updateTargetZones("z2", zones("z3", "z1"), Z123)).toEqual(["z2"]);
    expect(updateTargetZones("z9", zones("z3", "z1"), Z123)).toEqual(["z1"]);
  });

  it("every target is updated by some source primary, whatever the rings' sizes", ({ expect }) => {
    const all = zones("a", "b", "c", "d", "e");
    for (let s = 1; s <= 5; s++) {
      for (let t = 1; t <= 5; t++) {
        const sources = all.slice(0, s);
        const targets = [...all].reverse().slice(0, t);
        const covered = new Set(sources.flatMap((source) => updateTargetZones(source.id, sources, targets)));
        expect([...covered].sort(), `${s} sources, ${t} targets`).toEqual(targets.map((z) => z.id).sort());
      }
    }
  });
});
