/**
 * @module
 * The sharder: a container replica's duty for its containers past CONTAINER_SHARD_ROWS. The
 * leader (the replica in the partition's first primary zone) finds ranges of half as many rows
 * each, makes each range's shard container on its own partition's primaries, cleaves (copies) its
 * rows into it in batches, and once every range is cleaved makes them all active at once, telling
 * its peers at once. From then every replica of the root moves the listing rows it still holds,
 * or is sent, to their shard (container-replica.ts). Each step needs a quorum of the shard's
 * primaries; one that fails is tried again from the next alarm, with a zone down too.
 * Swift: container/sharder.py (find, create, cleave; the root's replicas each cleave their own rows).
 */

import { quorumSize } from "../common/quorum";
import { isSuccess, type ReplicaReply } from "../common/replies";
import { ROWS_PER_RPC_MAX, NODE_TIMEOUT_MS } from "../common/constraints";
import { Timestamp } from "../common/timestamp";
import type { Config } from "../config/config";
import type { ReplicaClient, ReplicaStub } from "./client";
import type { ReplicaIdentity } from "./identity";
import { stampMetadata } from "./merge";
import type { ContainerRow, ContainerUpdate, ListingRow } from "./rows";
import type { ContainerReplicaRow, ContainerRows } from "./schema/container";
import { controlStub } from "./names";
import {
  rangesCutAt,
  rootOf,
  shardBoundsOf,
  shardName,
  shardRootOf,
  shardsAccount,
  shrinkCandidate,
  unionOf,
  SHARD_LOWER_META,
  SHARD_ROOT_META,
  SHARD_UPPER_META,
  type ShardRange,
  type ShardState,
} from "./shard-ranges";
import { bytesToHex } from "@noble/hashes/utils.js";
import { md5 } from "@noble/hashes/legacy.js";

/** Batches of rows one alarm cleaves before it hands over to the next (about 10,000 rows). */
const CLEAVE_BATCHES_PER_ALARM = 10;
/** Containers one alarm looks at to find ranges in. */
const CONTAINERS_PER_ALARM = 8;

/** What the sharder needs of its replica. */
export interface SharderHost {
  identity: ReplicaIdentity;
  config: Config;
  client: ReplicaClient;
  storage: DurableObjectStorage;
  rows: ContainerRows;
  /** Notes a change of this replica's rows its peers do not share yet (ReplicaBase.noteChange). */
  noteChange(): void;
}

const encoder = new TextEncoder();
const now = () => Timestamp.fromSeconds(Date.now() / 1000).internal;

/** States of a range being split out of its container: the container still serves it. */
const SPLITTING: readonly ShardState[] = ["found", "created", "cleaved"];

/**
 * The ranges that serve a container: its active ones (and one shrinking, until its neighbour
 * takes its range), once none is still being split out (a split activates all its ranges at
 * once); none while it is not sharded. A shard that split again is `sharded` in its root, its
 * children active in its place; one that shrank is `shrunk`, its neighbour widened over it.
 */
export function activeRanges(ranges: readonly ShardRange[]): ShardRange[] {
  if (ranges.some((range) => SPLITTING.includes(range.state))) return [];
  return ranges.filter((range) => range.state === "active" || range.state === "shrinking");
}

export class Sharder {
  readonly #host: SharderHost;

  constructor(host: SharderHost) {
    this.#host = host;
  }

  /** Rows per shard: half the threshold (Swift: rows_per_shard = shard_container_threshold // 2). */
  get #rowsPerShard(): number {
    return Math.max(1, Math.floor(this.#host.config.containerShardRows / 2));
  }

  /** Whether this replica leads its partition's sharding: a primary in the partition's first primary zone. */
  get isLeader(): boolean {
    const { identity, config } = this.#host;
    return !identity.handoff && config.rings.container.primaryZones(identity.partition)[0]?.id === identity.zone;
  }

  /** Whether a container (a root, or a shard: it splits again) should be split. */
  wants(container: ContainerRow): boolean {
    return container.objectCount > this.#host.config.containerShardRows;
  }

  /** One alarm's sharding: finds ranges, makes shards, cleaves, activates. True when work is left. */
  async run(): Promise<boolean> {
    if (!this.isLeader) return false;
    const { rows } = this.#host;
    let more = false;
    for (const key of rows.containersOver(this.#host.config.containerShardRows, CONTAINERS_PER_ALARM)) {
      const container = rows.container(key);
      if (container && this.wants(container) && rows.shardRanges(key).length === 0) await this.#find(key, container);
    }
    for (const key of rows.shardedContainers()) {
      const container = rows.container(key);
      const ranges = rows.shardRanges(key);
      if (!container) continue;
      const serving = activeRanges(ranges);
      if (!serving.length) more = (await this.#advance(key, container, ranges)) || more;
      // A root's almost empty shards merge into a neighbour, one at a time.
      else if (!shardRootOf(container)) more = (await this.#shrink(key, container, serving)) || more;
    }
    return more;
  }

  /**
   * One step of shrinking (Swift's): a shard with at most SHRINK_POINT of the threshold goes
   * `shrinking`; its acceptor's bounds widen over it (sysmeta, a quorum of its primaries); its
   * rows are copied into the acceptor in batches (read from a primary of it, written to a quorum
   * of the acceptor's); then a quorum of the root's replicas makes it `shrunk` and the acceptor
   * serve both ranges, and the shard's own replicas move what they hold, or are sent, to the
   * acceptor. True when work is left.
   */
  async #shrink(key: string, root: ContainerRow, serving: ShardRange[]): Promise<boolean> {
    const { rows, storage } = this.#host;
    const donor = serving.find((range) => range.state === "shrinking");
    if (!donor) {
      const candidate = shrinkCandidate(serving, this.#host.config.containerShardRows);
      if (!candidate) return false;
      this.#save(key, candidate.donor, "shrinking");
      storage.kv.put(`sharder.shrink.${key}`, { acceptor: candidate.acceptor.name, step: "widen", cursor: "" });
      await this.#tellPeers(key);
      console.log(`sharder ${key}: ${candidate.donor.name} shrinking into ${candidate.acceptor.name}`);
      return true;
    }
    const stateKey = `sharder.shrink.${key}`;
    const plan = storage.kv.get<{ acceptor: string; step: "widen" | "copy" | "switch"; cursor: string }>(stateKey);
    const acceptor = plan ? rows.shardRange(key, plan.acceptor) : null;
    if (!plan || !acceptor) return false;
    const account = shardsAccount(root.account);
    const union = unionOf(donor, acceptor);
    if (plan.step === "widen") {
      const timestamp = now();
      const metadata = stampMetadata({ [SHARD_LOWER_META]: union.lower, [SHARD_UPPER_META]: union.upper }, timestamp);
      if (
        !(await this.#quorum(account, acceptor.name, (stub) =>
          stub.postContainer(account, acceptor.name, timestamp, metadata),
        ))
      )
        return true;
      storage.kv.put(stateKey, { ...plan, step: "copy" });
      return true;
    }
    if (plan.step === "copy") {
      let cursor = plan.cursor;
      for (let batch = 0; batch < CLEAVE_BATCHES_PER_ALARM; batch++) {
        const held = await this.#rowsOf(account, donor.name, cursor);
        if (held === null) return true;
        if (!held.length) {
          storage.kv.put(stateKey, { ...plan, step: "switch", cursor });
          return true;
        }
        const updates: ContainerUpdate[] = held.map((row) => ({ account, container: acceptor.name, row }));
        if (!(await this.#quorum(account, acceptor.name, (stub) => stub.updateObjects(updates)))) return true;
        cursor = held[held.length - 1]?.name ?? cursor;
        storage.kv.put(stateKey, { ...plan, cursor });
      }
      return true;
    }
    const timestamp = now();
    // Its counts stay the acceptor's own reports, which count the copied rows once they hold them.
    const widened: ShardRange = { ...acceptor, ...union, stateTimestamp: timestamp };
    if (
      !(await this.#quorum(root.account, root.container, (stub) =>
        stub.retireShardRange(root.account, root.container, donor.name, "shrunk", [widened], timestamp),
      ))
    )
      return true;
    // The donor's replicas send what they hold, and are sent, to the acceptor from now on.
    const forward: ShardRange = { ...widened, lower: donor.lower, upper: donor.upper, objectCount: 0, bytesUsed: 0 };
    const donorKey = `${account}/${donor.name}`;
    await this.#quorum(account, donor.name, (stub) => stub.mergeRows([{ kind: "shard", key: donorKey, row: forward }]));
    storage.kv.delete(stateKey);
    this.#host.noteChange();
    console.log(`sharder ${key}: ${donor.name} shrunk into ${acceptor.name}`);
    return true;
  }

  /** A shard's listing rows (tombstones too) after `after`, from the first of its primaries that answers; null when none does. */
  async #rowsOf(account: string, container: string, after: string): Promise<ListingRow[] | null> {
    const ring = this.#host.config.rings.container;
    const partition = ring.partitionFor(account, container);
    for (const zone of ring.primaryZones(partition)) {
      const reply = await this.#host.client.call(
        "container",
        partition,
        zone.id,
        (stub) => stub.listingRows(account, container, after, ROWS_PER_RPC_MAX),
        NODE_TIMEOUT_MS,
      );
      if (reply.status === 200 && reply.value) return reply.value;
    }
    return null;
  }

  /** Chooses the ranges: cut after every `rowsPerShard`-th live name; the last takes the rest. */
  async #find(key: string, container: ContainerRow): Promise<void> {
    const { rows, storage } = this.#host;
    const per = this.#rowsPerShard;
    const count = Math.max(2, Math.floor(container.objectCount / per));
    const uppers: string[] = [];
    for (let index = 1; index < count; index++) {
      const name = rows.liveNameAt(key, index * per - 1);
      if (name === null) break;
      uppers.push(name);
    }
    if (!uppers.length) return;
    const timestamp = now();
    const parent = bytesToHex(md5(encoder.encode(key)));
    // A shard splits its own range, into shards named and rooted as its root's.
    const { lower, upper } = shardRootOf(container) ? shardBoundsOf(container.metadata) : { lower: "", upper: "" };
    const root = rootOf(container);
    storage.transactionSync(() => {
      rangesCutAt(uppers, lower, upper).forEach((bounds, index) =>
        rows.saveShardRange(key, {
          ...bounds,
          name: shardName(root.container, parent, timestamp, index),
          state: "found",
          timestamp,
          stateTimestamp: timestamp,
          objectCount: 0,
          bytesUsed: 0,
          metaTimestamp: timestamp,
        }),
      );
    });
    this.#host.noteChange();
    console.log(`sharder ${key}: ${uppers.length + 1} ranges found for ${container.objectCount} objects`);
    if (!shardRootOf(container)) await this.#note(key, "sharding", uppers.length + 1, container.objectCount);
  }

  /** Tells the control record (recon, metrics, the dashboard); best effort, a failure only logged. */
  async #note(key: string, state: "sharding" | "sharded", shards: number, objects: number): Promise<void> {
    try {
      await controlStub(this.#host.config).noteSharding({
        container: key,
        state,
        shards,
        objects,
        changedAt: Date.now(),
      });
    } catch (error) {
      console.warn(`sharder ${key}: control record not told ${state}`, error);
    }
  }

  /** One step for each range not yet cleaved; all active once all are cleaved. True when work is left. */
  async #advance(key: string, container: ContainerRow, ranges: ShardRange[]): Promise<boolean> {
    let batches = CLEAVE_BATCHES_PER_ALARM;
    for (const range of ranges) {
      if (range.state === "found" && (await this.#create(container, range))) this.#save(key, range, "created");
      const current = this.#host.rows.shardRange(key, range.name);
      if (current?.state !== "created") continue;
      const cleaved = await this.#cleave(key, container, current, batches);
      batches = cleaved.batchesLeft;
      if (cleaved.done) this.#save(key, current, "cleaved", this.#host.rows.countInRange(key, current));
      if (batches <= 0) return true;
    }
    const after = this.#host.rows.shardRanges(key);
    if (!after.every((range) => range.state === "cleaved")) return true;
    // A shard's children take its place in its root first: until a quorum of the root's replicas
    // list them, updates still come to the shard, which serves them as before.
    if (shardRootOf(container) && !(await this.#replaceAtRoot(container, after))) return true;
    const timestamp = now();
    this.#host.storage.transactionSync(() => {
      for (const range of after)
        this.#host.rows.saveShardRange(key, { ...range, state: "active", stateTimestamp: timestamp });
    });
    this.#host.noteChange();
    await this.#tellPeers(key);
    console.log(`sharder ${key}: ${after.length} shards active`);
    // The control record lists roots (a shard's own split shows in its root's shard ranges).
    if (!shardRootOf(container))
      await this.#note(
        key,
        "sharded",
        after.length,
        after.reduce((sum, range) => sum + range.objectCount, 0),
      );
    return true;
  }

  #save(key: string, range: ShardRange, state: ShardState, counts?: { objectCount: number; bytesUsed: number }): void {
    const timestamp = now();
    this.#host.storage.transactionSync(() =>
      this.#host.rows.saveShardRange(key, {
        ...range,
        state,
        stateTimestamp: timestamp,
        ...(counts ? { ...counts, metaTimestamp: timestamp } : {}),
      }),
    );
    this.#host.noteChange();
  }

  /** Calls every primary of a container's partition; true when a quorum answered 2xx. */
  async #quorum(
    account: string,
    container: string,
    method: (stub: ReplicaStub<"container">) => Promise<ReplicaReply<unknown>>,
  ): Promise<boolean> {
    const ring = this.#host.config.rings.container;
    const partition = ring.partitionFor(account, container);
    const zones = ring.primaryZones(partition).map((zone) => zone.id);
    const replies = await Promise.all(
      zones.map((zone) => this.#host.client.call("container", partition, zone, method, NODE_TIMEOUT_MS)),
    );
    const took = zones.filter((_zone, index) => isSuccess(replies[index]?.status ?? 503));
    if (took.length < quorumSize(zones.length)) return false;
    // A primary missed it: the ones that took it repair with it once it answers (as the proxy's writes do).
    if (took.length < zones.length)
      await Promise.all(
        took.map((zone) =>
          this.#host.client.call("container", partition, zone, (stub) => stub.markDirty(), NODE_TIMEOUT_MS),
        ),
      );
    return true;
  }

  /**
   * Tells a quorum of the root's replicas that this shard split: its range `sharded`, its
   * children (cleaved, with their counts) active in its place.
   */
  #replaceAtRoot(shard: ContainerRow, children: readonly ShardRange[]): Promise<boolean> {
    const root = rootOf(shard);
    const timestamp = now();
    const active = children.map((range) => ({ ...range, state: "active" as const, stateTimestamp: timestamp }));
    return this.#quorum(root.account, root.container, (stub) =>
      stub.retireShardRange(root.account, root.container, shard.container, "sharded", active, timestamp),
    );
  }

  /** Makes a range's shard container (with its root and bounds as sysmeta) in the root's storage policy. */
  #create(parent: ContainerRow, range: ShardRange): Promise<boolean> {
    const timestamp = now();
    const root = rootOf(parent);
    const account = shardsAccount(root.account);
    const metadata = stampMetadata(
      {
        [SHARD_ROOT_META]: `${root.account}/${root.container}`,
        [SHARD_LOWER_META]: range.lower,
        [SHARD_UPPER_META]: range.upper,
      },
      timestamp,
    );
    return this.#quorum(account, range.name, (stub) =>
      stub.putContainer(account, range.name, timestamp, metadata, {
        index: parent.storagePolicyIndex,
        explicit: true,
      }),
    );
  }

  /**
   * Copies up to `batches` batches of the range's rows (tombstones too, with their timestamps)
   * into its shard, from the cursor the last alarm left; done when none are left.
   */
  async #cleave(
    key: string,
    root: ContainerRow,
    range: ShardRange,
    batches: number,
  ): Promise<{ done: boolean; batchesLeft: number }> {
    const { rows, storage } = this.#host;
    const cursorKey = `sharder.cursor.${key}.${range.name}`;
    const account = shardsAccount(rootOf(root).account);
    let left = batches;
    while (left > 0) {
      const after = storage.kv.get<string>(cursorKey) ?? "";
      const batch = rows.rowsInRange(key, range, after, ROWS_PER_RPC_MAX);
      if (!batch.length) {
        storage.kv.delete(cursorKey);
        return { done: true, batchesLeft: left };
      }
      left -= 1;
      const updates: ContainerUpdate[] = batch.map((row) => ({ account, container: range.name, row }));
      if (!(await this.#quorum(account, range.name, (stub) => stub.updateObjects(updates))))
        return { done: false, batchesLeft: 0 };
      storage.kv.put(cursorKey, batch[batch.length - 1]?.name ?? after);
    }
    return { done: false, batchesLeft: 0 };
  }

  /** Sends a container's shard ranges to the partition's other primaries (repair would, a sweep later). */
  async #tellPeers(key: string): Promise<void> {
    const { identity, config, client, rows } = this.#host;
    const ranges: ContainerReplicaRow[] = rows.shardRanges(key).map((row) => ({ kind: "shard", key, row }));
    const peers = config.rings.container
      .primaryZones(identity.partition)
      .map((zone) => zone.id)
      .filter((zone) => zone !== identity.zone);
    await Promise.all(
      peers.map((zone) =>
        client.call(
          "container",
          identity.partition,
          zone,
          (stub) => stub.mergeRows(ranges, identity.zone),
          NODE_TIMEOUT_MS,
        ),
      ),
    );
  }
}
