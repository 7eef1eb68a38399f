/**
 * @module
 * The auditor job: each cron tick, a sample of the replicas that hold data (read from the ring
 * summaries) recompute a sample of their leaves from the rows and repair any drift between rows
 * and hashes. Its cost is the sample, whatever is stored. Swift: the account, container and
 * object auditors (which re-read everything, on their own schedule).
 */

import type { Config } from "../config/config";
import { NODE_TIMEOUT_MS } from "../common/constraints";
import type { ReplicaClient } from "../durable/client";
import { handoffSlot } from "../durable/identity";
import { ringSummaryStub } from "../durable/names";

/** Replicas audited per ring per tick, and leaves each recomputes. */
export const AUDIT_REPLICAS_PER_RING = 32;
export const AUDIT_LEAVES_PER_REPLICA = 16;

export interface AuditReport {
  replicasChecked: number;
  leavesChecked: number;
  drifted: number;
}

/** Audits a random sample of replicas holding data; `random` picks where to start. */
export async function audit(config: Config, client: ReplicaClient, random: () => number): Promise<AuditReport> {
  const report: AuditReport = { replicasChecked: 0, leavesChecked: 0, drifted: 0 };
  for (const ring of config.rings.names()) {
    const zones = config.rings.get(ring).zones;
    const zone = zones[Math.floor(random() * zones.length)];
    if (!zone) continue;
    const start = Math.floor(random() * config.rings.get(ring).partitionCount);
    const summary = ringSummaryStub(config, ring, zone.id);
    const entries = (await summary.list(start, AUDIT_REPLICAS_PER_RING)).value ?? [];
    const wrapped =
      entries.length < AUDIT_REPLICAS_PER_RING
        ? ((await summary.list(0, AUDIT_REPLICAS_PER_RING - entries.length)).value ?? [])
        : [];
    for (const entry of [...entries, ...wrapped.filter((e) => e.partition < start)]) {
      const slot = entry.slot === "handoff" ? handoffSlot(zone.id) : zone.id;
      const reply = await client.protocol(
        ring,
        entry.partition,
        slot,
        (stub) => stub.audit(AUDIT_LEAVES_PER_REPLICA),
        NODE_TIMEOUT_MS,
      );
      report.replicasChecked += 1;
      report.leavesChecked += reply.value?.leavesChecked ?? 0;
      report.drifted += reply.value?.drifted ?? 0;
    }
  }
  return report;
}
