import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import type { ContainerReplica, ObjectReplica } from "../../bench/worker/replicas";
import { listingRow, objectRow } from "../rows";

// The bench Worker binds its own replica classes, which add seedRows to the production ones
// that Env names.
const objectReplica = (name: string) =>
  env.OBJECT_REPLICA.getByName(name) as unknown as DurableObjectStub<ObjectReplica>;
const containerReplica = (name: string) =>
  env.CONTAINER_REPLICA.getByName(name) as unknown as DurableObjectStub<ContainerReplica>;

describe("bench-only seeding (seedRows)", () => {
  it("an object replica stores seeded rows as a merge does, and queues no container update", async ({ expect }) => {
    const stub = objectReplica("object/990/z1");
    expect(await stub.seedRows([objectRow("AUTH_test/seed/a", "1700000001.00000")])).toEqual({ status: 200, value: 1 });
    expect((await stub.getObject("AUTH_test/seed/a")).value?.createdAt).toBe("1700000001.00000");
    expect((await stub.partitionHash()).value?.rows).toBe(1);
    expect(await stub.pendingUpdateCount()).toBe(0);
  });

  it("a container replica stores seeded container and listing rows, and queues no account report", async ({
    expect,
  }) => {
    const stub = containerReplica("container/990/z1");
    const stamp = "1700000001.00000";
    const row = {
      account: "AUTH_test",
      container: "seed",
      createdAt: stamp,
      putTimestamp: stamp,
      deleteTimestamp: "0",
      statusChangedAt: stamp,
      objectCount: 1,
      bytesUsed: 1,
      metadata: {},
      storagePolicyIndex: 0,
    };
    const reply = await stub.seedRows([
      { kind: "container", key: "AUTH_test/seed", row },
      { kind: "object", key: "AUTH_test/seed", row: listingRow("a", stamp) },
    ]);
    expect(reply.status).toBe(200);
    expect((await stub.headContainer("AUTH_test", "seed")).value).toMatchObject({ objectCount: 1, bytesUsed: 1 });
    expect(await stub.pendingReportCount()).toBe(0);
  });
});
