/**
 * @module
 * One ring's summary in one zone, named `summary/{ring}/{zone}`: which partitions' replicas in
 * that zone hold rows, and their partition hashes, as the replicas last reported them. The cron
 * sweep reads the zones' summaries and compares hashes, so a partition that is in sync, or
 * empty, costs no call at all. Public methods are its RPC surface.
 */

import { DurableObject } from "cloudflare:workers";
import type { ReplicaReply } from "../common/replies";
import { runMigrations } from "./schema/migrate";
import { SUMMARY_MIGRATIONS, SummaryRows, type SummaryEntry } from "./schema/summary";

export class RingSummary extends DurableObject<Env> {
  readonly #rows: SummaryRows;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    runMigrations(ctx.storage, SUMMARY_MIGRATIONS);
    this.#rows = new SummaryRows(ctx.storage.sql);
  }

  /** Replicas report their partition hash here after it changed (an empty replica reports no rows). */
  report(entries: SummaryEntry[]): ReplicaReply {
    this.ctx.storage.transactionSync(() => this.#rows.report(entries, Date.now()));
    return { status: 202 };
  }

  /** A page of entries from a partition on. */
  list(fromPartition: number, limit: number): ReplicaReply<SummaryEntry[]> {
    return { status: 200, value: this.#rows.list(fromPartition, limit) };
  }
}
