/**
 * @module
 * The deployment model's inputs and arithmetic (bench/model-lib.ts builds its figures on them): the
 * measured work per operation, the deployment, the platform's limits and the model's assumptions;
 * occupancy, coalesced reports and prices; what each ring's replicas hold, and the reports that
 * object writes cause later. Limits: /work/shared/reference/platform.md §0–1.
 */

import { ACCOUNT_REPORT_DELAY_MS, SUMMARY_QUIET_MS } from "../src/common/constraints.ts";
import { PRICE_PER_MILLION } from "../src/common/pricing.ts";
import { LEAF_COUNT } from "../src/durable/partition-hash.ts";
import type { NameLengths, RowBytes } from "./model-rows.ts";

export const OPERATIONS = ["put", "get", "head", "delete", "list"] as const;
export type Operation = (typeof OPERATIONS)[number];
export const RINGS = ["account", "container", "object"] as const;
export type Ring = (typeof RINGS)[number];

/** One operation's average work, as the bench's work table gives it (bench/work.ts). */
export interface OperationWork {
  accountRequests: number;
  containerRequests: number;
  objectRequests: number;
  controlRequests: number;
  rowsRead: number;
  rowsWritten: number;
  r2ClassA: number;
  r2ClassB: number;
  subrequests: number;
}

/** Work done later, by an alarm, for each report it sends (bench/work-measured.json). */
export interface DeferredWork {
  doRequests: number;
  rowsRead: number;
  rowsWritten: number;
}

/** What the model takes as measured: bench/work-measured.json, or a bench run's lines. */
export interface Measured {
  operations: Record<Operation, OperationWork>;
  /** One replica's partition-hash report to its ring summary (an alarm and one call). */
  summaryReport: DeferredWork;
  /** One container replica's object counts sent to an account replica (an alarm and one call). */
  accountReport: DeferredWork;
  /** The local in-sync sweep: its seconds for its partitions checked (all rings). */
  sweep: { seconds: number; partitionsChecked: number };
}

export interface Deployment {
  objects: number;
  containers: number;
  accounts: number;
  /** Partitions of each ring. */
  partitions: number;
  replicas: number;
  zones: number;
  perSecond: Record<Operation, number>;
  /** Average object body, for R2's storage. */
  objectBytes: number;
  /** The share of PUTs going to one hot container. */
  hotContainerShare: number;
  /** Objects in the largest container (all its listing rows in one container replica). */
  largestContainerObjects: number;
  /** CONTAINER_SHARD_ROWS: live objects past which a container splits into shards of half as many. */
  shardRows: number;
  cronMinutes: number;
  names: NameLengths;
  /** Swift-style walk: items one replicator visits per second, and raw TB per storage node. */
  swiftItemsPerSecond: number;
  swiftNodeTb: number;
}

/** Platform limits (platform.md §0, §1.2, §1.7). */
export const LIMITS = {
  /** Soft limit of one Durable Object, then `overloaded`. */
  doRequestsPerSecond: 1_000,
  /** SQLite storage of one Durable Object (GB = 10^9 B). */
  doBytes: 10e9,
  /** Subrequests of one invocation (Workers Paid default). */
  subrequests: 10_000,
  /** Memory of one isolate. */
  workerBytes: 128e6,
} as const;

/** Copies of constants the model cannot import (their files import without extensions); a test keeps them equal. */
export const COPIED = {
  /** src/replicator/sweep.ts: summary entries per list call. */
  summaryPage: 1_000,
  /** src/replicator/auditor.ts: replicas audited per ring per tick, leaves each recomputes. */
  auditReplicasPerRing: 32,
  auditLeavesPerReplica: 16,
} as const;

/** Assumptions of the model, printed with its tables. */
export const ASSUMPTIONS = {
  hoursPerMonth: 730,
  /** wrangler.toml RECLAIM_AGE: a tombstone is kept a week. */
  reclaimAgeSeconds: 604_800,
  /** B-tree pages after random inserts are about ln 2 full. */
  btreeFill: 0.7,
  /** An empty SQLite Durable Object (platform.md §1.1). */
  emptyDoBytes: 12_000,
  /** A summary entry held by the sweep's Worker (object, Map slot, 32-character hash): an estimate. */
  sweepEntryJsBytes: 200,
  /** Control calls per tick besides the sweep's: the reaper's queue and the S3 housekeeping registry (estimate). */
  controlCallsPerTick: 2,
} as const;

export const SECONDS_PER_HOUR = 3_600;

/** Expected partitions holding at least one of `items` hashed uniformly over `partitions`. */
export function occupied(partitions: number, items: number): number {
  return partitions * -Math.expm1(-items / partitions);
}

/** Expected leaves of the hash tree a replica of `rows` rows uses. */
export function leavesUsed(rows: number): number {
  return occupied(LEAF_COUNT, rows);
}

/**
 * Changes reported per second by one replica changed `rate` times a second, when a report goes
 * `windowS` after the first change and covers every change meanwhile: rate / (1 + rate · window).
 */
export function coalesced(rate: number, windowS: number): number {
  return rate / (1 + rate * windowS);
}

/** DO requests of every class in one operation. */
export function doRequests(work: OperationWork): number {
  return work.accountRequests + work.containerRequests + work.objectRequests + work.controlRequests;
}

/** Work in the units priced; all per second, per tick or per month as the caller says. */
export interface Work {
  workerRequests: number;
  doRequests: number;
  rowsRead: number;
  rowsWritten: number;
  r2ClassA: number;
  r2ClassB: number;
}

export const NO_WORK: Work = {
  workerRequests: 0,
  doRequests: 0,
  rowsRead: 0,
  rowsWritten: 0,
  r2ClassA: 0,
  r2ClassB: 0,
};

/** `a` + `b` · `times`. */
export function addWork(a: Work, b: Partial<Work>, times = 1): Work {
  const sum = { ...a };
  for (const key of Object.keys(sum) as (keyof Work)[]) sum[key] += (b[key] ?? 0) * times;
  return sum;
}

/** The price of `work` (USD), per line item. */
export function priceOf(work: Work): Record<keyof Work, number> {
  const p = PRICE_PER_MILLION;
  return {
    workerRequests: (work.workerRequests * p.workerRequests) / 1e6,
    doRequests: (work.doRequests * p.doRequests) / 1e6,
    rowsRead: (work.rowsRead * p.rowsRead) / 1e6,
    rowsWritten: (work.rowsWritten * p.rowsWritten) / 1e6,
    r2ClassA: (work.r2ClassA * p.r2ClassA) / 1e6,
    r2ClassB: (work.r2ClassB * p.r2ClassB) / 1e6,
  };
}

/** The sum of a price's line items. */
export const total = (items: Readonly<Record<string, number>>): number =>
  Object.values(items).reduce((sum, value) => sum + value, 0);

/** Per ring: items hashed (what decides partitions holding data), rows stored per replica set. */
interface RingContents {
  placed: number;
  rows: number;
  /** Bytes of those rows (one replica), before page fill. */
  rowBytes: number;
}

/** What each ring holds: objects; listings and containers; containers' rows and accounts. */
export function ringContents(d: Deployment, bytes: RowBytes): Record<Ring, RingContents> {
  // Tombstones are kept RECLAIM_AGE, sized as the rows they replace.
  const entries = d.objects + d.perSecond.delete * ASSUMPTIONS.reclaimAgeSeconds;
  return {
    object: { placed: d.objects, rows: entries, rowBytes: entries * bytes.object },
    container: {
      placed: d.containers,
      rows: entries + d.containers,
      rowBytes: entries * bytes.listing + d.containers * bytes.container,
    },
    account: {
      placed: d.accounts,
      rows: d.containers + d.accounts,
      rowBytes: d.containers * bytes.accountContainer + d.accounts * bytes.account,
    },
  };
}

/** One ring's replicas: how many hold data, rows and bytes each (mean), and in all (every replica). */
export interface RingStorage {
  partitionsHoldingData: number;
  replicasHoldingData: number;
  rowsPerReplica: number;
  bytesPerReplica: number;
  bytes: number;
}

/** A replica's bytes: its rows, its tree's leaves, buckets and root, at page fill, and the empty database. */
export function replicaBytes(rows: number, rowBytes: number, hashNodeBytes: number): number {
  const tree = leavesUsed(rows) * hashNodeBytes;
  return (rowBytes + tree) / ASSUMPTIONS.btreeFill + ASSUMPTIONS.emptyDoBytes;
}

export function ringStorage(d: Deployment, contents: RingContents, hashNodeBytes: number): RingStorage {
  const partitionsHoldingData = occupied(d.partitions, contents.placed);
  const rowsPerReplica = contents.rows / partitionsHoldingData;
  const bytesPerReplica = replicaBytes(rowsPerReplica, contents.rowBytes / partitionsHoldingData, hashNodeBytes);
  const replicasHoldingData = partitionsHoldingData * d.replicas;
  return {
    partitionsHoldingData,
    replicasHoldingData,
    rowsPerReplica,
    bytesPerReplica,
    bytes: replicasHoldingData * bytesPerReplica,
  };
}

/** Reports per second: replicas' to their ring summaries (per ring) and container replicas' to accounts. */
export interface Reports {
  summary: Record<Ring, number>;
  account: number;
}

/**
 * The reports `writesPerS` object writes (PUT and DELETE) make: each changes its object partition's
 * replicas and its container partition's, each reporting within SUMMARY_QUIET_MS (a change every
 * replica takes alike; those that missed one are failures, not steady state); each container
 * replica sends its account replica a report ACCOUNT_REPORT_DELAY_MS after a change, which changes
 * that account replica. Writes spread uniformly over partitions.
 */
export function reportsOf(d: Deployment, storage: Record<Ring, RingStorage>, writesPerS: number): Reports {
  const summaryS = SUMMARY_QUIET_MS / 1_000;
  /** Reports a second from every replica of `ring` if each is changed `perReplica` times a second. */
  const fromRing = (ring: Ring, perReplica: number, windowS: number): number =>
    storage[ring].replicasHoldingData * coalesced(perReplica, windowS);
  const objectChanges = writesPerS / storage.object.partitionsHoldingData;
  const containerChanges = writesPerS / storage.container.partitionsHoldingData;
  const account = fromRing("container", containerChanges, ACCOUNT_REPORT_DELAY_MS / 1_000);
  const accountChanges = account / storage.account.replicasHoldingData;
  return {
    summary: {
      object: fromRing("object", objectChanges, summaryS),
      container: fromRing("container", containerChanges, summaryS),
      account: fromRing("account", accountChanges, summaryS),
    },
    account,
  };
}

/** The work of `reports`, per second. */
export function reportWork(reports: Reports, m: Measured): Work {
  const summaries = total(reports.summary);
  return addWork(addWork(NO_WORK, m.summaryReport, summaries), m.accountReport, reports.account);
}

/** The clients' operations' work per second, as measured per operation. */
export function clientWork(d: Deployment, m: Measured): Work {
  return OPERATIONS.reduce((sum, op) => {
    const w = m.operations[op];
    const one = { ...w, workerRequests: 1, doRequests: doRequests(w) };
    return addWork(sum, one, d.perSecond[op]);
  }, NO_WORK);
}
