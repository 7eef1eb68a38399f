/**
 * @module
 * The rings against wrangler.toml: every R2 binding a zone needs must be an `[[r2_buckets]]`
 * binding (src/ring/zone-buckets.ts, the rule the Worker's parseConfig applies to its env), and
 * every cron trigger must parse. `edgeswift check` runs it for the three ring files the Worker
 * bundles, before `npm start` and `npm run deploy`; `ring … validate`, `add` and `rebalance` use
 * `unboundInConfig` for one ring.
 */
import { defineCommand } from "citty";
import { Ring } from "../src/ring/ring.ts";
import { RingFileError } from "../src/ring/ring-file.ts";
import { parseStoragePolicies, StoragePolicyError } from "../src/config/storage-policies.ts";
import { RING_NAMES, type RingName, type Zone } from "../src/ring/types.ts";
import { describeUnboundBucket, unboundBuckets, type UnboundBucket } from "../src/ring/zone-buckets.ts";
import { CliError, readRing, ringFileNames, ringIndex, ringIndexPath, ringPath } from "./ring-files.ts";
import { existsSync, readFileSync } from "node:fs";
import { cronOf } from "./schedule.ts";
import { readWranglerConfig, type WranglerConfig } from "./wrangler-config.ts";
import { JSON_ARG } from "./cluster.ts";
import { printJson } from "./output.ts";

/** The options every command that checks bindings takes. */
export const CONFIG_ARG = {
  config: {
    type: "string",
    alias: "c",
    description: "the Worker's wrangler.toml, whose [[r2_buckets]] bindings the zones' buckets must be",
    default: "wrangler.toml",
    valueHint: "file",
  },
} as const;

/** The bindings `ring`'s zones need that wrangler.toml does not bind (empty when all are bound). */
export function unboundInConfig(ring: RingName, zones: readonly Zone[], config: WranglerConfig): UnboundBucket[] {
  const distinct = new Map(zones.map((zone) => [`${zone.id}\0${zone.bucket ?? ""}`, zone]));
  return unboundBuckets(ring, [...distinct.values()], (binding) => config.r2BucketBindings.has(binding));
}

/** "object: BODIES_Z4 is not an [[r2_buckets]] binding in wrangler.toml (zone z4 of the object ring names it)" */
export function describeUnbound(problem: UnboundBucket, config: WranglerConfig): string {
  const description = describeUnboundBucket(problem, `an [[r2_buckets]] binding in ${config.path}`);
  return `${problem.ring}: ${problem.binding} ${description}`;
}

/** What to add to wrangler.toml for the bindings `problems` name. */
export function bindingHint(problems: readonly UnboundBucket[], config: WranglerConfig): string {
  const bindings = [...new Set(problems.map((problem) => problem.binding))];
  const blocks = bindings.map(
    (binding) => `[[r2_buckets]]\nbinding = "${binding}"\nbucket_name = "<the zone's R2 bucket>"`,
  );
  return (
    `add to ${config.path} (and create each bucket with \`npx wrangler r2 bucket create <bucket_name>\` ` +
    `before deploying):\n\n${blocks.join("\n\n")}\n`
  );
}

/** What `checkCluster` found: problems to print (none: all good) and a one-line summary. */
export interface ClusterCheck {
  problems: string[];
  hint: string | null;
  summary: string;
}

/**
 * The three ring files in `dir` against the wrangler.toml at `configPath`: each loads as the
 * Worker loads it, every bucket binding their zones need is bound, every cron trigger parses.
 */
export function checkCluster(dir: string, configPath: string): ClusterCheck {
  let config: WranglerConfig;
  try {
    config = readWranglerConfig(configPath);
  } catch (error) {
    if (error instanceof CliError) return { problems: [error.message], hint: null, summary: "" };
    throw error;
  }
  const problems: string[] = [];
  const unbound: UnboundBucket[] = [];
  const rings = [...RING_NAMES, ...ringFileNames(dir).filter((ring) => !RING_NAMES.includes(ring))];
  problems.push(...policyProblems(dir, config, rings));
  for (const ring of rings) {
    try {
      const file = readRing(dir, ring);
      if (file === null) {
        problems.push(`${ring}: ${ringPath(dir, ring)} does not exist: run "edgeswift ring ${ring} rebalance"`);
        continue;
      }
      if (file.ring !== ring) throw new RingFileError(`${ringPath(dir, ring)} holds the ${file.ring} ring`);
      // The table's checks do not depend on the hash prefix and suffix (they only place paths).
      Ring.fromFile(file, { hashPathPrefix: "", hashPathSuffix: "" });
      unbound.push(...unboundInConfig(ring, file.zones, config));
    } catch (error) {
      if (error instanceof CliError || error instanceof RingFileError) problems.push(`${ring}: ${error.message}`);
      else throw error;
    }
  }
  for (const cron of config.crons) {
    try {
      cronOf(cron);
    } catch (error) {
      if (error instanceof CliError) problems.push(`${config.path}: [triggers] crons: ${error.message}`);
      else throw error;
    }
  }
  problems.push(...unbound.map((problem) => describeUnbound(problem, config)));
  const summary =
    `rings and ${config.path} agree: ${rings.join(", ")} rings, ` +
    `R2 bucket bindings ${[...config.r2BucketBindings].join(", ") || "none"}, ` +
    `crons ${config.crons.join(", ") || "none"}`;
  return { problems, hint: unbound.length > 0 ? bindingHint(unbound, config) : null, summary };
}

/**
 * STORAGE_POLICIES against the ring files, as the Worker's parseConfig checks them: the policies
 * parse, each has its object ring and each object ring a policy; and rings/index.ts lists every
 * ring file (the Worker bundles only what it lists).
 */
function policyProblems(dir: string, config: WranglerConfig, rings: readonly RingName[]): string[] {
  const problems: string[] = [];
  try {
    const policies = parseStoragePolicies(config.storagePolicies);
    for (const policy of policies.all) {
      if (!rings.includes(policy.ring))
        problems.push(
          `${config.path}: STORAGE_POLICIES names policy ${policy.index} (${policy.name}), ` +
            `but ${ringPath(dir, policy.ring)} does not exist: run "edgeswift ring ${policy.ring} create"`,
        );
    }
    for (const ring of rings.filter((name) => name.startsWith("object-"))) {
      if (!policies.all.some((policy) => policy.ring === ring))
        problems.push(
          `${ring}: ${ringPath(dir, ring)} belongs to no storage policy in ${config.path}'s STORAGE_POLICIES`,
        );
    }
  } catch (error) {
    if (!(error instanceof StoragePolicyError)) throw error;
    problems.push(`${config.path}: STORAGE_POLICIES ${error.message}`);
  }
  const index = ringIndexPath(dir);
  const expected = ringIndex(ringFileNames(dir));
  if (!existsSync(index) || readFileSync(index, "utf8") !== expected) {
    problems.push(
      `${index} does not list the ring files in ${dir}: ` +
        `run "edgeswift ring object rebalance" (any ring's rebalance rewrites it)`,
    );
  }
  return problems;
}

/** Prints a failed check to stderr; true when there was nothing to print. */
export function reportCheck(check: ClusterCheck): boolean {
  for (const problem of check.problems) console.error(problem);
  if (check.hint !== null) console.error(`\n${check.hint}`);
  return check.problems.length === 0;
}

/** `edgeswift check`: what `npm start` and `npm run deploy` run first. */
export const checkCommand = defineCommand({
  meta: {
    name: "check",
    description: "check the ring files against wrangler.toml (bindings, crons); exit 1 on problems",
  },
  args: {
    dir: { type: "string", description: "folder of the ring files", default: "rings", valueHint: "folder" },
    ...CONFIG_ARG,
    ...JSON_ARG,
  },
  run({ args }) {
    const check = checkCluster(args.dir, args.config);
    if (args.json) printJson({ ok: check.problems.length === 0, ...check });
    else if (reportCheck(check)) console.log(check.summary);
    return check.problems.length === 0 ? 0 : 1;
  },
});
