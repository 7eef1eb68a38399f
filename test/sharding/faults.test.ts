/**
 * Container sharding under faults and load (CONTAINER_SHARD_ROWS 10): a split with a zone down
 * goes on with a quorum of each shard's primaries and is repaired when the zone is back; a
 * writer and a lister running through a split never see an object listed twice, never miss one
 * written before the split began, and see every acknowledged write once it settles.
 */

import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  containerReplica,
  objectReplica,
  outOfSync,
  rings,
  runAlarmsUntilInSync,
  setDown,
  SLOTS,
  ZONES,
} from "../faults/fault-helpers";
import { env, exports } from "cloudflare:workers";
import { parseConfig } from "../../src/config/config";
import { reapAccounts } from "../../src/replicator/reaper";
import { BASE, send, tokenFor, unique } from "../helpers";
import {
  ACCOUNT,
  alarmsOf,
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

/** `/recon/work` as the reseller admin: GET reads this isolate's tallies, POST zeroes them. */
async function work(method: "GET" | "POST"): Promise<Response> {
  const response = await exports.default.fetch(`${BASE}/recon/work`, {
    method,
    headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
  });
  if (method === "POST") await response.body?.cancel();
  return response;
}

/** Runs the alarms of the object replicas of the names (their outboxes' retries). */
async function runAlarmsOfObjects(container: string, objects: readonly string[]): Promise<void> {
  for (const name of objects) {
    const partition = rings.object.partitionFor(ACCOUNT, container, name);
    for (const slot of SLOTS) await runDurableObjectAlarm(objectReplica(partition, slot));
  }
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

  it("a writer and a lister through two splits: no object listed twice, none acknowledged missed, the count settling to what was acknowledged", async () => {
    const container = unique("shardl").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    const first = names(11);
    for (const name of first)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
    const acknowledged = new Set(first);
    for (let step = 0; step < 24; step++) {
      // Between every replica's alarms (find, create, cleave, activate, move; the shards' own
      // splits as they fill): writes, a delete now and then, and a listing that must hold every
      // acknowledged name once.
      for (const index of [0, 1]) {
        const name = `w${String(step).padStart(2, "0")}-${index}`;
        expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
        acknowledged.add(name);
      }
      if (step % 8 === 3) {
        const gone = [...acknowledged][step];
        if (gone) {
          expect((await send("DELETE", `/${ACCOUNT}/${container}/${gone}`)).status).toBe(204);
          acknowledged.delete(gone);
        }
      }
      const listed = await listedNames(container);
      expect(new Set(listed).size, `step ${step}: ${listed}`).toBe(listed.length);
      expect(listed, `step ${step}`).toEqual([...acknowledged].sort());
      const { ranges } = await shardRanges(container);
      await alarmsOf([rootPartition(container), ...ranges.map(shardPartition)]);
    }
    await shardUntilSettled(container, acknowledged.size);
    const { state, ranges } = await shardRanges(container);
    expect(state).toBe("sharded");
    expect(
      ranges.some((range) => range.state === "sharded"),
      JSON.stringify(ranges),
    ).toBe(true);
    expect(await listedNames(container)).toEqual([...acknowledged].sort());
    const head = await send("HEAD", `/${ACCOUNT}/${container}`);
    expect(head.headers.get("x-container-object-count")).toBe(String(acknowledged.size));
  });
});

describe("updates of a sharded container", () => {
  it("go from object replicas straight to the shard owning the name once a redirect named the shards: three container requests a PUT, not six through the root", async () => {
    const container = unique("shardu").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    for (const name of names(11))
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
    await shardUntilSettled(container, 11);
    const targets = names(6, "n");
    const containerRequestsPerPut = async (): Promise<number> => {
      await work("POST");
      for (const name of targets)
        expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "y" })).status).toBe(201);
      const entry = (
        (await (await work("GET")).json()) as {
          operations: Record<string, { requests: number; containerRequests: number }>;
        }
      ).operations["object PUT"];
      return (entry?.containerRequests ?? 0) / (entry?.requests ?? 1);
    };
    // The first PUT of each name reaches its object replicas' container update through the root, which forwards it and names the shards.
    expect(await containerRequestsPerPut()).toBeGreaterThanOrEqual(5);
    // The same names again: their object replicas send to the shards.
    expect(await containerRequestsPerPut()).toBeLessThanOrEqual(3);
    await shardUntilSettled(container, 17);
    expect(await listedNames(container)).toEqual([...targets, ...names(11)].sort());
  });

  it("an update sent to a shard that is gone (its root deleted and made again) goes back to the root", async () => {
    const container = unique("shardg").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    const all = names(11);
    for (const name of all)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
    await shardUntilSettled(container, 11);
    // Each name's object replicas learn the shards (its second write goes straight to one).
    for (const name of all)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "x" })).status).toBe(201);
    for (const name of all) expect((await send("DELETE", `/${ACCOUNT}/${container}/${name}`)).status).toBe(204);
    const { ranges } = await shardRanges(container);
    await shardUntilSettled(container, 0);
    expect((await send("DELETE", `/${ACCOUNT}/${container}`)).status).toBe(204);
    await alarmsOf([rootPartition(container), ...ranges.map(shardPartition)]);
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    // The object replicas still route these names to the deleted shards: the shards refuse, the updates go to the root.
    const again = all.slice(0, 4);
    for (const name of again)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "z" })).status).toBe(201);
    for (let round = 0; round < 5 && (await listedNames(container)).length < again.length; round++)
      await runAlarmsOfObjects(container, again);
    expect(await listedNames(container)).toEqual(again);
    expect((await shardRanges(container)).state).toBe("unsharded");
  });
});

describe("the account reaper and sharded containers", () => {
  it("empties a deleted account's sharded container shard by shard, then deletes it and its shards", async () => {
    const user: [string, string] = ["admin:admin", "admin"];
    const account = `AUTH_${unique("reapsh").replace(/[^a-z0-9]/gi, "")}`;
    const container = "big";
    expect((await send("PUT", `/${account}/${container}`, { user })).status).toBe(201);
    const all = names(13);
    for (const name of all)
      expect((await send("PUT", `/${account}/${container}/${name}`, { user, body: name })).status).toBe(201);
    const partition = rings.container.partitionFor(account, container);
    const leader = rings.container.primaryZones(partition)[0]?.id ?? "";
    for (let round = 0; round < 10; round++) {
      for (const slot of SLOTS) await runDurableObjectAlarm(containerReplica(partition, slot));
      const ranges = (await containerReplica(partition, leader).shardRanges(account, container)).value ?? [];
      if (ranges.length && ranges.every((range) => range.state === "active")) break;
    }
    const ranges = (await containerReplica(partition, leader).shardRanges(account, container)).value ?? [];
    expect(ranges.length).toBeGreaterThanOrEqual(2);
    expect((await send("DELETE", `/${account}`, { user })).status).toBe(204);
    const config = parseConfig(env);
    let finished: string[] = [];
    for (let run = 0; run < 20 && !finished.includes(account); run++) {
      finished = (await reapAccounts(config)).finished;
      // The shards' counts reach the root between runs (their replicas' alarms), so it can go.
      const shardPartitions = ranges.map((range) => rings.container.partitionFor(`.shards_${account}`, range.name));
      for (const shardPartition of [partition, ...shardPartitions])
        for (const slot of SLOTS) await runDurableObjectAlarm(containerReplica(shardPartition, slot));
    }
    expect(finished).toContain(account);
    for (const name of all) {
      const objectPartition = rings.object.partitionFor(account, container, name);
      for (const zone of rings.object.primaryZones(objectPartition))
        expect(
          (await objectReplica(objectPartition, zone.id).getObject(`${account}/${container}/${name}`)).status,
        ).toBe(404);
    }
    for (const range of ranges) {
      const shardPartition = rings.container.partitionFor(`.shards_${account}`, range.name);
      for (const zone of ZONES)
        expect(
          (await containerReplica(shardPartition, zone).headContainer(`.shards_${account}`, range.name)).status,
        ).toBe(404);
    }
  });
});
