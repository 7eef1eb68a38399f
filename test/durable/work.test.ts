/**
 * @module
 * What a replica's reply says its call cost (ReplicaReply.work, src/common/work.ts): the rows its
 * SQL cursors read and wrote, and what it did within the call: an object replica's container
 * update (one Durable Object request, one subrequest of its own) with the rows the container
 * replica wrote for it.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { objectWork } from "../../src/common/work-tally";
import { loadRings } from "../../src/ring/load";
import { describe, it } from "vitest";
import { swift, text } from "../helpers";
import { objectRow } from "../rows";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
const containerPartition = (account: string, container: string) => rings.container.partitionFor(account, container);

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
    // The object replica: its row (one entry, keyed by leaf and name), its hash leaf, and its alarm
    // set for the summary report; no outbox row, the update having landed. The container replica:
    // the listing row with its live and leaf index entries, its hash leaf, the container's counts,
    // the account report queued, and its alarm set earlier for that report.
    expect(work?.rowsWritten).toBe(3 + (3 + 1 + 1 + 1 + 1));
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

  it("an object written again updates its row in place: one entry and its hash leaf, no index entry and no alarm", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/work"));
    const stub = replica(73);
    await stub.putObject(objectRow("AUTH_test/work/d", "1700000001.00000"));
    const again = await stub.putObject(objectRow("AUTH_test/work/d", "1700000002.00000"));
    expect(again.status).toBe(201);
    // Object replica: its row and its hash leaf (the alarm for its summary report is set already).
    // Container replica: the listing row (its live and leaf index entries stay), its hash leaf and
    // the account report queued; the container's counts and its alarm are as they were.
    expect(again.work?.rowsWritten).toBe(2 + 3);
  });

  it("a replica's alarm is tallied under its class's alarms, with the calls it makes", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/work"));
    const stub = replica(74);
    // A merge (a peer's repair) is reported within SUMMARY_DELAY_MS: the alarm that runs now sends it.
    await stub.mergeRows([objectRow("AUTH_test/work/e", "1700000001.00000")]);
    objectWork.reset();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const tally = objectWork.snapshot();
    // The alarm sends the replica's summary report: one call to its zone's summary, which writes
    // its row (in the alarm's figures too, from the reply); nothing else is due, no alarm is set.
    expect(tally["object alarms"]).toMatchObject({ requests: 1, summaryRequests: 1, subrequests: 1, rowsWritten: 1 });
    expect(tally["summary calls"]).toMatchObject({ requests: 1, rowsWritten: 1 });
  });

  it("a container replica's account report costs its alarm, one account call and the account's rows", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/work"));
    // The object replica of partition 75 in z1 sends its update to the container replica in z1.
    await replica(75).putObject(objectRow("AUTH_test/work/f", "1700000001.00000"));
    const container = env.CONTAINER_REPLICA.getByName(`container/${containerPartition("AUTH_test", "work")}/z1`);
    objectWork.reset();
    expect(await runDurableObjectAlarm(container)).toBe(true);
    const tally = objectWork.snapshot();
    // The alarm's report: one account call, whose replica writes the container's row, its hash leaf
    // and the account's totals; the report's outbox row deleted. The container's summary report is
    // not due yet (an update every replica takes alike is reported within SUMMARY_QUIET_MS): the
    // alarm is set again for it.
    expect(tally["container alarms"]).toMatchObject({ requests: 1, accountRequests: 1, summaryRequests: 0 });
    expect(tally["account calls"]).toMatchObject({ requests: 1, rowsWritten: 3 });
    expect(tally["container alarms"]?.rowsWritten).toBe(3 + 1 + 1);
  });
});
