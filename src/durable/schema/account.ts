/**
 * @module
 * The account replica's schema: per account its own row (status, metadata, totals kept in O(1)
 * per change) and its container listing rows. All of AccountReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import type { AccountContainerRow, AccountRow, MetadataMap } from "../rows";
import type { ListingBounds } from "../listing";
import { boundsSql } from "./listing-sql";
import { accountContainerRowHash, accountRowHash, leafOf, treeKey } from "../partition-hash";
import {
  HASH_ROOT_CHANGED_AT_SQL,
  HASH_TREE_SQL,
  HashedRows,
  HashTree,
  leafColumnsSql,
  type AuditEntry,
} from "./hash-tree";

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
    sql: `
      ${leafColumnsSql("account")}
      ${leafColumnsSql("container")}
      ${HASH_TREE_SQL}
    `,
    backfill: (sql) => {
      const tree = new HashTree(sql);
      for (const row of sql.exec<AccountRowSql>("SELECT * FROM account").toArray()) {
        const domain = accountFromSql(row);
        const leaf = leafOf(treeKey.account(domain.account));
        const hash = accountRowHash(domain);
        sql.exec("UPDATE account SET leaf = ?, hash = ? WHERE name = ?", leaf, hash, domain.account);
        tree.update(leaf, null, hash);
      }
      for (const row of sql.exec<AccountContainerRowSql>("SELECT * FROM container").toArray()) {
        const domain = containerFromSql(row);
        const leaf = leafOf(treeKey.accountContainer(domain.account, domain.container));
        const hash = accountContainerRowHash(domain);
        sql.exec(
          "UPDATE container SET leaf = ?, hash = ? WHERE account = ? AND name = ?",
          leaf,
          hash,
          domain.account,
          domain.container,
        );
        tree.update(leaf, null, hash);
      }
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
      const tree = new HashTree(sql);
      for (const row of sql
        .exec<AccountContainerRowSql & { leaf: number; hash: string | null }>("SELECT * FROM container")
        .toArray()) {
        const hash = accountContainerRowHash(containerFromSql(row));
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
];

/** A row an account replica exchanges in repair: an account's own row or one of its container rows. */
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
  account(name: string): AccountRow | null {
    const first = this.sql.exec<AccountRowSql>("SELECT * FROM account WHERE name = ?", name).toArray()[0];
    return first ? accountFromSql(first) : null;
  }

  /** Stores an account's row and moves its hash in the tree; call inside a transaction. */
  saveAccount(row: AccountRow): void {
    const before =
      this.sql.exec<{ hash: string | null }>("SELECT hash FROM account WHERE name = ?", row.account).toArray()[0]
        ?.hash ?? null;
    const leaf = leafOf(treeKey.account(row.account));
    const hash = accountRowHash(row);
    this.tree.update(leaf, before, hash);
    this.sql.exec(
      `INSERT OR REPLACE INTO account (name, created_at, put_timestamp, delete_timestamp, status, metadata, container_count,
         object_count, bytes_used, policy_stats, leaf, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.account,
      row.createdAt,
      row.putTimestamp,
      row.deleteTimestamp,
      row.status,
      JSON.stringify(row.metadata),
      row.containerCount,
      row.objectCount,
      row.bytesUsed,
      JSON.stringify(row.policyStats),
      leaf,
      hash,
    );
  }

  container(account: string, name: string): AccountContainerRow | null {
    const first = this.sql
      .exec<AccountContainerRowSql>("SELECT * FROM container WHERE account = ? AND name = ?", account, name)
      .toArray()[0];
    return first ? containerFromSql(first) : null;
  }

  /** Stores an account's container row and moves its hash in the tree; call inside a transaction. */
  saveContainer(row: AccountContainerRow): void {
    const before =
      this.sql
        .exec<{ hash: string | null }>(
          "SELECT hash FROM container WHERE account = ? AND name = ?",
          row.account,
          row.container,
        )
        .toArray()[0]?.hash ?? null;
    const leaf = leafOf(treeKey.accountContainer(row.account, row.container));
    const hash = accountContainerRowHash(row);
    this.tree.update(leaf, before, hash);
    this.sql.exec(
      `INSERT OR REPLACE INTO container (account, name, put_timestamp, delete_timestamp, object_count, bytes_used, reported_at, deleted,
         storage_policy_index, leaf, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.account,
      row.container,
      row.putTimestamp,
      row.deleteTimestamp,
      row.objectCount,
      row.bytesUsed,
      row.reportedAt,
      row.deleted,
      row.storagePolicyIndex,
      leaf,
      hash,
    );
  }

  /** The auditor's view of a leaf's rows (account rows and container rows). */
  auditEntries(leaf: number): AuditEntry[] {
    const accounts = this.sql
      .exec<AccountRowSql & { hash: string | null }>("SELECT * FROM account WHERE leaf = ?", leaf)
      .toArray();
    const containers = this.sql
      .exec<AccountContainerRowSql & { hash: string | null }>("SELECT * FROM container WHERE leaf = ?", leaf)
      .toArray();
    return [
      ...accounts.map((row) => ({
        stored: row.hash,
        computed: accountRowHash(accountFromSql(row)),
        rewrite: (hash: string) => this.sql.exec("UPDATE account SET hash = ? WHERE name = ?", hash, row.name),
      })),
      ...containers.map((row) => ({
        stored: row.hash,
        computed: accountContainerRowHash(containerFromSql(row)),
        rewrite: (hash: string) =>
          this.sql.exec("UPDATE container SET hash = ? WHERE account = ? AND name = ?", hash, row.account, row.name),
      })),
    ];
  }

  /** Every account row and container row in the given leaves (for repair). */
  rowsInLeaves(leaves: readonly number[]): AccountReplicaRow[] {
    const rows: AccountReplicaRow[] = [];
    for (const leaf of leaves) {
      for (const row of this.sql.exec<AccountRowSql>("SELECT * FROM account WHERE leaf = ?", leaf))
        rows.push({ kind: "account", row: accountFromSql(row) });
      for (const row of this.sql.exec<AccountContainerRowSql>("SELECT * FROM container WHERE leaf = ?", leaf)) {
        rows.push({ kind: "container", row: containerFromSql(row) });
      }
    }
    return rows;
  }

  /** The oldest deleted container row's timestamp, or null. */
  oldestTombstone(): string | null {
    return this.sql
      .exec<{ t: string | null }>(
        "SELECT min(delete_timestamp) AS t FROM container INDEXED BY container_tombstone WHERE deleted = 1",
      )
      .one().t;
  }

  /** Removes up to `limit` deleted container rows older than `cutoff`; returns how many. */
  reclaimBefore(cutoff: string, limit: number): number {
    const rows = this.sql
      .exec<{ account: string; name: string; leaf: number; hash: string | null }>(
        "SELECT account, name, leaf, hash FROM container INDEXED BY container_tombstone WHERE deleted = 1 AND delete_timestamp < ? LIMIT ?",
        cutoff,
        limit,
      )
      .toArray();
    for (const row of rows) {
      this.tree.update(row.leaf, row.hash, null);
      this.sql.exec("DELETE FROM container WHERE account = ? AND name = ?", row.account, row.name);
    }
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
    const cursor = this.sql.exec<AccountContainerRowSql>(
      `SELECT * FROM container INDEXED BY container_live WHERE ${["account = ?", "deleted = 0", ...conditions].join(" AND ")} ${tail}`,
      account,
      ...args,
    );
    // Lazily: a delimiter walk stops reading at its first pseudo-directory (listing.ts).
    for (const row of cursor) yield { name: row.name, row: containerFromSql(row) };
  }
}
