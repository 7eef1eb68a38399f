/**
 * @module
 * What every service needs for one request: configuration, the replica client, the clock that
 * stamps writes, a random source for read order, and the in-isolate info caches.
 */

import type { Config } from "../../config/config";
import { TimestampClock, type Timestamp } from "../../common/timestamp";
import { NODE_TIMEOUT_MS } from "../../common/constraints";
import { SwiftError } from "../../common/errors";
import type { ReplicaReply } from "../../common/replies";
import { ReplicaClient, type ReplicaStub } from "../../durable/client";
import { handoffSlot } from "../../durable/identity";
import { fanOut, readFirst, readNewest, readOrder, repairDuties, type ZoneReply } from "../fan-out";
import { writeStatus } from "../quorum";
import type { RingName } from "../../ring/types";
import { InfoCache } from "./info-cache";

export interface ServiceContext {
  config: Config;
  client: ReplicaClient;
  /** A fresh write timestamp (Swift: the proxy's Timestamp.now()). */
  now(): Timestamp;
  random(): number;
  cache: InfoCache;
}

const clock = new TimestampClock();
const contexts = new WeakMap<Config, ServiceContext>();

/** The context of this isolate for a configuration (one clock and cache per isolate). */
export function serviceContext(config: Config): ServiceContext {
  const existing = contexts.get(config);
  if (existing) return existing;
  const context: ServiceContext = {
    config,
    client: new ReplicaClient(config),
    now: () => clock.next(Date.now()),
    random: Math.random,
    cache: new InfoCache(),
  };
  contexts.set(config, context);
  return context;
}

/**
 * A partition's primary slots (zone ids) and handoff slots: the ring's handoff zones first, then
 * each primary zone's handoff slot, so a failed primary is covered even when every zone is a
 * primary (three zones, three replicas).
 */
export function placement(
  config: Config,
  ring: RingName,
  partition: number,
): { primaries: string[]; handoffs: string[] } {
  const r = config.rings.get(ring);
  const primaries = r.primaryZones(partition).map((zone) => zone.id);
  return {
    primaries,
    handoffs: [...r.handoffZones(partition).map((zone) => zone.id), ...primaries.map(handoffSlot)],
  };
}

/**
 * The replicas of one partition: zone ids, and a caller for one zone with the node timeout
 * (`standingFor`: the primary a handoff stands in for, as fanOut passes it; null otherwise).
 */
export function partitionReplicas<R extends RingName>(ctx: ServiceContext, ring: R, partition: number) {
  const { primaries, handoffs } = placement(ctx.config, ring, partition);
  const call =
    <T>(method: (stub: ReplicaStub<R>, standingFor: string | null) => Promise<ReplicaReply<T>>) =>
    (zone: string, standingFor: string | null = null) =>
      ctx.client.call(ring, partition, zone, (stub) => method(stub, standingFor), NODE_TIMEOUT_MS);
  return { primaries, handoffs, call };
}

/**
 * Reads a value from the first replica that has it (all at once with X-Newest); null when none
 * has it, 503 when none answered at all.
 */
export async function readValue<R extends RingName, T>(
  ctx: ServiceContext,
  ring: R,
  partition: number,
  newest: boolean,
  method: (stub: ReplicaStub<R>) => Promise<ReplicaReply<T>>,
): Promise<ZoneReply<T> | null> {
  const { primaries, handoffs, call } = partitionReplicas(ctx, ring, partition);
  const zones = readOrder(primaries, handoffs, ctx.random);
  const { found, replies } = await (newest ? readNewest(zones, call(method)) : readFirst(zones, call(method)));
  if (found?.reply.value !== undefined) return found;
  if (replies.every((r) => r.reply.status === 503)) throw new SwiftError("ServiceUnavailable");
  return null;
}

/**
 * After every write's fan-out (object, container, account; PUT, POST, DELETE): queues the repairs
 * it left, so every primary it missed hears of it within seconds (a replica that took it is marked
 * dirty and its alarm repairs; a handoff reverts by itself), and returns the status to answer,
 * counted over distinct zones (`writeStatus`): 503 unless a quorum of zones accepted it; a 400
 * the replicas gave a reason for is thrown with that reason.
 */
export async function settleWrite<R extends RingName>(
  ctx: ServiceContext,
  ring: R,
  partition: number,
  primaries: readonly string[],
  replies: readonly ZoneReply<unknown>[],
): Promise<number> {
  const duties = repairDuties(primaries, replies);
  await Promise.all(
    duties.map((duty) =>
      ctx.client.protocol(ring, partition, duty.slot, (stub) => stub.markDirty(duty.owed), NODE_TIMEOUT_MS),
    ),
  );
  const status = writeStatus(replies, primaries.length);
  // A write the replicas refused with a reason (an account's or container's metadata over Swift's
  // limits) answers 400 with it, as Swift's proxy passes its backends' body on.
  const reason =
    status === 400
      ? replies.find((r) => r.reply.status === 400 && r.reply.detail !== undefined)?.reply.detail
      : undefined;
  if (reason !== undefined) throw new SwiftError("BadRequest", reason);
  return status;
}

/**
 * One write sent to every primary of a partition (a handoff covering a failed one: fanOut) and
 * settled (settleWrite): the status to answer.
 */
export async function writePartition<R extends RingName, T>(
  ctx: ServiceContext,
  ring: R,
  partition: number,
  method: (stub: ReplicaStub<R>, standingFor: string | null) => Promise<ReplicaReply<T>>,
): Promise<number> {
  const { primaries, handoffs, call } = partitionReplicas(ctx, ring, partition);
  const replies = await fanOut(primaries, handoffs, call(method));
  return settleWrite(ctx, ring, partition, primaries, replies);
}
