/**
 * @module
 * parseConfig(env): every [vars] value, secret and binding edgeswift reads, validated once per
 * isolate and handed out typed. The only module that reads `env`. A configuration the Worker
 * cannot serve with (a zone's bucket not bound, a bad variable, a bundled ring that does not
 * load) is a ConfigError: a 503 naming the problem, from /healthcheck and every request alike.
 */

import type { Ring } from "../ring/ring";
import { loadRings } from "../ring/load";
import { RingFileError } from "../ring/ring-file";
import { RING_NAMES, type RingName } from "../ring/types";
import { bucketBindingOf, describeUnboundBucket, SHARED_BUCKET_BINDING, unboundBuckets } from "../ring/zone-buckets";
import { assert } from "./assert";
import { SwiftError } from "./errors";

export type Role = ".admin" | ".reseller_admin";

export interface User {
  account: string;
  user: string;
  key: string;
  roles: ReadonlySet<Role>;
}

export interface Config {
  hashPathPrefix: string;
  hashPathSuffix: string;
  tokenLifeSeconds: number;
  maxFileSize: number;
  benchRoutes: boolean;
  /** Seconds a tombstone is kept before it is reclaimed (Swift: reclaim_age). */
  reclaimAgeSeconds: number;
  /** Whether zones can be taken down through /faults (tests and benchmarks; reseller admin only). */
  faultInjection: boolean;
  /** Keyed by `account:user`. */
  users: ReadonlyMap<string, User>;
  tokenSecret: string;
  rings: Record<RingName, Ring>;
  /** R2 bucket of each zone's bodies, keyed by zone id. */
  zoneBuckets: ReadonlyMap<string, R2Bucket>;
  /** Binding name of each zone's bucket: zones naming the same binding share one copy of a body. */
  zoneBucketNames: ReadonlyMap<string, string>;
  replicas: {
    account: DurableObjectNamespace<import("../durable/account-replica").AccountReplica>;
    container: DurableObjectNamespace<import("../durable/container-replica").ContainerReplica>;
    object: DurableObjectNamespace<import("../durable/object-replica").ObjectReplica>;
  };  /** The control record (fault plan, sweep state, reaper queue). */
  control: DurableObjectNamespace<import("../durable/control").Control>;
  /** Per ring and zone: which partitions hold data, and their hashes. */
  ringSummary: DurableObjectNamespace<import("../durable/ring-summary").RingSummary>;

  /** Bench only: the floor Durable Objects behind /bench/* (see src/proxy/bench.ts). */
  benchFloor: DurableObjectNamespace<import("../durable/bench-floor").BenchFloor>;
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
  const value: unknown = (env as unknown as Record<string, unknown>)[name];
  if (value === undefined || value === "") return fallback;
  const number = Number(value);
  if (typeof value !== "string" || !Number.isSafeInteger(number) || number <= 0) {
    throw new ConfigError(name, `must be a positive integer, got "${String(value)}"`);
  }
  return number;
}

/** A "true"/"false" variable; unset is false. */
function flag(env: Env, name: string): boolean {
  const value: unknown = (env as unknown as Record<string, unknown>)[name];
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new ConfigError(name, `must be "true" or "false", got "${String(value)}"`);
}

function positiveInteger(env: Env, name: keyof Env): number {
  const text = requireString(env, name);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(String(name), `must be a positive integer, got "${text}"`);
  return value;
}

/**
 * Users in tempauth's spirit: `account:user=key [.admin] [.reseller_admin]`, separated by `;`
 * or newlines (Swift: `user_<account>_<user> = <key> [roles]`).
 */
export function parseUsers(text: string): Map<string, User> {
  const users = new Map<string, User>();
  const entries = text.split(/[;\n]/).map((line) => line.trim()).filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const match = /^([^:=\s]+):([^=\s]+)=(\S+)((?:\s+\S+)*)$/.exec(entry);
    // Named by position only: the message is served to clients, and a malformed entry may hold its key anywhere.
    if (!match) throw new ConfigError("AUTH_USERS", `has a malformed entry ${index + 1} (want account:user=key [.admin] [.reseller_admin])`);
    const [, account = "", user = "", key = "", roleText = ""] = match;
    const roles = new Set<Role>();
    for (const role of roleText.trim().split(/\s+/).filter(Boolean)) {
      if (role !== ".admin" && role !== ".reseller_admin") throw new ConfigError("AUTH_USERS", `has an unknown role "${role}" for ${account}:${user}`);
      roles.add(role);
    }
    users.set(`${account}:${user}`, { account, user, key, roles });
  }
  return users;
}

function buildConfig(env: Env): Config {
  const hashPathPrefix = requireString(env, "HASH_PATH_PREFIX");
  const hashPathSuffix = requireString(env, "HASH_PATH_SUFFIX");
  const rings = bundledRings({ hashPathPrefix, hashPathSuffix });
  const bindings = env as unknown as Record<string, unknown>;
  // The same rule `edgeswift ring … validate` and `edgeswift check` apply to wrangler.toml; the
  // object ring first, since its zones' buckets hold the bodies.
  for (const ring of ["object", ...RING_NAMES.filter((name) => name !== "object")] as const) {
    const [problem] = unboundBuckets(ring, rings[ring].zones, (binding) => isBucket(bindings[binding]));
    if (problem) throw new ConfigError(problem.binding, describeUnboundBucket(problem));
  }
  const zoneBuckets = new Map<string, R2Bucket>();
  const zoneBucketNames = new Map<string, string>();
  for (const zone of rings.object.zones) {
    const binding = bucketBindingOf(zone);
    const bucket = bindings[binding];
    assert(isBucket(bucket), `unboundBuckets passed zone ${zone.id}'s ${binding}`);
    zoneBuckets.set(zone.id, bucket);
    zoneBucketNames.set(zone.id, binding);
  }
  return {
    hashPathPrefix,
    hashPathSuffix,
    tokenLifeSeconds: positiveInteger(env, "TOKEN_LIFE"),
    maxFileSize: positiveInteger(env, "MAX_FILE_SIZE"),
    benchRoutes: flag(env, "BENCH_ROUTES"),
    reclaimAgeSeconds: optionalPositiveInteger(env, "RECLAIM_AGE", DEFAULT_RECLAIM_AGE_SECONDS),
    faultInjection: flag(env, "FAULT_INJECTION"),
    users: parseUsers(env.AUTH_USERS ?? ""),
    tokenSecret: requireString(env, "AUTH_TOKEN_SECRET"),
    rings,
    zoneBuckets,
    zoneBucketNames,
    replicas: { account: env.ACCOUNT_REPLICA, container: env.CONTAINER_REPLICA, object: env.OBJECT_REPLICA },
    control: env.CONTROL,
    ringSummary: env.RING_SUMMARY,
    benchFloor: env.BENCH_FLOOR,
  };
}

/** The bundled rings; a ring file that does not load is a configuration the Worker cannot serve with. */
function bundledRings(options: { hashPathPrefix: string; hashPathSuffix: string }): Record<RingName, Ring> {
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
