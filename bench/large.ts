/**
 * @module
 * The bench's two large cases (issue 4): a segmented (SLO) upload and download of a large object,
 * as `swift upload --use-slo -S` does it (segments in parallel, then the manifest), timed in MiB/s
 * each way with the Worker's memory sampled meanwhile; and listings of one container of 100,000
 * objects with `prefix` and `delimiter`, its rows seeded straight into the container's replicas.
 */

import { createHash, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Client, PhaseResult } from "./http.ts";
import { keepFailures, runPhase } from "./http.ts";

const MIB = 1024 * 1024;
/** How often the Worker's memory is read during a transfer. */
const SAMPLE_MS = 20;

export interface Session {
  label: string;
  base: string;
  storageUrl: string;
  token: string;
  /** The reseller admin's token, which the bench routes (/bench/*) require. */
  adminToken?: string;
}

export interface TransferResult {
  mib: number;
  segments: number;
  uploadMiBps: number;
  downloadMiBps: number;
  /**
   * The Worker's resident memory before the transfers and its highest reading during each
   * (bytes); null when unreadable.
   */
  rssBefore: number | null;
  rssPeakUpload: number | null;
  rssPeakDownload: number | null;
}

/** Reads `read()` every SAMPLE_MS while `work` runs; returns its result and the highest reading. */
export async function sampled<T>(
  read: (() => number | null) | null,
  work: () => Promise<T>,
): Promise<{ value: T; peak: number | null }> {
  if (!read) return { value: await work(), peak: null };
  let peak = read();
  const timer = setInterval(() => {
    const now = read();
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, SAMPLE_MS);
  try {
    const value = await work();
    const last = read();
    if (last !== null && (peak === null || last > peak)) peak = last;
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Uploads `mib` MiB as `segmentMib`-MiB segments (`parallel` at a time) and an SLO manifest,
 * then downloads the manifest object and checks every byte by MD5. Throws on any failure.
 */
export async function segmentedTransfer(
  client: Client,
  session: Session,
  container: string,
  options: { mib: number; segmentMib: number; parallel: number },
  rss: (() => number | null) | null,
): Promise<TransferResult> {
  const auth = { "x-auth-token": session.token };
  const base = `${session.storageUrl}/${container}`;
  const put = await client.send({ method: "PUT", url: base, headers: auth });
  if (put.status !== 201 && put.status !== 202)
    throw new Error(`${session.label}: PUT ${container} answered ${put.status}`);
  const data = randomBytes(options.mib * MIB);
  const expected = createHash("md5").update(data).digest("hex");
  const segmentBytes = options.segmentMib * MIB;
  const segments = Math.ceil(data.byteLength / segmentBytes);
  const name = `large-${Date.now().toString(36)}`;
  /** The path of segment `i` within the container. */
  const segmentName = (i: number): string => `${name}/segments/${String(i).padStart(6, "0")}`;
  const rssBefore = rss?.() ?? null;

  const upload = await sampled(rss, async () => {
    const started = performance.now();
    const manifest: { path: string; etag: string; size_bytes: number }[] = new Array(segments);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(options.parallel, segments) }, async () => {
        for (let i = next++; i < segments; i = next++) {
          const body = data.subarray(i * segmentBytes, Math.min(data.byteLength, (i + 1) * segmentBytes));
          const etag = createHash("md5").update(body).digest("hex");
          const reply = await client.send({
            method: "PUT",
            url: `${base}/${segmentName(i)}`,
            headers: { ...auth, etag },
            body,
          });
          if (reply.status !== 201)
            throw new Error(`${session.label}: segment ${i} PUT answered ${reply.status} ${reply.text.slice(0, 200)}`);
          manifest[i] = { path: `/${container}/${segmentName(i)}`, etag, size_bytes: body.byteLength };
        }
      }),
    );
    const reply = await client.send({
      method: "PUT",
      url: `${base}/${name}?multipart-manifest=put`,
      headers: auth,
      body: Buffer.from(JSON.stringify(manifest)),
    });
    if (reply.status !== 201)
      throw new Error(`${session.label}: manifest PUT answered ${reply.status} ${reply.text.slice(0, 300)}`);
    return (performance.now() - started) / 1000;
  });

  const download = await sampled(rss, async () => {
    const started = performance.now();
    const hash = createHash("md5");
    const reply = await client.stream({ method: "GET", url: `${base}/${name}`, headers: auth }, (chunk) =>
      hash.update(chunk),
    );
    const seconds = (performance.now() - started) / 1000;
    if (reply.status !== 200) throw new Error(`${session.label}: large GET answered ${reply.status}`);
    const got = hash.digest("hex");
    if (reply.bytes !== data.byteLength || got !== expected)
      throw new Error(
        `${session.label}: large GET returned ${reply.bytes} bytes, md5 ${got}; ` +
          `expected ${data.byteLength}, ${expected}`,
      );
    return seconds;
  });

  // Best effort: the manifest and its segments go (Swift: DELETE ?multipart-manifest=delete).
  await client
    .send({ method: "DELETE", url: `${base}/${name}?multipart-manifest=delete`, headers: auth })
    .catch(() => undefined);
  return {
    mib: options.mib,
    segments,
    uploadMiBps: options.mib / upload.value,
    downloadMiBps: options.mib / download.value,
    rssBefore,
    rssPeakUpload: upload.peak,
    rssPeakDownload: download.peak,
  };
}

/** The header the bench routes require: the reseller admin's token. */
export function benchAuth(session: Session): Record<string, string> {
  return session.adminToken ? { "x-auth-token": session.adminToken } : {};
}

/**
 * Puts `objects` listing rows (over `dirs` pseudo-directories; 0 for flat names) straight into the
 * replicas of one container of the session's account, through the bench routes (untimed).
 */
export async function seedThroughBenchRoutes(
  client: Client,
  session: Session,
  container: string,
  objects: number,
  dirs: number,
): Promise<void> {
  const account = decodeURIComponent(new URL(session.storageUrl).pathname.split("/")[2] ?? "");
  const where = `account=${encodeURIComponent(account)}&container=${encodeURIComponent(container)}`;
  // In chunks: one request's rows are held in memory twice over (built, then sent over RPC).
  for (let first = 0; first < objects; first += SEED_CHUNK) {
    const count = Math.min(SEED_CHUNK, objects - first);
    const query = `${where}&containers=1&objects=${count}&first=${first}&dirs=${dirs}&listing-only=1`;
    const seeded = await client.send({
      method: "POST",
      url: `${session.base}/bench/replication/seed?${query}`,
      headers: benchAuth(session),
      keepBody: true,
    });
    if (seeded.status !== 200)
      throw new Error(`${session.label}: seeding ${container} answered ${seeded.status} ${seeded.text.slice(0, 300)}`);
  }
}

/** Listing rows one seeding request stores. */
const SEED_CHUNK = 50_000;

export interface BigListing {
  objects: number;
  dirs: number;
  /** `?delimiter=/`: one entry per pseudo-directory, the walk skipping over every object below. */
  delimiter: PhaseResult;
  /** `?prefix=d042/&delimiter=/`: the objects of one pseudo-directory. */
  prefixDelimiter: PhaseResult;
  /** Entries returned by one listing of each kind. */
  delimiterEntries: number;
  prefixEntries: number;
}

/**
 * Seeds one container of `objects` objects over `dirs` pseudo-directories (straight into its
 * replicas, through the bench routes; untimed, skipped when it is already full) and times
 * `listOps` listings of each kind, `concurrency` at a time.
 */
export async function bigListing(
  client: Client,
  session: Session,
  options: { objects: number; dirs: number; listOps: number; concurrency: number },
  failures: string[],
): Promise<BigListing> {
  const auth = { "x-auth-token": session.token };
  const container = `bench-list-${options.objects}-${options.dirs}`;
  const url = `${session.storageUrl}/${container}`;
  const head = await client.send({ method: "HEAD", url, headers: auth });
  if (Number(head.headers["x-container-object-count"] ?? 0) < options.objects) {
    const started = performance.now();
    await seedThroughBenchRoutes(client, session, container, options.objects, options.dirs);
    process.stderr.write(
      `${session.label}: seeded ${container} with ${options.objects} listing rows ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s (untimed)\n`,
    );
  }
  /** How many entries one listing with `query` returns. */
  const count = async (query: string): Promise<number> => {
    const reply = await client.send({
      method: "GET",
      url: `${url}?format=json&${query}`,
      headers: auth,
      keepBody: true,
    });
    if (reply.status !== 200)
      throw new Error(
        `${session.label}: listing ${container}?${query} answered ${reply.status} ${reply.text.slice(0, 200)}`,
      );
    return (JSON.parse(reply.text) as unknown[]).length;
  };
  const prefix = `d${String(Math.floor(options.dirs / 2)).padStart(3, "0")}/`;
  const delimiterQuery = "delimiter=/";
  const prefixQuery = `prefix=${encodeURIComponent(prefix)}&delimiter=/`;
  const delimiterEntries = await count(delimiterQuery);
  const prefixEntries = await count(prefixQuery);
  /** Times `listOps` listings with `query`, logs them and keeps their failures. */
  const time = async (name: string, query: string): Promise<PhaseResult> => {
    const result = await runPhase(client, {
      name,
      ops: options.listOps,
      concurrency: options.concurrency,
      callOf: () => ({ method: "GET", url: `${url}?format=json&${query}`, headers: auth }),
      expect: 200,
    });
    const p50 = `p50 ${result.p50Ms.toFixed(1)} ms`;
    process.stderr.write(`  ${name}: ${result.opsPerSecond.toFixed(1)}/s, ${p50}, p99 ${result.p99Ms.toFixed(1)} ms\n`);
    keepFailures(result, failures);
    return result;
  };
  const delimiter = await time(`${session.label} LIST ${options.objects} ?delimiter=/`, delimiterQuery);
  const prefixDelimiter = await time(
    `${session.label} LIST ${options.objects} ?prefix=${prefix}&delimiter=/`,
    prefixQuery,
  );
  return { objects: options.objects, dirs: options.dirs, delimiter, prefixDelimiter, delimiterEntries, prefixEntries };
}
