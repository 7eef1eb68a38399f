import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { loadRings } from "../../src/ring/load";
import { swift, text } from "../helpers";
import { LIST_ALL, objectRow } from "../rows";

const replica = (partition: number, zone = "z1") => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`);

describe("object replica merge order", () => {
  it("an older PUT arriving after a newer one is refused with 409 and the newer row stays", async ({ expect }) => {
    const stub = replica(1);
    expect((await stub.putObject(objectRow("AUTH_test/m/a", "1700000002.00000"))).status).toBe(201);
    const late = await stub.putObject(objectRow("AUTH_test/m/a", "1700000001.00000", { size: 99 }));
    expect(late.status).toBe(409);
    expect(late.timestamp).toBe("1700000002.00000");
    const held = await stub.getObject("AUTH_test/m/a");
    expect(held.value?.createdAt).toBe("1700000002.00000");
    expect(held.value?.size).toBe(1);
  });

  it("a PUT with the same timestamp as the held row is refused: the first write stays", async ({ expect }) => {
    const stub = replica(2);
    await stub.putObject(objectRow("AUTH_test/m/b", "1700000002.00000", { size: 1 }));
    expect((await stub.putObject(objectRow("AUTH_test/m/b", "1700000002.00000", { size: 2 }))).status).toBe(409);
    expect((await stub.getObject("AUTH_test/m/b")).value?.size).toBe(1);
  });

  it("a DELETE newer than the PUT leaves a tombstone (404 with its timestamp); an older PUT cannot revive it", async ({
    expect,
  }) => {
    const stub = replica(3);
    await stub.putObject(objectRow("AUTH_test/m/c", "1700000001.00000"));
    expect((await stub.deleteObject("AUTH_test/m/c", "1700000003.00000")).status).toBe(204);
    expect(await stub.getObject("AUTH_test/m/c")).toEqual({
      status: 404,
      timestamp: "1700000003.00000",
      work: expect.anything(),
    });
    expect((await stub.putObject(objectRow("AUTH_test/m/c", "1700000002.00000"))).status).toBe(409);
    expect((await stub.getObject("AUTH_test/m/c")).status).toBe(404);
  });

  it("a DELETE older than the held PUT is refused with 409 and the object stays", async ({ expect }) => {
    const stub = replica(4);
    await stub.putObject(objectRow("AUTH_test/m/d", "1700000005.00000"));
    expect((await stub.deleteObject("AUTH_test/m/d", "1700000004.00000")).status).toBe(409);
    expect((await stub.getObject("AUTH_test/m/d")).status).toBe(200);
  });

  it("replicated rows merge last-write-wins whatever order they arrive in", async ({ expect }) => {
    const a = replica(5, "z1");
    const b = replica(5, "z2");
    const v1 = objectRow("AUTH_test/m/e", "1700000001.00000", { size: 1 });
    const v2 = objectRow("AUTH_test/m/e", "1700000002.00000", { size: 2 });
    const gone = objectRow("AUTH_test/m/e", "1700000003.00000", { deleted: 1, size: 0, bodyKey: null });
    await a.mergeRows([v1, v2, gone]);
    await b.mergeRows([gone, v2, v1]);
    const fromA = await a.getObject("AUTH_test/m/e");
    const fromB = await b.getObject("AUTH_test/m/e");
    expect(fromA).toEqual({ status: 404, timestamp: "1700000003.00000", work: expect.anything() });
    expect(fromB).toEqual(fromA);
  });

  it("metadata from a POST newer than a late PUT applies to that PUT's data (as Swift's .meta over .data)", async ({
    expect,
  }) => {
    const stub = replica(6);
    await stub.putObject(objectRow("AUTH_test/m/f", "1700000001.00000", { metadata: { "x-object-meta-a": "old" } }));
    expect(
      (await stub.postObject("AUTH_test/m/f", "1700000003.00000", { "x-object-meta-a": "posted" }, null, null)).status,
    ).toBe(202);
    await stub.mergeRows([
      objectRow("AUTH_test/m/f", "1700000002.00000", { size: 7, metadata: { "x-object-meta-a": "put" } }),
    ]);
    const held = (await stub.getObject("AUTH_test/m/f")).value;
    expect(held?.size).toBe(7);
    expect(held?.metadata).toEqual({ "x-object-meta-a": "posted" });
    expect(held?.metaTimestamp).toBe("1700000003.00000");
  });

  it("a POST older than the data is refused with 409; a POST to a tombstone is 404", async ({ expect }) => {
    const stub = replica(7);
    await stub.putObject(objectRow("AUTH_test/m/g", "1700000005.00000"));
    expect((await stub.postObject("AUTH_test/m/g", "1700000004.00000", {}, null, null)).status).toBe(409);
    await stub.deleteObject("AUTH_test/m/g", "1700000006.00000");
    expect((await stub.postObject("AUTH_test/m/g", "1700000007.00000", {}, null, null)).status).toBe(404);
  });

  it(
    "a DELETE with the same timestamp as the held PUT is refused with 409 and the object stays " +
      "(Swift: obj/server.py DELETE)",
    async ({ expect }) => {
      const stub = replica(10);
      await stub.putObject(objectRow("AUTH_test/m/tie-delete", "1700000005.00000"));
      expect(await stub.deleteObject("AUTH_test/m/tie-delete", "1700000005.00000")).toEqual({
        status: 409,
        timestamp: "1700000005.00000",
        work: expect.anything(),
      });
      expect((await stub.getObject("AUTH_test/m/tie-delete")).status).toBe(200);
    },
  );

  it("a POST with the same timestamp as the data is refused with 409 and the PUT's metadata stays", async ({
    expect,
  }) => {
    const stub = replica(11);
    await stub.putObject(
      objectRow("AUTH_test/m/tie-post", "1700000005.00000", { metadata: { "x-object-meta-a": "put" } }),
    );
    expect(
      (await stub.postObject("AUTH_test/m/tie-post", "1700000005.00000", { "x-object-meta-a": "posted" }, null, null))
        .status,
    ).toBe(409);
    expect((await stub.getObject("AUTH_test/m/tie-post")).value?.metadata).toEqual({ "x-object-meta-a": "put" });
  });

  it("a second POST with the same timestamp as the first leaves the first POST's metadata", async ({ expect }) => {
    const stub = replica(12);
    await stub.putObject(objectRow("AUTH_test/m/tie-post2", "1700000005.00000"));
    await stub.postObject("AUTH_test/m/tie-post2", "1700000006.00000", { "x-object-meta-a": "first" }, null, null);
    await stub.postObject("AUTH_test/m/tie-post2", "1700000006.00000", { "x-object-meta-a": "second" }, null, null);
    expect((await stub.getObject("AUTH_test/m/tie-post2")).value).toMatchObject({
      metaTimestamp: "1700000006.00000",
      metadata: { "x-object-meta-a": "first" },
    });
  });

  it("a replicated tombstone older than the held object leaves it readable, body and metadata included", async ({
    expect,
  }) => {
    const stub = replica(13);
    const held = objectRow("AUTH_test/m/old-tombstone", "1700000005.00000", {
      size: 5,
      bodyKey: "AUTH_test/m/old-tombstone/1700000005.00000",
      metadata: { "x-object-meta-a": "kept" },
    });
    await stub.putObject(held);
    expect(
      await stub.mergeRows([
        objectRow("AUTH_test/m/old-tombstone", "1700000004.00000", { deleted: 1, size: 0, bodyKey: null }),
      ]),
    ).toMatchObject({ status: 200 });
    expect((await stub.getObject("AUTH_test/m/old-tombstone")).value).toEqual(held);
  });

  it("If-None-Match on a replica holding the object answers 412", async ({ expect }) => {
    const stub = replica(8);
    await stub.putObject(objectRow("AUTH_test/m/h", "1700000001.00000"));
    expect((await stub.putObject(objectRow("AUTH_test/m/h", "1700000002.00000"), { ifNoneMatch: true })).status).toBe(
      412,
    );
  });
});

describe("object replica schema", () => {
  it("has the tables and indexes of its migrations (a schema change without a migration fails this)", async ({
    expect,
  }) => {
    const stub = replica(9);
    await stub.getObject("AUTH_test/m/none");
    const ddl = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ type: string; name: string; sql: string | null }>(
          "SELECT type, name, sql FROM sqlite_master " +
            "WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
        )
        .toArray(),
    );
    expect(ddl.map((entry) => `${entry.type} ${entry.name}`)).toEqual([
      "table garbage_body",
      "table hash_leaf",
      "table object",
      "index object_delete_at",
      "index object_tombstone",
      "table outbox",
      "table schema_migrations",
    ]);
  });
});

describe("expired objects", () => {
  it("an object whose X-Delete-At has passed is 404 at once, though its row is still held", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/expiry"));
    await text(
      await swift("PUT", "/AUTH_test/expiry/o", {
        body: new TextEncoder().encode("x"),
        headers: { "X-Delete-After": "1000" },
      }),
    );
    // Rewrite the row on every replica with a delete-at in the past, as time passing would.
    const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
    const partition = rings.object.partitionFor("AUTH_test", "expiry", "o");
    for (const zone of rings.object.primaryZones(partition)) {
      const stub = env.OBJECT_REPLICA.getByName(`object/${partition}/${zone.id}`);
      const held = (await stub.getObject("AUTH_test/expiry/o")).value;
      expect(held).toBeDefined();
      if (!held) continue;
      await stub.postObject(held.name, "9999999999.00000", held.metadata, Math.floor(Date.now() / 1000) - 10, null);
    }
    const get = await swift("GET", "/AUTH_test/expiry/o");
    await text(get);
    expect(get.status).toBe(404);
  });
});
