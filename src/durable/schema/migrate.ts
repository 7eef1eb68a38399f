/**
 * @module
 * Numbered schema migrations for the replica Durable Objects. Applied ids live in
 * `schema_migrations` (PRAGMA user_version is not available); each migration runs in
 * `transactionSync` (the runtime refuses BEGIN). Never edit an applied migration: add the next.
 */

export interface Migration {
  id: number;
  sql: string;
  /** Fills new columns SQL cannot compute (hashes), in the same transaction. */
  backfill?: (sql: SqlStorage) => void;
}

/** Applies, in order, every migration not yet recorded. Synchronous: done before any call arrives. */
export function runMigrations(storage: DurableObjectStorage, migrations: readonly Migration[]): void {
  storage.sql.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(
    storage.sql
      .exec<{ id: number }>("SELECT id FROM schema_migrations")
      .toArray()
      .map((row) => row.id),
  );
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    storage.transactionSync(() => {
      storage.sql.exec(migration.sql);
      migration.backfill?.(storage.sql);
      storage.sql.exec("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", migration.id, Date.now());
    });
  }
}

/**
 * Applies a Durable Object's migrations (as runMigrations does, before any call arrives) and opens
 * its rows over the migrated storage (through `sql`, a counted view of it, when given): the
 * constructor of a class whose schema is always there.
 */
export function migratedRows<Rows>(
  storage: DurableObjectStorage,
  migrations: readonly Migration[],
  Rows: new (sql: SqlStorage) => Rows,
  sql: SqlStorage = storage.sql,
): Rows {
  runMigrations(storage, migrations);
  return new Rows(sql);
}
