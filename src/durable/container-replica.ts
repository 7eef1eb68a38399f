/**
 * @module
 * One container-ring partition in one zone, named `container/{partition}/{zone}`: Swift's
 * container server (container DB) for the containers that hash to it. Holds each container's
 * row and listing; reports counts to the account ring through its outbox.
 * Public methods are its RPC surface; it has no fetch().
 */

import { ACCOUNT_REPORT_DELAY_MS, CONTAINER_UPDATE_TIMEOUT_MS, ROWS_PER_RPC_MAX } from "../common/constraints";
import { containerKey } from "../common/path";
import { isSuccess, type ReplicaReply } from "../common/replies";
import { Timestamp } from "../common/timestamp";
import { updateTargets } from "./identity";
import {
  listNamesWithin,
  type ListingEntry,
  type ListingParams,
  type ListingRange,
  type ListingResume,
} from "./listing";
import { isContainerDeleted, mergeClientMetadata, mergeListing, mergeMetadata, winningPolicy } from "./merge";
import { containerRowHash } from "./partition-hash";
import { ReplicaBase } from "./replica-base";
import type { ContainerReport, ContainerRow, ContainerUpdate, ListingRow, MetadataMap } from "./rows";
import { CONTAINER_MIGRATIONS, ContainerRows, type ContainerReplicaRow } from "./schema/container";
import { activeRanges, Sharder } from "./sharder";
import { controlStub } from "./names";
import {
  covers,
  mergeShardRange,
  rangeOf,
  rootOf,
  shardRangeHash,
  shardRootOf,
  shardsAccount,
  SHARDS_ACCOUNT_PREFIX,
  type ShardRange,
  type ShardReport,
} from "./shard-ranges";

export interface ContainerListing {
  container: ContainerRow;
  entries: ListingEntry<ListingRow>[];
  /** A sharded root's shards, in name order: its listing is theirs (entries are then empty). */
  shards?: ShardRange[];
  /** Where the walk stopped (a shard's listing, for the next shard's to resume from). */
  resume?: ListingResume;
}

/**
 * What a container replica that forwarded updates to shards tells their sender: a root, its
 * active shards (by the root's `account/container`), so the sender's next updates go to them
 * directly; a shard that split again, the roots to ask afresh. Swift: the container server's
 * 301 with X-Backend-Redirect to an object server's update.
 */
export interface UpdateRedirect {
  shards?: Record<string, ShardRange[]>;
  stale?: string[];
}

/** What a container replica sends another: a listing row for a shard, or a shard's counts for its root. */
type ContainerMessage =
  | { update: ContainerUpdate }
  | { report: ShardReport }
  | { drop: { account: string; container: string; timestamp: string } };

export class ContainerReplica extends ReplicaBase<ContainerReplicaRow, ContainerRows> {
  readonly #outbox = this.outboxTo("account", (stub, reports: ContainerReport[]) => stub.updateContainers(reports));
  readonly #shardOutbox = this.outboxTo(
    "container",
    async (stub, messages: ContainerMessage[]): Promise<ReplicaReply<unknown>> => {
      const updates = messages.flatMap((message) => ("update" in message ? [message.update] : []));
      const reports = messages.flatMap((message) => ("report" in message ? [message.report] : []));
      const drops = messages.flatMap((message) => ("drop" in message ? [message.drop] : []));
      const delivered: ReplicaReply = { status: 202 };
      const replies: ReplicaReply<unknown>[] = await Promise.all([
        updates.length ? stub.updateObjects(updates) : delivered,
        reports.length ? stub.updateShardStats(reports) : delivered,
        // A shard already gone (404) is as good as deleted.
        ...drops.map(async (drop) => {
          const reply = await stub.deleteContainer(drop.account, drop.container, drop.timestamp);
          return reply.status === 404 ? delivered : reply;
        }),
      ]);
      return replies.find((reply) => !isSuccess(reply.status)) ?? delivered;
    },
    "shard_outbox",
  );
  readonly #sharder: Sharder;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, CONTAINER_MIGRATIONS, ContainerRows);
    this.#sharder = new Sharder({
      identity: this.identity,
      config: this.config,
      client: this.client,
      storage: ctx.storage,
      rows: this.rows,
      noteChange: () => this.noteChange(),
    });
  }

  /**
   * Swift: container/server.py PUT. 201 when created (or re-created after a delete), 202 when it
   * existed; metadata merged key by key; 400 when the merged metadata would exceed Swift's limits
   * (nothing stored). Reports to the account before answering.
   * `policy`: the storage policy index the request named (`explicit`), else the default one. A
   * container that exists keeps its policy: naming another is 409 (nothing stored); a created or
   * re-created one takes the request's.
   * `standingFor`: on a handoff, the primary zone it stands in for.
   */
  async putContainer(
    account: string,
    container: string,
    timestamp: string,
    metadata: MetadataMap,
    policy: { index: number; explicit: boolean } = { index: 0, explicit: false },
    standingFor: string | null = null,
  ): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      const created = !current || isContainerDeleted(current);
      if (!created && policy.explicit && current.storagePolicyIndex !== policy.index)
        return { status: 409, timestamp: current.putTimestamp };
      const storagePolicyIndex = created ? policy.index : current.storagePolicyIndex;
      const base: ContainerRow = current ?? {
        account,
        container,
        createdAt: timestamp,
        putTimestamp: "0",
        deleteTimestamp: "0",
        statusChangedAt: timestamp,
        objectCount: 0,
        bytesUsed: 0,
        metadata: {},
        storagePolicyIndex,
      };
      const merged = mergeClientMetadata(base.metadata, metadata);
      // Swift's container server has moved the put timestamp before it refuses; here nothing changes.
      if (merged.refused) return { status: 400, detail: merged.refused };
      const row: ContainerRow = {
        ...base,
        storagePolicyIndex,
        putTimestamp: timestamp > base.putTimestamp ? timestamp : base.putTimestamp,
        statusChangedAt: created ? timestamp : base.statusChangedAt,
        createdAt: current && created ? timestamp : base.createdAt,
        metadata: merged.metadata,
      };
      this.ctx.storage.transactionSync(() => {
        this.rows.saveContainer(key, row);
        this.#queueReport(row);
      });
      this.noteWrite(standingFor);
      await this.#report();
      return { status: created ? 201 : 202, timestamp: row.putTimestamp };
    });
  }

  /**
   * Swift: container/server.py POST. 204; 404 when there is no container; 400 when the merged
   * metadata would exceed Swift's limits (nothing stored). Metadata merged key by key.
   * `standingFor`: on a handoff, the primary zone it stands in for.
   */
  postContainer(
    account: string,
    container: string,
    timestamp: string,
    metadata: MetadataMap,
    standingFor: string | null = null,
  ): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      if (!current || isContainerDeleted(current)) return { status: 404 };
      const merged = mergeClientMetadata(current.metadata, metadata);
      if (merged.refused) return { status: 400, detail: merged.refused };
      // Swift's container server moves the put timestamp (Last-Modified) to the POST's.
      const putTimestamp = timestamp > current.putTimestamp ? timestamp : current.putTimestamp;
      if (merged.changed || putTimestamp !== current.putTimestamp) {
        const row = { ...current, putTimestamp, metadata: merged.metadata };
        this.ctx.storage.transactionSync(() => {
          this.rows.saveContainer(key, row);
          // The account lists the put timestamp: a replica that takes the POST reports it, as one
          // that gets it later by repair does, or the account's replicas would keep different ones.
          if (putTimestamp !== current.putTimestamp) this.#queueReport(row);
        });
        this.noteWrite(standingFor);
        if (putTimestamp !== current.putTimestamp) this.#reportSoon();
      }
      return { status: 204, timestamp: putTimestamp };
    });
  }

  /**
   * Swift: container/server.py DELETE_container. 204 when deleted; 404 when missing; 409 while
   * this replica lists objects. Metadata is cleared, as Swift's delete_db does.
   * `standingFor`: on a handoff, the primary zone it stands in for.
   */
  async deleteContainer(
    account: string,
    container: string,
    timestamp: string,
    standingFor: string | null = null,
  ): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      if (!current || isContainerDeleted(current)) return { status: 404 };
      if (this.#withShardTotals(key, current).objectCount > 0 || this.rows.hasObjects(key)) return { status: 409 };
      if (timestamp <= current.putTimestamp) return { status: 409, timestamp: current.putTimestamp };
      const cleared: MetadataMap = {};
      for (const name of Object.keys(current.metadata)) cleared[name] = { value: "", timestamp };
      const row: ContainerRow = {
        ...current,
        deleteTimestamp: timestamp > current.deleteTimestamp ? timestamp : current.deleteTimestamp,
        statusChangedAt: timestamp,
        metadata: mergeMetadata(current.metadata, cleared).metadata,
      };
      this.ctx.storage.transactionSync(() => {
        this.rows.saveContainer(key, row);
        this.#queueReport(row);
        this.#dropShards(key, row);
      });
      this.noteWrite(standingFor);
      this.scheduleReclaim();
      await this.#report();
      return { status: 204, timestamp };
    });
  }

  /**
   * A shard of this root is retired in favour of others (its leader's sharder, or the root's):
   * `sharded`, split again, its children (which must cover its range) serve it; `shrunk`, its
   * neighbour, widened over its range, does. 404 when this replica lacks the root or the range
   * (repair brings them, and the sharder asks again); 409 for children that do not cover it.
   */
  retireShardRange(
    account: string,
    container: string,
    retired: string,
    state: "sharded" | "shrunk",
    serving: ShardRange[],
    timestamp: string,
  ): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const range = this.rows.shardRange(key, retired);
      if (!range || !this.rows.container(key)) return { status: 404 };
      // Children found before the shard took a neighbour's range do not cover it: refused, found again.
      if (state === "sharded" && !covers(range, serving)) return { status: 409 };
      this.ctx.storage.transactionSync(() => {
        if (range.state !== state && timestamp > range.stateTimestamp)
          this.rows.saveShardRange(key, { ...range, state, stateTimestamp: timestamp });
        for (const next of serving.slice(0, ROWS_PER_RPC_MAX))
          this.rows.saveShardRange(key, mergeShardRange(this.rows.shardRange(key, next.name), next));
      });
      this.noteWrite();
      return { status: 202 };
    });
  }

  /** A container's listing rows, tombstones too, after `after` in name order (a shrinking shard's, copied to its acceptor). */
  listingRows(account: string, container: string, after: string, limit: number): ReplicaReply<ListingRow[]> {
    return this.measured(() => {
      this.ensureSchema();
      const key = containerKey(account, container);
      if (!this.rows.container(key)) return { status: 404 };
      const rows = this.rows.rowsInRange(key, { lower: "", upper: "" }, after, Math.min(limit, ROWS_PER_RPC_MAX));
      return { status: 200, value: rows };
    });
  }

  /** Swift: container/server.py HEAD. 200 with the container's row; 404 when missing or deleted. */
  headContainer(account: string, container: string): ReplicaReply<ContainerRow> {
    return this.measured(() => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      if (!current) return { status: 404 };
      if (isContainerDeleted(current)) return { status: 404, timestamp: current.deleteTimestamp };
      return { status: 200, timestamp: current.putTimestamp, value: this.#withShardTotals(key, current) };
    });
  }

  /**
   * Swift: container/server.py GET. The container's row and one page of its listing; for a
   * sharded root, its shards instead (the proxy walks them). `within` and `resume`: a shard's
   * part of that walk (shard-listing.ts), its range and where the shard before stopped.
   */
  listObjects(
    account: string,
    container: string,
    params: ListingParams,
    within: ListingRange | null = null,
    resume: ListingResume | null = null,
  ): ReplicaReply<ContainerListing> {
    return this.measured((): ReplicaReply<ContainerListing> => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      if (!current) return { status: 404 };
      if (isContainerDeleted(current)) return { status: 404, timestamp: current.deleteTimestamp };
      const shards = activeRanges(this.rows.shardRanges(key));
      if (shards.length) {
        const totals = this.#withShardTotals(key, current);
        return { status: 200, timestamp: current.putTimestamp, value: { container: totals, entries: [], shards } };
      }
      const walk = listNamesWithin(params, (bounds) => this.rows.listObjects(key, bounds), within, resume);
      return {
        status: 200,
        timestamp: current.putTimestamp,
        value: { container: current, entries: walk.entries, resume: walk.resume },
      };
    });
  }

  /** A container's shard ranges, every state (Swift: GET with X-Backend-Record-Type: shard); 404 when missing. */
  shardRanges(account: string, container: string): ReplicaReply<ShardRange[]> {
    return this.measured(() => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      if (!current || isContainerDeleted(current)) return { status: 404 };
      return { status: 200, timestamp: current.putTimestamp, value: this.rows.shardRanges(key) };
    });
  }

  /**
   * Counts from shards (each shard replica reports whenever its counts change): the newer
   * report wins; the root's totals then reach its account. 404 for a range this replica does not
   * know yet (repair brings it; the shard retries).
   */
  async updateShardStats(reports: ShardReport[]): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      let missing = false;
      const roots = new Map<string, ContainerRow>();
      this.ctx.storage.transactionSync(() => {
        for (const report of reports.slice(0, ROWS_PER_RPC_MAX)) {
          const key = containerKey(report.account, report.container);
          const range = this.rows.shardRange(key, report.shard);
          const root = this.rows.container(key);
          if (!range || !root) {
            missing = true;
            continue;
          }
          if (report.reportedAt <= range.metaTimestamp) continue;
          const counts = { objectCount: report.objectCount, bytesUsed: report.bytesUsed };
          this.rows.saveShardRange(key, { ...range, ...counts, metaTimestamp: report.reportedAt });
          roots.set(key, root);
        }
        for (const root of roots.values()) this.#queueReport(root);
      });
      if (roots.size) {
        this.noteWrite();
        this.#reportSoon();
      }
      return { status: missing ? 404 : 202 };
    });
  }

  /**
   * A deleted root's shards go with it: each shard container's delete is queued for its replicas
   * (retried until it is empty and deleted), and the ranges are dropped, so a container made
   * again under the name starts unsharded. Call inside a transaction.
   */
  #dropShards(key: string, root: ContainerRow): void {
    const ranges = this.rows.shardRanges(key);
    if (!ranges.length) return;
    const account = shardsAccount(rootOf(root).account);
    for (const range of ranges) {
      this.#shardOutbox.queue(this.#peersOf(account, range.name), `drop:${account}/${range.name}`, {
        drop: { account, container: range.name, timestamp: root.deleteTimestamp },
      });
    }
    this.rows.removeShardRanges(key);
    this.armAlarm(Date.now());
    this.ctx.waitUntil(
      controlStub(this.config)
        .noteSharding({ container: key, state: "dropped" })
        .catch((error) => console.warn(`${key}: control record not told its shards were dropped`, error)),
    );
  }

  /** A root's row with its shards' counts when it is sharded (its own rows are then only those on their way to a shard). */
  #withShardTotals(key: string, row: ContainerRow): ContainerRow {
    const shards = activeRanges(this.rows.shardRanges(key));
    if (!shards.length) return row;
    return {
      ...row,
      objectCount: shards.reduce((sum, range) => sum + range.objectCount, 0),
      bytesUsed: shards.reduce((sum, range) => sum + range.bytesUsed, 0),
    };
  }

  /**
   * Listing rows of sharded containers go to their shards (queued in the shard outbox), the rest
   * are returned to be merged here. Rows of one name at different times are queued apart, so a
   * late older row never replaces a newer one on its way.
   */
  #forwardSharded(items: { key: string; row: ListingRow }[]): {
    kept: { key: string; row: ListingRow }[];
    redirect: UpdateRedirect;
  } {
    const shardsOf = new Map<string, { root: { account: string; container: string } | null; shards: ShardRange[] }>();
    const kept: { key: string; row: ListingRow }[] = [];
    const redirect: UpdateRedirect = {};
    for (const item of items) {
      let sharded = shardsOf.get(item.key);
      if (!sharded) {
        const container = this.rows.container(item.key);
        sharded = {
          root: container ? rootOf(container) : null,
          shards: activeRanges(this.rows.shardRanges(item.key)),
        };
        shardsOf.set(item.key, sharded);
      }
      const range = rangeOf(sharded.shards, item.row.name);
      if (!range || !sharded.root) {
        kept.push(item);
        continue;
      }
      this.#queueForShard(sharded.root.account, range, item.row);
      // The sender learns where the container's rows go now: the root's shards, or (a shard that
      // split again) to ask the root afresh.
      const rootKey = containerKey(sharded.root.account, sharded.root.container);
      if (rootKey === item.key) (redirect.shards ??= {})[rootKey] = sharded.shards;
      else if (!redirect.stale?.includes(rootKey)) (redirect.stale ??= []).push(rootKey);
    }
    return { kept, redirect };
  }

  #queueForShard(rootAccount: string, range: ShardRange, row: ListingRow): void {
    const account = shardsAccount(rootAccount);
    const version = `${row.createdAt}/${row.metaTimestamp}/${row.contentTypeTimestamp}/${row.deleted}`;
    this.#shardOutbox.queue(
      this.#peersOf(account, range.name),
      `row:${account}/${range.name}/${row.name}\u0000${version}`,
      {
        update: { account, container: range.name, row },
      },
    );
  }

  /**
   * Moves the listing rows a sharded root still holds (written before it learned it was
   * sharded, or merged from a peer that had not) to their shards: queued in the shard outbox and
   * removed here, in one transaction, up to `limit`. True when rows are left.
   */
  #moveToShards(limit: number): boolean {
    let left = limit;
    for (const key of this.rows.shardedContainers()) {
      const root = this.rows.container(key);
      const shards = activeRanges(this.rows.shardRanges(key));
      if (!root || !shards.length) continue;
      const rows = this.rows.rowsInRange(key, { lower: "", upper: "" }, "", left);
      if (!rows.length) continue;
      this.ctx.storage.transactionSync(() => {
        const moved = rows.filter((row) => {
          const range = rangeOf(shards, row.name);
          if (range) this.#queueForShard(rootOf(root).account, range, row);
          return range !== null;
        });
        const live = moved.filter((row) => !row.deleted);
        this.rows.removeObjects(
          key,
          moved.map((row) => row.name),
        );
        this.rows.saveContainer(key, {
          ...root,
          objectCount: Math.max(0, root.objectCount - live.length),
          bytesUsed: Math.max(0, root.bytesUsed - live.reduce((sum, row) => sum + row.size, 0)),
        });
      });
      this.noteChange();
      left -= rows.length;
      if (left <= 0) return true;
    }
    return false;
  }

  /**
   * Listing rows from object replicas (Swift: the object server's container update). Rows of
   * containers this replica does not hold are refused (404), to be retried by the sender.
   */
  async updateObjects(updates: ContainerUpdate[]): Promise<ReplicaReply<UpdateRedirect>> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal;
      const items = updates
        .slice(0, ROWS_PER_RPC_MAX)
        .map((update) => ({ key: containerKey(update.account, update.container), row: update.row }));
      const result = this.ctx.storage.transactionSync(() => {
        const { kept, redirect } = this.#forwardSharded(items);
        return {
          ...this.#mergeListings(kept, reportedAt, false),
          forwarded: items.length - kept.length,
          redirect,
        };
      });
      if (result.forwarded) await this.#deliverToShards();
      if (result.changed) {
        // The account report's alarm first: the later ones then find it set (a setAlarm is a row written).
        this.#reportSoon();
        this.noteWrite();
        this.scheduleReclaim();
      }
      const redirected = result.redirect.shards || result.redirect.stale;
      return { status: result.missing ? 404 : 202, ...(redirected ? { value: result.redirect } : {}) };
    });
  }

  /**
   * Merges listing rows, keeping each touched container's count and bytes in step (O(1) per row)
   * and queueing its report. Rows of a container this replica lacks are refused, or kept
   * (`keepOrphans`, for repair) to be counted when the container row arrives. `sendUpdates`
   * false (seeding) queues no report.
   */
  #mergeListings(
    items: { key: string; row: ListingRow }[],
    reportedAt: string,
    keepOrphans: boolean,
    sendUpdates = true,
  ): { changed: number; missing: boolean } {
    let changed = 0;
    let missing = false;
    const touched = new Map<string, ContainerRow>();
    for (const { key, row: incoming } of items) {
      const container = touched.get(key) ?? this.rows.container(key);
      // A deleted shard (its root deleted) is no container to list in: its sender goes back to the root.
      const goneShard =
        container && isContainerDeleted(container) && container.account.startsWith(SHARDS_ACCOUNT_PREFIX);
      if ((!container || goneShard) && !keepOrphans) {
        missing = true;
        continue;
      }
      const current = this.rows.object(key, incoming.name);
      const merge = mergeListing(current, incoming);
      if (!merge.changed) continue;
      this.rows.saveObject(key, merge.row);
      changed += 1;
      if (!container) continue;
      const before = current && !current.deleted ? current : null;
      const after = merge.row.deleted ? null : merge.row;
      container.objectCount += (after ? 1 : 0) - (before ? 1 : 0);
      container.bytesUsed += (after?.size ?? 0) - (before?.size ?? 0);
      touched.set(key, container);
    }
    for (const [key, container] of touched) {
      this.rows.saveContainer(key, container);
      if (sendUpdates) this.#queueReport(container, reportedAt);
      // Past the threshold: the leader's alarm finds the container's shard ranges (not for the
      // bench's seeding, whose rows owe nothing: the first write after it starts the split).
      if (sendUpdates && this.#sharder.isLeader && this.#sharder.wants(container)) this.armAlarm(Date.now());
    }
    return { changed, missing };
  }

  /** Reports not yet delivered to account replicas (for tests and recon). */
  pendingReportCount(): number {
    this.ensureSchema();
    return this.#outbox.pendingCount;
  }

  protected isIdle(): boolean {
    return this.tree.root().rows === 0 && this.#outbox.pendingCount === 0 && this.#shardOutbox.pendingCount === 0;
  }

  /**
   * Merges rows from a peer: container rows first (timestamps and metadata; counts are this
   * replica's own, from its listing rows), then listing rows, kept even before their container.
   */
  protected async merge(rows: ContainerReplicaRow[], _sourceZone: string | null, sendUpdates = true): Promise<number> {
    let changed = 0;
    let forwarded = 0;
    const batch = rows.slice(0, ROWS_PER_RPC_MAX);
    const reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal;
    this.ctx.storage.transactionSync(() => {
      for (const entry of batch) {
        if (entry.kind !== "container") continue;
        const current = this.rows.container(entry.key);
        const incoming = entry.row;
        let row: ContainerRow;
        if (!current) {
          row = { ...incoming, ...this.rows.countObjects(entry.key) };
        } else {
          const metadata = mergeMetadata(current.metadata, incoming.metadata);
          row = {
            ...current,
            storagePolicyIndex: winningPolicy(current, incoming),
            putTimestamp: incoming.putTimestamp > current.putTimestamp ? incoming.putTimestamp : current.putTimestamp,
            deleteTimestamp:
              incoming.deleteTimestamp > current.deleteTimestamp ? incoming.deleteTimestamp : current.deleteTimestamp,
            statusChangedAt:
              incoming.statusChangedAt > current.statusChangedAt ? incoming.statusChangedAt : current.statusChangedAt,
            metadata: metadata.metadata,
          };
          if (containerRowHash(entry.key, row) === containerRowHash(entry.key, current)) continue;
        }
        this.rows.saveContainer(entry.key, row);
        if (sendUpdates) this.#queueReport(row, reportedAt);
        if (row.deleteTimestamp > row.putTimestamp) this.#dropShards(entry.key, row);
        changed += 1;
      }
      for (const entry of batch) {
        if (entry.kind !== "shard") continue;
        // The ranges of a root deleted after they were found went with it (made again or not).
        const root = this.rows.container(entry.key);
        if (root && root.deleteTimestamp > entry.row.timestamp) continue;
        const current = this.rows.shardRange(entry.key, entry.row.name);
        const merged = mergeShardRange(current, entry.row);
        if (current && shardRangeHash(entry.key, merged) === shardRangeHash(entry.key, current)) continue;
        this.rows.saveShardRange(entry.key, merged);
        changed += 1;
        // Active now: the rows this replica holds for the container move to their shards from the alarm.
        if (merged.state === "active" && current?.state !== "active") this.armAlarm(Date.now());
      }
      const listings = batch.flatMap((entry) => (entry.kind === "object" ? [{ key: entry.key, row: entry.row }] : []));
      const { kept } = this.#forwardSharded(listings);
      forwarded = listings.length - kept.length;
      const listingChanges = this.#mergeListings(kept, reportedAt, true, sendUpdates);
      changed += listingChanges.changed;
    });
    if (forwarded) await this.#deliverToShards();
    if (changed) {
      this.noteChange();
      if (sendUpdates) await this.#report();
    }
    return changed;
  }

  protected async runDuties(): Promise<number | null> {
    // Sharding first: rows a split just made active leave in the same alarm.
    const moreToShard = await this.#sharder.run();
    const moreToMove = this.#moveToShards(ROWS_PER_RPC_MAX);
    await this.#outbox.deliver();
    await this.#shardOutbox.deliver();
    const times: number[] = [];
    if (moreToMove || moreToShard) times.push(Date.now());
    if (this.#outbox.pendingCount > 0) times.push(this.#outbox.retryAt(Date.now()));
    if (this.#shardOutbox.pendingCount > 0) times.push(this.#shardOutbox.retryAt(Date.now()));
    return times.length ? Math.min(...times) : null;
  }

  /** Sends what the shard outbox holds now, waiting up to CONTAINER_UPDATE_TIMEOUT_MS; the alarm retries the rest. */
  async #deliverToShards(): Promise<void> {
    if (!(await this.#shardOutbox.deliverWithin(CONTAINER_UPDATE_TIMEOUT_MS)))
      this.armAlarm(this.#shardOutbox.retryAt(Date.now()));
  }

  #queueReport(own: ContainerRow, reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal): void {
    const rings = this.config.rings;
    const key = containerKey(own.account, own.container);
    const row = this.#withShardTotals(key, own);
    this.#queueShardReport(row, reportedAt);
    const report: ContainerReport = {
      account: row.account,
      container: row.container,
      putTimestamp: row.putTimestamp,
      deleteTimestamp: row.deleteTimestamp,
      objectCount: row.objectCount,
      bytesUsed: row.bytesUsed,
      reportedAt,
      storagePolicyIndex: row.storagePolicyIndex,
    };
    const targets = updateTargets(
      this.identity,
      rings.container,
      rings.account,
      rings.account.partitionFor(row.account),
    );
    this.#outbox.queue(targets, key, report);
  }

  /** The replicas of another container (a shard, a root) this replica sends to (identity.ts updateTargets). */
  #peersOf(account: string, container: string): { partition: number; zone: string }[] {
    const ring = this.config.rings.container;
    return updateTargets(this.identity, ring, ring, ring.partitionFor(account, container));
  }

  /** A shard's counts, queued for its root's replicas (the shard's sysmeta names its root). */
  #queueShardReport(row: ContainerRow, reportedAt: string): void {
    const root = shardRootOf(row);
    if (!root) return;
    const { account, container } = root;
    const targets = this.#peersOf(account, container);
    const report: ShardReport = {
      account,
      container,
      shard: row.container,
      objectCount: row.objectCount,
      bytesUsed: row.bytesUsed,
      reportedAt,
    };
    this.#shardOutbox.queue(targets, `report:${containerKey(row.account, row.container)}`, { report });
  }

  /**
   * Object counts and bytes reach the account from the alarm, ACCOUNT_REPORT_DELAY_MS after the
   * first object write of a burst (Swift: the container-updater's pass, minutes later): the object
   * PUT and DELETE wait for their container row, not the account's, and a burst of writes to one
   * container sends the account one report (the outbox keeps one per container), not one each.
   */
  #reportSoon(): void {
    this.armAlarm(Date.now() + ACCOUNT_REPORT_DELAY_MS);
  }

  async #report(): Promise<void> {
    if (!(await this.#outbox.deliverWithin(CONTAINER_UPDATE_TIMEOUT_MS)))
      this.armAlarm(this.#outbox.retryAt(Date.now()));
    if (this.#shardOutbox.pendingCount > 0) await this.#deliverToShards();
  }
}
