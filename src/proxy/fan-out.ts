/**
 * @module
 * Talking to the replicas of one partition: writes go to every primary at once, a primary that
 * fails at the runtime level (503) is covered by the next handoff, and the answer is ready once
 * every replica replied or a quorum of zones replied and the stragglers had POST_QUORUM_TIMEOUT_MS
 * more; what a write left undone is named for repair. Reads ask one replica at a time until one
 * has the row (or all at once for X-Newest).
 * Swift: proxy/controllers/base.py make_requests, GetOrHeadHandler; obj.py _get_put_connections.
 */

import { POST_QUORUM_TIMEOUT_MS } from "../common/constraints";
import { quorumSize } from "../common/quorum";
import type { ReplicaReply } from "../common/replies";
import { hasQuorum, zonesAnswering, type SlotReply } from "./quorum";

export interface ZoneReply<T> {
  zone: string;
  reply: ReplicaReply<T>;
}

/**
 * Calls every primary in parallel, replacing a primary that answered 503 (and was not overloaded:
 * see ReplicaReply.overloaded) with the next unused handoff, which is told the primary it stands in
 * for (`standingFor`; null for a primary), so it later hands the write to that primary alone. The
 * post-quorum wait starts once successes came from a quorum of distinct zones (a handoff in an
 * answering primary's zone adds none; `enough` says when the replies make one: by default a
 * write's); replies still missing after it count as 503. Reply `i` stands for `primaries[i]`.
 */
export async function fanOut<T>(
  primaries: readonly string[],
  handoffs: readonly string[],
  call: (zone: string, standingFor: string | null) => Promise<ReplicaReply<T>>,
  postQuorumTimeoutMs = POST_QUORUM_TIMEOUT_MS,
  enough: (replies: readonly SlotReply[], replicaCount: number) => boolean = hasQuorum,
): Promise<ZoneReply<T>[]> {
  const spare = [...handoffs];
  const results: (ZoneReply<T> | undefined)[] = primaries.map(() => undefined);
  let settle: () => void = () => undefined;
  const quorumReached = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const attempts = primaries.map(async (primary, index) => {
    let zone = primary;
    let reply = await call(zone, null);
    // An overloaded primary is not covered by a handoff: that would only move its load.
    while (reply.status === 503 && !reply.overloaded) {
      const next = spare.shift();
      if (next === undefined) break;
      zone = next;
      reply = await call(zone, primary);
    }
    results[index] = { zone, reply };
    if (
      enough(
        results.filter((result): result is ZoneReply<T> => result !== undefined),
        primaries.length,
      )
    )
      settle();
  });
  const all = Promise.all(attempts);
  let timer: ReturnType<typeof setTimeout> | null = null;
  await Promise.race([
    all,
    quorumReached.then(
      () =>
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, postQuorumTimeoutMs);
        }),
    ),
  ]);
  clearTimeout(timer);
  return results.map((result, index) => result ?? { zone: primaries[index] ?? "", reply: { status: 503 } });
}

/**
 * A replica that must repair after a write; on a handoff, the primaries it must hand the write to besides the one it
 * stood in for.
 */
export interface RepairDuty {
  slot: string;
  owed: string[];
}

/**
 * Who must repair after a write so that every primary it missed gets it within seconds, not at
 * the next sweep. Nothing when every primary answered alike. A handoff that answered as every
 * other replica did covers the primary it stood in for: it reverts to it by itself. A primary
 * nobody covered (its handoffs taken or down) is repaired by every primary that answered, whose
 * repair compares with all its peers; when no primary answered, the handoffs that did are told to
 * owe it too. When replies disagree (a 404 beside a 204: which replica took the write is unknown),
 * every replica that answered repairs, and each handoff among them hands what it holds to every
 * primary, not only the one it stood in for: a primary that repaired before the handoff's revert
 * reached its peer would otherwise never hear of it. `replies[i]` stands for `primaries[i]`, as
 * fanOut returns them.
 */
export function repairDuties(primaries: readonly string[], replies: readonly ZoneReply<unknown>[]): RepairDuty[] {
  const answered = replies.filter((r) => r.reply.status !== 503);
  const agreed = new Set(answered.map((r) => r.reply.status)).size <= 1;
  const uncovered = primaries.filter((primary, index) => {
    const reply = replies[index];
    if (!reply || reply.reply.status === 503) return true;
    return reply.zone !== primary && !agreed;
  });
  if (agreed && !uncovered.length) return [];
  const isPrimary = (r: ZoneReply<unknown>) => primaries.includes(r.zone);
  if (agreed) {
    const byPrimaries = answered.filter(isPrimary);
    if (byPrimaries.length) return byPrimaries.map((r) => ({ slot: r.zone, owed: [] }));
    return answered.map((r) => ({ slot: r.zone, owed: uncovered }));
  }
  return answered.map((r) => ({ slot: r.zone, owed: isPrimary(r) ? [] : [...primaries] }));
}

/**
 * Asks replicas one at a time, in order, until one answers 2xx; returns it, or every reply
 * when none did. A 404 from a replica is not final: another may hold the row (Swift reads
 * on through the primaries and handoffs).
 */
export async function readFirst<T>(
  zones: readonly string[],
  call: (zone: string) => Promise<ReplicaReply<T>>,
): Promise<{ found: ZoneReply<T> | null; replies: ZoneReply<T>[] }> {
  const replies: ZoneReply<T>[] = [];
  for (const zone of zones) {
    const reply = await call(zone);
    const zoneReply = { zone, reply };
    replies.push(zoneReply);
    if (reply.status >= 200 && reply.status < 300) return { found: zoneReply, replies };
  }
  return { found: null, replies };
}

/**
 * Asks every replica at once and keeps the reply with the newest timestamp (Swift: X-Newest): a
 * 2xx, or nothing when the newest is a tombstone (a 404 with a timestamp), so a DELETE that not
 * every replica has yet still reads as deleted.
 */
export async function readNewest<T>(
  zones: readonly string[],
  call: (zone: string) => Promise<ReplicaReply<T>>,
): Promise<{ found: ZoneReply<T> | null; replies: ZoneReply<T>[] }> {
  const replies = await Promise.all(zones.map(async (zone) => ({ zone, reply: await call(zone) })));
  return { found: newestOf(replies), replies };
}

/**
 * Asks every primary at once, a handoff covering one that fails as for a write (fanOut), and keeps
 * the newest reply as readNewest does, once replies (404s too) came from a quorum of distinct
 * zones and the others had POST_QUORUM_TIMEOUT_MS more. A write or delete was acknowledged by a
 * quorum of zones, so the two quorums share a zone and the read sees it (R + W > N, over zones).
 */
export async function readQuorum<T>(
  primaries: readonly string[],
  handoffs: readonly string[],
  call: (zone: string) => Promise<ReplicaReply<T>>,
): Promise<{ found: ZoneReply<T> | null; replies: ZoneReply<T>[] }> {
  const replies = await fanOut(primaries, handoffs, call, POST_QUORUM_TIMEOUT_MS, answeredByQuorum);
  if (!answeredByQuorum(replies, primaries.length)) return { found: null, replies };
  return { found: newestOf(replies), replies };
}

/** Whether replies (of any status but 503) came from a quorum of distinct zones. */
export function answeredByQuorum(replies: readonly SlotReply[], replicaCount: number): boolean {
  return zonesAnswering(replies, (status) => status !== 503) >= quorumSize(replicaCount);
}

/** The reply with the newest timestamp if it is a 2xx; null when it is a tombstone (a 404 with a timestamp) or none is. */
function newestOf<T>(replies: readonly ZoneReply<T>[]): ZoneReply<T> | null {
  let newest: ZoneReply<T> | null = null;
  for (const candidate of replies) {
    const { status, timestamp } = candidate.reply;
    const success = status >= 200 && status < 300;
    if (!success && !(status === 404 && timestamp !== undefined)) continue;
    const best = newest?.reply.timestamp ?? "";
    // On equal timestamps the tombstone wins, as the merge decides (merge.ts dataWinner).
    if (!newest || (timestamp ?? "") > best || ((timestamp ?? "") === best && !success && newest.reply.status !== 404))
      newest = candidate;
  }
  return newest && newest.reply.status >= 200 && newest.reply.status < 300 ? newest : null;
}

/**
 * The order a read asks replicas in: the primary zone nearest the caller first and the other
 * primaries in ring order (read affinity), or, when no primary is known nearest, the primaries in
 * a random order (Swift: sorting_method = shuffle); then the handoffs.
 */
export function readOrder(
  primaries: readonly string[],
  handoffs: readonly string[],
  random: () => number,
  nearest: string | null = null,
): string[] {
  if (nearest !== null && primaries.includes(nearest)) {
    return [nearest, ...primaries.filter((zone) => zone !== nearest), ...handoffs];
  }
  const shuffled = [...primaries];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = shuffled[i];
    const b = shuffled[j];
    if (a !== undefined && b !== undefined) {
      shuffled[i] = b;
      shuffled[j] = a;
    }
  }
  return [...shuffled, ...handoffs];
}
