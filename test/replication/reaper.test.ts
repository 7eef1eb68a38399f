/**
 * @module
 * How the account reaper removes a container's objects: their replicas tombstone them without a
 * container update each, and the container's replicas drop the listing rows in one batch each.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { objectWork } from "../../src/common/work-tally";
import { parseConfig } from "../../src/config/config";
import { reapAccounts } from "../../src/replicator/reaper";
import { swift, text } from "../helpers";

const config = parseConfig(env);
const rings = config.rings;
const user: [string, string] = ["admin:admin", "admin"];

describe("account reaper", () => {
  it("tombstones a container's listing rows in one call per container replica, not one update per object replica and partition", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_reapbatch/c", { user }));
    const names = Array.from({ length: 12 }, (_, i) => `o${i}`);
    for (const name of names) await text(await swift("PUT", `/AUTH_reapbatch/c/${name}`, { user, body: name }));
    await text(await swift("DELETE", "/AUTH_reapbatch", { user }));
    objectWork.reset();
    let finished: string[] = [];
    for (let run = 0; run < 5 && !finished.includes("AUTH_reapbatch"); run++)
      finished = (await reapAccounts(config)).finished;
    expect(finished).toContain("AUTH_reapbatch");
    const tally = objectWork.snapshot();
    // Every object replica took its tombstones, and none called a container replica.
    const partitions = new Set(names.map((name) => rings.object.partitionFor("AUTH_reapbatch", "c", name)));
    expect(tally["object calls"]?.requests).toBe(3 * partitions.size);
    expect(tally["object calls"]?.containerRequests).toBe(0);
    // The container replicas: two listings (objects, then none), the listing rows dropped in one
    // batch each, the container deleted on each.
    expect(tally["container calls"]?.requests).toBeLessThanOrEqual(2 + 3 + 3);
    const partition = rings.container.partitionFor("AUTH_reapbatch", "c");
    for (const zone of rings.container.primaryZones(partition)) {
      const stub = env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone.id}`);
      expect((await stub.headContainer("AUTH_reapbatch", "c")).status).toBe(404);
    }
  });
});
