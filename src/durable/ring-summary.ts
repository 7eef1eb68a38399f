/**
 * @module
 * One ring's summary in one zone, named `summary/{ring}/{zone}`: which partitions' replicas in
 * that zone hold rows, and their partition hashes, as the replicas last reported them. The cron
 * sweep reads the zones' summaries and compares hashes, so a partition that is in sync, or
 * empty, costs no call at all.
 *
 * It is also where the zone's replicas wait for another zone that stopped answering: rather than
 * each of them retrying it every few seconds (hundreds of handoffs, each with its own alarm — the
 * connection storm Swift's replicators make against a dead node), they register here, the summary
 * probes the zone once a second with one call, and wakes them all when it answers. Public methods
 * are its RPC surface.
 */

import { DurableObject } from "cloudflare:workers";
import { parseConfig } from "../config/config";
import {
  NODE_TIMEOUT_MS,
  SUMMARY_CALLS_PER_ALARM_MAX,
  WAKE_CALLS_IN_FLIGHT,
  ZONE_PROBE_INTERVAL_MS,
} from "../common/constraints";
import type { ReplicaReply } from "../common/replies";
import type { RingName } from "../ring/types";
import { ringOfSummaryName } from "./names";
import { ReplicaClient } from "./client";
import { migratedRows } from "./schema/migrate";
import { countedSql, setAlarmCounted } from "./replica/counted-storage";
import { measuredAlarm, measuredCall, measuredCallAsync } from "../common/measured";
import { SUMMARY_MIGRATIONS, SummaryRows, type SummaryEntry, type Waiter } from "./schema/summary";

/** The summaries' entry in the isolate's tally of Durable Object work (common/work-tally.ts). */
const SUMMARY_CALLS = "summary calls";

export class RingSummary extends DurableObject<Env> {
  // Synchronous: the schema is there before any call arrives. Its storage is counted as work (common/work.ts).
  readonly #rows = migratedRows(this.ctx.storage, SUMMARY_MIGRATIONS, SummaryRows, countedSql(this.ctx.storage.sql));

  /** Replicas report their partition hash here after it changed (an empty replica reports no rows). */
  report(entries: SummaryEntry[]): ReplicaReply {
    return measuredCall(SUMMARY_CALLS, () => {
      this.ctx.storage.transactionSync(() => this.#rows.report(entries, Date.now()));
      return { status: 202 };
    });
  }

  /** A page of entries from a partition on. */
  list(fromPartition: number, limit: number): ReplicaReply<SummaryEntry[]> {
    return measuredCall(SUMMARY_CALLS, () => ({ status: 200, value: this.#rows.list(fromPartition, limit) }));
  }

  /** A replica of this zone could not reach `zones`: it is woken (its repair runs) when each answers again. */
  waitFor(zones: string[], waiter: Waiter): Promise<ReplicaReply> {
    return measuredCallAsync(SUMMARY_CALLS, async () => {
      this.ctx.storage.transactionSync(() => this.#rows.wait(zones, waiter, Date.now()));
      if ((await this.ctx.storage.getAlarm()) === null)
        await setAlarmCounted(this.ctx.storage, Date.now() + ZONE_PROBE_INTERVAL_MS);
      return { status: 202 };
    });
  }

  /** How many of this zone's replicas wait for each other zone (recon and tests). */
  waiting(): ReplicaReply<Record<string, number>> {
    return { status: 200, value: this.#rows.waitingCounts() };
  }

  /** Probes each zone waited for with one call; wakes that zone's waiters once it answers. */
  override async alarm(): Promise<void> {
    await measuredAlarm("summary alarms", () => this.#probe());
  }

  async #probe(): Promise<void> {
    const ring = this.#ring();
    const client = new ReplicaClient(parseConfig(this.env));
    // Calls this invocation may still make (each is a subrequest).
    let budget = SUMMARY_CALLS_PER_ALARM_MAX;
    let more = false;
    for (const { zone, partition } of this.#rows.waitedZones()) {
      if (budget <= 0) {
        more = true;
        break;
      }
      budget -= 1;
      const probe = await client.call(ring, partition, zone, (stub) => stub.partitionHash(), NODE_TIMEOUT_MS);
      if (probe.status !== 200) continue;
      for (;;) {
        const waiters = this.ctx.storage.transactionSync(() =>
          this.#rows.takeWaiters(zone, Math.min(WAKE_CALLS_IN_FLIGHT, budget)),
        );
        if (!waiters.length) break;
        budget -= waiters.length;
        // A waiter not woken here still retries on its own, later.
        await Promise.all(
          waiters.map((waiter) =>
            client.call(ring, waiter.partition, waiter.slot, (stub) => stub.wake(), NODE_TIMEOUT_MS),
          ),
        );
      }
      // The zone answered but the budget ran out: the rest are woken by the next invocation, at once.
      if (budget <= 0) more = true;
    }
    if (more) await setAlarmCounted(this.ctx.storage, Date.now());
    else if (this.#rows.waitedZones().length)
      await setAlarmCounted(this.ctx.storage, Date.now() + ZONE_PROBE_INTERVAL_MS);
  }

  /** The ring from this summary's name, `summary/{ring}/{zone}`. */
  #ring(): RingName {
    const ring = ringOfSummaryName(this.ctx.id.name);
    if (ring === null) throw new Error(`ring summary named "${this.ctx.id.name}" has no ring`);
    return ring;
  }
}
