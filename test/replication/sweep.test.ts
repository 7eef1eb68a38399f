import { env, exports } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { reapAccounts } from "../../src/replicator/reaper";
import { BASE, swift, text, tokenFor } from "../helpers";
import { LIST_ALL, objectRow } from "../rows";

const config = parseConfig(env);
const rings = config.rings;

async function admin(method: string, path: string): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    method,
    headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
  });
}

interface Report {
  ring: string;
  partitionsChecked: number;
  divergent: number;
  repaired: number;
  rowsMoved: number;
  handoffsOutstanding: number;
  complete: boolean;
  durationMs: number;
}

async function sweep(): Promise<Record<string, Report>> {
  const response = await admin("POST", "/recon/sweep");
  const body = (await response.json()) as { sweeps: Report[] };
  return Object.fromEntries(body.sweeps.map((report) => [report.ring, report]));
}

describe("cron sweep", () => {
  it("finds a partition whose replicas differ from the zone summaries, repairs it, and reports it in recon", async ({
    expect,
  }) => {
    const partition = 300;
    const stubs = ["z1", "z2", "z3"].map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));
    for (const stub of stubs) await stub.mergeRows([objectRow("AUTH_s/c/shared", "1700000001.00000")]);
    await stubs[0]!.mergeRows([objectRow("AUTH_s/c/only-z1", "1700000002.00000")]);
    // Each replica reports its partition hash to its zone's summary from its alarm.
    for (const stub of stubs) await runDurableObjectAlarm(stub);
    const before = await sweep();
    expect(before.object).toMatchObject({ divergent: 1, repaired: 1, complete: true });
    expect(before.object!.rowsMoved).toBeGreaterThan(0);
    for (const stub of stubs) expect((await stub.getObject("AUTH_s/c/only-z1")).status).toBe(200);
    // The replicas report their new hashes; the next pass finds every partition in sync.
    for (const stub of stubs) await runDurableObjectAlarm(stub);
    const after = await sweep();
    expect(after.object).toMatchObject({ divergent: 0, repaired: 0 });
    expect(after.object!.partitionsChecked).toBeGreaterThanOrEqual(1);
    const recon = await admin("GET", "/recon/replication");
    const reports = (await recon.json()) as Record<string, Report & { oldestUnrepairedDivergence: string | null }>;
    expect(reports.object).toMatchObject({ divergent: 0, oldestUnrepairedDivergence: null });
    expect(Object.keys(reports).sort()).toEqual(["account", "container", "object", "object-1", "object-2"]);
  });

  it("empty partitions cost nothing: only partitions holding data are checked", async ({ expect }) => {
    const reports = await sweep();
    expect(reports.object!.partitionsChecked).toBeLessThan(rings.object.partitionCount / 10);
  });

  it("POST /recon/sweep?only=sweep runs the ring sweeps alone (no reaper, no auditor); another value is 400", async ({
    expect,
  }) => {
    const response = await admin("POST", "/recon/sweep?only=sweep");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["sweeps"]);
    expect((body.sweeps as Report[]).map((report) => report.ring)).toEqual([
      "account",
      "container",
      "object",
      "object-1",
      "object-2",
    ]);
    const bad = await admin("POST", "/recon/sweep?only=everything");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("only");
    const all = (await (await admin("POST", "/recon/sweep")).json()) as Record<string, unknown>;
    expect(Object.keys(all).sort()).toEqual(["auditor", "reaper", "sweeps"]);
  });

  it("recon and on-demand sweeps are the reseller admin's: 403 for an account admin, 401 anonymous", async ({
    expect,
  }) => {
    const forbidden = await exports.default.fetch(`${BASE}/recon/replication`, {
      headers: { "X-Auth-Token": await tokenFor() },
    });
    await forbidden.text();
    expect(forbidden.status).toBe(403);
    const anonymous = await exports.default.fetch(`${BASE}/recon/sweep`, { method: "POST" });
    await anonymous.text();
    expect(anonymous.status).toBe(401);
  });
});

describe("account reaper", () => {
  it("DELETE of an account marks it deleted (410 from then on) and the reaper removes its objects, " +
    "bodies and containers, resuming after an interruption", async ({ expect }) => {
    const user: [string, string] = ["admin:admin", "admin"];
    for (const container of ["a", "b"]) {
      await text(await swift("PUT", `/AUTH_reapme/${container}`, { user }));
      for (let i = 0; i < 5; i++)
        await text(
          await swift("PUT", `/AUTH_reapme/${container}/o${i}`, {
            user,
            body: new TextEncoder().encode(`${container}${i}`),
          }),
        );
    }
    const keyOf = async (container: string, name: string) => {
      const partition = rings.object.partitionFor("AUTH_reapme", container, name);
      const zone = rings.object.primaryZones(partition)[0]!.id;
      return {
        zone,
        key:
          (
            await env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`).getObject(
              `AUTH_reapme/${container}/${name}`,
            )
          ).value?.bodyKey ?? "",
      };
    };
    const body = await keyOf("a", "o0");
    expect(body.key).toBeTruthy();

    const deleted = await swift("DELETE", "/AUTH_reapme", { user });
    await text(deleted);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("x-account-status")).toBe("Deleted");
    const head = await swift("HEAD", "/AUTH_reapme", { user });
    await text(head);
    expect(head.status).toBe(410);
    const object = await swift("GET", "/AUTH_reapme/a/o1", { user });
    await text(object);
    expect(object.status).toBe(404);

    // Interrupted: a budget of a few calls stops it part way; the next run resumes from what is left.
    const first = await reapAccounts(config, 8);
    expect(first.budgetSpent).toBe(true);
    expect(first.finished).toEqual([]);
    let finished: string[] = [];
    for (let run = 0; run < 10 && !finished.includes("AUTH_reapme"); run++)
      finished = (await reapAccounts(config)).finished;
    expect(finished).toEqual(["AUTH_reapme"]);
    for (const container of ["a", "b"]) {
      const partition = rings.container.partitionFor("AUTH_reapme", container);
      for (const zone of rings.container.primaryZones(partition)) {
        expect(
          (
            await env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone.id}`).headContainer(
              "AUTH_reapme",
              container,
            )
          ).status,
        ).toBe(404);
      }
      for (let i = 0; i < 5; i++) {
        const partition = rings.object.partitionFor("AUTH_reapme", container, `o${i}`);
        for (const zone of rings.object.primaryZones(partition)) {
          const stub = env.OBJECT_REPLICA.getByName(`object/${partition}/${zone.id}`);
          expect((await stub.getObject(`AUTH_reapme/${container}/o${i}`)).status).toBe(404);
          await runDurableObjectAlarm(stub);
        }
      }
    }
    const buckets: Record<string, R2Bucket> = { z1: env.BODIES_Z1, z2: env.BODIES_Z2, z3: env.BODIES_Z3 };
    expect(await buckets[body.zone]!.head(body.key)).toBeNull();
    const queue = (await config.control.getByName("control").reapQueue()).value;
    expect(queue).toEqual([]);
  }, 60_000);
});
