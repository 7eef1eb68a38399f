/**
 * @module
 * Helpers for the sharding tests (CONTAINER_SHARD_ROWS 10, shards of 5): a root container's
 * replicas and shards, the owner's view of its shard ranges, and the alarms that split it.
 */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { containerReplica, rings, SLOTS, ZONES } from "../faults/fault-helpers";
import { swift, text } from "../helpers";

export const ACCOUNT = "AUTH_test";
export const SHARDS = `.shards_${ACCOUNT}`;

/** The container ring's partition of a root container of AUTH_test. */
export const rootPartition = (container: string): number => rings.container.partitionFor(ACCOUNT, container);

/** The zone whose replica of a container of AUTH_test leads its sharding: its partition's first primary. */
export const leaderOf = (container: string): string =>
  rings.container.primaryZones(rings.container.partitionFor(ACCOUNT, container))[0]?.id ?? "";

export interface ListedRange {
  name: string;
  lower: string;
  upper: string;
  state: string;
  object_count: number;
  bytes_used: number;
}

/** The owner's GET with X-Backend-Record-Type: shard. */
export async function shardRanges(container: string): Promise<{ state: string | null; ranges: ListedRange[] }> {
  const response = await swift("GET", `/${ACCOUNT}/${encodeURIComponent(container)}`, {
    headers: { "X-Backend-Record-Type": "shard" },
  });
  const body = await text(response);
  if (response.status !== 200) throw new Error(`shard ranges of ${container}: ${response.status} ${body}`);
  return { state: response.headers.get("x-backend-sharding-state"), ranges: JSON.parse(body) as ListedRange[] };
}

/** Listing rows a root replica still holds for the container, and what its shard outbox holds. */
export function heldByRoot(container: string, slot: string): Promise<{ rows: number; queued: number }> {
  return heldBy(rootPartition(container), `${ACCOUNT}/${container}`, slot);
}

/** Listing rows a container replica holds for a container (`account/container`), and what its shard outbox holds. */
export async function heldBy(partition: number, key: string, slot: string): Promise<{ rows: number; queued: number }> {
  return runInDurableObject(containerReplica(partition, slot), (_instance, state) => {
    const has = (table: string) =>
      state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = ?", table).toArray().length > 0;
    const rows = has("object")
      ? state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM object WHERE container = ?", key).one().n
      : 0;
    const queued = has("shard_outbox")
      ? state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM shard_outbox").one().n
      : 0;
    return { rows, queued };
  });
}

/** The container ring's partition of a shard (its listed name is `.shards_<account>/<container>`). */
export const shardPartition = (range: ListedRange): number =>
  rings.container.partitionFor(SHARDS, range.name.slice(SHARDS.length + 1));

/** Repairs the root's primaries with each other, as the sweep would after a zone came back. */
export async function repairRoot(container: string): Promise<void> {
  for (const zone of ZONES) await containerReplica(rootPartition(container), zone).repair();
}

/** Runs every alarm of the partitions' slots once. */
export async function alarmsOf(partitions: Iterable<number>): Promise<void> {
  for (const partition of new Set(partitions))
    for (const slot of SLOTS) await runDurableObjectAlarm(containerReplica(partition, slot));
}

/**
 * Runs the alarms of the root's partition and its shards' until the root is sharded, no primary
 * of the root in `zones` holds a listing row of it or anything queued for a shard, and its
 * active shards' counts add up to `objects` (the counts HEAD shows); throws after `rounds`.
 */
export async function shardUntilSettled(
  container: string,
  objects: number,
  zones: readonly string[] = ZONES,
  rounds = 40,
): Promise<ListedRange[]> {
  let last = "";
  for (let round = 0; round < rounds; round++) {
    const { state, ranges } = await shardRanges(container);
    const shardPartitions = ranges.map((range) => shardPartition(range));
    await alarmsOf([rootPartition(container), ...shardPartitions]);
    const held = await Promise.all(zones.map((zone) => heldByRoot(container, zone)));
    const counted = ranges
      .filter((range) => range.state === "active")
      .reduce((sum, range) => sum + range.object_count, 0);
    last = `${state} ${JSON.stringify(held)} counted ${counted} in ${JSON.stringify(ranges.map((range) => [range.lower, range.upper, range.state, range.object_count]))}`;
    if (state === "sharded" && held.every((h) => h.rows === 0 && h.queued === 0) && counted === objects)
      return (await shardRanges(container)).ranges;
  }
  throw new Error(`${container} not sharded and settled after ${rounds} rounds: ${last}`);
}
