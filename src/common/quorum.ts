/**
 * @module
 * How many replicas make a quorum. Swift: common/utils quorum_size.
 */

/** Replies needed to answer: `(n + 1) // 2`, 2 of 3. */
export function quorumSize(replicaCount: number): number {
  return Math.floor((replicaCount + 1) / 2);
}
