import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it, vi } from "vitest";
import { LIST_ALL, objectRow } from "../rows";
import { loadRings } from "../../src/ring/load";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

/** The replicas (same zone) an object write in zone z1 updates: its container's and its account's. */
function replicasFor(account: string, container: string, object: string) {
  const objectPartition = rings.object.partitionFor(account, container, object);
  const containerPartition = rings.container.partitionFor(account, container);
  const accountPartition = rings.account.partitionFor(account);
  return {
    object: env.OBJECT_REPLICA.getByName(`object/${objectPartition}/z1`),
    container: env.CONTAINER_REPLICA.getByName(`container/${containerPartition}/z1`),
    account: env.ACCOUNT_REPLICA.getByName(`account/${accountPartition}/z1`),
  };
}

describe("object → container → account updates", () => {
  it(
    "an object write updates its container's listing, count and bytes before answering, " +
      "and the account's totals just after",
    async ({ expect }) => {
      const r = replicasFor("AUTH_u1", "c", "o");
      await r.container.putContainer("AUTH_u1", "c", "1700000000.00000", {});
      expect((await r.object.putObject(objectRow("AUTH_u1/c/o", "1700000001.00000", { size: 5 }))).status).toBe(201);
      const listing = await r.container.listObjects("AUTH_u1", "c", LIST_ALL);
      expect(listing.value?.entries.map((entry) => entry.name)).toEqual(["o"]);
      expect(listing.value?.container).toMatchObject({ objectCount: 1, bytesUsed: 5 });
      // The account hears in the background (Swift: the container-updater), within milliseconds.
      await vi.waitFor(
        async () =>
          expect((await r.account.headAccount("AUTH_u1")).value).toMatchObject({
            containerCount: 1,
            objectCount: 1,
            bytesUsed: 5,
          }),
        { timeout: 2_000, interval: 20 },
      );
    },
  );

  it("a burst of writes to one container sends its account one report, from the alarm, not one per write", async ({
    expect,
  }) => {
    const r = replicasFor("AUTH_u7", "burst", "o");
    await r.container.putContainer("AUTH_u7", "burst", "1700000000.00000", {});
    await vi.waitFor(async () => expect(await r.container.pendingReportCount()).toBe(0), {
      timeout: 2_000,
      interval: 20,
    });
    const updates = Array.from({ length: 20 }, (_, i) => ({
      account: "AUTH_u7",
      container: "burst",
      row: {
        name: `o${i}`,
        createdAt: `17000000${String(10 + i)}.00000`,
        deleted: 0 as const,
        size: 2,
        etag: "e",
        contentType: "t",
        contentTypeTimestamp: "1700000010.00000",
        metaTimestamp: "1700000010.00000",
      },
    }));
    const started = Date.now();
    for (const update of updates) expect((await r.container.updateObjects([update])).status).toBe(202);
    const pending = await r.container.pendingReportCount();
    // The object writes were answered and one report (not twenty) waits for the alarm, which
    // fires ACCOUNT_REPORT_DELAY_MS (500 ms) after the first: checked when the burst took less.
    if (Date.now() - started < 400) expect(pending).toBe(1);
    else expect(pending).toBeLessThanOrEqual(1);
    await runDurableObjectAlarm(r.container);
    expect(await r.container.pendingReportCount()).toBe(0);
    expect((await r.account.headAccount("AUTH_u7")).value).toMatchObject({
      containerCount: 1,
      objectCount: 20,
      bytesUsed: 40,
    });
  });

  it("an update the container replica cannot take stays queued across a restart and lands from the alarm", async ({
    expect,
  }) => {
    const r = replicasFor("AUTH_u2", "late", "o");
    // The container does not exist on this replica yet: the update is refused and queued.
    await r.object.putObject(objectRow("AUTH_u2/late/o", "1700000001.00000", { size: 7 }));
    expect(await r.object.pendingUpdateCount()).toBe(1);
    // The object replica restarts: its queue is in SQLite.
    await evictDurableObject(r.object);
    expect(await r.object.pendingUpdateCount()).toBe(1);
    await r.container.putContainer("AUTH_u2", "late", "1700000000.00000", {});
    expect(await runDurableObjectAlarm(r.object)).toBe(true);
    expect(await r.object.pendingUpdateCount()).toBe(0);
    const listing = await r.container.listObjects("AUTH_u2", "late", LIST_ALL);
    expect(listing.value?.container).toMatchObject({ objectCount: 1, bytesUsed: 7 });
  });

  it("a delete updates counts; an older update arriving late changes nothing", async ({ expect }) => {
    const r = replicasFor("AUTH_u3", "c", "o");
    await r.container.putContainer("AUTH_u3", "c", "1700000000.00000", {});
    await r.object.putObject(objectRow("AUTH_u3/c/o", "1700000001.00000", { size: 5 }));
    await r.object.deleteObject("AUTH_u3/c/o", "1700000003.00000");
    await r.container.updateObjects([
      { account: "AUTH_u3", container: "c", row: { ...objectRow("o", "1700000002.00000", { size: 9 }), name: "o" } },
    ]);
    const listing = await r.container.listObjects("AUTH_u3", "c", LIST_ALL);
    expect(listing.value?.entries).toEqual([]);
    expect(listing.value?.container).toMatchObject({ objectCount: 0, bytesUsed: 0 });
    const account = await r.account.headAccount("AUTH_u3");
    expect(account.value).toMatchObject({ containerCount: 1, objectCount: 0, bytesUsed: 0 });
  });

  it("a deleted container leaves the account's listing and totals", async ({ expect }) => {
    const r = replicasFor("AUTH_u4", "c", "o");
    await r.container.putContainer("AUTH_u4", "c", "1700000000.00000", {});
    expect((await r.container.deleteContainer("AUTH_u4", "c", "1700000001.00000")).status).toBe(204);
    const account = await r.account.listContainers("AUTH_u4", LIST_ALL);
    expect(account.value?.entries).toEqual([]);
    expect(account.value?.account.containerCount).toBe(0);
  });
});

describe("replica schemas", () => {
  it("container and account replicas have the tables of their migrations", async ({ expect }) => {
    const r = replicasFor("AUTH_u5", "c", "o");
    await r.container.headContainer("AUTH_u5", "c");
    await r.account.headAccount("AUTH_u5");
    const ddl = (stub: DurableObjectStub) =>
      runInDurableObject(stub, (_instance, state) =>
        state.storage.sql
          .exec<{ type: string; name: string }>(
            "SELECT type, name FROM sqlite_master " +
              "WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
          )
          .toArray()
          .map((entry) => `${entry.type} ${entry.name}`),
      );
    const tree = ["table hash_leaf"];
    expect(await ddl(r.container)).toEqual([
      "table container",
      "index container_deleted",
      "index container_leaf",
      ...tree,
      "table object",
      "index object_leaf",
      "index object_live",
      "index object_tombstone",
      "table outbox",
      "table schema_migrations",
      "table shard_outbox",
      "table shard_range",
      "index shard_range_leaf",
    ]);
    expect(await ddl(r.account)).toEqual([
      "table account",
      "index account_leaf",
      "table container",
      "index container_leaf",
      "index container_live",
      "index container_tombstone",
      ...tree,
      "table schema_migrations",
    ]);
  });
});
