/**
 * @module
 * The operators' dashboard through the Worker: `GET /dashboard` (the page, no figures in it) and
 * `GET /dashboard/data` (every figure it draws), for the reseller admin only; the figures move as
 * writes, reads and sweeps happen. Zones down: test/faults/dashboard.test.ts.
 */
import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import type { DashboardFigures } from "../../../src/proxy/dashboard/figures";
import { loadRings } from "../../../src/ring/load";
import { BASE, dashboardData, sweepNow, swift, text, tokenFor, unique } from "../../helpers";

const ZONES = ["z1", "z2", "z3"];
const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { headers });
}

const admin = async () => ({ "X-Auth-Token": await tokenFor("admin:admin", "admin") });

/**
 * Runs the alarm of every replica slot of an object's partition after asking each for its hash as
 * a peer would: a report owed for a write every replica took alike goes now, not within the hour.
 */
async function reportObjectPartition(partition: number): Promise<void> {
  for (const zone of ZONES) {
    const replica = env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`);
    await replica.peerPartitionHash();
    await runDurableObjectAlarm(replica);
  }
}

describe("GET /dashboard/data", () => {
  it("answers the reseller admin every figure; a non-admin's token gets 403, no token 401, and neither any figure", async ({
    expect,
  }) => {
    const data = await dashboardData();
    expect(data.maps.map((map) => map.ring).sort()).toEqual([...rings.names()].sort());
    const object = data.maps.find((map) => map.ring === "object");
    expect(object?.zones).toEqual(["z1", "z2", "z3"]);
    expect(object?.rows).toHaveLength(rings.object.partitionCount);
    expect(data.faultInjection).toBe(false);
    for (const [headers, status] of [
      [{ "X-Auth-Token": await tokenFor() }, 403],
      [{ "X-Auth-Token": await tokenFor("admin:auditor", "admin_ro") }, 403],
      [{}, 401],
      [{ "X-Auth-Token": "AUTH_tkbogus" }, 401],
    ] as const) {
      const refused = await get("/dashboard/data", headers);
      expect(refused.status).toBe(status);
      const body = await text(refused);
      expect(body).not.toContain("maps");
      expect(body).not.toContain("AUTH_test");
    }
  });

  it("the sweep history grows by one report per ring with each POST /recon/sweep, newest last", async ({ expect }) => {
    const before = (await dashboardData()).sweeps.object?.length ?? 0;
    await sweepNow();
    await sweepNow();
    const after = await dashboardData();
    expect(after.sweeps.object).toHaveLength(before + 2);
    const last = after.sweeps.object?.at(-1);
    expect(last).toMatchObject({ ring: "object", converged: 0, convergedLongestMs: 0 });
    expect(typeof last?.partitionsChecked).toBe("number");
    for (const ring of rings.names()) expect(after.sweeps[ring]?.length, ring).toBeGreaterThanOrEqual(2);
  });

  it("the zones' share counts the replica writes of a PUT in each primary zone and the read of a GET", async ({
    expect,
  }) => {
    const calls = (data: DashboardFigures, zone: string) =>
      data.zones.find((entry) => entry.zone === zone)?.calls ?? { reads: 0, writes: 0 };
    const before = await dashboardData();
    const container = `/AUTH_test/${unique("share")}`;
    await text(await swift("PUT", container));
    await text(await swift("PUT", `${container}/o`, { body: "shared" }));
    expect(await text(await swift("GET", `${container}/o`))).toBe("shared");
    const after = await dashboardData();
    for (const zone of ["z1", "z2", "z3"])
      expect(calls(after, zone).writes - calls(before, zone).writes, zone).toBeGreaterThanOrEqual(2);
    const reads = ["z1", "z2", "z3"].reduce(
      (sum, zone) => sum + calls(after, zone).reads - calls(before, zone).reads,
      0,
    );
    expect(reads).toBeGreaterThanOrEqual(1);
  });

  it("account usage shows the objects and bytes an account holds once its container reported them", async ({
    expect,
  }) => {
    const container = `/AUTH_test2/${unique("usage")}`;
    const user: [string, string] = ["test2:tester2", "testing2"];
    await text(await swift("PUT", container, { user }));
    await text(await swift("PUT", `${container}/a`, { body: "12345", user }));
    await text(await swift("PUT", `${container}/b`, { body: "123", user }));
    // The container replicas report to the account within their delay: the account's HEAD shows when.
    const head = await swift("HEAD", "/AUTH_test2", { user });
    await text(head);
    const usage = (await dashboardData()).accounts.usage.find((entry) => entry.account === "AUTH_test2");
    expect(usage).toEqual({
      account: "AUTH_test2",
      containers: Number(head.headers.get("x-account-container-count")),
      objects: Number(head.headers.get("x-account-object-count")),
      bytes: Number(head.headers.get("x-account-bytes-used")),
    });
    expect(usage?.containers).toBeGreaterThanOrEqual(1);
  });

  it("account usage also lists an account no configured user owns once its replicas reported it to the account ring's summaries", async ({
    expect,
  }) => {
    const account = `AUTH_${unique("unowned")}`;
    const user: [string, string] = ["admin:admin", "admin"];
    await text(await swift("PUT", `/${account}/c`, { user }));
    await text(await swift("PUT", `/${account}/c/o`, { body: "1234", user }));
    expect((await dashboardData()).accounts.usage.map((usage) => usage.account)).not.toContain(account);
    // Its replicas' quiet reports brought in now, as a repairing peer would.
    const partition = rings.account.partitionFor(account);
    for (const zone of ZONES) {
      const replica = env.ACCOUNT_REPLICA.getByName(`account/${partition}/${zone}`);
      await replica.peerPartitionHash();
      await runDurableObjectAlarm(replica);
    }
    const usage = (await dashboardData()).accounts.usage.find((entry) => entry.account === account);
    expect(usage?.containers).toBe(1);
  });

  it("the expirer backlog counts an object past its X-Delete-At on each replica until that replica's alarm expires it", async ({
    expect,
  }) => {
    const name = unique("expiring");
    await text(await swift("PUT", `/AUTH_test/${name}`));
    const hour = Math.floor(Date.now() / 1000) + 3600;
    await text(
      await swift("PUT", `/AUTH_test/${name}/o`, { body: "soon gone", headers: { "X-Delete-At": String(hour) } }),
    );
    const partition = rings.object.partitionFor("AUTH_test", name, "o");
    await reportObjectPartition(partition);
    const before = (await dashboardData()).backlog;
    expect(before.replicasHolding).toBeGreaterThanOrEqual(3);
    // Its X-Delete-At moved into the past on each replica, as if their alarms were late.
    for (const zone of ZONES)
      await runInDurableObject(env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`), (_instance, state) => {
        state.storage.sql.exec("UPDATE object SET delete_at = 1 WHERE name = ?", `AUTH_test/${name}/o`);
      });
    expect((await dashboardData()).backlog.expired - before.expired).toBe(3);
    for (const zone of ZONES) {
      const replica = env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`);
      await runInDurableObject(replica, (_instance, state) => state.storage.setAlarm(Date.now()));
      await runDurableObjectAlarm(replica);
    }
    expect((await dashboardData()).backlog.expired).toBe(before.expired);
  });
});

describe("GET /dashboard", () => {
  it("serves the page, with no figure in it, to anyone; it may not be framed and runs only its own scripts", async ({
    expect,
  }) => {
    const page = await get("/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await text(page);
    expect(html).toContain('<form id="login"');
    expect(html).not.toContain("AUTH_test");
    for (const [path, type] of [
      ["/dashboard/dashboard.js", "text/javascript; charset=utf-8"],
      ["/dashboard/uplot.js", "text/javascript; charset=utf-8"],
      ["/dashboard/dashboard.css", "text/css; charset=utf-8"],
      ["/dashboard/uplot.css", "text/css; charset=utf-8"],
    ]) {
      const asset = await get(path ?? "");
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get("content-type"), path).toBe(type);
      expect((await text(asset)).length, path).toBeGreaterThan(1000);
    }
  });

  it("a non-admin's token gets 403 for the page too, an invalid one 401; the reseller admin's gets the page", async ({
    expect,
  }) => {
    const refused = await get("/dashboard", { "X-Auth-Token": await tokenFor() });
    expect(refused.status).toBe(403);
    expect(await text(refused)).not.toContain("<form");
    const invalid = await get("/dashboard", { "X-Auth-Token": "AUTH_tkbogus" });
    expect(invalid.status).toBe(401);
    await text(invalid);
    const page = await get("/dashboard", await admin());
    expect(page.status).toBe(200);
    expect(await text(page)).toContain('<main id="dashboard"');
  });
});
