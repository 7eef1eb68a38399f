/**
 * @module
 * What describes an object's data stays with that data, whatever order POSTs and data meet in:
 * its system metadata (`X-Static-Large-Object`, `x-object-sysmeta-*`) and its content type's
 * `swift_*` parameters (a manifest's size and ETag, a link's target). A POST replaces user
 * metadata (and the content type's own text) and never these, and a replica that missed a write
 * applies a later POST to the data it holds; when the rows meet, the newest data keeps its own
 * (Swift: diskfile takes DATAFILE_SYSTEM_META and sysmeta from the .data file, the rest from the
 * .meta). Found by the chaos ledger (seed 808): a static large object written with z1 down, then
 * POSTed with z2 down and with z3 down, was served after repair as its raw manifest JSON.
 */

import { describe, it } from "vitest";
import { swift, text } from "../helpers";
import { rings, runAlarmsUntilInSync, setDown, TESTER2, tester2Status } from "./fault-helpers";

const USER = TESTER2;
const C = "post-data-sysmeta";

/**
 * An object name whose partition's primaries are in the zones' order `order`: reads (the SLO
 * stage's HEAD before a POST among them) ask the first up zone in that order, so which replica a
 * request reads is fixed.
 */
function nameInOrder(prefix: string, order: readonly string[]): string {
  for (let index = 0; index < 10_000; index++) {
    const name = `${prefix}${index}`;
    const zones = rings.object.primaryZones(rings.object.partitionFor("AUTH_test2", C, name)).map((zone) => zone.id);
    if (zones.join() === order.join()) return name;
  }
  throw new Error(`no name with primaries in ${order.join(", ")}`);
}

const status = tester2Status;

describe("POSTs under zone faults keep each object's data and its system metadata together", () => {
  it("a static large object written while z1 was down, POSTed with z2 down and then z3 down, reads back assembled after repair", async ({
    expect,
  }) => {
    // The first POST reads z3's manifest, the second z1's plain object.
    const k = nameInOrder("k", ["z3", "z1", "z2"]);
    await setDown([]);
    for (const container of [C, `${C}-seg`]) expect(await status("PUT", `/AUTH_test2/${container}`)).toBe(201);
    expect(await status("PUT", `/AUTH_test2/${C}-seg/s0`, { body: "first " })).toBe(201);
    expect(await status("PUT", `/AUTH_test2/${C}-seg/s1`, { body: "second" })).toBe(201);
    // An older plain object under the name, on every zone.
    expect(await status("PUT", `/AUTH_test2/${C}/${k}`, { body: "plain old object" })).toBe(201);
    const manifest = JSON.stringify([{ path: `/${C}-seg/s0` }, { path: `/${C}-seg/s1` }]);
    try {
      // z1 keeps the plain object; z2, z3 (and a handoff standing in for z1) take the manifest.
      await setDown(["z1"]);
      expect(await status("PUT", `/AUTH_test2/${C}/${k}?multipart-manifest=put`, { body: manifest })).toBe(201);
      // z1 applies this POST to its plain object, z3 to the manifest.
      await setDown(["z2"]);
      expect(await status("POST", `/AUTH_test2/${C}/${k}`, { headers: { "X-Object-Meta-Color": "red" } })).toBe(202);
      // z1 to its plain object again, z2 to the manifest.
      await setDown(["z3"]);
      expect(
        await status("POST", `/AUTH_test2/${C}/${k}`, {
          headers: { "X-Object-Meta-Color": "blue", "Content-Type": "text/x-second" },
        }),
      ).toBe(202);
      // Before repair z1 holds the plain object with both POSTs applied to it: read alone, it is
      // that object whole (an eventual read may be stale), never a plain body taken for a manifest.
      await setDown(["z2", "z3"]);
      const stale = await swift("GET", `/AUTH_test2/${C}/${k}`, { user: USER });
      expect([stale.status, await text(stale)]).toEqual([200, "plain old object"]);
      expect(stale.headers.get("x-static-large-object")).toBeNull();
      expect(stale.headers.get("content-type")).toBe("text/x-second");
    } finally {
      await setDown([]);
    }
    const partition = rings.object.partitionFor("AUTH_test2", C, k);
    await runAlarmsUntilInSync([{ ring: "object", partition }]);

    // Every replica now serves the newest data (the manifest) with the newest POST's metadata.
    for (let read = 0; read < 6; read++) {
      const response = await swift("GET", `/AUTH_test2/${C}/${k}`, { user: USER });
      expect([response.status, await text(response)]).toEqual([200, "first second"]);
      expect(response.headers.get("x-static-large-object")).toBe("True");
      expect(response.headers.get("x-object-meta-color")).toBe("blue");
      expect(response.headers.get("content-type")).toBe("text/x-second");
    }
    const listing = await swift("GET", `/AUTH_test2/${C}?format=json`, { user: USER });
    const [entry] = JSON.parse(await text(listing)) as { name: string; bytes: number; content_type: string }[];
    expect([entry?.name, entry?.bytes, entry?.content_type]).toEqual([k, 12, "text/x-second"]);
  });

  it("a plain object written while z1 was down over an older manifest, POSTed with z2 down and then z3 down, stays plain after repair", async ({
    expect,
  }) => {
    // The first POST reads z3's plain object, the second z1's manifest.
    const p = nameInOrder("p", ["z3", "z1", "z2"]);
    await setDown([]);
    const manifest = JSON.stringify([{ path: `/${C}-seg/s0` }, { path: `/${C}-seg/s1` }]);
    expect(await status("PUT", `/AUTH_test2/${C}/${p}?multipart-manifest=put`, { body: manifest })).toBe(201);
    try {
      await setDown(["z1"]);
      expect(await status("PUT", `/AUTH_test2/${C}/${p}`, { body: "plain new object" })).toBe(201);
      await setDown(["z2"]);
      expect(await status("POST", `/AUTH_test2/${C}/${p}`, { headers: { "X-Object-Meta-Color": "red" } })).toBe(202);
      await setDown(["z3"]);
      expect(await status("POST", `/AUTH_test2/${C}/${p}`, { headers: { "X-Object-Meta-Color": "blue" } })).toBe(202);
    } finally {
      await setDown([]);
    }
    await runAlarmsUntilInSync([{ ring: "object", partition: rings.object.partitionFor("AUTH_test2", C, p) }]);
    for (let read = 0; read < 6; read++) {
      const response = await swift("GET", `/AUTH_test2/${C}/${p}`, { user: USER });
      expect([response.status, await text(response)]).toEqual([200, "plain new object"]);
      expect(response.headers.get("x-static-large-object")).toBeNull();
      expect(response.headers.get("x-object-meta-color")).toBe("blue");
    }
  });
});
