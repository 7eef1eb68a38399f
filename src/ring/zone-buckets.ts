/**
 * @module
 * Which R2 bindings the rings' zones need, and which of them are missing: one rule that the
 * Worker applies to its env (config/config.ts parseConfig) and the ring CLI to wrangler.toml
 * (`validate`, `rebalance`, `check`), so a ring the CLI accepts is a ring the Worker serves.
 * Pure: the caller says which names are R2 bucket bindings.
 */
import type { RingName, Zone } from "./types.ts";

/** The binding zones without a bucket of their own use: one bucket shared by all zones. */
export const SHARED_BUCKET_BINDING = "BODIES";

/** The R2 binding holding an object ring zone's bodies: its own, or the shared one. */
export function bucketBindingOf(zone: Zone): string {
  return zone.bucket ?? SHARED_BUCKET_BINDING;
}

/** A binding some zones of one ring need that is not an R2 bucket binding. */
export interface UnboundBucket {
  ring: RingName;
  binding: string;
  /** Ids of the ring's zones that need it, in ring order. */
  zones: string[];
  /** True when the zones name no bucket and fall back to SHARED_BUCKET_BINDING. */
  shared: boolean;
}

/**
 * The bindings `ring`'s zones need that `isBucketBinding` rejects, one entry per binding in
 * zone order. A zone that names a bucket needs that binding, in every ring (a name that binds
 * nothing is a mistake even where no body is stored); an object ring zone that names none
 * needs the shared `BODIES` binding. Account and container rings store no bodies, so their
 * zones need no bucket.
 */
export function unboundBuckets(
  ring: RingName,
  zones: readonly Zone[],
  isBucketBinding: (binding: string) => boolean,
): UnboundBucket[] {
  const problems = new Map<string, UnboundBucket>();
  for (const zone of zones) {
    if (zone.bucket === null && ring !== "object") continue;
    const binding = bucketBindingOf(zone);
    if (isBucketBinding(binding)) continue;
    const problem = problems.get(binding) ?? { ring, binding, zones: [], shared: zone.bucket === null };
    problem.zones.push(zone.id);
    problems.set(binding, problem);
  }
  return [...problems.values()];
}

/**
 * What is wrong, to follow the binding's name: "is not an R2 bucket binding (zone z4 of the
 * object ring names it)". `what` says what kind of binding it should be, and where.
 */
export function describeUnboundBucket(problem: UnboundBucket, what = "an R2 bucket binding"): string {
  const one = problem.zones.length === 1;
  const zones = `${one ? "zone" : "zones"} ${problem.zones.join(", ")} of the ${problem.ring} ring`;
  const why = problem.shared
    ? `${zones} ${one ? "names no bucket of its own and shares" : "name no bucket of their own and share"} it`
    : `${zones} ${one ? "names" : "name"} it`;
  return `is not ${what} (${why})`;
}
