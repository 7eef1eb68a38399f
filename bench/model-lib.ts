/**
 * @module
 * The deployment model behind `npm run model` (bench/model.ts), pure: from the work one operation
 * costs (measured by the bench) and a deployment (objects, containers, partitions, replicas, zones,
 * request rates) it computes the cron tick's in-sync sweep, the steady state's price per month by
 * line item, the metadata bytes an object costs across replicas, the busiest Durable Objects'
 * request rates and sizes against the platform's limits, and a Swift-style full walk beside it.
 * Limits and prices: /work/shared/reference/platform.md §0–1 and src/common/pricing.ts.
 */

import { ACCOUNT_REPORT_DELAY_MS, SUMMARY_QUIET_MS } from "../src/common/constraints.ts";
import { STORAGE_PRICE_PER_GB_MONTH } from "../src/common/pricing.ts";
import { LEAF_COUNT } from "../src/durable/partition-hash.ts";
import {
  addWork,
  ASSUMPTIONS,
  clientWork,
  coalesced,
  COPIED,
  type Deployment,
  LIMITS,
  leavesUsed,
  type Measured,
  NO_WORK,
  OPERATIONS,
  type Operation,
  type OperationWork,
  priceOf,
  type Reports,
  reportsOf,
  reportWork,
  type Ring,
  RINGS,
  type RingStorage,
  ringContents,
  ringStorage,
  replicaBytes,
  SECONDS_PER_HOUR,
  total,
  type Work,
} from "./model-base.ts";
import { type RowBytes, rowBytes } from "./model-rows.ts";

/** One ring's share of a cron tick's in-sync sweep (and audit). */
export interface RingSweep {
  ring: Ring;
  partitionsChecked: number;
  summaryEntries: number;
  summaryCalls: number;
  auditCalls: number;
  work: Work;
}

/** The control record's calls per ring and tick: the sweep's cursor read, the pass saved. */
const CONTROL_CALLS_PER_RING = 2;

/**
 * A cron tick's sweep of `ring` when every partition is in sync (src/replicator/sweep.ts, jobs.ts,
 * auditor.ts): every zone's summary read in pages (each entry one row read, and the entry a page
 * starts from read again), no replica called; the control record's cursor read and the pass saved
 * (no divergence recorded, none read); the auditor's page of one zone's summary, and its replicas,
 * each recomputing its leaves from their rows.
 */
export function ringSweep(d: Deployment, ring: Ring, storage: RingStorage): RingSweep {
  const summaryEntries = storage.replicasHoldingData;
  const pagesPerZone = Math.max(1, Math.ceil(summaryEntries / d.zones / COPIED.summaryPage));
  const summaryCalls = d.zones * pagesPerZone;
  const auditCalls = Math.min(COPIED.auditReplicasPerRing, summaryEntries);
  const auditPageCalls = 1;
  const auditRows = auditCalls * COPIED.auditLeavesPerReplica * (1 + storage.rowsPerReplica / LEAF_COUNT);
  return {
    ring,
    partitionsChecked: storage.partitionsHoldingData,
    summaryEntries,
    summaryCalls,
    auditCalls,
    work: {
      ...NO_WORK,
      doRequests: summaryCalls + CONTROL_CALLS_PER_RING + auditPageCalls + auditCalls,
      rowsRead: summaryEntries + summaryCalls + auditCalls + auditRows,
      rowsWritten: 1,
    },
  };
}

/** A cron tick's jobs when all is in sync: every ring's sweep and audit, the reaper's and S3 housekeeping's reads. */
export interface Sweep {
  rings: RingSweep[];
  perTick: Work;
  ticksPerHour: number;
  priceHour: number;
  priceMonth: number;
  /** The local sweep's seconds per partition checked, times this deployment's partitions. */
  secondsExtrapolated: number;
  /** The summary entries one invocation holds at once: a page per zone (src/replicator/sweep.ts). */
  heldBytes: number;
}

function sweepOf(d: Deployment, m: Measured, storage: Record<Ring, RingStorage>): Sweep {
  const rings = RINGS.map((ring) => ringSweep(d, ring, storage[ring]));
  const ticksPerHour = 60 / d.cronMinutes;
  const perTick = addWork(
    rings.reduce((sum, r) => addWork(sum, r.work), NO_WORK),
    { workerRequests: 1, doRequests: ASSUMPTIONS.controlCallsPerTick },
  );
  const priceHour = total(priceOf(perTick)) * ticksPerHour;
  const partitionsChecked = rings.reduce((sum, r) => sum + r.partitionsChecked, 0);
  return {
    rings,
    perTick,
    ticksPerHour,
    priceHour,
    priceMonth: priceHour * ASSUMPTIONS.hoursPerMonth,
    secondsExtrapolated: (m.sweep.seconds / m.sweep.partitionsChecked) * partitionsChecked,
    heldBytes:
      Math.max(...rings.map((r) => Math.min(r.summaryEntries, d.zones * COPIED.summaryPage))) *
      ASSUMPTIONS.sweepEntryJsBytes,
  };
}

/** The steady state's price per month (USD): operations by line item, then storage. */
export interface Month {
  client: Record<keyof Work, number>;
  deferred: Record<keyof Work, number>;
  cron: Record<keyof Work, number>;
  doStorage: number;
  r2Storage: number;
  total: number;
}

function monthOf(d: Deployment, perSecond: ModelResult["perSecond"], storage: Record<Ring, RingStorage>): Month {
  const seconds = ASSUMPTIONS.hoursPerMonth * SECONDS_PER_HOUR;
  const perMonth = (work: Work) => priceOf(addWork(NO_WORK, work, seconds));
  const doBytes = RINGS.reduce((sum, ring) => sum + storage[ring].bytes, 0);
  const doStorage = (doBytes / 1e9) * STORAGE_PRICE_PER_GB_MONTH.doSqlite;
  const r2Storage = ((d.objects * d.objectBytes * d.replicas) / 1e9) * STORAGE_PRICE_PER_GB_MONTH.r2Standard;
  const client = perMonth(perSecond.client);
  const deferred = perMonth(perSecond.deferred);
  const cron = perMonth(perSecond.cron);
  return {
    client,
    deferred,
    cron,
    doStorage,
    r2Storage,
    total: total(client) + total(deferred) + total(cron) + doStorage + r2Storage,
  };
}

/** Metadata bytes one object costs in one replica of each ring (at page fill), and across replicas. */
export interface MetadataPerObject {
  object: number;
  listing: number;
  /** Its share of the object and container replicas' hash-tree leaves. */
  tree: number;
  /** Its share of its container's rows (in the container and account rings). */
  containerShare: number;
  perReplica: number;
  allReplicas: number;
}

function metadataOf(d: Deployment, bytes: RowBytes, storage: Record<Ring, RingStorage>): MetadataPerObject {
  const fill = ASSUMPTIONS.btreeFill;
  /** Leaf rows per row in a replica of `rows` rows. */
  const treeShare = (rows: number) => (leavesUsed(rows) / rows) * bytes.hashNode;
  const object = bytes.object / fill;
  const listing = bytes.listing / fill;
  const tree = (treeShare(storage.object.rowsPerReplica) + treeShare(storage.container.rowsPerReplica)) / fill;
  const containerShare = ((bytes.container + bytes.accountContainer) * d.containers) / Math.max(1, d.objects) / fill;
  const perReplica = object + listing + tree + containerShare;
  return { object, listing, tree, containerShare, perReplica, allReplicas: perReplica * d.replicas };
}

/** A Durable Object's request rate against the soft limit. */
export interface BusyDo {
  what: string;
  requestsPerS: number;
}

/** Requests a second the clients' operations make to the Durable Objects of `kind`, over `count` of them. */
function clientRate(d: Deployment, m: Measured, kind: Ring | "control", count: number): number {
  const key = `${kind}Requests` as const;
  return OPERATIONS.reduce((sum, op) => sum + d.perSecond[op] * m.operations[op][key], 0) / count;
}

/**
 * Each kind of Durable Object's requests a second under uniform load: the clients' calls, the
 * reports' alarms and calls, the cron tick's calls (averaged over the interval).
 */
function busiestOf(d: Deployment, m: Measured, storage: Record<Ring, RingStorage>, reports: Reports): BusyDo[] {
  const replicas = (ring: Ring) => storage[ring].replicasHoldingData;
  const cronControl = (CONTROL_CALLS_PER_RING * RINGS.length + ASSUMPTIONS.controlCallsPerTick) / (d.cronMinutes * 60);
  return [
    {
      what: "object replica",
      requestsPerS: clientRate(d, m, "object", replicas("object")) + reports.summary.object / replicas("object"),
    },
    {
      what: "container replica",
      requestsPerS:
        clientRate(d, m, "container", replicas("container")) +
        (reports.summary.container + reports.account) / replicas("container"),
    },
    {
      what: "account replica",
      requestsPerS:
        clientRate(d, m, "account", replicas("account")) +
        (reports.summary.account + reports.account) / replicas("account"),
    },
    ...RINGS.map((ring) => ({
      what: `${ring} ring summary (one zone)`,
      requestsPerS: reports.summary[ring] / d.zones,
    })),
    { what: "control", requestsPerS: clientRate(d, m, "control", 1) + cronControl },
  ];
}

/** One hot container's replicas: the PUTs it takes, their requests a second, the PUTs a second at the soft limit. */
export interface HotContainer {
  putsPerS: number;
  requestsPerS: number;
  maxPutsPerS: number;
}

/**
 * A container taking `hotContainerShare` of the PUTs: every PUT updates each replica of its
 * partition once (each object replica updates one), on top of the partition's uniform load, plus
 * its alarms: account reports at most every ACCOUNT_REPORT_DELAY_MS, summary reports every
 * SUMMARY_QUIET_MS.
 */
function hotContainerOf(d: Deployment, m: Measured, background: number): HotContainer {
  const perPut = m.operations.put.containerRequests / d.replicas;
  const accountS = ACCOUNT_REPORT_DELAY_MS / 1_000;
  const summaryS = SUMMARY_QUIET_MS / 1_000;
  const alarms = (puts: number) => coalesced(puts, accountS) + coalesced(puts, summaryS);
  const putsPerS = d.perSecond.put * d.hotContainerShare;
  return {
    putsPerS,
    requestsPerS: background + putsPerS * perPut + alarms(putsPerS),
    maxPutsPerS: (LIMITS.doRequestsPerSecond - background - 1 / accountS - 1 / summaryS) / perPut,
  };
}

/** The busiest ring summary's requests a second at `writesPerS`. */
function busiestSummary(d: Deployment, storage: Record<Ring, RingStorage>, writesPerS: number): number {
  return Math.max(...Object.values(reportsOf(d, storage, writesPerS).summary)) / d.zones;
}

/** The writes a second at which the busiest ring summary reaches the soft limit (bisection; Infinity if never). */
export function writesAtSummaryLimit(d: Deployment, storage: Record<Ring, RingStorage>): number {
  const limit = LIMITS.doRequestsPerSecond;
  let high = 1;
  while (busiestSummary(d, storage, high) < limit) {
    high *= 2;
    if (high > 1e12) return Number.POSITIVE_INFINITY;
  }
  let low = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (busiestSummary(d, storage, mid) < limit) low = mid;
    else high = mid;
  }
  return low;
}

/** The largest of `partitions` partitions holding `mean` items on average (mean + √(2 ln P) standard deviations). */
export function largestPartition(partitions: number, mean: number): number {
  return mean + Math.sqrt(2 * Math.log(partitions) * mean);
}

/** One kind of Durable Object's rows and bytes, against the 10 GB limit. */
export interface DoSize {
  what: string;
  rows: number;
  bytes: number;
}

function sizesOf(d: Deployment, bytes: RowBytes, storage: Record<Ring, RingStorage>): DoSize[] {
  const largestObjects = largestPartition(d.partitions, storage.object.rowsPerReplica);
  const largestContainerRows = d.largestContainerObjects + storage.container.rowsPerReplica;
  const summaryEntries = Math.max(...RINGS.map((ring) => storage[ring].replicasHoldingData)) / d.zones;
  return [
    { what: "object replica (mean)", rows: storage.object.rowsPerReplica, bytes: storage.object.bytesPerReplica },
    {
      what: "object replica (largest partition)",
      rows: largestObjects,
      bytes: replicaBytes(largestObjects, largestObjects * bytes.object, bytes.hashNode),
    },
    {
      what: "container replica (mean)",
      rows: storage.container.rowsPerReplica,
      bytes: storage.container.bytesPerReplica,
    },
    {
      what: "container replica holding the largest container",
      rows: largestContainerRows,
      bytes: replicaBytes(largestContainerRows, largestContainerRows * bytes.listing, bytes.hashNode),
    },
    { what: "account replica (mean)", rows: storage.account.rowsPerReplica, bytes: storage.account.bytesPerReplica },
    {
      what: "ring summary (one zone)",
      rows: summaryEntries,
      bytes: replicaBytes(0, summaryEntries * bytes.summary, 0),
    },
  ];
}

/** Rows of `rowBytes` one replica holds at 10 GB, its whole hash tree in use. */
function maxRowsPerReplica(bytes: RowBytes, rowBytes: number): number {
  const fullTree = LEAF_COUNT * bytes.hashNode;
  return ((LIMITS.doBytes - ASSUMPTIONS.emptyDoBytes) * ASSUMPTIONS.btreeFill - fullTree) / rowBytes;
}

/** Listing rows one container replica holds at 10 GB, its whole hash tree in use. */
function maxObjectsPerContainer(bytes: RowBytes): number {
  return maxRowsPerReplica(bytes, bytes.listing);
}

/** A Swift-style full walk: every item's every replica visited each pass, at `swiftItemsPerSecond` a node. */
export interface SwiftWalk {
  items: number;
  nodeHours: number;
  /** Storage nodes for the bodies' raw bytes at `swiftNodeTb` each. */
  nodes: number;
  passHours: number;
  /** Nodes that would walk everything within one cron interval. */
  nodesForCronPass: number;
}

export function swiftWalk(d: Deployment): SwiftWalk {
  const items = (d.objects + d.containers + d.accounts) * d.replicas;
  const nodeHours = items / d.swiftItemsPerSecond / SECONDS_PER_HOUR;
  const nodes = Math.max(1, Math.ceil((d.objects * d.objectBytes * d.replicas) / (d.swiftNodeTb * 1e12)));
  return {
    items,
    nodeHours,
    nodes,
    passHours: nodeHours / nodes,
    nodesForCronPass: Math.ceil(items / (d.swiftItemsPerSecond * d.cronMinutes * 60)),
  };
}

/** The figures of one deployment. */
export interface ModelResult {
  deployment: Deployment;
  bytes: RowBytes;
  storage: Record<Ring, RingStorage>;
  reports: Reports;
  /** Work a second: the clients' operations as measured, the reports they cause later, the cron ticks. */
  perSecond: { client: Work; deferred: Work; cron: Work };
  sweep: Sweep;
  month: Month;
  metadataPerObject: MetadataPerObject;
  busiest: BusyDo[];
  hotContainer: HotContainer;
  /** Object writes a second at which a ring summary reaches the soft limit. */
  maxWritesForSummaries: number;
  sizes: DoSize[];
  maxObjectsPerContainer: number;
  sharding: Sharding;
  swift: SwiftWalk;
}

/**
 * Container sharding at CONTAINER_SHARD_ROWS: a shard holds between half the threshold (just
 * split) and the threshold (about to split), three quarters on average; the largest container
 * is every object in one container; each shard's replicas take a hot container's share of the
 * PUTs the way one container's do (the object replicas send each update straight to its shard).
 */
export interface Sharding {
  shardRows: number;
  meanRowsPerShard: number;
  /** The largest container: every object of the deployment in one. */
  largestContainerObjects: number;
  largestContainerShards: number;
  /** One replica of a shard at the threshold, rows and bytes. */
  fullShardReplicaBytes: number;
  /** PUTs a second one shard's replicas take at the soft limit, and the largest container's shards together. */
  maxPutsPerShard: number;
  maxPutsLargestContainer: number;
  /** Containers one account holds before its replicas reach 10 GB (accounts are not sharded). */
  maxContainersPerAccount: number;
}

function shardingOf(d: Deployment, bytes: RowBytes, hot: HotContainer): Sharding {
  const meanRowsPerShard = 0.75 * d.shardRows;
  const largestContainerShards = Math.max(1, Math.ceil(d.objects / meanRowsPerShard));
  return {
    shardRows: d.shardRows,
    meanRowsPerShard,
    largestContainerObjects: d.objects,
    largestContainerShards,
    fullShardReplicaBytes: replicaBytes(d.shardRows, d.shardRows * bytes.listing, bytes.hashNode),
    maxPutsPerShard: hot.maxPutsPerS,
    maxPutsLargestContainer: largestContainerShards * hot.maxPutsPerS,
    maxContainersPerAccount: maxRowsPerReplica(bytes, bytes.accountContainer),
  };
}

/** Every figure of deployment `d` from the measured work `m`. */
export function model(d: Deployment, m: Measured): ModelResult {
  const bytes = rowBytes(d.names);
  const contents = ringContents(d, bytes);
  const storage = {
    object: ringStorage(d, contents.object, bytes.hashNode),
    container: ringStorage(d, contents.container, bytes.hashNode),
    account: ringStorage(d, contents.account, bytes.hashNode),
  };
  const reports = reportsOf(d, storage, d.perSecond.put + d.perSecond.delete);
  const sweep = sweepOf(d, m, storage);
  const perSecond = {
    client: clientWork(d, m),
    deferred: reportWork(reports, m),
    cron: addWork(NO_WORK, sweep.perTick, sweep.ticksPerHour / SECONDS_PER_HOUR),
  };
  const busiest = busiestOf(d, m, storage, reports);
  const containerReplica = busiest.find((entry) => entry.what === "container replica")?.requestsPerS ?? 0;
  const hotContainer = hotContainerOf(d, m, containerReplica);
  return {
    deployment: d,
    bytes,
    storage,
    reports,
    perSecond,
    sweep,
    month: monthOf(d, perSecond, storage),
    metadataPerObject: metadataOf(d, bytes, storage),
    busiest,
    hotContainer,
    maxWritesForSummaries: writesAtSummaryLimit(d, storage),
    sizes: sizesOf(d, bytes, storage),
    maxObjectsPerContainer: maxObjectsPerContainer(bytes),
    sharding: shardingOf(d, bytes, hotContainer),
    swift: swiftWalk(d),
  };
}

/** The deployments of the growth table: the default, then objects ×10, partitions ×4, zones ×2 (6 → 12). */
export function growthScenarios(d: Deployment): [string, Deployment][] {
  return [
    ["as given", d],
    ["objects ×10", { ...d, objects: d.objects * 10 }],
    ["partitions ×4", { ...d, partitions: d.partitions * 4 }],
    [`zones ${d.zones} → ${d.zones * 2}`, { ...d, zones: d.zones * 2 }],
  ];
}

/** Measured work from a bench run's `name=value` lines (`edgeswift.put.work.rows_written=51.00`); null when absent. */
export function measuredFromLines(text: string, prefix = "edgeswift"): Record<Operation, OperationWork> | null {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([\w.]+)=(-?[\d.]+)$/.exec(line.trim());
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]));
  }
  const fields: Record<keyof OperationWork, string> = {
    accountRequests: "do_requests_account",
    containerRequests: "do_requests_container",
    objectRequests: "do_requests_object",
    controlRequests: "do_requests_control",
    rowsRead: "rows_read",
    rowsWritten: "rows_written",
    r2ClassA: "r2_class_a",
    r2ClassB: "r2_class_b",
    subrequests: "subrequests",
  };
  const result = {} as Record<Operation, OperationWork>;
  for (const op of OPERATIONS) {
    const work = {} as OperationWork;
    for (const [field, name] of Object.entries(fields) as [keyof OperationWork, string][]) {
      const value = values.get(`${prefix}.${op}.work.${name}`);
      if (value === undefined) return null;
      work[field] = value;
    }
    result[op] = work;
  }
  return result;
}
