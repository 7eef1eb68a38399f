/**
 * @module
 * Container operations over the container ring, and the cached container information object
 * requests check (existence, ACLs, metadata). Swift: proxy/controllers/container.py,
 * base.py get_container_info.
 */

import { CONTAINER_INFO_TTL_MS } from "../../common/constraints";
import { containerKey } from "../../common/path";
import type { ReplicaReply } from "../../common/replies";
import type { ReplicaStub } from "../../durable/client";
import type { ContainerListing } from "../../durable/container-replica";
import type { ListingParams } from "../../durable/listing";
import { stampMetadata } from "../../durable/merge";
import type { ContainerRow, ListingRow } from "../../durable/rows";
import { listSegments, type SegmentListing } from "../../durable/shard-listing";
import type { ListingResume } from "../../durable/listing";
import { shardsAccount, type ShardRange } from "../../durable/shard-ranges";
import { SwiftError } from "../../common/errors";
import {
  EVENTUAL,
  NEWEST,
  readAgreed,
  readValue,
  writePartition,
  type ReadPreference,
  type ServiceContext,
} from "./context";

/**
 * One write to every primary of the container's partition, settled (writePartition); the cached
 * container info is dropped. The status to answer.
 */
async function writeContainer(
  ctx: ServiceContext,
  account: string,
  container: string,
  method: (stub: ReplicaStub<"container">, standingFor: string | null) => Promise<ReplicaReply>,
): Promise<number> {
  const partition = ctx.config.rings.container.partitionFor(account, container);
  const status = await writePartition(ctx, "container", partition, method);
  ctx.cache.delete(infoKey(account, container));
  return status;
}

async function readWith<T>(
  ctx: ServiceContext,
  account: string,
  container: string,
  read: ReadPreference,
  method: (stub: ReplicaStub<"container">) => Promise<ReplicaReply<T>>,
): Promise<T | null> {
  const partition = ctx.config.rings.container.partitionFor(account, container);
  const found =
    read.consistency === "quorum"
      ? await readAgreed(ctx, "container", partition, read.near, method)
      : await readValue(ctx, "container", partition, read, method);
  return found?.reply.value ?? null;
}

const infoKey = (account: string, container: string) => `container:${containerKey(account, container)}`;

/** The container's row from the cache or one replica (every replica: `newest`); null when it does not exist. */
export async function containerInfo(
  ctx: ServiceContext,
  account: string,
  container: string,
  newest = false,
): Promise<ContainerRow | null> {
  const key = infoKey(account, container);
  const now = Date.now();
  if (!newest) {
    const cached = ctx.cache.get<ContainerRow | null>(key, now);
    if (cached !== undefined) return cached;
  }
  const row = await readWith(ctx, account, container, newest ? NEWEST : EVENTUAL, (stub) =>
    stub.headContainer(account, container),
  );
  ctx.cache.set(key, row, row ? CONTAINER_INFO_TTL_MS : CONTAINER_INFO_TTL_MS / 10, now);
  return row;
}

/**
 * The container's row and one page of its listing; null when it does not exist. A sharded
 * container's page is one walk over its shards in order (shard-listing.ts), each read as the
 * root is; 503 when a shard answers from no replica.
 */
export async function listContainer(
  ctx: ServiceContext,
  account: string,
  container: string,
  params: ListingParams,
  read: ReadPreference = EVENTUAL,
): Promise<ContainerListing | null> {
  const listing = await readWith(ctx, account, container, read, (stub) => stub.listObjects(account, container, params));
  ctx.cache.set(
    infoKey(account, container),
    listing?.container ?? null,
    listing ? CONTAINER_INFO_TTL_MS : CONTAINER_INFO_TTL_MS / 10,
    Date.now(),
  );
  if (!listing?.shards?.length) return listing;
  const shards = shardsAccount(account);
  const walk = (
    ranges: readonly ShardRange[],
    bounded: ListingParams,
    from: ListingResume | null,
    depth: number,
  ): Promise<SegmentListing<ListingRow>> =>
    listSegments(
      bounded,
      ranges,
      async (range, part, resume) => {
        const within = { lower: range.lower, upper: range.upper };
        const listed = await readWith(ctx, shards, range.name, read, (stub) =>
          stub.listObjects(shards, range.name, part, within, resume),
        );
        if (!listed) throw new SwiftError("ServiceUnavailable");
        // A shard that split again (its root's replica read had not heard yet): its children.
        if (listed.shards?.length && depth < SHARD_DEPTH_MAX) return walk(listed.shards, part, resume, depth + 1);
        return { entries: listed.entries, resume: listed.resume ?? resume };
      },
      from,
    );
  const { entries } = await walk(listing.shards, params, null, 0);
  return { container: listing.container, entries };
}

/** How deep a listing follows shards that split again before the root's replica read lists their children. */
const SHARD_DEPTH_MAX = 4;

/** A container's shard ranges as a replica holds them (every state); null when the container does not exist. */
export function shardRangesOf(
  ctx: ServiceContext,
  account: string,
  container: string,
  read: ReadPreference = EVENTUAL,
): Promise<ShardRange[] | null> {
  return readWith(ctx, account, container, read, (stub) => stub.shardRanges(account, container));
}

/**
 * Swift: container.py PUT. 201 created, 202 existed (metadata merged); 409 when `policyIndex`
 * (the X-Storage-Policy asked for; null: none, the default for a new container) is not the
 * existing container's.
 */
export async function putContainer(
  ctx: ServiceContext,
  account: string,
  container: string,
  updates: Record<string, string>,
  policyIndex: number | null = null,
): Promise<number> {
  const policy = { index: policyIndex ?? ctx.config.policies.default.index, explicit: policyIndex !== null };
  const timestamp = ctx.now().internal;
  const metadata = stampMetadata(updates, timestamp);
  return writeContainer(ctx, account, container, (stub, standingFor) =>
    stub.putContainer(account, container, timestamp, metadata, policy, standingFor),
  );
}

/** Swift: container.py POST. 204; 404 when missing. */
export async function postContainer(
  ctx: ServiceContext,
  account: string,
  container: string,
  updates: Record<string, string>,
): Promise<number> {
  const timestamp = ctx.now().internal;
  const metadata = stampMetadata(updates, timestamp);
  return writeContainer(ctx, account, container, (stub, standingFor) =>
    stub.postContainer(account, container, timestamp, metadata, standingFor),
  );
}

/** Swift: container.py DELETE. 204; 404 when missing; 409 while objects remain. */
export async function deleteContainer(ctx: ServiceContext, account: string, container: string): Promise<number> {
  const timestamp = ctx.now().internal;
  return writeContainer(ctx, account, container, (stub, standingFor) =>
    stub.deleteContainer(account, container, timestamp, standingFor),
  );
}
