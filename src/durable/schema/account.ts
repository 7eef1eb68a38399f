/**
 * @module
 * The account replica's schema: per account its own row (status, metadata, totals kept in O(1)
 * per change) and its container listing rows. All of AccountReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import type { AccountContainerRow, AccountRow, MetadataMap } from "../rows";
import type { ListingBounds } from "../listing";
import { boundsSql } from "./listing-sql";
import { accountContainerRowHash, accountRowHash, leafOf, treeKey, type Hash } from "../partition-hash";
import {
  HASH_LEAVES_ONLY_SQL,
  HASH_ROOT_CHANGED_AT_SQL,
  hashTreeSql,
  backfillHashes,
  HashedRows,
  HashTree,
} from "./hash-tree";
import type { AuditEntry, HashedRowSql } from "./hash-tree";

/** The key columns of the account table and of the container table. */
const ACCOUNT_KEY = ["name"];
const CONTAINER_KEY = ["account", "name"];

export const ACCOUNT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE account (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        put_timestamp TEXT NOT NULL,
        delete_timestamp TEXT NOT NULL,
        status TEXT NOT NULL,
        metadata TEXT NOT NULL,
        container_count INTEGER NOT NULL,
        object_count INTEGER NOT NULL,
        bytes_used INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE container (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        put_timestamp TEXT NOT NULL,
        delete_timestamp TEXT NOT NULL,
        object_count INTEGER NOT NULL,
        bytes_used INTEGER NOT NULL,
        reported_at TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      ) WITHOUT ROWID;
      CREATE INDEX container_live ON container (account, name) WHERE deleted = 0;
    `,
  },
  {
    // The hash tree over account rows and their container rows.
    id: 2,
    sql: hashTreeSql("account", "container"),
    // Rows here lack the columns later migrations add (migration 6's policies): they are read
    // with the defaults those migrations give them (likewise in migration 5).
    backfill: (sql) => {
      backfillHashes<AccountRowSql>(sql, "account", ACCOUNT_KEY, (row) => {
        const domain = accountFromSql({ ...row, policy_stats: row.policy_stats ?? "{}" });
        return { leaf: leafOf(treeKey.account(domain.account)), hash: accountRowHash(domain) };
      });
      backfillHashes<AccountContainerRowSql>(sql, "container", CONTAINER_KEY, (row) => {
        const domain = containerFromSql({ ...row, storage_policy_index: row.storage_policy_index ?? 0 });
        return {
          leaf: leafOf(treeKey.accountContainer(domain.account, domain.container)),
          hash: accountContainerRowHash(domain),
        };
      });
    },
  },
  {
    // Deleted container rows by age, for reclaim after reclaim_age.
    id: 3,
    sql: "CREATE INDEX container_tombstone ON container (delete_timestamp) WHERE deleted = 1;",
  },
  // When the partition hash last changed, for recon and the convergence benchmark.
  { id: 4, sql: HASH_ROOT_CHANGED_AT_SQL },
  {
    // Container rows hash their counts instead of when they were reported (partition-hash.ts):
    // every stored row's hash, and the tree, move to the new rule.
    id: 5,
    sql: "SELECT 1;",
    backfill: (sql) => {
      const tree = new HashTree(sql, false);
      for (const row of sql
        .exec<AccountContainerRowSql & { leaf: number; hash: string | null }>("SELECT * FROM container")
        .toArray()) {
        const hash = accountContainerRowHash(
          containerFromSql({ ...row, storage_policy_index: row.storage_policy_index ?? 0 }),
        );
        if (hash === row.hash) continue;
        tree.update(row.leaf, row.hash, hash);
        sql.exec("UPDATE container SET hash = ? WHERE account = ? AND name = ?", hash, row.account, row.name);
      }
    },
  },
  {
    // Storage policies: each container row's policy, and the account's totals per policy
    // (Swift's policy_stat). Every container stored before is policy 0's.
    id: 6,
    sql: `
      ALTER TABLE container ADD COLUMN storage_policy_index INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE account ADD COLUMN policy_stats TEXT NOT NULL DEFAULT '{}';
    `,
    backfill: (sql) => {
      const rows = new AccountRows(sql);
      for (const { name } of sql.exec<{ name: string }>("SELECT name FROM account").toArray()) {
        sql.exec(
          "UPDATE account SET policy_stats = ? WHERE name = ?",
          JSON.stringify(rows.totals(name).policyStats),
          name,
        );
      }
    },
  },
  // Only the hash tree's leaves are stored (hash-tree.ts).
  { id: 7, sql: HASH_LEAVES_ONLY_SQL },
];

/** A row an account replica exchanges in repair: an account's own row or one of its container rows. */
/** An account's totals as one replica holds them (the dashboard's usage panel). */
export interface AccountUsage {
  account: string;
  containers: number;
  objects: number;
  bytes: number;
}

export type AccountReplicaRow = { kind: "account"; row: AccountRow } | { kind: "container"; row: AccountContainerRow };

interface AccountRowSql extends Record<string, SqlStorageValue> {
  name: string;
  created_at: string;
  put_timestamp: string;
  delete_timestamp: string;
  status: string;
  metadata: string;
  container_count: number;
  object_count: number;
  bytes_used: number;
  policy_stats: string;
}

interface AccountContainerRowSql extends Record<string, SqlStorageValue> {
  account: string;
  name: string;
  put_timestamp: string;
  delete_timestamp: string;
  object_count: number;
  bytes_used: number;
  reported_at: string;
  deleted: number;
  storage_policy_index: number;
}

/** An account row as read from the account table. */
function accountFromSql(row: AccountRowSql): AccountRow {
  return {
    account: row.name,
    createdAt: row.created_at,
    putTimestamp: row.put_timestamp,
    deleteTimestamp: row.delete_timestamp,
    status: row.status === "DELETED" ? "DELETED" : "",
    metadata: JSON.parse(row.metadata) as MetadataMap,
    containerCount: row.container_count,
    objectCount: row.object_count,
    bytesUsed: row.bytes_used,
    policyStats: JSON.parse(row.policy_stats) as AccountRow["policyStats"],
  };
}

/** An account row as stored (the columns of AccountRowSql, in its order). */
function accountToSql(row: AccountRow): AccountRowSql {
  return {
    name: row.account,
    created_at: row.createdAt,
    put_timestamp: row.putTimestamp,
    delete_timestamp: row.deleteTimestamp,
    status: row.status,
    metadata: JSON.stringify(row.metadata),
    container_count: row.containerCount,
    object_count: row.objectCount,
    bytes_used: row.bytesUsed,
    policy_stats: JSON.stringify(row.policyStats),
  };
}

/** An account's container row as stored (the columns of AccountContainerRowSql, in its order). */
function containerToSql(row: AccountContainerRow): AccountContainerRowSql {
  return {
    account: row.account,
    name: row.container,
    put_timestamp: row.putTimestamp,
    delete_timestamp: row.deleteTimestamp,
    object_count: row.objectCount,
    bytes_used: row.bytesUsed,
    reported_at: row.reportedAt,
    deleted: row.deleted,
    storage_policy_index: row.storagePolicyIndex,
  };
}

/** An account's container row as read from the container table. */
function containerFromSql(row: AccountContainerRowSql): AccountContainerRow {
  return {
    account: row.account,
    container: row.name,
    putTimestamp: row.put_timestamp,
    deleteTimestamp: row.delete_timestamp,
    objectCount: row.object_count,
    bytesUsed: row.bytes_used,
    reportedAt: row.reported_at,
    deleted: row.deleted ? 1 : 0,
    storagePolicyIndex: row.storage_policy_index,
  };
}

export class AccountRows extends HashedRows {
  /** An account's own row, or null. */
  account(name: string): AccountRow | null {
    return this.find("account", ACCOUNT_KEY, [name], accountFromSql);
  }

  /**
   * The totals of the live accounts named (`accounts`), or of the first `limit` by name (null),
   * at most `limit` either way.
   */
  usage(accounts: readonly string[] | null, limit: number): AccountUsage[] {
    const names = accounts?.slice(0, limit) ?? [];
    const where = accounts === null ? "" : `AND name IN (${names.map(() => "?").join(", ") || "NULL"})`;
    return this.sql
      .exec<{ name: string; container_count: number; object_count: number; bytes_used: number }>(
        `SELECT name, container_count, object_count, bytes_used FROM account WHERE status = '' ${where} ORDER BY name LIMIT ?`,
        ...names,
        limit,
      )
      .toArray()
      .map((row) => ({
        account: row.name,
        containers: row.container_count,
        objects: row.object_count,
        bytes: row.bytes_used,
      }));
  }

  /** Stores an account's row and moves its hash in the tree; call inside a transaction. */
  saveAccount(row: AccountRow): void {
    this.store("account", ACCOUNT_KEY, accountToSql(row), leafOf(treeKey.account(row.account)), accountRowHash(row));
  }

  /** An account's row for one of its containers, or null. */
  container(account: string, name: string): AccountContainerRow | null {
    return this.find("container", CONTAINER_KEY, [account, name], containerFromSql);
  }

  /** Stores an account's container row and moves its hash in the tree; call inside a transaction. */
  saveContainer(row: AccountContainerRow): void {
    const leaf = leafOf(treeKey.accountContainer(row.account, row.container));
    this.store("container", CONTAINER_KEY, containerToSql(row), leaf, accountContainerRowHash(row));
  }

  /** A row's key in the hash tree. */
  keyOf(row: AccountReplicaRow): string {
    return row.kind === "account"
      ? treeKey.account(row.row.account)
      : treeKey.accountContainer(row.row.account, row.row.container);
  }

  /** A row's hash, as the tree holds it. */
  hashOf(row: AccountReplicaRow): Hash {
    return row.kind === "account" ? accountRowHash(row.row) : accountContainerRowHash(row.row);
  }

  /** The auditor's view of a leaf's rows (account rows and container rows). */
  auditEntries(leaf: number): AuditEntry[] {
    return [
      ...this.audited<AccountRowSql>("account", ACCOUNT_KEY, leaf, (row) => accountRowHash(accountFromSql(row))),
      ...this.audited<AccountContainerRowSql>("container", CONTAINER_KEY, leaf, (row) =>
        accountContainerRowHash(containerFromSql(row)),
      ),
    ];
  }

  /** Every account row and container row in the given leaves (for repair). */
  rowsInLeaves(leaves: readonly number[]): AccountReplicaRow[] {
    const rows: AccountReplicaRow[] = [];
    for (const leaf of leaves) {
      for (const row of this.inLeaf<AccountRowSql>("account", leaf))
        rows.push({ kind: "account", row: accountFromSql(row) });
      for (const row of this.inLeaf<AccountContainerRowSql>("container", leaf))
        rows.push({ kind: "container", row: containerFromSql(row) });
    }
    return rows;
  }

  /** The oldest deleted container row's timestamp, or null. */
  oldestTombstone(): string | null {
    return this.valueOf<string>(
      "SELECT min(delete_timestamp) AS t FROM container INDEXED BY container_tombstone WHERE deleted = 1",
    );
  }

  /** Removes up to `limit` deleted container rows older than `cutoff`; returns how many. */
  reclaimBefore(cutoff: string, limit: number): number {
    const rows = this.sql
      .exec<HashedRowSql>(
        "SELECT account, name, leaf, hash FROM container INDEXED BY container_tombstone " +
          "WHERE deleted = 1 AND delete_timestamp < ? LIMIT ?",
        cutoff,
        limit,
      )
      .toArray();
    for (const row of rows) this.removeRow("container", CONTAINER_KEY, row);
    return rows.length;
  }

  /** Totals over an account's live container rows, all and per policy, counted (an account row arriving by repair). */
  totals(account: string): Pick<AccountRow, "containerCount" | "objectCount" | "bytesUsed" | "policyStats"> {
    const totals = { containerCount: 0, objectCount: 0, bytesUsed: 0, policyStats: {} as AccountRow["policyStats"] };
    const rows = this.sql.exec<{ policy: number; n: number; objects: number | null; bytes: number | null }>(
      `SELECT storage_policy_index AS policy, count(*) AS n, sum(object_count) AS objects, sum(bytes_used) AS bytes
       FROM container INDEXED BY container_live WHERE account = ? AND deleted = 0 GROUP BY storage_policy_index`,
      account,
    );
    for (const row of rows) {
      const stat = { containerCount: row.n, objectCount: row.objects ?? 0, bytesUsed: row.bytes ?? 0 };
      totals.policyStats[String(row.policy)] = stat;
      totals.containerCount += stat.containerCount;
      totals.objectCount += stat.objectCount;
      totals.bytesUsed += stat.bytesUsed;
    }
    return totals;
  }

  /** Live containers of an account within the bounds, in name order. */
  *listContainers(account: string, bounds: ListingBounds): Generator<{ name: string; row: AccountContainerRow }> {
    const { conditions, args, tail } = boundsSql(bounds);
    const where = ["account = ?", "deleted = 0", ...conditions].join(" AND ");
    const cursor = this.sql.exec<AccountContainerRowSql>(
      `SELECT * FROM container INDEXED BY container_live WHERE ${where} ${tail}`,
      account,
      ...args,
    );
    // Lazily: a delimiter walk stops reading at its first pseudo-directory (listing.ts).
    for (const row of cursor) yield { name: row.name, row: containerFromSql(row) };
  }
}
