/**
 * @module
 * How the proxy counts replica replies, pure. Swift: common/utils quorum_size,
 * proxy/controllers/base.py have_quorum, best_response. Unlike Swift, a write counts distinct
 * zones, not replies: a handoff slot in a zone that also answered for a primary adds nothing, so an
 * acknowledged write survives the loss of any one zone.
 */

import { quorumSize } from "../common/quorum";
import { slotZone } from "../durable/identity";

/** One replica's answer as the proxy counts it: the slot that answered (`z1`, `z1/handoff`) and its status. */
export interface SlotReply {
  zone: string;
  reply: { status: number };
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

/** How many distinct zones answered with a status `counts` accepts (a primary and a handoff in one zone count once). */
export function zonesAnswering(replies: readonly SlotReply[], counts: (status: number) => boolean): number {
  return new Set(replies.filter((r) => counts(r.reply.status)).map((r) => slotZone(r.zone))).size;
}

/**
 * The status to answer a write with (object, container or account; PUT, POST or DELETE): within
 * the first status class (2xx, 3xx, 4xx) whose replies came from a quorum of distinct zones, the
 * highest status seen; 503 when no class did. `replicaCount` is the ring's replica count.
 * Swift: best_response, counting zones where Swift counts nodes.
 */
export function writeStatus(replies: readonly SlotReply[], replicaCount: number): number {
  const quorum = quorumSize(replicaCount);
  for (const hundred of [200, 300, 400]) {
    const inClass = (status: number) => status >= hundred && status < hundred + 100;
    if (zonesAnswering(replies, inClass) >= quorum)
      return Math.max(...replies.map((r) => r.reply.status).filter(inClass));
  }
  return 503;
}

/** Whether a write's replies make a successful quorum of zones. */
export function hasQuorum(replies: readonly SlotReply[], replicaCount: number): boolean {
  const status = writeStatus(replies, replicaCount);
  return status >= 200 && status < 300;
}
