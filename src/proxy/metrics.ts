/**
 * @module
 * `GET /metrics`: this isolate's figures in the Prometheus text format (version 0.0.4), for the
 * reseller admin or a caller with `Authorization: Bearer <METRICS_TOKEN>`: requests by operation
 * and status and their latencies (common/request-metrics.ts), the work each operation cost as
 * `/recon/work` counts it, and the replicators' state as the control record and the ring
 * summaries hold it (each ring's last sweep, how long its oldest divergence has waited, handoffs
 * outstanding, replicas waiting for a zone, accounts queued for the reaper), and the figures the
 * dashboard draws, from the same functions (dashboard/figures.ts: the ring maps' cells by state,
 * container updates pending, the expirer's backlog, the zones' replica reads and writes, the
 * accounts' usage). Request, work and zone figures are per isolate, as `/recon/work`'s; a scraper
 * sums them.
 */

import { Hono } from "hono";
import { parseConfig } from "../config/config";
import { constantTimeEqual } from "../common/compare";
import { H } from "../common/headers";
import { LATENCY_BUCKETS, requestMetrics } from "../common/request-metrics";
import { WORK_COUNTERS } from "../common/work";
import { operationWork } from "../common/work-tally";
import { controlStub } from "../durable/names";
import { replicasWaiting } from "./admin";
import { dashboardFigures } from "./dashboard/figures";
import { resellerAdminOnly } from "./middleware/reseller-admin";

export const metrics = new Hono<{ Bindings: Env }>();

metrics.use("/metrics", async (c, next) => {
  const token = parseConfig(c.env).metricsToken;
  const bearer = /^Bearer (.+)$/.exec(c.req.header(H.AUTHORIZATION) ?? "")?.[1];
  if (token !== null && bearer !== undefined && constantTimeEqual(bearer, token)) return next();
  return resellerAdminOnly(c, next);
});

metrics.get("/metrics", async (c) => {
  const config = parseConfig(c.env);
  const text = new MetricsText();
  text.family("edgeswift_requests_total", "counter", "Requests the proxy answered, by operation and status.");
  for (const { operation, status, count } of requestMetrics.requests())
    text.sample("edgeswift_requests_total", { operation, status: String(status) }, count);
  text.family(
    "edgeswift_request_duration_seconds",
    "histogram",
    "Time from a request's arrival to its response's headers, by operation.",
  );
  for (const { operation, entry } of requestMetrics.latencies()) {
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, index) => {
      cumulative += entry.buckets[index] ?? 0;
      text.sample("edgeswift_request_duration_seconds_bucket", { operation, le: String(bound) }, cumulative);
    });
    text.sample("edgeswift_request_duration_seconds_bucket", { operation, le: "+Inf" }, entry.count);
    text.sample("edgeswift_request_duration_seconds_sum", { operation }, entry.sumSeconds);
    text.sample("edgeswift_request_duration_seconds_count", { operation }, entry.count);
  }
  text.family(
    "edgeswift_operation_work_total",
    "counter",
    "What the requests of each operation cost, by counter (Durable Object requests by class, rows, R2 operations, subrequests).",
  );
  for (const [operation, entry] of Object.entries(operationWork.snapshot()))
    for (const counter of WORK_COUNTERS)
      text.sample("edgeswift_operation_work_total", { operation, counter }, entry[counter]);

  const [sweeps, figures] = await Promise.all([controlStub(config).sweepReports(), dashboardFigures(config)]);
  const now = Date.now();
  /** Each ring's last sweep report field as a gauge; divided by `per` (1,000: ms into seconds). */
  const gauges: [name: string, help: string, field: string, per?: number][] = [
    [
      "edgeswift_sweep_partitions_checked",
      "Partitions holding data the ring's last sweep compared.",
      "partitionsChecked",
    ],
    ["edgeswift_sweep_divergent_partitions", "Partitions the ring's last sweep found divergent.", "divergent"],
    ["edgeswift_sweep_rows_moved", "Rows the ring's last sweep's repairs moved.", "rowsMoved"],
    ["edgeswift_sweep_repaired_partitions", "Divergent partitions the ring's last sweep asked to repair.", "repaired"],
    [
      "edgeswift_sweep_converged_partitions",
      "Divergences an earlier sweep saw that the ring's last sweep found repaired.",
      "converged",
    ],
    [
      "edgeswift_handoffs_outstanding",
      "Handoff replicas the ring's last sweep found holding rows.",
      "handoffsOutstanding",
    ],
    ["edgeswift_sweep_duration_seconds", "How long the ring's last sweep took.", "durationMs", 1000],
    [
      "edgeswift_sweep_convergence_seconds",
      "How long the longest divergence the ring's last sweep found repaired had waited since a sweep first saw it.",
      "convergedLongestMs",
      1000,
    ],
  ];
  const reports = sweeps.value ?? {};
  for (const [name, help, field, per = 1] of gauges) {
    text.family(name, "gauge", help);
    for (const [ring, report] of Object.entries(reports)) {
      const value = report[field];
      if (typeof value === "number") text.sample(name, { ring }, value / per);
    }
  }
  text.family(
    "edgeswift_replication_lag_seconds",
    "gauge",
    "How long the ring's oldest divergence a sweep saw has waited for its repair (0 when none waits).",
  );
  for (const [ring, report] of Object.entries(reports)) {
    const oldest =
      typeof report.oldestUnrepairedDivergence === "string" ? Date.parse(report.oldestUnrepairedDivergence) : NaN;
    text.sample(
      "edgeswift_replication_lag_seconds",
      { ring },
      Number.isNaN(oldest) ? 0 : Math.max(0, now - oldest) / 1000,
    );
  }
  text.family(
    "edgeswift_replicas_waiting",
    "gauge",
    "Replicas of each ring waiting on their zone's ring summary for a zone that stopped answering, by that zone.",
  );
  for (const ring of config.rings.names())
    for (const [zone, count] of Object.entries(await replicasWaiting(config, ring)))
      text.sample("edgeswift_replicas_waiting", { ring, zone }, count);
  const single: [string, string, number][] = [
    ["edgeswift_reaper_accounts_queued", "Deleted accounts the reaper has yet to empty.", figures.reaperQueue.length],
    ["edgeswift_sharded_containers", "Containers split into shards (CONTAINER_SHARD_ROWS).", figures.sharding.sharded],
    [
      "edgeswift_container_splits_in_progress",
      "Containers whose shard ranges are found but not yet all active.",
      figures.sharding.sharding,
    ],
    [
      "edgeswift_container_shards",
      "Shards of the containers being sharded and sharded, together.",
      figures.sharding.shards,
    ],
  ];
  for (const [name, help, value] of single) {
    text.family(name, "gauge", help);
    text.sample(name, {}, value);
  }
  text.family(
    "edgeswift_ring_cells",
    "gauge",
    "The ring map's cells (partition and zone) by state as the ring summaries last had them reported: sync, repairing, handoff, down, empty, none.",
  );
  for (const map of figures.maps)
    for (const [state, count] of Object.entries(map.counts))
      text.sample("edgeswift_ring_cells", { ring: map.ring, state }, count);
  const backlog = figures.backlog;
  for (const [name, help, value] of [
    [
      "edgeswift_container_updates_pending",
      "Container updates the object replicas asked have yet to deliver (Swift's async_pendings).",
      backlog.updatesPending,
    ],
    [
      "edgeswift_expirer_backlog_objects",
      "Objects past their X-Delete-At the object replicas asked have yet to expire.",
      backlog.expired,
    ],
    [
      "edgeswift_backlog_replicas_asked",
      "Object replicas asked for the backlog figures (the first the ring summaries list).",
      backlog.replicasAsked,
    ],
    [
      "edgeswift_backlog_replicas_holding",
      "Object replicas the ring summaries list as holding rows.",
      backlog.replicasHolding,
    ],
  ] as const) {
    text.family(name, "gauge", help);
    text.sample(name, {}, value);
  }
  text.family(
    "edgeswift_replica_calls_total",
    "counter",
    "Replica reads (GET, HEAD, listings) and writes (PUT, POST, DELETE) this isolate sent, by zone.",
  );
  for (const { zone, calls } of figures.zones)
    for (const [kind, count] of Object.entries(calls))
      text.sample("edgeswift_replica_calls_total", { zone, kind }, count);
  for (const [name, help, field] of [
    ["edgeswift_account_containers", "Containers in the account, as one of its replicas holds it.", "containers"],
    ["edgeswift_account_objects", "Objects in the account, as one of its replicas holds it.", "objects"],
    ["edgeswift_account_bytes", "Bytes stored in the account, as one of its replicas holds it.", "bytes"],
  ] as const) {
    text.family(name, "gauge", help);
    for (const usage of figures.accounts.usage) text.sample(name, { account: usage.account }, usage[field]);
  }
  return new Response(text.toString(), {
    status: 200,
    headers: { [H.CONTENT_TYPE]: "text/plain; version=0.0.4; charset=utf-8" },
  });
});

/** The Prometheus text exposition format: families with their HELP and TYPE, then samples. */
export class MetricsText {
  readonly #lines: string[] = [];

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.#lines.push(
      `# HELP ${name} ${help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`,
      `# TYPE ${name} ${type}`,
    );
  }

  sample(name: string, labels: Record<string, string>, value: number): void {
    const pairs = Object.entries(labels).map(([key, text]) => `${key}="${escapeLabel(text)}"`);
    this.#lines.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`);
  }

  toString(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}

/** A label value with its backslashes, double quotes and newlines escaped. */
function escapeLabel(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
