/**
 * @module
 * `npm run model [-- --from bench/out/bench-….txt] [--objects N] [--partitions N] [--zones N] …`: the
 * deployment model (bench/model-lib.ts) for a deployment you choose, from the work per operation
 * the bench measured (bench/work-measured.json, or a bench run's `name=value` lines with `--from`):
 * the in-sync sweep's cost per hour and month beside a Swift-style full walk, the steady state's
 * price per month by line item, metadata bytes per object, the busiest Durable Objects against
 * ~1,000 requests a second and 10 GB, and how each grows. Prints markdown tables and `name=value`
 * lines (also saved under bench/out/). Numbers only.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { namedValues } from "../cli/output.ts";
import { runStrict, UsageError } from "../cli/strict-args.ts";
import { markdownTable } from "./http.ts";
import { ACCOUNT_REPORT_DELAY_MS, SUMMARY_DELAY_MS, SUMMARY_QUIET_MS } from "../src/common/constraints.ts";
import {
  ASSUMPTIONS,
  type Deployment,
  doRequests,
  LIMITS,
  type Measured,
  OPERATIONS,
  priceOf,
  RINGS,
  total,
  type Work,
} from "./model-base.ts";
import { growthScenarios, measuredFromLines, model, type ModelResult, type RingSweep } from "./model-lib.ts";
import { COLUMN_BYTES } from "./model-rows.ts";

const MODEL_ARGS = {
  from: {
    type: "string",
    valueHint: "FILE",
    description: "a bench run's output (bench/out/bench-*.txt): its edgeswift.<op>.work.* lines replace the defaults",
  },
  objects: { type: "string", default: "1000000000", valueHint: "N", description: "objects stored" },
  containers: { type: "string", default: "100000000", valueHint: "N", description: "containers" },
  accounts: { type: "string", default: "1000000", valueHint: "N", description: "accounts" },
  partitions: { type: "string", default: "262144", valueHint: "N", description: "partitions of each ring (2^18)" },
  replicas: { type: "string", default: "3", valueHint: "N", description: "replicas of each partition" },
  zones: { type: "string", default: "6", valueHint: "N", description: "zones the replicas spread over" },
  "put-per-s": { type: "string", default: "1000", valueHint: "N", description: "object PUTs a second" },
  "get-per-s": { type: "string", default: "10000", valueHint: "N", description: "object GETs a second" },
  "head-per-s": { type: "string", default: "0", valueHint: "N", description: "object HEADs a second" },
  "delete-per-s": { type: "string", default: "0", valueHint: "N", description: "object DELETEs a second" },
  "list-per-s": { type: "string", default: "10", valueHint: "N", description: "container listings a second" },
  "object-bytes": { type: "string", default: "1048576", valueHint: "N", description: "average object body (R2)" },
  "hot-container-percent": {
    type: "string",
    default: "1",
    valueHint: "N",
    description: "share of the PUTs going to one container",
  },
  "largest-container": {
    type: "string",
    default: "10000000",
    valueHint: "N",
    description: "objects in the largest container",
  },
  "shard-rows": {
    type: "string",
    default: "1000000",
    valueHint: "N",
    description: "CONTAINER_SHARD_ROWS: objects past which a container splits",
  },
  "cron-minutes": { type: "string", default: "5", valueHint: "N", description: "cron interval (*/5 * * * *)" },
  "object-name-bytes": { type: "string", default: "64", valueHint: "N", description: "object name length" },
  "container-name-bytes": { type: "string", default: "24", valueHint: "N", description: "container name length" },
  "account-name-bytes": { type: "string", default: "37", valueHint: "N", description: "account (AUTH_ + 32 hex)" },
  "metadata-bytes": { type: "string", default: "2", valueHint: "N", description: "user metadata JSON per object" },
  "content-type-bytes": { type: "string", default: "24", valueHint: "N", description: "application/octet-stream" },
  "swift-items-per-s": { type: "string", default: "350", valueHint: "N", description: "a Swift replicator's walk" },
  "swift-node-tb": { type: "string", default: "100", valueHint: "N", description: "raw TB per Swift storage node" },
  json: {
    type: "boolean",
    default: false,
    description: "print the name=value figures as one JSON object instead of the report",
  },
} as const satisfies ArgsDef;

/** `text`, the value of `--name`, as a number at or above 0 (above 0 when `positive`). */
function numberOf(name: string, text: string, positive = true): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0))
    throw new UsageError(`--${name} must be a ${positive ? "positive" : "non-negative"} number, got "${text}"`);
  return value;
}

/** The deployment of a parsed command line; throws a UsageError for a bad number. */
function deploymentOf(values: ParsedArgs<typeof MODEL_ARGS>): Deployment {
  const n = (name: keyof typeof MODEL_ARGS & keyof typeof values) => numberOf(name, String(values[name]));
  const rate = (name: keyof typeof MODEL_ARGS & keyof typeof values) => numberOf(name, String(values[name]), false);
  const replicas = n("replicas");
  const zones = n("zones");
  if (zones < replicas) throw new UsageError(`--zones (${zones}) must be at least --replicas (${replicas})`);
  return {
    objects: n("objects"),
    containers: n("containers"),
    accounts: n("accounts"),
    partitions: n("partitions"),
    replicas,
    zones,
    perSecond: {
      put: rate("put-per-s"),
      get: rate("get-per-s"),
      head: rate("head-per-s"),
      delete: rate("delete-per-s"),
      list: rate("list-per-s"),
    },
    objectBytes: n("object-bytes"),
    hotContainerShare: rate("hot-container-percent") / 100,
    largestContainerObjects: rate("largest-container"),
    shardRows: n("shard-rows"),
    cronMinutes: n("cron-minutes"),
    names: {
      account: n("account-name-bytes"),
      container: n("container-name-bytes"),
      object: n("object-name-bytes"),
      metadata: n("metadata-bytes"),
      contentType: n("content-type-bytes"),
    },
    swiftItemsPerSecond: n("swift-items-per-s"),
    swiftNodeTb: n("swift-node-tb"),
  };
}

interface MeasuredFile {
  source: string;
  operations: Measured["operations"];
  deferred: { source: string; summaryReport: Measured["summaryReport"]; accountReport: Measured["accountReport"] };
  sweep: Measured["sweep"] & { source: string };
}

/** The committed figures, with the operations of a bench run's output when `from` is given. */
function measuredOf(projectDir: string, from: string | undefined): { measured: Measured; sources: string[] } {
  const file = JSON.parse(readFileSync(join(projectDir, "bench", "work-measured.json"), "utf8")) as MeasuredFile;
  const fromRun = from === undefined ? null : measuredFromLines(readFileSync(from, "utf8"));
  if (from !== undefined && fromRun === null)
    throw new UsageError(`--from ${from} has no edgeswift.<put|get|head|delete|list>.work.* lines`);
  const measured: Measured = {
    operations: fromRun ?? file.operations,
    summaryReport: file.deferred.summaryReport,
    accountReport: file.deferred.accountReport,
    sweep: file.sweep,
  };
  return {
    measured,
    sources: [
      `operations: ${fromRun ? from : file.source}`,
      `reports: ${file.deferred.source}`,
      `sweep: ${file.sweep.source}`,
    ],
  };
}

/** A count, rounded, with thousands separators; small figures with 3 significant digits. */
function count(value: number): string {
  if (!Number.isFinite(value)) return "∞";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value === 0 ? "0" : String(Number(value.toPrecision(3)));
}

/** USD: cents, with thousands separators; below a cent, 2 significant digits. */
function usd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${Number(value.toPrecision(2))}`;
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const percent = (value: number, of: number): string => `${((100 * value) / of).toFixed(1)}%`;
const megabytes = (bytes: number): string => count(bytes / 1e6);

function renderInputs(r: ModelResult, m: Measured): string {
  const header = ["operation", "per s", "DO requests", "rows read", "rows written", "R2 class A", "R2 class B"];
  const rows = OPERATIONS.map((op) => {
    const w = m.operations[op];
    return [
      op,
      count(r.deployment.perSecond[op]),
      ...[doRequests(w), w.rowsRead, w.rowsWritten, w.r2ClassA, w.r2ClassB].map(count),
    ];
  });
  return markdownTable(header, rows);
}

function renderSweep(r: ModelResult): string {
  const header = [
    "in-sync sweep, per tick",
    "partitions holding data",
    "summary entries",
    "summary calls",
    "DO requests",
    "rows read",
    "$ per hour",
    "$ per month",
  ];
  const hour = (work: Work) => total(priceOf(work)) * r.sweep.ticksPerHour;
  const rows = r.sweep.rings.map((s) => [
    `${s.ring} ring`,
    count(s.partitionsChecked),
    count(s.summaryEntries),
    count(s.summaryCalls),
    count(s.work.doRequests),
    count(s.work.rowsRead),
    usd(hour(s.work)),
    usd(hour(s.work) * ASSUMPTIONS.hoursPerMonth),
  ]);
  const t = r.sweep.perTick;
  /** A figure of every ring's sweep, summed. */
  const allRings = (pick: (s: RingSweep) => number): string =>
    count(r.sweep.rings.reduce((sum, s) => sum + pick(s), 0));
  rows.push([
    "cron tick, all jobs",
    allRings((s) => s.partitionsChecked),
    allRings((s) => s.summaryEntries),
    allRings((s) => s.summaryCalls),
    count(t.doRequests),
    count(t.rowsRead),
    usd(r.sweep.priceHour),
    usd(r.sweep.priceMonth),
  ]);
  const note =
    `Ticks: ${count(r.sweep.ticksPerHour)} an hour. One invocation's subrequests: ${count(t.doRequests)} ` +
    `(limit ${count(LIMITS.subrequests)}). Summary entries held at once (a page per zone): about ` +
    `${megabytes(r.sweep.heldBytes)} MB at ${ASSUMPTIONS.sweepEntryJsBytes} B each (isolate: ` +
    `${megabytes(LIMITS.workerBytes)} MB). The local sweep's rate, extrapolated: ` +
    `${count(r.sweep.secondsExtrapolated)} s.`;
  return `${markdownTable(header, rows)}\n\n${note}`;
}

function renderSwift(r: ModelResult): string {
  const d = r.deployment;
  const s = r.swift;
  const header = ["full pass", "items read", "pass takes", "nodes", "a divergence is found within"];
  const interval = `${count(d.cronMinutes)} min`;
  const rows = [
    [
      "edgeswift in-sync sweep",
      `${count(r.sweep.perTick.rowsRead)} rows`,
      `one cron tick (${count(r.sweep.secondsExtrapolated)} s locally extrapolated)`,
      "1 cron invocation",
      `a write that missed a replica: repaired at once by the proxy's call; one it could not call for ` +
        `(it stopped first): ${interval} + ${SUMMARY_QUIET_MS / 3_600_000} h; a repair's own: ${interval} + ` +
        `${SUMMARY_DELAY_MS / 1_000} s`,
    ],
    [
      `Swift-style full walk at ${count(d.swiftItemsPerSecond)} items/s a node`,
      `${count(s.items)} items`,
      `${count(s.passHours)} h (${count(s.nodeHours)} node-hours)`,
      `${count(s.nodes)} (${count(d.swiftNodeTb)} TB raw each)`,
      `${count(s.passHours)} h; ${count(s.nodesForCronPass)} nodes to walk it every ${interval}`,
    ],
  ];
  return markdownTable(header, rows);
}

const LINE_ITEMS: [keyof Work, string][] = [
  ["workerRequests", "Workers requests"],
  ["doRequests", "DO requests"],
  ["rowsWritten", "DO rows written"],
  ["rowsRead", "DO rows read"],
  ["r2ClassA", "R2 class A"],
  ["r2ClassB", "R2 class B"],
];

function renderMonth(r: ModelResult): string {
  const mo = r.month;
  const header = ["$ per month", "clients' operations (measured)", "later reports", "cron ticks", "total"];
  const rows = LINE_ITEMS.map(([key, title]) => [
    title,
    usd(mo.client[key]),
    usd(mo.deferred[key]),
    usd(mo.cron[key]),
    usd(mo.client[key] + mo.deferred[key] + mo.cron[key]),
  ]);
  rows.push(["DO SQLite storage", "", "", "", usd(mo.doStorage)]);
  rows.push(["R2 storage", "", "", "", usd(mo.r2Storage)]);
  rows.push(["total", usd(total(mo.client)), usd(total(mo.deferred)), usd(total(mo.cron)), usd(mo.total)]);
  const gb = RINGS.reduce((sum, ring) => sum + r.storage[ring].bytes, 0) / 1e9;
  const replicas = RINGS.reduce((sum, ring) => sum + r.storage[ring].replicasHoldingData, 0);
  const note =
    `Storage: ${count(gb)} GB of SQLite in ${count(replicas)} ` +
    `replicas; ${count((r.deployment.objects * r.deployment.objectBytes * r.deployment.replicas) / 1e9)} GB in R2 ` +
    `(one copy per replica's zone). Reports a second: summaries ${count(r.reports.summary.object)} object, ` +
    `${count(r.reports.summary.container)} container, ${count(r.reports.summary.account)} account; ` +
    `${count(r.reports.account)} to accounts. Worker CPU not priced; included usage left out.`;
  return `${markdownTable(header, rows)}\n\n${note}`;
}

function renderMetadata(r: ModelResult): string {
  const m = r.metadataPerObject;
  const rows = [
    ["object row (object replica; keyed by leaf and name, no index)", count(m.object)],
    ["listing row (container replica; live and leaf indexes)", count(m.listing)],
    ["its share of hash-tree leaves (both)", count(m.tree)],
    ["its share of its container's rows (container and account replicas)", count(m.containerShare)],
    ["one replica of each", count(m.perReplica)],
    [`all ${count(r.deployment.replicas)} replicas`, count(m.allReplicas)],
  ];
  return markdownTable(["metadata bytes per object", "bytes"], rows);
}

function renderBusiest(r: ModelResult): string {
  const limit = LIMITS.doRequestsPerSecond;
  const rows = r.busiest.map((b) => [b.what, count(b.requestsPerS), percent(b.requestsPerS, limit)]);
  const hot = r.hotContainer;
  rows.push([
    `container replica of a container taking ${count(r.deployment.hotContainerShare * 100)}% of PUTs ` +
      `(${count(hot.putsPerS)}/s)`,
    count(hot.requestsPerS),
    percent(hot.requestsPerS, limit),
  ]);
  const note =
    `PUTs a second one container takes at ${count(limit)} req/s: ${count(hot.maxPutsPerS)}. Object writes a second ` +
    `(PUT + DELETE) at which a ring summary reaches ${count(limit)} req/s: ${count(r.maxWritesForSummaries)}.`;
  return `${markdownTable(["busiest Durable Objects", "requests/s", `of ${count(limit)}/s`], rows)}\n\n${note}`;
}

function renderSizes(r: ModelResult): string {
  const rows = r.sizes.map((s) => [s.what, count(s.rows), megabytes(s.bytes), percent(s.bytes, LIMITS.doBytes)]);
  const note =
    `Objects one unsharded container holds before its replicas reach 10 GB: ${count(r.maxObjectsPerContainer)}; ` +
    `past CONTAINER_SHARD_ROWS (${count(r.sharding.shardRows)}) a container splits (below).`;
  return `${markdownTable(["Durable Object size", "rows", "MB", "of 10 GB"], rows)}\n\n${note}`;
}

function renderSharding(r: ModelResult): string {
  const s = r.sharding;
  const rows = [
    [
      "CONTAINER_SHARD_ROWS; mean rows a shard (between half and all of it)",
      `${count(s.shardRows)}; ${count(s.meanRowsPerShard)}`,
    ],
    [
      "one shard replica at the threshold, MB (of 10 GB)",
      `${megabytes(s.fullShardReplicaBytes)} (${percent(s.fullShardReplicaBytes, LIMITS.doBytes)})`,
    ],
    ["largest container: every object in one, objects", count(s.largestContainerObjects)],
    ["its shards", count(s.largestContainerShards)],
    ["PUTs a second one shard takes at the soft limit", count(s.maxPutsPerShard)],
    ["PUTs a second the largest container takes (its shards together)", count(s.maxPutsLargestContainer)],
    ["containers one account holds (accounts are not sharded)", count(s.maxContainersPerAccount)],
  ];
  const note =
    "Unsharded, one container's replicas bound it to the size and the PUT rate of one Durable Object " +
    `(${count(r.maxObjectsPerContainer)} objects, ${count(r.hotContainer.maxPutsPerS)} PUTs a second); sharded, ` +
    "each shard is bounded so, and a container is as large and as fast as its shards together. " +
    "Its listing asks each shard it reaches once a page.";
  return `${markdownTable(["container sharding", "figure"], rows)}\n\n${note}`;
}

/** The figures the growth table follows, each with its title. */
const GROWTH_FIGURES: [string, (r: ModelResult) => string][] = [
  ["sweep $/month", (r) => usd(r.sweep.priceMonth)],
  ["sweep rows read/tick", (r) => count(r.sweep.perTick.rowsRead)],
  ["sweep subrequests", (r) => count(r.sweep.perTick.doRequests)],
  ["sweep MB held", (r) => megabytes(r.sweep.heldBytes)],
  ["steady $/month", (r) => usd(r.month.total)],
  ["metadata B/object", (r) => count(r.metadataPerObject.allReplicas)],
  ["busiest DO req/s", (r) => count(Math.max(...r.busiest.map((b) => b.requestsPerS)))],
  ["writes/s at summary limit", (r) => count(r.maxWritesForSummaries)],
  ["largest object replica MB", (r) => megabytes(r.sizes[1]?.bytes ?? 0)],
  ["Swift pass h", (r) => count(r.swift.passHours)],
  ["Swift nodes for a cron-interval pass", (r) => count(r.swift.nodesForCronPass)],
];

function renderGrowth(results: [string, ModelResult][]): string {
  const rows = results.map(([name, r]) => [name, ...GROWTH_FIGURES.map(([, figure]) => figure(r))]);
  return markdownTable(["growth", ...GROWTH_FIGURES.map(([title]) => title)], rows);
}

function renderAssumptions(d: Deployment): string {
  const n = d.names;
  return [
    "Assumptions:",
    `- names: account ${n.account} B, container ${n.container} B, object ${n.object} B; ` +
      `user metadata ${n.metadata} B; ` +
      `content type ${n.contentType} B; timestamps ${COLUMN_BYTES.timestamp} B, md5s as ${COLUMN_BYTES.hex} hex.`,
    `- SQLite rows as record cells with their index entries, pages ${ASSUMPTIONS.btreeFill * 100}% full, ` +
      `${count(ASSUMPTIONS.emptyDoBytes)} B per database; tombstones kept ${count(ASSUMPTIONS.reclaimAgeSeconds)} s.`,
    `- Uniform hashing; every write reaches each of its primaries (no repair), so a replica reports to its ring ` +
      `summary within ${count(SUMMARY_QUIET_MS / 1_000)} s of a change (one report per window), a container replica ` +
      `its account within ${ACCOUNT_REPORT_DELAY_MS / 1_000} s; each report's work as measured in ` +
      "test/durable/work.test.ts (bench/work-measured.json).",
    `- Object bodies ${count(d.objectBytes)} B on average, one copy in each replica's zone; ` +
      `${ASSUMPTIONS.hoursPerMonth} h a month; GB = 10^9 B.`,
  ].join("\n");
}

/** The `name=value` lines of the default deployment. */
function valueLines(r: ModelResult): string[] {
  const lines: [string, number][] = [
    ["model.sweep.do_requests_per_tick", r.sweep.perTick.doRequests],
    ["model.sweep.rows_read_per_tick", r.sweep.perTick.rowsRead],
    ["model.sweep.usd_per_hour", r.sweep.priceHour],
    ["model.sweep.usd_per_month", r.sweep.priceMonth],
    ["model.sweep.held_bytes", r.sweep.heldBytes],
    ["model.sweep.seconds_extrapolated", r.sweep.secondsExtrapolated],
    ["model.month.clients_usd", total(r.month.client)],
    ["model.month.reports_usd", total(r.month.deferred)],
    ["model.month.cron_usd", total(r.month.cron)],
    ["model.month.do_storage_usd", r.month.doStorage],
    ["model.month.r2_storage_usd", r.month.r2Storage],
    ["model.month.total_usd", r.month.total],
    ["model.metadata.bytes_per_object_all_replicas", r.metadataPerObject.allReplicas],
    ["model.busiest.requests_per_s", Math.max(...r.busiest.map((b) => b.requestsPerS))],
    ["model.hot_container.max_puts_per_s", r.hotContainer.maxPutsPerS],
    ["model.summary.max_writes_per_s", r.maxWritesForSummaries],
    ["model.size.largest_object_replica_bytes", r.sizes[1]?.bytes ?? 0],
    ["model.size.max_objects_per_container", r.maxObjectsPerContainer],
    ["model.sharding.largest_container_objects", r.sharding.largestContainerObjects],
    ["model.sharding.largest_container_shards", r.sharding.largestContainerShards],
    ["model.sharding.full_shard_replica_bytes", r.sharding.fullShardReplicaBytes],
    ["model.sharding.max_puts_per_s_per_shard", r.sharding.maxPutsPerShard],
    ["model.sharding.max_puts_per_s_largest_container", r.sharding.maxPutsLargestContainer],
    ["model.sharding.max_containers_per_account", r.sharding.maxContainersPerAccount],
    ["model.swift.items_per_pass", r.swift.items],
    ["model.swift.pass_hours", r.swift.passHours],
    ["model.swift.nodes_for_cron_pass", r.swift.nodesForCronPass],
  ];
  return lines.map(([name, value]) => `${name}=${Number(value.toPrecision(6))}`);
}

function run(values: ParsedArgs<typeof MODEL_ARGS>): number {
  const projectDir = fileURLToPath(new URL("..", import.meta.url));
  const d = deploymentOf(values);
  const { measured, sources } = measuredOf(projectDir, values.from);
  const results = growthScenarios(d).map(([name, scenario]): [string, ModelResult] => [
    name,
    model(scenario, measured),
  ]);
  const r = results[0]?.[1] ?? model(d, measured);
  const title =
    `Deployment: ${count(d.objects)} objects, ${count(d.containers)} containers, ${count(d.accounts)} accounts, ` +
    `${count(d.partitions)} partitions a ring, ${d.replicas} replicas in ${d.zones} zones; per second ` +
    OPERATIONS.map((op) => `${count(d.perSecond[op])} ${op.toUpperCase()}`).join(", ");
  const report = [
    title,
    sources.map((source) => `- ${source}`).join("\n"),
    renderInputs(r, measured),
    renderSweep(r),
    renderSwift(r),
    renderMonth(r),
    renderMetadata(r),
    renderBusiest(r),
    renderSizes(r),
    renderSharding(r),
    renderGrowth(results),
    renderAssumptions(d),
    valueLines(r).join("\n"),
  ].join("\n\n");
  console.log(values.json ? JSON.stringify(namedValues(valueLines(r)), null, 2) : report);
  const saved = join(projectDir, "bench", "out", `model-${new Date().toISOString().replace(/[:.]/g, "-")}.txt`);
  mkdirSync(dirname(saved), { recursive: true });
  writeFileSync(saved, `${report}\n`);
  process.stderr.write(`\nsaved to ${saved}\n`);
  return 0;
}

const modelCommand = defineCommand({
  meta: {
    name: "npm run model --",
    description: "edgeswift's cost and scale for a deployment, from the bench's work per operation",
  },
  args: MODEL_ARGS,
  run: ({ args }) => run(args),
});

runStrict(modelCommand, process.argv.slice(2), { prefix: "", usageExitCode: 2 }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
