/**
 * @module
 * Operator routes, for the reseller admin only: `GET /recon/replication` (each ring's last sweep:
 * when, how long, partitions checked and divergent, rows moved, handoffs outstanding, the oldest
 * divergence not yet repaired; and how many replicas wait for each zone that stopped answering),
 * `GET /recon/sharding` (containers being sharded and sharded), `GET /recon/zones` (this isolate's
 * replica reads and writes per zone and each zone's share, with read affinity's setting and the
 * zones' location hints), `POST /recon/sweep` (run the replicator's jobs now, as cron does; `?only=sweep`: the ring sweeps
 * alone; `?only=s3`: the S3 housekeeping job alone, lifecycle rules and abandoned multipart
 * uploads, which cron runs beside the replicator's jobs), and, only when FAULT_INJECTION is
 * "true", `GET`/`PUT /faults` (`{"down": ["z3"]}` takes zones down); `GET /recon/work` (this isolate's
 * work per operation since it started or was reset: requests, Durable Object requests by class, rows
 * read and written, R2 class A and B operations, subrequests; `?reset` or `POST` zeroes it). Swift:
 * common/middleware/recon.py serves the same kind of figures from its cache files.
 */

import { Hono } from "hono";
import { parseConfig, type Config } from "../config/config";
import { SwiftError } from "../common/errors";
import { H } from "../common/headers";
import { faults } from "../durable/faults";
import { runJobs, runSweeps } from "../replicator/jobs";
import { runS3Housekeeping } from "./s3/housekeeping";
import { resellerAdminOnly } from "./middleware/reseller-admin";
import { controlStub, ringSummaryStub } from "../durable/names";
import { objectWork, operationWork } from "../common/work-tally";
import { requestMetrics } from "../common/request-metrics";
import type { RingName } from "../ring/types";

export const admin = new Hono<{ Bindings: Env }>();

admin.use("/recon/*", resellerAdminOnly);
admin.use("/faults", resellerAdminOnly);

const json = (value: unknown, status = 200): Response =>
  new Response(JSON.stringify(value), { status, headers: { [H.CONTENT_TYPE]: "application/json; charset=utf-8" } });

admin.get("/recon/replication", async (c) => {
  const config = parseConfig(c.env);
  const reports: Record<string, object> = (await controlStub(config).sweepReports()).value ?? {};
  await Promise.all(
    config.rings.names().map(async (ring) => {
      reports[ring] = { ...reports[ring], waitingFor: await replicasWaiting(config, ring) };
    }),
  );
  return json(reports);
});

/**
 * Containers being sharded (`sharding`: splits in progress) and sharded, with their shards and
 * objects when their state last changed, the 100 most recently changed listed.
 */
admin.get("/recon/sharding", async (c) => json((await controlStub(parseConfig(c.env)).sharding()).value ?? {}));

/**
 * The zones' share of replica calls from this isolate since it started (what read affinity moves:
 * callers' reads go to their nearest primary zone first): per zone of any ring, its location hint,
 * the replica reads (GET, HEAD, listings) and writes (PUT, POST, DELETE) sent it, and each as a
 * share of all (0 when there were none). The dashboard draws the same counts.
 */
admin.get("/recon/zones", (c) => {
  const config = parseConfig(c.env);
  const hints = new Map<string, string | null>();
  for (const ring of config.rings.names())
    for (const zone of config.rings.get(ring).zones) if (!hints.has(zone.id)) hints.set(zone.id, zone.locationHint);
  const calls = new Map(requestMetrics.zoneCalls().map(({ zone, calls }) => [zone, calls]));
  const zones = [...new Set([...hints.keys(), ...calls.keys()])].sort();
  const total = (kind: "reads" | "writes") => zones.reduce((sum, zone) => sum + (calls.get(zone)?.[kind] ?? 0), 0);
  const reads = total("reads");
  const writes = total("writes");
  return json({
    readAffinity: config.readAffinity,
    zones: zones.map((zone) => {
      const counted = calls.get(zone) ?? { reads: 0, writes: 0 };
      return {
        zone,
        locationHint: hints.get(zone) ?? null,
        reads: counted.reads,
        writes: counted.writes,
        readShare: reads ? counted.reads / reads : 0,
        writeShare: writes ? counted.writes / writes : 0,
      };
    }),
  });
});

/**
 * How many replicas of `ring` wait for each zone that stopped answering, summed over every zone's
 * ring summary (recon's `waitingFor`, the metrics' `edgeswift_replicas_waiting`).
 */
export async function replicasWaiting(config: Config, ring: RingName): Promise<Record<string, number>> {
  const waitingFor: Record<string, number> = {};
  for (const zone of config.rings.get(ring).zones) {
    const counts = (await ringSummaryStub(config, ring, zone.id).waiting()).value ?? {};
    for (const [target, count] of Object.entries(counts)) waitingFor[target] = (waitingFor[target] ?? 0) + count;
  }
  return waitingFor;
}

/**
 * This isolate's work (common/work-tally.ts): `operations`, per operation the proxy served
 * (`object PUT`, `container GET`, `s3 object PUT`…), and `objects`, per Durable Object class
 * running here, its calls and its alarms (`object calls`, `container alarms`, `summary calls`…);
 * `?reset` answers them and zeroes them, so a bench phase reads only its own.
 */
admin.get("/recon/work", (c) => {
  const tally = { operations: operationWork.snapshot(), objects: objectWork.snapshot() };
  if (c.req.query("reset") !== undefined) resetWork();
  return json(tally);
});

/** Zeroes this isolate's work tallies (a bench phase starts): 204. */
admin.post("/recon/work", () => {
  resetWork();
  return new Response(null, { status: 204 });
});

function resetWork(): void {
  operationWork.reset();
  objectWork.reset();
}

/**
 * Runs the replicator's jobs now, as cron does; `?only=sweep` runs the ring sweeps alone (no
 * reaper, no auditor), `?only=s3` the S3 housekeeping job alone (one run, within its budget).
 */
admin.post("/recon/sweep", async (c) => {
  const config = parseConfig(c.env);
  const only = c.req.query("only");
  if (only === undefined) return json(await runJobs(config, Date.now()));
  if (only === "sweep") return json({ sweeps: await runSweeps(config, Date.now()) });
  if (only === "s3") {
    const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
    return json({ s3: await runS3Housekeeping(config, Date.now(), { waitUntil }) });
  }
  throw new SwiftError("BadRequest", 'only= takes "sweep" or "s3"');
});

admin.on(["GET", "PUT"], "/faults", async (c) => {
  const config = parseConfig(c.env);
  if (!config.faultInjection) throw new SwiftError("NotFound");
  const control = controlStub(config);
  if (c.req.method === "GET") return json({ down: (await control.downZones()).value ?? [] });
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new SwiftError("BadRequest", 'Body must be JSON: {"down": ["z1", …]}');
  }
  const down = (body as { down?: unknown }).down;
  const zones = new Set(config.rings.object.zones.map((zone) => zone.id));
  if (!Array.isArray(down) || !down.every((zone): zone is string => typeof zone === "string" && zones.has(zone))) {
    throw new SwiftError("BadRequest", `"down" must list zones of the rings (${[...zones].join(", ")})`);
  }
  const value = (await control.setDownZones(down)).value ?? [];
  faults.set(value);
  return json({ down: value });
});
