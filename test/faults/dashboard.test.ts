/**
 * @module
 * The dashboard's figures with a zone down (fault injection on): the ring map shows the zone's
 * cells down and the handoffs standing in for it, the sweep records the divergence, and once the
 * zone is back and the replicas' own alarms repaired it, the map is in sync again and the sweep
 * counts the divergence converged.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, it } from "vitest";
import type { DashboardFigures } from "../../src/proxy/dashboard/figures";
import { dashboardData, sweepNow, swift, text } from "../helpers";
import { SLOTS, rings, runAlarmsUntilInSync, setDown } from "./fault-helpers";

/** The object ring map's cells of one partition, by zone. */
function objectCells(data: DashboardFigures, partition: number): Record<string, string> {
  const map = data.maps.find((candidate) => candidate.ring === "object");
  const cells = map?.rows.find(([row]) => row === partition)?.[1] ?? "";
  return Object.fromEntries((map?.zones ?? []).map((zone, index) => [zone, cells[index] ?? ""]));
}

/** Runs every slot's alarm of an object partition: the reports of repairs and handoffs (due within seconds) go. */
async function runObjectAlarms(partition: number): Promise<void> {
  for (const slot of SLOTS) await runDurableObjectAlarm(env.OBJECT_REPLICA.getByName(`object/${partition}/${slot}`));
}

describe("the dashboard with a zone down", () => {
  it("the map shows the zone down and a handoff held; after the zone returns and repair runs it is in sync again, and the sweep counts the divergence converged", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/dashboard-faults"));
    await setDown(["z3"]);
    const down = await dashboardData();
    expect(down.faultInjection).toBe(true);
    expect(down.down).toEqual(["z3"]);
    const objectMap = down.maps.find((map) => map.ring === "object");
    // Every object partition has a replica in z3 (three replicas, three zones).
    expect(objectMap?.counts.down).toBe(rings.object.partitionCount);

    await text(await swift("PUT", "/AUTH_test/dashboard-faults/o", { body: "while z3 was down" }));
    const partition = rings.object.partitionFor("AUTH_test", "dashboard-faults", "o");
    await runObjectAlarms(partition);
    const held = await dashboardData();
    const cells = objectCells(held, partition);
    expect(cells.z3).toBe("d");
    expect(Object.values(cells)).toContain("h");
    expect(held.maps.find((map) => map.ring === "object")?.counts.handoff).toBeGreaterThanOrEqual(1);
    await sweepNow();
    const seen = (await dashboardData()).sweeps.object?.at(-1);
    expect(seen?.divergent).toBeGreaterThanOrEqual(1);
    expect(seen?.oldestUnrepairedDivergence).not.toBeNull();

    await setDown([]);
    await runAlarmsUntilInSync([{ ring: "object", partition }]);
    await runObjectAlarms(partition);
    expect(objectCells(await dashboardData(), partition)).toEqual({ z1: "s", z2: "s", z3: "s" });
    // The sweep compares the summaries: its repair asks z1 and z2 for their hashes as a peer
    // does, which brings their quiet reports in; the next sweep finds the partition in sync.
    await sweepNow();
    await runObjectAlarms(partition);
    await sweepNow();
    const converged = (await dashboardData()).sweeps.object?.at(-1);
    expect(converged?.converged).toBeGreaterThanOrEqual(1);
    expect(converged?.convergedLongestMs).toBeGreaterThanOrEqual(0);
  });
});
