/**
 * @module
 * The bench through the S3 API (`npm run bench -- --api s3|both`): the same 4 KiB PUT, GET, HEAD,
 * DELETE and listing as the Swift table, each request signed with SigV4 in the load client by
 * aws4fetch (once per request, as an SDK signs; `UNSIGNED-PAYLOAD`, so no body is hashed), into a
 * bucket made by CreateBucket; and a multipart upload (parts in parallel, then
 * CompleteMultipartUpload) and download of a large object, with the Worker's memory sampled as the
 * Swift SLO case samples it. Rendered as its own table, with each operation's ops/s as a share of
 * the Swift API's when both were measured in the run.
 */

import { createHash, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { AwsV4Signer } from "aws4fetch";
import { UsageError } from "../cli/strict-args.ts";
import { type Call, type Client, fixed1, keepFailures, markdownTable, type PhaseResult, runPhase } from "./http.ts";
import { sampled, seedThroughBenchRoutes, type Session } from "./large.ts";
import { phaseWork, renderWork, S3_WORK_KEYS, type WorkEntry, workValues } from "./work.ts";

/** Which API the bench measures. */
export type Api = "swift" | "s3" | "both";
const APIS: readonly Api[] = ["swift", "s3", "both"];

/** `--api`'s value, checked. */
export function apiOf(text: string): Api {
  const api = APIS.find((candidate) => candidate === text);
  if (api === undefined) throw new UsageError(`--api must be one of ${APIS.join(", ")}, got "${text}"`);
  return api;
}

/** S3's share of the Swift API's ops/s the S3 API aims at (each operation). */
const GOAL_PERCENT = 85;
const MIB = 1024 * 1024;
const OBJECT_BYTES = 4096;
const SEED_CONCURRENCY = 32;
/** The region requests are signed for (edgeswift's default S3_REGION). */
const REGION = "us-east-1";

type Operation = "put" | "get" | "head" | "delete" | "list";
const OPERATIONS: readonly Operation[] = ["put", "get", "head", "delete", "list"];
const TITLES: Record<Operation, string> = {
  put: "PUT 4 KiB",
  get: "GET 4 KiB",
  head: "HEAD",
  delete: "DELETE",
  list: "LIST v2",
};

/** Signs S3 requests with SigV4 as an SDK does: one signature per request, UNSIGNED-PAYLOAD. */
export class S3Signer {
  readonly #accessKeyId: string;
  readonly #secretAccessKey: string;
  /** aws4fetch's signing-key cache (one key a day), shared by every request. */
  readonly #cache = new Map<string, ArrayBuffer>();

  constructor(accessKeyId: string, secretAccessKey: string) {
    this.#accessKeyId = accessKeyId;
    this.#secretAccessKey = secretAccessKey;
  }

  /** A signed call of `method` on `url` (absolute), ready for the bench's client. */
  async call(method: string, url: string, init: { body?: Buffer; keepBody?: boolean } = {}): Promise<Call> {
    const signer = new AwsV4Signer({
      method,
      url,
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      accessKeyId: this.#accessKeyId,
      secretAccessKey: this.#secretAccessKey,
      service: "s3",
      region: REGION,
      cache: this.#cache,
    });
    const signed = await signer.sign();
    return { method, url: signed.url.toString(), headers: Object.fromEntries(signed.headers), ...init };
  }
}

export interface S3TransferResult {
  mib: number;
  parts: number;
  partMib: number;
  parallel: number;
  uploadMiBps: number;
  downloadMiBps: number;
  rssBefore: number | null;
  rssPeakUpload: number | null;
  rssPeakDownload: number | null;
}

export interface S3Measured {
  api: Map<Operation, PhaseResult>;
  /** What each timed operation cost the Worker (GET /recon/work). */
  work: Map<Operation, WorkEntry>;
  /** Keys one timed listing returned. */
  listed: number;
  transfer: S3TransferResult | null;
}

export function s3Measured(): S3Measured {
  return { api: new Map(), work: new Map(), listed: 0, transfer: null };
}

/** One progress line on stderr. */
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The name of the `index`th object: o-000042 (the Swift table's names). */
const objectName = (index: number): string => `o-${String(index).padStart(6, "0")}`;

/** Sends one signed S3 request and throws unless it answers one of `ok`. */
async function sendOk(
  client: Client,
  signer: S3Signer,
  method: string,
  url: string,
  ok: readonly number[],
  init: { body?: Buffer; keepBody?: boolean } = {},
) {
  const reply = await client.send(await signer.call(method, url, init));
  if (!ok.includes(reply.status))
    throw new Error(`S3 ${method} ${url} answered ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply;
}

/** CreateBucket; a bucket the user already has is fine. */
async function ensureBucket(client: Client, signer: S3Signer, base: string, bucket: string): Promise<void> {
  await sendOk(client, signer, "PUT", `${base}/${bucket}`, [200, 409]);
}

/** Runs a phase, logs it, and keeps its failures. */
async function phase(client: Client, failures: string[], spec: Parameters<typeof runPhase>[1]): Promise<PhaseResult> {
  const result = await runPhase(client, spec);
  const failed = result.failures ? `, ${result.failures} FAILED` : "";
  log(
    `  ${result.name}: ${result.ops} ops in ${result.seconds.toFixed(1)} s, ${result.opsPerSecond.toFixed(1)}/s, ` +
      `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms${failed}`,
  );
  keepFailures(result, failures);
  return result;
}

/** The text of the first `<name>` element of an XML body, or null. */
function xmlValue(body: string, name: string): string | null {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1] ?? null;
}

export interface SmallOptions {
  concurrency: number;
  ops: number;
  listObjects: number;
  listOps: number;
  /** The bucket the timed objects go to (made here, removed after). */
  bucket: string;
  /** The bucket listed: the Swift table's listed container when it was measured (kept for the next run). */
  listBucket: string;
  /** Whether the bench routes exist to seed the listing (else it is seeded by PUTs). */
  benchRoutes: boolean;
}

const STEPS: Readonly<
  Record<Exclude<Operation, "list">, { method: string; status: number; bytes?: number; sendsBody?: boolean }>
> = {
  put: { method: "PUT", status: 200, sendsBody: true },
  get: { method: "GET", status: 200, bytes: OBJECT_BYTES },
  head: { method: "HEAD", status: 200 },
  delete: { method: "DELETE", status: 204 },
};

/**
 * 4 KiB PUT, GET, HEAD, DELETE and ListObjectsV2 through the S3 API, one operation at a time, so
 * that with `--api both` each runs right after the Swift API's (a change in the machine's load
 * then touches both alike): `prepare` (CreateBucket, and HEADs of the missing objects, untimed,
 * which open their replicas as the Swift table's warm-up does), `time` each operation, `finish`.
 */
export class S3Bench {
  readonly measured = s3Measured();
  readonly #client: Client;
  readonly #signer: S3Signer;
  readonly #session: Session;
  readonly #options: SmallOptions;
  readonly #body: Buffer;
  readonly #failures: string[];
  readonly #label: string;

  constructor(
    client: Client,
    signer: S3Signer,
    session: Session,
    options: SmallOptions,
    body: Buffer,
    failures: string[],
  ) {
    this.#client = client;
    this.#signer = signer;
    this.#session = session;
    this.#options = options;
    this.#body = body;
    this.#failures = failures;
    this.#label = `${session.label} S3`;
  }

  #objectUrl(index: number): string {
    return `${this.#session.base}/${this.#options.bucket}/${objectName(index)}`;
  }

  async prepare(): Promise<void> {
    const { concurrency, ops, bucket, listBucket } = this.#options;
    log(`${this.#label}: CreateBucket ${bucket}, warming (SigV4 per request, UNSIGNED-PAYLOAD)`);
    await ensureBucket(this.#client, this.#signer, this.#session.base, bucket);
    await ensureBucket(this.#client, this.#signer, this.#session.base, listBucket);
    await phase(this.#client, this.#failures, {
      name: `${this.#label} warm HEAD (missing)`,
      ops,
      concurrency,
      callOf: (i) => this.#signer.call("HEAD", this.#objectUrl(i)),
      expect: 404,
    });
  }

  /** Times one operation (LIST: of the listed bucket, seeded first when the Swift table has not). */
  async time(operation: Operation): Promise<void> {
    const { concurrency, ops } = this.#options;
    if (operation !== "list") {
      const step = STEPS[operation];
      const send = step.sendsBody ? { body: this.#body } : {};
      const { result, work } = await phaseWork(this.#client, this.#session, S3_WORK_KEYS[operation], () =>
        phase(this.#client, this.#failures, {
          name: `${this.#label} ${step.method}`,
          ops,
          concurrency,
          callOf: (i) => this.#signer.call(step.method, this.#objectUrl(i), send),
          expect: step.status,
          expectBytes: step.bytes,
        }),
      );
      this.measured.api.set(operation, result);
      if (work) this.measured.work.set(operation, work);
      return;
    }
    const listUrl = `${this.#session.base}/${this.#options.listBucket}?list-type=2`;
    await seedListing(this.#client, this.#signer, this.#session, this.#options, this.#body, this.#failures);
    const first = await sendOk(this.#client, this.#signer, "GET", listUrl, [200], { keepBody: true });
    this.measured.listed = Number(xmlValue(first.text, "KeyCount") ?? 0);
    const { result, work } = await phaseWork(this.#client, this.#session, S3_WORK_KEYS.list, () =>
      phase(this.#client, this.#failures, {
        name: `${this.#label} LIST v2 (${this.measured.listed} keys)`,
        ops: this.#options.listOps,
        concurrency,
        callOf: () => this.#signer.call("GET", listUrl),
        expect: 200,
      }),
    );
    this.measured.api.set("list", result);
    if (work) this.measured.work.set("list", work);
  }

  /** Removes the bucket of the timed objects (best effort: the timed DELETEs emptied it). */
  async finish(): Promise<void> {
    const url = `${this.#session.base}/${this.#options.bucket}`;
    await this.#client.send(await this.#signer.call("DELETE", url)).catch(() => undefined);
  }
}

/** Every S3 operation in turn (`--api s3`, where no Swift phase runs between them). */
export async function measureS3(bench: S3Bench): Promise<S3Measured> {
  await bench.prepare();
  for (const operation of OPERATIONS) await bench.time(operation);
  await bench.finish();
  return bench.measured;
}

/**
 * Fills the listed bucket up to `listObjects` (untimed; nothing when the Swift table already has):
 * through the bench routes where they exist, else by S3 PUTs.
 */
async function seedListing(
  client: Client,
  signer: S3Signer,
  session: Session,
  options: SmallOptions,
  body: Buffer,
  failures: string[],
): Promise<void> {
  const head = await client.send({
    method: "HEAD",
    url: `${session.storageUrl}/${options.listBucket}`,
    headers: { "x-auth-token": session.token },
  });
  const held = Number(head.headers["x-container-object-count"] ?? 0);
  if (held >= options.listObjects) return;
  log(`${session.label} S3: seeding ${options.listBucket} with ${options.listObjects} objects (untimed)`);
  if (options.benchRoutes) {
    await seedThroughBenchRoutes(client, session, options.listBucket, options.listObjects, 0);
    return;
  }
  await phase(client, failures, {
    name: `${session.label} S3 seed`,
    ops: options.listObjects,
    concurrency: SEED_CONCURRENCY,
    callOf: (i) => signer.call("PUT", `${session.base}/${options.listBucket}/${objectName(i)}`, { body }),
    expect: 200,
  });
}

/**
 * Uploads `mib` MiB as a multipart upload of `partMib`-MiB parts (`parallel` at a time), completes
 * it, downloads it and checks every byte by MD5; samples the Worker's memory throughout (`rss`).
 * Throws on any failure.
 */
export async function s3MultipartTransfer(
  client: Client,
  signer: S3Signer,
  session: Session,
  bucket: string,
  options: { mib: number; partMib: number; parallel: number },
  rss: (() => number | null) | null,
): Promise<S3TransferResult> {
  const base = session.base;
  await ensureBucket(client, signer, base, bucket);
  const data = randomBytes(options.mib * MIB);
  const expected = createHash("md5").update(data).digest("hex");
  const partBytes = options.partMib * MIB;
  const parts = Math.ceil(data.byteLength / partBytes);
  const key = `large-${Date.now().toString(36)}`;
  const objectUrl = `${base}/${bucket}/${key}`;
  const rssBefore = rss?.() ?? null;

  const upload = await sampled(rss, async () => {
    const started = performance.now();
    const created = await sendOk(client, signer, "POST", `${objectUrl}?uploads`, [200], { keepBody: true });
    const uploadId = xmlValue(created.text, "UploadId");
    if (uploadId === null) throw new Error(`S3 CreateMultipartUpload gave no UploadId: ${created.text.slice(0, 300)}`);
    const query = `uploadId=${encodeURIComponent(uploadId)}`;
    const etags: string[] = new Array(parts);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(options.parallel, parts) }, async () => {
        for (let i = next++; i < parts; i = next++) {
          const body = data.subarray(i * partBytes, Math.min(data.byteLength, (i + 1) * partBytes));
          const url = `${objectUrl}?partNumber=${i + 1}&${query}`;
          const reply = await sendOk(client, signer, "PUT", url, [200], { body });
          const etag = reply.headers.etag;
          if (typeof etag !== "string") throw new Error(`S3 UploadPart ${i + 1} answered no ETag`);
          etags[i] = etag;
        }
      }),
    );
    const document =
      "<CompleteMultipartUpload>" +
      etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join("") +
      "</CompleteMultipartUpload>";
    const completed = await sendOk(client, signer, "POST", `${objectUrl}?${query}`, [200], {
      body: Buffer.from(document),
      keepBody: true,
    });
    if (!completed.text.includes("<CompleteMultipartUploadResult"))
      throw new Error(`S3 CompleteMultipartUpload answered ${completed.text.slice(0, 300)}`);
    return (performance.now() - started) / 1000;
  });

  const download = await sampled(rss, async () => {
    const started = performance.now();
    const hash = createHash("md5");
    const reply = await client.stream(await signer.call("GET", objectUrl), (chunk) => hash.update(chunk));
    const seconds = (performance.now() - started) / 1000;
    if (reply.status !== 200) throw new Error(`S3 large GET answered ${reply.status}`);
    const got = hash.digest("hex");
    if (reply.bytes !== data.byteLength || got !== expected)
      throw new Error(
        `S3 large GET returned ${reply.bytes} bytes, md5 ${got}; expected ${data.byteLength}, ${expected}`,
      );
    return seconds;
  });

  // Best effort: the object (and with it its parts), then the bucket.
  await client.send(await signer.call("DELETE", objectUrl)).catch(() => undefined);
  await client.send(await signer.call("DELETE", `${base}/${bucket}`)).catch(() => undefined);
  return {
    mib: options.mib,
    parts,
    partMib: options.partMib,
    parallel: options.parallel,
    uploadMiBps: options.mib / upload.value,
    downloadMiBps: options.mib / download.value,
    rssBefore,
    rssPeakUpload: upload.peak,
    rssPeakDownload: download.peak,
  };
}

// ---- The report --------------------------------------------------------------------------------

const mib = (bytes: number | null): string => (bytes === null ? "n/a" : (bytes / MIB).toFixed(1));

/** S3's ops/s as a percentage of the Swift API's, or null when either is missing. */
function percentOf(s3: PhaseResult | undefined, swift: PhaseResult | undefined): number | null {
  return s3 && swift ? (100 * s3.opsPerSecond) / swift.opsPerSecond : null;
}

/**
 * The S3 tables: the small operations (beside the Swift API's ops/s and S3's share of them when
 * `swift` was measured in this run, then one line of those shares against the goal), and the
 * multipart transfer.
 */
export function renderS3(
  measured: S3Measured,
  swift: ReadonlyMap<string, PhaseResult> | null,
  swiftListed: number,
): string {
  const parts: string[] = [];
  if (measured.api.size) {
    const header = ["S3 API (SigV4, UNSIGNED-PAYLOAD)", "ops/s", "p50 ms", "p99 ms"];
    if (swift) header.push("Swift API ops/s", "S3 % of Swift");
    header.push("errors");
    const rows: string[][] = [];
    const shares: string[] = [];
    for (const operation of OPERATIONS) {
      const result = measured.api.get(operation);
      if (!result) continue;
      const title = operation === "list" ? `${TITLES.list} (${measured.listed})` : TITLES[operation];
      const row = [title, fixed1(result.opsPerSecond), fixed1(result.p50Ms), fixed1(result.p99Ms)];
      const theirs = swift?.get(operation);
      const percent = percentOf(result, theirs);
      if (swift)
        row.push(theirs ? fixed1(theirs.opsPerSecond) : "n/a", percent === null ? "n/a" : `${percent.toFixed(0)}%`);
      row.push(String(result.failures));
      rows.push(row);
      if (percent !== null) shares.push(`${TITLES[operation]} ${percent.toFixed(0)}%`);
    }
    parts.push(markdownTable(header, rows));
    const notes = [
      "S3 requests are signed with SigV4 in the load client (aws4fetch, one signature per request) " +
        "with x-amz-content-sha256: UNSIGNED-PAYLOAD (no body hashed by client or Worker).",
    ];
    if (swift && shares.length) {
      const below = OPERATIONS.filter((operation) => {
        const percent = percentOf(measured.api.get(operation), swift.get(operation));
        return percent !== null && percent < GOAL_PERCENT;
      });
      notes.push(
        `S3 ops/s as % of Swift's (goal ≥ ${GOAL_PERCENT}%): ${shares.join(" · ")}` +
          (below.length ? ` — below goal: ${below.map((operation) => TITLES[operation]).join(", ")}` : ""),
      );
      if (measured.listed !== swiftListed)
        notes.push(
          `(LIST: S3 returns at most 1,000 keys a page, here ${measured.listed}; the Swift listing ${swiftListed})`,
        );
    }
    parts.push(notes.join("\n"));
    const work = renderWork(
      "S3 API",
      OPERATIONS.map((operation) => [
        operation === "list" ? `${TITLES.list} (${measured.listed})` : TITLES[operation],
        measured.work.get(operation),
      ]),
    );
    if (work) parts.push(work);
  }
  const t = measured.transfer;
  if (t) {
    const what = `${t.mib} MiB S3 multipart (${t.parts} × ${t.partMib} MiB parts, ${t.parallel} in flight)`;
    const rows = [
      [`${what} upload, MiB/s`, fixed1(t.uploadMiBps)],
      [`${what} download, MiB/s`, fixed1(t.downloadMiBps)],
    ];
    if (t.rssBefore !== null) {
      rows.push(["workerd RSS before → peak in upload, MiB", `${mib(t.rssBefore)} → ${mib(t.rssPeakUpload)}`]);
      rows.push(["workerd RSS before → peak in download, MiB", `${mib(t.rssBefore)} → ${mib(t.rssPeakDownload)}`]);
    }
    parts.push(markdownTable(["S3 large object", "edgeswift"], rows));
  }
  return parts.join("\n\n");
}

/** The `name=value` lines of the S3 figures (`s3.put.ops_per_s`, `s3.put.of_swift`, …). */
export function renderS3Values(measured: S3Measured, swift: ReadonlyMap<string, PhaseResult> | null): string[] {
  const lines: string[] = [];
  for (const operation of OPERATIONS) {
    const result = measured.api.get(operation);
    if (!result) continue;
    const prefix = `s3.${operation}`;
    lines.push(
      `${prefix}.ops_per_s=${result.opsPerSecond.toFixed(2)}`,
      `${prefix}.p50_ms=${result.p50Ms.toFixed(2)}`,
      `${prefix}.p99_ms=${result.p99Ms.toFixed(2)}`,
      `${prefix}.errors=${result.failures}`,
    );
    const percent = percentOf(result, swift?.get(operation));
    if (percent !== null) lines.push(`${prefix}.of_swift=${(percent / 100).toFixed(3)}`);
    lines.push(...workValues(prefix, measured.work.get(operation)));
  }
  if (measured.api.size) lines.push(`s3.list.keys=${measured.listed}`, "s3.payload=UNSIGNED-PAYLOAD");
  const t = measured.transfer;
  if (t) {
    const prefix = `s3.multipart_${t.mib}mib`;
    lines.push(
      `${prefix}.upload_mib_per_s=${t.uploadMiBps.toFixed(2)}`,
      `${prefix}.download_mib_per_s=${t.downloadMiBps.toFixed(2)}`,
    );
    if (t.rssBefore !== null)
      lines.push(
        `${prefix}.workerd_rss_before_mib=${mib(t.rssBefore)}`,
        `${prefix}.workerd_rss_peak_upload_mib=${mib(t.rssPeakUpload)}`,
        `${prefix}.workerd_rss_peak_download_mib=${mib(t.rssPeakDownload)}`,
      );
  }
  return lines;
}
