/**
 * @module
 * BenchFloor: a bench-only SQLite Durable Object with no edgeswift logic — a one-row upsert, a
 * one-row select, a listing page — so `npm run bench` can measure what the building blocks cost
 * beside what edgeswift does with them (floor-routes.ts serves it under /bench/floor/*). It exists
 * in the bench Worker alone (wrangler.bench.toml binds it as BENCH_FLOOR). Named like a replica
 * (`object/{partition}/{zone}`) in its own namespace. Its SQL lives here rather than in
 * src/durable/schema/: it holds throwaway bench rows, has no migrations to keep and no replica
 * reads it. Public methods are its RPC surface; it has no fetch().
 */

import { DurableObject } from "cloudflare:workers";

/** One row of a listing page, with the columns of a container's object row. */
export interface FloorListingRow {
  name: string;
  created_at: string;
  bytes: number;
  etag: string;
  content_type: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS floor_row (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS floor_listing (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL
);`;

/** The etag of 4 KiB of zero bytes, so a seeded listing looks like one of 4 KiB objects. */
const SEED_ETAG = "620f0b67a91f7f74151bc5be745b7110";

// It reads nothing of its env: the production Env types it, so ./config need not be imported back.
export class BenchFloor extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** One-row upsert: the least a replica write can be. */
  write(key: string, value: string): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO floor_row (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  /** One-row select by primary key: the least a replica read can be; null when absent. */
  read(key: string): string | null {
    const row = this.ctx.storage.sql
      .exec<{ value: string }>("SELECT value FROM floor_row WHERE key = ?", key)
      .toArray()[0];
    return row ? row.value : null;
  }

  /** Fills the listing table up to `count` rows named `object-000000`… in one transaction; returns the row count. */
  seed(count: number): number {
    const have = this.#listingCount();
    if (have >= count) return have;
    const createdAt = new Date(Date.UTC(2026, 0, 1)).toISOString().replace("Z", "");
    this.ctx.storage.transactionSync(() => {
      for (let index = have; index < count; index++) {
        this.ctx.storage.sql.exec(
          "INSERT OR IGNORE INTO floor_listing (name, created_at, bytes, etag, content_type) VALUES (?, ?, ?, ?, ?)",
          `object-${String(index).padStart(6, "0")}`,
          createdAt,
          4096,
          SEED_ETAG,
          "application/octet-stream",
        );
      }
    });
    return this.#listingCount();
  }

  /** The first `limit` listing rows in name order: one listing page read from one replica. */
  list(limit: number): FloorListingRow[] {
    return this.ctx.storage.sql
      .exec<{ name: string; created_at: string; bytes: number; etag: string; content_type: string }>(
        "SELECT name, created_at, bytes, etag, content_type FROM floor_listing ORDER BY name LIMIT ?",
        Math.max(0, Math.floor(limit)),
      )
      .toArray();
  }

  #listingCount(): number {
    return this.ctx.storage.sql.exec<{ count: number }>("SELECT count(*) AS count FROM floor_listing").one().count;
  }
}
