/**
 * @module
 * The bench Worker's bindings and configuration. wrangler.bench.toml binds what wrangler.toml
 * binds (Env, from `wrangler types`; test/cli/bench-config.test.ts keeps the two files in step)
 * and BENCH_FLOOR; benchConfig(env) is the production Config (src/config/config.ts) plus the
 * BenchFloor namespace. The replica namespaces keep their production types (a namespace's type
 * takes no subclass): the seeding calls reach seedRows (replicas.ts) through a cast.
 */

import { ConfigError, parseConfig, type Config } from "../../src/config/config";
import type { BenchFloor } from "./bench-floor";

export interface BenchEnv extends Env {
  BENCH_FLOOR: DurableObjectNamespace<BenchFloor>;
}

export interface BenchConfig extends Config {
  /** The floor Durable Objects behind /bench/floor/* (floor-routes.ts). */
  benchFloor: DurableObjectNamespace<BenchFloor>;
}

const cache = new WeakMap<object, BenchConfig>();

/**
 * parseConfig(env) and the BenchFloor namespace, memoised per isolate; ConfigError (a 503) as parseConfig throws it.
 */
export function benchConfig(env: BenchEnv): BenchConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  const benchFloor: unknown = Reflect.get(env, "BENCH_FLOOR");
  if (typeof benchFloor !== "object" || benchFloor === null)
    throw new ConfigError("BENCH_FLOOR", "is not a Durable Object binding (see wrangler.bench.toml)");
  const result: BenchConfig = { ...config, benchFloor: env.BENCH_FLOOR };
  cache.set(env, result);
  return result;
}
