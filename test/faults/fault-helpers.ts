/**
 * @module
 * Helpers for fault tests: taking zones down through `/faults`, and reaching every replica slot
 * of a partition directly (past the fault gate) to see what it holds and to run its alarm.
 */

import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { loadRings } from "../../src/ring/load";
import type { RingName } from "../../src/ring/types";
import { BASE, statusOf, tokenFor, type SwiftInit } from "../helpers";

export const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
export const ZONES = ["z1", "z2", "z3"];
/** Every replica slot of a partition: the zones' own, then their handoff slots. */
export const SLOTS = [...ZONES, ...ZONES.map((zone) => `${zone}/handoff`)];

/** The user fault tests write as (the second test account's), away from other tests' accounts. */
export const TESTER2: [string, string] = ["test2:tester2", "testing2"];

/** A Swift request as TESTER2 (unless `init.user` says otherwise): its status, the body read. */
export function tester2Status(method: string, path: string, init: SwiftInit = {}): Promise<number> {
  return statusOf(method, path, { user: TESTER2, ...init });
}

/** Takes exactly these zones down (and every other one back up), as the reseller admin. */
export async function setDown(zones: readonly string[]): Promise<void> {
  const response = await exports.default.fetch(`${BASE}/faults`, {
    method: "PUT",
    headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin"), "Content-Type": "application/json" },
    body: JSON.stringify({ down: zones }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`PUT /faults: ${response.status} ${body}`);
}

export const objectReplica = (partition: number, slot: string) =>
  env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`);
export const containerReplica = (partition: number, slot: string) =>
  env.CONTAINER_REPLICA.getByName(`container/${partition}/${slot}`);
export const accountReplica = (partition: number, slot: string) =>
  env.ACCOUNT_REPLICA.getByName(`account/${partition}/${slot}`);

/** A ring's replica of a partition in one slot. */
export function replica(ring: RingName, partition: number, slot: string) {
  if (ring === "object") return objectReplica(partition, slot);
  if (ring === "container") return containerReplica(partition, slot);
  return accountReplica(partition, slot);
}

/** Every row a replica slot holds (tombstones included), read through its repair RPCs. */
export async function replicaRows(ring: RingName, partition: number, slot: string): Promise<unknown[]> {
  const stub = replica(ring, partition, slot);
  const buckets = Object.keys((await stub.bucketHashes()).value ?? {}).map(Number);
  const leaves = Object.keys((await stub.leafHashes(buckets)).value ?? {}).map(Number);
  return (await stub.rowsInLeaves(leaves)).value ?? [];
}

/** Each zone's R2 bucket of object bodies. */
export const BODY_BUCKETS: Record<string, R2Bucket> = { z1: env.BODIES_Z1, z2: env.BODIES_Z2, z3: env.BODIES_Z3 };

/** Whether a replica slot has a repair due (its alarm will repair, or revert a handoff). */
export async function repairDue(ring: RingName, partition: number, slot: string): Promise<boolean> {
  return runInDurableObject(
    replica(ring, partition, slot),
    (_instance, state) => state.storage.kv.get<number>("repair.due") !== undefined,
  );
}

/** The distinct zones (not slots) of the slots for which `holds` is true. */
export async function zonesHolding(holds: (slot: string) => Promise<boolean>): Promise<string[]> {
  const zones = new Set<string>();
  for (const slot of SLOTS) if (await holds(slot)) zones.add(slot.split("/")[0] ?? slot);
  return [...zones].sort();
}

/**
 * Runs the scheduled alarms (repair, handoff revert, updates, reports) of every slot of the given
 * partitions, and the ring summaries' (which wake replicas waiting for a zone), round after round
 * until every partition's primaries agree and its handoffs are empty; returns the rounds it took,
 * throws after `rounds`. No cron sweep: only what the replicas scheduled themselves.
 */
export async function runAlarmsUntilInSync(
  partitions: { ring: RingName; partition: number }[],
  rounds = 8,
): Promise<number> {
  const unique = [...new Map(partitions.map((p) => [`${p.ring}/${p.partition}`, p])).values()];
  for (let round = 0; round < rounds; round++) {
    for (const ring of ["object", "container", "account"] as const) {
      for (const zone of ZONES) await runDurableObjectAlarm(env.RING_SUMMARY.getByName(`summary/${ring}/${zone}`));
    }
    for (const { ring, partition } of unique)
      for (const slot of SLOTS) await runDurableObjectAlarm(replica(ring, partition, slot));
    if (!(await outOfSync(unique)).length) return round + 1;
  }
  // What each slot holds, to see which rows did not travel.
  const left = await outOfSync(unique);
  const detail: string[] = [];
  for (const name of left) {
    const [ring = "object", partition = "0"] = name.split("/") as [RingName, string];
    for (const slot of SLOTS)
      detail.push(`${name} ${slot}: ${JSON.stringify(await replicaRows(ring, Number(partition), slot))}`);
  }
  throw new Error(`not in sync after ${rounds} rounds of alarms: ${left.join(", ")}\n${detail.join("\n")}`);
}

/** The partitions whose primaries hold different rows, or whose handoffs still hold rows. */
export async function outOfSync(partitions: { ring: RingName; partition: number }[]): Promise<string[]> {
  const divergent: string[] = [];
  for (const { ring, partition } of partitions) {
    const hashes = new Set<string>();
    for (const zone of ZONES) hashes.add((await replica(ring, partition, zone).partitionHash()).value?.hash ?? "");
    let handoffRows = 0;
    for (const zone of ZONES)
      handoffRows += (await replica(ring, partition, `${zone}/handoff`).partitionHash()).value?.rows ?? 0;
    if (hashes.size > 1 || handoffRows > 0) divergent.push(`${ring}/${partition}`);
  }
  return divergent;
}
