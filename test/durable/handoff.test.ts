import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { REPAIR_DELAY_MS } from "../../src/common/constraints";
import { loadRings } from "../../src/ring/load";
import { objectRow } from "../rows";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

const repairDue = (stub: DurableObjectStub) =>
  runInDurableObject(stub, (_instance, state) => state.storage.kv.get<number>("repair.due") ?? null);

describe("a handoff", () => {
  it("that takes a write has its revert due in seconds without being told, so no primary waits for the sweep", async ({
    expect,
  }) => {
    const partition = 210;
    const [first = "", second = ""] = rings.object.primaryZones(partition).map((zone) => zone.id);
    const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/${second}/handoff`);
    const before = Date.now();
    expect((await handoff.putObject(objectRow("AUTH_h/c/o", "1700000001.00000"), { standingFor: first })).status).toBe(
      201,
    );
    const due = await repairDue(handoff);
    expect(due).not.toBeNull();
    expect(due ?? Infinity).toBeLessThanOrEqual(Date.now() + REPAIR_DELAY_MS);
    expect(due ?? 0).toBeGreaterThanOrEqual(before);
  });

  it("told that a write also missed another primary reverts to that primary and to the one it stood in for", async ({
    expect,
  }) => {
    const partition = 211;
    const [first = "", second = "", third = ""] = rings.object.primaryZones(partition).map((zone) => zone.id);
    const handoff = env.OBJECT_REPLICA.getByName(`object/${partition}/${third}/handoff`);
    await handoff.putObject(objectRow("AUTH_h/c/owed", "1700000001.00000"), { standingFor: first });
    await handoff.markDirty([second]);
    const revert = await handoff.repair();
    expect(revert.status).toBe(200);
    expect(revert.value).toHaveLength(2);
    for (const zone of [first, second])
      expect(
        (await env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`).getObject("AUTH_h/c/owed")).status,
        zone,
      ).toBe(200);
    expect((await env.OBJECT_REPLICA.getByName(`object/${partition}/${third}`).getObject("AUTH_h/c/owed")).status).toBe(
      404,
    );
  });
});
