/**
 * @module
 * The replicator's jobs, the one table `scheduled()` reads: every cron tick sweeps each ring
 * (resuming where the last invocation stopped), advances the reaper and audits a sample. Also runnable on demand
 * by the reseller admin (`POST /recon/sweep`) and in tests.
 */

import type { Config } from "../config/config";
import { ReplicaClient } from "../durable/client";
import { audit, type AuditReport } from "./auditor";
import { reapAccounts, type ReapReport } from "./reaper";
import { sweepRing, type SweepReport } from "./sweep";
import { controlStub } from "../durable/names";

/** Repairs one invocation may ask for per ring: each is one call from here (the replica spends its own budget). */
export const SWEEP_REPAIRS_PER_INVOCATION = 500;

export interface JobsReport {
  sweeps: SweepReport[];
  reaper: ReapReport;
  auditor: AuditReport;
}

/** Sweeps every ring once (bounded, resumable) and records each pass in the control record. */
export async function runSweeps(config: Config, nowMs: number): Promise<SweepReport[]> {
  const client = new ReplicaClient(config);
  const control = controlStub(config);
  const reports: SweepReport[] = [];
  for (const ring of config.rings.names()) {
    const cursor = (await control.sweepCursor(ring)).value ?? 0;
    const outcome = await sweepRing(config, client, ring, cursor, SWEEP_REPAIRS_PER_INVOCATION, nowMs);
    await control.saveSweep(
      ring,
      outcome.report.cursor,
      { ...outcome.report },
      outcome.divergentPartitions,
      outcome.checked,
    );
    reports.push(outcome.report);
  }
  return reports;
}

/** What a cron tick runs. */
export async function runJobs(config: Config, nowMs: number): Promise<JobsReport> {
  const sweeps = await runSweeps(config, nowMs);
  const reaper = await reapAccounts(config);
  const auditor = await audit(config, new ReplicaClient(config), Math.random);
  return { sweeps, reaper, auditor };
}
