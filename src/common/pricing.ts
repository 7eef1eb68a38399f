/**
 * @module
 * Cloudflare's published prices (USD, Workers Paid, past the included usage), in one place, and
 * the price of a million operations from the work one operation costs (work.ts counts it). Storage
 * (GB-month of SQLite and of R2) is priced by what is kept, not by operation: STORAGE_PRICE_PER_GB_MONTH
 * (bench/model.ts uses it; GB = 10^9 bytes). Sources: developers.cloudflare.com/workers/platform/pricing/,
 * /durable-objects/platform/pricing/, /r2/pricing/ (Standard storage: class A mutates, e.g. put,
 * list, multipart create, part, complete; class B reads, e.g. get, head; delete and abort are
 * free). No imports: the bench (Node) loads this file as it is.
 */

/** USD per million units. */
export const PRICE_PER_MILLION = {
  workerRequests: 0.3,
  workerCpuMs: 0.02,
  doRequests: 0.15,
  rowsWritten: 1.0,
  rowsRead: 0.001,
  r2ClassA: 4.5,
  r2ClassB: 0.36,
} as const;

/**
 * USD per GB-month stored: a Durable Object's SQLite database ($0.20, billed since January 2026) and
 * R2 Standard storage ($0.015).
 */
export const STORAGE_PRICE_PER_GB_MONTH = {
  doSqlite: 0.2,
  r2Standard: 0.015,
} as const;

/** What one operation costs, in the units priced. */
export interface PricedWork {
  /** Durable Object requests of every class. */
  doRequests: number;
  rowsRead: number;
  rowsWritten: number;
  r2ClassA: number;
  r2ClassB: number;
}

/** A million operations' price, per line item and in all (USD). */
export interface MillionPrice {
  workers: number;
  doRequests: number;
  rowsWritten: number;
  rowsRead: number;
  r2ClassA: number;
  r2ClassB: number;
  total: number;
}

/**
 * The price of a million operations that each cost `work` (averages: a tally's sums divided by
 * its requests), one Worker request each, and `cpuMs` of Worker CPU each (0 when not measured).
 */
export function pricePerMillion(work: PricedWork, cpuMs = 0): MillionPrice {
  const p = PRICE_PER_MILLION;
  const price = {
    workers: p.workerRequests + cpuMs * p.workerCpuMs,
    doRequests: work.doRequests * p.doRequests,
    rowsWritten: work.rowsWritten * p.rowsWritten,
    rowsRead: work.rowsRead * p.rowsRead,
    r2ClassA: work.r2ClassA * p.r2ClassA,
    r2ClassB: work.r2ClassB * p.r2ClassB,
  };
  return { ...price, total: Object.values(price).reduce((sum, value) => sum + value, 0) };
}

/** A million PUTs' floor with three replicas: three R2 class A writes each ($13.50). */
export const THREE_REPLICA_PUT_FLOOR = 3 * PRICE_PER_MILLION.r2ClassA;

/** A million PUTs' floor with one copy: one R2 put each ($4.50). */
export const ONE_PUT_FLOOR = PRICE_PER_MILLION.r2ClassA;

/** One average operation: each of `sums` divided by `requests` (zeros when none). */
export function perOperation<K extends string>(sums: Readonly<Record<K, number>>, requests: number): Record<K, number> {
  const result: Record<K, number> = { ...sums };
  for (const key of Object.keys(result) as K[]) result[key] = requests > 0 ? sums[key] / requests : 0;
  return result;
}
