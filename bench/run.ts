/**
 * @module
 * `npm run bench [-- --url URL] [--swift-url URL] [--api swift|s3|both] [--concurrency 16] [--ops 2000]
 * [--list-objects 10000]`: PUT, GET, HEAD, DELETE of 4 KiB objects and a JSON listing of a full
 * container, timed at a fixed concurrency, then a 64 MiB segmented (SLO) upload and download and
 * listings of a 100,000-object container with prefix and delimiter (bench/large.ts); each small
 * operation beside its floor (the same operation's unavoidable storage work on the bench routes,
 * bench/worker/floor-routes.ts) and a fixed 4 KiB body (the runtime's ceiling), and beside real
 * Swift when `--swift-url` is given. Without `--url` it starts the local Worker itself. Prints one
 * table and `name=value` lines (also saved under bench/out/). Numbers only, never pass/fail; a run
 * that saw failed requests says so and exits 1. `--api s3` measures the same through the S3 API
 * (SigV4-signed in the load client), and a multipart upload and download (bench/s3.ts); `both`, both.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { namedValues } from "../cli/output.ts";
import { runStrict, UsageError } from "../cli/strict-args.ts";
import { Client, fixed1, keepFailures, markdownTable, runPhase, type Phase, type PhaseResult } from "./http.ts";
import {
  benchAuth,
  bigListing,
  seedThroughBenchRoutes,
  segmentedTransfer,
  type BigListing,
  type Session,
  type TransferResult,
} from "./large.ts";
import { startLocalWorker, tail, type LocalWorker } from "./local-worker.ts";
import { floorValues, phaseWork, renderWork, SWIFT_WORK_KEYS, type WorkEntry, workValues } from "./work.ts";
import {
  type Api,
  apiOf,
  measureS3,
  renderS3,
  renderS3Values,
  S3Bench,
  s3Measured,
  s3MultipartTransfer,
  S3Signer,
} from "./s3.ts";

/** `npm run bench`'s options; `optionsOf` checks the numbers. */
const BENCH_ARGS = {
  url: {
    type: "string",
    valueHint: "URL",
    description: "edgeswift to measure (default: start `wrangler dev` of the bench Worker, wrangler.bench.toml)",
  },
  "swift-url": {
    type: "string",
    valueHint: "URL",
    description: "also measure a real Swift proxy (user test:tester, key testing)",
  },
  api: {
    type: "string",
    default: "swift",
    valueHint: "swift|s3|both",
    description: "the API measured: Swift's, S3's (SigV4, UNSIGNED-PAYLOAD), or both (S3's ops/s as % of Swift's)",
  },
  "s3-large-mib": {
    type: "string",
    default: "256",
    valueHint: "N",
    description: "size of the S3 multipart upload and download (with --api s3|both, when --large-mib is not 0)",
  },
  concurrency: { type: "string", default: "16", valueHint: "N", description: "requests in flight" },
  ops: { type: "string", default: "2000", valueHint: "N", description: "operations per timed phase" },
  "list-objects": { type: "string", default: "10000", valueHint: "N", description: "objects in the listed container" },
  "list-ops": { type: "string", default: "50", valueHint: "N", description: "timed listings" },
  "state-in": {
    type: "string",
    valueHint: "DIR",
    description:
      "where the local Worker's fresh state directory goes (default the OS temp dir; " +
      "/dev/shm takes the disk's fsyncs out)",
  },
  "large-mib": {
    type: "string",
    default: "64",
    valueHint: "N",
    description: "size of the segmented upload and download (0 skips)",
  },
  "segment-mib": { type: "string", default: "8", valueHint: "N", description: "its segment size" },
  "big-list": {
    type: "string",
    default: "100000",
    valueHint: "N",
    description:
      "objects in the container listed with prefix and delimiter " +
      "(0 skips; seeded through the bench routes, so edgeswift only)",
  },
  consistency: {
    type: "string",
    default: "eventual",
    valueHint: "eventual|quorum",
    description: "how edgeswift's GET, HEAD and listings read (X-Consistency): the first replica, or a quorum of zones",
  },
  "large-only": { type: "boolean", default: false, description: "only the large object and the big listing" },
  user: { type: "string", default: "test:tester", valueHint: "A:U", description: "credentials for both" },
  key: { type: "string", default: "testing", valueHint: "K", description: "--user's key" },
  "admin-user": {
    type: "string",
    default: "admin:admin",
    valueHint: "A:U",
    description: "edgeswift's reseller admin, whom the bench routes require",
  },
  "admin-key": { type: "string", default: "admin", valueHint: "K", description: "--admin-user's key" },
  json: {
    type: "boolean",
    default: false,
    description: "print the name=value figures as one JSON object instead of the report (no progress bars)",
  },
} as const satisfies ArgsDef;

const OBJECT_BYTES = 4096;
/** Untimed seeding of the listed container runs at this many requests in flight. */
const SEED_CONCURRENCY = 32;

interface Options {
  url: string | null;
  swiftUrl: string | null;
  api: Api;
  s3LargeMib: number;
  concurrency: number;
  ops: number;
  listObjects: number;
  listOps: number;
  stateIn: string | null;
  largeMib: number;
  segmentMib: number;
  bigList: number;
  largeOnly: boolean;
  /** X-Consistency on edgeswift's requests. */
  consistency: "eventual" | "quorum";
  user: string;
  key: string;
  adminUser: string;
  adminKey: string;
  json: boolean;
}

/** `text`, the value of `--name`, as a whole number above 0. */
function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

/** Like `positive`, and 0 (which skips a case) too. */
function nonNegative(name: string, text: string): number {
  return text === "0" ? 0 : positive(name, text);
}

function consistencyOf(text: string): Options["consistency"] {
  if (text === "eventual" || text === "quorum") return text;
  throw new UsageError(`--consistency must be "eventual" or "quorum", got "${text}"`);
}

/** The options of a parsed command line; throws a UsageError for a bad number. */
function optionsOf(values: ParsedArgs<typeof BENCH_ARGS>): Options {
  return {
    url: values.url?.replace(/\/+$/, "") ?? null,
    swiftUrl: values["swift-url"]?.replace(/\/+$/, "") ?? null,
    api: apiOf(values.api),
    s3LargeMib: positive("s3-large-mib", values["s3-large-mib"]),
    concurrency: positive("concurrency", values.concurrency),
    ops: positive("ops", values.ops),
    listObjects: positive("list-objects", values["list-objects"]),
    listOps: positive("list-ops", values["list-ops"]),
    stateIn: values["state-in"] ?? null,
    largeMib: nonNegative("large-mib", values["large-mib"]),
    segmentMib: positive("segment-mib", values["segment-mib"]),
    bigList: nonNegative("big-list", values["big-list"]),
    largeOnly: values["large-only"],
    consistency: consistencyOf(values.consistency),
    user: values.user,
    key: values.key,
    adminUser: values["admin-user"],
    adminKey: values["admin-key"],
    json: values.json,
  };
}

type Operation = "put" | "get" | "head" | "post" | "delete" | "list" | "list_plain" | "list_xml";
const OPERATIONS: readonly Operation[] = ["put", "get", "head", "post", "delete", "list", "list_plain", "list_xml"];
/** The operations the S3 API's phases time (no POST of an object's metadata; one listing format). */
type S3Operation = Exclude<Operation, "post" | "list_plain" | "list_xml">;
/** The listing phases: each operation and the `format` it asks for. */
const LISTINGS = [
  { operation: "list", format: "json" },
  { operation: "list_plain", format: "plain" },
  { operation: "list_xml", format: "xml" },
] as const;

interface Measured {
  api: Map<Operation, PhaseResult>;
  floor: Map<Operation, PhaseResult>;
  fixed: PhaseResult | null;
  /** Objects the timed listing returned. */
  listed: number;
  transfer: TransferResult | null;
  bigListing: BigListing | null;
  /** What each timed operation cost the Worker (GET /recon/work; edgeswift only). */
  work: Map<Operation, WorkEntry>;
}

/** Writes one progress line to stderr (stdout holds only the report). */
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** One line of a phase's results: "edgeswift PUT: 2000 ops in 4.1 s, 487.8/s, p50 …, p99 …". */
function describe(result: PhaseResult): string {
  const failed = result.failures ? `, ${result.failures} FAILED` : "";
  const took = `${result.ops} ops in ${result.seconds.toFixed(1)} s, ${result.opsPerSecond.toFixed(1)}/s`;
  return `${result.name}: ${took}, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms${failed}`;
}

/** Runs a phase, logs it, and keeps its failures for the report. */
async function phase(client: Client, failures: string[], spec: Phase): Promise<PhaseResult> {
  const result = await runPhase(client, spec);
  log(`  ${describe(result)}`);
  keepFailures(result, failures);
  return result;
}

/** Signs in with TempAuth (`/auth/v1.0`); throws unless it gives a token and a storage URL. */
async function authenticate(client: Client, label: string, base: string, user: string, key: string): Promise<Session> {
  const reply = await client.send({
    method: "GET",
    url: `${base}/auth/v1.0`,
    headers: { "x-auth-user": user, "x-auth-key": key },
    keepBody: true,
  });
  const token = reply.headers["x-auth-token"];
  const storageUrl = reply.headers["x-storage-url"];
  if (reply.status !== 200 || typeof token !== "string" || typeof storageUrl !== "string") {
    throw new Error(
      `${label}: authentication at ${base}/auth/v1.0 answered ${reply.status} ${reply.text.slice(0, 200)}`,
    );
  }
  return { label, base, storageUrl, token };
}

/** Creates `container` (or finds it there); throws on any other answer. */
async function ensureContainer(client: Client, session: Session, container: string): Promise<void> {
  const reply = await client.send({
    method: "PUT",
    url: `${session.storageUrl}/${container}`,
    headers: { "x-auth-token": session.token },
  });
  if (reply.status !== 201 && reply.status !== 202)
    throw new Error(
      `${session.label}: PUT container ${container} answered ${reply.status} ${reply.text.slice(0, 200)}`,
    );
}

/** The name of the `index`th object: o-000042. */
const objectName = (index: number): string => `o-${String(index).padStart(6, "0")}`;

/** One Swift API under test: edgeswift (with its floors when the bench routes exist) or Swift. */
interface Target {
  session: Session;
  floors: boolean;
  /** Headers every Swift API request to the target carries besides its token (edgeswift's X-Consistency). */
  headers: Record<string, string>;
  container: string;
  listContainer: string;
  measured: Measured;
}

/** A target for `session`, with this run's container and nothing measured yet. */
function target(
  session: Session,
  options: Options,
  runId: string,
  floors: boolean,
  headers: Record<string, string> = {},
): Target {
  return {
    session,
    floors,
    headers,
    container: `bench-${runId}`,
    listContainer: `bench-list-${options.listObjects}`,
    measured: {
      api: new Map(),
      floor: new Map(),
      fixed: null,
      listed: 0,
      transfer: null,
      bigListing: null,
      work: new Map(),
    },
  };
}

const STEPS: readonly {
  operation: Operation;
  method: string;
  status: number;
  bytes?: number;
  sendsBody?: boolean;
  headers?: Record<string, string>;
}[] = [
  { operation: "put", method: "PUT", status: 201, sendsBody: true },
  { operation: "get", method: "GET", status: 200, bytes: OBJECT_BYTES },
  { operation: "head", method: "HEAD", status: 200 },
  { operation: "post", method: "POST", status: 202, headers: { "x-object-meta-bench": "posted" } },
  { operation: "delete", method: "DELETE", status: 204 },
];

/**
 * Measures every target. Each operation is timed on edgeswift, then its floor, then Swift, back
 * to back, so a change in the machine's load during the run touches all three alike; `after`
 * (the S3 API's phase of the same operation, with `--api both`) runs right after them.
 */
async function measure(
  client: Client,
  targets: readonly Target[],
  options: Options,
  body: Buffer,
  failures: string[],
  after: (operation: S3Operation) => Promise<void> = async () => undefined,
): Promise<void> {
  const { concurrency, ops } = options;
  /** The headers of a Swift API request to `t`. */
  const auth = (t: Target) => ({ "x-auth-token": t.session.token, ...t.headers });
  /** The URL of the `index`th object of `t`'s container. */
  const objectUrl = (t: Target, index: number): string => `${t.session.storageUrl}/${t.container}/${objectName(index)}`;
  /** The URL of the `index`th object on the floor `route` of `t`. */
  const floorUrl = (t: Target, route: string, index: number): string =>
    `${t.session.base}/bench/floor/${route}/${objectName(index)}`;

  for (const t of targets) {
    const label = t.session.label;
    log(`${label}: warming (every object and partition the timed phases touch)`);
    await ensureContainer(client, t.session, t.container);
    await ensureContainer(client, t.session, t.listContainer);
    // A HEAD of a missing object asks all three of its primary replicas (which opens them); a floor
    // DELETE writes to every replica a floor PUT writes to. The timed PUTs then create new objects.
    await phase(client, failures, {
      name: `${label} warm HEAD (missing)`,
      ops,
      concurrency,
      callOf: (i) => ({ method: "HEAD", url: objectUrl(t, i), headers: auth(t) }),
      expect: 404,
    });
    if (t.floors) {
      await phase(client, failures, {
        name: `${label} warm floor DELETE`,
        ops,
        concurrency,
        callOf: (i) => ({ method: "DELETE", url: floorUrl(t, "delete", i), headers: benchAuth(t.session) }),
        expect: 204,
      });
      await phase(client, failures, {
        name: `${label} warm fixed`,
        ops: concurrency * 8,
        concurrency,
        callOf: () => ({ method: "GET", url: `${t.session.base}/bench/fixed`, headers: benchAuth(t.session) }),
        expect: 200,
        expectBytes: OBJECT_BYTES,
      });
    }
  }

  log(`timing at concurrency ${concurrency}, ${ops} operations each`);
  for (const step of STEPS) {
    for (const t of targets) {
      const name = `${t.session.label} ${step.method}`;
      const send = step.sendsBody ? body : undefined;
      const { result, work } = await phaseWork(client, t.session, SWIFT_WORK_KEYS[step.operation], () =>
        phase(client, failures, {
          name,
          ops,
          concurrency,
          callOf: (i) => ({
            method: step.method,
            url: objectUrl(t, i),
            headers: { ...auth(t), ...step.headers },
            body: send,
          }),
          expect: step.status,
          expectBytes: step.bytes,
        }),
      );
      t.measured.api.set(step.operation, result);
      if (work) t.measured.work.set(step.operation, work);
      if (t.floors) {
        const floor = await phase(client, failures, {
          name: `${name} floor`,
          ops,
          concurrency,
          callOf: (i) => ({
            method: step.method,
            url: floorUrl(t, step.operation, i),
            headers: benchAuth(t.session),
            body: send,
          }),
          expect: step.status,
          expectBytes: step.bytes,
        });
        t.measured.floor.set(step.operation, floor);
      }
    }
    if (step.operation !== "post") await after(step.operation);
  }
  for (const t of targets) {
    if (t.floors)
      t.measured.fixed = await phase(client, failures, {
        name: `${t.session.label} fixed 4 KiB`,
        ops,
        concurrency,
        callOf: () => ({ method: "GET", url: `${t.session.base}/bench/fixed`, headers: benchAuth(t.session) }),
        expect: 200,
        expectBytes: OBJECT_BYTES,
      });
  }

  for (const t of targets)
    t.measured.listed = await seedListing(client, t.session, t.listContainer, options, body, failures, t.floors);
  for (const t of targets) {
    const label = t.session.label;
    const listed = t.measured.listed;
    if (t.floors) {
      // The floor lists as many rows as the real listing returned (one page: at most 10,000).
      const seeded = await client.send({
        method: "PUT",
        url: `${t.session.base}/bench/floor/list?count=${listed}`,
        headers: benchAuth(t.session),
        keepBody: true,
      });
      if (seeded.status !== 201)
        throw new Error(`${label}: seeding the listing floor answered ${seeded.status} ${seeded.text.slice(0, 200)}`);
    }
    for (const { operation, format } of LISTINGS) {
      const listUrl = `${t.session.storageUrl}/${t.listContainer}?format=${format}`;
      await client.send({ method: "GET", url: listUrl, headers: auth(t) });
      const listing = await phaseWork(client, t.session, SWIFT_WORK_KEYS.list, () =>
        phase(client, failures, {
          name: `${label} LIST ${format} (${listed} objects)`,
          ops: options.listOps,
          concurrency,
          callOf: () => ({ method: "GET", url: listUrl, headers: auth(t) }),
          expect: 200,
        }),
      );
      t.measured.api.set(operation, listing.result);
      if (listing.work) t.measured.work.set(operation, listing.work);
      if (!t.floors) continue;
      const floorListUrl = `${t.session.base}/bench/floor/list?limit=${listed}&format=${format}`;
      await client.send({ method: "GET", url: floorListUrl, headers: benchAuth(t.session) });
      t.measured.floor.set(
        operation,
        await phase(client, failures, {
          name: `${label} LIST ${format} floor (${listed} rows)`,
          ops: options.listOps,
          concurrency,
          callOf: () => ({ method: "GET", url: floorListUrl, headers: benchAuth(t.session) }),
          expect: 200,
        }),
      );
    }
  }
  await after("list");

  // Best effort: the timed DELETEs emptied it (the listed container is kept for the next run).
  for (const t of targets)
    await client
      .send({ method: "DELETE", url: `${t.session.storageUrl}/${t.container}`, headers: auth(t) })
      .catch(() => undefined);
}

/** Segments in flight during the large upload (the swift client's default --segment-threads is 10). */
const SEGMENT_PARALLEL = 4;

/**
 * The large cases: the segmented transfer on every target, the 100,000-object listing where the
 * bench routes can seed it.
 */
async function measureLarge(
  client: Client,
  targets: readonly Target[],
  options: Options,
  worker: LocalWorker | null,
  failures: string[],
): Promise<void> {
  if (options.largeMib) {
    for (const t of targets) {
      log(
        `${t.session.label}: ${options.largeMib} MiB segmented upload and download ` +
          `(${options.segmentMib} MiB segments, ${SEGMENT_PARALLEL} at a time)`,
      );
      const rss = t.floors && worker ? () => worker.workerdRss() : null;
      t.measured.transfer = await segmentedTransfer(
        client,
        t.session,
        `${t.container}-large`,
        { mib: options.largeMib, segmentMib: options.segmentMib, parallel: SEGMENT_PARALLEL },
        rss,
      );
      const r = t.measured.transfer;
      const peaks = `${mib(r.rssPeakUpload)} / ${mib(r.rssPeakDownload)}`;
      const rssLine = r.rssBefore === null ? "" : `, workerd RSS ${mib(r.rssBefore)} MiB before, peak ${peaks} MiB`;
      log(`  upload ${r.uploadMiBps.toFixed(1)} MiB/s, download ${r.downloadMiBps.toFixed(1)} MiB/s${rssLine}`);
      await client
        .send({
          method: "DELETE",
          url: `${t.session.storageUrl}/${t.container}-large`,
          headers: { "x-auth-token": t.session.token },
        })
        .catch(() => undefined);
    }
  }
  if (options.bigList) {
    for (const t of targets) {
      if (!t.floors) {
        log(
          `${t.session.label}: the ${options.bigList}-object listing is seeded through edgeswift's bench routes; ` +
            "not measured here",
        );
        continue;
      }
      log(`${t.session.label}: listings of a ${options.bigList}-object container with prefix and delimiter`);
      t.measured.bigListing = await bigListing(
        client,
        t.session,
        { objects: options.bigList, dirs: BIG_LIST_DIRS, listOps: options.listOps, concurrency: options.concurrency },
        failures,
      );
    }
  }
}

/** Pseudo-directories in the big listing: 100,000 objects make 100 of 1,000. */
const BIG_LIST_DIRS = 100;

/** Bytes as MiB with one decimal; "n/a" when unknown. */
const mib = (bytes: number | null): string => (bytes === null ? "n/a" : (bytes / 2 ** 20).toFixed(1));

/**
 * Fills the listed container up to `--list-objects` (untimed, skipped when it already holds them):
 * through the bench routes where they exist, else by PUTs; returns what one listing returns.
 */
async function seedListing(
  client: Client,
  session: Session,
  container: string,
  options: Options,
  body: Buffer,
  failures: string[],
  viaBenchRoutes: boolean,
): Promise<number> {
  const auth = { "x-auth-token": session.token };
  const url = `${session.storageUrl}/${container}`;
  /** How many objects one listing of the container returns. */
  const count = async (): Promise<number> => {
    const reply = await client.send({ method: "GET", url: `${url}?format=json`, headers: auth, keepBody: true });
    if (reply.status !== 200)
      throw new Error(`${session.label}: listing ${container} answered ${reply.status} ${reply.text.slice(0, 200)}`);
    const entries: unknown = JSON.parse(reply.text);
    return Array.isArray(entries) ? entries.length : 0;
  };
  const before = await count();
  if (before >= options.listObjects) {
    log(`${session.label}: ${container} already holds ${before} objects`);
    return before;
  }
  log(`${session.label}: seeding ${container} with ${options.listObjects} objects (untimed)`);
  if (viaBenchRoutes) {
    // Straight into the container's replicas (what a listing reads); PUTs would take minutes.
    await seedThroughBenchRoutes(client, session, container, options.listObjects, 0);
  } else {
    await phase(client, failures, {
      name: `${session.label} seed`,
      ops: options.listObjects,
      concurrency: SEED_CONCURRENCY,
      callOf: (i) => ({ method: "PUT", url: `${url}/${objectName(i)}`, headers: auth, body }),
      expect: 201,
    });
  }
  return count();
}

const TITLES: Record<Operation, string> = {
  put: "PUT 4 KiB",
  get: "GET 4 KiB",
  head: "HEAD",
  post: "POST (metadata)",
  delete: "DELETE",
  list: "LIST json",
  list_plain: "LIST plain",
  list_xml: "LIST xml",
};

/** The small operations as a table: edgeswift, its floor and ceiling, and Swift when measured. */
function renderTable(edgeswift: Measured, swift: Measured | null): string {
  const header = ["operation", "ops/s", "p50 ms", "p99 ms", "floor ops/s", "% of floor"];
  if (swift) header.push("Swift ops/s", "ratio to Swift");
  header.push("errors");
  const rows: string[][] = [];
  for (const operation of OPERATIONS) {
    const result = edgeswift.api.get(operation);
    if (!result) continue;
    const floor = edgeswift.floor.get(operation);
    const title = operation.startsWith("list") ? `${TITLES[operation]} (${edgeswift.listed})` : TITLES[operation];
    const row = [title, fixed1(result.opsPerSecond), fixed1(result.p50Ms), fixed1(result.p99Ms)];
    row.push(
      floor ? fixed1(floor.opsPerSecond) : "n/a",
      floor ? `${((100 * result.opsPerSecond) / floor.opsPerSecond).toFixed(0)}%` : "n/a",
    );
    const theirs = swift?.api.get(operation);
    if (swift)
      row.push(
        theirs ? fixed1(theirs.opsPerSecond) : "n/a",
        theirs ? `${(result.opsPerSecond / theirs.opsPerSecond).toFixed(2)}×` : "n/a",
      );
    row.push(String(result.failures + (floor?.failures ?? 0) + (theirs?.failures ?? 0)));
    rows.push(row);
  }
  if (edgeswift.fixed) {
    const ceiling = edgeswift.fixed;
    const row = [
      "fixed 4 KiB (ceiling)",
      fixed1(ceiling.opsPerSecond),
      fixed1(ceiling.p50Ms),
      fixed1(ceiling.p99Ms),
      "",
      "",
    ];
    if (swift) row.push("", "");
    row.push(String(ceiling.failures));
    rows.push(row);
  }
  return markdownTable(header, rows);
}

/** The rows of the work table: each operation's title and what it cost. */
function workRows(edgeswift: Measured): [string, WorkEntry | undefined][] {
  return OPERATIONS.map((operation) => [
    operation.startsWith("list") ? `${TITLES[operation]} (${edgeswift.listed})` : TITLES[operation],
    edgeswift.work.get(operation),
  ]);
}

/** The large cases as a second table: edgeswift, and Swift beside it when measured. */
function renderLarge(edgeswift: Measured, swift: Measured | null): string {
  const rows: string[][] = [];
  const header = ["large object / big listing", "edgeswift", ...(swift ? ["Swift"] : [])];
  /** A figure of `m`'s transfer, or "n/a". */
  const transfer = (m: Measured | null, pick: (r: TransferResult) => string): string =>
    m?.transfer ? pick(m.transfer) : "n/a";
  const t = edgeswift.transfer;
  if (t) {
    const what = `${t.mib} MiB SLO (${t.segments} × ${(t.mib / t.segments).toFixed(0)} MiB)`;
    rows.push([
      `${what} upload, MiB/s`,
      transfer(edgeswift, (r) => r.uploadMiBps.toFixed(1)),
      ...(swift ? [transfer(swift, (r) => r.uploadMiBps.toFixed(1))] : []),
    ]);
    rows.push([
      `${what} download, MiB/s`,
      transfer(edgeswift, (r) => r.downloadMiBps.toFixed(1)),
      ...(swift ? [transfer(swift, (r) => r.downloadMiBps.toFixed(1))] : []),
    ]);
    if (t.rssBefore !== null) {
      rows.push([
        "workerd RSS before → peak in upload, MiB",
        `${mib(t.rssBefore)} → ${mib(t.rssPeakUpload)}`,
        ...(swift ? [""] : []),
      ]);
      rows.push([
        "workerd RSS before → peak in download, MiB",
        `${mib(t.rssBefore)} → ${mib(t.rssPeakDownload)}`,
        ...(swift ? [""] : []),
      ]);
    }
  }
  const b = edgeswift.bigListing;
  if (b) {
    /** The row of one listing phase. */
    const phase = (name: string, result: PhaseResult, entries: number): string[] => [
      `${name} (${entries} entries), ops/s · p50 · p99 ms`,
      `${fixed1(result.opsPerSecond)} · ${fixed1(result.p50Ms)} · ${fixed1(result.p99Ms)}`,
      ...(swift ? ["n/a"] : []),
    ];
    rows.push(phase(`LIST ${b.objects} ?delimiter=/`, b.delimiter, b.delimiterEntries));
    rows.push(
      phase(
        `LIST ${b.objects} ?prefix=d${String(Math.floor(b.dirs / 2)).padStart(3, "0")}/&delimiter=/`,
        b.prefixDelimiter,
        b.prefixEntries,
      ),
    );
  }
  if (!rows.length) return "";
  return markdownTable(header, rows);
}

/** The `name=value` lines: the run's settings and every figure measured. */
function renderValues(options: Options, edgeswift: Measured, swift: Measured | null, loadAtStart: number): string {
  const lines: string[] = [
    `concurrency=${options.concurrency}`,
    `ops=${options.ops}`,
    `list_objects=${edgeswift.listed}`,
    `list_ops=${options.listOps}`,
    `cpus=${cpus().length}`,
    `load_average_1m_at_start=${loadAtStart.toFixed(2)}`,
  ];
  /** The lines of one phase's figures, under `prefix`. */
  const add = (prefix: string, result: PhaseResult): void => {
    lines.push(
      `${prefix}.ops_per_s=${result.opsPerSecond.toFixed(2)}`,
      `${prefix}.p50_ms=${result.p50Ms.toFixed(2)}`,
      `${prefix}.p99_ms=${result.p99Ms.toFixed(2)}`,
      `${prefix}.errors=${result.failures}`,
    );
  };
  for (const operation of OPERATIONS) {
    const result = edgeswift.api.get(operation);
    if (!result) continue;
    add(`edgeswift.${operation}`, result);
    lines.push(...workValues(`edgeswift.${operation}`, edgeswift.work.get(operation)));
    const floor = edgeswift.floor.get(operation);
    if (floor) {
      add(`floor.${operation}`, floor);
      lines.push(`edgeswift.${operation}.of_floor=${(result.opsPerSecond / floor.opsPerSecond).toFixed(3)}`);
    }
    const theirs = swift?.api.get(operation);
    if (theirs) {
      add(`swift.${operation}`, theirs);
      lines.push(`edgeswift.${operation}.to_swift=${(result.opsPerSecond / theirs.opsPerSecond).toFixed(3)}`);
    }
  }
  if (edgeswift.fixed) add("fixed", edgeswift.fixed);
  if (edgeswift.work.size) lines.push(...floorValues());
  for (const [prefix, m] of [
    ["edgeswift", edgeswift],
    ["swift", swift],
  ] as const) {
    const t = m?.transfer;
    if (!t) continue;
    lines.push(
      `${prefix}.large_${t.mib}mib.upload_mib_per_s=${t.uploadMiBps.toFixed(2)}`,
      `${prefix}.large_${t.mib}mib.download_mib_per_s=${t.downloadMiBps.toFixed(2)}`,
    );
    if (t.rssBefore !== null) {
      lines.push(
        `${prefix}.large_${t.mib}mib.workerd_rss_before_mib=${mib(t.rssBefore)}`,
        `${prefix}.large_${t.mib}mib.workerd_rss_peak_upload_mib=${mib(t.rssPeakUpload)}`,
        `${prefix}.large_${t.mib}mib.workerd_rss_peak_download_mib=${mib(t.rssPeakDownload)}`,
      );
    }
  }
  const b = edgeswift.bigListing;
  if (b) {
    add(`edgeswift.list_${b.objects}_delimiter`, b.delimiter);
    add(`edgeswift.list_${b.objects}_prefix_delimiter`, b.prefixDelimiter);
  }
  /** The bytes one listing returned, when it was measured. */
  const listBytes = (prefix: string, result: PhaseResult | undefined): void => {
    if (result) lines.push(`${prefix}.list.bytes=${Math.round(result.bytesPerOp)}`);
  };
  listBytes("edgeswift", edgeswift.api.get("list"));
  listBytes("floor", edgeswift.floor.get("list"));
  listBytes("swift", swift?.api.get("list"));
  return lines.join("\n");
}

/** Failed requests and, for a local Worker, the end of wrangler's output (the Worker's own errors). */
function reportFailures(failures: readonly string[], worker: LocalWorker | null): void {
  if (!failures.length) return;
  log(`\nFAILURES (any numbers above include them):\n${failures.join("\n")}`);
  if (worker)
    log(`\nwrangler's output (last lines; whole log kept at ${worker.logPath}):\n${tail(worker.logPath, 40)}`);
}

/**
 * Measures (starting the local Worker without `--url`), prints and saves the report; resolves to 1
 * if any request failed, else 0.
 */
async function bench(options: Options): Promise<number> {
  const loadAtStart = loadavg()[0] ?? 0;
  log(`load average (1 min) before starting: ${loadAtStart.toFixed(2)} on ${cpus().length} CPUs`);
  const projectDir = fileURLToPath(new URL("..", import.meta.url));
  // Seeding a 100,000-object listing is one request of a minute or more on local workerd.
  const client = new Client(Math.max(options.concurrency, SEED_CONCURRENCY), 600_000);
  client.progressBars = !options.json;
  const body = randomBytes(OBJECT_BYTES);
  const runId = `${Date.now().toString(36)}-${process.pid}`;
  const failures: string[] = [];
  let worker: LocalWorker | null = null;
  /** Ctrl-C or SIGTERM: stops the local Worker (keeping its log) and exits. */
  const interrupted = (): void => {
    log("interrupted: stopping");
    void (worker ? worker.stop(true) : Promise.resolve()).finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    let base = options.url;
    if (base === null) {
      log("starting wrangler dev of the bench Worker (wrangler.bench.toml, fresh state)…");
      worker = await startLocalWorker(projectDir, options.stateIn ?? undefined);
      base = worker.url;
      log(`  ${base}, log ${worker.logPath}`);
    }
    const session = await authenticate(client, "edgeswift", base, options.user, options.key);
    session.adminToken = (
      await authenticate(client, "edgeswift admin", base, options.adminUser, options.adminKey)
    ).token;
    const probe = await client.send({ method: "GET", url: `${base}/bench/fixed`, headers: benchAuth(session) });
    const floors = probe.status === 200;
    if (!floors)
      log(
        `${base}/bench/fixed answered ${probe.status}: no bench routes ` +
          "(not the bench Worker, wrangler.bench.toml, or --admin-user is not the reseller admin), floors skipped",
      );
    const edgeswiftTarget = target(session, options, runId, floors, { "x-consistency": options.consistency });
    const swiftTarget =
      options.swiftUrl === null
        ? null
        : target(
            await authenticate(client, "swift", options.swiftUrl, options.user, options.key),
            options,
            runId,
            false,
          );
    const targets = swiftTarget ? [edgeswiftTarget, swiftTarget] : [edgeswiftTarget];
    const viaSwift = options.api !== "s3";
    const viaS3 = options.api !== "swift";
    const signer = new S3Signer(options.user, options.key);
    let s3 = s3Measured();
    if (!options.largeOnly) {
      const s3Options = {
        concurrency: options.concurrency,
        ops: options.ops,
        listObjects: options.listObjects,
        listOps: options.listOps,
        bucket: `bench-s3-${runId}`,
        listBucket: edgeswiftTarget.listContainer,
        benchRoutes: floors,
      };
      const s3Bench = viaS3 ? new S3Bench(client, signer, session, s3Options, body, failures) : null;
      if (viaSwift) {
        // With both APIs, each S3 operation is timed right after the Swift API's.
        await s3Bench?.prepare();
        await measure(client, targets, options, body, failures, async (operation) => s3Bench?.time(operation));
        await s3Bench?.finish();
        if (s3Bench) s3 = s3Bench.measured;
      } else if (s3Bench) s3 = await measureS3(s3Bench);
    }
    if (viaSwift) await measureLarge(client, targets, options, worker, failures);
    if (viaS3 && options.largeMib) {
      log(`edgeswift S3: ${options.s3LargeMib} MiB multipart upload and download (${options.segmentMib} MiB parts)`);
      const rss = worker ? () => worker?.workerdRss() ?? null : null;
      const limits = { mib: options.s3LargeMib, partMib: options.segmentMib, parallel: SEGMENT_PARALLEL };
      s3.transfer = await s3MultipartTransfer(client, signer, session, `bench-s3-${runId}-large`, limits, rss);
      const r = s3.transfer;
      log(`  upload ${r.uploadMiBps.toFixed(1)} MiB/s, download ${r.downloadMiBps.toFixed(1)} MiB/s`);
    }
    const edgeswift = edgeswiftTarget.measured;
    const swift = swiftTarget?.measured ?? null;
    const tables = [
      options.largeOnly || !viaSwift ? "" : renderTable(edgeswift, swift),
      options.largeOnly || !viaSwift ? "" : renderWork("Swift API", workRows(edgeswift)),
      viaSwift ? renderLarge(edgeswift, swift) : "",
      viaS3 ? renderS3(s3, viaSwift ? edgeswift.api : null, edgeswift.listed) : "",
    ].filter(Boolean);
    const values = [renderValues(options, edgeswift, swift, loadAtStart), ...renderS3Values(s3, edgeswift.api)];
    const report = `${tables.join("\n\n")}\n\n${values.join("\n")}\n`;
    process.stdout.write(options.json ? `${JSON.stringify(namedValues(values), null, 2)}\n` : `\n${report}`);
    const saved = join(projectDir, "bench", "out", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.txt`);
    mkdirSync(dirname(saved), { recursive: true });
    writeFileSync(saved, report);
    log(`\nsaved to ${saved}`);
    reportFailures(failures, worker);
    return failures.length ? 1 : 0;
  } catch (error) {
    failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    reportFailures(failures, worker);
    return 1;
  } finally {
    client.close();
    if (worker) await worker.stop(failures.length > 0);
  }
}

const benchCommand = defineCommand({
  meta: {
    name: "npm run bench --",
    description: "edgeswift's Swift API timed beside its floors, and beside Swift; its S3 API with --api s3|both",
  },
  args: BENCH_ARGS,
  run: ({ args }) => bench(optionsOf(args)),
});

runStrict(benchCommand, process.argv.slice(2), { prefix: "", usageExitCode: 2 }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
