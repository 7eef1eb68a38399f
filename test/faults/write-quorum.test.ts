import { describe, it } from "vitest";
import { statusOf } from "../helpers";
import {
  ZONES,
  containerReplica,
  objectReplica,
  repairDue,
  rings,
  runAlarmsUntilInSync,
  setDown,
  zonesHolding,
} from "./fault-helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const ADMIN: [string, string] = ["admin:admin", "admin"];

const status = statusOf;

describe("a write is acknowledged only by a quorum of distinct zones", () => {
  it(
    "object DELETE with two zones down answers 503 even when the up zone's handoff slot holds the object; " +
      "once the zones return, the replicas' own alarms (no sweep) delete it everywhere, X-Newest included",
    async ({ expect }) => {
      expect(await status("PUT", "/AUTH_test/wq-delete")).toBe(201);
      const partition = rings.object.partitionFor("AUTH_test", "wq-delete", "o");
      // Written with one zone down: a handoff slot in another zone stands in and holds the object.
      const [first = ""] = rings.object.primaryZones(partition).map((zone) => zone.id);
      await setDown([first]);
      expect(await status("PUT", "/AUTH_test/wq-delete/o", { body: bytes("doomed") })).toBe(201);
      const holders = await zonesHolding(
        async (slot) =>
          slot.endsWith("/handoff") &&
          (await objectReplica(partition, slot).getObject("AUTH_test/wq-delete/o")).status === 200,
      );
      expect(holders).toHaveLength(1);
      const [up = ""] = holders;
      // Only that zone up: its primary and its handoff slot both take the DELETE, but they are one zone.
      await setDown(ZONES.filter((zone) => zone !== up));
      expect(await status("DELETE", "/AUTH_test/wq-delete/o")).toBe(503);
      const tombstone = async (slot: string) => {
        const reply = await objectReplica(partition, slot).getObject("AUTH_test/wq-delete/o");
        return reply.status === 404 && reply.timestamp !== undefined;
      };
      expect(await zonesHolding(tombstone)).toEqual([up]);

      await setDown([]);
      await runAlarmsUntilInSync([{ ring: "object", partition }]);
      expect(await status("GET", "/AUTH_test/wq-delete/o")).toBe(404);
      expect(await status("GET", "/AUTH_test/wq-delete/o", { headers: { "X-Newest": "true" } })).toBe(404);
    },
  );

  it("container PUT with only one zone up answers 503", async ({ expect }) => {
    await setDown(["z1", "z2"]);
    expect(await status("PUT", "/AUTH_test/wq-lonely")).toBe(503);
    await setDown([]);
  });

  it("container POST and DELETE, and account POST, PUT and DELETE, with only one zone up answer 503", async ({
    expect,
  }) => {
    expect(await status("PUT", "/AUTH_test/wq-meta")).toBe(201);
    expect(await status("PUT", "/AUTH_wq", { user: ADMIN })).toBe(201);
    await setDown(["z2", "z3"]);
    expect(await status("POST", "/AUTH_test/wq-meta", { headers: { "X-Container-Meta-Color": "red" } })).toBe(503);
    expect(await status("DELETE", "/AUTH_test/wq-meta")).toBe(503);
    expect(await status("POST", "/AUTH_test", { headers: { "X-Account-Meta-Color": "red" } })).toBe(503);
    expect(await status("PUT", "/AUTH_wq", { user: ADMIN, headers: { "X-Account-Meta-Color": "red" } })).toBe(503);
    expect(await status("DELETE", "/AUTH_wq", { user: ADMIN })).toBe(503);
    await setDown([]);
  });

  it(
    "a write that missed two primaries queues both at once: the primary that took it has a repair due " +
      "for the one no handoff stood in for, the handoff reverts to the other; no sweep needed",
    async ({ expect }) => {
      const partition = rings.container.partitionFor("AUTH_test", "wq-missed");
      const [up = "", ...down] = rings.container.primaryZones(partition).map((zone) => zone.id);
      await setDown(down);
      expect(await status("PUT", "/AUTH_test/wq-missed")).toBe(503);
      const holding = await zonesHolding(
        async (slot) =>
          (await containerReplica(partition, slot).headContainer("AUTH_test", "wq-missed")).status === 200,
      );
      expect(holding).toEqual([up]);
      expect(await repairDue("container", partition, up)).toBe(true);
      expect(await repairDue("container", partition, `${up}/handoff`)).toBe(true);

      await setDown([]);
      await runAlarmsUntilInSync([{ ring: "container", partition }]);
      for (const zone of ZONES)
        expect((await containerReplica(partition, zone).headContainer("AUTH_test", "wq-missed")).status, zone).toBe(
          200,
        );
    },
  );
});
