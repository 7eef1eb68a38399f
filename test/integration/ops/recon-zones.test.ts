/**
 * @module
 * `GET /recon/zones`: this isolate's replica reads and writes per zone and each zone's share, with
 * read affinity's setting and the zones' location hints (src/proxy/admin.ts), for the reseller
 * admin only; the same counts the dashboard draws and `/metrics` gives as
 * `edgeswift_replica_calls_total`.
 */
import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift, text, tokenFor, unique } from "../../helpers";

interface ZoneShare {
  zone: string;
  locationHint: string | null;
  reads: number;
  writes: number;
  readShare: number;
  writeShare: number;
}

async function zones(user = "admin:admin", key = "admin"): Promise<Response> {
  return exports.default.fetch(`${BASE}/recon/zones`, { headers: { "X-Auth-Token": await tokenFor(user, key) } });
}

async function shares(): Promise<{ readAffinity: boolean; zones: ZoneShare[] }> {
  const response = await zones();
  if (response.status !== 200) throw new Error(`GET /recon/zones answered ${response.status}`);
  return response.json();
}

const byZone = (list: ZoneShare[]) => new Map(list.map((entry) => [entry.zone, entry]));

describe("GET /recon/zones", () => {
  it("counts the replica reads and writes sent each zone, and each zone's share of all", async ({ expect }) => {
    const container = `/AUTH_test/${unique("zones")}`;
    await text(await swift("PUT", container));
    await text(await swift("PUT", `${container}/o`, { body: "x" }));
    const before = await shares();
    expect(before.readAffinity).toBe(true);
    expect(before.zones.map((entry) => entry.zone)).toEqual(["z1", "z2", "z3"]);
    for (const entry of before.zones) expect(entry).toHaveProperty("locationHint");

    // A PUT writes the object's row to its three primaries, one per zone; a GET reads one replica.
    await text(await swift("PUT", `${container}/p`, { body: "y" }));
    for (let read = 0; read < 5; read += 1) expect((await swift("GET", `${container}/p`)).status).toBe(200);
    const after = await shares();
    const was = byZone(before.zones);
    const writes = after.zones.map((entry) => entry.writes - (was.get(entry.zone)?.writes ?? 0));
    const reads = after.zones.map((entry) => entry.reads - (was.get(entry.zone)?.reads ?? 0));
    for (const added of writes) expect(added).toBeGreaterThanOrEqual(1);
    expect(reads.reduce((sum, added) => sum + added, 0)).toBeGreaterThanOrEqual(5);

    const totalReads = after.zones.reduce((sum, entry) => sum + entry.reads, 0);
    const totalWrites = after.zones.reduce((sum, entry) => sum + entry.writes, 0);
    for (const entry of after.zones) {
      expect(entry.readShare).toBeCloseTo(entry.reads / totalReads, 10);
      expect(entry.writeShare).toBeCloseTo(entry.writes / totalWrites, 10);
    }
    expect(after.zones.reduce((sum, entry) => sum + entry.readShare, 0)).toBeCloseTo(1, 10);
  });

  it("answers the reseller admin alone: 403 for another user, 401 anonymous, with no figures", async ({ expect }) => {
    const other = await zones("test:tester", "testing");
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain("reads");
    const anonymous = await exports.default.fetch(`${BASE}/recon/zones`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("reads");
  });
});
