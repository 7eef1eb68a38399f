/**
 * @module
 * What every service needs for one request: configuration, the replica client, the clock that
 * stamps writes, a random source for read order, and the in-isolate info caches.
 */

import type { Config } from "../../config/config";
import { TimestampClock, type Timestamp } from "../../common/timestamp";
import { NODE_TIMEOUT_MS, POST_QUORUM_TIMEOUT_MS } from "../../common/constraints";
import { SwiftError } from "../../common/errors";
import type { ReplicaReply } from "../../common/replies";
import { ReplicaClient, type ReplicaStub } from "../../durable/client";
import { handoffSlot } from "../../durable/identity";
import {
  answeredByQuorum,
  fanOut,
  readFirst,
  readNewest,
  readOrder,
  readQuorum,
  repairDuties,
  type ZoneReply,
} from "../fan-out";
import { hintPlace, nearestZone, type Place } from "../affinity";
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
 * How a read picks replicas. `consistency`: "first", the first replica that has the row, in read
 * order (Swift's default: eventual); "quorum", the newest of replicas in a quorum of zones, so an
 * acknowledged write or delete is always seen (`X-Consistency: quorum`, or a container's
 * `X-Container-Meta-Consistency: quorum`); "newest", the newest of every replica (X-Newest).
 * `near`: where the caller is, so the nearest primary zone is read first (read affinity); null
 * when unknown or READ_AFFINITY is off.
 */
export interface ReadPreference {
  consistency: "first" | "quorum" | "newest";
  near: Place | null;
}

/** Swift's default read: the first replica holding the row, primaries in a random order. */
export const EVENTUAL: ReadPreference = { consistency: "first", near: null };
/** X-Newest: every replica, the newest row. */
export const NEWEST: ReadPreference = { consistency: "newest", near: null };

/** The primary zone of a partition nearest `near`, or null (no place known, no zone with a location hint). */
function nearestPrimary(ctx: ServiceContext, ring: RingName, primaries: readonly string[], near: Place | null) {
  const zones = ctx.config.rings.get(ring);
  return nearestZone(primaries, (zone) => hintPlace(zones.zone(zone)?.locationHint ?? null), near);
}

/**
 * Reads a value as `read` asks (the first replica that has it, a quorum of zones, or every
 * replica); null when none has it (or the newest is a tombstone), 503 when none answered at all,
 * or, for a quorum read, when fewer than a quorum of zones did.
 */
export async function readValue<R extends RingName, T>(
  ctx: ServiceContext,
  ring: R,
  partition: number,
  read: ReadPreference,
  method: (stub: ReplicaStub<R>) => Promise<ReplicaReply<T>>,
): Promise<ZoneReply<T> | null> {
  const { primaries, handoffs, call } = partitionReplicas(ctx, ring, partition);
  if (read.consistency === "quorum") {
    const { found, replies } = await readQuorum(primaries, handoffs, call(method));
    if (!answeredByQuorum(replies, primaries.length)) throw new SwiftError("ServiceUnavailable");
    return found;
  }
  const zones = readOrder(primaries, handoffs, ctx.random, nearestPrimary(ctx, ring, primaries, read.near));
  const { found, replies } = await (read.consistency === "newest"
    ? readNewest(zones, call(method))
    : readFirst(zones, call(method)));
  if (found?.reply.value !== undefined) return found;
  if (replies.every((r) => r.reply.status === 503)) throw new SwiftError("ServiceUnavailable");
  return null;
}

/**
 * Reads a container's or account's listing (or its row) at quorum consistency, where rows have no
 * single timestamp to pick the newest by: the partition hashes of a quorum of zones' primaries
 * are compared first; when they differ, the primary read from (the nearest that answered)
 * repairs with its peers before it answers, so it holds every row a quorum acknowledged. 503
 * when fewer than a quorum of zones answer, or the repair fails.
 */
export async function readAgreed<R extends "container" | "account", T>(
  ctx: ServiceContext,
  ring: R,
  partition: number,
  near: Place | null,
  method: (stub: ReplicaStub<R>) => Promise<ReplicaReply<T>>,
): Promise<ZoneReply<T> | null> {
  const { primaries, call } = partitionReplicas(ctx, ring, partition);
  // Primaries alone: a handoff's hash covers only what it holds, so it never agrees and is not read from.
  const hashes = await fanOut(
    primaries,
    [],
    call((stub) => stub.partitionHash()),
    POST_QUORUM_TIMEOUT_MS,
    answeredByQuorum,
  );
  const answered = hashes.filter((r) => r.reply.status === 200);
  if (!answeredByQuorum(answered, primaries.length)) throw new SwiftError("ServiceUnavailable");
  const nearest = nearestPrimary(ctx, ring, primaries, near);
  const source = answered.find((r) => r.zone === nearest) ?? answered[0];
  if (source === undefined) throw new SwiftError("ServiceUnavailable");
  if (new Set(answered.map((r) => r.reply.value?.hash)).size > 1) {
    const repaired = await ctx.client.protocol(ring, partition, source.zone, (stub) => stub.repair(), NODE_TIMEOUT_MS);
    if (repaired.status >= 300) throw new SwiftError("ServiceUnavailable");
  }
  const reply = await call(method)(source.zone);
  if (reply.status === 503) throw new SwiftError("ServiceUnavailable");
  return reply.value === undefined ? null : { zone: source.zone, reply };
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
