/**
 * @module
 * A replica's identity, read from its Durable Object name `{ring}/{partition}/{zone}`, and the
 * rule that picks which replica of another ring it updates (Swift: the object server at replica
 * index i updates container replica i; the container server updates account replica i).
 */

import type { Ring } from "../ring/ring";
import { isRingName, type RingName, type Zone } from "../ring/types";
import { assert } from "../common/assert";

export interface ReplicaIdentity {
  ring: RingName;
  partition: number;
  zone: string;
  /** The slot: the zone id for its primary slot, `{zone}/handoff` for its handoff slot. */
  slot: string;
  handoff: boolean;
}

/**
 * A replica slot is a zone id (the zone's replica of a partition) or `{zone}/handoff`: the
 * zone's stand-in for a primary in another zone that failed, as Swift writes to a handoff
 * device when a primary is down.
 */
export function handoffSlot(zone: string): string {
  return `${zone}/handoff`;
}

/** The zone a slot is in. */
export function slotZone(slot: string): string {
  return slot.split("/")[0] ?? slot;
}

/** The name of the replica Durable Object for a ring, partition and slot. */
export function replicaName(ring: RingName, partition: number, slot: string): string {
  return `${ring}/${partition}/${slot}`;
}

/** Parses a replica's own name; a replica created under any other name is a bug. */
export function parseReplicaName(name: string | undefined): ReplicaIdentity {
  const parts = (name ?? "").split("/");
  const [ring, partition, zone, kind] = parts;
  assert(isRingName(ring), `replica name "${name}" has no ring`);
  assert(
    partition !== undefined && /^\d+$/.test(partition) && zone,
    `replica name "${name}" is not {ring}/{partition}/{zone}`,
  );
  assert(kind === undefined || kind === "handoff", `replica name "${name}" has an unknown slot`);
  const handoff = kind === "handoff";
  return { ring, partition: Number(partition), zone, slot: handoff ? handoffSlot(zone) : zone, handoff };
}

/**
 * The zone of the `target` ring's replica that a replica in `sourceZone` updates: the same zone
 * when it holds a primary of the target partition, else the primary at the source's replica index.
 */
export function updateTargetZone(
  sourceZone: string,
  sourcePrimaries: readonly Zone[],
  targetPrimaries: readonly Zone[],
): string {
  if (targetPrimaries.some((zone) => zone.id === sourceZone)) return sourceZone;
  const index = Math.max(
    0,
    sourcePrimaries.findIndex((zone) => zone.id === sourceZone),
  );
  const target = targetPrimaries[index % targetPrimaries.length];
  assert(target, "target ring has no primaries");
  return target.id;
}

/**
 * Every zone of the `target` ring's replicas that a replica in `sourceZone` updates: its
 * updateTargetZone, and, on a primary, each target primary it is given so that every target
 * primary is updated by some source primary: the source in the target's own zone, else the source
 * at the target's index (modulo the source count). With fewer source replicas than target
 * replicas (a two-replica policy's objects, three container replicas) a source updates several,
 * as Swift's proxy spreads container hosts over the object servers (obj.py _backend_requests).
 */
export function updateTargetZones(
  sourceZone: string,
  sourcePrimaries: readonly Zone[],
  targetPrimaries: readonly Zone[],
): string[] {
  const zones = [updateTargetZone(sourceZone, sourcePrimaries, targetPrimaries)];
  if (!sourcePrimaries.some((zone) => zone.id === sourceZone)) return zones;
  targetPrimaries.forEach((target, index) => {
    const owner = sourcePrimaries.some((zone) => zone.id === target.id)
      ? target.id
      : sourcePrimaries[index % sourcePrimaries.length]?.id;
    if (owner === sourceZone && !zones.includes(target.id)) zones.push(target.id);
  });
  return zones;
}

/**
 * The replicas a write to `source` should update in `targetRing` for the path's target partition (see
 * updateTargetZones).
 */
export function updateTargets(
  source: ReplicaIdentity,
  sourceRing: Ring,
  targetRing: Ring,
  targetPartition: number,
): { partition: number; zone: string }[] {
  const zones = updateTargetZones(
    source.zone,
    sourceRing.primaryZones(source.partition),
    targetRing.primaryZones(targetPartition),
  );
  return zones.map((zone) => ({ partition: targetPartition, zone }));
}
