/**
 * @module
 * When a replica reports its partition hash to its zone's ring summary: within SUMMARY_QUIET_MS
 * of a change every replica makes alike (a client's write each primary took), within
 * SUMMARY_DELAY_MS of one its peers may not share (a write that missed a peer, a repair's merge),
 * and within SUMMARY_DELAY_MS, for a quiet report still owed, when a peer repairs with it. Replicas in sync keep
 * equal summaries, only older; the sweep still sees every divergence.
 */
import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { SUMMARY_DELAY_MS, SUMMARY_QUIET_MS } from "../../src/common/constraints";
import { parseConfig } from "../../src/config/config";
import type { SummaryEntry } from "../../src/durable/schema/summary";
import { BASE, swift, text, tokenFor } from "../helpers";
import { objectRow } from "../rows";

const rings = parseConfig(env).rings;
const ZONES = ["z1", "z2", "z3"];
const replica = (partition: number, zone: string) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`);

/** What the object ring's summary of `zone` holds for `partition`. */
async function summaryOf(partition: number, zone: string): Promise<SummaryEntry | undefined> {
  const page = (await env.RING_SUMMARY.getByName(`summary/object/${zone}`).list(partition, 1)).value ?? [];
  return page.find((entry) => entry.partition === partition && entry.slot === "");
}

/** The alarm each replica of `partition` has set, as ms from now (null: none). */
async function alarmsIn(partition: number): Promise<(number | null)[]> {
  return Promise.all(
    ZONES.map(async (zone) => {
      const at = await runInDurableObject(replica(partition, zone), (_instance, state) => state.storage.getAlarm());
      return at === null ? null : at - Date.now();
    }),
  );
}

async function runAlarms(partition: number): Promise<void> {
  for (const zone of ZONES) await runDurableObjectAlarm(replica(partition, zone));
}

async function sweepObjectRing(): Promise<{ divergent: number }> {
  const response = await exports.default.fetch(`${BASE}/recon/sweep?only=sweep`, {
    method: "POST",
    headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
  });
  const body = (await response.json()) as { sweeps: { ring: string; divergent: number }[] };
  return body.sweeps.find((report) => report.ring === "object") ?? { divergent: -1 };
}

describe("ring summary reports", () => {
  it("a client's write every primary took is reported within SUMMARY_QUIET_MS, not at the next alarm", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/quiet"));
    const put = await swift("PUT", "/AUTH_test/quiet/o", { body: "every primary takes this" });
    expect(put.status).toBe(201);
    const partition = rings.object.partitionFor("AUTH_test", "quiet", "o");
    // Reading a replica's hash (a ring summary's probe, a bench) does not bring the report in.
    for (const zone of ZONES) expect((await replica(partition, zone).partitionHash()).value?.rows).toBe(1);
    for (const ms of await alarmsIn(partition)) {
      expect(ms).not.toBeNull();
      expect(ms).toBeGreaterThan(SUMMARY_QUIET_MS - 60_000);
    }
    // An alarm that runs before then (here forced) does not report.
    await runAlarms(partition);
    for (const zone of ZONES) expect(await summaryOf(partition, zone)).toBeUndefined();
    // Its replicas in sync, a sweep finds nothing to repair.
    expect((await sweepObjectRing()).divergent).toBe(0);
  });

  it("a write that missed a peer is reported within SUMMARY_DELAY_MS once the proxy marks its replica dirty", async ({
    expect,
  }) => {
    const partition = rings.object.partitionFor("AUTH_test", "quiet", "missed");
    const row = objectRow("AUTH_test/quiet/missed", "1700000001.00000");
    // The write reached z1 alone; z1's report is quiet until the proxy says a peer missed it.
    expect((await replica(partition, "z1").putObject(row)).status).toBe(201);
    await runDurableObjectAlarm(replica(partition, "z1"));
    expect(await summaryOf(partition, "z1")).toBeUndefined();
    await replica(partition, "z1").markDirty();
    const [z1] = await alarmsIn(partition);
    expect(z1).toBeLessThanOrEqual(SUMMARY_DELAY_MS);
    // z1's alarm repairs with its peers and reports; theirs report the merge; the three agree.
    await runAlarms(partition);
    const entries = await Promise.all(ZONES.map((zone) => summaryOf(partition, zone)));
    expect(entries.map((entry) => entry?.rows)).toEqual([1, 1, 1]);
    expect(new Set(entries.map((entry) => entry?.hash)).size).toBe(1);
  });

  it("a replica a peer repairs with (peerPartitionHash) reports its quiet changes within SUMMARY_DELAY_MS", async ({
    expect,
  }) => {
    const partition = rings.object.partitionFor("AUTH_test", "quiet", "peer");
    const row = objectRow("AUTH_test/quiet/peer", "1700000001.00000");
    for (const zone of ZONES) await replica(partition, zone).putObject(row);
    // z1 repairs (the sweep saw its summary differ): it and the peers it asked owe their reports at once.
    const repair = await replica(partition, "z1").repair();
    expect(repair.status).toBe(200);
    for (const ms of await alarmsIn(partition)) expect(ms).toBeLessThanOrEqual(SUMMARY_DELAY_MS);
    await runAlarms(partition);
    const entries = await Promise.all(ZONES.map((zone) => summaryOf(partition, zone)));
    expect(entries.map((entry) => entry?.rows)).toEqual([1, 1, 1]);
  });

  it("replicas whose reports are older than their quiet writes still show a later divergence to the sweep", async ({
    expect,
  }) => {
    const partition = rings.object.partitionFor("AUTH_test", "quiet", "stale");
    // Reported once in sync (a repair's merge is reported at once)…
    for (const zone of ZONES)
      await replica(partition, zone).mergeRows([objectRow("AUTH_test/quiet/stale", "1700000001.00000")]);
    await runAlarms(partition);
    const reported = await summaryOf(partition, "z1");
    expect(reported?.rows).toBe(1);
    // …then a write every primary took, not reported yet: the summaries are equal, only older.
    for (const zone of ZONES)
      await replica(partition, zone).putObject(objectRow("AUTH_test/quiet/stale", "1700000002.00000"));
    await runAlarms(partition);
    for (const zone of ZONES) expect((await summaryOf(partition, zone))?.hash).toBe(reported?.hash);
    // A write that misses z3, its repair asked: z1 and z2 report at once, and z3 takes the write.
    for (const zone of ["z1", "z2"]) {
      await replica(partition, zone).putObject(objectRow("AUTH_test/quiet/stale-2", "1700000003.00000"));
      await replica(partition, zone).markDirty();
    }
    await runAlarms(partition);
    await runAlarms(partition);
    expect((await replica(partition, "z3").getObject("AUTH_test/quiet/stale-2")).status).toBe(200);
    const entries = await Promise.all(ZONES.map((zone) => summaryOf(partition, zone)));
    expect(entries.map((entry) => entry?.rows)).toEqual([2, 2, 2]);
    expect(new Set(entries.map((entry) => entry?.hash)).size).toBe(1);
    expect(entries[0]?.hash).not.toBe(reported?.hash);
  });
});
