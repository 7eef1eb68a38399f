/**
 * Container sharding under faults and load (CONTAINER_SHARD_ROWS 10): a split with a zone down
 * goes on with a quorum of each shard's primaries and is repaired when the zone is back; a
 * writer and a lister running through a split never see an object listed twice, never miss one
 * written before the split began, and see every acknowledged write once it settles.
 */

import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { containerReplica, outOfSync, runAlarmsUntilInSync, setDown, ZONES } from "../faults/fault-helpers";
import { send, unique } from "../helpers";
import {
  ACCOUNT,
  heldByRoot,
  leaderOf,
  repairRoot,
  rootPartition,
  shardPartition,
  shardRanges,
  shardUntilSettled,
} from "./helpers";

/** The names a JSON listing of the whole container gives. */
async function listedNames(container: string): Promise<string[]> {
  const listed = await send("GET", `/${ACCOUNT}/${container}?format=json`);
  expect(listed.status).toBe(200);
  return (JSON.parse(listed.body) as { name: string }[]).map((item) => item.name);
}

const names = (count: number, prefix = "o") =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, "0")}`);

describe("container sharding under faults", () => {
  it("a split with a zone down goes on with a quorum of each shard's primaries; the zone is repaired when it is back", async () => {
    const container = unique("shardz").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    const before = names(14);
    for (const name of before)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: name })).status).toBe(201);
    const reference = await send("GET", `/${ACCOUNT}/${container}?format=json`);
    const leader = leaderOf(container);
    const down = ZONES.find((zone) => zone !== leader) ?? "";
    const up = ZONES.filter((zone) => zone !== down);
    await setDown([down]);
    const during = names(4, "p");
    try {
      const ranges = await shardUntilSettled(container, before.length, up);
      expect(ranges.length).toBeGreaterThanOrEqual(2);
      expect((await send("GET", `/${ACCOUNT}/${container}?format=json`)).body).toBe(reference.body);
      for (const name of during)
        expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: name })).status).toBe(201);
      expect(await listedNames(container)).toEqual([...before, ...during]);
    } finally {
      await setDown([]);
    }
    // Back up: the zone's root replica learns the ranges and moves what it holds; its shard replicas catch up.
    await repairRoot(container);
    const ranges = await shardUntilSettled(container, before.length + during.length);
    const partitions = [rootPartition(container), ...ranges.map(shardPartition)].map((partition) => ({
      ring: "container" as const,
      partition,
    }));
    await runAlarmsUntilInSync(partitions, 12);
    expect(await outOfSync(partitions)).toEqual([]);
    expect(await heldByRoot(container, down)).toEqual({ rows: 0, queued: 0 });
    expect(await listedNames(container)).toEqual([...before, ...during]);
    const head = await send("HEAD", `/${ACCOUNT}/${container}`);
    expect(head.headers.get("x-container-object-count")).toBe(String(before.length + during.length));
  });

  it("a writer and a lister through a split: no object listed twice, none written before the split missed, every acknowledged one listed once it settles", async () => {
    const container = unique("shardl").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    const first = names(11);
    for (const name of first)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
    const acknowledged = [...first];
    const leader = containerReplica(rootPartition(container), leaderOf(container));
    for (let step = 0; step < 8; step++) {
      // Between the leader's steps (find, create, cleave, activate, move): a write, a delete, a listing.
      const name = `w${step}-${String(step * 7).padStart(3, "0")}`;
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
      acknowledged.push(name);
      if (step === 3) {
        expect((await send("DELETE", `/${ACCOUNT}/${container}/o005`)).status).toBe(204);
        acknowledged.splice(acknowledged.indexOf("o005"), 1);
      }
      const listed = await listedNames(container);
      expect(new Set(listed).size, `step ${step}: ${listed}`).toBe(listed.length);
      for (const name of first.filter((name) => name !== "o005" || step < 3))
        expect(listed, `step ${step}`).toContain(name);
      await runDurableObjectAlarm(leader);
    }
    await shardUntilSettled(container, acknowledged.length);
    expect((await shardRanges(container)).state).toBe("sharded");
    expect(await listedNames(container)).toEqual([...acknowledged].sort());
  });
});
