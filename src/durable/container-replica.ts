/**
 * @module
 * One container-ring partition in one zone, named `container/{partition}/{zone}`: Swift's
 * container server (container DB) for the containers that hash to it. Holds each container's
 * row and listing; reports counts to the account ring through its outbox.
 * Public methods are its RPC surface; it has no fetch().
 */

import { ACCOUNT_REPORT_DELAY_MS, CONTAINER_UPDATE_TIMEOUT_MS, ROWS_PER_RPC_MAX } from "../common/constraints";
import { containerKey } from "../common/path";
import type { ReplicaReply } from "../common/replies";
import { Timestamp } from "../common/timestamp";
import { updateTargets } from "./identity";
import { listNames, type ListingEntry, type ListingParams } from "./listing";
import { isContainerDeleted, mergeClientMetadata, mergeListing, mergeMetadata, winningPolicy } from "./merge";
import { containerRowHash } from "./partition-hash";
import { ReplicaBase } from "./replica-base";
import type { ContainerReport, ContainerRow, ContainerUpdate, ListingRow, MetadataMap } from "./rows";
import { CONTAINER_MIGRATIONS, ContainerRows, type ContainerReplicaRow } from "./schema/container";

export interface ContainerListing {
  container: ContainerRow;
  entries: ListingEntry<ListingRow>[];
}

export class ContainerReplica extends ReplicaBase<ContainerReplicaRow, ContainerRows> {
  readonly #outbox = this.outboxTo("account", (stub, reports: ContainerReport[]) => stub.updateContainers(reports));

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, CONTAINER_MIGRATIONS, ContainerRows);
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
      if (current.objectCount > 0 || this.rows.hasObjects(key)) return { status: 409 };
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
      });
      this.noteWrite(standingFor);
      this.scheduleReclaim();
      await this.#report();
      return { status: 204, timestamp };
    });
  }

  /** Swift: container/server.py HEAD. 200 with the container's row; 404 when missing or deleted. */
  headContainer(account: string, container: string): ReplicaReply<ContainerRow> {
    return this.measured(() => {
      this.ensureSchema();
      const current = this.rows.container(containerKey(account, container));
      if (!current) return { status: 404 };
      if (isContainerDeleted(current)) return { status: 404, timestamp: current.deleteTimestamp };
      return { status: 200, timestamp: current.putTimestamp, value: current };
    });
  }

  /** Swift: container/server.py GET. The container's row and one page of its listing. */
  listObjects(account: string, container: string, params: ListingParams): ReplicaReply<ContainerListing> {
    return this.measured(() => {
      this.ensureSchema();
      const key = containerKey(account, container);
      const current = this.rows.container(key);
      if (!current) return { status: 404 };
      if (isContainerDeleted(current)) return { status: 404, timestamp: current.deleteTimestamp };
      const entries = listNames(params, (bounds) => this.rows.listObjects(key, bounds));
      return { status: 200, timestamp: current.putTimestamp, value: { container: current, entries } };
    });
  }

  /**
   * Listing rows from object replicas (Swift: the object server's container update). Rows of
   * containers this replica does not hold are refused (404), to be retried by the sender.
   */
  async updateObjects(updates: ContainerUpdate[]): Promise<ReplicaReply> {
    return this.measuredAsync(async () => {
      this.ensureSchema();
      const reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal;
      const result = this.ctx.storage.transactionSync(() =>
        this.#mergeListings(
          updates
            .slice(0, ROWS_PER_RPC_MAX)
            .map((update) => ({ key: containerKey(update.account, update.container), row: update.row })),
          reportedAt,
          false,
        ),
      );
      if (result.changed) {
        // The account report's alarm first: the later ones then find it set (a setAlarm is a row written).
        this.#reportSoon();
        this.noteWrite();
        this.scheduleReclaim();
      }
      return { status: result.missing ? 404 : 202 };
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
      if (!container && !keepOrphans) {
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
    }
    return { changed, missing };
  }

  /** Reports not yet delivered to account replicas (for tests and recon). */
  pendingReportCount(): number {
    this.ensureSchema();
    return this.#outbox.pendingCount;
  }

  protected isIdle(): boolean {
    return this.tree.root().rows === 0 && this.#outbox.pendingCount === 0;
  }

  /**
   * Merges rows from a peer: container rows first (timestamps and metadata; counts are this
   * replica's own, from its listing rows), then listing rows, kept even before their container.
   */
  protected async merge(rows: ContainerReplicaRow[], _sourceZone: string | null, sendUpdates = true): Promise<number> {
    let changed = 0;
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
        changed += 1;
      }
      const listingChanges = this.#mergeListings(
        batch.flatMap((entry) => (entry.kind === "object" ? [{ key: entry.key, row: entry.row }] : [])),
        reportedAt,
        true,
        sendUpdates,
      );
      changed += listingChanges.changed;
    });
    if (changed) {
      this.noteChange();
      if (sendUpdates) await this.#report();
    }
    return changed;
  }

  protected async runDuties(): Promise<number | null> {
    await this.#outbox.deliver();
    return this.#outbox.pendingCount > 0 ? this.#outbox.retryAt(Date.now()) : null;
  }

  #queueReport(row: ContainerRow, reportedAt = Timestamp.fromSeconds(Date.now() / 1000).internal): void {
    const rings = this.config.rings;
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
    this.#outbox.queue(targets, containerKey(row.account, row.container), report);
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
  }
}
