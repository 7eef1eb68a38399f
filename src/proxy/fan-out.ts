/**
 * @module
 * Talking to the replicas of one partition: writes go to every primary at once, a primary that
 * fails at the runtime level (503) is covered by the next handoff, and the answer is ready once
 * every replica replied or a quorum replied and the stragglers had POST_QUORUM_TIMEOUT_MS more.
 * Reads ask one replica at a time until one has the row (or all at once for X-Newest).
 * Swift: proxy/controllers/base.py make_requests, GetOrHeadHandler; obj.py _get_put_connections.
 */

import { POST_QUORUM_TIMEOUT_MS } from "../common/constraints";
import type { ReplicaReply } from "../common/replies";
import { quorumSize } from "./quorum";

export interface ZoneReply<T> {
  zone: string;
  reply: ReplicaReply<T>;
}

/**
 * Calls every primary in parallel, replacing a primary that answered 503 with the next unused
 * handoff, which is told the primary it stands in for (`standingFor`; null for a primary), so it
 * later hands the write to that primary alone. Replies that are still missing after the
 * post-quorum wait count as 503.
 */
export async function fanOut<T>(
  primaries: readonly string[],
  handoffs: readonly string[],
  call: (zone: string, standingFor: string | null) => Promise<ReplicaReply<T>>,
  postQuorumTimeoutMs = POST_QUORUM_TIMEOUT_MS,
): Promise<ZoneReply<T>[]> {
  const spare = [...handoffs];
  const results: (ZoneReply<T> | undefined)[] = primaries.map(() => undefined);
  const quorum = quorumSize(primaries.length);
  let successes = 0;
  let settle: () => void = () => undefined;
  const quorumReached = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const attempts = primaries.map(async (primary, index) => {
    let zone = primary;
    let reply = await call(zone, null);
    while (reply.status === 503) {
      const next = spare.shift();
      if (next === undefined) break;
      zone = next;
      reply = await call(zone, primary);
    }
    results[index] = { zone, reply };
    if (reply.status >= 200 && reply.status < 300 && ++successes === quorum) settle();
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

/** Asks every replica at once and keeps the 2xx reply with the newest timestamp (Swift: X-Newest). */
export async function readNewest<T>(
  zones: readonly string[],
  call: (zone: string) => Promise<ReplicaReply<T>>,
): Promise<{ found: ZoneReply<T> | null; replies: ZoneReply<T>[] }> {
  const replies = await Promise.all(zones.map(async (zone) => ({ zone, reply: await call(zone) })));
  let found: ZoneReply<T> | null = null;
  for (const candidate of replies) {
    if (candidate.reply.status < 200 || candidate.reply.status >= 300) continue;
    if (!found || (candidate.reply.timestamp ?? "") > (found.reply.timestamp ?? "")) found = candidate;
  }
  return { found, replies };
}

/** Primaries in a random order, then handoffs (Swift: sorting_method = shuffle). */
export function readOrder(primaries: readonly string[], handoffs: readonly string[], random: () => number): string[] {
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
