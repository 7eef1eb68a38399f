/**
 * @module
 * The control record's sweep history (src/durable/control.ts, schema/control.ts migration 4):
 * each ring's last SWEEP_HISTORY_MAX sweep reports, oldest first, each with the divergences it
 * found repaired since an earlier sweep saw them.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { SWEEP_HISTORY_MAX } from "../../src/durable/schema/control";

/** A control record of this file's own (the Control class does not read its name). */
const control = () => env.CONTROL.getByName("control-history-test");
const ALL = { from: 0, to: 1024 };

describe("the sweep history", () => {
  it(`keeps each ring's last ${SWEEP_HISTORY_MAX} reports, oldest first, and drops the older`, async ({ expect }) => {
    const stub = control();
    for (let pass = 0; pass < SWEEP_HISTORY_MAX + 5; pass++) await stub.saveSweep("object", 0, { pass }, [], ALL);
    await stub.saveSweep("container", 0, { pass: 0 }, [], ALL);
    const history = (await stub.sweepHistory()).value ?? {};
    expect(history.object?.map((report) => report.pass)).toEqual(
      Array.from({ length: SWEEP_HISTORY_MAX }, (_, index) => index + 5),
    );
    expect(history.container?.map((report) => report.pass)).toEqual([0]);
  });

  it("a report counts the divergences an earlier sweep saw that it found in sync, and how long the longest waited", async ({
    expect,
  }) => {
    const stub = control();
    await stub.saveSweep("account", 0, { pass: 1 }, [3, 9], ALL);
    await stub.saveSweep("account", 0, { pass: 2 }, [9], ALL);
    await stub.saveSweep("account", 0, { pass: 3 }, [], { from: 0, to: 8 });
    const history = (await stub.sweepHistory()).value?.account ?? [];
    expect(history.map((report) => [report.pass, report.converged])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
    expect(history[1]?.convergedLongestMs).toBeGreaterThanOrEqual(0);
    expect(history[0]?.oldestUnrepairedDivergence).not.toBeNull();
    // Partition 9 was outside the last pass's range: still divergent, still waiting.
    expect(history[2]?.oldestUnrepairedDivergence).not.toBeNull();
  });
});
