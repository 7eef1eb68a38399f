/**
 * @module
 * Durable Object calls and alarms run counting their work (work.ts): each RPC method's reply
 * carries what it cost (ReplicaReply.work, which the caller adds to its own), and both calls and
 * alarms are tallied per object class in this isolate's objects' tally (work-tally.ts), where
 * `GET /recon/work` shows them.
 */

import type { ReplicaReply } from "./replies";
import { runWithWork, Work } from "./work";
import { objectWork } from "./work-tally";

/**
 * Runs a Durable Object's RPC method counting its work, answers its reply with that work attached
 * (ReplicaReply.work, which the caller adds to its own) and tallies it under `entry`
 * (`object calls`) in this isolate's objects' tally.
 */
export function measuredCall<T>(entry: string, method: () => ReplicaReply<T>): ReplicaReply<T> {
  const work = new Work();
  const reply = runWithWork(work, method);
  return settled(entry, work, reply);
}

/** `measuredCall` for a method that awaits (a write that delivers its container update). */
export async function measuredCallAsync<T>(
  entry: string,
  method: () => Promise<ReplicaReply<T>>,
): Promise<ReplicaReply<T>> {
  const work = new Work();
  const reply = await runWithWork(work, method);
  return settled(entry, work, reply);
}

/** Runs a Durable Object's alarm counting its work, tallied under `entry` (`object alarms`). */
export async function measuredAlarm(entry: string, alarm: () => Promise<void>): Promise<void> {
  const work = new Work();
  try {
    await runWithWork(work, alarm);
  } finally {
    objectWork.record(entry, work.settle());
  }
}

function settled<T>(entry: string, work: Work, reply: ReplicaReply<T>): ReplicaReply<T> {
  const counts = work.settle();
  objectWork.record(entry, counts);
  return { ...reply, work: counts };
}
