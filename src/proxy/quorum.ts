/**
 * @module
 * How the proxy counts replica replies, pure. Swift: common/utils quorum_size,
 * proxy/controllers/base.py have_quorum, best_response.
 */

/** Replies needed to answer: `(n + 1) // 2`, 2 of 3. */
export function quorumSize(replicaCount: number): number {
  return Math.floor((replicaCount + 1) / 2);
}

/**
 * The status to answer with: within the first status class (2xx, 3xx, 4xx) that reached a
 * quorum, the highest status seen; 503 when no class did. Swift: best_response.
 */
export function bestStatus(statuses: readonly number[], replicaCount = statuses.length): number {
  const quorum = quorumSize(replicaCount);
  for (const hundred of [200, 300, 400]) {
    const inClass = statuses.filter((status) => status >= hundred && status < hundred + 100);
    if (inClass.length >= quorum) return Math.max(...inClass);
  }
  return 503;
}

/** Whether enough replies of one success class arrived. */
export function hasQuorum(statuses: readonly number[], replicaCount: number): boolean {
  return statuses.filter((status) => status >= 200 && status < 300).length >= quorumSize(replicaCount);
}
