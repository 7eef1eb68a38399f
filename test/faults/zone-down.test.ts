import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { SUMMARY_CALLS_PER_ALARM_MAX } from "../../src/common/constraints";
import { BASE, swift, text, tokenFor } from "../helpers";
import { SLOTS, ZONES, rings, setDown } from "./fault-helpers";

const BUCKETS: Record<string, R2Bucket> = { z1: env.BODIES_Z1, z2: env.BODIES_Z2, z3: env.BODIES_Z3 };
const bytes = (s: string) => new TextEncoder().encode(s);

/** Runs the alarm of every replica slot of an object's partition (repair, handoff revert, updates). */
async function runObjectAlarms(partition: number): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (const slot of SLOTS) await runDurableObjectAlarm(env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`));
  }
}

async function objectHashes(partition: number): Promise<string[]> {
  return Promise.all(
    ZONES.map(
      async (zone) =>
        (await env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`).partitionHash()).value?.hash ?? "",
    ),
  );
}

/** The handoff slots (`z1/handoff`…) of a partition whose replica answers 200 to `holds`. */
async function handoffsHolding<S>(
  slotStub: (slot: string) => S,
  holds: (stub: S) => Promise<{ status: number }>,
): Promise<string[]> {
  const found: string[] = [];
  for (const slot of SLOTS.filter((candidate) => candidate.endsWith("/handoff")))
    if ((await holds(slotStub(slot))).status === 200) found.push(slot);
  return found;
}

describe("a zone down", () => {
  it(
    "writes succeed with two of three zones (a handoff stands in), reads succeed, " +
      "and after the zone returns repair makes every replica identical",
    async ({ expect }) => {
      await text(await swift("PUT", "/AUTH_test/faults"));
      await setDown(["z3"]);
      const names = Array.from({ length: 8 }, (_, i) => `while-down-${i}`);
      for (const name of names) {
        const put = await swift("PUT", `/AUTH_test/faults/${name}`, { body: bytes(`body of ${name}`) });
        await text(put);
        expect(put.status, name).toBe(201);
      }
      for (const name of names)
        expect(await text(await swift("GET", `/AUTH_test/faults/${name}`))).toBe(`body of ${name}`);
      const listing = await text(await swift("GET", "/AUTH_test/faults?prefix=while-down"));
      expect(listing.split("\n").filter(Boolean)).toEqual([...names].sort());
      // The down zone really missed them (its replica is asked directly, past the fault gate).
      for (const name of names) {
        const partition = rings.object.partitionFor("AUTH_test", "faults", name);
        expect(
          (await env.OBJECT_REPLICA.getByName(`object/${partition}/z3`).getObject(`AUTH_test/faults/${name}`)).status,
        ).toBe(404);
      }

      await setDown([]);
      const partitions = [...new Set(names.map((name) => rings.object.partitionFor("AUTH_test", "faults", name)))];
      for (const partition of partitions) await runObjectAlarms(partition);
      for (const partition of partitions) {
        const hashes = await objectHashes(partition);
        expect(new Set(hashes).size, `partition ${partition}`).toBe(1);
      }
      // Every acknowledged write reads back from the zone that was down, body included.
      for (const name of names) {
        const partition = rings.object.partitionFor("AUTH_test", "faults", name);
        const row = (await env.OBJECT_REPLICA.getByName(`object/${partition}/z3`).getObject(`AUTH_test/faults/${name}`))
          .value;
        expect(row?.bodyKey, name).toBeTruthy();
        expect(await (await env.BODIES_Z3.get(row?.bodyKey ?? ""))?.text()).toBe(`body of ${name}`);
      }
      // The handoffs gave everything back and deleted themselves.
      for (const partition of partitions) {
        for (const zone of ZONES) {
          const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}/handoff`);
          expect((await handoff.partitionHash()).value?.rows ?? 0).toBe(0);
        }
      }
    },
  );

  it(
    "while a zone is down, only the handoff that stood in has a repair due: " +
      "one replica per partition retries the zone, not three",
    async ({ expect }) => {
      await text(await swift("PUT", "/AUTH_test/faults-dirty"));
      await setDown(["z3"]);
      const put = await swift("PUT", "/AUTH_test/faults-dirty/o", { body: bytes("x") });
      await text(put);
      expect(put.status).toBe(201);
      const partition = rings.object.partitionFor("AUTH_test", "faults-dirty", "o");
      const repairDue = (slot: string) =>
        runInDurableObject(
          env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`),
          (_instance, state) => state.storage.kv.get<number>("repair.due") ?? null,
        );
      const handoffs = await handoffsHolding(
        (slot) => env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`),
        (stub) => stub.getObject("AUTH_test/faults-dirty/o"),
      );
      expect(handoffs).toHaveLength(1);
      expect(await repairDue(handoffs[0]!)).not.toBeNull();
      expect(await repairDue("z1")).toBeNull();
      expect(await repairDue("z2")).toBeNull();
      await setDown([]);
      await runObjectAlarms(partition);
      expect(new Set(await objectHashes(partition)).size).toBe(1);
    },
  );

  it(
    "a handoff that cannot reach a zone that stays down waits on its zone's ring summary (recon counts it) " +
      "and backs off past 2 s; the summary's one probe sees the zone return and wakes it",
    async ({ expect }) => {
      await text(await swift("PUT", "/AUTH_test/faults-wait"));
      await setDown(["z3"]);
      await text(await swift("PUT", "/AUTH_test/faults-wait/o", { body: bytes("written while z3 was down") }));
      const partition = rings.object.partitionFor("AUTH_test", "faults-wait", "o");
      const [slot = ""] = await handoffsHolding(
        (candidate) => env.OBJECT_REPLICA.getByName(`object/${partition}/${candidate}`),
        (stub) => stub.getObject("AUTH_test/faults-wait/o"),
      );
      expect(slot).not.toBe("");
      const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`);
      const summary = env.RING_SUMMARY.getByName(`summary/object/${slot.split("/")[0]}`);
      const repairDue = () =>
        runInDurableObject(handoff, (_instance, state) => state.storage.kv.get<number>("repair.due") ?? null);
      // Four failed reverts: the retry delay doubles past the 2 s a replica on its own keeps to.
      for (let attempt = 0; attempt < 4; attempt++) await runDurableObjectAlarm(handoff);
      expect(((await repairDue()) ?? 0) - Date.now()).toBeGreaterThan(2_000);
      expect((await summary.waiting()).value).toMatchObject({ z3: expect.any(Number) });
      const recon = await exports.default.fetch(`${BASE}/recon/replication`, {
        headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
      });
      const reports = (await recon.json()) as Record<string, { waitingFor: Record<string, number> }>;
      expect(reports.object?.waitingFor.z3).toBeGreaterThan(0);
      // The primaries that took everything are not sent it again: a retry goes to z3 alone.
      const retry = await handoff.repair();
      expect(retry.status).toBe(503);
      expect(retry.value).toHaveLength(1);
      // The summary probes z3 with one call: still down, the handoff keeps waiting.
      await runDurableObjectAlarm(summary);
      expect((await summary.waiting()).value?.z3).toBeGreaterThan(0);

      await setDown([]);
      await runDurableObjectAlarm(summary);
      expect((await summary.waiting()).value?.z3).toBeUndefined();
      // Woken: its repair is due now, not in a minute.
      expect(((await repairDue()) ?? Infinity) - Date.now()).toBeLessThanOrEqual(0);
      await runDurableObjectAlarm(handoff);
      await runDurableObjectAlarm(handoff);
      const row = (await env.OBJECT_REPLICA.getByName(`object/${partition}/z3`).getObject("AUTH_test/faults-wait/o"))
        .value;
      expect(await (await env.BODIES_Z3.get(row?.bodyKey ?? ""))?.text()).toBe("written while z3 was down");
      expect((await handoff.partitionHash()).value?.rows ?? 0).toBe(0);
    },
  );

  it("a handoff reverts only to the primary it stood in for, not to the primaries that took the write", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/faults-owed"));
    await setDown(["z3"]);
    const put = await swift("PUT", "/AUTH_test/faults-owed/o", { body: bytes("stood in for z3") });
    await text(put);
    expect(put.status).toBe(201);
    const post = await swift("POST", "/AUTH_test/faults-owed/o", { headers: { "X-Object-Meta-Color": "blue" } });
    await text(post);
    expect(post.status).toBe(202);
    const partition = rings.object.partitionFor("AUTH_test", "faults-owed", "o");
    const [slot = ""] = await handoffsHolding(
      (candidate) => env.OBJECT_REPLICA.getByName(`object/${partition}/${candidate}`),
      (stub) => stub.getObject("AUTH_test/faults-owed/o"),
    );
    expect(slot).not.toBe("");
    const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`);
    await setDown([]);
    const revert = await handoff.repair();
    expect(revert.status).toBe(200);
    // One primary, z3, got the rows: one merge call, not three.
    expect(revert.value).toHaveLength(1);
    expect(revert.value?.[0]?.rowsSent).toBe(1);
    const row = (await env.OBJECT_REPLICA.getByName(`object/${partition}/z3`).getObject("AUTH_test/faults-owed/o"))
      .value;
    expect(row?.metadata).toMatchObject({ "x-object-meta-color": "blue" });
    expect(await (await env.BODIES_Z3.get(row?.bodyKey ?? ""))?.text()).toBe("stood in for z3");
    await runDurableObjectAlarm(handoff);
    expect((await handoff.partitionHash()).value?.rows ?? 0).toBe(0);
    expect(new Set(await objectHashes(partition)).size).toBe(1);
  });

  it("a container handoff also reverts only to the primary it stood in for", async ({ expect }) => {
    await setDown(["z3"]);
    const put = await swift("PUT", "/AUTH_test/faults-owed-container");
    await text(put);
    expect(put.status).toBe(201);
    const partition = rings.container.partitionFor("AUTH_test", "faults-owed-container");
    const [slot = ""] = await handoffsHolding(
      (candidate) => env.CONTAINER_REPLICA.getByName(`container/${partition}/${candidate}`),
      (stub) => stub.headContainer("AUTH_test", "faults-owed-container"),
    );
    expect(slot).not.toBe("");
    await setDown([]);
    const revert = await env.CONTAINER_REPLICA.getByName(`container/${partition}/${slot}`).repair();
    expect(revert.status).toBe(200);
    expect(revert.value).toHaveLength(1);
    expect(
      (
        await env.CONTAINER_REPLICA.getByName(`container/${partition}/z3`).headContainer(
          "AUTH_test",
          "faults-owed-container",
        )
      ).status,
    ).toBe(200);
  });

  it("a handoff that took rows not known to stand in for one primary (a merge) reverts to every primary", async ({
    expect,
  }) => {
    const partition = rings.object.partitionFor("AUTH_test", "faults-owed", "merged");
    const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/z1/handoff`);
    const merged = await handoff.mergeRows([
      {
        name: "AUTH_test/faults-owed/merged",
        createdAt: "1700000001.00000",
        deleted: 1,
        size: 0,
        etag: "",
        contentType: "",
        contentTypeTimestamp: "1700000001.00000",
        metaTimestamp: "1700000001.00000",
        metadata: {},
        bodyKey: null,
        deleteAt: null,
      },
    ]);
    expect(merged.value).toBe(1);
    const revert = await handoff.repair();
    expect(revert.status).toBe(200);
    expect(revert.value).toHaveLength(3);
  });

  it("a handoff owed to a zone no longer a primary of its partition (a rebalance) reverts to every primary", async ({
    expect,
  }) => {
    const partition = rings.object.partitionFor("AUTH_test", "faults-owed", "rebalanced");
    const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/z2/handoff`);
    await handoff.mergeRows([
      {
        name: "AUTH_test/faults-owed/rebalanced",
        createdAt: "1700000001.00000",
        deleted: 1,
        size: 0,
        etag: "",
        contentType: "",
        contentTypeTimestamp: "1700000001.00000",
        metaTimestamp: "1700000001.00000",
        metadata: {},
        bodyKey: null,
        deleteAt: null,
      },
    ]);
    // As if its write had stood in for a zone the ring has since moved the partition off.
    await runInDurableObject(handoff, (_instance, state) => state.storage.kv.put("handoff.owed", ["z9"]));
    const revert = await handoff.repair();
    expect(revert.status).toBe(200);
    expect(revert.value).toHaveLength(3);
  });

  it(
    "a ring summary wakes at most 500 waiters per alarm (the subrequest budget) " +
      "and wakes the rest in its next alarm, at once",
    async ({ expect, onTestFinished }) => {
      expect(SUMMARY_CALLS_PER_ALARM_MAX).toBe(500);
      const summary = env.RING_SUMMARY.getByName("summary/container/z2");
      // 600 replicas of z2 wait for z1 (up). The budget counts calls, answered or not: with z2 itself
      // unreachable each wake is a call that fails at once, so the test costs no 600 Durable Objects
      // and no machine is too slow for it.
      onTestFinished(() => setDown([]));
      await setDown(["z2"]);
      await runInDurableObject(summary, (_instance, state) => {
        for (let partition = 0; partition < 600; partition++) {
          state.storage.sql.exec(
            "INSERT INTO waiting (zone, partition, slot, since) VALUES ('z1', ?, 'z2/handoff', ?)",
            partition,
            Date.now() + partition,
          );
        }
      });
      await summary.waitFor(["z1"], { partition: 600, slot: "z2/handoff" });
      // One probe of z1, then 499 wakes: 500 calls.
      expect(await runDurableObjectAlarm(summary)).toBe(true);
      expect((await summary.waiting()).value?.z1).toBe(601 - (SUMMARY_CALLS_PER_ALARM_MAX - 1));
      const next = await runInDurableObject(summary, (_instance, state) => state.storage.getAlarm());
      expect((next ?? Infinity) - Date.now()).toBeLessThanOrEqual(0);
      expect(await runDurableObjectAlarm(summary)).toBe(true);
      expect((await summary.waiting()).value).toEqual({});
      expect(await runInDurableObject(summary, (_instance, state) => state.storage.getAlarm())).toBeNull();
    },
  );

  it("a write that reaches fewer than a quorum of zones gets 503 and is not visible after the zones return", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/faults-quorum"));
    await text(await swift("PUT", "/AUTH_test/faults-quorum/existing", { body: bytes("old") }));
    await setDown(["z2", "z3"]);
    const put = await swift("PUT", "/AUTH_test/faults-quorum/existing", { body: bytes("new") });
    await text(put);
    expect(put.status).toBe(503);
    const fresh = await swift("PUT", "/AUTH_test/faults-quorum/fresh", { body: bytes("x") });
    await text(fresh);
    expect(fresh.status).toBe(503);
    await setDown([]);
    const partition = rings.object.partitionFor("AUTH_test", "faults-quorum", "existing");
    await runObjectAlarms(partition);
    await runObjectAlarms(rings.object.partitionFor("AUTH_test", "faults-quorum", "fresh"));
    expect(
      await text(await swift("GET", "/AUTH_test/faults-quorum/existing", { headers: { "X-Newest": "true" } })),
    ).toBe("old");
    const gone = await swift("GET", "/AUTH_test/faults-quorum/fresh", { headers: { "X-Newest": "true" } });
    await text(gone);
    expect(gone.status).toBe(404);
    expect(await text(await swift("GET", "/AUTH_test/faults-quorum"))).toBe("existing\n");
  });

  it("reads of objects written before the outage still succeed with their zone down", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/faults-read"));
    const names = Array.from({ length: 6 }, (_, i) => `before-${i}`);
    for (const name of names) await text(await swift("PUT", `/AUTH_test/faults-read/${name}`, { body: bytes(name) }));
    for (const zone of ZONES) {
      await setDown([zone]);
      for (const name of names) {
        const get = await swift("GET", `/AUTH_test/faults-read/${name}`);
        expect(await text(get), `${name} with ${zone} down`).toBe(name);
      }
      const head = await swift("HEAD", "/AUTH_test/faults-read");
      await text(head);
      expect(head.status).toBe(204);
    }
    await setDown([]);
  });

  it("/faults is the reseller admin's: 403 for an account admin", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/faults`, { headers: { "X-Auth-Token": await tokenFor() } });
    await response.text();
    expect(response.status).toBe(403);
    const bad = await exports.default.fetch(`${BASE}/faults`, {
      method: "PUT",
      headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
      body: JSON.stringify({ down: ["nowhere"] }),
    });
    await bad.text();
    expect(bad.status).toBe(400);
  });
});

describe("the zone's bucket while it is down", () => {
  it("bodies written during the outage reach the returning zone's bucket by repair", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/faults-bodies"));
    await setDown(["z1"]);
    await text(await swift("PUT", "/AUTH_test/faults-bodies/o", { body: bytes("written while z1 was down") }));
    await setDown([]);
    const partition = rings.object.partitionFor("AUTH_test", "faults-bodies", "o");
    await runObjectAlarms(partition);
    const row = (await env.OBJECT_REPLICA.getByName(`object/${partition}/z1`).getObject("AUTH_test/faults-bodies/o"))
      .value;
    expect(await (await BUCKETS.z1!.get(row?.bodyKey ?? ""))?.text()).toBe("written while z1 was down");
  });
});
