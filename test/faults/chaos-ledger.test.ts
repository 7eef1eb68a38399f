/**
 * Chaos with a ledger of acknowledged writes, seeded: the workload of chaos-workload.ts (Swift and
 * S3 writes of every kind under zone outages and replica resets). Then every zone returns, the
 * replicas' alarms repair until in sync, tombstones are reclaimed past reclaim_age, and the ledger
 * is checked: every acknowledged write readable with its newest content and metadata, no
 * acknowledged delete back (in reads or listings), every replica of every touched partition with
 * the same hash, no body left in a zone's bucket that no row of that zone points at.
 *
 * Seeds and length: CHAOS_SEED (comma-separated) and CHAOS_OPS in the environment, passed in by
 * vitest.config.ts (provide/inject): `CHAOS_SEED=1,2 CHAOS_OPS=1000 npm run chaos`.
 */

import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, inject, it, vi } from "vitest";
import { md5Hex } from "../../src/common/digest";
import type { ObjectRow } from "../../src/durable/rows";
import type { RingName } from "../../src/ring/types";
import { swift } from "../helpers";
import {
  ACCOUNT,
  ChaosRun,
  RESET_EVERY,
  USER,
  path,
  runWorkload,
  touchedObjectPartitions,
  type Figures,
} from "./chaos-workload";
import {
  BODY_BUCKETS,
  SLOTS,
  ZONES,
  outOfSync,
  replica,
  replicaRows,
  runAlarmsUntilInSync,
  setDown,
} from "./fault-helpers";
import { story, verdict, type Seen, type Verdict } from "./ledger";

declare module "vitest" {
  // CHAOS_SEED and CHAOS_OPS as vitest.config.ts provides them ("" when unset).
  interface ProvidedContext {
    chaos: { seed: string; ops: string };
  }
}

const settings = inject("chaos");
const SEEDS = settings.seed ? settings.seed.split(",").map(Number) : [7, 2025, 808];
const OPS = settings.ops ? Number(settings.ops) : 300;
/** Rounds of every touched replica's alarm before the cluster must be in sync. */
const REPAIR_ROUNDS_MAX = 12;
/** Pages of a bucket listing read at most (1,000 keys each). */
const LIST_PAGES_MAX = 50;

/** What a read shows of an object: GET (its body's MD5) or HEAD with X-Newest. */
async function read(key: string, newest: boolean): Promise<{ seen: Seen; status: number }> {
  const response = await swift(newest ? "HEAD" : "GET", path(key), {
    user: USER,
    headers: newest ? { "X-Newest": "true" } : {},
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { seen: { exists: false }, status: response.status };
  const meta: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name.startsWith("x-object-meta-")) meta[name] = value;
  return {
    status: 200,
    seen: {
      exists: true,
      md5: newest ? null : await md5Hex(bytes),
      etag: (response.headers.get("etag") ?? "").replaceAll('"', ""),
      size: newest ? Number(response.headers.get("content-length")) : bytes.byteLength,
      contentType: response.headers.get("content-type") ?? "",
      meta,
    },
  };
}

/**
 * Reads every name the run wrote (GET and HEAD with X-Newest) and judges each by the ledger;
 * checks each container's listing and its object count and bytes against what the reads found.
 * Returns what the reads saw of each name.
 */
async function checkReads(run: ChaosRun, phase: string): Promise<void> {
  const verdicts = new Map<string, Verdict>();
  const found = new Map<string, Seen>();
  for (const key of run.objectKeys()) {
    const history = run.ledger.filter((entry) => entry.key === key);
    for (const newest of [false, true]) {
      const { seen, status: code } = await read(key, newest);
      const judged = verdict(history, seen);
      if (!newest) found.set(key, seen);
      if (judged === null) continue;
      verdicts.set(key, verdicts.get(key) ?? judged);
      run.problems.push(
        `${phase}: ${key} ${judged} (${newest ? "HEAD X-Newest" : "GET"} ${code} ${JSON.stringify(seen)}) after\n${story(history)}`,
      );
    }
  }
  for (const judged of verdicts.values()) if (judged !== null) run.figures[judged] += 1;
  for (const container of [...run.containers, run.segments]) await checkListing(run, phase, container, found);
}

/**
 * A container's listing names the objects the reads found, with their sizes and ETags (a large
 * object's as `slo_etag`), and its object count and bytes used add them up (a large object's
 * stored manifest counting, as in Swift).
 */
async function checkListing(run: ChaosRun, phase: string, container: string, found: Map<string, Seen>) {
  const expected: { name: string; bytes: number; hash: string }[] = [];
  let bytesUsed = 0;
  for (const [key, seen] of found) {
    if (!key.startsWith(`${container}/`) || !seen.exists) continue;
    expected.push({ name: key.slice(container.length + 1), bytes: seen.size, hash: seen.etag });
    const stored = await swift("HEAD", `${path(key)}?multipart-manifest=get`, { user: USER });
    await stored.arrayBuffer();
    bytesUsed += Number(stored.headers.get("content-length"));
  }
  expected.sort((a, b) => (a.name < b.name ? -1 : 1));
  const response = await swift("GET", `/${ACCOUNT}/${container}?format=json`, { user: USER });
  const listed = (await response.json()) as { name: string; bytes: number; hash: string; slo_etag?: string }[];
  const shown = listed.map((entry) => ({
    name: entry.name,
    bytes: entry.bytes,
    hash: (entry.slo_etag ?? entry.hash).replaceAll('"', ""),
  }));
  if (JSON.stringify(shown) !== JSON.stringify(expected))
    run.problems.push(
      `${phase}: listing of ${container} ${JSON.stringify(shown)}, reads found ${JSON.stringify(expected)}`,
    );
  const count = response.headers.get("x-container-object-count");
  const bytes = response.headers.get("x-container-bytes-used");
  if (count !== String(expected.length) || bytes !== String(bytesUsed))
    run.problems.push(
      `${phase}: ${container} counts ${count} objects, ${bytes} bytes; reads found ${expected.length}, ${bytesUsed}`,
    );
}

/** Every tombstone past reclaim_age goes: the clock moves past it while the replicas' alarms run, then comes back. */
async function reclaim(run: ChaosRun, partitions: { ring: RingName; partition: number }[]): Promise<void> {
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime(Date.now() + (Number(env.RECLAIM_AGE) + 3600) * 1000);
    for (let round = 0; round < 3; round++)
      for (const { ring, partition } of partitions)
        for (const slot of SLOTS) await runDurableObjectAlarm(replica(ring, partition, slot));
  } finally {
    vi.useRealTimers();
  }
  for (const { ring, partition } of partitions)
    for (const slot of SLOTS)
      for (const row of (await replicaRows(ring, partition, slot)) as { deleted: 0 | 1; name: string }[])
        if (row.deleted) {
          run.figures.tombstones += 1;
          run.problems.push(`tombstone of ${row.name} left on ${ring}/${partition}/${slot} past reclaim_age`);
        }
}

/** Every key of a zone's bucket under the account (bounded: LIST_PAGES_MAX pages). */
async function bucketKeys(bucket: R2Bucket): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < LIST_PAGES_MAX; page++) {
    const listed = await bucket.list({ prefix: `${ACCOUNT}/`, cursor, limit: 1000 });
    keys.push(...listed.objects.map((object) => object.key));
    if (!listed.truncated) return keys;
    cursor = listed.cursor;
  }
  throw new Error(`${ACCOUNT}'s bodies fill more than ${LIST_PAGES_MAX} pages`);
}

/**
 * Bodies in a zone's bucket that no row of that zone's replicas (primary or handoff slot) points
 * at are orphaned; rows pointing at a body their zone's bucket lacks are missing it.
 */
async function checkBodies(run: ChaosRun): Promise<void> {
  for (const zone of ZONES) {
    const bucket = BODY_BUCKETS[zone];
    if (!bucket) throw new Error(`no bucket for ${zone}`);
    const referenced = new Map<string, string>();
    for (const partition of touchedObjectPartitions)
      for (const slot of [zone, `${zone}/handoff`])
        for (const row of (await replicaRows("object", partition, slot)) as ObjectRow[])
          if (!row.deleted && row.bodyKey !== null) referenced.set(row.bodyKey, row.name);
    const held = new Set(await bucketKeys(bucket));
    for (const key of held)
      if (!referenced.has(key)) {
        run.figures.orphaned += 1;
        run.problems.push(`orphaned body ${key} in ${zone}'s bucket`);
      }
    for (const [key, name] of referenced)
      if (!held.has(key)) {
        run.figures.missing += 1;
        run.problems.push(`${name}'s body ${key} missing from ${zone}'s bucket`);
      }
  }
}

function report(figures: Figures): string {
  const f = figures;
  return [
    `chaos ledger: seed ${f.seed}, ${f.ops} ops (${f.requests} requests): ${f.acked} acknowledged, ` +
      `${f.unavailable} answered 503, ${f.maybe} may have landed, ${f.refused} refused, ${f.errors.length} other 5xx`,
    `  ${f.zoneChanges} zone changes, ${f.resets.length} replica resets` +
      (f.resets.length ? ` (${f.resets.slice(0, 3).join(" ")}${f.resets.length > 3 ? " …" : ""})` : ""),
    `  lost ${f.lost}, stale ${f.stale}, resurrected ${f.resurrected}, orphaned bodies ${f.orphaned}, ` +
      `missing bodies ${f.missing}, tombstones left ${f.tombstones}`,
    `  converged in ${f.convergeRounds} rounds of alarms, ${f.convergeMs} ms; ` +
      Object.entries(f.phaseMs)
        .map(([phase, ms]) => `${phase} ${ms} ms`)
        .join(", "),
    ...f.errors.map((error) => `  ${error}`),
  ].join("\n");
}

async function chaos(run: ChaosRun, ops: number): Promise<void> {
  let mark = Date.now();
  const phase = (name: string) => {
    run.figures.phaseMs[name] = Date.now() - mark;
    mark = Date.now();
  };
  await runWorkload(run, ops);
  phase("workload");
  const partitions = run.partitions();
  run.figures.convergeRounds = await runAlarmsUntilInSync(partitions, REPAIR_ROUNDS_MAX);
  run.figures.convergeMs = Date.now() - mark;
  phase("repair");
  await checkReads(run, "after repair");
  phase("reads");
  await reclaim(run, partitions);
  await runAlarmsUntilInSync(partitions, REPAIR_ROUNDS_MAX);
  phase("reclaim");
  await checkReads(run, "after reclaim");
  const divergent = await outOfSync(partitions);
  if (divergent.length) run.problems.push(`after reclaim, replicas differ: ${divergent.join(", ")}`);
  await checkBodies(run);
  phase("checks");
}

describe("chaos with a ledger of acknowledged writes", () => {
  for (const seed of SEEDS)
    it(`with seed ${seed}, ${OPS} Swift and S3 writes under zone outages and replica resets: every acknowledged write reads back newest, no acknowledged delete returns, replicas agree and no body is orphaned`, {
      timeout: 60_000 + OPS * 400,
    }, async ({ expect }) => {
      const run = new ChaosRun(seed);
      const replay = `replay: CHAOS_SEED=${seed} CHAOS_OPS=${OPS} npm run chaos`;
      try {
        await chaos(run, OPS);
      } catch (error) {
        await setDown([]);
        throw new Error(
          `seed ${seed} failed at step ${run.step} (${replay}):\n${report(run.figures)}\n${String(error)}`,
        );
      }
      console.log(report(run.figures));
      expect(run.problems, `seed ${seed} failed (${replay}):\n${report(run.figures)}`).toEqual([]);
      expect(run.figures.errors, replay).toEqual([]);
      // The outages and resets were real: some writes were refused (in a run long enough to meet
      // two zones down), most acknowledged.
      if (OPS >= 100) expect(run.figures.unavailable, replay).toBeGreaterThan(0);
      expect(run.figures.acked, replay).toBeGreaterThan(run.figures.requests / 2);
      expect(run.figures.resets.length, replay).toBe(Math.floor((OPS - 1) / RESET_EVERY));
    });
});
