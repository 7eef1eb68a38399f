/**
 * @module
 * SummaryReport's due times, over a stand-in for the replica's context: quiet and prompt changes,
 * a doubt, an instance started again after an eviction, a change made while a report is on its
 * way, a report that failed.
 */
import { describe, it } from "vitest";
import { REPAIR_RETRY_MAX_MS, SUMMARY_DELAY_MS, SUMMARY_QUIET_MS } from "../../../src/common/constraints";
import type { ReplicaContext } from "../../../src/durable/replica/context";
import { SummaryReport } from "../../../src/durable/replica/summary-report";
import type { HashTree } from "../../../src/durable/schema/hash-tree";

interface Stand {
  report: SummaryReport;
  /** Alarm times armed, in order. */
  armed: number[];
  /** Entries the summary was sent. */
  sent: { hash: string; rows: number }[];
  /** The root the tree answers now. */
  root: { hash: string; rows: number };
  /** Makes the summary's next call fail, or wait on `release` before answering. */
  fail: boolean;
  hold: Promise<void> | null;
}

/** A SummaryReport whose predecessor left the alarm at `alarmAtStart`. */
function standIn(alarmAtStart: number | null = null): Stand {
  const stand: Stand = {
    report: null as unknown as SummaryReport,
    armed: [],
    sent: [],
    root: { hash: "a", rows: 1 },
    fail: false,
    hold: null,
  };
  const summary = {
    report: async (entries: { hash: string; rows: number }[]) => {
      if (stand.hold) await stand.hold;
      if (stand.fail) throw new Error("summary down");
      stand.sent.push(...entries.map(({ hash, rows }) => ({ hash, rows })));
      return { status: 202 };
    },
  };
  const context = {
    name: "object/1/z1",
    identity: { ring: "object", partition: 1, zone: "z1", handoff: false, slot: "z1" },
    config: { ringSummary: { getByName: () => summary } },
    state: { clearDue: () => {} },
    alarm: { setAtStart: alarmAtStart, arm: (at: number) => stand.armed.push(at) },
  } as unknown as ReplicaContext;
  stand.report = new SummaryReport(context, () => ({ root: () => stand.root }) as unknown as HashTree);
  return stand;
}

const near = (actual: number | null, expected: number) => actual !== null && Math.abs(actual - expected) < 1_000;

describe("SummaryReport", () => {
  it("a change every replica makes alike is due within SUMMARY_QUIET_MS; an earlier alarm does not send it", ({
    expect,
  }) => {
    const stand = standIn();
    expect(stand.report.dueAt).toBeNull();
    stand.report.changed(true);
    expect(near(stand.report.dueAt, Date.now() + SUMMARY_QUIET_MS)).toBe(true);
    expect(stand.armed).toEqual([stand.report.dueAt]);
    expect(stand.report.isDue(Date.now())).toBe(false);
    expect(stand.report.isDue(Date.now() + SUMMARY_QUIET_MS)).toBe(true);
  });

  it("a change peers may not share brings a quiet report in to SUMMARY_DELAY_MS, which then goes with any alarm", ({
    expect,
  }) => {
    const stand = standIn();
    stand.report.changed(true);
    stand.report.changed(false);
    expect(near(stand.report.dueAt, Date.now() + SUMMARY_DELAY_MS)).toBe(true);
    expect(stand.armed).toHaveLength(2);
    expect(stand.report.isDue(Date.now())).toBe(true);
    // A later quiet change does not push it back.
    stand.report.changed(true);
    expect(near(stand.report.dueAt, Date.now() + SUMMARY_DELAY_MS)).toBe(true);
    expect(stand.armed).toHaveLength(2);
  });

  it("a doubt brings an owed quiet report in to SUMMARY_DELAY_MS, and owes nothing when none is", ({ expect }) => {
    const stand = standIn();
    stand.report.doubted();
    expect(stand.report.dueAt).toBeNull();
    expect(stand.armed).toEqual([]);
    stand.report.changed(true);
    stand.report.doubted();
    expect(near(stand.report.dueAt, Date.now() + SUMMARY_DELAY_MS)).toBe(true);
  });

  it("an instance started again takes the alarm its predecessor left as its due time", async ({ expect }) => {
    const left = Date.now() + 60_000;
    const stand = standIn(left);
    expect(stand.report.dueAt).toBe(left);
    // A quiet change does not postpone what the predecessor may have owed.
    stand.report.changed(true);
    expect(stand.report.dueAt).toBe(left);
    expect(stand.report.isDue(left)).toBe(true);
    await stand.report.report(false);
    expect(stand.sent).toEqual([{ hash: "a", rows: 1 }]);
    expect(stand.report.dueAt).toBeNull();
    // No alarm left: nothing owed.
    expect(standIn(null).report.dueAt).toBeNull();
  });

  it("a change made while a report is on its way is due again; a gone replica reports no rows", async ({ expect }) => {
    const stand = standIn();
    stand.report.changed(false);
    let release = () => {};
    stand.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sending = stand.report.report(true);
    stand.report.changed(true);
    release();
    await sending;
    expect(stand.sent).toEqual([{ hash: "a", rows: 0 }]);
    expect(near(stand.report.dueAt, Date.now() + SUMMARY_QUIET_MS)).toBe(true);
  });

  it("a report that fails is due again within REPAIR_RETRY_MAX_MS", async ({ expect }) => {
    const stand = standIn();
    stand.report.changed(true);
    stand.fail = true;
    await stand.report.report(false);
    expect(stand.sent).toEqual([]);
    expect(near(stand.report.dueAt, Date.now() + REPAIR_RETRY_MAX_MS)).toBe(true);
  });
});
