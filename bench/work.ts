/**
 * @module
 * The work each timed phase cost edgeswift and its price: the Worker's tally (`/recon/work`, one
 * per isolate: `wrangler dev` runs the Worker and every Durable Object in one) is zeroed before a
 * phase and read once the alarms its writes set have run, and the operation's entry (`object PUT`,
 * `s3 object PUT`…) with those alarms' work, divided by its requests, gives one operation's
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
import { doRequestsOf, noWork, WORK_COUNTERS, type WorkCounts } from "../src/common/work.ts";
import type { WorkEntry as TallyEntry } from "../src/common/work-tally.ts";
import { type Client, markdownTable } from "./http.ts";
import { benchAuth, type Session } from "./large.ts";

/**
 * One timed operation's work: its entry, and `later`, what the Durable Objects' alarms did until
 * the phase settled (the container updates, account reports, summary reports and garbage bodies
 * its writes left for later), each alarm run counted as the request it is billed as.
 */
export type WorkEntry = TallyEntry & { later: WorkCounts };

/** The object class of each alarm entry (`object alarms`), by the request counter its runs count in. */
const ALARM_REQUESTS: Record<string, keyof WorkCounts> = {
  "account alarms": "accountRequests",
  "container alarms": "containerRequests",
  "object alarms": "objectRequests",
  "summary alarms": "summaryRequests",
};

/**
 * How long a phase's later work is waited for before the tally is read: the container replicas'
 * account reports, any report due within SUMMARY_DELAY_MS (10 s, src/common/constraints.ts) and
 * what they set off, with a margin. A replica's quiet report to its ring summary, due
 * SUMMARY_QUIET_MS after a write every primary took, is not waited for: one report covers every
 * write its partition took in the window, so its price per write follows how often a partition is
 * written, which `npm run model` prices for a deployment.
 */
const SETTLE_MS = 13_000;

/** The tally's key of each timed operation, through the Swift API and through S3's. */
export const SWIFT_WORK_KEYS = {
  put: "object PUT",
  get: "object GET",
  head: "object HEAD",
  post: "object POST",
  delete: "object DELETE",
  list: "container GET",
  list_plain: "container GET",
  list_xml: "container GET",
} as const;
export const S3_WORK_KEYS = {
  put: "s3 object PUT",
  get: "s3 object GET",
  head: "s3 object HEAD",
  delete: "s3 object DELETE",
  list: "s3 bucket GET",
} as const;

/**
 * Runs `timed` (a phase) between a reset and a read of the Worker's tally, waiting SETTLE_MS for
 * the alarms its writes set; its work is the operation entry of `key` with the alarms' work as
 * `later`, null when the Worker has no `/recon/work` (no admin token, or not edgeswift).
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
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const reply = await client.send({ method: "GET", url: `${url}?reset`, headers, keepBody: true });
  if (reply.status !== 200) return { result, work: null };
  const tally = JSON.parse(reply.text) as {
    operations: Record<string, TallyEntry>;
    objects: Record<string, TallyEntry>;
  };
  const entry = tally.operations[key];
  return { result, work: entry ? { ...entry, later: laterWork(tally.objects) } : null };
}

/** The alarms' work in the objects' tally, each run added as a request of its class. */
function laterWork(objects: Record<string, TallyEntry>): WorkCounts {
  const later = noWork();
  for (const [name, entry] of Object.entries(objects)) {
    const runs = ALARM_REQUESTS[name];
    if (!runs) continue;
    const { requests, ...sums } = entry;
    for (const counter of WORK_COUNTERS) later[counter] += sums[counter];
    later[runs] += requests;
  }
  return later;
}

/**
 * One operation's average work: the entry's sums divided by its requests (`now`, while the client
 * waited), the alarms' work divided likewise (`later`), both together (`all`), and the price of a
 * million from `all`.
 */
function average(entry: WorkEntry) {
  const { requests, later, ...sums } = entry;
  const now = perOperation(sums, requests);
  const after = perOperation(later, requests);
  const all = perOperation(sums, requests);
  for (const counter of WORK_COUNTERS) all[counter] += after[counter];
  const doRequests = doRequestsOf(all);
  return { now, later: after, all, doRequests, price: pricePerMillion({ ...all, doRequests }) };
}

const fixed2 = (value: number): string => value.toFixed(2);
/** A price as published: cents, or the whole figure below a cent ($0.001). */
const usd = (value: number): string => `$${value >= 0.01 ? value.toFixed(2) : String(value)}`;

/**
 * The work table: per operation (titled), one operation's Durable Object requests (all, then
 * account · container · object · summary · control), rows read and written, R2 class A and B,
 * subrequests, each with what the alarms did later in it, and the price of a million, also as a
 * multiple of the three-replica floor and of one R2 put.
 */
export function renderWork(title: string, rows: readonly (readonly [string, WorkEntry | undefined])[]): string {
  const measured = rows.filter((row): row is readonly [string, WorkEntry] => row[1] !== undefined);
  if (!measured.length) return "";
  const header = [
    `${title}: work per operation`,
    "DO requests (a·c·o·s·ctl)",
    "of which later",
    "rows read",
    "rows written",
    "of which later",
    "R2 class A",
    "R2 class B",
    "subrequests",
    "$ per million",
    `× 3-replica floor (${usd(THREE_REPLICA_PUT_FLOOR)})`,
    `× one put (${usd(ONE_PUT_FLOOR)})`,
  ];
  const body = measured.map(([name, entry]) => {
    const { all, later, doRequests, price } = average(entry);
    const classes = [
      all.accountRequests,
      all.containerRequests,
      all.objectRequests,
      all.summaryRequests,
      all.controlRequests,
    ];
    return [
      name,
      `${fixed2(doRequests)} (${classes.map(fixed2).join("·")})`,
      fixed2(doRequestsOf(later)),
      fixed2(all.rowsRead),
      fixed2(all.rowsWritten),
      fixed2(later.rowsWritten),
      fixed2(all.r2ClassA),
      fixed2(all.r2ClassB),
      fixed2(all.subrequests),
      fixed2(price.total),
      `${(price.total / THREE_REPLICA_PUT_FLOOR).toFixed(2)}×`,
      `${(price.total / ONE_PUT_FLOOR).toFixed(2)}×`,
    ];
  });
  const p = PRICE_PER_MILLION;
  const note =
    "Counted by the Worker (GET /recon/work) over each timed phase and the alarms its writes set, read " +
    `${SETTLE_MS / 1000} s after it ("later": container updates, account and summary reports, garbage bodies; ` +
    "each alarm run a DO request); the cron sweep is not in it. Rows include KV puts and deletes and each " +
    `setAlarm. Prices per million: Workers ${usd(p.workerRequests)} requests, DO ${usd(p.doRequests)} ` +
    `requests, ${usd(p.rowsWritten)} rows written, ${usd(p.rowsRead)} rows read, R2 ${usd(p.r2ClassA)} ` +
    `class A, ${usd(p.r2ClassB)} class B; Worker CPU ms (${usd(p.workerCpuMs)}/M) not measured (no CPU ` +
    "clock in the runtime), so not priced.";
  return `${markdownTable(header, body)}\n${note}`;
}

/**
 * The `name=value` lines of one operation's work under `prefix` (`edgeswift.put.work.rows_written=…`):
 * each counter while the client waited, the alarms' work after as `later_…`, and the price of a
 * million with both.
 */
export function workValues(prefix: string, entry: WorkEntry | undefined): string[] {
  if (!entry) return [];
  const { now, later, price } = average(entry);
  return [
    `${prefix}.work.requests=${entry.requests}`,
    `${prefix}.work.do_requests=${fixed2(doRequestsOf(now))}`,
    `${prefix}.work.do_requests_account=${fixed2(now.accountRequests)}`,
    `${prefix}.work.do_requests_container=${fixed2(now.containerRequests)}`,
    `${prefix}.work.do_requests_object=${fixed2(now.objectRequests)}`,
    `${prefix}.work.do_requests_summary=${fixed2(now.summaryRequests)}`,
    `${prefix}.work.do_requests_control=${fixed2(now.controlRequests)}`,
    `${prefix}.work.rows_read=${fixed2(now.rowsRead)}`,
    `${prefix}.work.rows_written=${fixed2(now.rowsWritten)}`,
    `${prefix}.work.r2_class_a=${fixed2(now.r2ClassA)}`,
    `${prefix}.work.r2_class_b=${fixed2(now.r2ClassB)}`,
    `${prefix}.work.subrequests=${fixed2(now.subrequests)}`,
    `${prefix}.work.later_do_requests=${fixed2(doRequestsOf(later))}`,
    `${prefix}.work.later_rows_read=${fixed2(later.rowsRead)}`,
    `${prefix}.work.later_rows_written=${fixed2(later.rowsWritten)}`,
    `${prefix}.usd_per_million=${price.total.toFixed(4)}`,
    `${prefix}.of_three_replica_floor=${(price.total / THREE_REPLICA_PUT_FLOOR).toFixed(3)}`,
  ];
}

/** The floors' `name=value` lines, printed once. */
export function floorValues(): string[] {
  return [
    `price.three_replica_put_floor_usd_per_million=${fixed2(THREE_REPLICA_PUT_FLOOR)}`,
    `price.one_put_floor_usd_per_million=${fixed2(ONE_PUT_FLOOR)}`,
  ];
}
