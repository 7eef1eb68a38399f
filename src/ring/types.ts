/**
 * @module
 * The ring's data: ring names, zones, and the two JSON files the ring CLI writes — the ring file
 * the Worker bundles (`rings/<ring>.ring.json`) and the builder file it keeps beside it
 * (`rings/<ring>.builder.json`), after Swift's `<ring>.ring.gz` and `<ring>.builder`.
 */

/** The three kinds of ring, one per resource level. Swift: account.ring.gz, container.ring.gz, object.ring.gz. */
export type RingKind = "account" | "container" | "object";

/**
 * An object ring: `object` for storage policy 0, `object-<index>` for every other policy
 * (Swift: object.ring.gz, object-1.ring.gz, …).
 */
export type ObjectRingName = "object" | `object-${number}`;

/** A ring's name: its file is `rings/<name>.ring.json` and its replicas are named `<name>/<partition>/<zone>`. */
export type RingName = "account" | "container" | ObjectRingName;

/** The three rings every cluster has, in Swift's order (policy rings beside `object` are optional). */
export const RING_NAMES: readonly RingName[] = ["account", "container", "object"];

/** Policy indexes Swift accepts (storage_policy.py: a non-negative int); bounded so names stay short. */
export const MAX_POLICY_INDEX = 999_999;

const POLICY_RING_PATTERN = /^object-([1-9][0-9]{0,5})$/;

/** True when `value` names a ring: account, container, object or object-<policy index ≥ 1>. */
export function isRingName(value: unknown): value is RingName {
  return (
    value === "account" ||
    value === "container" ||
    value === "object" ||
    (typeof value === "string" && POLICY_RING_PATTERN.test(value))
  );
}

/** The kind of a ring: an object ring of any policy is an `object` ring. */
export function ringKind(name: RingName): RingKind {
  return name === "account" || name === "container" ? name : "object";
}

/** The object ring of a storage policy: `object` for 0, `object-<index>` for the others. */
export function objectRingName(policyIndex: number): ObjectRingName {
  return policyIndex === 0 ? "object" : `object-${policyIndex}`;
}

/** The storage policy index of an object ring. */
export function policyIndexOf(name: ObjectRingName): number {
  return name === "object" ? 0 : Number(name.slice("object-".length));
}

/**
 * A failure domain: where a zone's replica Durable Objects live and which R2 bucket holds its
 * object bodies. Swift's device list collapses to zones here: one zone is one `dev` in the ring.
 */
export interface Zone {
  /** Short name used in replica names (`object/17/z1`): letters, digits, `_`, `-`, `.`. */
  id: string;
  /** Durable Object location hint for the zone's replicas ("enam", "weur", "apac", …), or null. */
  locationHint: string | null;
  /** Relative share of partition-replicas the zone should hold; 0 drains the zone. */
  weight: number;
  /** Name of the R2 binding holding this zone's bodies ("BODIES_Z1"), or null for one shared bucket. */
  bucket: string | null;
}

/** The `format` tag of a ring file. */
export const RING_FILE_FORMAT = "edgeswift-ring/1";

/**
 * A built ring as the Worker loads it: Swift's `RingData` (`devs`, `_replica2part2dev_id`,
 * `part_shift`) with zones for devices.
 *
 * `replica2Partition2Zone[r]` is the base64 of `2^partPower` zone indexes (indexes into `zones`)
 * for replica `r`: one byte each when `zoneIndexBytes` is 1, two bytes little-endian when it is 2.
 * A ring of part power 18 with 3 replicas and fewer than 256 zones is about 1 MB of JSON.
 */
export interface RingFile {
  format: typeof RING_FILE_FORMAT;
  ring: RingName;
  /** The builder's version when this file was written; grows with every rebalance. */
  version: number;
  partPower: number;
  replicaCount: number;
  zones: Zone[];
  zoneIndexBytes: 1 | 2;
  replica2Partition2Zone: string[];
}

/** The `format` tag of a builder file. */
export const BUILDER_FILE_FORMAT = "edgeswift-builder/1";

/** A zone as the builder keeps it: `removed` zones give up their partitions at the next rebalance. */
export interface BuilderZone extends Zone {
  removed: boolean;
}

/**
 * The state swift-ring-builder keeps in `<ring>.builder`, as JSON: the parameters, the zones and
 * the assignment table, plus what min_part_hours needs.
 *
 * - `replica2Partition2Zone[r]`: base64 of `2^partPower` little-endian uint16 indexes into
 *   `zones`, 0xffff for "not assigned"; null until the first rebalance.
 * - `partitionMovedAt`: base64 of one little-endian uint32 per partition, the Unix second it
 *   last moved (0: never); null until the first rebalance. Swift keeps whole hours since an
 *   epoch (`_last_part_moves`), which lets a partition move again up to an hour early when two
 *   rebalances fall within the same hour; seconds keep min_part_hours exact.
 * - `seed`: seeds the builder's own PRNG, so the same inputs always give the same ring.
 */
export interface BuilderFile {
  format: typeof BUILDER_FILE_FORMAT;
  ring: RingName;
  partPower: number;
  replicas: number;
  minPartHours: number;
  zones: BuilderZone[];
  replica2Partition2Zone: string[] | null;
  partitionMovedAt: string | null;
  seed: number;
  /** Grows by one with every rebalance (Swift: `version`). */
  version: number;
  /** Zones were added, removed or reweighted since the last rebalance (Swift: `devs_changed`). */
  zonesChanged: boolean;
}
