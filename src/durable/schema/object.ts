/**
 * @module
 * The object replica's schema: one row per object (data, metadata and tombstone in one, merged
 * by timestamps), the container updates it still owes (its outbox), and bodies to delete from its bucket.
 * All of ObjectReplica's SQL lives here.
 */

import type { Migration } from "./migrate";
import type { ObjectRow } from "../rows";
import { OUTBOX_TABLE_SQL } from "./outbox";

export const OBJECT_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE object (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content_type_timestamp TEXT NOT NULL,
        meta_timestamp TEXT NOT NULL,
        metadata TEXT NOT NULL,
        body_key TEXT,
        delete_at INTEGER
      );
      CREATE INDEX object_delete_at ON object (delete_at) WHERE delete_at IS NOT NULL;
      ${OUTBOX_TABLE_SQL}
      CREATE TABLE garbage_body (
        body_key TEXT PRIMARY KEY,
        queued_at INTEGER NOT NULL
      );
    `,
  },
];

interface ObjectRowSql extends Record<string, SqlStorageValue> {
  name: string;
  created_at: string;
  deleted: number;
  size: number;
  etag: string;
  content_type: string;
  content_type_timestamp: string;
  meta_timestamp: string;
  metadata: string;
  body_key: string | null;
  delete_at: number | null;
}

function fromSql(row: ObjectRowSql): ObjectRow {
  return {
    name: row.name,
    createdAt: row.created_at,
    deleted: row.deleted ? 1 : 0,
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    contentTypeTimestamp: row.content_type_timestamp,
    metaTimestamp: row.meta_timestamp,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    bodyKey: row.body_key,
    deleteAt: row.delete_at,
  };
}

export class ObjectRows {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  get(name: string): ObjectRow | null {
    const rows = this.#sql.exec<ObjectRowSql>("SELECT * FROM object WHERE name = ?", name).toArray();
    const first = rows[0];
    return first ? fromSql(first) : null;
  }

  save(row: ObjectRow): void {
    this.#sql.exec(
      `INSERT OR REPLACE INTO object (name, created_at, deleted, size, etag, content_type, content_type_timestamp,
         meta_timestamp, metadata, body_key, delete_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.name,
      row.createdAt,
      row.deleted,
      row.size,
      row.etag,
      row.contentType,
      row.contentTypeTimestamp,
      row.metaTimestamp,
      JSON.stringify(row.metadata),
      row.bodyKey,
      row.deleteAt,
    );
  }

  queueGarbage(bodyKeys: readonly string[], now: number): void {
    for (const key of bodyKeys) this.#sql.exec("INSERT OR IGNORE INTO garbage_body (body_key, queued_at) VALUES (?, ?)", key, now);
  }

  garbage(limit: number): string[] {
    return this.#sql.exec<{ body_key: string }>("SELECT body_key FROM garbage_body LIMIT ?", limit).toArray().map((row) => row.body_key);
  }

  clearGarbage(bodyKeys: readonly string[]): void {
    for (const key of bodyKeys) this.#sql.exec("DELETE FROM garbage_body WHERE body_key = ?", key);
  }

}
