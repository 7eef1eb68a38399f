import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { listingFromStart } from "../../src/durable/listing";
import { rowHash, treeKey } from "../../src/durable/partition-hash";
import { HashTree } from "../../src/durable/schema/hash-tree";
import { loadRings } from "../../src/ring/load";
import { swift, text } from "../helpers";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
const ZONES = ["z1", "z2", "z3"];
const ADMIN: [string, string] = ["admin:admin", "admin"];

/** Runs every alarm of the given container partitions until no replica has a report left to send. */
async function flushContainerReports(partitions: readonly number[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    let pending = 0;
    for (const partition of partitions) {
      for (const zone of ZONES) {
        const stub = env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone}`);
        await runDurableObjectAlarm(stub);
        pending += await stub.pendingReportCount();
      }
    }
    if (pending === 0) return;
  }
  throw new Error("container reports still pending");
}

describe("account replicas with no zone down", () => {
  it("an account's replicas hold the same rows once its containers' reports land, without a repair or a sweep", async ({
    expect,
  }) => {
    const account = "AUTH_reports";
    const containers = Array.from({ length: 6 }, (_, i) => `c${i}`);
    // Containers created at once: each account replica hears of them in its own order.
    await Promise.all(
      containers.map(async (container) => text(await swift("PUT", `/${account}/${container}`, { user: ADMIN }))),
    );
    await Promise.all(
      containers.flatMap((container) =>
        Array.from({ length: 4 }, async (_, i) => {
          const put = await swift("PUT", `/${account}/${container}/o${i}`, { user: ADMIN, body: "x".repeat(i + 1) });
          await text(put);
          expect(put.status).toBe(201);
        }),
      ),
    );
    await flushContainerReports([
      ...new Set(containers.map((container) => rings.container.partitionFor(account, container))),
    ]);
    const partition = rings.account.partitionFor(account);
    const replicas = ZONES.map((zone) => env.ACCOUNT_REPLICA.getByName(`account/${partition}/${zone}`));
    for (const replica of replicas)
      expect((await replica.headAccount(account)).value).toMatchObject({
        containerCount: 6,
        objectCount: 24,
        bytesUsed: 60,
      });
    const hashes = await Promise.all(replicas.map(async (replica) => (await replica.partitionHash()).value?.hash));
    expect(new Set(hashes).size).toBe(1);
  });
});

describe("an account created by its containers' reports", () => {
  it("has the same row on every replica whatever order its containers' reports came in", async ({ expect }) => {
    const account = "AUTH_report-order";
    const partition = rings.account.partitionFor(account);
    const report = (container: string, putTimestamp: string) => ({
      account,
      container,
      putTimestamp,
      deleteTimestamp: "0",
      objectCount: 0,
      bytesUsed: 0,
      reportedAt: "1700000100.00000",
    });
    const [a, b] = [
      env.ACCOUNT_REPLICA.getByName(`account/${partition}/z1`),
      env.ACCOUNT_REPLICA.getByName(`account/${partition}/z2`),
    ];
    await a.updateContainers([report("first", "1700000001.00000")]);
    await a.updateContainers([report("second", "1700000002.00000")]);
    await b.updateContainers([report("second", "1700000002.00000")]);
    await b.updateContainers([report("first", "1700000001.00000")]);
    expect((await a.partitionHash()).value?.hash).toBe((await b.partitionHash()).value?.hash);
    expect((await a.headAccount(account)).value).toMatchObject({ containerCount: 2, status: "" });
  });

  it(
    "an account PUT after its containers' reports wins on every replica, " +
      "and replicas that heard the reports in any order still agree",
    async ({ expect }) => {
      const account = "AUTH_report-then-put";
      const partition = rings.account.partitionFor(account);
      const report = (container: string, putTimestamp: string) => ({
        account,
        container,
        putTimestamp,
        deleteTimestamp: "0",
        objectCount: 0,
        bytesUsed: 0,
        reportedAt: "1700000100.00000",
      });
      const [a, b] = [
        env.ACCOUNT_REPLICA.getByName(`account/${partition}/z1`),
        env.ACCOUNT_REPLICA.getByName(`account/${partition}/z2`),
      ];
      await a.updateContainers([report("late", "1700000009.00000")]);
      await b.updateContainers([report("early", "1700000001.00000")]);
      await b.updateContainers([report("late", "1700000009.00000")]);
      await a.updateContainers([report("early", "1700000001.00000")]);
      for (const replica of [a, b]) await replica.putAccount(account, "1700000005.00000", {});
      expect((await a.headAccount(account)).value?.putTimestamp).toBe("1700000005.00000");
      expect((await a.partitionHash()).value?.hash).toBe((await b.partitionHash()).value?.hash);
    },
  );
});

describe("a container POST", () => {
  it("reports the put timestamp it moved to the account, as the repair that brings it to another replica does", async ({
    expect,
  }) => {
    const account = "AUTH_post-report";
    const containerPartition = rings.container.partitionFor(account, "c");
    const container = env.CONTAINER_REPLICA.getByName(`container/${containerPartition}/z1`);
    const accountReplica = env.ACCOUNT_REPLICA.getByName(`account/${rings.account.partitionFor(account)}/z1`);
    await container.putContainer(account, "c", "1700000001.00000", {});
    expect(
      (
        await container.postContainer(account, "c", "1700000002.00000", {
          "x-container-meta-color": { value: "red", timestamp: "1700000002.00000" },
        })
      ).status,
    ).toBe(204);
    await runDurableObjectAlarm(container);
    expect(await container.pendingReportCount()).toBe(0);
    const listing = await accountReplica.listContainers(account, listingFromStart(10));
    expect(listing.value?.entries.map((entry) => (entry.kind === "row" ? entry.row.putTimestamp : null))).toEqual([
      "1700000002.00000",
    ]);
  });
});

describe("an account replica upgraded from the schema that hashed report times", () => {
  it("rehashes its container rows by their counts (migration 5) and agrees with a replica written since", async ({
    expect,
  }) => {
    const account = "AUTH_upgrade";
    const partition = rings.account.partitionFor(account);
    const [old, fresh] = [
      env.ACCOUNT_REPLICA.getByName(`account/${partition}/z1`),
      env.ACCOUNT_REPLICA.getByName(`account/${partition}/z2`),
    ];
    const report = {
      account,
      container: "c",
      putTimestamp: "1700000001.00000",
      deleteTimestamp: "0",
      objectCount: 3,
      bytesUsed: 30,
      reportedAt: "1700000100.00000",
    };
    await old.updateContainers([report]);
    await fresh.updateContainers([{ ...report, reportedAt: "1700000200.00000" }]);
    // As the old schema left it: the row hashed with its report time, migration 5 not applied.
    await runInDurableObject(old, (_instance, state) => {
      const sql = state.storage.sql;
      const row = sql
        .exec<{ leaf: number; hash: string }>(
          "SELECT leaf, hash FROM container WHERE account = ? AND name = ?",
          account,
          "c",
        )
        .one();
      const legacy = rowHash(
        treeKey.accountContainer(account, "c"),
        [report.putTimestamp, report.deleteTimestamp, report.reportedAt],
        0,
      );
      new HashTree(sql).update(row.leaf, row.hash, legacy);
      sql.exec("UPDATE container SET hash = ? WHERE account = ? AND name = ?", legacy, account, "c");
      sql.exec("DELETE FROM schema_migrations WHERE id = 5");
    });
    expect((await old.partitionHash()).value?.hash).not.toBe((await fresh.partitionHash()).value?.hash);
    await evictDurableObject(old);
    expect((await old.partitionHash()).value?.hash).toBe((await fresh.partitionHash()).value?.hash);
  });
});
