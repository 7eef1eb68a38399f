/**
 * @module
 * The work each timed phase cost edgeswift and its price: the Worker's tally (`/recon/work`, one
 * per isolate: `wrangler dev` runs one) is zeroed before a phase and read after it, and the
 * operation's entry (`object PUT`, `s3 object PUT`…) divided by its requests gives one operation's
 * Durable Object requests, rows read and written, R2 class A and B operations and subrequests,
 * priced per million at Cloudflare's published prices (src/common/pricing.ts) beside the floors of
 * three R2 puts and of one. Worker CPU ms are not measured: the runtime gives a Worker no CPU
 * clock (its timers stand still while it computes), and workerd under `wrangler dev` reports none
 * per request, so the Workers line prices the request alone.
 */

import {
  ONE_PUT_FLOOR,
  PRICE_PER_MILLION,
  perOperation,
  pricePerMillion,
  THREE_REPLICA_PUT_FLOOR,
} from "../src/common/pricing.ts";
import { type Client, markdownTable } from "./http.ts";
import { benchAuth, type Session } from "./large.ts";

/** One operation's entry at `/recon/work` (src/common/work-tally.ts WorkEntry). */
export interface WorkEntry {
  requests: number;
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

/** The tally's key of each timed operation, through the Swift API and through S3's. */
export const SWIFT_WORK_KEYS = {
  put: "object PUT",
  get: "object GET",
  head: "object HEAD",
  delete: "object DELETE",
  list: "container GET",
} as const;
export const S3_WORK_KEYS = {
  put: "s3 object PUT",
  get: "s3 object GET",
  head: "s3 object HEAD",
  delete: "s3 object DELETE",
  list: "s3 bucket GET",
} as const;

/**
 * Runs `timed` (a phase) between a reset and a read of the Worker's tally; its work is the entry
 * of `key`, null when the Worker has no `/recon/work` (no admin token, or not edgeswift).
 */
export async function phaseWork<T>(
  client: Client,
  session: Session,
  key: string,
  timed: () => Promise<T>,
): Promise<{ result: T; work: WorkEntry | null }> {
  const url = `${session.base}/recon/work`;
  const headers = benchAuth(session);
  const reset = session.adminToken ? await client.send({ method: "POST", url, headers }) : null;
  const result = await timed();
  if (reset?.status !== 204) return { result, work: null };
  const reply = await client.send({ method: "GET", url: `${url}?reset`, headers, keepBody: true });
  if (reply.status !== 200) return { result, work: null };
  const tally = JSON.parse(reply.text) as Record<string, WorkEntry>;
  return { result, work: tally[key] ?? null };
}

/** One operation's average work: the entry's sums divided by its requests. */
function average(entry: WorkEntry) {
  const { requests, ...sums } = entry;
  const one = perOperation(sums, requests);
  const doRequests = one.accountRequests + one.containerRequests + one.objectRequests + one.controlRequests;
  return { ...one, doRequests, price: pricePerMillion({ ...one, doRequests }) };
}

const fixed2 = (value: number): string => value.toFixed(2);
/** A price as published: cents, or the whole figure below a cent ($0.001). */
const usd = (value: number): string => `$${value >= 0.01 ? value.toFixed(2) : String(value)}`;

/**
 * The work table: per operation (titled), one operation's Durable Object requests (all, then
 * account · container · object · control), rows read and written, R2 class A and B, subrequests,
 * and the price of a million, also as a multiple of the three-replica floor and of one R2 put.
 */
export function renderWork(title: string, rows: readonly (readonly [string, WorkEntry | undefined])[]): string {
  const measured = rows.filter((row): row is readonly [string, WorkEntry] => row[1] !== undefined);
  if (!measured.length) return "";
  const header = [
    `${title}: work per operation`,
    "DO requests (a·c·o·ctl)",
    "rows read",
    "rows written",
    "R2 class A",
    "R2 class B",
    "subrequests",
    "$ per million",
    `× 3-replica floor (${usd(THREE_REPLICA_PUT_FLOOR)})`,
    `× one put (${usd(ONE_PUT_FLOOR)})`,
  ];
  const body = measured.map(([name, entry]) => {
    const one = average(entry);
    const classes = [one.accountRequests, one.containerRequests, one.objectRequests, one.controlRequests];
    return [
      name,
      `${fixed2(one.doRequests)} (${classes.map(fixed2).join("·")})`,
      fixed2(one.rowsRead),
      fixed2(one.rowsWritten),
      fixed2(one.r2ClassA),
      fixed2(one.r2ClassB),
      fixed2(one.subrequests),
      fixed2(one.price.total),
      `${(one.price.total / THREE_REPLICA_PUT_FLOOR).toFixed(2)}×`,
      `${(one.price.total / ONE_PUT_FLOOR).toFixed(2)}×`,
    ];
  });
  const p = PRICE_PER_MILLION;
  const note =
    "Counted by the Worker (GET /recon/work) over each timed phase; work the replicas' alarms and cron do " +
    "later (deferred container updates, garbage bodies, replication) is not in it. Prices per million: " +
    `Workers ${usd(p.workerRequests)} requests, DO ${usd(p.doRequests)} requests, ${usd(p.rowsWritten)} rows ` +
    `written, ${usd(p.rowsRead)} rows read, R2 ${usd(p.r2ClassA)} class A, ${usd(p.r2ClassB)} class B; ` +
    `Worker CPU ms (${usd(p.workerCpuMs)}/M) not measured (no CPU clock in the runtime), so not priced.`;
  return `${markdownTable(header, body)}\n${note}`;
}

/** The `name=value` lines of one operation's work under `prefix` (`edgeswift.put.work.rows_written=…`). */
export function workValues(prefix: string, entry: WorkEntry | undefined): string[] {
  if (!entry) return [];
  const one = average(entry);
  return [
    `${prefix}.work.requests=${entry.requests}`,
    `${prefix}.work.do_requests=${fixed2(one.doRequests)}`,
    `${prefix}.work.do_requests_account=${fixed2(one.accountRequests)}`,
    `${prefix}.work.do_requests_container=${fixed2(one.containerRequests)}`,
    `${prefix}.work.do_requests_object=${fixed2(one.objectRequests)}`,
    `${prefix}.work.do_requests_control=${fixed2(one.controlRequests)}`,
    `${prefix}.work.rows_read=${fixed2(one.rowsRead)}`,
    `${prefix}.work.rows_written=${fixed2(one.rowsWritten)}`,
    `${prefix}.work.r2_class_a=${fixed2(one.r2ClassA)}`,
    `${prefix}.work.r2_class_b=${fixed2(one.r2ClassB)}`,
    `${prefix}.work.subrequests=${fixed2(one.subrequests)}`,
    `${prefix}.usd_per_million=${one.price.total.toFixed(4)}`,
    `${prefix}.of_three_replica_floor=${(one.price.total / THREE_REPLICA_PUT_FLOOR).toFixed(3)}`,
  ];
}

/** The floors' `name=value` lines, printed once. */
export function floorValues(): string[] {
  return [
    `price.three_replica_put_floor_usd_per_million=${fixed2(THREE_REPLICA_PUT_FLOOR)}`,
    `price.one_put_floor_usd_per_million=${fixed2(ONE_PUT_FLOOR)}`,
  ];
}
