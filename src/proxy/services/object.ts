/**
 * @module
 * Object operations over the object ring: the body goes to the buckets of the primary zones,
 * then the row to every primary replica (a failed primary covered by the next handoff, whose
 * bucket gets a copy of the body), answered by quorum. Reads take the first replica holding the
 * row and stream the body from that zone's bucket. Swift: proxy/controllers/obj.py.
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import { NODE_TIMEOUT_MS } from "../../common/constraints";
import { SwiftError } from "../../common/errors";
import { objectKey } from "../../common/path";
import type { ReplicaReply } from "../../common/replies";
import type { Timestamp } from "../../common/timestamp";
import type { ReplicaStub } from "../../durable/client";
import type { ObjectRow } from "../../durable/rows";
import { hashPath } from "../../ring/hash-path";
import { faults } from "../../durable/faults";
import { slotZone } from "../../durable/identity";
import { fanOut } from "../fan-out";
import { quorumSize } from "../../common/quorum";
import { bodyKey, copyBody, countR2, deleteBody, writeBody, type BodyTarget } from "./bodies";
import { policyOfIndex } from "../../config/storage-policies";
import type { ObjectRingName } from "../../ring/types";
import { containerInfo } from "./container";
import {
  EVENTUAL,
  partitionReplicas,
  readValue,
  settleWrite,
  writePartition,
  type ReadPreference,
  type ServiceContext,
} from "./context";

export interface ObjectPath {
  account: string;
  container: string;
  object: string;
}

/** A row, the zone whose replica (and bucket) served it, and the object ring it is on. */
export interface FoundObject {
  zone: string;
  row: ObjectRow;
  ring: ObjectRingName;
}

export interface PutObjectInput {
  body: ReadableStream<Uint8Array> | null;
  /** Content-Length; null for a chunked body. */
  length: number | null;
  contentType: string;
  /** User metadata and allowed headers, lower-case names. */
  metadata: Record<string, string>;
  deleteAt: number | null;
  /** The client's ETag, checked against the body's MD5 (422 on mismatch). */
  expectedEtag: string | null;
  ifNoneMatch: boolean;
  /**
   * Metadata known only once the body has been read (Swift's object metadata footers; S3's
   * checksum from an aws-chunked trailer), merged over `metadata`.
   */
  footers?: () => Record<string, string>;
}

export interface PutObjectResult {
  status: number;
  etag: string;
  timestamp: Timestamp;
}

/**
 * The object ring of the container's storage policy; policy 0's for a container that does not
 * exist (Swift's proxy reads the policy from container_info the same way, cached).
 */
export async function objectRingOf(ctx: ServiceContext, account: string, container: string): Promise<ObjectRingName> {
  const info = await containerInfo(ctx, account, container);
  return info ? policyOfIndex(ctx.config.policies, info.storagePolicyIndex).ring : "object";
}

function objectPartition(ctx: ServiceContext, ring: ObjectRingName, path: ObjectPath): number {
  return ctx.config.rings.get(ring).partitionFor(path.account, path.container, path.object);
}

/** The object's ring (its container's policy), partition and replicas. */
async function objectReplicas(ctx: ServiceContext, path: ObjectPath) {
  const ring = await objectRingOf(ctx, path.account, path.container);
  const partition = objectPartition(ctx, ring, path);
  return { ring, partition, ...partitionReplicas(ctx, ring, partition) };
}

/** Whether an object's X-Delete-At has passed (Swift: expired objects are 404 at once). */
export function isExpired(row: ObjectRow, nowMs: number): boolean {
  return row.deleteAt !== null && row.deleteAt * 1000 <= nowMs;
}

/** The object's row as `read` asks (the first replica holding it, a quorum of zones, every replica); null when none. */
export async function findObject(
  ctx: ServiceContext,
  path: ObjectPath,
  read: ReadPreference = EVENTUAL,
): Promise<FoundObject | null> {
  const name = objectKey(path.account, path.container, path.object);
  const ring = await objectRingOf(ctx, path.account, path.container);
  const found = await readValue(ctx, ring, objectPartition(ctx, ring, path), read, (stub) => stub.getObject(name));
  if (!found?.reply.value || isExpired(found.reply.value, Date.now())) return null;
  return { zone: found.zone, row: found.reply.value, ring };
}

/** The bucket of a slot's zone (`z1` and `z1/handoff` share z1's). */
function bodyTarget(ctx: ServiceContext, slot: string): BodyTarget & { zone: string } {
  const zone = slotZone(slot);
  const bucket = ctx.config.zoneBuckets.get(zone);
  const name = ctx.config.zoneBucketNames.get(zone);
  if (!bucket || !name) throw new SwiftError("InternalServerError", `zone ${zone} has no bucket`);
  return { name, bucket, zone };
}

/**
 * The object's body (or a byte range of it) from the zone that served the row, else from the
 * other primary zones' buckets; 503 when no bucket has it.
 */
export async function openBody(
  ctx: ServiceContext,
  path: ObjectPath,
  found: FoundObject,
  range?: { offset: number; length: number },
): Promise<ReadableStream<Uint8Array>> {
  const key = found.row.bodyKey;
  if (key === null) throw new SwiftError("ServiceUnavailable");
  const zones = [
    found.zone,
    ...ctx.config.rings
      .get(found.ring)
      .primaryZones(objectPartition(ctx, found.ring, path))
      .map((zone) => zone.id),
  ];
  const tried = new Set<string>();
  for (const zone of zones) {
    const target = bodyTarget(ctx, zone);
    if (tried.has(target.name) || faults.isDown(target.zone)) continue;
    tried.add(target.name);
    try {
      countR2("r2ClassB");
      const body = await target.bucket.get(key, range ? { range } : {});
      if (body) return body.body;
    } catch (error) {
      console.warn(`body ${key} unreadable in ${target.name}`, error);
    }
  }
  throw new SwiftError("ServiceUnavailable");
}

/**
 * Swift: obj.py PUT. Writes the body, then the row by quorum. 201 stored; 202 when a newer
 * write was already held (replicas' 409); 412 for If-None-Match: * on an existing object;
 * 422 when the body does not match the client's ETag.
 */
export async function putObject(
  ctx: ServiceContext,
  path: ObjectPath,
  input: PutObjectInput,
): Promise<PutObjectResult> {
  const { ring, partition, primaries, handoffs, call } = await objectReplicas(ctx, path);
  if (input.ifNoneMatch && (await findObject(ctx, path))) throw new SwiftError("PreconditionFailed");
  const timestamp = ctx.now();
  const digest = hashPath(
    ctx.config.hashPathPrefix,
    ctx.config.hashPathSuffix,
    path.account,
    path.container,
    path.object,
  );
  const key = bodyKey(path.account, bytesToHex(digest), timestamp.internal);
  const quorum = quorumSize(primaries.length);
  await faults.refresh();
  const targets = uniqueTargets(
    primaries.map((zone) => bodyTarget(ctx, zone)).filter((target) => !faults.isDown(target.zone)),
  );
  if (!targets.length) throw new SwiftError("ServiceUnavailable");
  const body = await writeBody(key, input.body, input.length, targets, ctx.config.maxFileSize);
  // With a bucket per zone, a body that reached fewer zones than a quorum fails before any row
  // is written, so a refused write is never half-visible.
  const bodyZones = new Set(primaries.filter((zone) => body.written.has(bodyTarget(ctx, zone).name)));
  if (distinctBuckets(ctx, primaries) >= quorum && bodyZones.size < quorum) {
    await deleteBody(key, targets);
    throw new SwiftError("ServiceUnavailable");
  }
  if (input.expectedEtag !== null && input.expectedEtag !== body.etag) {
    await deleteBody(key, targets);
    throw new SwiftError("UnprocessableEntity");
  }
  const row: ObjectRow = {
    name: objectKey(path.account, path.container, path.object),
    createdAt: timestamp.internal,
    deleted: 0,
    size: body.size,
    etag: body.etag,
    contentType: input.contentType,
    contentTypeTimestamp: timestamp.internal,
    metaTimestamp: timestamp.internal,
    metadata: input.footers ? { ...input.metadata, ...input.footers() } : input.metadata,
    bodyKey: key,
    deleteAt: input.deleteAt,
  };
  const written = new Map(
    targets.filter((target) => body.written.has(target.name)).map((target) => [target.name, target.bucket]),
  );
  const replies = await fanOut(primaries, handoffs, async (zone, standingFor): Promise<ReplicaReply> => {
    const target = bodyTarget(ctx, zone);
    if (faults.isDown(target.zone)) return { status: 503 };
    if (!written.has(target.name)) {
      const source = written.values().next();
      if (source.done || !(await copyBody(key, source.value, target.bucket).catch(() => false))) return { status: 503 };
      written.set(target.name, target.bucket);
    }
    return call((stub) => stub.putObject(row, { ifNoneMatch: input.ifNoneMatch, standingFor }))(zone);
  });
  const status = await settleWrite(ctx, ring, partition, primaries, replies);
  // Bodies in buckets no accepting replica points at are garbage now.
  const accepted = new Set(replies.filter((r) => r.reply.status === 201).map((r) => bodyTarget(ctx, r.zone).name));
  const unused = [...written].filter(([name]) => !accepted.has(name)).map(([name, bucket]) => ({ name, bucket }));
  if (unused.length) await deleteBody(key, unused);
  return { status: status === 409 ? 202 : status, etag: body.etag, timestamp };
}

function distinctBuckets(ctx: ServiceContext, zones: readonly string[]): number {
  return new Set(zones.map((zone) => bodyTarget(ctx, zone).name)).size;
}

function uniqueTargets(targets: readonly BodyTarget[]): BodyTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => !seen.has(target.name) && seen.add(target.name));
}

/** A metadata write on every replica of the object: its status, a stale one (409) taken as 202 as Swift does. */
async function postReplicas<T>(
  ctx: ServiceContext,
  path: ObjectPath,
  post: (stub: ReplicaStub<"object">, name: string, standingFor: string | null) => Promise<ReplicaReply<T>>,
): Promise<number> {
  const name = objectKey(path.account, path.container, path.object);
  const { ring, partition } = await objectReplicas(ctx, path);
  const status = await writePartition(ctx, ring, partition, (stub, standingFor) => post(stub, name, standingFor));
  return status === 409 ? 202 : status;
}

/**
 * Swift: obj.py POST. Replaces the metadata on every replica: 202; 404 when missing. With it, the
 * content type a replica that took the POST holds (a link's parameters in it), null when none did.
 */
export async function postObject(
  ctx: ServiceContext,
  path: ObjectPath,
  metadata: Record<string, string>,
  deleteAt: number | null,
  contentType: string | null,
): Promise<{ status: number; storedType: string | null }> {
  const timestamp = ctx.now().internal;
  let storedType: string | null = null;
  const status = await postReplicas(ctx, path, async (stub, name, standingFor) => {
    const reply = await stub.postObject(name, timestamp, metadata, deleteAt, contentType, standingFor);
    if (reply.status === 202 && reply.value !== undefined) storedType ??= reply.value;
    return reply;
  });
  return { status, storedType };
}

/**
 * A sysmeta update (Environ.sysmetaUpdate) on every replica: `sysmeta` set, all else kept, made
 * at this moment (its clock, durable/merge.ts sysmetaUpdatedAt). 202, as a POST (also when a
 * newer update stands); 404 when missing.
 */
export function postObjectSysmeta(ctx: ServiceContext, path: ObjectPath, sysmeta: Record<string, string>) {
  const clock = ctx.now().units;
  return postReplicas(ctx, path, (stub, name, standingFor) =>
    stub.postObjectSysmeta(name, sysmeta, clock, standingFor),
  );
}

/** Swift: obj.py DELETE. A tombstone on every replica: 204; 404 when there was no object. */
export async function deleteObject(ctx: ServiceContext, path: ObjectPath): Promise<number> {
  const timestamp = ctx.now().internal;
  const name = objectKey(path.account, path.container, path.object);
  const { ring, partition } = await objectReplicas(ctx, path);
  const status = await writePartition(ctx, ring, partition, (stub, standingFor) =>
    stub.deleteObject(name, timestamp, standingFor),
  );
  return status === 409 ? 204 : status;
}
