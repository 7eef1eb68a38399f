/**
 * @module
 * The account reaper: an account the reseller admin deleted is emptied in bounded steps (objects
 * with their bodies, then containers), resuming where the last invocation stopped, and then
 * leaves the reaper's queue; its own row stays a tombstone until reclaim_age. Swift:
 * account/reaper.py (which runs hourly; here every cron tick, and on demand).
 */

import type { Config } from "../config/config";
import { NODE_TIMEOUT_MS } from "../common/constraints";
import { policyOfIndex } from "../config/storage-policies";
import { Timestamp } from "../common/timestamp";
import { ReplicaClient, type ReplicaStub } from "../durable/client";
import type { RingName } from "../ring/types";
import type { ReplicaReply } from "../common/replies";
import { listingFromStart } from "../durable/listing";
import { controlStub } from "../durable/names";
import { quorumSize } from "../common/quorum";
import { listingRowOf, objectTombstone } from "../durable/rows";
import { byLower, shardsAccount, type ShardRange } from "../durable/shard-ranges";

/** Object listing rows deleted per container per step, and replica calls per invocation. */
const OBJECTS_PER_STEP = 1_000;
const CALLS_PER_INVOCATION = 3_000;

export interface ReapReport {
  accounts: number;
  objectsDeleted: number;
  containersDeleted: number;
  /** Accounts fully reaped in this invocation. */
  finished: string[];
  /** Whether the invocation stopped at its call budget (the next one resumes). */
  budgetSpent: boolean;
}

/** The names of a listing's rows (not its pseudo-directories). */
function rowNames(entries: readonly { kind: string; name: string }[]): string[] {
  return entries.filter((entry) => entry.kind === "row").map((entry) => entry.name);
}

/** Advances the reaper over every queued account, within one invocation's call budget. */
export async function reapAccounts(config: Config, callBudget = CALLS_PER_INVOCATION): Promise<ReapReport> {
  const client = new ReplicaClient(config);
  const control = controlStub(config);
  const queue = (await control.reapQueue()).value ?? [];
  const report: ReapReport = {
    accounts: queue.length,
    objectsDeleted: 0,
    containersDeleted: 0,
    finished: [],
    budgetSpent: false,
  };
  let calls = 0;
  const rings = config.rings;
  /** The first listing a primary replica of the partition gives, or null when none gives one. */
  const firstListing = async <R extends "account" | "container", T>(
    ring: R,
    partition: number,
    list: (stub: ReplicaStub<R>) => Promise<ReplicaReply<T>>,
  ): Promise<T | null> => {
    for (const zone of rings.get(ring).primaryZones(partition)) {
      calls += 1;
      const reply = await client.call(ring, partition, zone.id, list, NODE_TIMEOUT_MS);
      if (reply.status === 200 && reply.value) return reply.value;
    }
    return null;
  };
  /** Calls every primary replica of a partition at once. */
  const atPrimaries = <R extends RingName, T>(
    ring: R,
    partition: number,
    method: (stub: ReplicaStub<R>) => Promise<ReplicaReply<T>>,
  ): Promise<ReplicaReply<T>[]> =>
    Promise.all(
      rings
        .get(ring)
        .primaryZones(partition)
        .map((zone) => {
          calls += 1;
          return client.call(ring, partition, zone.id, method, NODE_TIMEOUT_MS);
        }),
    );
  /** Names in an account's first listing (the reaper repeats until none is left). */
  const names = async (partition: number, account: string): Promise<string[]> => {
    const listing = await firstListing("account", partition, (stub) =>
      stub.listContainers(account, listingFromStart(100)),
    );
    return rowNames(listing?.entries ?? []);
  };
  /**
   * The names a sharded container's first shard still holding objects lists (the shards in name
   * order, a shard that split again through its children), or none.
   */
  const shardedNames = async (account: string, shards: readonly ShardRange[], depth = 0): Promise<string[]> => {
    const shardAccount = shardsAccount(account);
    for (const shard of byLower(shards)) {
      const within = { lower: shard.lower, upper: shard.upper };
      const listing = await firstListing("container", rings.container.partitionFor(shardAccount, shard.name), (stub) =>
        stub.listObjects(shardAccount, shard.name, listingFromStart(OBJECTS_PER_STEP), within, null),
      );
      if (!listing) continue;
      const names =
        listing.shards?.length && depth < 4
          ? await shardedNames(account, listing.shards, depth + 1)
          : rowNames(listing.entries);
      if (names.length) return names;
    }
    return [];
  };
  /** The same for a container's objects (its shards' when sharded), with the object ring of the container's storage policy. */
  const objectNames = async (partition: number, account: string, container: string) => {
    const listing = await firstListing("container", partition, (stub) =>
      stub.listObjects(account, container, listingFromStart(OBJECTS_PER_STEP)),
    );
    if (!listing) return { ring: "object" as const, names: [] };
    return {
      ring: policyOfIndex(config.policies, listing.container.storagePolicyIndex).ring,
      names: listing.shards?.length ? await shardedNames(account, listing.shards) : rowNames(listing.entries),
    };
  };

  for (const { account } of queue) {
    const accountPartition = rings.account.partitionFor(account);
    for (;;) {
      if (calls >= callBudget) {
        report.budgetSpent = true;
        return report;
      }
      const containers = await names(accountPartition, account);
      if (!containers.length) {
        await control.reaped(account);
        report.finished.push(account);
        break;
      }
      for (const container of containers) {
        const containerPartition = rings.container.partitionFor(account, container);
        const { ring, names: objects } = await objectNames(containerPartition, account, container);
        const timestamp = Timestamp.fromSeconds(Date.now() / 1000).internal;
        if (objects.length) {
          const byPartition = new Map<number, string[]>();
          for (const name of objects) {
            const partition = rings.get(ring).partitionFor(account, container, name);
            const group = byPartition.get(partition) ?? [];
            group.push(name);
            byPartition.set(partition, group);
          }
          // The objects' replicas tombstone them (and free their bodies)…
          const taken = await Promise.all(
            [...byPartition].map(async ([partition, group]) => {
              const paths = group.map((name) => `${account}/${container}/${name}`);
              const replies = await atPrimaries(ring, partition, (stub) => stub.deleteObjects(paths, timestamp, false));
              const answered = replies.filter((reply) => reply.status === 200).length;
              return answered >= quorumSize(replies.length) ? group : [];
            }),
          );
          // …then the container's replicas drop the listing rows of those a quorum took, one batch
          // each (a sharded container's root sends them on to its shards); the others stay
          // listed, and the next step deletes them again.
          const gone = taken.flat();
          const tombstones = gone.map((name) => ({
            account,
            container,
            row: listingRowOf(objectTombstone(`${account}/${container}/${name}`, timestamp)),
          }));
          if (tombstones.length)
            await atPrimaries("container", containerPartition, (stub) => stub.updateObjects(tombstones));
          report.objectsDeleted += gone.length;
          continue;
        }
        const replies = await atPrimaries("container", containerPartition, (stub) =>
          stub.deleteContainer(account, container, timestamp),
        );
        if (replies.some((reply) => reply.status === 204)) report.containersDeleted += 1;
      }
    }
  }
  return report;
}
