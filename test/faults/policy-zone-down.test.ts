/**
 * @module
 * A storage policy's object ring is replicated like policy 0's: with a zone down, writes to a
 * two-replica (silver) container are acknowledged by the zone left and a handoff, and once the
 * zone returns, the replicas' own repair puts every row on both primaries of the object-1 ring
 * and empties the handoffs.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, it } from "vitest";
import { swift, text } from "../helpers";
import { SLOTS, ZONES, rings, setDown } from "./fault-helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const silver = rings.get("object-1");
const replica = (partition: number, slot: string) => env.OBJECT_REPLICA.getByName(`object-1/${partition}/${slot}`);

describe("a zone down under a two-replica policy", () => {
  it(
    "writes are acknowledged, and after the zone returns both primaries of the object-1 ring hold every row " +
      "and the handoffs are empty",
    async ({ expect }) => {
      await text(await swift("PUT", "/AUTH_test/faults-silver", { headers: { "X-Storage-Policy": "silver" } }));
      await setDown(["z3"]);
      // Names whose silver primaries include the zone that is down.
      const names = Array.from({ length: 40 }, (_, i) => `silver-${i}`)
        .filter((name) =>
          silver.primaryZones(silver.partitionFor("AUTH_test", "faults-silver", name)).some((zone) => zone.id === "z3"),
        )
        .slice(0, 5);
      expect(names.length).toBe(5);
      for (const name of names) {
        const put = await swift("PUT", `/AUTH_test/faults-silver/${name}`, { body: bytes(`body of ${name}`) });
        await text(put);
        expect(put.status, name).toBe(201);
        expect(await text(await swift("GET", `/AUTH_test/faults-silver/${name}`))).toBe(`body of ${name}`);
      }
      await setDown([]);
      const partitions = [...new Set(names.map((name) => silver.partitionFor("AUTH_test", "faults-silver", name)))];
      for (let round = 0; round < 4; round++) {
        // The ring summaries probe the zone that came back and wake the replicas waiting for it.
        for (const zone of ZONES) await runDurableObjectAlarm(env.RING_SUMMARY.getByName(`summary/object-1/${zone}`));
        for (const partition of partitions)
          for (const slot of SLOTS) await runDurableObjectAlarm(replica(partition, slot));
      }
      for (const name of names) {
        const partition = silver.partitionFor("AUTH_test", "faults-silver", name);
        for (const zone of silver.primaryZones(partition)) {
          const row = (await replica(partition, zone.id).getObject(`AUTH_test/faults-silver/${name}`)).value;
          expect(row?.bodyKey, `${name} in ${zone.id}`).toBeTruthy();
        }
        // The handoffs: each zone's handoff slot, and the slot of the zone that is not a primary.
        const primaries = silver.primaryZones(partition).map((zone) => zone.id);
        const handoffSlots = [
          ...ZONES.map((zone) => `${zone}/handoff`),
          ...ZONES.filter((zone) => !primaries.includes(zone)),
        ];
        for (const slot of handoffSlots)
          expect((await replica(partition, slot).partitionHash()).value?.rows ?? 0, `${name} in ${slot}`).toBe(0);
      }
      const z3 = names.map((name) => silver.partitionFor("AUTH_test", "faults-silver", name));
      const row = (await replica(z3[0]!, "z3").getObject(`AUTH_test/faults-silver/${names[0]}`)).value;
      expect(await (await env.BODIES_Z3.get(row?.bodyKey ?? ""))?.text()).toBe(`body of ${names[0]}`);
    },
  );
});
