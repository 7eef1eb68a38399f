/**
 * @module
 * The account replica's schema: per account its own row (status, metadata, totals kept in O(1)
 * per change) and its container listing rows. All of AccountReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import type { AccountContainerRow, AccountRow, MetadataMap } from "../rows";
import type { ListingBounds } from "../listing";
import { boundsSql } from "./listing-sql";

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
];

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
  };
}

export class AccountRows {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  account(name: string): AccountRow | null {
    const first = this.#sql.exec<AccountRowSql>("SELECT * FROM account WHERE name = ?", name).toArray()[0];
    return first ? accountFromSql(first) : null;
  }

  saveAccount(row: AccountRow): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO account (name, created_at, put_timestamp, delete_timestamp, status, metadata, container_count,
         object_count, bytes_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.account,
      row.createdAt,
      row.putTimestamp,
      row.deleteTimestamp,
      row.status,
      JSON.stringify(row.metadata),
      row.containerCount,
      row.objectCount,
      row.bytesUsed,
    );
  }

  container(account: string, name: string): AccountContainerRow | null {
    const first = this.#sql.exec<AccountContainerRowSql>("SELECT * FROM container WHERE account = ? AND name = ?", account, name).toArray()[0];
    return first ? containerFromSql(first) : null;
  }

  saveContainer(row: AccountContainerRow): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO container (account, name, put_timestamp, delete_timestamp, object_count, bytes_used, reported_at, deleted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      row.account,
      row.container,
      row.putTimestamp,
      row.deleteTimestamp,
      row.objectCount,
      row.bytesUsed,
      row.reportedAt,
      row.deleted,
    );
  }

  /** Live containers of an account within the bounds, in name order. */
  listContainers(account: string, bounds: ListingBounds): { name: string; row: AccountContainerRow }[] {
    const { conditions, args, tail } = boundsSql(bounds);
    return this.#sql
      .exec<AccountContainerRowSql>(
        `SELECT * FROM container INDEXED BY container_live WHERE ${["account = ?", "deleted = 0", ...conditions].join(" AND ")} ${tail}`,
        account,
        ...args,
      )
      .toArray()
      .map((row) => ({ name: row.name, row: containerFromSql(row) }));
  }
}
