/**
 * @module
 * One account-ring partition in one zone, named `account/{partition}/{zone}`: Swift's account
 * server (account DB) for the accounts that hash to it: status, metadata, container listing and
 * totals, which container replicas keep current with their reports.
 * Public methods are its RPC surface; it has no fetch().
 */

import { ROWS_PER_RPC_MAX } from "../common/constraints";
import type { ReplicaReply } from "../common/replies";
import { listNames, type ListingEntry, type ListingParams } from "./listing";
import { mergeClientMetadata, mergeContainerReport, mergeMetadata } from "./merge";
import { accountRowHash } from "./partition-hash";
import { ReplicaBase } from "./replica-base";
import {
  newAccountRow,
  type AccountContainerRow,
  type AccountRow,
  type ContainerReport,
  type MetadataMap,
} from "./rows";
import { ACCOUNT_MIGRATIONS, AccountRows, type AccountReplicaRow, type AccountUsage } from "./schema/account";

export interface AccountListing {
  account: AccountRow;
  entries: ListingEntry<AccountContainerRow>[];
}

/**
 * An account created by a container's report (account_autocreate), not by a PUT. Its put
 * timestamp is "0", not the reporting container's: each replica hears of the account's containers
 * in its own order, and a row taken from whichever report came first would differ between replicas
 * that hold the same containers. Any account PUT wins over it.
 */
function autocreatedAccount(account: string, createdAt: string): AccountRow {
  return { ...newAccountRow(account, createdAt), putTimestamp: "0" };
}

export class AccountReplica extends ReplicaBase<AccountReplicaRow, AccountRows> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, ACCOUNT_MIGRATIONS, AccountRows);
  }

  /**
   * Swift: account/server.py PUT. 201 when created, 202 when it existed; metadata merged; 400 when
   * the merged metadata would exceed Swift's limits (nothing stored). `standingFor`: on a handoff,
   * the primary zone it stands in for.
   */
  putAccount(
    account: string,
    timestamp: string,
    metadata: MetadataMap = {},
    standingFor: string | null = null,
  ): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      const current = this.rows.account(account);
      const base = current ?? newAccountRow(account, timestamp);
      const merged = mergeClientMetadata(base.metadata, metadata);
      if (merged.refused) return { status: 400, detail: merged.refused };
      const putTimestamp = timestamp > base.putTimestamp ? timestamp : base.putTimestamp;
      const row: AccountRow = {
        ...base,
        putTimestamp,
        status: base.deleteTimestamp > putTimestamp ? "DELETED" : "",
        metadata: merged.metadata,
      };
      this.rows.saveAccount(row);
      this.noteWrite(standingFor);
      return { status: current ? 202 : 201, timestamp: row.putTimestamp };
    });
  }

  /**
   * Swift: account/server.py DELETE. Marks the account deleted (status DELETED, the reaper
   * removes what it holds); 204, 404 when missing, 409 when the delete is older than its put.
   * `standingFor`: on a handoff, the primary zone it stands in for.
   */
  deleteAccount(account: string, timestamp: string, standingFor: string | null = null): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      const current = this.rows.account(account);
      if (!current) return { status: 404 };
      if (timestamp <= current.putTimestamp) return { status: 409, timestamp: current.putTimestamp };
      this.rows.saveAccount({ ...current, deleteTimestamp: timestamp, status: "DELETED" });
      this.noteWrite(standingFor);
      return { status: 204, timestamp };
    });
  }

  /**
   * Swift: account/server.py POST. 204; 404 when missing; 400 when the merged metadata would exceed
   * Swift's limits (nothing stored). `standingFor`: on a handoff, the primary zone it stands in for.
   */
  postAccount(account: string, metadata: MetadataMap, standingFor: string | null = null): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      const current = this.rows.account(account);
      if (!current) return { status: 404 };
      const merged = mergeClientMetadata(current.metadata, metadata);
      if (merged.refused) return { status: 400, detail: merged.refused };
      if (merged.changed) {
        this.rows.saveAccount({ ...current, metadata: merged.metadata });
        this.noteWrite(standingFor);
      }
      return { status: 204, timestamp: current.putTimestamp };
    });
  }

  /** Swift: account/server.py HEAD. 200 with the account's row; 404 when missing. */
  headAccount(account: string): ReplicaReply<AccountRow> {
    return this.measured(() => {
      this.ensureSchema();
      const current = this.rows.account(account);
      if (!current) return { status: 404 };
      return { status: 200, timestamp: current.putTimestamp, value: current };
    });
  }

  /**
   * The totals of the live accounts named, or (null) of the first this replica holds by name, at
   * most `limit` (capped at ROWS_PER_RPC_MAX): the dashboard's usage panel and /metrics.
   */
  accountUsage(accounts: string[] | null, limit: number): ReplicaReply<AccountUsage[]> {
    return this.measured(() => {
      this.ensureSchema();
      return { status: 200, value: this.rows.usage(accounts, Math.min(limit, ROWS_PER_RPC_MAX)) };
    });
  }

  /** Swift: account/server.py GET. The account's row and one page of its container listing. */
  listContainers(account: string, params: ListingParams): ReplicaReply<AccountListing> {
    return this.measured(() => {
      this.ensureSchema();
      const current = this.rows.account(account);
      if (!current) return { status: 404 };
      const entries = listNames({ ...params, path: null }, (bounds) => this.rows.listContainers(account, bounds));
      return { status: 200, timestamp: current.putTimestamp, value: { account: current, entries } };
    });
  }

  /**
   * Container reports (Swift: the container server's account update and the container updater).
   * An account this replica does not hold yet is created by the report, as Swift's
   * account_autocreate creates it on a container PUT.
   */
  updateContainers(reports: ContainerReport[]): ReplicaReply {
    return this.measured(() => {
      this.ensureSchema();
      if (this.ctx.storage.transactionSync(() => this.#mergeContainers(reports.slice(0, ROWS_PER_RPC_MAX))))
        this.noteWrite();
      this.scheduleReclaim();
      return { status: 202 };
    });
  }

  protected isIdle(): boolean {
    return this.tree.root().rows === 0;
  }

  /**
   * Merges rows from a peer: account rows first (timestamps, status, metadata; totals are this
   * replica's own, from its container rows), then container rows as reports.
   */
  protected async merge(rows: AccountReplicaRow[], _sourceZone: string | null): Promise<number> {
    let changed = 0;
    const batch = rows.slice(0, ROWS_PER_RPC_MAX);
    this.ctx.storage.transactionSync(() => {
      for (const entry of batch) {
        if (entry.kind !== "account") continue;
        const incoming = entry.row;
        const current = this.rows.account(incoming.account);
        let row: AccountRow;
        if (!current) {
          row = { ...incoming, ...this.rows.totals(incoming.account) };
        } else {
          const putTimestamp =
            incoming.putTimestamp > current.putTimestamp ? incoming.putTimestamp : current.putTimestamp;
          const deleteTimestamp =
            incoming.deleteTimestamp > current.deleteTimestamp ? incoming.deleteTimestamp : current.deleteTimestamp;
          row = {
            ...current,
            putTimestamp,
            deleteTimestamp,
            status: deleteTimestamp > putTimestamp ? "DELETED" : "",
            metadata: mergeMetadata(current.metadata, incoming.metadata).metadata,
          };
          if (accountRowHash(row) === accountRowHash(current)) continue;
        }
        this.rows.saveAccount(row);
        changed += 1;
      }
      changed += this.#mergeContainers(batch.flatMap((entry) => (entry.kind === "container" ? [entry.row] : [])));
    });
    if (changed) this.noteChange();
    return changed;
  }

  protected async runDuties(): Promise<number | null> {
    return null;
  }

  /** Merges container reports, keeping the account's totals, and each policy's, in step (O(1) per row). */
  #mergeContainers(reports: readonly ContainerReport[]): number {
    let changed = 0;
    const touched = new Map<string, AccountRow>();
    for (const report of reports) {
      const account =
        touched.get(report.account) ??
        this.rows.account(report.account) ??
        autocreatedAccount(report.account, report.putTimestamp);
      const current = this.rows.container(report.account, report.container);
      const merge = mergeContainerReport(current, report);
      if (!merge.changed) continue;
      this.rows.saveContainer(merge.row);
      changed += 1;
      const before = current && !current.deleted ? current : null;
      const after = merge.row.deleted ? null : merge.row;
      addContainer(account, before, -1);
      addContainer(account, after, 1);
      touched.set(report.account, account);
    }
    for (const account of touched.values()) this.rows.saveAccount(account);
    return changed;
  }
}

/**
 * Adds a live container row's counts to an account's totals and its policy's (`sign` -1 takes
 * them out). A policy left with no container is dropped, so every replica holds the same stats
 * whatever order its rows came in (Swift keeps a zero policy_stat row; its HEAD then shows zeros).
 */
function addContainer(account: AccountRow, row: AccountContainerRow | null, sign: 1 | -1): void {
  if (!row) return;
  const key = String(row.storagePolicyIndex);
  const stat = { ...(account.policyStats[key] ?? { containerCount: 0, objectCount: 0, bytesUsed: 0 }) };
  for (const totals of [account, stat]) {
    totals.containerCount += sign;
    totals.objectCount += sign * row.objectCount;
    totals.bytesUsed += sign * row.bytesUsed;
  }
  const { [key]: _old, ...others } = account.policyStats;
  account.policyStats = stat.containerCount === 0 ? others : { ...others, [key]: stat };
}
