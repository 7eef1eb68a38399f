/**
 * @module
 * How the sweep reads the zones' ring summaries: merged in partition order, a page per zone at a
 * time (its memory a page per zone, not the ring), and a partition whose two entries in one zone
 * (its own slot's and its handoff's) fall on either side of a page boundary keeps both.
 */
import { describe, it } from "vitest";
import type { Config } from "../../../src/config/config";
import type { SummaryEntry } from "../../../src/durable/schema/summary";
import type { ReplicaClient } from "../../../src/durable/client";
import { partitionsOf, SUMMARY_PAGE, sweepRing } from "../../../src/replicator/sweep";

/** A config whose ring "object" has `entries`' zones, each summary answering `list` from its entries. */
function summaries(entries: Record<string, SummaryEntry[]>): { config: Config; calls: string[] } {
  const calls: string[] = [];
  const stub = (zone: string) => ({
    list: async (from: number, limit: number) => {
      calls.push(zone);
      const sorted = [...(entries[zone] ?? [])].sort((a, b) => a.partition - b.partition || (a.slot < b.slot ? -1 : 1));
      return { status: 200, value: sorted.filter((entry) => entry.partition >= from).slice(0, limit) };
    },
  });
  const zones = Object.keys(entries).map((id) => ({ id }));
  const config = {
    rings: { get: () => ({ zones, partitionCount: 1_024, primaryZones: () => zones }) },
    ringSummary: { getByName: (name: string) => stub(name.split("/")[2] ?? "") },
  } as unknown as Config;
  return { config, calls };
}

const entry = (partition: number, slot = "", hash = "h"): SummaryEntry => ({ partition, slot, hash, rows: 1 });

async function all(config: Config, from = 0) {
  const out: { partition: number; slots: Record<string, string> }[] = [];
  for await (const { partition, slots } of partitionsOf(config, "object", from))
    out.push({ partition, slots: Object.fromEntries([...slots].map(([slot, e]) => [slot, e.hash])) });
  return out;
}

describe("the sweep's reading of the ring summaries", () => {
  it("merges the zones' entries by partition, each under its zone's slot or its handoff slot", async ({ expect }) => {
    const { config } = summaries({
      z1: [entry(1, "", "a"), entry(5, "", "b"), entry(5, "handoff", "c")],
      z2: [entry(5, "", "d"), entry(9, "", "e")],
    });
    expect(await all(config)).toEqual([
      { partition: 1, slots: { z1: "a" } },
      { partition: 5, slots: { z1: "b", "z1/handoff": "c", z2: "d" } },
      { partition: 9, slots: { z2: "e" } },
    ]);
    expect((await all(config, 5)).map((p) => p.partition)).toEqual([5, 9]);
  });

  it("keeps a partition's handoff entry that starts the next page", async ({ expect }) => {
    const full = Array.from({ length: SUMMARY_PAGE }, (_, i) => entry(i));
    const { config, calls } = summaries({
      z1: [...full, entry(SUMMARY_PAGE - 1, "handoff", "x"), entry(SUMMARY_PAGE)],
    });
    const partitions = await all(config);
    expect(partitions).toHaveLength(SUMMARY_PAGE + 1);
    expect(partitions[SUMMARY_PAGE - 1]?.slots).toEqual({ z1: "h", "z1/handoff": "x" });
    // The page boundary is read again from its partition, not skipped over.
    expect(calls).toHaveLength(2);
  });

  it("reads a page per zone as it goes, not the whole ring first", async ({ expect }) => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => entry(i));
    const { config, calls } = summaries({ z1: many(3 * SUMMARY_PAGE), z2: many(3 * SUMMARY_PAGE) });
    const walk = partitionsOf(config, "object", 0);
    await walk.next();
    expect(calls).toEqual(["z1", "z2"]);
    let seen = 1;
    while (!(await walk.next()).done) seen += 1;
    expect(seen).toBe(3 * SUMMARY_PAGE);
    expect(calls.length).toBeLessThanOrEqual(2 * 4);
  });
});

describe("a sweep that reaches its repairs' bound", () => {
  it("stops at the next divergent partition, says what it compared, and resumes there", async ({ expect }) => {
    const { config } = summaries({
      z1: [entry(1, "", "a"), entry(2), entry(4, "", "a"), entry(7, "", "a")],
      z2: [entry(1, "", "b"), entry(2), entry(4, "", "b"), entry(7, "", "b")],
    });
    const repaired: number[] = [];
    const client = {
      call: async (_ring: string, partition: number) => {
        repaired.push(partition);
        return { status: 200, value: [] };
      },
    } as unknown as ReplicaClient;
    const first = await sweepRing(config, client, "object", 0, 2, Date.now());
    expect(first.report).toMatchObject({ complete: false, cursor: 7, divergent: 2, repaired: 2, partitionsChecked: 3 });
    expect(first.divergentPartitions).toEqual([1, 4]);
    expect(first.checked).toEqual({ from: 0, to: 7 });
    const rest = await sweepRing(config, client, "object", first.report.cursor, 2, Date.now());
    expect(rest.report).toMatchObject({ complete: true, cursor: 0, divergent: 1, repaired: 1, partitionsChecked: 1 });
    expect(rest.checked).toEqual({ from: 7, to: 1_024 });
    expect(repaired).toEqual([1, 4, 7]);
  });
});
