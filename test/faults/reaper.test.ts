/**
 * @module
 * The account reaper with zones down: a container's listing rows are dropped only for objects a
 * quorum of whose replicas took their tombstones; the rest stay listed, and a later run, the
 * zones back, deletes them.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { reapAccounts } from "../../src/replicator/reaper";
import { swift, text } from "../helpers";
import { setDown } from "./fault-helpers";

const config = parseConfig(env);
const rings = config.rings;
const user: [string, string] = ["admin:admin", "admin"];

describe("account reaper with zones down", () => {
  it("keeps listing the objects no quorum of replicas deleted, and deletes them once the zones are back", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_reapdown/c", { user }));
    for (const name of ["a", "b", "c"])
      await text(await swift("PUT", `/AUTH_reapdown/c/${name}`, { user, body: name }));
    await text(await swift("DELETE", "/AUTH_reapdown", { user }));
    const partition = rings.container.partitionFor("AUTH_reapdown", "c");
    const [up, ...down] = rings.container.primaryZones(partition).map((zone) => zone.id);
    await setDown(down);
    try {
      const stalled = await reapAccounts(config, 60);
      expect(stalled.objectsDeleted).toBe(0);
      expect(stalled.finished).toEqual([]);
      const listing = await env.CONTAINER_REPLICA.getByName(`container/${partition}/${up}`).headContainer(
        "AUTH_reapdown",
        "c",
      );
      expect(listing.value?.objectCount).toBe(3);
    } finally {
      await setDown([]);
    }
    let finished: string[] = [];
    for (let run = 0; run < 5 && !finished.includes("AUTH_reapdown"); run++)
      finished = (await reapAccounts(config)).finished;
    expect(finished).toContain("AUTH_reapdown");
    for (const name of ["a", "b", "c"]) {
      const objectPartition = rings.object.partitionFor("AUTH_reapdown", "c", name);
      for (const zone of rings.object.primaryZones(objectPartition)) {
        const stub = env.OBJECT_REPLICA.getByName(`object/${objectPartition}/${zone.id}`);
        expect((await stub.getObject(`AUTH_reapdown/c/${name}`)).status).toBe(404);
      }
    }
  });
});
