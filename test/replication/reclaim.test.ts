import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { loadRings } from "../../src/ring/load";
import { swift, text } from "../helpers";
import { LIST_ALL, objectRow } from "../rows";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
// Timestamps from 2023: far older than reclaim_age (a week), as if the time had passed.
const LONG_AGO = "1700000000.00000";
const LATER = "1700000100.00000";

async function tables(stub: DurableObjectStub): Promise<string[]> {
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray()
      .map((entry) => entry.name),
  );
}

describe("tombstones and deletion", () => {
  it("tombstones past reclaim_age on every replica are reclaimed; a replica left empty deletes its storage", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_t/c", { user: ["admin:admin", "admin"] }));
    const partition = 200;
    const stubs = ["z1", "z2", "z3"].map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));
    for (const stub of stubs)
      await stub.mergeRows([
        objectRow("AUTH_t/c/gone", LONG_AGO),
        objectRow("AUTH_t/c/gone", LATER, { deleted: 1, size: 0 }),
      ]);
    expect((await stubs[0]!.partitionHash()).value?.rows).toBe(1);
    expect(await runDurableObjectAlarm(stubs[0]!)).toBe(true);
    for (const stub of stubs) {
      expect((await stub.partitionHash()).value?.rows).toBe(0);
      expect(await stub.getObject("AUTH_t/c/gone")).toEqual({ status: 404, work: expect.anything() });
    }
    // Each emptied replica deletes its storage from its alarm: nothing is left to check.
    for (const stub of stubs) {
      await runDurableObjectAlarm(stub);
      expect(await tables(stub)).toEqual([]);
    }
    // Reading an emptied replica's hashes (a peer's repair, a check of its slot) brings nothing back.
    for (const stub of stubs) {
      expect((await stub.partitionHash()).value).toEqual({ hash: "0".repeat(32), rows: 0 });
      expect((await stub.bucketHashes()).value).toEqual({});
      expect(await tables(stub)).toEqual([]);
    }
    // A later write to the same partition finds a working replica again.
    expect((await stubs[1]!.putObject(objectRow("AUTH_t/c/new", "1800000000.00000"))).status).toBe(201);
    expect((await stubs[1]!.getObject("AUTH_t/c/new")).status).toBe(200);
  });

  it("reading the hashes of a replica never written (an unused handoff slot) creates no storage for it", async ({
    expect,
  }) => {
    const stub = env.OBJECT_REPLICA.getByName("object/202/z2/handoff");
    expect((await stub.partitionHash()).value).toEqual({ hash: "0".repeat(32), rows: 0 });
    expect((await stub.leafHashes([0, 1])).value).toEqual({});
    expect((await stub.rowsInLeaves([0, 1])).value).toEqual([]);
    expect(await tables(stub)).toEqual([]);
    // Its first write brings the schema.
    expect((await stub.mergeRows([objectRow("AUTH_t/c/first", LONG_AGO)])).value).toBe(1);
    expect((await stub.partitionHash()).value?.rows).toBe(1);
  });

  it("tombstones are reclaimed only after repair has given them to every replica", async ({ expect }) => {
    const partition = 201;
    const stubs = ["z1", "z2", "z3"].map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));
    await stubs[0]!.mergeRows([
      objectRow("AUTH_t/c/x", LATER, { deleted: 1, size: 0 }),
      objectRow("AUTH_t/c/live", LONG_AGO),
    ]);
    await stubs[1]!.mergeRows([objectRow("AUTH_t/c/live", LONG_AGO)]);
    await stubs[2]!.mergeRows([objectRow("AUTH_t/c/live", LONG_AGO)]);
    await runDurableObjectAlarm(stubs[0]!);
    // Repair ran first, so every replica held the tombstone before any of them dropped it.
    const roots = await Promise.all(stubs.map(async (stub) => (await stub.partitionHash()).value));
    expect(roots.map((root) => root?.rows)).toEqual([1, 1, 1]);
    expect(new Set(roots.map((root) => root?.hash)).size).toBe(1);
  });

  it("a deleted container's rows go away: its listing tombstones and then the container itself", async ({ expect }) => {
    const partition = rings.container.partitionFor("AUTH_t2", "old");
    const stubs = ["z1", "z2", "z3"].map((zone) => env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone}`));
    for (const stub of stubs) {
      await stub.putContainer("AUTH_t2", "old", LONG_AGO, {});
      await stub.updateObjects([
        { account: "AUTH_t2", container: "old", row: { ...objectRow("o", LONG_AGO), name: "o" } },
      ]);
      await stub.updateObjects([
        { account: "AUTH_t2", container: "old", row: { ...objectRow("o", LATER, { deleted: 1, size: 0 }), name: "o" } },
      ]);
      expect((await stub.deleteContainer("AUTH_t2", "old", "1700000200.00000")).status).toBe(204);
    }
    await runDurableObjectAlarm(stubs[0]!);
    for (const stub of stubs) {
      expect((await stub.partitionHash()).value?.rows).toBe(0);
      expect((await stub.listObjects("AUTH_t2", "old", LIST_ALL)).status).toBe(404);
    }
  });
});

describe("object expirer", () => {
  it("an object past X-Delete-At is deleted by its replicas: row, listing entry and body", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/expirer"));
    await text(
      await swift("PUT", "/AUTH_test/expirer/soon", {
        body: new TextEncoder().encode("short-lived"),
        headers: { "X-Delete-After": "100" },
      }),
    );
    const partition = rings.object.partitionFor("AUTH_test", "expirer", "soon");
    const zones = rings.object.primaryZones(partition).map((zone) => zone.id);
    const stubs = zones.map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));
    const held = (await stubs[0]!.getObject("AUTH_test/expirer/soon")).value!;
    // Time passes: the delete-at is now behind us (same row everywhere, as replication keeps it).
    const past = { ...held, deleteAt: Math.floor(Date.now() / 1000) - 1, metaTimestamp: "1900000000.00000" };
    for (const stub of stubs) {
      await stub.mergeRows([past]);
      await runDurableObjectAlarm(stub);
    }
    for (const stub of stubs) expect((await stub.getObject("AUTH_test/expirer/soon")).status).toBe(404);
    const listing = await swift("GET", "/AUTH_test/expirer");
    expect(await text(listing)).toBe("");
    expect(listing.headers.get("x-container-object-count")).toBe("0");
    const buckets: Record<string, R2Bucket> = { z1: env.BODIES_Z1, z2: env.BODIES_Z2, z3: env.BODIES_Z3 };
    for (const zone of zones) {
      await runDurableObjectAlarm(env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));
      expect(await buckets[zone]!.head(held.bodyKey ?? "")).toBeNull();
    }
  });
});
