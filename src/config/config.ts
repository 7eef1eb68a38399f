/**
 * @module
 * parseConfig(env): every [vars] value, secret and binding edgeswift reads, validated once per
 * isolate and handed out typed. The only module that reads `env`. A configuration the Worker
 * cannot serve with (a zone's bucket not bound, a bad variable, a bundled ring that does not
 * load) is a ConfigError: a 503 naming the problem, from /healthcheck and every request alike.
 */

import { loadRings, type RingSet } from "../ring/load";
import { RingFileError } from "../ring/ring-file";
import { parseStoragePolicies, StoragePolicyError, type StoragePolicies } from "./storage-policies";
import { bucketBindingOf, describeUnboundBucket, SHARED_BUCKET_BINDING, unboundBuckets } from "../ring/zone-buckets";
import { assert } from "../common/assert";
import { SwiftError } from "../common/errors";

/** Tempauth's reserved groups; any other group name (a service group such as `.service`) is the operator's. */
export type Role = ".admin" | ".reseller_admin" | ".reseller_reader";

export interface User {
  account: string;
  user: string;
  key: string;
  /** Tempauth's groups of the user: the reserved roles (Role) and any other group named in AUTH_USERS. */
  roles: ReadonlySet<string>;
}

export interface Config {
  hashPathPrefix: string;
  hashPathSuffix: string;
  tokenLifeSeconds: number;
  maxFileSize: number;
  /** Seconds a tombstone is kept before it is reclaimed (Swift: reclaim_age). */
  reclaimAgeSeconds: number;
  /** Whether zones can be taken down through /faults (tests and benchmarks; reseller admin only). */
  faultInjection: boolean;
  /** Whether GET and HEAD read the primary zone nearest the caller first (READ_AFFINITY; default on). */
  readAffinity: boolean;
  /**
   * Live objects past which a container splits into shards of half as many each
   * (CONTAINER_SHARD_ROWS; Swift: shard_container_threshold).
   */
  containerShardRows: number;
  /** Swift's domain_remap settings; null when STORAGE_DOMAIN is unset (the middleware is off). */
  domainRemap: DomainRemapConfig | null;
  /** The S3 API's settings (Swift: s3api's location and storage_domain). */
  s3: S3Config;
  /** Keyed by `account:user`. */
  users: ReadonlyMap<string, User>;
  /**
   * Tempauth's reseller prefixes, each ending in `_`; the first names tokens and storage URLs
   * (Swift: reseller_prefix; default DEFAULT_RESELLER_PREFIXES).
   */
  resellerPrefixes: readonly string[];
  /**
   * The group a user must also be in to own an account under a prefix, keyed by prefix (Swift: require_group,
   * <prefix>_require_group).
   */
  requireGroups: ReadonlyMap<string, string>;
  tokenSecret: string;
  /** A bearer token that may read `GET /metrics` besides the reseller admin (METRICS_TOKEN); null: the admin alone. */
  metricsToken: string | null;
  /** Every ring: account, container, and each storage policy's object ring. */
  rings: RingSet;
  /** The storage policies (STORAGE_POLICIES), each with its object ring in `rings`. */
  policies: StoragePolicies;
  /** R2 bucket of each zone's bodies (a zone of any object ring), keyed by zone id. */
  zoneBuckets: ReadonlyMap<string, R2Bucket>;
  /** Binding name of each zone's bucket: zones naming the same binding share one copy of a body. */
  zoneBucketNames: ReadonlyMap<string, string>;
  replicas: {
    account: Env["ACCOUNT_REPLICA"];
    container: Env["CONTAINER_REPLICA"];
    object: Env["OBJECT_REPLICA"];
  };
  /** The control record (fault plan, sweep state, reaper queue). */
  control: Env["CONTROL"];
  /** Per ring and zone: which partitions hold data, and their hashes. */
  ringSummary: Env["RING_SUMMARY"];
}

/** The S3 API. Swift: common/middleware/s3api/s3api.py S3ApiMiddleware.__init__. */
export interface S3Config {
  /** The region signatures are scoped to and GetBucketLocation names (Swift: location). */
  region: string;
  /**
   * Domains whose sub-domains name a bucket (virtual-hosted style, `<bucket>.<domain>`), without
   * a leading dot; empty: path style only (Swift: storage_domain).
   */
  storageDomains: readonly string[];
  /**
   * Seconds after which an incomplete multipart upload (its marker and parts) is reclaimed by the
   * S3 housekeeping job, whatever the bucket's lifecycle says; 0: never (S3_MULTIPART_MAX_AGE).
   */
  multipartMaxAgeSeconds: number;
  /**
   * The smallest part of a multipart upload but the last, in bytes (S3_MIN_PART_SIZE; AWS's 5 MiB
   * unless set; Swift: s3api's min_segment_size).
   */
  minPartSizeBytes: number;
}

/** Swift: common/middleware/domain_remap.py DomainRemapMiddleware.__init__, its options parsed. */
export interface DomainRemapConfig {
  /** The storage domains, each with its leading dot (`.example.com`), in configured order. */
  storageDomains: readonly string[];
  /** What the remapped path starts with, without slashes (`v1`). */
  pathRoot: string;
  /** Reseller prefixes an account label may carry, as configured (`AUTH`). */
  resellerPrefixes: readonly string[];
  /** Prefix given to an account label that carries none of them; null: such hosts are left alone. */
  defaultResellerPrefix: string | null;
  /** Whether a client path already starting with the path root loses it (`/v1/o` → `/o`). */
  mangleClientPaths: boolean;
}

/**
 * A configuration value, binding or bundled ring is missing or malformed; names it. Served as
 * 503 Service Unavailable with the message as its body, as Swift's healthcheck answers 503
 * "DISABLED BY FILE": the Worker is up but cannot serve until its configuration is fixed. The
 * message is shown to clients, so it never quotes a secret.
 */
export class ConfigError extends SwiftError {
  constructor(variable: string, problem: string) {
    super("ServiceUnavailable", `configuration: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

export { SHARED_BUCKET_BINDING };

const cache = new WeakMap<object, Config | ConfigError>();

/**
 * The validated configuration for this env (memoised per isolate). Throws ConfigError when the
 * Worker cannot serve with it; the refusal is memoised too, and logged once.
 */
export function parseConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached instanceof ConfigError) throw cached;
  if (cached) return cached;
  let config: Config;
  try {
    config = buildConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}: every request answers 503 until it is fixed`);
    cache.set(env, error);
    throw error;
  }
  cache.set(env, config);
  return config;
}

function requireString(env: Env, name: keyof Env): string {
  const value: unknown = env[name];
  if (typeof value !== "string" || value === "") throw new ConfigError(String(name), "is not set");
  return value;
}

/** Swift's reclaim_age default: one week. */
export const DEFAULT_RECLAIM_AGE_SECONDS = 604_800;

function optionalPositiveInteger(env: Env, name: string, fallback: number): number {
  const value: unknown = Reflect.get(env, name);
  if (value === undefined || value === "") return fallback;
  const number = Number(value);
  if (typeof value !== "string" || !Number.isSafeInteger(number) || number <= 0) {
    throw new ConfigError(name, `must be a positive integer, got "${String(value)}"`);
  }
  return number;
}

/**
 * CONTAINER_SHARD_ROWS's default: Swift's shard_container_threshold, a million rows (about 0.5 GB
 * of a replica's 10 GB, listing rows and hash tree together).
 */
export const DEFAULT_CONTAINER_SHARD_ROWS = 1_000_000;

/** CONTAINER_SHARD_ROWS: a whole number of rows, at least 2 (a shard holds half). */
function containerShardRows(env: Env): number {
  const rows = optionalPositiveInteger(env, "CONTAINER_SHARD_ROWS", DEFAULT_CONTAINER_SHARD_ROWS);
  if (rows < 2) throw new ConfigError("CONTAINER_SHARD_ROWS", `must be at least 2 (a shard holds half), got "${rows}"`);
  return rows;
}

/** A "true"/"false" variable; unset is false. */
function flag(env: Env, name: string, unset = false): boolean {
  const value: unknown = Reflect.get(env, name);
  if (value === undefined || value === "") return unset;
  if (value === "false") return false;
  if (value === "true") return true;
  throw new ConfigError(name, `must be "true" or "false", got "${String(value)}"`);
}

function positiveInteger(env: Env, name: keyof Env): number {
  const text = requireString(env, name);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ConfigError(String(name), `must be a positive integer, got "${text}"`);
  return value;
}

/**
 * Users in tempauth's spirit: `account:user=key [group…]`, separated by `;` or newlines (Swift:
 * `user_<account>_<user> = <key> [group] [group] …`). A group is a reserved role (`.admin`,
 * `.reseller_admin`, `.reseller_reader`) or any other name, such as the group REQUIRE_GROUP asks
 * service users to be in; tempauth joins groups with commas, so a group holds none.
 */
export function parseUsers(text: string): Map<string, User> {
  const users = new Map<string, User>();
  const entries = text
    .split(/[;\n]/)
    .map((line) => line.trim())
    .filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const match = /^([^:=\s]+):([^=\s]+)=(\S+)((?:\s+\S+)*)$/.exec(entry);
    // Named by position only: the message is served to clients, and a malformed entry may hold its key anywhere.
    if (!match)
      throw new ConfigError(
        "AUTH_USERS",
        `has a malformed entry ${index + 1} (want account:user=key [group…], such as .admin)`,
      );
    const [, account = "", user = "", key = "", roleText = ""] = match;
    const roles = new Set<string>();
    for (const role of roleText.trim().split(/\s+/).filter(Boolean)) {
      if (role.includes(","))
        throw new ConfigError("AUTH_USERS", `has a group with a comma "${role}" for ${account}:${user}`);
      roles.add(role);
    }
    users.set(`${account}:${user}`, { account, user, key, roles });
  }
  return users;
}

/** Swift's reseller_prefix default: tempauth serves `AUTH_` accounts and issues `AUTH_tk` tokens. */
export const DEFAULT_RESELLER_PREFIXES: readonly string[] = ["AUTH_"];

/**
 * RESELLER_PREFIX: tempauth's reseller prefixes, comma-separated (`AUTH, SERVICE`), each given
 * its `_` and kept once, in order; unset or empty is Swift's default, `AUTH`. Swift's empty
 * prefix (`''`, accounts of any name) is refused: it makes tempauth defer to another auth
 * system, and edgeswift has none. Swift: utils.config_read_reseller_options.
 */
export function parseResellerPrefixes(text: string): string[] {
  const prefixes: string[] = [];
  for (const item of text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    if (item === "''" || item === '""')
      throw new ConfigError("RESELLER_PREFIX", "names the empty prefix '', which edgeswift does not support");
    if (!/^[^\s/'"]+$/.test(item)) throw new ConfigError("RESELLER_PREFIX", `has a malformed prefix "${item}"`);
    const prefix = item.endsWith("_") ? item : `${item}_`;
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
  }
  return prefixes.length ? prefixes : [...DEFAULT_RESELLER_PREFIXES];
}

/**
 * REQUIRE_GROUP: the group a user must also be in to own an account, per reseller prefix.
 * Entries separated by spaces, commas or `;`: `PREFIX=group` for one prefix (`SERVICE=.service`,
 * the prefix with or without its `_`), a bare `group` for every prefix without an entry of its
 * own (Swift: `<prefix>_require_group` and `require_group`). A prefix RESELLER_PREFIX does not
 * list, or named twice, is refused.
 */
export function parseRequireGroups(text: string, prefixes: readonly string[]): Map<string, string> {
  const own = new Map<string, string>();
  let shared: string | null = null;
  for (const entry of text.split(/[\s,;]+/).filter(Boolean)) {
    const equals = entry.indexOf("=");
    const group = entry.slice(equals + 1);
    if (!group) throw new ConfigError("REQUIRE_GROUP", `has an entry without a group "${entry}"`);
    if (equals < 0) {
      if (shared !== null) throw new ConfigError("REQUIRE_GROUP", "names more than one group for every prefix");
      shared = group;
      continue;
    }
    const named = entry.slice(0, equals);
    const prefix = named.endsWith("_") ? named : `${named}_`;
    if (!prefixes.includes(prefix))
      throw new ConfigError("REQUIRE_GROUP", `names "${named}", which is not in RESELLER_PREFIX`);
    if (own.has(prefix)) throw new ConfigError("REQUIRE_GROUP", `names "${named}" twice`);
    own.set(prefix, group);
  }
  const groups = new Map<string, string>();
  for (const prefix of prefixes) {
    const group = own.get(prefix) ?? shared;
    if (group !== null) groups.set(prefix, group);
  }
  return groups;
}

function buildConfig(env: Env): Config {
  const hashPathPrefix = requireString(env, "HASH_PATH_PREFIX");
  const hashPathSuffix = requireString(env, "HASH_PATH_SUFFIX");
  const rings = bundledRings({ hashPathPrefix, hashPathSuffix });
  const policies = storagePolicies(env, rings);
  const bindingNamed = (name: string): unknown => Reflect.get(env, name);
  const resellerPrefixes = parseResellerPrefixes(env.RESELLER_PREFIX ?? "");
  // The same rule `edgeswift ring … validate` and `edgeswift check` apply to wrangler.toml; the
  // object rings first, since their zones' buckets hold the bodies.
  const objectRings = rings.objectRingNames();
  for (const ring of [...objectRings, "account", "container"] as const) {
    const [problem] = unboundBuckets(ring, rings.get(ring).zones, (name) => isBucket(bindingNamed(name)));
    if (problem) throw new ConfigError(problem.binding, describeUnboundBucket(problem));
  }
  const zoneBuckets = new Map<string, R2Bucket>();
  const zoneBucketNames = new Map<string, string>();
  for (const ring of objectRings) {
    for (const zone of rings.get(ring).zones) {
      const binding = bucketBindingOf(zone);
      const other = zoneBucketNames.get(zone.id);
      // A zone is one failure domain: every object ring that places bodies in it uses its one bucket.
      if (other !== undefined && other !== binding) {
        throw new ConfigError(
          `rings/${ring}.ring.json`,
          `gives zone ${zone.id} the bucket ${binding}, but another object ring gives it ${other}`,
        );
      }
      const bucket = bindingNamed(binding);
      assert(isBucket(bucket), `unboundBuckets passed zone ${zone.id}'s ${binding}`);
      zoneBuckets.set(zone.id, bucket);
      zoneBucketNames.set(zone.id, binding);
    }
  }
  return {
    hashPathPrefix,
    hashPathSuffix,
    tokenLifeSeconds: positiveInteger(env, "TOKEN_LIFE"),
    maxFileSize: positiveInteger(env, "MAX_FILE_SIZE"),
    reclaimAgeSeconds: optionalPositiveInteger(env, "RECLAIM_AGE", DEFAULT_RECLAIM_AGE_SECONDS),
    faultInjection: flag(env, "FAULT_INJECTION"),
    readAffinity: flag(env, "READ_AFFINITY", true),
    containerShardRows: containerShardRows(env),
    domainRemap: domainRemapConfig(env),
    s3: s3Config(env),
    users: parseUsers(env.AUTH_USERS ?? ""),
    resellerPrefixes,
    requireGroups: parseRequireGroups(env.REQUIRE_GROUP ?? "", resellerPrefixes),
    tokenSecret: requireString(env, "AUTH_TOKEN_SECRET"),
    metricsToken: optionalString(env, "METRICS_TOKEN"),
    rings,
    policies,
    zoneBuckets,
    zoneBucketNames,
    replicas: { account: env.ACCOUNT_REPLICA, container: env.CONTAINER_REPLICA, object: env.OBJECT_REPLICA },
    control: env.CONTROL,
    ringSummary: env.RING_SUMMARY,
  };
}

/** An optional string variable; unset and "" are null. */
function optionalString(env: Env, name: string): string | null {
  const value: unknown = Reflect.get(env, name);
  if (value === undefined || value === "") return null;
  if (typeof value !== "string") throw new ConfigError(name, "must be a string");
  return value;
}

/** Swift: utils.list_from_csv, items trimmed, empty ones dropped. */
function csv(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A DNS name, optionally with a leading dot; lower case, as hosts reach the Worker. */
const STORAGE_DOMAIN_PATTERN = /^\.?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
/** A reseller prefix as tempauth names them (`AUTH`): letters, digits, no `_`. */
const RESELLER_PREFIX_PATTERN = /^[A-Za-z0-9]+$/;

/**
 * STORAGE_DOMAIN (comma-separated; unset: domain_remap off) and the DOMAIN_REMAP_* options, with
 * Swift's defaults: path_root `v1`, reseller_prefixes `AUTH`, no default_reseller_prefix,
 * mangle_client_paths off. Swift: domain_remap.py DomainRemapMiddleware.__init__.
 */
function domainRemapConfig(env: Env): DomainRemapConfig | null {
  const domains = optionalString(env, "STORAGE_DOMAIN");
  if (domains === null) return null;
  const listed = csv(domains);
  const bad = listed.find((domain) => !STORAGE_DOMAIN_PATTERN.test(domain));
  if (bad !== undefined) throw new ConfigError("STORAGE_DOMAIN", `has "${bad}", not a lower-case DNS name`);
  if (!listed.length) throw new ConfigError("STORAGE_DOMAIN", "names no domain");
  // Swift lists the domains given without a dot first, then those given with one.
  const storageDomains = [
    ...listed.filter((d) => !d.startsWith(".")).map((d) => `.${d}`),
    ...listed.filter((d) => d.startsWith(".")),
  ];
  const pathRoot = (optionalString(env, "DOMAIN_REMAP_PATH_ROOT") ?? "v1").replace(/^\/+|\/+$/g, "");
  // Swift takes any root, but only /v1 and /v1.0 reach the API here: another would answer every remapped request 400.
  if (pathRoot !== "v1" && pathRoot !== "v1.0")
    throw new ConfigError("DOMAIN_REMAP_PATH_ROOT", `must be "v1" or "v1.0", got "${pathRoot}"`);
  const resellerPrefixes = csv(optionalString(env, "DOMAIN_REMAP_RESELLER_PREFIXES") ?? "AUTH");
  const badPrefix = resellerPrefixes.find((prefix) => !RESELLER_PREFIX_PATTERN.test(prefix));
  if (badPrefix !== undefined)
    throw new ConfigError("DOMAIN_REMAP_RESELLER_PREFIXES", `has "${badPrefix}" (want letters and digits, e.g. AUTH)`);
  const defaultResellerPrefix = optionalString(env, "DOMAIN_REMAP_DEFAULT_RESELLER_PREFIX");
  if (defaultResellerPrefix !== null && !RESELLER_PREFIX_PATTERN.test(defaultResellerPrefix)) {
    throw new ConfigError(
      "DOMAIN_REMAP_DEFAULT_RESELLER_PREFIX",
      `must be letters and digits (e.g. AUTH), got "${defaultResellerPrefix}"`,
    );
  }
  return {
    storageDomains,
    pathRoot,
    resellerPrefixes,
    defaultResellerPrefix,
    mangleClientPaths: flag(env, "DOMAIN_REMAP_MANGLE_CLIENT_PATHS"),
  };
}

/** An AWS region name: lower-case letters, digits and hyphens (`us-east-1`). */
const REGION_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** S3_MULTIPART_MAX_AGE's default: a week, the AbortIncompleteMultipartUpload age commonly set. */
export const DEFAULT_MULTIPART_MAX_AGE_SECONDS = 604_800;

/** S3_MIN_PART_SIZE's default: AWS's smallest part but the last, 5 MiB (s3api's min_segment_size). */
export const DEFAULT_MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

/**
 * S3_REGION (default us-east-1, as s3api's location), S3_STORAGE_DOMAIN (comma-separated; unset:
 * none), S3_MULTIPART_MAX_AGE (seconds, default a week; "0" disables) and S3_MIN_PART_SIZE (bytes,
 * a positive integer, default 5 MiB).
 */
function s3Config(env: Env): S3Config {
  const region = optionalString(env, "S3_REGION") ?? "us-east-1";
  if (!REGION_PATTERN.test(region)) throw new ConfigError("S3_REGION", `must be a region name, got "${region}"`);
  const storageDomains = csv(optionalString(env, "S3_STORAGE_DOMAIN") ?? "").map((domain) => domain.replace(/^\./, ""));
  const bad = storageDomains.find((domain) => !STORAGE_DOMAIN_PATTERN.test(domain));
  if (bad !== undefined) throw new ConfigError("S3_STORAGE_DOMAIN", `has "${bad}", not a lower-case DNS name`);
  const maxAge = optionalString(env, "S3_MULTIPART_MAX_AGE");
  const multipartMaxAgeSeconds = maxAge === null ? DEFAULT_MULTIPART_MAX_AGE_SECONDS : Number(maxAge);
  if (maxAge !== null && (!/^\d+$/.test(maxAge) || !Number.isSafeInteger(multipartMaxAgeSeconds)))
    throw new ConfigError("S3_MULTIPART_MAX_AGE", `must be a number of seconds (0: never), got "${maxAge}"`);
  const minPartSizeBytes = optionalPositiveInteger(env, "S3_MIN_PART_SIZE", DEFAULT_MIN_PART_SIZE_BYTES);
  return { region, storageDomains, multipartMaxAgeSeconds, minPartSizeBytes };
}

/**
 * STORAGE_POLICIES, checked against the bundled rings: every policy's object ring is bundled,
 * and every bundled object ring is some policy's (a ring without one would hold data no request reaches).
 */
function storagePolicies(env: Env, rings: RingSet): StoragePolicies {
  let policies: StoragePolicies;
  try {
    policies = parseStoragePolicies(optionalString(env, "STORAGE_POLICIES") ?? "");
  } catch (error) {
    if (error instanceof StoragePolicyError) throw new ConfigError("STORAGE_POLICIES", error.message);
    throw error;
  }
  for (const policy of policies.all) {
    if (!rings.has(policy.ring)) {
      throw new ConfigError(
        "STORAGE_POLICIES",
        `names policy ${policy.index} (${policy.name}), but rings/${policy.ring}.ring.json is not bundled: ` +
          `build it with "edgeswift ring ${policy.ring} create"`,
      );
    }
  }
  const orphan = rings.objectRingNames().find((ring) => !policies.all.some((policy) => policy.ring === ring));
  if (orphan !== undefined)
    throw new ConfigError(`rings/${orphan}.ring.json`, "belongs to no storage policy in STORAGE_POLICIES");
  return policies;
}

/** The bundled rings; a ring file that does not load is a configuration the Worker cannot serve with. */
function bundledRings(options: { hashPathPrefix: string; hashPathSuffix: string }): RingSet {
  try {
    return loadRings(options);
  } catch (error) {
    if (error instanceof RingFileError) throw new ConfigError("rings/*.ring.json", `do not load: ${error.message}`);
    throw error;
  }
}

function isBucket(value: unknown): value is R2Bucket {
  return typeof value === "object" && value !== null && "put" in value && "get" in value && "head" in value;
}
