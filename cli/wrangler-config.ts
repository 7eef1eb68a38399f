/**
 * @module
 * What the operator tools read from wrangler.toml: the R2 bucket bindings (which the rings'
 * zones must name), the cron triggers (which `npm start` fires locally) and the storage policies
 * (each needs its object ring). Parsed with
 * smol-toml, so a file wrangler accepts is read the same way here.
 */
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { CliError } from "./ring-files.ts";

/** The parts of wrangler.toml the operator tools check against. */
export interface WranglerConfig {
  path: string;
  /** `binding` of every `[[r2_buckets]]` entry. */
  r2BucketBindings: ReadonlySet<string>;
  /** `[triggers] crons`: when Cloudflare runs the Worker's scheduled() (UTC). */
  crons: readonly string[];
  /** `[vars] STORAGE_POLICIES` ("" when unset: Swift's single policy 0). */
  storagePolicies: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** wrangler.toml at `path`, or a CliError naming the file when it cannot be read or is not TOML. */
export function readWranglerConfig(path: string): WranglerConfig {
  let toml: Record<string, unknown>;
  try {
    toml = parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    throw new CliError(`cannot read ${path}: ${reason}`);
  }
  const r2BucketBindings = new Set<string>();
  const buckets = toml.r2_buckets ?? [];
  if (!Array.isArray(buckets)) throw new CliError(`${path}: r2_buckets must be a list of [[r2_buckets]] tables`);
  for (const [index, bucket] of buckets.entries()) {
    if (!isRecord(bucket) || typeof bucket.binding !== "string")
      throw new CliError(`${path}: [[r2_buckets]] number ${index + 1} has no binding`);
    r2BucketBindings.add(bucket.binding);
  }
  const triggers = toml.triggers ?? {};
  const crons = isRecord(triggers) ? (triggers.crons ?? []) : null;
  if (!Array.isArray(crons) || !crons.every((cron): cron is string => typeof cron === "string")) {
    throw new CliError(`${path}: [triggers] crons must be a list of cron expressions`);
  }
  const vars = isRecord(toml.vars) ? toml.vars : {};
  const storagePolicies = vars.STORAGE_POLICIES ?? "";
  if (typeof storagePolicies !== "string") throw new CliError(`${path}: [vars] STORAGE_POLICIES must be a string`);
  return { path, r2BucketBindings, crons, storagePolicies };
}
