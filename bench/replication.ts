/**
 * @module
 * `npm run bench:replication`: what replication costs, as numbers (never pass/fail).
 *   1. sweep_insync_s_12k / _120k: a full sweep of all three rings when 12,000 / 120,000
 *      containers (3 objects each, seeded straight into every replica) are in sync.
 *   2. converge_s: zone z3 down, 1,000 object PUTs acknowledged, z3 back: seconds until every
 *      replica of every touched partition is identical and every handoff empty, with event-driven
 *      repair only (no sweep).
 *   3. repair_rows_10_of_10k / _100k: rows read plus rows sent to repair 10 differing rows in a
 *      partition of 10,000 / 100,000 rows.
 *   4. reaped_s_10k: seconds for the reaper to remove an account of 10 containers × 1,000 objects.
 * `--big N` measures the large in-sync sweep at N containers instead of 120,000; `--seed-chunk`
 * sets about how many objects one seeding request stores (each request seeds a share of the
 * partitions).
 * Starts its own `wrangler dev` of the bench Worker (wrangler.bench.toml, which has the bench
 * routes; fault injection on) unless `--url` is given, with its state under `--state-in DIR`
 * (default the OS temp dir; `/dev/shm` takes the local disk's per-commit fsyncs out, which
 * otherwise bound local workerd to a few dozen Durable Object writes a second); prints one table,
 * then `name=value` lines. `--object-ring FILE` runs that
 * Worker with another object ring (e.g. a copy of rings/object.ring.json whose three zones name
 * the same bucket binding, so a handoff's revert copies no body).
 */

import { performance } from "node:perf_hooks";
import { cpus, totalmem } from "node:os";
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { drawsProgress, withProgress } from "../cli/progress.ts";
import { runStrict } from "../cli/strict-args.ts";
import { Client, runPhase } from "./http.ts";
import { startLocalWorker, type LocalWorker } from "./local-worker.ts";

/** `npm run bench:replication`'s options. */
const REPLICATION_ARGS = {
  url: {
    type: "string",
    valueHint: "URL",
    description: "the Worker to measure (default: start `wrangler dev` of the bench Worker, fault injection on)",
  },
  "skip-120k": { type: "boolean", default: false, description: "leave out the large in-sync sweep" },
  concurrency: { type: "string", default: "16", valueHint: "N", description: "PUTs in flight in the converge case" },
  "state-in": {
    type: "string",
    valueHint: "DIR",
    description: "where the local Worker's state goes (default the OS temp dir; /dev/shm takes the fsyncs out)",
  },
  "object-ring": {
    type: "string",
    valueHint: "FILE",
    description: "run the local Worker with this object ring instead of rings/object.ring.json",
  },
  only: {
    type: "string",
    valueHint: "LIST",
    description: "the scenarios to run, of converge,repair,reap,sweep (default all)",
  },
  "seed-chunk": {
    type: "string",
    default: "10000",
    valueHint: "N",
    description: "about how many objects one seeding request stores",
  },
  big: {
    type: "string",
    default: "120000",
    valueHint: "N",
    description: "containers in the large in-sync sweep (above 12000)",
  },
  json: {
    type: "boolean",
    default: false,
    description: "print the results as JSON ({machine, where, results: [{name, value, what}]}), no progress bars",
  },
} as const satisfies ArgsDef;

type Options = ParsedArgs<typeof REPLICATION_ARGS>;

/** Resolves after `ms` milliseconds. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Seeding and sweeps of 120,000 containers run long: a request may take up to 30 minutes. */
const client = new Client(32, 1_800_000);
const lines: [string, string, string][] = [];
/** Keeps a result and logs it at once (a later scenario's failure does not lose it). */
function record(name: string, value: string, what: string): void {
  lines.push([name, value, what]);
  console.error(`${name}=${value}  (${what})`);
}

/** The reseller admin's token, set once authenticated: the bench routes (/bench/*) require it. */
let benchToken = "";
/** About how many objects one seeding request stores (`--seed-chunk`), set before any seeding. */
let seedChunk = 10_000;
/** `--json`: no progress bars; set before any seeding. */
let json = false;

/** A call to a bench route, as the reseller admin. */
function benchCall(method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
  return call(method, url, { "x-auth-token": benchToken }, body);
}

/** Sends one request and keeps its answer's status and body. */
async function call(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string }> {
  const reply = await client.send({
    method,
    url,
    headers,
    body: body === undefined ? undefined : Buffer.from(body),
    keepBody: true,
  });
  return { status: reply.status, text: reply.text };
}

/** A TempAuth token of `user`; throws when authentication fails. */
async function token(base: string, user: string, key: string): Promise<string> {
  const reply = await client.send({
    method: "GET",
    url: `${base}/auth/v1.0`,
    headers: { "x-auth-user": user, "x-auth-key": key },
  });
  const value = reply.headers["x-auth-token"];
  if (typeof value !== "string") throw new Error(`auth failed for ${user}: ${reply.status}`);
  return value;
}

interface SweepReport {
  ring: string;
  partitionsChecked: number;
  divergent: number;
  durationMs: number;
}

/** Runs the replicator's jobs once (`sweepOnly`: the ring sweeps alone, no reaper or auditor); times the request. */
async function sweep(
  base: string,
  admin: string,
  sweepOnly = false,
): Promise<{ wallMs: number; reports: SweepReport[]; reaper: { finished: string[] } }> {
  const started = performance.now();
  const reply = await call("POST", `${base}/recon/sweep${sweepOnly ? "?only=sweep" : ""}`, { "x-auth-token": admin });
  if (reply.status !== 200) throw new Error(`sweep: ${reply.status} ${reply.text}`);
  const body = JSON.parse(reply.text) as { sweeps: SweepReport[]; reaper?: { finished: string[] } };
  return { wallMs: performance.now() - started, reports: body.sweeps, reaper: body.reaper ?? { finished: [] } };
}

/**
 * Seeds `containers` containers of `account` with `objects` objects each, about `--seed-chunk`
 * objects per request: each request seeds every container's rows in one share of the partitions
 * (`shard=i/n`), so each replica gets its rows in as few calls as one RPC's limit allows.
 */
async function seed(base: string, account: string, containers: number, objects: number): Promise<void> {
  // Big requests, one at a time: local workerd runs every replica on one thread, and a call to a
  // replica costs it far more than a row does.
  const shards = Math.max(1, Math.ceil((containers * Math.max(1, objects)) / seedChunk));
  await withProgress(`  seeding ${account}`, shards, { json }, async (progress) => {
    for (let shard = 0; shard < shards; shard++) {
      // On a terminal the bar says it; in a log, a line per request.
      if (!drawsProgress({ json }))
        console.error(`  seeding ${account}: ${containers} containers, partitions ${shard} mod ${shards}`);
      const query = `account=${account}&containers=${containers}&objects=${objects}&shard=${shard}/${shards}`;
      const reply = await benchCall("POST", `${base}/bench/replication/seed?${query}`);
      if (reply.status !== 200) throw new Error(`seed: ${reply.status} ${reply.text.slice(0, 300)}`);
      progress.increment();
    }
  });
}

/**
 * Sweeps until a pass finds nothing divergent (the replicas' summary reports have landed); returns
 * the in-sync pass.
 */
async function settledSweep(base: string, admin: string): Promise<{ wallMs: number; reports: SweepReport[] }> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const result = await sweep(base, admin);
    if (
      result.reports.every((report) => report.divergent === 0) &&
      result.reports.some((report) => report.partitionsChecked > 0)
    )
      return result;
    await sleep(2_000);
  }
  throw new Error("the summaries never settled");
}

/**
 * Adds `more` containers (3 objects each) in a new account, so that `total` are stored, waits
 * until a sweep finds everything in sync, then times three full in-sync sweeps and keeps the median.
 */
async function sweepInSync(base: string, admin: string, more: number, total: number, label: string): Promise<void> {
  const seeded = performance.now();
  await seed(base, `AUTH_sweep${label}`, more, 3);
  console.error(
    `seeded ${more} containers in ${((performance.now() - seeded) / 1000).toFixed(1)} s (${total} stored); ` +
      "waiting for the summaries…",
  );
  await sleep(12_000);
  await settledSweep(base, admin);
  // The sweep is timed alone (`?only=sweep`); a cron tick's whole jobs also run the reaper and
  // the auditor's random sample of replicas (cold or warm), timed beside it.
  const passes: number[] = [];
  const walls: number[] = [];
  let checked = 0;
  for (let i = 0; i < 3; i++) {
    const result = await sweep(base, admin, true);
    passes.push(result.wallMs);
    walls.push((await sweep(base, admin)).wallMs);
    checked = result.reports.reduce((sum, report) => sum + report.partitionsChecked, 0);
  }
  passes.sort((a, b) => a - b);
  walls.sort((a, b) => a - b);
  const seconds = (passes[1] ?? 0) / 1000;
  record(
    `sweep_insync_s_${label}`,
    seconds.toFixed(3),
    `median of 3 full sweeps of 3 rings, ${total.toLocaleString("en")} containers × 3 objects in sync, ` +
      `${checked} partitions checked; a cron tick's whole jobs (with the reaper and the auditor's sample) ` +
      `${((walls[1] ?? 0) / 1000).toFixed(3)} s`,
  );
}

interface SyncState {
  pending: number[];
  handoffs: Record<number, string[]>;
  /** When (the Worker's epoch ms) each partition not pending came into sync: its primaries' last change. */
  inSyncAt: Record<number, number>;
}

/** Which partitions of the object ring are not yet in sync, and which handoff slots still hold rows. */
async function inSync(
  base: string,
  partitions: number[],
  handoffs: Record<number, string[]>,
  timeoutMs?: number,
): Promise<SyncState> {
  const reply = await benchCall(
    "POST",
    `${base}/bench/replication/in-sync`,
    JSON.stringify({ ring: "object", partitions, handoffs, timeoutMs }),
  );
  if (reply.status !== 200) throw new Error(`in-sync: ${reply.status} ${reply.text.slice(0, 300)}`);
  return JSON.parse(reply.text) as SyncState;
}

/**
 * Takes z3 down, PUTs 1,000 objects, brings z3 back and records how long until every touched
 * partition's replicas agree and their handoffs are empty (event-driven repair only).
 */
async function converge(base: string, user: string, admin: string, concurrency: number): Promise<void> {
  await call("PUT", `${base}/v1/AUTH_test/converge`, { "x-auth-token": user });
  const down = await call(
    "PUT",
    `${base}/faults`,
    { "x-auth-token": admin, "content-type": "application/json" },
    JSON.stringify({ down: ["z3"] }),
  );
  if (down.status !== 200) throw new Error(`faults: ${down.status} ${down.text} (is FAULT_INJECTION on?)`);
  const body = Buffer.alloc(4096, 0x61);
  const names = Array.from({ length: 1000 }, (_, i) => `o${String(i).padStart(5, "0")}`);
  const phase = await runPhase(client, {
    name: "PUT with z3 down",
    ops: names.length,
    concurrency,
    callOf: (i) => ({
      method: "PUT",
      url: `${base}/v1/AUTH_test/converge/${names[i]}`,
      headers: { "x-auth-token": user },
      body,
    }),
    expect: 201,
  });
  if (phase.failures) throw new Error(`PUTs failed with z3 down: ${phase.examples.join("; ")}`);
  const partitions = JSON.parse(
    (
      await benchCall(
        "POST",
        `${base}/bench/replication/partitions`,
        JSON.stringify({ account: "AUTH_test", container: "converge", objects: names }),
      )
    ).text,
  ) as number[];
  // Before z3 returns (untimed): which handoff slot of each partition holds rows.
  const before = await inSync(base, partitions, {});
  const holding = Object.values(before.handoffs).filter((slots) => slots.length).length;
  console.error(
    `  before z3 returns: ${before.pending.length} of ${partitions.length} partitions pending, ` +
      `${holding} with a handoff holding rows`,
  );
  const upAt = Date.now();
  const up = await call(
    "PUT",
    `${base}/faults`,
    { "x-auth-token": admin, "content-type": "application/json" },
    JSON.stringify({ down: [] }),
  );
  if (up.status !== 200) throw new Error(`faults: ${up.status}`);
  let pending = before.pending;
  let handoffs = before.handoffs;
  const inSyncAt = new Map<number, number>();
  // Each check asks only the partitions still pending, and only their handoffs until those are
  // empty, and gives up on a replica busy past half a second: it shares local workerd's one
  // thread with the repair it watches. A partition is timed by when its primaries last changed,
  // so a check that takes a while does not stretch the figure.
  for (;;) {
    await sleep(1_000);
    const state = await inSync(base, pending, handoffs, 500);
    for (const [partition, at] of Object.entries(state.inSyncAt)) inSyncAt.set(Number(partition), at);
    if (!state.pending.length) break;
    if (Date.now() - upAt > 300_000)
      throw new Error(`not converged after 300 s: ${state.pending.length} of ${partitions.length} pending`);
    console.error(
      `  ${((Date.now() - upAt) / 1000).toFixed(1)} s: ` +
        `${partitions.length - state.pending.length} of ${partitions.length} partitions in sync`,
    );
    pending = state.pending;
    handoffs = state.handoffs;
  }
  console.error(`  every partition seen in sync ${((Date.now() - upAt) / 1000).toFixed(1)} s after z3 returned`);
  // Every replica was checked once more, with no time limit, after the last one was seen in sync.
  const verify = await inSync(base, partitions, {});
  if (verify.pending.length)
    throw new Error(`${verify.pending.length} partitions out of sync again: ${verify.pending.slice(0, 10).join(", ")}`);
  // The last primary took its rows then (the Worker's clock: the same machine's, locally).
  const times = [...inSyncAt.values()].map((at) => Math.max(0, at - upAt) / 1000).sort((a, b) => a - b);
  /** The time by which a share `q` of the partitions were in sync, in seconds. */
  const quantile = (q: number): string =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
  const seconds = times[times.length - 1] ?? 0;
  record(
    "converge_s",
    seconds.toFixed(2),
    `z3 down, 1000 PUTs (${phase.opsPerSecond.toFixed(0)}/s) over ${partitions.length} partitions, z3 back: ` +
      `event-driven repair only; partitions in sync by ${quantile(0.5)} s (half), ${quantile(0.9)} s (90%)`,
  );
}

/** Records the rows read and sent to repair 10 differing rows of a `rows`-row partition. */
async function repairRows(base: string, rows: number, label: string, partition: number): Promise<void> {
  const reply = await benchCall(
    "POST",
    `${base}/bench/replication/repair-rows?rows=${rows}&diff=10&partition=${partition}`,
  );
  if (reply.status !== 200) throw new Error(`repair-rows: ${reply.status} ${reply.text.slice(0, 300)}`);
  const { reports, durationMs } = JSON.parse(reply.text) as {
    durationMs: number;
    reports: { rowsRead: number; rowsSent: number }[];
  };
  const first = reports[0] ?? { rowsRead: 0, rowsSent: 0 };
  record(
    `repair_rows_10_of_${label}`,
    String(first.rowsRead + first.rowsSent),
    `rows read ${first.rowsRead} + sent ${first.rowsSent} for one pair; whole repair ${durationMs} ms`,
  );
}

/** Records how long the reaper takes to remove a deleted account of 10 containers × 1,000 objects. */
async function reaped(base: string, admin: string): Promise<void> {
  await seed(base, "AUTH_reap10k", 10, 1000);
  const deleted = await call("DELETE", `${base}/v1/AUTH_reap10k`, { "x-auth-token": admin });
  if (deleted.status !== 204) throw new Error(`account DELETE: ${deleted.status} ${deleted.text}`);
  const started = performance.now();
  for (;;) {
    const result = await sweep(base, admin);
    if (result.reaper.finished.includes("AUTH_reap10k")) break;
    if (performance.now() - started > 600_000) throw new Error("reaper did not finish in 600 s");
  }
  const seconds = (performance.now() - started) / 1000;
  record(
    "reaped_s_10k",
    seconds.toFixed(2),
    "account of 10 containers × 1000 objects: objects, containers, then the account",
  );
}

/** Runs the scenarios `--only` names, then prints the table and the `name=value` lines. */
async function replication(options: Options): Promise<void> {
  let worker: LocalWorker | null = null;
  let failed = true;
  try {
    if (!options.url)
      worker = await startLocalWorker(
        process.cwd(),
        options["state-in"],
        { FAULT_INJECTION: "true" },
        options["object-ring"],
      );
    const base = options.url ?? worker?.url ?? "";
    const user = await token(base, "test:tester", "testing");
    const admin = await token(base, "admin:admin", "admin");
    benchToken = admin;
    seedChunk = Number(options["seed-chunk"]);
    json = options.json;
    client.progressBars = !json;
    const concurrency = Number(options.concurrency);
    // The small scenarios first, while the Worker holds little: on local workerd every replica
    // shares one thread, and 12,000 containers' replicas would slow what is timed after them.
    // `--only converge,repair,reap,sweep` runs some of them (each run starts a fresh Worker).
    const only = new Set((options.only ?? "converge,repair,reap,sweep").split(","));
    if (only.has("converge")) {
      console.error("converge: z3 down, 1,000 PUTs, z3 back");
      await converge(base, user, admin, concurrency);
    }
    if (only.has("repair")) {
      console.error("repair rows: 10 of 10,000 and of 100,000");
      await repairRows(base, 10_000, "10k", 11);
      await repairRows(base, 100_000, "100k", 12);
    }
    if (only.has("reap")) {
      console.error("reaper: 10 containers × 1,000 objects");
      await reaped(base, admin);
    }
    if (only.has("sweep")) {
      await sweepInSync(base, admin, 12_000, 12_000, "12k");
      // The 120k figure adds 108,000 containers to the 12,000 already stored (`--big N` for another total).
      const big = Number(options.big);
      if (!Number.isSafeInteger(big) || big <= 12_000) throw new Error("--big must be an integer above 12000");
      if (!options["skip-120k"])
        await sweepInSync(base, admin, big - 12_000, big, big % 1000 === 0 ? `${big / 1000}k` : String(big));
    }
    failed = false;
  } finally {
    client.close();
    if (failed && worker) console.error(`wrangler's log kept at ${worker.logPath}`);
    await worker?.stop(failed);
  }
  const width = Math.max(...lines.map(([name]) => name.length));
  const ring = options["object-ring"] ? `, object ring ${options["object-ring"]}` : "";
  const where = options.url
    ? options.url
    : `wrangler dev (local workerd), state in ${options["state-in"] ?? "the OS temp dir"}${ring}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  if (options.json) {
    const results = lines.map(([name, value, what]) => ({
      name,
      value: Number.isNaN(Number(value)) ? value : Number(value),
      what,
    }));
    console.log(JSON.stringify({ machine, where, results }, null, 2));
    return;
  }
  console.log(`machine: ${machine}; ${where}\n`);
  console.log(`${"scenario".padEnd(width)}  ${"value".padStart(9)}  what`);
  for (const [name, value, what] of lines) console.log(`${name.padEnd(width)}  ${value.padStart(9)}  ${what}`);
  console.log("");
  for (const [name, value] of lines) console.log(`${name}=${value}`);
}

const replicationCommand = defineCommand({
  meta: { name: "npm run bench:replication --", description: "what replication costs, as numbers" },
  args: REPLICATION_ARGS,
  run: ({ args }) => replication(args),
});

process.exitCode = await runStrict(replicationCommand, process.argv.slice(2), { prefix: "", usageExitCode: 1 });
