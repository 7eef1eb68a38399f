/**
 * @module
 * Container sharding's shard ranges, pure. A root container past CONTAINER_SHARD_ROWS rows splits
 * its namespace into contiguous ranges `(lower, upper]` ("" below: no lower bound; "" above: no
 * upper bound), each held by a shard: an ordinary container in the hidden account
 * `.shards_<account>`, placed by the container ring like any other. A range moves through
 * Swift's states: found (its bounds chosen), created (its shard container made), cleaved (the
 * root's rows copied into it), active (it serves the range: updates and listings go to it),
 * sharded (a shard that split again: the root lists its children, active, in its place),
 * shrinking (a shard almost empty whose rows are being copied to a neighbour, still serving) and
 * shrunk (its neighbour, widened, serves its range). A shard past the threshold splits as its
 * root did, into shards of the same root.
 * Names compare as SQLite compares them (UTF-8 bytes, i.e. code points), never as JS compares
 * UTF-16 code units. Swift: common/utils ShardRange, container/sharder.py.
 */

import { compareNames } from "./listing";
import { rowHash, treeKey, type Hash } from "./partition-hash";

export { compareNames };

export const SHARD_STATES = ["found", "created", "cleaved", "active", "sharded", "shrinking", "shrunk"] as const;
export type ShardState = (typeof SHARD_STATES)[number];

/** One range of a root container's namespace and the shard container that holds it. */
export interface ShardRange {
  /** The shard container's name, in the account `shardsAccount(root account)`. */
  name: string;
  /** Exclusive lower bound; "" for none. */
  lower: string;
  /** Inclusive upper bound; "" for none. */
  upper: string;
  state: ShardState;
  /** When the range was found (it never changes). */
  timestamp: string;
  /** When the state last changed: the newer state wins a merge. */
  stateTimestamp: string;
  /** The shard's live objects and bytes, as it last reported them. */
  objectCount: number;
  bytesUsed: number;
  /** When the counts were taken: the newer counts win a merge. */
  metaTimestamp: string;
}

/** What a shard reports to its root's replicas whenever its counts change. */
export interface ShardReport {
  /** The root container's account and name. */
  account: string;
  container: string;
  /** The shard container's name (in the root account's shards account). */
  shard: string;
  objectCount: number;
  bytesUsed: number;
  reportedAt: string;
}

/** Swift's hidden account of a root account's shards. */
export const SHARDS_ACCOUNT_PREFIX = ".shards_";

export function shardsAccount(account: string): string {
  return `${SHARDS_ACCOUNT_PREFIX}${account}`;
}

/**
 * Sysmeta a shard container carries: its root (`account/container`) and bounds, so its replicas
 * know where to report their counts. Swift: X-Container-Sysmeta-Shard-Quoted-Root.
 */
export const SHARD_ROOT_META = "x-container-sysmeta-shard-root";
export const SHARD_LOWER_META = "x-container-sysmeta-shard-lower";
export const SHARD_UPPER_META = "x-container-sysmeta-shard-upper";

/** Whether `name` falls in the range `(lower, upper]`. */
export function inRange(range: Pick<ShardRange, "lower" | "upper">, name: string): boolean {
  return (
    (range.lower === "" || compareNames(name, range.lower) > 0) &&
    (range.upper === "" || compareNames(name, range.upper) <= 0)
  );
}

/** The range of `ranges` holding `name`, or null. */
export function rangeOf<R extends Pick<ShardRange, "lower" | "upper">>(ranges: readonly R[], name: string): R | null {
  return ranges.find((range) => inRange(range, name)) ?? null;
}

/** Ranges ordered by their bounds (the one with no lower bound first, the one with no upper bound last). */
export function byLower<R extends Pick<ShardRange, "lower">>(ranges: readonly R[]): R[] {
  return [...ranges].sort((a, b) => compareNames(a.lower, b.lower));
}

/**
 * A shard container's name: Swift's `<root>-<md5(parent)>-<timestamp>-<index>`, unique for the
 * split that found it.
 */
export function shardName(root: string, parentHash: string, timestamp: string, index: number): string {
  return `${root}-${parentHash}-${timestamp}-${index}`;
}

/**
 * The ranges `(lower, upper]` that cover the whole namespace, cut after each of `uppers` (names
 * in ascending order, each the last name of a range); the last range has no upper bound.
 */
export function rangesCutAt(uppers: readonly string[], lower = "", upper = ""): { lower: string; upper: string }[] {
  const bounds = [lower, ...uppers];
  return bounds.map((from, index) => ({ lower: from, upper: uppers[index] ?? upper }));
}

/**
 * A container's root (`account/container` in its sysmeta) when it is a shard, else null. Only a
 * container of that root's shards account is one: sysmeta naming another account's root (which no
 * client can set: the gatekeeper drops it) makes no container a shard of it.
 */
export function shardRootOf(row: {
  account: string;
  metadata: Record<string, { value: string }>;
}): { account: string; container: string } | null {
  const root = row.metadata[SHARD_ROOT_META]?.value;
  if (!root) return null;
  const slash = root.indexOf("/");
  const account = root.slice(0, slash);
  if (slash <= 0 || row.account !== shardsAccount(account)) return null;
  return { account, container: root.slice(slash + 1) };
}
/** A shard's bounds, from its sysmeta. */
export function shardBoundsOf(metadata: Record<string, { value: string }>): { lower: string; upper: string } {
  return { lower: metadata[SHARD_LOWER_META]?.value ?? "", upper: metadata[SHARD_UPPER_META]?.value ?? "" };
}

/**
 * The root a container's shards belong to: its own root when it is a shard (a shard split again),
 * else itself; its shards live in that root's shards account.
 */
export function rootOf(row: { account: string; container: string; metadata: Record<string, { value: string }> }): {
  account: string;
  container: string;
} {
  return shardRootOf(row) ?? { account: row.account, container: row.container };
}

/**
 * Two replicas' copies of one range merged: the newer state (its timestamp, with its bounds) and
 * the newer counts (theirs) each win.
 */
export function mergeShardRange(current: ShardRange | null, incoming: ShardRange): ShardRange {
  if (!current) return incoming;
  const state = incoming.stateTimestamp > current.stateTimestamp ? incoming : current;
  const counts = incoming.metaTimestamp > current.metaTimestamp ? incoming : current;
  return {
    ...current,
    // An acceptor's bounds widen with the state change that makes it take its donor's range.
    lower: state.lower,
    upper: state.upper,
    state: state.state,
    stateTimestamp: state.stateTimestamp,
    objectCount: counts.objectCount,
    bytesUsed: counts.bytesUsed,
    metaTimestamp: counts.metaTimestamp,
  };
}

/** Swift's shard_shrink_point and shard_shrink_merge_point, as shares of CONTAINER_SHARD_ROWS. */
export const SHRINK_POINT = 0.1;
export const SHRINK_MERGE_POINT = 0.75;

/**
 * A shard to shrink and the neighbour to take its range (Swift: find_shrinking_candidates): the
 * first serving range with at most SHRINK_POINT of `threshold` objects whose neighbour (the one
 * above, else the one below) would hold at most SHRINK_MERGE_POINT of it with the donor's
 * objects; null when none, or when fewer than two ranges serve.
 */
export function shrinkCandidate(
  serving: readonly ShardRange[],
  threshold: number,
): { donor: ShardRange; acceptor: ShardRange } | null {
  const ordered = byLower(serving);
  if (ordered.length < 2) return null;
  for (const [index, donor] of ordered.entries()) {
    if (donor.objectCount > Math.floor(threshold * SHRINK_POINT)) continue;
    const acceptor = ordered[index + 1] ?? ordered[index - 1];
    if (acceptor && donor.objectCount + acceptor.objectCount <= threshold * SHRINK_MERGE_POINT)
      return { donor, acceptor };
  }
  return null;
}

/** The range two adjacent ranges cover together. */
export function unionOf(a: Pick<ShardRange, "lower" | "upper">, b: Pick<ShardRange, "lower" | "upper">) {
  const [first, second] = a.lower === "" || (b.lower !== "" && compareNames(a.lower, b.lower) < 0) ? [a, b] : [b, a];
  return { lower: first.lower, upper: second.upper };
}

/** Whether `children` (any order) cover exactly `(lower, upper]`, each starting where the one before ends. */
export function covers(
  parent: Pick<ShardRange, "lower" | "upper">,
  children: readonly Pick<ShardRange, "lower" | "upper">[],
): boolean {
  const ordered = byLower(children);
  if (!ordered.length || ordered[0]?.lower !== parent.lower || ordered[ordered.length - 1]?.upper !== parent.upper)
    return false;
  return ordered.every((range, index) => index === 0 || ordered[index - 1]?.upper === range.lower);
}

/** A range's row hash: its bounds, state and counts (not when the counts were reported, which each zone learns at its own moment). */
export function shardRangeHash(containerKey: string, range: ShardRange): Hash {
  return rowHash(
    treeKey.shardRange(containerKey, range.name),
    [
      range.lower,
      range.upper,
      range.timestamp,
      range.state,
      range.stateTimestamp,
      `${range.objectCount}/${range.bytesUsed}`,
    ],
    0,
  );
}
