/**
 * @module
 * The S3 housekeeping job: enforces buckets' lifecycle configurations (lifecycle.ts) and
 * reclaims abandoned multipart uploads. Run by `scheduled()` beside the replicator's jobs (every
 * cron tick, src/index.ts) and on demand by the reseller admin (`POST /recon/sweep?only=s3`,
 * admin.ts); tests call `runS3Housekeeping` with the time they want it to be.
 *
 * Where it lives. Its deletions must be DeleteObject's: a delete marker in a bucket that keeps
 * versions, a completed upload's parts with its manifest, tombstones, listings and bodies as any
 * DELETE leaves them. Those rules are the Swift pipeline's stages (object_versioning, slo), which
 * only the proxy layer reaches (.dependency-cruiser.cjs: the replicator imports common, config,
 * ring and durable). So the job is the proxy's, beside the operations it reuses (object.ts
 * deleteKey, as DeleteObject and DeleteObjects run it), and sends its Swift requests through the
 * pipeline as Swift's internal clients do: as a reseller admin (HOUSEKEEPER), which owns every
 * account, never as a user. The replicator's jobs stay free of the proxy; src/index.ts runs both.
 *
 * What it visits. Never every container of every account: a registry, the control record's
 * `s3_housekeeping` table (src/durable/schema/control.ts), lists the buckets with work, one row
 * per bucket and kind. `lifecycle`: PutBucketLifecycleConfiguration registers its bucket;
 * `uploads`: CreateMultipartUpload registers the bucket whose `<bucket>+segments` holds the upload
 * (registry.ts). The control record was chosen over a hidden Swift container: it is already the
 * cluster's one low-rate store of the jobs' state (sweep cursors, the reaper's queue), a row's
 * cursor and due time change in one transaction, and a registration is one RPC. A row is dropped
 * (by the job, on a visit) when its bucket or segments container is gone, its configuration was
 * deleted, or no upload is open any more, but only once it has not been registered again for
 * FORGET_AFTER_MS (compare-and-delete on its touched_at), so a registration racing a visit, or one
 * an isolate skipped as recent (registry.ts), is never lost.
 *
 * A visit. `lifecycle`: the bucket's configuration read (HEAD), then its objects walked in pages
 * (the `?versions` listing when the bucket has, or had, versioning): a current object past a
 * rule's Expiration deleted as DeleteObject does (a delete marker in a versioned bucket); a
 * noncurrent version past NoncurrentDays (beyond NewerNoncurrentVersions) deleted; a delete
 * marker left as its key's only version removed under ExpiredObjectDeleteMarker (or Expiration
 * Days). A rule with tags reads the object's (HEAD: `x-object-sysmeta-s3api-tagging`, chunked as
 * tagging.ts keeps it) only when everything else says it expires. `uploads`: the segments
 * container walked; an upload (its marker `<key>/<uploadId>`) older than S3_MULTIPART_MAX_AGE, or
 * past a lifecycle rule's AbortIncompleteMultipartUpload, is aborted: its parts deleted first, the
 * marker last, so an abort cut short is done again on the next visit. Parts of completed uploads
 * (no marker; the object's segments) are never touched. An upload a client completes at the very
 * moment it is aborted can lose parts: AWS says as much of an abort racing a completion.
 *
 * Bounds. Each run takes at most ENTRIES_PER_RUN due rows, sends at most REQUESTS_PER_RUN Swift
 * requests and stops after TIME_BUDGET_MS; a visit cut short saves its cursor (where its walk
 * stopped) and is due again at once, after rows waiting longer; a finished one is due again
 * PASS_INTERVAL_MS later (AWS evaluates lifecycle rules once a day), a failed one RETRY_AFTER_MS
 * later. Listings are read PAGE entries at a time.
 */

import { H } from "../../common/headers";
import type { Config } from "../../config/config";
import { controlStub } from "../../durable/names";
import type { S3HousekeepingEntry } from "../../durable/schema/control";
import type { Identity } from "../auth/swift-v1";
import { serviceContext } from "../services/context";
import {
  currentExpires,
  decodeLifecycle,
  deleteMarkerExpires,
  keyAndSizeMatch,
  type LifecycleRule,
  noncurrentExpires,
  tagsMatch,
  uploadExpires,
} from "./lifecycle";
import { ownerId } from "./headers";
import { DELETE_MARKER_TYPE } from "./listing";
import { segmentsOf } from "./upload-segments";
import { deleteKey } from "./object";
import { storedObjectTags } from "./tagging";
import { REGISTERED_TTL_MS } from "./registry";
import { listingOf, okOrThrow, type S3Request, swiftRunner } from "./request";

/** Registry rows one run takes at most. */
export const ENTRIES_PER_RUN = 100;
/** Swift requests one run sends at most (each is a few replica calls). */
export const REQUESTS_PER_RUN = 400;
/** How long one run works at most (ms). */
export const TIME_BUDGET_MS = 25_000;
/** Entries read per listing page. */
export const PAGE = 500;
/** A finished visit's next one (ms): AWS applies lifecycle rules once a day. */
export const PASS_INTERVAL_MS = 24 * 3_600_000;
/** A failed visit's next try (ms). */
const RETRY_AFTER_MS = 5 * 60_000;
/** How long a row must go unregistered before a visit may drop it (more than an isolate skips registering). */
export const FORGET_AFTER_MS = Math.max(3_600_000, 2 * REGISTERED_TTL_MS);

/** Whom the job's Swift requests run as: a reseller admin, as Swift's internal clients are trusted. */
const HOUSEKEEPER: Identity = { account: ".s3-housekeeping", user: "housekeeper", roles: new Set([".reseller_admin"]) };

/** Where the job's Swift requests claim to come from (no client sees it). */
const ORIGIN = "https://s3-housekeeping.invalid";

export interface HousekeepingReport {
  /** Registry rows visited, visits that finished their pass, and rows dropped. */
  visited: number;
  finished: number;
  forgotten: number;
  /** Current objects expired (deleted, or given a delete marker). */
  expired: number;
  noncurrentDeleted: number;
  deleteMarkersRemoved: number;
  uploadsAborted: number;
  partsDeleted: number;
  /** Visits that failed (logged; tried again RETRY_AFTER_MS later). */
  errors: number;
  /** Swift requests sent, and whether the run stopped at its budget (the next resumes). */
  requests: number;
  budgetSpent: boolean;
}

export interface HousekeepingOptions {
  /** Where the pipeline's background work goes (the invocation's waitUntil). */
  waitUntil?: (promise: Promise<unknown>) => void;
  requestBudget?: number;
  timeBudgetMs?: number;
  /** Entries per listing page (PAGE; tests make pages small to cross their ends). */
  pageSize?: number;
}

class Budget {
  requests = 0;
  readonly #max: number;
  readonly #deadline: number;

  constructor(max: number, timeMs: number) {
    this.#max = max;
    this.#deadline = Date.now() + timeMs;
  }

  spent(): boolean {
    return this.requests >= this.#max || Date.now() >= this.#deadline;
  }
}

/** One visit: the bucket, the job's clock, its budget and its counts. */
interface Visit {
  req: S3Request;
  bucket: string;
  now: number;
  /** Entries per listing page. */
  page: number;
  budget: Budget;
  report: HousekeepingReport;
}

/** How a visit ended: its pass finished (and whether the row may go), or cut short where `cursor` says. */
type Outcome = { done: true; forget: boolean; startedAt: number } | { done: false; cursor: Cursor };

/** One version group of the `?versions` walk: a key's versions seen so far, newest first. */
interface Group {
  key: string;
  /** The previous (newer) version's Last-Modified: when the next one became noncurrent. */
  previous: number | null;
  /** Noncurrent versions seen (NewerNoncurrentVersions counts them). */
  noncurrent: number;
  /** The key's current delete marker, removed at the group's end when nothing else is left. */
  marker: { id: string; modified: number } | null;
  /** Versions left in place. */
  kept: number;
}

/** Where a walk stopped: after `m` (and version `vm` of it), or after the upload marker `m`. */
type Cursor =
  | { k: "objects"; m: string }
  | { k: "versions"; m: string; vm: string | null; g: Group | null }
  | { k: "uploads"; m: string; open: boolean; startedAt: number };

interface Listed {
  name?: string;
  subdir?: string;
  bytes?: number;
  last_modified?: string;
  content_type?: string;
  version_id?: string;
  is_latest?: boolean;
}

/** A Swift listing's `last_modified` (UTC, no zone, microseconds) in ms. */
function modifiedOf(entry: Listed): number {
  const text = entry.last_modified ?? "";
  const ms = Date.parse(`${text.slice(0, 23)}Z`);
  return Number.isNaN(ms) ? 0 : ms;
}

/** The S3 request the job's operations run as: the account's, sent by HOUSEKEEPER, each Swift request counted. */
function housekeeper(config: Config, account: string, budget: Budget, waitUntil: (p: Promise<unknown>) => void) {
  const ctx = serviceContext(config);
  const run = swiftRunner(ORIGIN, account, HOUSEKEEPER, ctx, "S3 housekeeping", waitUntil);
  const req: S3Request = {
    request: new Request(ORIGIN, { method: "DELETE" }),
    url: new URL(ORIGIN),
    method: "DELETE",
    bucket: null,
    key: null,
    identity: HOUSEKEEPER,
    owner: ownerId(HOUSEKEEPER),
    account,
    ctx,
    requestId: "",
    body: null,
    trailers: { headers: new Map() },
    bodyFailure: () => null,
    tracked: (stream) => stream,
    waitUntil,
    swift: (init) => {
      budget.requests += 1;
      return run(init);
    },
  };
  return req;
}

/** A container's HEAD: its headers, or null when it does not exist. */
async function headContainer(visit: Visit, container: string): Promise<Headers | null> {
  const response = await visit.req.swift({ method: "HEAD", container });
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 404) return null;
  await okOrThrow(response, "bucket");
  return response.headers;
}

/** One page of a container's JSON listing after `marker` (none when ""); null when the container is gone. */
async function listingPage(
  visit: Visit,
  container: string,
  { marker, ...query }: Record<string, string> & { marker: string },
): Promise<Listed[] | null> {
  const params: Record<string, string> = { format: "json", limit: String(visit.page), ...query };
  if (marker !== "") params.marker = marker;
  const response = await visit.req.swift({ method: "GET", container, query: params });
  if (response.status === 404) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  return listingOf<Listed>(await okOrThrow(response, "bucket"));
}

/** An object's (or version's) tags; null when it is gone. */
async function tagsOf(visit: Visit, key: string, versionId: string | null): Promise<Map<string, string> | null> {
  const query: Record<string, string> = versionId === null ? {} : { "version-id": versionId };
  const response = await visit.req.swift({ method: "HEAD", container: visit.bucket, object: key, query });
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 404) return null;
  await okOrThrow(response, "object");
  return storedObjectTags(response.headers);
}

/**
 * Whether some of `rules` (those whose key, size and time already say yes) applies once tags
 * are known: a rule without tags does at once; else the object's tags are read.
 */
async function anyApplies(
  visit: Visit,
  rules: readonly LifecycleRule[],
  key: string,
  versionId: string | null,
): Promise<boolean> {
  if (rules.length === 0) return false;
  if (rules.some((rule) => rule.filter.tags.length === 0)) return true;
  const tags = await tagsOf(visit, key, versionId);
  return tags !== null && rules.some((rule) => tagsMatch(rule.filter, tags));
}

/** The current object: deleted as DeleteObject deletes it when a rule's Expiration says so. */
async function expireCurrent(
  visit: Visit,
  rules: readonly LifecycleRule[],
  key: string,
  size: number,
  modified: number,
  versionId: string | null,
): Promise<boolean> {
  const due = rules.filter(
    (rule) => keyAndSizeMatch(rule.filter, key, size) && currentExpires(rule, modified, visit.now),
  );
  if (!(await anyApplies(visit, due, key, versionId))) return false;
  await deleteKey(visit.req, visit.bucket, key, null);
  visit.report.expired += 1;
  return true;
}

/** The objects of a bucket that keeps no versions, after `marker`. */
async function walkObjects(visit: Visit, rules: readonly LifecycleRule[], start: string): Promise<Outcome> {
  const startedAt = visit.now;
  let marker = start;
  for (;;) {
    const entries = await listingPage(visit, visit.bucket, { marker });
    if (entries === null) return { done: true, forget: true, startedAt };
    for (const entry of entries) {
      if (visit.budget.spent()) return { done: false, cursor: { k: "objects", m: marker } };
      if (entry.name === undefined) continue;
      await expireCurrent(visit, rules, entry.name, entry.bytes ?? 0, modifiedOf(entry), null);
      marker = entry.name;
    }
    if (entries.length < visit.page) return { done: true, forget: false, startedAt };
  }
}

function isDeleteMarker(entry: Listed): boolean {
  return entry.content_type?.startsWith(DELETE_MARKER_TYPE) ?? false;
}

/** Whether a rule can apply to a delete marker of `key` (no tags, no size: a marker has neither). */
function markerMatches(rule: LifecycleRule, key: string): boolean {
  return rule.filter.tags.length === 0 && keyAndSizeMatch(rule.filter, key, 0);
}

/** One version of a group, newest first: the current one expired, a noncurrent one deleted, or kept. */
async function visitVersion(visit: Visit, rules: readonly LifecycleRule[], group: Group, entry: Listed) {
  const key = group.key;
  const modified = modifiedOf(entry);
  const versionId = entry.version_id ?? "null";
  const marker = isDeleteMarker(entry);
  if (group.previous === null && entry.is_latest) {
    if (marker) group.marker = { id: versionId, modified };
    // An expired current object gets a delete marker and stays, as a noncurrent version.
    else await expireCurrent(visit, rules, key, entry.bytes ?? 0, modified, versionId);
    if (!marker) group.kept += 1;
  } else {
    const since = group.previous ?? modified;
    const newer = group.noncurrent;
    group.noncurrent += 1;
    const due = rules.filter(
      (rule) =>
        (marker ? markerMatches(rule, key) : keyAndSizeMatch(rule.filter, key, entry.bytes ?? 0)) &&
        noncurrentExpires(rule, since, newer, visit.now),
    );
    if (await anyApplies(visit, due, key, versionId)) {
      await deleteKey(visit.req, visit.bucket, key, versionId);
      visit.report.noncurrentDeleted += 1;
    } else group.kept += 1;
  }
  group.previous = modified;
}

/** A group's end: a current delete marker with nothing left beside it is removed when a rule says so. */
async function finishGroup(visit: Visit, rules: readonly LifecycleRule[], group: Group): Promise<void> {
  const marker = group.marker;
  if (marker === null || group.kept > 0) return;
  if (!rules.some((rule) => markerMatches(rule, group.key) && deleteMarkerExpires(rule, marker.modified, visit.now)))
    return;
  await deleteKey(visit.req, visit.bucket, group.key, marker.id);
  visit.report.deleteMarkersRemoved += 1;
}

/**
 * Every version of a bucket that keeps (or kept) versions, from Swift's `?versions` listing, a
 * key's versions newest first. A walk resumes after a version (`marker` and `version_marker`) or
 * after a whole key (`marker` alone); never just after a key's "null" version (Swift's listing
 * cannot resume there without skipping the key's older versions), so such a version at a page's
 * end is read again with the next page.
 */
async function walkVersions(
  visit: Visit,
  rules: readonly LifecycleRule[],
  start: { m: string; vm: string | null; g: Group | null },
): Promise<Outcome> {
  const startedAt = visit.now;
  let position = start;
  let group = start.g === null ? null : { ...start.g };
  for (;;) {
    const versions: Record<string, string> = position.vm === null ? {} : { version_marker: position.vm };
    const entries = await listingPage(visit, visit.bucket, { versions: "", marker: position.m, ...versions });
    if (entries === null) return { done: true, forget: true, startedAt };
    const full = entries.length >= visit.page;
    const before = position;
    for (const [index, entry] of entries.entries()) {
      const name = entry.name;
      if (name === undefined) continue;
      if (group !== null && group.key !== name) {
        await finishGroup(visit, rules, group);
        position = { m: group.key, vm: null, g: null };
        group = null;
      }
      if (visit.budget.spent()) return { done: false, cursor: { k: "versions", ...position } };
      const versionId = entry.version_id ?? "null";
      if (versionId === "null" && full && index === entries.length - 1) break;
      group ??= { key: name, previous: null, noncurrent: 0, marker: null, kept: 0 };
      await visitVersion(visit, rules, group, entry);
      if (versionId !== "null") position = { m: name, vm: versionId, g: { ...group } };
    }
    if (!full) {
      if (group !== null) await finishGroup(visit, rules, group);
      return { done: true, forget: false, startedAt };
    }
    if (position === before) throw new Error(`the versions listing of ${visit.bucket} does not advance`);
    group = position.g === null ? null : { ...position.g };
  }
}

/** A `lifecycle` row's visit: the configuration read, then the walk it needs (if any). */
async function visitLifecycle(visit: Visit, cursor: Cursor | null): Promise<Outcome> {
  const headers = await headContainer(visit, visit.bucket);
  const config = headers === null ? null : decodeLifecycle(headers);
  if (headers === null || config === null) return { done: true, forget: true, startedAt: visit.now };
  const rules = config.rules.filter((rule) => rule.enabled && (rule.expiration !== null || rule.noncurrent !== null));
  if (rules.length === 0) return { done: true, forget: false, startedAt: visit.now };
  if (headers.has(H.X_VERSIONS_ENABLED)) {
    const start = cursor?.k === "versions" ? cursor : { m: "", vm: null, g: null };
    return walkVersions(visit, rules, start);
  }
  return walkObjects(visit, rules, cursor?.k === "objects" ? cursor.m : "");
}

/**
 * Aborts one upload: its parts (`<marker>/<n>`) deleted, then its marker; false when the budget
 * ran out first (the next visit does it again).
 */
async function abortUpload(visit: Visit, segments: string, markerName: string): Promise<boolean> {
  const prefix = `${markerName}/`;
  let after = "";
  for (;;) {
    const entries = (await listingPage(visit, segments, { prefix, marker: after })) ?? [];
    for (const entry of entries) {
      const name = entry.name;
      if (name === undefined || !/^\d+$/.test(name.slice(prefix.length))) continue;
      if (visit.budget.spent()) return false;
      const response = await visit.req.swift({ method: "DELETE", container: segments, object: name });
      await response.body?.cancel().catch(() => undefined);
      if (response.status !== 404) await okOrThrow(response, "upload");
      visit.report.partsDeleted += 1;
    }
    const last = entries.at(-1)?.name;
    if (entries.length < visit.page || last === undefined) break;
    after = last;
  }
  const response = await visit.req.swift({ method: "DELETE", container: segments, object: markerName });
  await response.body?.cancel().catch(() => undefined);
  if (response.status !== 404) await okOrThrow(response, "upload");
  visit.report.uploadsAborted += 1;
  return true;
}

/**
 * An `uploads` row's visit: the segments container walked, each upload older than
 * S3_MULTIPART_MAX_AGE or past an AbortIncompleteMultipartUpload rule aborted. The row may go
 * once the container is gone or no upload is left open.
 */
async function visitUploads(visit: Visit, cursor: Cursor | null, maxAgeMs: number): Promise<Outcome> {
  const segments = segmentsOf(visit.bucket);
  const resumed = cursor?.k === "uploads" ? cursor : null;
  const startedAt = resumed?.startedAt ?? visit.now;
  if ((await headContainer(visit, segments)) === null) return { done: true, forget: true, startedAt };
  const bucketHeaders = await headContainer(visit, visit.bucket);
  const config = bucketHeaders === null ? null : decodeLifecycle(bucketHeaders);
  const rules = (config?.rules ?? []).filter((rule) => rule.enabled && rule.abortDays !== null);
  // Nothing could be aborted: the uploads are left alone (and the row kept).
  if (maxAgeMs === 0 && rules.length === 0) return { done: true, forget: false, startedAt };
  let marker = resumed?.m ?? "";
  let open = resumed?.open ?? false;
  for (;;) {
    const entries = await listingPage(visit, segments, { marker });
    if (entries === null) return { done: true, forget: true, startedAt };
    for (const entry of entries) {
      const name = entry.name;
      if (name === undefined) continue;
      if (visit.budget.spent()) return { done: false, cursor: { k: "uploads", m: marker, open, startedAt } };
      const slash = name.lastIndexOf("/");
      const id = name.slice(slash + 1);
      // Parts (`<key>/<id>/<n>`: of open uploads, or a completed one's segments) are never walked into.
      if (slash > 0 && !/^\d+$/.test(id)) {
        const key = name.slice(0, slash);
        const initiated = modifiedOf(entry);
        const due =
          (maxAgeMs > 0 && initiated + maxAgeMs <= visit.now) ||
          rules.some((rule) => uploadExpires(rule, key, initiated, visit.now));
        if (!due) open = true;
        else if (!(await abortUpload(visit, segments, name)))
          return { done: false, cursor: { k: "uploads", m: marker, open, startedAt } };
      }
      marker = name;
    }
    if (entries.length < visit.page) return { done: true, forget: !open, startedAt };
  }
}

function cursorOf(text: string | null): Cursor | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Cursor;
  } catch {
    return null;
  }
}

function emptyReport(): HousekeepingReport {
  return {
    visited: 0,
    finished: 0,
    forgotten: 0,
    expired: 0,
    noncurrentDeleted: 0,
    deleteMarkersRemoved: 0,
    uploadsAborted: 0,
    partsDeleted: 0,
    errors: 0,
    requests: 0,
    budgetSpent: false,
  };
}

/**
 * One run of the job at `nowMs` (the time rules are judged at: the cron's scheduled time, or a
 * test's): the registry's due rows visited, longest waiting first, within the run's budget.
 */
export async function runS3Housekeeping(
  config: Config,
  nowMs: number,
  options: HousekeepingOptions = {},
): Promise<HousekeepingReport> {
  const control = controlStub(config);
  const report = emptyReport();
  const budget = new Budget(options.requestBudget ?? REQUESTS_PER_RUN, options.timeBudgetMs ?? TIME_BUDGET_MS);
  const waitUntil = options.waitUntil ?? ((promise: Promise<unknown>) => void promise.catch(() => undefined));
  const due: S3HousekeepingEntry[] = (await control.dueS3Housekeeping(nowMs, ENTRIES_PER_RUN)).value ?? [];
  for (const entry of due) {
    if (budget.spent()) {
      report.budgetSpent = true;
      break;
    }
    const { account, bucket, kind } = entry;
    report.visited += 1;
    const req = housekeeper(config, account, budget, waitUntil);
    const visit: Visit = { req, bucket, now: nowMs, page: Math.max(2, options.pageSize ?? PAGE), budget, report };
    const cursor = cursorOf(entry.cursor);
    let outcome: Outcome;
    try {
      outcome =
        kind === "lifecycle"
          ? await visitLifecycle(visit, cursor)
          : await visitUploads(visit, cursor, config.s3.multipartMaxAgeSeconds * 1000);
    } catch (error) {
      console.error(`S3 housekeeping of ${account}/${bucket} (${kind}) failed:`, error);
      report.errors += 1;
      await control.saveS3Housekeeping(account, bucket, kind, entry.cursor, nowMs + RETRY_AFTER_MS);
      continue;
    }
    if (!outcome.done) {
      report.budgetSpent = true;
      await control.saveS3Housekeeping(account, bucket, kind, JSON.stringify(outcome.cursor), nowMs);
      break;
    }
    report.finished += 1;
    const idle = outcome.startedAt - entry.touchedAt > FORGET_AFTER_MS;
    if (outcome.forget && idle && (await control.forgetS3Housekeeping(account, bucket, kind, entry.touchedAt)).value) {
      report.forgotten += 1;
      continue;
    }
    await control.saveS3Housekeeping(account, bucket, kind, null, nowMs + PASS_INTERVAL_MS);
  }
  report.requests = budget.requests;
  return report;
}
