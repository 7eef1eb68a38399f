/**
 * @module
 * What a replica's reply says its call cost (ReplicaReply.work, src/common/work.ts): the rows its
 * SQL cursors read and wrote, and what it did within the call: an object replica's container
 * update (one Durable Object request, one subrequest of its own) with the rows the container
 * replica wrote for it.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { swift, text } from "../helpers";
import { objectRow } from "../rows";

const replica = (partition: number, zone = "z1") => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`);

describe("a replica reply's work", () => {
  it("an object PUT counts its rows and the container update it delivered, with that replica's rows", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/work"));
    const reply = await replica(70).putObject(objectRow("AUTH_test/work/a", "1700000001.00000"));
    expect(reply.status).toBe(201);
    const work = reply.work;
    expect(work).toMatchObject({ objectRequests: 0, accountRequests: 0, r2ClassA: 0, r2ClassB: 0 });
    // One container replica is updated per object replica, within the call: its own subrequest.
    expect(work?.containerRequests).toBe(1);
    expect(work?.subrequests).toBe(1);
    // At least the object row, its hash leaf, bucket and root, the outbox row queued and cleared,
    // and the container replica's listing row, its live index entry, its hash leaf, bucket and root.
    expect(work?.rowsWritten).toBeGreaterThanOrEqual(4 + 2 + 5);
    expect(work?.rowsRead).toBeGreaterThan(0);
  });

  it("an object GET reads the row and writes nothing", async ({ expect }) => {
    const stub = replica(71);
    await stub.putObject(objectRow("AUTH_test/work/b", "1700000001.00000"));
    const reply = await stub.getObject("AUTH_test/work/b");
    expect(reply.status).toBe(200);
    expect(reply.work).toMatchObject({ rowsWritten: 0, containerRequests: 0, subrequests: 0 });
    expect(reply.work?.rowsRead).toBeGreaterThanOrEqual(1);
  });

  it("an older PUT refused with 409 writes no row and sends no update", async ({ expect }) => {
    const stub = replica(72);
    await stub.putObject(objectRow("AUTH_test/work/c", "1700000002.00000"));
    const late = await stub.putObject(objectRow("AUTH_test/work/c", "1700000001.00000"));
    expect(late.status).toBe(409);
    expect(late.work).toMatchObject({ rowsWritten: 0, containerRequests: 0, subrequests: 0 });
  });
});
