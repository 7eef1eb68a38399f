import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, it } from "vitest";
import { loadRings } from "../../src/ring/load";
import { swift, text } from "../helpers";
import { LIST_ALL, objectRow } from "../rows";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

const objectReplicas = (partition: number) =>
  ["z1", "z2", "z3"].map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));

async function hashes(
  stubs: { partitionHash(): Promise<{ value?: { hash: string; rows: number } }> }[],
): Promise<string[]> {
  return Promise.all(stubs.map(async (stub) => (await stub.partitionHash()).value?.hash ?? ""));
}

describe("repair by hash trees", () => {
  it("replicas holding the same rows have equal partition hashes whatever order the rows came in", async ({
    expect,
  }) => {
    const [a, b] = objectReplicas(100);
    const rows = Array.from({ length: 20 }, (_, i) => objectRow(`AUTH_r/c/o${i}`, `17000000${String(10 + i)}.00000`));
    await a!.mergeRows(rows);
    await b!.mergeRows([...rows].reverse());
    const [ha, hb] = await hashes([a!, b!]);
    expect(ha).toBe(hb);
    expect(ha).not.toBe("0".repeat(32));
  });

  it("the partition hash carries when it last changed: a merge that changes nothing leaves that time alone", async ({
    expect,
  }) => {
    const [a] = objectReplicas(109);
    const before = Date.now();
    await a!.mergeRows([objectRow("AUTH_r/c/when", "1700000001.00000")]);
    const first = (await a!.partitionHash()).value?.changedAt ?? 0;
    expect(first).toBeGreaterThanOrEqual(before);
    expect(first).toBeLessThanOrEqual(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a!.mergeRows([objectRow("AUTH_r/c/when", "1700000001.00000")]);
    expect((await a!.partitionHash()).value?.changedAt).toBe(first);
    await a!.mergeRows([objectRow("AUTH_r/c/when", "1700000002.00000")]);
    expect((await a!.partitionHash()).value?.changedAt).toBeGreaterThan(first);
  });

  it("a row only one replica holds reaches the others by repair, and only the differing rows move", async ({
    expect,
  }) => {
    const partition = 101;
    const replicas = objectReplicas(partition);
    const base = Array.from({ length: 200 }, (_, i) => objectRow(`AUTH_r/c/base${i}`, "1700000001.00000"));
    for (const stub of replicas) await stub.mergeRows(base);
    await replicas[0]!.mergeRows([
      objectRow("AUTH_r/c/only-on-z1", "1700000002.00000"),
      objectRow("AUTH_r/c/base7", "1700000003.00000", { size: 9 }),
    ]);
    const before = await hashes(replicas);
    expect(before[0]).not.toBe(before[1]);
    const reply = await replicas[0]!.repair();
    expect(reply.status).toBe(200);
    const reports = reply.value ?? [];
    expect(reports.every((report) => report.divergent && report.inSync)).toBe(true);
    for (const report of reports) {
      expect(report.rowsSent).toBeLessThanOrEqual(3); // the two newer rows, and z2's older base7 going the other way
      expect(report.rowsRead).toBeLessThan(20);
    }
    const after = await hashes(replicas);
    expect(new Set(after).size).toBe(1);
    expect((await replicas[2]!.getObject("AUTH_r/c/base7")).value?.size).toBe(9);
    expect((await replicas[1]!.getObject("AUTH_r/c/only-on-z1")).status).toBe(200);
  });

  it("repair merges both ways: each side ends with the newer of every row", async ({ expect }) => {
    const [a, b] = objectReplicas(102);
    await a!.mergeRows([
      objectRow("AUTH_r/c/x", "1700000005.00000", { size: 5 }),
      objectRow("AUTH_r/c/y", "1700000001.00000"),
    ]);
    await b!.mergeRows([
      objectRow("AUTH_r/c/x", "1700000004.00000", { size: 4 }),
      objectRow("AUTH_r/c/y", "1700000002.00000", { deleted: 1 }),
    ]);
    await a!.repair();
    for (const stub of [a!, b!]) {
      expect((await stub.getObject("AUTH_r/c/x")).value?.size).toBe(5);
      expect(await stub.getObject("AUTH_r/c/y")).toEqual({
        status: 404,
        timestamp: "1700000002.00000",
        work: expect.anything(),
      });
    }
  });

  it("in-sync replicas cost one comparison of partition hashes each", async ({ expect }) => {
    const replicas = objectReplicas(103);
    for (const stub of replicas) await stub.mergeRows([objectRow("AUTH_r/c/same", "1700000001.00000")]);
    const reply = await replicas[1]!.repair();
    expect(reply.value?.map((report) => [report.divergent, report.rowsRead, report.calls])).toEqual([
      [false, 0, 2],
      [false, 0, 2],
    ]);
  });

  it("a repaired row's body is copied into the zone bucket that lacked it", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/repair-bodies"));
    await text(await swift("PUT", "/AUTH_test/repair-bodies/o", { body: new TextEncoder().encode("body v1") }));
    const partition = rings.object.partitionFor("AUTH_test", "repair-bodies", "o");
    const zones = rings.object.primaryZones(partition).map((zone) => zone.id);
    const stubs = zones.map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));
    // A newer version that only the first zone took (its bucket only has the body).
    const held = (await stubs[0]!.getObject("AUTH_test/repair-bodies/o")).value!;
    const key = `AUTH_test/newer/${"1800000000.00000"}`;
    const buckets: Record<string, R2Bucket> = { z1: env.BODIES_Z1, z2: env.BODIES_Z2, z3: env.BODIES_Z3 };
    await buckets[zones[0]!]!.put(key, "body v2");
    await stubs[0]!.mergeRows([
      {
        ...held,
        createdAt: "1800000000.00000",
        metaTimestamp: "1800000000.00000",
        contentTypeTimestamp: "1800000000.00000",
        bodyKey: key,
        size: 7,
      },
    ]);
    expect(await buckets[zones[1]!]!.head(key)).toBeNull();
    await stubs[0]!.repair();
    for (const zone of zones) expect(await (await buckets[zone]!.get(key))?.text()).toBe("body v2");
    expect(await text(await swift("GET", "/AUTH_test/repair-bodies/o", { headers: { "X-Newest": "true" } }))).toBe(
      "body v2",
    );
  });

  it("container replicas repair listing rows and keep counts right", async ({ expect }) => {
    const partition = rings.container.partitionFor("AUTH_r2", "c");
    const stubs = ["z1", "z2", "z3"].map((zone) => env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone}`));
    await stubs[0]!.putContainer("AUTH_r2", "c", "1700000000.00000", {
      "x-container-meta-a": { value: "1", timestamp: "1700000000.00000" },
    });
    await stubs[0]!.updateObjects([
      { account: "AUTH_r2", container: "c", row: { ...objectRow("o1", "1700000001.00000", { size: 10 }) } },
      { account: "AUTH_r2", container: "c", row: { ...objectRow("o2", "1700000001.00000", { size: 20 }) } },
    ]);
    await stubs[0]!.repair();
    for (const stub of stubs) {
      const listing = await stub.listObjects("AUTH_r2", "c", LIST_ALL);
      expect(listing.value?.entries.map((entry) => entry.name)).toEqual(["o1", "o2"]);
      expect(listing.value?.container).toMatchObject({ objectCount: 2, bytesUsed: 30 });
      expect(listing.value?.container.metadata["x-container-meta-a"]?.value).toBe("1");
    }
    expect(new Set(await hashes(stubs)).size).toBe(1);
  });

  it("account replicas repair container rows and totals", async ({ expect }) => {
    const partition = rings.account.partitionFor("AUTH_r3");
    const stubs = ["z1", "z2", "z3"].map((zone) => env.ACCOUNT_REPLICA.getByName(`account/${partition}/${zone}`));
    await stubs[1]!.putAccount("AUTH_r3", "1700000000.00000", {});
    await stubs[1]!.updateContainers([
      {
        account: "AUTH_r3",
        container: "c",
        putTimestamp: "1700000001.00000",
        deleteTimestamp: "0",
        objectCount: 3,
        bytesUsed: 30,
        reportedAt: "1700000002.00000",
      },
    ]);
    await stubs[1]!.repair();
    for (const stub of stubs)
      expect((await stub.headAccount("AUTH_r3")).value).toMatchObject({
        containerCount: 1,
        objectCount: 3,
        bytesUsed: 30,
      });
    expect(new Set(await hashes(stubs)).size).toBe(1);
  });

  it(
    "an object POST that changes only metadata changes the partition hash, " +
      "and repair carries the metadata to the replicas that missed it",
    async ({ expect }) => {
      const replicas = objectReplicas(105);
      for (const stub of replicas)
        await stub.putObject(
          objectRow("AUTH_r/c/posted", "1700000001.00000", { metadata: { "x-object-meta-color": "red" } }),
        );
      const before = await hashes(replicas);
      expect(new Set(before).size).toBe(1);
      expect(
        (
          await replicas[0]!.postObject(
            "AUTH_r/c/posted",
            "1700000002.00000",
            { "x-object-meta-color": "blue" },
            null,
            null,
          )
        ).status,
      ).toBe(202);
      const after = await hashes(replicas);
      expect(after[0]).not.toBe(before[0]);
      await replicas[0]!.repair();
      expect(new Set(await hashes(replicas)).size).toBe(1);
      for (const stub of replicas)
        expect((await stub.getObject("AUTH_r/c/posted")).value).toMatchObject({
          metaTimestamp: "1700000002.00000",
          metadata: { "x-object-meta-color": "blue" },
        });
    },
  );

  it("an object POST that changes only the content type reaches the replicas that missed it", async ({ expect }) => {
    const replicas = objectReplicas(106);
    for (const stub of replicas) await stub.putObject(objectRow("AUTH_r/c/retyped", "1700000001.00000"));
    await replicas[1]!.postObject("AUTH_r/c/retyped", "1700000002.00000", {}, null, "image/png");
    await replicas[1]!.repair();
    expect(new Set(await hashes(replicas)).size).toBe(1);
    for (const stub of replicas)
      expect((await stub.getObject("AUTH_r/c/retyped")).value?.contentType).toBe("image/png");
  });

  it("a container POST of metadata reaches the replicas that missed it", async ({ expect }) => {
    const partition = rings.container.partitionFor("AUTH_r4", "c");
    const stubs = ["z1", "z2", "z3"].map((zone) => env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone}`));
    for (const stub of stubs)
      await stub.putContainer("AUTH_r4", "c", "1700000000.00000", {
        "x-container-meta-a": { value: "1", timestamp: "1700000000.00000" },
      });
    // Stamped before the container's put timestamp, so only the metadata moves, as a POST replicated late.
    expect(
      await stubs[0]!.postContainer("AUTH_r4", "c", "1699999999.00000", {
        "x-container-meta-b": { value: "2", timestamp: "1700000001.00000" },
      }),
    ).toMatchObject({ status: 204, timestamp: "1700000000.00000" });
    const before = await hashes(stubs);
    expect(before[0]).not.toBe(before[1]);
    await stubs[0]!.repair();
    expect(new Set(await hashes(stubs)).size).toBe(1);
    for (const stub of stubs)
      expect(
        (await stub.listObjects("AUTH_r4", "c", LIST_ALL)).value?.container.metadata["x-container-meta-b"]?.value,
      ).toBe("2");
  });

  it("an account POST of metadata changes the partition hash and reaches the replicas that missed it", async ({
    expect,
  }) => {
    const partition = rings.account.partitionFor("AUTH_r5");
    const stubs = ["z1", "z2", "z3"].map((zone) => env.ACCOUNT_REPLICA.getByName(`account/${partition}/${zone}`));
    for (const stub of stubs) await stub.putAccount("AUTH_r5", "1700000000.00000", {});
    const before = await hashes(stubs);
    await stubs[2]!.postAccount("AUTH_r5", { "x-account-meta-color": { value: "red", timestamp: "1700000001.00000" } });
    expect((await hashes(stubs))[2]).not.toBe(before[2]);
    await stubs[2]!.repair();
    expect(new Set(await hashes(stubs)).size).toBe(1);
    for (const stub of stubs)
      expect((await stub.headAccount("AUTH_r5")).value?.metadata["x-account-meta-color"]?.value).toBe("red");
  });

  it("a replica marked dirty repairs from its alarm about a second later, without waiting for cron", async ({
    expect,
  }) => {
    const replicas = objectReplicas(104);
    await replicas[2]!.mergeRows([objectRow("AUTH_r/c/dirty", "1700000001.00000")]);
    await replicas[2]!.markDirty();
    expect(await runDurableObjectAlarm(replicas[2]!)).toBe(true);
    expect(new Set(await hashes(replicas)).size).toBe(1);
    expect((await replicas[0]!.getObject("AUTH_r/c/dirty")).status).toBe(200);
  });
});
