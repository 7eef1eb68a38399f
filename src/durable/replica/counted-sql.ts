/**
 * @module
 * A replica's SQL, counted: every cursor `exec` opens is handed to the Work of the call running
 * (common/work.ts), which adds its `rowsRead` and `rowsWritten` once the call is over (a cursor
 * counts rows as it is read). Outside a call (alarms, migrations) nothing is kept.
 */

import { currentWork } from "../../common/work";

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
