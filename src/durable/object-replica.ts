/**
 * @module
 * One object-ring partition in one zone, named `object/{partition}/{zone}`: Swift's object server
 * for the objects that hash to it. Rows point at immutable bodies in the zone's bucket; each
 * write queues the container update it owes and delivers it at once, retrying from its alarm.
 * Public methods are its RPC surface; it has no fetch().
 */

import { copyBody } from "../common/bodies";
import { countWork } from "../common/work";
import { CONTAINER_UPDATE_TIMEOUT_MS, ROWS_PER_RPC_MAX } from "../common/constraints";
import type { ReplicaReply } from "../common/replies";
import { Timestamp } from "../common/timestamp";
import { mergeObject, postedAt, sysmetaUpdatedAt, withDataParamsOf, withSysmetaOf, withSysmetaUpdated } from "./merge";
import { ReplicaBase } from "./replica-base";
import { earliest } from "./replica/alarm";
import { listingRowOf, objectTombstone, type ContainerUpdate, type ObjectRow } from "./rows";
import { OBJECT_MIGRATIONS, ObjectRows } from "./schema/object";
import { updateTargets } from "./identity";
import { ShardRoutes } from "./shard-routes";
import { shardsAccount } from "./shard-ranges";

/** How long garbage bodies wait before the alarm deletes them if the inline delete did not. */
const GARBAGE_RETRY_MS = 30_000;

export interface PutObjectOptions {
  /** `If-None-Match: *`: refuse with 412 when the object exists. */
  ifNoneMatch?: boolean;
  /** On a handoff: the primary zone it stands in for (the proxy's fan-out tells it). */
  standingFor?: string | null;
}

export class ObjectReplica extends ReplicaBase<ObjectRow, ObjectRows> {
  readonly #routes = new ShardRoutes();
  readonly #outbox = this.outboxTo("container", async (stub, updates: ContainerUpdate[]) => {
    const reply = await stub.updateObjects(updates);
    this.#routes.learn(reply.value, Date.now());
    if (reply.status === 404 && updates.every((update) => update.root)) return this.#backToRoots(updates);
    return reply;
  });

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, OBJECT_MIGRATIONS, ObjectRows);
  }

  /** Swift: obj/server.py HEAD/GET. 200 with the row, or 404 (with the tombstone's timestamp). */
  getObject(name: string): ReplicaReply<ObjectRow> {
    return this.measured(() => {
      this.ensureSchema();
      const row = this.rows.get(name);
      if (!row) return { status: 404 };
      if (row.deleted) return { status: 404, timestamp: row.createdAt };
      return { status: 200, timestamp: row.createdAt, value: row };
    });
  }

  /**
   * Swift: obj/server.py PUT. 201 when the row is stored; 409 when a row as new or newer is held
   * (the proxy answers 202); 412 for `If-None-Match: *` on an existing object.
   */
  async putObject(row: ObjectRow, options: PutObjectOptions = {}): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const current = this.rows.get(row.name);
      if (options.ifNoneMatch && current && !current.deleted) return { status: 412, timestamp: current.createdAt };
      if (current && current.createdAt >= row.createdAt) return { status: 409, timestamp: current.createdAt };
      await this.#write(current, row, options.standingFor ?? null);
      return { status: 201, timestamp: row.createdAt };
    });
  }

  /**
   * Swift: obj/server.py DELETE. Writes a tombstone; 204 when an object was there, else 404; 409
   * when older. `standingFor`: on a handoff, the primary zone it stands in for.
   */
  async deleteObject(name: string, timestamp: string, standingFor: string | null = null): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const current = this.rows.get(name);
      if (current && current.createdAt >= timestamp) return { status: 409, timestamp: current.createdAt };
      await this.#write(current, objectTombstone(name, timestamp), standingFor);
      return { status: current && !current.deleted ? 204 : 404, timestamp };
    });
  }

  /**
   * Swift: obj/server.py POST ("fast-POST"). Replaces all metadata (and the content type when
   * given) but what describes the data this replica holds: its system metadata, X-Static-Large-Object
   * and the content type's `swift_*` parameters stay (merge.ts withSysmetaOf, withDataParamsOf),
   * whatever another replica's data made the proxy send; 202 with the content type it now holds
   * (a link's parameters in it: Swift's object server answers a POST with the object's sysmeta,
   * which the symlink middleware reads), 404 when there is no object, 409 when the POST is older
   * than the data.
   * `standingFor`: on a handoff, the primary zone it stands in for.
   */
  async postObject(
    name: string,
    timestamp: string,
    metadata: Record<string, string>,
    deleteAt: number | null,
    contentType: string | null,
    standingFor: string | null = null,
  ): Promise<ReplicaReply<string>> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const current = this.rows.get(name);
      if (!current || current.deleted) return current ? { status: 404, timestamp: current.createdAt } : { status: 404 };
      if (current.createdAt >= timestamp) return { status: 409, timestamp: current.createdAt };
      const incoming: ObjectRow = {
        ...current,
        metaTimestamp: postedAt(current.metaTimestamp, timestamp),
        metadata: withSysmetaOf(current.metadata, metadata),
        deleteAt,
        ...(contentType === null
          ? {}
          : { contentType: withDataParamsOf(current.contentType, contentType), contentTypeTimestamp: timestamp }),
      };
      await this.#write(current, incoming, standingFor);
      return { status: 202, timestamp, value: incoming.contentType };
    });
  }

  /**
   * A sysmeta update (edgeswift's own POST: S3's object tagging): `sysmeta` set over the object's
   * (an empty value removes one), all else kept, at its meta timestamp with `clock` as offset
   * (merge.ts sysmetaUpdatedAt: Last-Modified stays). 202; 404 when there is no object; 409 when
   * the object holds an update as new or newer. `standingFor`: on a handoff, the primary zone it
   * stands in for.
   */
  async postObjectSysmeta(
    name: string,
    sysmeta: Record<string, string>,
    clock: number,
    standingFor: string | null = null,
  ): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const current = this.rows.get(name);
      if (!current || current.deleted) return current ? { status: 404, timestamp: current.createdAt } : { status: 404 };
      const metaTimestamp = sysmetaUpdatedAt(current.metaTimestamp, clock);
      if (metaTimestamp === null) return { status: 409, timestamp: current.metaTimestamp };
      const incoming: ObjectRow = {
        ...current,
        metaTimestamp,
        metadata: withSysmetaUpdated(current.metadata, sysmeta),
      };
      await this.#write(current, incoming, standingFor);
      return { status: 202, timestamp: metaTimestamp };
    });
  }

  /**
   * Tombstones for many objects at one timestamp (the account reaper's batch, an SLO's segments
   * deleted in the background), each freeing its body and, with `updateContainer`, leaving its
   * container's listing through this replica's container update. The reaper passes false: it
   * drops the listing rows itself, a batch per container replica, once a quorum of each object's
   * replicas took its tombstone (an update from here would be one call per replica and
   * partition, to a container about to go). Returns how many rows changed.
   */
  deleteObjects(names: string[], timestamp: string, updateContainer = true): Promise<ReplicaReply<number>> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const changed = await this.merge(
        names.slice(0, ROWS_PER_RPC_MAX).map((name) => objectTombstone(name, timestamp)),
        null,
        updateContainer,
      );
      this.scheduleReclaim();
      return { status: 200, value: changed };
    });
  }

  /**
   * What this replica's duties have yet to do (the dashboard and /metrics): container updates not
   * yet delivered (Swift's async_pendings), and objects past their X-Delete-At the expirer has yet
   * to delete (counted up to ROWS_PER_RPC_MAX, one alarm's batch).
   */
  backlog(): ReplicaReply<{ updatesPending: number; expired: number }> {
    return this.measured(() => {
      this.ensureSchema();
      const expired = this.rows.expiredCount(Math.floor(Date.now() / 1000), ROWS_PER_RPC_MAX);
      return { status: 200, value: { updatesPending: this.#outbox.pendingCount, expired } };
    });
  }

  /** Container updates not yet delivered (for tests and recon). */
  pendingUpdateCount(): number {
    this.ensureSchema();
    return this.#outbox.pendingCount;
  }

  protected isIdle(): boolean {
    return this.tree.root().rows === 0 && this.#outbox.pendingCount === 0 && this.rows.garbage(1).length === 0;
  }

  /**
   * Merges rows from a peer: bodies the winning rows point at are copied into this zone's bucket
   * first (when zones have buckets of their own), so a row never points at a body this zone lacks.
   */
  protected async merge(rows: ObjectRow[], sourceZone: string | null, sendUpdates = true): Promise<number> {
    const batch = rows.slice(0, ROWS_PER_RPC_MAX);
    if (sourceZone !== null) {
      // Only rows this replica will take: one it already holds came with its body (a replica
      // stores a row after its body), so a handoff's revert to a primary that has it costs no copy.
      const winners = batch.filter((row) => {
        if (row.deleted || row.bodyKey === null) return false;
        const merge = mergeObject(this.rows.get(row.name), row);
        return merge.changed && merge.row.bodyKey === row.bodyKey;
      });
      await this.#copyBodies(winners, sourceZone);
    }
    let changed = 0;
    const garbage: string[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const row of batch) {
        const merge = mergeObject(this.rows.get(row.name), row);
        garbage.push(...merge.garbage);
        if (!merge.changed) continue;
        changed += 1;
        this.rows.save(merge.row);
        if (sendUpdates) this.#queueUpdate(merge.row);
      }
      this.rows.queueGarbage(garbage, Date.now());
    });
    if (changed) this.noteChange();
    if (garbage.length) this.#collectGarbage();
    const nextExpiry = this.rows.nextDeleteAt();
    if (nextExpiry !== null) this.armAlarm(nextExpiry * 1000);
    if (changed && sendUpdates) await this.#deliverWithin(CONTAINER_UPDATE_TIMEOUT_MS);
    return changed;
  }

  async #copyBodies(rows: ObjectRow[], sourceZone: string): Promise<void> {
    const names = this.config.zoneBucketNames;
    if (names.get(sourceZone) === names.get(this.identity.zone)) return;
    const from = this.config.zoneBuckets.get(sourceZone);
    const to = this.config.zoneBuckets.get(this.identity.zone);
    if (!from || !to) return;
    await Promise.all(
      rows.map(async (row) => {
        if (row.bodyKey === null) return;
        countWork("r2ClassB");
        countWork("subrequests");
        if (await to.head(row.bodyKey)) return;
        if (!(await copyBody(row.bodyKey, from, to)))
          console.warn(`object replica ${this.ctx.id.name}: body ${row.bodyKey} missing in ${sourceZone}`);
      }),
    );
  }

  /**
   * Expires objects past X-Delete-At, delivers container updates, deletes garbage bodies; returns when to come back.
   */
  protected async runDuties(): Promise<number | null> {
    const nextExpiry = await this.#expire();
    await this.#outbox.deliver();
    await this.#deleteGarbage();
    const times = [nextExpiry];
    if (this.#outbox.pendingCount > 0) times.push(this.#outbox.retryAt(Date.now()));
    if (this.rows.garbage(1).length > 0) times.push(Date.now() + GARBAGE_RETRY_MS);
    return earliest(times);
  }

  /**
   * The expirer, run by each replica for its own rows: an object past its X-Delete-At gets a
   * tombstone stamped with that time (every replica writes the same one), which removes it from
   * its container listing and frees its body. Swift: obj/expirer.py. Returns the next expiry.
   */
  async #expire(): Promise<number | null> {
    for (const row of this.rows.expired(Math.floor(Date.now() / 1000), ROWS_PER_RPC_MAX)) {
      if (row.deleteAt === null) continue;
      const at = Timestamp.fromSeconds(row.deleteAt);
      const created = Timestamp.parse(row.createdAt);
      const stamp = created && at.internal <= row.createdAt ? new Timestamp(created.units, created.offset + 1) : at;
      await this.#write(row, objectTombstone(row.name, stamp.internal));
    }
    const next = this.rows.nextDeleteAt();
    return next === null ? null : next * 1000;
  }

  /**
   * Stores a merged row, then sends its container update (queued only for a container replica it
   * did not reach in time: the outbox's rows are written only when delivery fails).
   * `standingFor`: on a handoff, the primary it stands in for, the one its revert owes the row.
   */
  async #write(current: ObjectRow | null, incoming: ObjectRow, standingFor: string | null = null): Promise<void> {
    const merge = mergeObject(current, incoming);
    this.ctx.storage.transactionSync(() => {
      this.rows.save(merge.row);
      this.rows.queueGarbage(merge.garbage, Date.now());
    });
    this.noteWrite(standingFor);
    if (merge.garbage.length) this.#collectGarbage();
    if (merge.row.deleted) this.scheduleReclaim();
    if (merge.row.deleteAt !== null) this.armAlarm(merge.row.deleteAt * 1000);
    const update = this.#updateOf(merge.row);
    if (!(await this.#outbox.sendOrQueue(update.targets, update.key, update.payload, CONTAINER_UPDATE_TIMEOUT_MS)))
      this.armAlarm(this.#outbox.retryAt(Date.now()));
  }

  /** Queues a row's container update (a merge's: sent with the batch's others). */
  #queueUpdate(row: ObjectRow): void {
    const update = this.#updateOf(row);
    this.#outbox.queue(update.targets, update.key, update.payload);
  }

  /**
   * A row's container update: the container replicas it goes to, its key and its payload. A
   * sharded container's goes to the shard owning the name when a redirect taught this replica
   * its shards (shard-routes.ts), else to the container, which forwards it.
   */
  #updateOf(row: ObjectRow): { targets: { partition: number; zone: string }[]; key: string; payload: ContainerUpdate } {
    const [account = "", container = ""] = row.name.split("/");
    const listing = listingRowOf(row);
    const shard = this.#routes.shardFor(account, container, listing.name, Date.now());
    const payload: ContainerUpdate = shard
      ? { account: shardsAccount(account), container: shard.name, row: listing, root: { account, container } }
      : { account, container, row: listing };
    return { targets: this.#targetsOf(payload), key: row.name, payload };
  }

  /** The container replicas an update goes to (identity.ts updateTargets). */
  #targetsOf(update: ContainerUpdate): { partition: number; zone: string }[] {
    const rings = this.config.rings;
    return updateTargets(
      this.identity,
      rings.get(this.identity.ring),
      rings.container,
      rings.container.partitionFor(update.account, update.container),
    );
  }

  /**
   * Updates a shard refused as not its own (404: gone with its root, or not there yet): queued
   * again for their root, which forwards them where they belong; the shard's copies are then done.
   */
  #backToRoots(updates: ContainerUpdate[]): ReplicaReply {
    for (const update of updates) {
      if (!update.root) continue;
      this.#routes.forget(update.root.account, update.root.container);
      const back: ContainerUpdate = { account: update.root.account, container: update.root.container, row: update.row };
      // Keyed by the row's version: an older row coming back never replaces a newer one queued for the root.
      const version = `${update.row.createdAt}/${update.row.metaTimestamp}/${update.row.contentTypeTimestamp}`;
      const key = `${update.root.account}/${update.root.container}/${update.row.name}\u0000${version}`;
      this.#outbox.queue(this.#targetsOf(back), key, back);
    }
    this.armAlarm(Date.now());
    return { status: 202 };
  }

  /** Waits for delivery up to `timeoutMs` (Swift: container_update_timeout); the alarm retries what is left. */
  async #deliverWithin(timeoutMs: number): Promise<void> {
    if (!(await this.#outbox.deliverWithin(timeoutMs))) this.armAlarm(this.#outbox.retryAt(Date.now()));
  }

  protected override async beforeWipe(): Promise<void> {
    await this.#deleteGarbage();
  }

  /** Bodies that lost to a newer write go from this zone's bucket now; the alarm retries failures. */
  #collectGarbage(): void {
    this.armAlarm(Date.now() + GARBAGE_RETRY_MS);
    this.ctx.waitUntil(this.#deleteGarbage());
  }

  async #deleteGarbage(): Promise<void> {
    const keys = this.rows.garbage(ROWS_PER_RPC_MAX);
    if (!keys.length) return;
    const bucket = this.config.zoneBuckets.get(this.identity.zone);
    if (!bucket) return;
    try {
      await bucket.delete(keys);
      this.ctx.storage.transactionSync(() => this.rows.clearGarbage(keys));
    } catch (error) {
      console.warn(`object replica ${this.ctx.id.name}: garbage delete failed, alarm retries`, error);
    }
  }
}
