import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { objectRow } from "../rows";

const replica = (partition: number, zone = "z1") => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`);

const TAGGING = "x-object-sysmeta-s3api-tagging";
/** A sysmeta update's clock (its time in units of 10 µs), as the proxy stamps it. */
const CLOCK = 170_000_000_500_000;

describe("object replica sysmeta update", () => {
  it("sets and removes the sysmeta sent and keeps all else; only the meta timestamp's offset moves", async ({
    expect,
  }) => {
    const stub = replica(41);
    const row = objectRow("AUTH_test/s/a", "1700000001.00000", {
      metadata: { "x-object-meta-a": "user", [TAGGING]: "old=1", "x-object-sysmeta-other": "kept" },
      contentType: "text/x-kept",
    });
    await stub.putObject(row);
    const reply = await stub.postObjectSysmeta(row.name, { [TAGGING]: "new=1", "x-object-sysmeta-gone": "" }, CLOCK);
    expect(reply.status).toBe(202);
    const held = (await stub.getObject(row.name)).value;
    expect(held).toEqual({
      ...row,
      metaTimestamp: `1700000001.00000_${CLOCK.toString(16).padStart(16, "0")}`,
      metadata: { "x-object-meta-a": "user", [TAGGING]: "new=1", "x-object-sysmeta-other": "kept" },
    });
    const removed = await stub.postObjectSysmeta(row.name, { [TAGGING]: "" }, CLOCK + 1);
    expect(removed.status).toBe(202);
    expect((await stub.getObject(row.name)).value?.metadata).toEqual({
      "x-object-meta-a": "user",
      "x-object-sysmeta-other": "kept",
    });
  });

  it("sends no user metadata through: only x-object-sysmeta-* names change", async ({ expect }) => {
    const stub = replica(42);
    await stub.putObject(objectRow("AUTH_test/s/b", "1700000001.00000", { metadata: { "x-object-meta-a": "user" } }));
    await stub.postObjectSysmeta("AUTH_test/s/b", { "x-object-meta-a": "", "content-type": "x/y" }, CLOCK);
    const held = (await stub.getObject("AUTH_test/s/b")).value;
    expect(held?.metadata).toEqual({ "x-object-meta-a": "user" });
    expect(held?.contentType).toBe("text/plain");
  });

  it("an update as old as the held one or older is refused with 409; a missing or deleted object is 404", async ({
    expect,
  }) => {
    const stub = replica(43);
    await stub.putObject(objectRow("AUTH_test/s/c", "1700000001.00000"));
    expect((await stub.postObjectSysmeta("AUTH_test/s/c", { [TAGGING]: "b=2" }, CLOCK + 1)).status).toBe(202);
    expect((await stub.postObjectSysmeta("AUTH_test/s/c", { [TAGGING]: "a=1" }, CLOCK)).status).toBe(409);
    expect((await stub.postObjectSysmeta("AUTH_test/s/c", { [TAGGING]: "c=3" }, CLOCK + 1)).status).toBe(409);
    expect((await stub.getObject("AUTH_test/s/c")).value?.metadata).toEqual({ [TAGGING]: "b=2" });
    expect((await stub.postObjectSysmeta("AUTH_test/s/none", { [TAGGING]: "a=1" }, CLOCK)).status).toBe(404);
    await stub.deleteObject("AUTH_test/s/c", "1700000002.00000");
    expect((await stub.postObjectSysmeta("AUTH_test/s/c", { [TAGGING]: "a=1" }, CLOCK + 2)).status).toBe(404);
  });

  it("a POST and a sysmeta update end the same on two replicas, whichever arrives first", async ({ expect }) => {
    const first = replica(44, "z1");
    const second = replica(44, "z2");
    const row = objectRow("AUTH_test/s/d", "1700000001.00000", { metadata: { [TAGGING]: "old=1" } });
    const post = () => ({ "x-object-meta-a": "posted" });
    await first.putObject(row);
    await second.putObject(row);
    await first.postObject(row.name, "1700000002.00000", post(), null, null);
    await first.postObjectSysmeta(row.name, { [TAGGING]: "new=1" }, CLOCK);
    await second.postObjectSysmeta(row.name, { [TAGGING]: "new=1" }, CLOCK);
    await second.postObject(row.name, "1700000002.00000", post(), null, null);
    const fromFirst = (await first.getObject(row.name)).value;
    expect(fromFirst?.metadata).toEqual({ "x-object-meta-a": "posted", [TAGGING]: "new=1" });
    expect(fromFirst?.metaTimestamp).toBe(`1700000002.00000_${CLOCK.toString(16).padStart(16, "0")}`);
    expect((await second.getObject(row.name)).value).toEqual(fromFirst);
  });

  it("a replica that missed the update takes it by repair, the POST it holds sorting before it", async ({ expect }) => {
    const updated = replica(45, "z1");
    const missed = replica(45, "z2");
    const row = objectRow("AUTH_test/s/e", "1700000001.00000", { metadata: { [TAGGING]: "old=1" } });
    for (const stub of [updated, missed]) {
      await stub.putObject(row);
      await stub.postObject(row.name, "1700000002.00000", { "x-object-meta-a": "posted" }, null, null);
    }
    await updated.postObjectSysmeta(row.name, { [TAGGING]: "new=1" }, CLOCK);
    const repaired = (await updated.getObject(row.name)).value;
    if (!repaired) throw new Error("no row");
    expect((await missed.mergeRows([repaired])).value).toBe(1);
    expect((await missed.getObject(row.name)).value).toEqual(repaired);
  });

  it("a POST after an update keeps its sysmeta and offset; a PUT after it starts again without either", async ({
    expect,
  }) => {
    const stub = replica(46);
    await stub.putObject(objectRow("AUTH_test/s/f", "1700000001.00000", { metadata: { [TAGGING]: "old=1" } }));
    await stub.postObjectSysmeta("AUTH_test/s/f", { [TAGGING]: "new=1" }, CLOCK);
    await stub.postObject("AUTH_test/s/f", "1700000003.00000", {}, null, null);
    expect((await stub.getObject("AUTH_test/s/f")).value).toMatchObject({
      metaTimestamp: `1700000003.00000_${CLOCK.toString(16).padStart(16, "0")}`,
      metadata: { [TAGGING]: "new=1" },
    });
    await stub.putObject(objectRow("AUTH_test/s/f", "1700000004.00000"));
    expect((await stub.getObject("AUTH_test/s/f")).value).toMatchObject({
      metaTimestamp: "1700000004.00000",
      metadata: {},
    });
  });
});
