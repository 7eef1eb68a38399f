/**
 * @module
 * The chaos ledger test's workload, seeded: Swift PUT (new and overwrite), POST, DELETE, COPY
 * (X-Copy-From and the COPY verb), static large objects, and S3 PutObject, DeleteObject and
 * CopyObject over a few names, while zones go down and up at random between requests and replica
 * Durable Objects are reset (their instance evicted, storage kept). Every request goes into the
 * run's ledger (ledger.ts) with its status and the state it asked for.
 */

import { evictDurableObject } from "cloudflare:test";
import { md5Hex } from "../../src/common/digest";
import type { RingName } from "../../src/ring/types";
import { seededRandom } from "../../src/ring/zone-targets";
import { swift } from "../helpers";
import { s3 } from "../integration/s3/helpers";
import { SLOTS, ZONES, replica, rings, setDown } from "./fault-helpers";
import type { Content, Effect, Entry } from "./ledger";

/** The S3 and Swift user: its account AUTH_test2 is the chaos ledger test's alone. */
export const USER: [string, string] = ["test2:tester2", "testing2"];
export const ACCOUNT = "AUTH_test2";
const NAMES = ["k0", "k1", "k2", "k3"];
const CONTENT_TYPES = ["text/plain", "application/x-chaos", "image/png"];
/** A replica is reset after every this many operations (twice in the default run). */
export const RESET_EVERY = 50;
type Op =
  | "PUT"
  | "POST"
  | "DELETE"
  | "COPY X-Copy-From"
  | "COPY verb"
  | "SLO"
  | "S3 PutObject"
  | "S3 DeleteObject"
  | "S3 CopyObject";
/** Each operation as often as it appears. */
const OP_MIX: Op[] = [
  ...Array<Op>(5).fill("PUT"),
  ...Array<Op>(3).fill("POST"),
  ...Array<Op>(2).fill("DELETE"),
  "COPY X-Copy-From",
  "COPY verb",
  "SLO",
  ...Array<Op>(3).fill("S3 PutObject"),
  "S3 DeleteObject",
  "S3 CopyObject",
];

/** Object partitions touched by any seed run so far (their bodies share the account's prefix in each bucket). */
export const touchedObjectPartitions = new Set<number>();

export interface Figures {
  seed: number;
  ops: number;
  requests: number;
  acked: number;
  unavailable: number;
  maybe: number;
  refused: number;
  errors: string[];
  zoneChanges: number;
  resets: string[];
  lost: number;
  stale: number;
  resurrected: number;
  orphaned: number;
  missing: number;
  tombstones: number;
  convergeRounds: number;
  convergeMs: number;
  /** Milliseconds each phase took: workload, repair, reads, reclaim, bodies. */
  phaseMs: Record<string, number>;
}

export class ChaosRun {
  readonly random: () => number;
  readonly ledger: Entry[] = [];
  readonly containers: string[];
  readonly segments: string;
  readonly byMd5 = new Map<string, Content>();
  readonly figures: Figures;
  readonly problems: string[] = [];
  down: string[] = [];
  step = 0;

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
    this.containers = [`ledger${seed}-a`, `ledger${seed}-b`];
    this.segments = `ledger${seed}-seg`;
    this.figures = {
      seed,
      ops: 0,
      requests: 0,
      acked: 0,
      unavailable: 0,
      maybe: 0,
      refused: 0,
      errors: [],
      zoneChanges: 0,
      resets: [],
      lost: 0,
      stale: 0,
      resurrected: 0,
      orphaned: 0,
      missing: 0,
      tombstones: 0,
      convergeRounds: 0,
      convergeMs: 0,
      phaseMs: {},
    };
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  /** A body unique to its step: the step, then up to 64 random letters. */
  body(tag: string): string {
    const letters = Array.from({ length: Math.floor(this.random() * 65) }, () =>
      String.fromCharCode(97 + Math.floor(this.random() * 26)),
    );
    return `${this.step}${tag} ${letters.join("")}`;
  }

  async content(body: string): Promise<Content> {
    const md5 = await md5Hex(body);
    const content = { md5, etag: md5, size: new TextEncoder().encode(body).byteLength };
    this.byMd5.set(md5, content);
    return content;
  }

  /** Records a request: acked (2xx), refused (`refusedStatuses`: nothing written), else it may have landed. */
  record(op: string, key: string, status: number, effect: Effect, refusedStatuses: number[] = [400]): Entry {
    this.figures.requests += 1;
    const outcome = status >= 200 && status < 300 ? "acked" : refusedStatuses.includes(status) ? "refused" : "maybe";
    if (outcome === "acked") this.figures.acked += 1;
    else if (outcome === "refused") this.figures.refused += 1;
    else this.figures.maybe += 1;
    if (status === 503) this.figures.unavailable += 1;
    else if (status >= 500) this.figures.errors.push(`step ${this.step} ${op} ${key}: ${status}`);
    const entry: Entry = { step: this.step, op, key, status, down: [...this.down], outcome, effect };
    this.ledger.push(entry);
    return entry;
  }

  /** Every content the name was ever asked to hold (what a copy of it that may have landed could hold). */
  contentsOf(key: string): Content[] {
    return this.ledger.flatMap((entry) =>
      entry.key === key && entry.outcome !== "refused" && entry.effect.kind === "data"
        ? entry.effect.contents.map((c) => ({ md5: c.md5, etag: c.md5, size: c.size }))
        : [],
    );
  }

  meta(op: string): Record<string, string> {
    return { "x-object-meta-step": String(this.step), "x-object-meta-op": op };
  }

  objectKeys(): string[] {
    return [...new Set(this.ledger.map((entry) => entry.key))];
  }

  /** Every partition the run wrote to: its account's, its containers', its objects'. */
  partitions(): { ring: RingName; partition: number }[] {
    const objects = this.objectKeys().map((key) => {
      const [container = "", object = ""] = key.split("/");
      return rings.object.partitionFor(ACCOUNT, container, object);
    });
    for (const partition of objects) touchedObjectPartitions.add(partition);
    return [
      { ring: "account", partition: rings.account.partitionFor(ACCOUNT) },
      ...[...this.containers, this.segments].map((container) => ({
        ring: "container" as const,
        partition: rings.container.partitionFor(ACCOUNT, container),
      })),
      ...[...new Set(objects)].map((partition) => ({ ring: "object" as const, partition })),
    ];
  }
}

/** A response's status, its body read (and shown for a 5xx other than 503: a bug to look into). */
async function status(response: Response): Promise<number> {
  const text = await response.text();
  if (response.status >= 500 && response.status !== 503) console.warn(`${response.status}: ${text}`);
  return response.status;
}

export const path = (key: string) => `/${ACCOUNT}/${key}`;

/** A body and content type drawn for a write. */
interface Draft {
  body: string;
  contentType: string;
}

const draft = (run: ChaosRun, tag: string): Draft => ({ body: run.body(tag), contentType: run.pick(CONTENT_TYPES) });

/** One Swift object PUT (a body of its own, new metadata and content type). */
async function put(
  run: ChaosRun,
  key: string,
  op = "PUT",
  drafted = draft(run, "p"),
): Promise<{ entry: Entry; body: string }> {
  const { body, contentType } = drafted;
  const meta = run.meta(op);
  const response = await swift("PUT", path(key), {
    user: USER,
    body,
    headers: { ...meta, "Content-Type": contentType },
  });
  const entry = run.record(op, key, await status(response), {
    kind: "data",
    contents: [await run.content(body)],
    contentType,
    meta,
  });
  return { entry, body };
}

/** A copy's effect: the content its answer's ETag names (a copy that may have landed: any content of the source). */
function copyEffect(run: ChaosRun, from: string, etag: string | null, contentType: string, op: string): Effect {
  const copied = etag === null ? undefined : run.byMd5.get(etag.replaceAll('"', ""));
  if (etag !== null && !copied) run.problems.push(`step ${run.step} ${op} ${from}: copied unknown content ${etag}`);
  const contents = copied ? [{ md5: copied.md5, etag: copied.md5, size: copied.size }] : run.contentsOf(from);
  return { kind: "data", contents, contentType, meta: run.meta(op) };
}

async function swiftCopy(run: ChaosRun, op: "COPY X-Copy-From" | "COPY verb", from: string, to: string) {
  const contentType = run.pick(CONTENT_TYPES);
  const headers = { ...run.meta(op), "Content-Type": contentType, "X-Fresh-Metadata": "true" };
  const response =
    op === "COPY verb"
      ? await swift("COPY", path(from), { user: USER, headers: { ...headers, Destination: to } })
      : await swift("PUT", path(to), { user: USER, headers: { ...headers, "X-Copy-From": `/${from}` } });
  const code = await status(response);
  const etag = code >= 200 && code < 300 ? response.headers.get("etag") : null;
  run.record(op, to, code, copyEffect(run, from, etag, contentType, op), [400, 404, 412]);
}

/** Segments (each a name of its own), then the manifest; no manifest when a segment was not acknowledged. */
async function staticLargeObject(run: ChaosRun, key: string): Promise<void> {
  // Drawn before any request, so the seed's later draws do not depend on how many segments were sent.
  const drafts = Array.from({ length: 2 + Math.floor(run.random() * 2) }, () => draft(run, "g"));
  const contentType = run.pick(CONTENT_TYPES);
  const manifest: { path: string; etag: string; size_bytes: number }[] = [];
  let assembled = "";
  for (const [index, segmentDraft] of drafts.entries()) {
    const segment = `${run.segments}/s${run.step}-${index}`;
    const { entry, body } = await put(run, segment, "PUT segment", segmentDraft);
    if (entry.outcome !== "acked" || entry.effect.kind !== "data") return;
    const [content] = entry.effect.contents;
    if (!content) return;
    assembled += body;
    manifest.push({ path: `/${segment}`, etag: content.md5, size_bytes: content.size });
  }
  const meta = run.meta("SLO");
  const response = await swift("PUT", `${path(key)}?multipart-manifest=put`, {
    user: USER,
    body: JSON.stringify(manifest),
    headers: { ...meta, "Content-Type": contentType },
  });
  // A reader sees the segments' bytes, and the MD5 of their ETags as the ETag (Swift: slo.py).
  const whole = await run.content(assembled);
  const content: Content = { ...whole, etag: await md5Hex(manifest.map((segment) => segment.etag).join("")) };
  const segments = manifest.map((segment) => segment.path.slice(1));
  run.record("SLO manifest", key, await status(response), {
    kind: "data",
    contents: [content],
    contentType,
    meta,
    segments,
  });
}

const bucketPath = (key: string) => `/${key}`;

async function s3Put(run: ChaosRun, key: string): Promise<void> {
  const body = run.body("s");
  const contentType = run.pick(CONTENT_TYPES);
  const response = await s3("PUT", bucketPath(key), {
    user: USER,
    body,
    headers: { "Content-Type": contentType, "x-amz-meta-step": String(run.step), "x-amz-meta-op": "S3 PutObject" },
  });
  run.record("S3 PutObject", key, await status(response), {
    kind: "data",
    contents: [await run.content(body)],
    contentType,
    meta: run.meta("S3 PutObject"),
  });
}

async function s3Copy(run: ChaosRun, from: string, to: string): Promise<void> {
  const contentType = run.pick(CONTENT_TYPES);
  const response = await s3("PUT", bucketPath(to), {
    user: USER,
    headers: {
      "x-amz-copy-source": `/${from}`,
      "x-amz-metadata-directive": "REPLACE",
      "Content-Type": contentType,
      "x-amz-meta-step": String(run.step),
      "x-amz-meta-op": "S3 CopyObject",
    },
  });
  const text = await response.text();
  if (response.status >= 500 && response.status !== 503) console.warn(`S3 CopyObject ${from} to ${to}: ${text}`);
  const etag = response.status === 200 ? (/<ETag>([^<]*)<\/ETag>/.exec(text)?.[1] ?? "") : null;
  run.record(
    "S3 CopyObject",
    to,
    response.status,
    copyEffect(run, from, etag, contentType, "S3 CopyObject"),
    [400, 404, 412],
  );
}

/**
 * S3's DeleteObject of a static large object deletes its segments too (s3api: a DELETE with
 * multipart-manifest=delete): the segments of every manifest the name may hold may go with it.
 */
async function s3Delete(run: ChaosRun, key: string): Promise<void> {
  const manifests = run.ledger.filter((entry) => entry.key === key && entry.outcome !== "refused");
  const entry = run.record("S3 DeleteObject", key, await status(await s3("DELETE", bucketPath(key), { user: USER })), {
    kind: "delete",
  });
  if (entry.outcome === "refused") return;
  for (const manifest of manifests)
    if (manifest.effect.kind === "data")
      for (const segment of manifest.effect.segments ?? [])
        run.ledger.push({ ...entry, op: `S3 DeleteObject of ${key}`, key: segment, outcome: "maybe" });
}

/**
 * A Swift POST of new metadata; with `retype`, a content type too, taken from the step (so a
 * seed's random draws stay as they were).
 */
async function post(run: ChaosRun, key: string, retype: boolean): Promise<void> {
  const meta = run.meta("POST");
  const contentType = retype ? CONTENT_TYPES[Math.floor(run.step / 3) % CONTENT_TYPES.length] : undefined;
  const headers = contentType === undefined ? meta : { ...meta, "Content-Type": contentType };
  const response = await swift("POST", path(key), { user: USER, headers });
  run.record("POST", key, await status(response), { kind: "meta", meta, ...(contentType ? { contentType } : {}) });
}

/** One operation of the mix on random names. */
async function operate(run: ChaosRun): Promise<void> {
  const op = run.pick(OP_MIX);
  const key = `${run.pick(run.containers)}/${run.pick(NAMES)}`;
  const other = `${run.pick(run.containers)}/${run.pick(NAMES.filter((name) => !key.endsWith(`/${name}`)))}`;
  if (op === "PUT") await put(run, key);
  else if (op === "POST") await post(run, key, run.step % 3 === 0);
  else if (op === "DELETE")
    run.record(op, key, await status(await swift("DELETE", path(key), { user: USER })), { kind: "delete" });
  else if (op === "COPY X-Copy-From" || op === "COPY verb") await swiftCopy(run, op, other, key);
  else if (op === "SLO") await staticLargeObject(run, key);
  else if (op === "S3 PutObject") await s3Put(run, key);
  else if (op === "S3 DeleteObject") await s3Delete(run, key);
  else await s3Copy(run, other, key);
}

/** Zones down for the next request: mostly the same as before; when changed, none, one, or now and then two. */
async function changeZones(run: ChaosRun): Promise<void> {
  if (run.random() >= 0.35) return;
  const roll = run.random();
  const one = run.pick(ZONES);
  const down = roll < 0.4 ? [] : roll < 0.9 ? [one] : ZONES.filter((zone) => zone !== one);
  if (down.join() === run.down.join()) return;
  run.down = down;
  run.figures.zoneChanges += 1;
  await setDown(down);
}

/**
 * Throws away the instance of a replica the run just wrote to (its in-memory state: caches, the
 * alarm's bookkeeping, the outbox's), keeping its storage, as a restart of the object would.
 */
async function resetReplica(run: ChaosRun): Promise<void> {
  const last = run.ledger.at(-1);
  const [container = "", object = ""] = (last?.key ?? `${run.containers[0]}/k0`).split("/");
  const ring = run.pick<RingName>(["object", "object", "container", "account"]);
  const partition =
    ring === "object"
      ? rings.object.partitionFor(ACCOUNT, container, object)
      : ring === "container"
        ? rings.container.partitionFor(ACCOUNT, container)
        : rings.account.partitionFor(ACCOUNT);
  const slot = run.pick(SLOTS);
  const stub = replica(ring, partition, slot);
  await stub.partitionHash(); // running, so there is an instance to throw away
  await evictDurableObject(stub);
  run.figures.resets.push(`${ring}/${partition}/${slot}@${run.step}`);
}

/**
 * Runs `ops` operations of the mix, zones changing between them and a replica reset every
 * RESET_EVERY, then a POST with a content type to every name written.
 */
export async function runWorkload(run: ChaosRun, ops: number): Promise<void> {
  await setDown([]);
  for (const container of [...run.containers, run.segments]) {
    const created = await status(await swift("PUT", `/${ACCOUNT}/${container}`, { user: USER }));
    if (created !== 201 && created !== 202) throw new Error(`PUT ${container}: ${created}`);
  }
  for (run.step = 1; run.step <= ops; run.step++) {
    await changeZones(run);
    await operate(run);
    run.figures.ops += 1;
    if (run.step % RESET_EVERY === 0 && run.step < ops) await resetReplica(run);
  }
  // Last, every name written gets a POST with a content type, zones still changing: each name's
  // final state then holds a POST's metadata and type over whatever data each replica has.
  for (const key of run.objectKeys()) {
    run.step++;
    await changeZones(run);
    await post(run, key, true);
  }
  await setDown([]);
  run.down = [];
}
