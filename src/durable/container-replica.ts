/**
 * @module
 * One container-ring partition in one zone, named `container/{partition}/{zone}`: Swift's
 * container server (container DB) for the containers that hash to it. Holds each container's
 * row and listing; reports counts to the account ring through its outbox.
 * Public methods are its RPC surface; it has no fetch().
 */

import { DurableObject } from "cloudflare:workers";
import { parseConfig, type Config } from "../common/config";
import { CONTAINER_UPDATE_TIMEOUT_MS, NODE_TIMEOUT_MS, ROWS_PER_RPC_MAX, UPDATE_RETRY_MS } from "../common/constraints";
import { containerKey } from "../common/path";
import { isSuccess, type ReplicaReply } from "../common/replies";
import { Timestamp } from "../common/timestamp";
import { ReplicaClient } from "./client";
import { parseReplicaName, updateTarget, type ReplicaIdentity } from "./identity";
import { listNames, type ListingEntry, type ListingParams } from "./listing";
import { mergeListing, mergeMetadata } from "./merge";
import { Outbox } from "./outbox";
import type { ContainerReport, ContainerRow, ContainerUpdate, ListingRow, MetadataMap } from "./rows";
import { CONTAINER_MIGRATIONS, ContainerRows } from "./schema/container";
import { runMigrations } from "./schema/migrate";
import { OutboxRows } from "./schema/outbox";

/** Swift: container/backend.py is_deleted — deleted after the put and holding no objects. */
export function isContainerDeleted(row: ContainerRow): boolean {
  return row.deleteTimestamp > row.putTimestamp && row.objectCount === 0;
}

export interface ContainerListing {
  container: ContainerRow;
  entries: ListingEntry<ListingRow>[];
}

export class ContainerReplica extends DurableObject<Env> {
  readonly #rows: ContainerRows;
  readonly #identity: ReplicaIdentity;
  readonly #config: Config;
  readonly #outboxRows: OutboxRows<ContainerReport>;
  readonly #outbox: Outbox<ContainerReport>;
  #alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    runMigrations(ctx.storage, CONTAINER_MIGRATIONS);
    this.#rows = new ContainerRows(ctx.storage.sql);
    this.#identity = parseReplicaName(ctx.id.name);
    this.#config = parseConfig(env);
    const client = new ReplicaClient(this.#config);
    this.#outboxRows = new OutboxRows<ContainerReport>(ctx.storage.sql);
    this.#outbox = new Outbox(ctx.storage, this.#outboxRows, async (partition, zone, reports) => {
      const reply = await client.call("account", partition, zone, (stub) => stub.updateContainers(reports), NODE_TIMEOUT_MS);
      return isSuccess(reply.status);
    });
  }

  /**
   * Swift: container/server.py PUT. 201 when created (or re-created after a delete), 202 when it
   * existed; metadata merged key by key. Reports to the account before answering.
   */
  async putContainer(account: string, container: string, timestamp: string, metadata: MetadataMap, storagePolicyIndex = 0): Promise<ReplicaReply> {
    const key = containerKey(account, container);
    const current = this.#rows.container(key);
    const created = !current || isContainerDeleted(current);
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
    const row: ContainerRow = {
      ...base,
      putTimestamp: timestamp > base.putTimestamp ? timestamp : base.putTimestamp,
      statusChangedAt: created ? timestamp : base.statusChangedAt,
      createdAt: current && created ? timestamp : base.createdAt,
      metadata: mergeMetadata(base.metadata, metadata).metadata,
    };
    this.ctx.storage.transactionSync(() => {
      this.#rows.saveContainer(key, row);
      this.#queueReport(row);
    });
    await this.#report();
    return { status: created ? 201 : 202, timestamp: row.putTimestamp };
  }

  /** Swift: container/server.py POST. 204; 404 when there is no container. */
  postContainer(account: string, container: string, metadata: MetadataMap): ReplicaReply {
    const key = containerKey(account, container);
    const current = this.#rows.container(key);
    if (!current || isContainerDeleted(current)) return { status: 404 };
    const merged = mergeMetadata(current.metadata, metadata);
    if (merged.changed) this.#rows.saveContainer(key, { ...current, metadata: merged.metadata });
    return { status: 204, timestamp: current.putTimestamp };
  }

  /**
   * Swift: container/server.py DELETE_container. 204 when deleted; 404 when missing; 409 while
   * this replica lists objects. Metadata is cleared, as Swift's delete_db does.
   */
  async deleteContainer(account: string, container: string, timestamp: string): Promise<ReplicaReply> {
    const key = containerKey(account, container);
    const current = this.#rows.container(key);
    if (!current || isContainerDeleted(current)) return { status: 404 };
    if (current.objectCount > 0 || this.#rows.hasObjects(key)) return { status: 409 };
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
      this.#rows.saveContainer(key, row);
      this.#queueReport(row);
    });
    await this.#report();
    return { status: 204, timestamp };
  }

  /** Swift: container/server.py HEAD. 200 with the container's row; 404 when missing or deleted. */
  headContainer(account: string, container: string): ReplicaReply<ContainerRow> {
    const current = this.#rows.container(containerKey(account, container));
    if (!current) return { status: 404 };
    if (isContainerDeleted(current)) return { status: 404, timestamp: current.deleteTimestamp };
    return { status: 200, timestamp: current.putTimestamp, value: current };
  }

  /** Swift: container/server.py GET. The container's row and one page of its listing. */
  listObjects(account: string, container: string, params: ListingParams): ReplicaReply<ContainerListing> {
    const key = containerKey(account, container);
    const current = this.#rows.container(key);
    if (!current) return { status: 404 };
    if (isContainerDeleted(current)) return { status: 404, timestamp: current.deleteTimestamp };
    const entries = listNames(params, (bounds) => this.#rows.listObjects(key, bounds));
    return { status: 200, timestamp: current.putTimestamp, value: { container: current, entries } };
  }

  /**
   * Listing rows from object replicas (Swift: the object server's container update). Rows of
   * containers this replica does not hold are refused (404), to be retried by the sender.
   */
  async updateObjects(updates: ContainerUpdate[]): Promise<ReplicaReply> {
    let missing = false;
    let changed = false;
    const reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal;
    this.ctx.storage.transactionSync(() => {
      const touched = new Map<string, ContainerRow>();
      for (const update of updates.slice(0, ROWS_PER_RPC_MAX)) {
        const key = containerKey(update.account, update.container);
        const container = touched.get(key) ?? this.#rows.container(key);
        if (!container) {
          missing = true;
          continue;
        }
        const current = this.#rows.object(key, update.row.name);
        const merge = mergeListing(current, update.row);
        if (!merge.changed) continue;
        this.#rows.saveObject(key, merge.row);
        const before = current && !current.deleted ? current : null;
        const after = merge.row.deleted ? null : merge.row;
        container.objectCount += (after ? 1 : 0) - (before ? 1 : 0);
        container.bytesUsed += (after?.size ?? 0) - (before?.size ?? 0);
        touched.set(key, container);
      }
      for (const [key, container] of touched) {
        this.#rows.saveContainer(key, container);
        this.#queueReport(container, reportedAt);
        changed = true;
      }
    });
    if (changed) await this.#report();
    return { status: missing ? 404 : 202 };
  }

  /** Reports not yet delivered to account replicas (for tests and recon). */
  pendingReportCount(): number {
    return this.#outbox.pendingCount;
  }

  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    await this.#outbox.deliver();
    if (this.#outbox.pendingCount > 0) this.#armAlarm(UPDATE_RETRY_MS);
  }

  #queueReport(row: ContainerRow, reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal): void {
    const rings = this.#config.rings;
    const target = updateTarget(this.#identity, rings.container, rings.account, rings.account.partitionFor(row.account));
    const report: ContainerReport = {
      account: row.account,
      container: row.container,
      putTimestamp: row.putTimestamp,
      deleteTimestamp: row.deleteTimestamp,
      objectCount: row.objectCount,
      bytesUsed: row.bytesUsed,
      reportedAt,
    };
    this.#outboxRows.put({ partition: target.partition, zone: target.zone, key: containerKey(row.account, row.container), payload: report });
  }

  async #report(): Promise<void> {
    if (!(await this.#outbox.deliverWithin(CONTAINER_UPDATE_TIMEOUT_MS))) this.#armAlarm(UPDATE_RETRY_MS);
  }

  #armAlarm(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    this.ctx.waitUntil(this.ctx.storage.setAlarm(at));
  }
}
