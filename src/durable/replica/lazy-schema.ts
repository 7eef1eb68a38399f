/**
 * @module
 * A replica's schema, created with its first write and gone when it deletes its storage: a
 * replica never written (or wiped) keeps no storage, so reading its hashes (a peer's repair, a
 * check of handoff slots) creates none.
 */

import { runMigrations, type Migration } from "../schema/migrate";

/** Whether a replica's storage holds anything (its schema comes with its first write). */
function hasStorage(storage: DurableObjectStorage): boolean {
  return (
    storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").toArray()
      .length > 0
  );
}

export class LazySchema {
  readonly #storage: DurableObjectStorage;
  readonly #migrations: readonly Migration[];
  /** Set once the replica deleted its storage; the schema comes back with the next write. */
  #wiped = false;

  /** Runs the migrations of a replica that has storage: synchronous, done before any call arrives. */
  constructor(storage: DurableObjectStorage, migrations: readonly Migration[]) {
    this.#storage = storage;
    this.#migrations = migrations;
    if (hasStorage(storage)) runMigrations(storage, migrations);
    else this.#wiped = true;
  }

  /** Whether the replica holds no storage (never written, or wiped). */
  get wiped(): boolean {
    return this.#wiped;
  }

  /** Recreates the schema after the replica deleted its storage. Every entry point calls it first. */
  ensure(): void {
    if (!this.#wiped) return;
    runMigrations(this.#storage, this.#migrations);
    this.#wiped = false;
  }

  /** Deletes all of the replica's storage. */
  async wipe(): Promise<void> {
    await this.#storage.deleteAll();
    this.#wiped = true;
  }
}
