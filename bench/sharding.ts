/**
 * @module
 * `npm run bench:sharding`: a container of `--objects` objects (default 1,000,000, over `--dirs`
 * pseudo-directories), unsharded and then sharded, as numbers (never pass/fail). Each run starts
 * its own `wrangler dev` of the bench Worker (state under `--state-in`): first with
 * CONTAINER_SHARD_ROWS above the container (one set of replicas holds it), then with
 * `--shard-rows` (default the container's objects: the first PUT after the seeding passes it and
 * starts a split into two shards of half). The container is seeded straight into its replicas
 * through the bench routes (untimed; a split starting before the seeding ends measures the
 * seeding's and the split's work together); the split is timed from its ranges found to all
 * active (the control record's) and to settled (the shards' counts add up and the root's replicas
 * hold no listing row). Then, in
 * each run: listings (the first page of 10,000; `?delimiter=/`; `?prefix=<dir>/&delimiter=/`; a
 * page of 1,000 from a marker in the middle) and object PUTs into the container (50 names, each
 * written once untimed first), with each PUT's container requests (`/recon/work`). One table,
 * then `name=value` lines.
 */

import { performance } from "node:perf_hooks";
import { cpus, totalmem } from "node:os";
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { runStrict } from "../cli/strict-args.ts";
import { Client, fixed1, keepFailures, markdownTable, runPhase, type PhaseResult } from "./http.ts";
import { seedThroughBenchRoutes, type Session } from "./large.ts";
import { startLocalWorker, type LocalWorker } from "./local-worker.ts";

const SHARDING_ARGS = {
  objects: { type: "string", default: "1000000", valueHint: "N", description: "objects in the container" },
  dirs: { type: "string", default: "1000", valueHint: "N", description: "pseudo-directories they are spread over" },
  "shard-rows": {
    type: "string",
    valueHint: "N",
    description:
      "CONTAINER_SHARD_ROWS of the sharded run (default: the objects, so the first write after the seeding starts a split into two shards of half)",
  },
  "list-ops": { type: "string", default: "20", valueHint: "N", description: "listings of each kind" },
  "put-ops": { type: "string", default: "300", valueHint: "N", description: "object PUTs (1 KiB) into the container" },
  concurrency: { type: "string", default: "8", valueHint: "N", description: "requests in flight" },
  "state-in": {
    type: "string",
    valueHint: "DIR",
    description: "where the local Workers' state goes (default the OS temp dir; /dev/shm takes the fsyncs out)",
  },
  only: { type: "string", valueHint: "LIST", description: "the runs, of unsharded,sharded (default both)" },
  json: { type: "boolean", default: false, description: "print the figures as JSON" },
} as const satisfies ArgsDef;

type Options = ParsedArgs<typeof SHARDING_ARGS>;

const CONTAINER = "bench-sharding";
const client = new Client(64, 1_800_000);
const failures: string[] = [];

interface Run {
  mode: "unsharded" | "sharded";
  shardRows: number;
  seedSeconds: number;
  /** Sharded run: ranges found → all active, and → the shards' counts add up (every row off the root). */
  splitSeconds: number | null;
  settleSeconds: number | null;
  shards: number;
  phases: PhaseResult[];
  containerRequestsPerPut: number;
}

function positive(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return number;
}

async function signIn(base: string, label: string, user: string, key: string): Promise<Session> {
  const reply = await client.send({
    method: "GET",
    url: `${base}/auth/v1.0`,
    headers: { "x-auth-user": user, "x-auth-key": key },
  });
  const token = reply.headers["x-auth-token"];
  const storageUrl = reply.headers["x-storage-url"];
  if (typeof token !== "string" || typeof storageUrl !== "string") throw new Error(`${label}: auth ${reply.status}`);
  return { label, base, storageUrl, token };
}

/** POST of JSON as the reseller admin (a bench route), the answer's JSON; throws on anything but 200. */
async function postJson<T>(url: string, token: string, body: unknown): Promise<T> {
  const reply = await client.send({
    method: "POST",
    url,
    headers: { "x-auth-token": token, "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(body)),
    keepBody: true,
  });
  if (reply.status !== 200) throw new Error(`POST ${url}: ${reply.status} ${reply.text.slice(0, 200)}`);
  return JSON.parse(reply.text) as T;
}

/** GET as `session`, the body kept; throws on anything but 200. */
async function getJson<T>(url: string, token: string): Promise<T> {
  const reply = await client.send({ method: "GET", url, headers: { "x-auth-token": token }, keepBody: true });
  if (reply.status !== 200) throw new Error(`GET ${url}: ${reply.status} ${reply.text.slice(0, 200)}`);
  return JSON.parse(reply.text) as T;
}

async function objectCount(session: Session): Promise<number> {
  const head = await client.send({
    method: "HEAD",
    url: `${session.storageUrl}/${CONTAINER}`,
    headers: { "x-auth-token": session.token },
  });
  return Number(head.headers["x-container-object-count"] ?? 0);
}

/**
 * Starts the split (a PUT past the threshold wakes the leader) and waits for it: the control
 * record's ranges found → all active, then until the shards' counts add up to every object.
 */
async function split(
  session: Session,
  admin: string,
  objects: number,
): Promise<Pick<Run, "splitSeconds" | "settleSeconds" | "shards">> {
  const started = performance.now();
  const put = await client.send({
    method: "PUT",
    url: `${session.storageUrl}/${CONTAINER}/zz-starts-the-split`,
    headers: { "x-auth-token": session.token },
    body: Buffer.from("x"),
  });
  if (put.status !== 201) throw new Error(`PUT to start the split: ${put.status}`);
  type Sharding = {
    containers: { container: string; state: string; shards: number; foundAt: number; changedAt: number }[];
  };
  for (;;) {
    const recon = await getJson<Sharding>(`${session.base}/recon/sharding`, admin);
    const entry = recon.containers.find((listed) => listed.container.endsWith(`/${CONTAINER}`));
    if (entry?.state === "sharded") {
      process.stderr.write(
        `  split: ${entry.shards} shards active after ${((entry.changedAt - entry.foundAt) / 1000).toFixed(1)} s\n`,
      );
      // Settled: the shards count every object and the root's replicas hold no listing row
      // (the container's row and its ranges, a few more rows of other containers at most).
      for (;;) {
        const rows = await postJson<Record<string, number>>(`${session.base}/bench/replication/container-rows`, admin, {
          account: decodeURIComponent(new URL(session.storageUrl).pathname.split("/")[2] ?? ""),
          container: CONTAINER,
        });
        const held = Math.max(...Object.values(rows).map((count) => (count < 0 ? Number.POSITIVE_INFINITY : count)));
        if (held <= entry.shards + 10 && (await objectCount(session)) === objects + 1) break;
        if (performance.now() - started > 3_600_000) throw new Error("the split did not settle in an hour");
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
      return {
        splitSeconds: (entry.changedAt - entry.foundAt) / 1000,
        settleSeconds: (performance.now() - started) / 1000,
        shards: entry.shards,
      };
    }
    if (performance.now() - started > 3_600_000) throw new Error("the split did not finish in an hour");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The timed listings and PUTs of one run. */
async function measure(session: Session, admin: string, options: Options, dirs: number) {
  const auth = { "x-auth-token": session.token };
  const url = `${session.storageUrl}/${CONTAINER}`;
  const listOps = positive("list-ops", options["list-ops"]);
  const putOps = positive("put-ops", options["put-ops"]);
  const concurrency = positive("concurrency", options.concurrency);
  const middle = `d${String(Math.floor(dirs / 2)).padStart(3, "0")}/`;
  const listings: [string, string][] = [
    ["LIST first 10,000", "format=json"],
    ["LIST ?delimiter=/", "format=json&delimiter=/"],
    [`LIST ?prefix=${middle}&delimiter=/`, `format=json&prefix=${encodeURIComponent(middle)}&delimiter=/`],
    ["LIST 1,000 from a marker midway", `format=json&limit=1000&marker=${encodeURIComponent(middle)}`],
  ];
  const phases: PhaseResult[] = [];
  for (const [name, query] of listings) {
    const result = await runPhase(client, {
      name: `${session.label} ${name}`,
      ops: listOps,
      concurrency,
      callOf: () => ({ method: "GET", url: `${url}?${query}`, headers: auth }),
      expect: 200,
    });
    process.stderr.write(
      `  ${name}: ${fixed1(result.opsPerSecond)}/s, p50 ${fixed1(result.p50Ms)} ms, p99 ${fixed1(result.p99Ms)} ms\n`,
    );
    keepFailures(result, failures);
    phases.push(result);
  }
  // PUTs of 50 new names spread over the namespace, each written once untimed first: an object
  // replica learns a sharded container's shards from its first update (through the root), so
  // the timed PUTs measure the steady state, every update straight to its shard.
  const body = Buffer.alloc(1024, 120);
  const nameOf = (index: number) => {
    const name = index % 50;
    return `${url}/d${String((name * 37) % dirs).padStart(3, "0")}/new-${name}`;
  };
  for (let index = 0; index < 50; index++) {
    const warm = await client.send({ method: "PUT", url: nameOf(index), headers: auth, body });
    if (warm.status !== 201) throw new Error(`warm-up PUT: ${warm.status}`);
  }
  const reset = await client.send({
    method: "POST",
    url: `${session.base}/recon/work`,
    headers: { "x-auth-token": admin },
  });
  if (reset.status !== 204) throw new Error(`POST /recon/work: ${reset.status}`);
  const put = await runPhase(client, {
    name: `${session.label} PUT 1 KiB into the container`,
    ops: putOps,
    concurrency,
    callOf: (index) => ({ method: "PUT", url: nameOf(index), headers: auth, body }),
    expect: 201,
  });
  process.stderr.write(
    `  PUT: ${fixed1(put.opsPerSecond)}/s, p50 ${fixed1(put.p50Ms)} ms, p99 ${fixed1(put.p99Ms)} ms\n`,
  );
  keepFailures(put, failures);
  phases.push(put);
  const work = await getJson<{ operations: Record<string, { requests: number; containerRequests: number }> }>(
    `${session.base}/recon/work`,
    admin,
  );
  const entry = work.operations["object PUT"];
  return { phases, containerRequestsPerPut: entry ? entry.containerRequests / entry.requests : Number.NaN };
}

async function runOne(
  mode: Run["mode"],
  options: Options,
  objects: number,
  dirs: number,
  shardRows: number,
): Promise<Run> {
  let worker: LocalWorker | null = null;
  let failed = true;
  try {
    process.stderr.write(`${mode}: CONTAINER_SHARD_ROWS=${shardRows}\n`);
    worker = await startLocalWorker(process.cwd(), options["state-in"], { CONTAINER_SHARD_ROWS: String(shardRows) });
    const session = await signIn(worker.url, mode, "test:tester", "testing");
    const admin = (await signIn(worker.url, "admin", "admin:admin", "admin")).token;
    session.adminToken = admin;
    const started = performance.now();
    await seedThroughBenchRoutes(client, session, CONTAINER, objects, dirs);
    const seedSeconds = (performance.now() - started) / 1000;
    process.stderr.write(`  seeded ${objects} listing rows in ${seedSeconds.toFixed(1)} s (untimed)\n`);
    const splitting = mode === "sharded" ? await split(session, admin, objects) : null;
    const measured = await measure(session, admin, options, dirs);
    failed = false;
    return {
      mode,
      shardRows,
      seedSeconds,
      splitSeconds: splitting?.splitSeconds ?? null,
      settleSeconds: splitting?.settleSeconds ?? null,
      shards: splitting?.shards ?? 1,
      ...measured,
    };
  } finally {
    if (failed && worker) process.stderr.write(`wrangler's log kept at ${worker.logPath}\n`);
    await worker?.stop(failed);
  }
}

async function sharding(options: Options): Promise<void> {
  const objects = positive("objects", options.objects);
  const dirs = positive("dirs", options.dirs);
  const shardRows = options["shard-rows"] ? positive("shard-rows", options["shard-rows"]) : objects;
  const only = new Set((options.only ?? "unsharded,sharded").split(","));
  const runs: Run[] = [];
  try {
    if (only.has("unsharded")) runs.push(await runOne("unsharded", options, objects, dirs, objects * 2));
    if (only.has("sharded")) runs.push(await runOne("sharded", options, objects, dirs, shardRows));
  } finally {
    client.close();
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const where = `wrangler dev (local workerd), state in ${options["state-in"] ?? "the OS temp dir"}`;
  if (options.json) {
    console.log(JSON.stringify({ machine, where, objects, dirs, runs, failures }, null, 2));
    return;
  }
  console.log(`machine: ${machine}; ${where}; a container of ${objects} objects over ${dirs} pseudo-directories\n`);
  const names = runs[0]?.phases.map((phase) => phase.name.replace(/^\S+ /, "")) ?? [];
  const cell = (phase: PhaseResult | undefined) =>
    phase ? `${fixed1(phase.opsPerSecond)} · ${fixed1(phase.p50Ms)} · ${fixed1(phase.p99Ms)}` : "–";
  console.log(
    markdownTable(
      ["ops/s · p50 · p99 ms", ...runs.map((run) => `${run.mode} (${run.shards} shard${run.shards === 1 ? "" : "s"})`)],
      [
        ...names.map((name, index) => [name, ...runs.map((run) => cell(run.phases[index]))]),
        ["container requests per PUT", ...runs.map((run) => run.containerRequestsPerPut.toFixed(2))],
        ["seeding (untimed), s", ...runs.map((run) => run.seedSeconds.toFixed(1))],
        [
          "split: found → all active, s",
          ...runs.map((run) => (run.splitSeconds === null ? "–" : run.splitSeconds.toFixed(1))),
        ],
        [
          "split: PUT → settled, s",
          ...runs.map((run) => (run.settleSeconds === null ? "–" : run.settleSeconds.toFixed(1))),
        ],
      ],
    ),
  );
  console.log("");
  for (const run of runs) {
    const slug = (name: string) =>
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_|_$/g, "");
    for (const phase of run.phases)
      console.log(`${run.mode}_${slug(phase.name.replace(/^\S+ /, ""))}_ops=${phase.opsPerSecond.toFixed(1)}`);
    console.log(`${run.mode}_container_requests_per_put=${run.containerRequestsPerPut.toFixed(2)}`);
    if (run.splitSeconds !== null) console.log(`${run.mode}_split_s=${run.splitSeconds.toFixed(1)}`);
    if (run.settleSeconds !== null) console.log(`${run.mode}_settle_s=${run.settleSeconds.toFixed(1)}`);
  }
  if (failures.length) console.log(`\nfailures:\n${failures.join("\n")}`);
}

const shardingCommand = defineCommand({
  meta: { name: "npm run bench:sharding --", description: "a large container, unsharded and sharded, as numbers" },
  args: SHARDING_ARGS,
  run: ({ args }) => sharding(args),
});

process.exitCode = await runStrict(shardingCommand, process.argv.slice(2), { prefix: "", usageExitCode: 1 });
