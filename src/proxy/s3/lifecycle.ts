/**
 * @module
 * Bucket lifecycle configuration: Put-, Get- and DeleteBucketLifecycle(Configuration). A
 * configuration is parsed and checked as AWS checks it (MalformedXML for what its schema refuses,
 * InvalidArgument and InvalidRequest with AWS's words for the rest), and kept as the container's
 * system metadata `x-container-sysmeta-s3api-lifecycle` (clients of neither API see it), in a
 * compact JSON form (see `encodeLifecycle`); the job in housekeeping.ts enforces it.
 *
 * Served: up to 1000 rules, each with an ID (one is made when none is given), Status, a filter
 * (rule-level Prefix, or Filter with Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or
 * And of them) and the actions Expiration (Days, Date, ExpiredObjectDeleteMarker),
 * NoncurrentVersionExpiration (NoncurrentDays, NewerNoncurrentVersions) and
 * AbortIncompleteMultipartUpload (DaysAfterInitiation). Transition and NoncurrentVersionTransition
 * are NotImplemented: edgeswift has one storage class, and AWS (like Swift's s3api) answers
 * NotImplemented for a feature it does not serve, where InvalidRequest would say the document
 * itself was wrong. A Content-MD5 given must match the document (AWS requires one, or a
 * checksum; s3api-like, edgeswift only checks it).
 *
 * Days count as AWS counts them: from the object's creation (its Last-Modified), the time it
 * became noncurrent, or the upload's initiation, plus the days, rounded up to the next midnight
 * UTC (`dueAfter`). AWS: PutBucketLifecycleConfiguration, GetBucketLifecycleConfiguration,
 * DeleteBucketLifecycle, "Lifecycle configuration elements", "Setting lifecycle configuration on
 * a bucket"; Swift's s3api serves no lifecycle.
 */

import { MAX_OBJECT_NAME_LENGTH } from "../../common/constraints";
import { deleteDocument, storeDocument } from "./bucket";
import { bucketOf, headBucket, type S3Request } from "./request";
import { S3Error } from "./errors";
import { register } from "./registry";
import { decodeDocument, encodeDocument } from "./sysmeta-document";
import {
  childObjects,
  childText,
  el,
  parseXml,
  readDocument,
  type XmlElement,
  type XmlObject,
  type XmlValue,
  xmlResponse,
} from "./xml";

/** The container system metadata a configuration is kept in (and `-1`, `-2`, … when it is long). */
export const SYSMETA_LIFECYCLE = "x-container-sysmeta-s3api-lifecycle";
/** AWS's most rules in one configuration. */
export const MAX_RULES = 1000;
/** The largest configuration document read: 1000 rules of long prefixes and tags fit. */
export const LIFECYCLE_BODY_MAX = 1024 * 1024;
const DAY_MS = 86_400_000;
/** AWS's limits: a rule ID's length, NewerNoncurrentVersions, a tag's key and value. */
const MAX_ID_LENGTH = 255;
const MAX_NEWER_VERSIONS = 100;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

export interface LifecycleTag {
  key: string;
  value: string;
}

/**
 * What a rule applies to. `form` is how the document said it (and GET says it again): a
 * rule-level Prefix (`legacy`), a Filter with one condition or none (`filter`), or Filter/And.
 */
export interface LifecycleFilter {
  form: "legacy" | "filter" | "and";
  prefix: string | null;
  tags: LifecycleTag[];
  sizeGreaterThan: number | null;
  sizeLessThan: number | null;
}

export interface LifecycleExpiration {
  days: number | null;
  /** Midnight UTC, in ms. */
  date: number | null;
  expiredObjectDeleteMarker: boolean | null;
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  expiration: LifecycleExpiration | null;
  noncurrent: { days: number; newerVersions: number | null } | null;
  /** AbortIncompleteMultipartUpload's DaysAfterInitiation. */
  abortDays: number | null;
}

export interface LifecycleConfiguration {
  rules: LifecycleRule[];
}

function malformed(): S3Error {
  return new S3Error("MalformedXML");
}

function invalidArgument(message: string, name?: string, value?: string): S3Error {
  return new S3Error(
    "InvalidArgument",
    message,
    name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? "" },
  );
}

/** Refuses any child element but `allowed` (whitespace between elements aside): MalformedXML. */
function onlyChildren(parent: XmlObject, allowed: readonly string[]): void {
  for (const [name, value] of Object.entries(parent)) {
    if (allowed.includes(name)) continue;
    if (name === "#text" && typeof value === "string" && value.trim() === "") continue;
    throw malformed();
  }
}

/** A child that must be an element (possibly empty); null when absent; MalformedXML when repeated or text. */
function childObject(parent: XmlObject, name: string): XmlObject | null {
  const value: XmlValue | XmlValue[] | undefined = parent[name];
  if (value === undefined) return null;
  if (Array.isArray(value)) throw malformed();
  if (typeof value === "string") {
    if (value.trim() !== "") throw malformed();
    return {};
  }
  return value;
}

/** An xsd:int (or long) child; null when absent; MalformedXML when it is no integer. */
function integerChild(parent: XmlObject, name: string, max = 2 ** 31 - 1): number | null {
  const text = childText(parent, name);
  if (text === null) return null;
  const trimmed = text.trim();
  if (!/^[+-]?\d{1,19}$/.test(trimmed)) throw malformed();
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || Math.abs(value) > max) throw malformed();
  return value;
}

/** A day count that must be positive: InvalidArgument with AWS's words otherwise. */
function positiveDays(parent: XmlObject, name: string, action: string): number | null {
  const days = integerChild(parent, name);
  if (days !== null && days <= 0)
    throw invalidArgument(`'${name}' for ${action} action must be a positive integer`, name, String(days));
  return days;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Expiration's Date: an ISO 8601 date-time (MalformedXML otherwise) at midnight UTC (InvalidArgument otherwise). */
function dateOf(text: string): number {
  const trimmed = text.trim();
  const match = DATE_PATTERN.exec(trimmed);
  if (!match) throw malformed();
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", zone = "Z"] = match;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction ? `.${fraction.slice(0, 3)}` : ""}${zone}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() !== Number(day))
    throw malformed();
  if (ms % DAY_MS !== 0 || /[1-9]/.test(fraction.slice(3)))
    throw invalidArgument("'Date' must be at midnight GMT", "Date", trimmed);
  return ms;
}

function boolChild(parent: XmlObject, name: string): boolean | null {
  const text = childText(parent, name);
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed !== "true" && trimmed !== "false") throw malformed();
  return trimmed === "true";
}

function prefixOf(text: string): string {
  if (new TextEncoder().encode(text).length > MAX_OBJECT_NAME_LENGTH)
    throw new S3Error("InvalidRequest", `The maximum size of a prefix is ${MAX_OBJECT_NAME_LENGTH}`);
  return text;
}

function tagOf(item: XmlObject): LifecycleTag {
  onlyChildren(item, ["Key", "Value"]);
  const key = childText(item, "Key");
  const value = childText(item, "Value");
  if (key === null || value === null) throw malformed();
  if (key.length === 0 || key.length > MAX_TAG_KEY)
    throw invalidArgument(`The TagKey you have provided is invalid: it must be 1 to ${MAX_TAG_KEY} characters`);
  if (value.length > MAX_TAG_VALUE)
    throw invalidArgument(`The TagValue you have provided is invalid: it must be at most ${MAX_TAG_VALUE} characters`);
  return { key, value };
}

function sizeChild(parent: XmlObject, name: string): number | null {
  const size = integerChild(parent, name, Number.MAX_SAFE_INTEGER);
  if (size !== null && size < 0) throw invalidArgument(`'${name}' must be a non-negative integer`, name, String(size));
  return size;
}

/** A rule's Filter (or its legacy Prefix). */
function filterOf(rule: XmlObject): LifecycleFilter {
  const legacy = childText(rule, "Prefix");
  const filter = childObject(rule, "Filter");
  // One of them: both, or neither, is a document AWS's schema refuses.
  if ((legacy === null) === (filter === null)) throw malformed();
  const none: LifecycleFilter = { form: "filter", prefix: null, tags: [], sizeGreaterThan: null, sizeLessThan: null };
  if (legacy !== null) return { ...none, form: "legacy", prefix: prefixOf(legacy) };
  const given = filter ?? {};
  const conditions = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And"];
  onlyChildren(given, conditions);
  const present = conditions.filter((name) => given[name] !== undefined);
  if (present.length > 1) throw malformed();
  const and = childObject(given, "And");
  if (and === null) {
    const tags = childObjects(given, "Tag");
    if (tags.length > 1) throw malformed();
    const prefix = childText(given, "Prefix");
    return {
      ...none,
      prefix: prefix === null ? null : prefixOf(prefix),
      tags: tags.map(tagOf),
      sizeGreaterThan: sizeChild(given, "ObjectSizeGreaterThan"),
      sizeLessThan: sizeChild(given, "ObjectSizeLessThan"),
    };
  }
  onlyChildren(and, ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"]);
  const prefix = childText(and, "Prefix");
  const tags = childObjects(and, "Tag").map(tagOf);
  const keys = new Set(tags.map((tag) => tag.key));
  if (keys.size !== tags.length) throw new S3Error("InvalidRequest", "Duplicate Tag Keys are not allowed.");
  const result: LifecycleFilter = {
    form: "and",
    prefix: prefix === null ? null : prefixOf(prefix),
    tags,
    sizeGreaterThan: sizeChild(and, "ObjectSizeGreaterThan"),
    sizeLessThan: sizeChild(and, "ObjectSizeLessThan"),
  };
  const count =
    (result.prefix === null ? 0 : 1) +
    tags.length +
    (result.sizeGreaterThan === null ? 0 : 1) +
    (result.sizeLessThan === null ? 0 : 1);
  if (count === 0) throw malformed();
  if (result.sizeGreaterThan !== null && result.sizeLessThan !== null && result.sizeGreaterThan >= result.sizeLessThan)
    throw invalidArgument("'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'");
  return result;
}

function expirationOf(rule: XmlObject): LifecycleExpiration | null {
  const expiration = childObject(rule, "Expiration");
  if (expiration === null) return null;
  onlyChildren(expiration, ["Days", "Date", "ExpiredObjectDeleteMarker"]);
  const given = ["Days", "Date", "ExpiredObjectDeleteMarker"].filter((name) => expiration[name] !== undefined);
  // Exactly one of the three (the schema's choice).
  if (given.length !== 1) throw malformed();
  const date = childText(expiration, "Date");
  return {
    days: positiveDays(expiration, "Days", "Expiration"),
    date: date === null ? null : dateOf(date),
    expiredObjectDeleteMarker: boolChild(expiration, "ExpiredObjectDeleteMarker"),
  };
}

function noncurrentOf(rule: XmlObject): LifecycleRule["noncurrent"] {
  const noncurrent = childObject(rule, "NoncurrentVersionExpiration");
  if (noncurrent === null) return null;
  onlyChildren(noncurrent, ["NoncurrentDays", "NewerNoncurrentVersions"]);
  const days = positiveDays(noncurrent, "NoncurrentDays", "NoncurrentVersionExpiration");
  if (days === null) throw malformed();
  const newer = integerChild(noncurrent, "NewerNoncurrentVersions");
  if (newer !== null && (newer < 1 || newer > MAX_NEWER_VERSIONS))
    throw invalidArgument(
      `'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer ` +
        `no greater than ${MAX_NEWER_VERSIONS}`,
      "NewerNoncurrentVersions",
      String(newer),
    );
  return { days, newerVersions: newer };
}

function abortDaysOf(rule: XmlObject): number | null {
  const abort = childObject(rule, "AbortIncompleteMultipartUpload");
  if (abort === null) return null;
  onlyChildren(abort, ["DaysAfterInitiation"]);
  const days = positiveDays(abort, "DaysAfterInitiation", "AbortIncompleteMultipartUpload");
  if (days === null) throw malformed();
  return days;
}

/** A rule ID AWS would make: 48 characters, the base64 of a random UUID. */
export function newRuleId(): string {
  return btoa(crypto.randomUUID());
}

function ruleOf(item: XmlObject, newId: () => string): LifecycleRule {
  onlyChildren(item, [
    "ID",
    "Status",
    "Filter",
    "Prefix",
    "Expiration",
    "NoncurrentVersionExpiration",
    "AbortIncompleteMultipartUpload",
    "Transition",
    "NoncurrentVersionTransition",
  ]);
  if (item.Transition !== undefined || item.NoncurrentVersionTransition !== undefined)
    throw new S3Error(
      "NotImplemented",
      "Transition actions are not implemented: edgeswift has a single storage class (STANDARD).",
    );
  const id = childText(item, "ID");
  if (id !== null && id.length > MAX_ID_LENGTH)
    throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_ID_LENGTH}`, "ID", id);
  const status = childText(item, "Status");
  if (status !== "Enabled" && status !== "Disabled") throw malformed();
  const filter = filterOf(item);
  const rule: LifecycleRule = {
    id: id === null || id === "" ? newId() : id,
    enabled: status === "Enabled",
    filter,
    expiration: expirationOf(item),
    noncurrent: noncurrentOf(item),
    abortDays: abortDaysOf(item),
  };
  if (rule.expiration === null && rule.noncurrent === null && rule.abortDays === null)
    throw new S3Error("InvalidRequest", "At least one action needs to be specified in a rule");
  const tagged = filter.tags.length > 0;
  if (rule.abortDays !== null && tagged)
    throw new S3Error("InvalidRequest", "Tag-based filter cannot be used with AbortIncompleteMultipartUpload action");
  if (rule.abortDays !== null && (filter.sizeGreaterThan !== null || filter.sizeLessThan !== null))
    throw new S3Error(
      "InvalidRequest",
      "Object size based filter cannot be used with AbortIncompleteMultipartUpload action",
    );
  if (rule.expiration?.expiredObjectDeleteMarker === true && tagged)
    throw new S3Error("InvalidRequest", "Tag-based filter cannot be used with ExpiredObjectDeleteMarker action");
  return rule;
}

/**
 * A LifecycleConfiguration document as AWS checks it: 1 to MAX_RULES rules, IDs unique; throws
 * the S3Error AWS answers for the first thing wrong.
 */
export function parseLifecycle(text: string, newId: () => string = newRuleId): LifecycleConfiguration {
  const root = parseXml(text, "LifecycleConfiguration", ["Rule", "Tag", "Transition", "NoncurrentVersionTransition"]);
  onlyChildren(root, ["Rule"]);
  const items = childObjects(root, "Rule");
  if (items.length === 0 || items.length > MAX_RULES) throw malformed();
  const rules = items.map((item) => ruleOf(item, newId));
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id))
      throw invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", rule.id);
    ids.add(rule.id);
  }
  return { rules };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

function tagElement(tag: LifecycleTag): XmlElement {
  return el("Tag", el("Key", tag.key), el("Value", tag.value));
}

function filterElement(filter: LifecycleFilter): XmlElement {
  if (filter.form === "legacy") return el("Prefix", filter.prefix ?? "");
  const conditions = [
    filter.prefix === null ? null : el("Prefix", filter.prefix),
    filter.tags.map(tagElement),
    filter.sizeGreaterThan === null ? null : el("ObjectSizeGreaterThan", filter.sizeGreaterThan),
    filter.sizeLessThan === null ? null : el("ObjectSizeLessThan", filter.sizeLessThan),
  ];
  return el("Filter", filter.form === "and" ? el("And", conditions) : conditions);
}

/** The LifecycleConfiguration document GET answers (AWS's order of a rule's elements). */
export function lifecycleDocument(config: LifecycleConfiguration): XmlElement {
  return el(
    "LifecycleConfiguration",
    config.rules.map((rule) => {
      const { expiration, noncurrent } = rule;
      return el(
        "Rule",
        el("ID", rule.id),
        filterElement(rule.filter),
        el("Status", rule.enabled ? "Enabled" : "Disabled"),
        expiration === null
          ? null
          : el(
              "Expiration",
              expiration.days === null ? null : el("Days", expiration.days),
              expiration.date === null ? null : el("Date", isoDate(expiration.date)),
              expiration.expiredObjectDeleteMarker === null
                ? null
                : el("ExpiredObjectDeleteMarker", expiration.expiredObjectDeleteMarker),
            ),
        noncurrent === null
          ? null
          : el(
              "NoncurrentVersionExpiration",
              el("NoncurrentDays", noncurrent.days),
              noncurrent.newerVersions === null ? null : el("NewerNoncurrentVersions", noncurrent.newerVersions),
            ),
        rule.abortDays === null
          ? null
          : el("AbortIncompleteMultipartUpload", el("DaysAfterInitiation", rule.abortDays)),
      );
    }),
  );
}

/**
 * The stored form of a rule: short keys, absent when empty. `i` ID, `x` 1 when disabled, `w`
 * the filter's form (`l` legacy, `f` Filter, `a` And), `p` prefix, `t` tags as [key, value],
 * `g`/`s` ObjectSizeGreaterThan/LessThan, `e` Expiration Days, `d` its Date (ms), `m` its
 * ExpiredObjectDeleteMarker (0 or 1), `n` NoncurrentDays, `k` NewerNoncurrentVersions, `a`
 * DaysAfterInitiation.
 */
interface StoredRule {
  i: string;
  x?: 1;
  w: "l" | "f" | "a";
  p?: string;
  t?: [string, string][];
  g?: number;
  s?: number;
  e?: number;
  d?: number;
  m?: 0 | 1;
  n?: number;
  k?: number;
  a?: number;
}

const FORMS = { legacy: "l", filter: "f", and: "a" } as const;

function storedRule(rule: LifecycleRule): StoredRule {
  const { filter, expiration, noncurrent } = rule;
  const stored: StoredRule = { i: rule.id, w: FORMS[filter.form] };
  if (!rule.enabled) stored.x = 1;
  if (filter.prefix !== null) stored.p = filter.prefix;
  if (filter.tags.length) stored.t = filter.tags.map((tag) => [tag.key, tag.value]);
  if (filter.sizeGreaterThan !== null) stored.g = filter.sizeGreaterThan;
  if (filter.sizeLessThan !== null) stored.s = filter.sizeLessThan;
  if (expiration?.days != null) stored.e = expiration.days;
  if (expiration?.date != null) stored.d = expiration.date;
  if (expiration?.expiredObjectDeleteMarker != null) stored.m = expiration.expiredObjectDeleteMarker ? 1 : 0;
  if (noncurrent !== null) stored.n = noncurrent.days;
  if (noncurrent?.newerVersions != null) stored.k = noncurrent.newerVersions;
  if (rule.abortDays !== null) stored.a = rule.abortDays;
  return stored;
}

function loadedRule(stored: StoredRule): LifecycleRule {
  const form = (Object.keys(FORMS) as (keyof typeof FORMS)[]).find((name) => FORMS[name] === stored.w);
  if (form === undefined || typeof stored.i !== "string") throw new Error("a stored lifecycle rule is unreadable");
  const hasExpiration = stored.e !== undefined || stored.d !== undefined || stored.m !== undefined;
  return {
    id: stored.i,
    enabled: stored.x !== 1,
    filter: {
      form,
      prefix: stored.p ?? null,
      tags: (stored.t ?? []).map(([key, value]) => ({ key, value })),
      sizeGreaterThan: stored.g ?? null,
      sizeLessThan: stored.s ?? null,
    },
    expiration: hasExpiration
      ? {
          days: stored.e ?? null,
          date: stored.d ?? null,
          expiredObjectDeleteMarker: stored.m === undefined ? null : stored.m === 1,
        }
      : null,
    noncurrent: stored.n === undefined ? null : { days: stored.n, newerVersions: stored.k ?? null },
    abortDays: stored.a ?? null,
  };
}

/** A configuration as container system metadata (sysmeta-document.ts): `{"v":1,"r":[rules]}`. */
export function encodeLifecycle(config: LifecycleConfiguration, current: Headers = new Headers()): Headers {
  const headers = encodeDocument(SYSMETA_LIFECYCLE, { v: 1, r: config.rules.map(storedRule) }, current);
  if (headers === null)
    throw new S3Error("InvalidRequest", "The lifecycle configuration is larger than edgeswift can keep.");
  return headers;
}

/** The configuration a container's headers keep, or null when none; throws when it is unreadable. */
export function decodeLifecycle(headers: Headers): LifecycleConfiguration | null {
  const parsed = decodeDocument(SYSMETA_LIFECYCLE, headers) as { v?: unknown; r?: unknown } | null;
  if (parsed === null) return null;
  if (parsed.v !== 1 || !Array.isArray(parsed.r)) throw new Error("a stored lifecycle configuration is unreadable");
  return { rules: (parsed.r as StoredRule[]).map(loadedRule) };
}

// What the job asks of a configuration (housekeeping.ts).

/** AWS's due time: `days` after `startMs`, rounded up to the next midnight UTC. */
export function dueAfter(startMs: number, days: number): number {
  return Math.ceil((startMs + days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** Whether a filter's prefix and size conditions hold (its tags are `tagsMatch`'s). */
export function keyAndSizeMatch(filter: LifecycleFilter, key: string, size: number): boolean {
  if (filter.prefix !== null && !key.startsWith(filter.prefix)) return false;
  if (filter.sizeGreaterThan !== null && !(size > filter.sizeGreaterThan)) return false;
  if (filter.sizeLessThan !== null && !(size < filter.sizeLessThan)) return false;
  return true;
}

/** Whether every tag of a filter is among an object's tags, with its value. */
export function tagsMatch(filter: LifecycleFilter, tags: ReadonlyMap<string, string>): boolean {
  return filter.tags.every((tag) => tags.get(tag.key) === tag.value);
}

/** Whether the current object expires by `rule` at `now` (Days from its Last-Modified, or a Date passed). */
export function currentExpires(rule: LifecycleRule, lastModified: number, now: number): boolean {
  const expiration = rule.expiration;
  if (!rule.enabled || expiration === null) return false;
  if (expiration.days !== null) return dueAfter(lastModified, expiration.days) <= now;
  return expiration.date !== null && expiration.date <= now;
}

/**
 * Whether a noncurrent version expires by `rule` at `now`: NoncurrentDays since it became
 * noncurrent, and more than NewerNoncurrentVersions newer noncurrent versions (`newer` of them).
 */
export function noncurrentExpires(rule: LifecycleRule, noncurrentSince: number, newer: number, now: number): boolean {
  const noncurrent = rule.noncurrent;
  if (!rule.enabled || noncurrent === null) return false;
  return newer >= (noncurrent.newerVersions ?? 0) && dueAfter(noncurrentSince, noncurrent.days) <= now;
}

/**
 * Whether a delete marker that is its key's only version is removed by `rule` at `now`:
 * ExpiredObjectDeleteMarker, or Expiration Days past since the marker was made (AWS removes such
 * markers when the Days have passed).
 */
export function deleteMarkerExpires(rule: LifecycleRule, markerModified: number, now: number): boolean {
  const expiration = rule.expiration;
  if (!rule.enabled || expiration === null) return false;
  if (expiration.expiredObjectDeleteMarker === true) return true;
  return expiration.days !== null && dueAfter(markerModified, expiration.days) <= now;
}

/** Whether an upload of `key` initiated at `initiated` is aborted by `rule` at `now`. */
export function uploadExpires(rule: LifecycleRule, key: string, initiated: number, now: number): boolean {
  if (!rule.enabled || rule.abortDays === null) return false;
  return (
    (rule.filter.prefix === null || key.startsWith(rule.filter.prefix)) && dueAfter(initiated, rule.abortDays) <= now
  );
}

// The operations.

/** GetBucketLifecycleConfiguration: the configuration; NoSuchLifecycleConfiguration when there is none. */
export async function getLifecycle(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const config = decodeLifecycle(await headBucket(req));
  if (config === null) throw new S3Error("NoSuchLifecycleConfiguration", undefined, { BucketName: bucket });
  return xmlResponse(lifecycleDocument(config));
}

/**
 * PutBucketLifecycleConfiguration: the document checked, the bucket registered for housekeeping
 * (first, so no stored rule is ever left unenforced), then the configuration stored; 200.
 */
export async function putLifecycle(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const text = await readDocument(req, LIFECYCLE_BODY_MAX);
  const headers = encodeLifecycle(parseLifecycle(text), await headBucket(req));
  await register(req.ctx.config, req.account, bucket, "lifecycle");
  return storeDocument(req, headers);
}

/** DeleteBucketLifecycle: the configuration removed (the job forgets the bucket on its next visit); 204. */
export function deleteLifecycle(req: S3Request): Promise<Response> {
  return deleteDocument(req, SYSMETA_LIFECYCLE);
}
