/**
 * @module
 * `edgeswift status`: a running cluster's health, as swift-recon gathers it from every node's
 * recon cache (`swift-recon -r -a --all`), from the Worker's operator routes: `/healthcheck`,
 * `/recon/replication` (each ring's last sweep, handoffs outstanding, replicas waiting for each
 * zone), `/recon/rings` (each ring's zones) and `/metrics` (the reaper's queue and any other
 * backlog). A table by default, `--json` the same figures; exit 1 when unhealthy: the health check
 * fails, or replicas wait for a zone that stopped answering (a zone down). Handoffs outstanding,
 * divergence not yet repaired and a ring never swept are warnings: they are replication at work.
 */
import { defineCommand } from "citty";
import {
  Cluster,
  CLUSTER_ARGS,
  clusterOptions,
  ClusterError,
  JSON_ARG,
  oneLine,
  parsedJson,
  type Answer,
} from "./cluster.ts";
import { duration, printJson, table } from "./output.ts";

/** One ring's figures. */
export interface RingStatus {
  ring: string;
  partitionCount: number;
  replicaCount: number;
  zones: string[];
  /** The last completed sweep, or null when none has completed. */
  lastSweep: {
    startedAt: string;
    /** Seconds since it started. */
    ageSeconds: number;
    durationMs: number;
    partitionsChecked: number;
    divergent: number;
    repaired: number;
    rowsMoved: number;
    complete: boolean;
  } | null;
  handoffsOutstanding: number;
  /** When the oldest divergence a sweep saw and no sweep has seen repaired was first seen; null if none. */
  oldestUnrepairedDivergence: string | null;
  /** Replicas of this ring waiting for each zone that stopped answering. */
  waitingFor: Record<string, number>;
}

export interface ClusterStatus {
  url: string;
  at: string;
  healthcheck: { ok: boolean; status: number; body: string };
  rings: RingStatus[];
  /** Every zone of any ring, with the replicas of each ring waiting for it (absent: not in that ring). */
  zones: { zone: string; waiting: Record<string, number> }[];
  reaper: { accountsQueued: number | null };
  /** Containers split into shards, splits in progress, and their shards (null: /metrics did not say). */
  sharding: { sharded: number | null; splitting: number | null; shards: number | null };
  /** Other queues /metrics shows (`…_queued`, `…_pending`, `…_backlog` gauges), by sample. */
  backlog: Record<string, number>;
  /** Why the cluster is unhealthy (exit 1); empty when healthy. */
  problems: string[];
  warnings: string[];
  healthy: boolean;
}

/** One Prometheus text sample. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (version 0.0.4); comments and bad lines skipped. */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name = "", labelText = "", valueText = ""] = match;
    const labels: Record<string, string> = {};
    for (const [, key = "", value = ""] of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The value of the unlabelled sample `name`, or null when /metrics has none. */
const valueOf = (samples: readonly MetricSample[], name: string): number | null =>
  samples.find((sample) => sample.name === name)?.value ?? null;

/** `name{a="b"}`: a sample's key in `backlog`. */
function sampleKey(sample: MetricSample): string {
  const labels = Object.entries(sample.labels).map(([key, value]) => `${key}="${value}"`);
  return labels.length > 0 ? `${sample.name}{${labels.join(",")}}` : sample.name;
}

const REAPER_QUEUE = "edgeswift_reaper_accounts_queued";
const SHARDED = "edgeswift_sharded_containers";
const SPLITTING = "edgeswift_container_splits_in_progress";
const SHARDS = "edgeswift_container_shards";
const BACKLOG_NAME = /_(queued|pending|backlog)(_total)?$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

/** What the routes answered, read into figures (pure: `nowMs` is the clock). */
export function clusterStatus(input: {
  url: string;
  nowMs: number;
  health: Answer;
  replication: unknown;
  rings: unknown;
  metrics: string;
}): ClusterStatus {
  const { nowMs } = input;
  // Null: not asked, as the health check failed (every route answers as it does).
  if (input.rings !== null && (!isObject(input.rings) || !isObject(input.rings.rings)))
    throw new ClusterError("GET /recon/rings answered no rings");
  const layouts = isObject(input.rings) && isObject(input.rings.rings) ? input.rings.rings : {};
  const replication = isObject(input.replication) ? input.replication : {};
  const rings: RingStatus[] = Object.entries(layouts).map(([ring, layout]) => {
    const shape = isObject(layout) ? layout : {};
    const report = isObject(replication[ring]) ? (replication[ring] as Json) : {};
    const startedAt = typeof report.startedAt === "string" ? report.startedAt : null;
    const waiting = isObject(report.waitingFor) ? report.waitingFor : {};
    return {
      ring,
      partitionCount: numberOr(shape.partitionCount, 0),
      replicaCount: numberOr(shape.replicaCount, 0),
      zones: Array.isArray(shape.zones)
        ? shape.zones.map((zone) => (isObject(zone) && typeof zone.id === "string" ? zone.id : "?"))
        : [],
      lastSweep:
        startedAt === null
          ? null
          : {
              startedAt,
              ageSeconds: Math.max(0, (nowMs - Date.parse(startedAt)) / 1000),
              durationMs: numberOr(report.durationMs, 0),
              partitionsChecked: numberOr(report.partitionsChecked, 0),
              divergent: numberOr(report.divergent, 0),
              repaired: numberOr(report.repaired, 0),
              rowsMoved: numberOr(report.rowsMoved, 0),
              complete: report.complete !== false,
            },
      handoffsOutstanding: numberOr(report.handoffsOutstanding, 0),
      oldestUnrepairedDivergence:
        typeof report.oldestUnrepairedDivergence === "string" ? report.oldestUnrepairedDivergence : null,
      waitingFor: Object.fromEntries(
        Object.entries(waiting).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
      ),
    };
  });
  const zoneIds = [...new Set(rings.flatMap((ring) => [...ring.zones, ...Object.keys(ring.waitingFor)]))];
  const zones = zoneIds.map((zone) => ({
    zone,
    waiting: Object.fromEntries(
      rings
        .filter((ring) => ring.zones.includes(zone) || zone in ring.waitingFor)
        .map((ring) => [ring.ring, ring.waitingFor[zone] ?? 0]),
    ),
  }));
  const samples = parseMetrics(input.metrics);
  const reaper = valueOf(samples, REAPER_QUEUE);
  const backlog = Object.fromEntries(
    samples
      .filter((sample) => sample.name !== REAPER_QUEUE && BACKLOG_NAME.test(sample.name))
      .map((sample) => [sampleKey(sample), sample.value]),
  );
  const healthcheck = { ok: input.health.status === 200, status: input.health.status, body: input.health.text.trim() };
  const problems: string[] = [];
  if (!healthcheck.ok) problems.push(`GET /healthcheck answered ${healthcheck.status}: ${oneLine(healthcheck.body)}`);
  for (const { zone, waiting } of zones) {
    const waitingRings = Object.entries(waiting).filter(([, count]) => count > 0);
    if (waitingRings.length > 0)
      problems.push(
        `zone ${zone} stopped answering: ${waitingRings.map(([ring, count]) => `${count} ${ring} replicas`).join(", ")} wait for it`,
      );
  }
  const warnings: string[] = [];
  for (const ring of rings) {
    if (ring.lastSweep === null) warnings.push(`the ${ring.ring} ring has not been swept yet`);
    if (ring.handoffsOutstanding > 0)
      warnings.push(`the ${ring.ring} ring has ${ring.handoffsOutstanding} handoff replicas holding rows`);
    if (ring.oldestUnrepairedDivergence !== null)
      warnings.push(
        `the ${ring.ring} ring has divergence unrepaired since ${ring.oldestUnrepairedDivergence} ` +
          `(${duration((nowMs - Date.parse(ring.oldestUnrepairedDivergence)) / 1000)})`,
      );
  }
  return {
    url: input.url,
    at: new Date(nowMs).toISOString(),
    healthcheck,
    rings,
    zones,
    reaper: { accountsQueued: reaper },
    sharding: {
      sharded: valueOf(samples, SHARDED),
      splitting: valueOf(samples, SPLITTING),
      shards: valueOf(samples, SHARDS),
    },
    backlog,
    problems,
    warnings,
    healthy: problems.length === 0,
  };
}

/** The status for people: health, a table per ring, a table per zone, the queues, the verdict. */
export function renderStatus(status: ClusterStatus): string {
  const lines = [
    `edgeswift at ${status.url}, ${status.at}`,
    `healthcheck: ${status.healthcheck.ok ? "OK" : `${status.healthcheck.status} ${oneLine(status.healthcheck.body)}`}`,
    "",
    "replication (each ring's last sweep):",
    table([
      [
        "ring",
        "partitions",
        "replicas",
        "zones",
        "last sweep",
        "took",
        "checked",
        "divergent",
        "repaired",
        "rows moved",
        "handoffs",
        "unrepaired since",
      ],
      ...status.rings.map((ring) => {
        const sweep = ring.lastSweep;
        return [
          ring.ring,
          String(ring.partitionCount),
          String(ring.replicaCount),
          ring.zones.join(","),
          sweep === null ? "never" : `${duration(sweep.ageSeconds)} ago${sweep.complete ? "" : " (partial)"}`,
          sweep === null ? "-" : `${(sweep.durationMs / 1000).toFixed(1)} s`,
          sweep === null ? "-" : String(sweep.partitionsChecked),
          sweep === null ? "-" : String(sweep.divergent),
          sweep === null ? "-" : String(sweep.repaired),
          sweep === null ? "-" : String(sweep.rowsMoved),
          String(ring.handoffsOutstanding),
          ring.oldestUnrepairedDivergence ?? "-",
        ];
      }),
    ]).replace(/^/gm, "  "),
    "",
    "replicas waiting for each zone (a zone that stopped answering; - : not in that ring):",
    table([
      ["zone", ...status.rings.map((ring) => ring.ring)],
      ...status.zones.map(({ zone, waiting }) => [
        zone,
        ...status.rings.map((ring) => (ring.ring in waiting ? String(waiting[ring.ring]) : "-")),
      ]),
    ]).replace(/^/gm, "  "),
    "",
    `reaper: ${status.reaper.accountsQueued ?? "?"} deleted accounts queued`,
    `sharding: ${status.sharding.sharded ?? "?"} containers sharded, ${status.sharding.splitting ?? "?"} splitting, ` +
      `${status.sharding.shards ?? "?"} shards`,
  ];
  for (const [key, value] of Object.entries(status.backlog)) lines.push(`backlog: ${key} ${value}`);
  for (const warning of status.warnings) lines.push(`warning: ${warning}`);
  lines.push("", status.healthy ? "healthy" : `UNHEALTHY:\n${status.problems.map((p) => `  ${p}`).join("\n")}`);
  return lines.join("\n");
}

/**
 * Asks the Worker's routes (in parallel, after the health check) and reads their answers. When the
 * health check fails, a Worker that refuses every request is reported unhealthy with that alone.
 */
export async function fetchStatus(cluster: Cluster, nowMs: () => number = Date.now): Promise<ClusterStatus> {
  const health = await cluster.anonymous("/healthcheck");
  const url = cluster.options.url;
  try {
    const [replication, rings, metrics] = await Promise.all([
      cluster.json("/recon/replication"),
      cluster.json("/recon/rings"),
      cluster.request("GET", "/metrics"),
    ]);
    if (metrics.status !== 200) parsedJson("GET /metrics", metrics);
    return clusterStatus({ url, nowMs: nowMs(), health, replication, rings, metrics: metrics.text });
  } catch (error) {
    if (!(error instanceof ClusterError) || health.status === 200) throw error;
    return clusterStatus({ url, nowMs: nowMs(), health, replication: null, rings: null, metrics: "" });
  }
}

export const statusCommand = defineCommand({
  meta: {
    name: "status",
    description:
      "a running cluster's health, like swift-recon: each ring's last sweep, handoffs, replicas waiting " +
      "for each zone, the reaper's queue; exit 1 when the health check fails or replicas wait for a zone",
  },
  args: { ...CLUSTER_ARGS, ...JSON_ARG },
  async run({ args }) {
    const status = await fetchStatus(new Cluster(clusterOptions(args)));
    if (args.json) printJson(status);
    else console.log(renderStatus(status));
    return status.healthy ? 0 : 1;
  },
});
