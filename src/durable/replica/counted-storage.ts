/**
 * @module
 * A Durable Object's storage, counted as Cloudflare bills it, into the Work of the call or alarm
 * running (common/work.ts): every cursor `exec` opens is handed to that Work, which adds its
 * `rowsRead` and `rowsWritten` once the call is over (a cursor counts rows as it is read); a KV
 * get is a row read, a KV put or delete a row written, and so is each `setAlarm` (the pricing
 * page's rules for SQLite-backed objects). Outside a call or alarm (migrations) nothing is kept.
 */

import { countWork, currentWork } from "../../common/work";

/** `sql` with its cursors counted into the running call's Work. */
export function countedSql(sql: SqlStorage): SqlStorage {
  return {
    exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> {
      const cursor = sql.exec<T>(query, ...bindings);
      currentWork()?.keepCursor(cursor);
      return cursor;
    },
    get databaseSize(): number {
      return sql.databaseSize;
    },
    Cursor: sql.Cursor,
    Statement: sql.Statement,
  };
}

/** `kv` with each get counted as a row read and each put or delete as a row written. */
export function countedKv(kv: SyncKvStorage): SyncKvStorage {
  return {
    get<T>(key: string): T | undefined {
      countWork("rowsRead");
      return kv.get<T>(key);
    },
    put<T>(key: string, value: T): void {
      countWork("rowsWritten");
      kv.put(key, value);
    },
    delete(key: string): boolean {
      countWork("rowsWritten");
      return kv.delete(key);
    },
    list<T>(options?: SyncKvListOptions): Iterable<[string, T]> {
      return kv.list<T>(options);
    },
  };
}

/** Sets the object's alarm, counted as the row written it is billed as. */
export function setAlarmCounted(storage: DurableObjectStorage, at: number): Promise<void> {
  countWork("rowsWritten");
  return storage.setAlarm(at);
}
