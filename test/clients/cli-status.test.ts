/**
 * @module
 * `edgeswift status` and `edgeswift dispersion` (cli/status.ts, cli/dispersion.ts) run as an
 * operator runs them, against the Worker under `wrangler dev`, as its reseller admin: status names
 * every ring and zone and says healthy; dispersion places its sample, finds every copy, and a
 * re-run keeps what is placed; with zone z3 down (fault injection), the report finds the copies
 * z3 holds missing and status, once writes wait for z3, exits 1 naming it.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, inject, it } from "vitest";
import { runClient, transcript, withoutClientEnv, type ClientRun } from "./helpers.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const baseUrl = inject("edgeswiftBaseUrl");
const ADMIN = { "X-Auth-User": "admin:admin", "X-Auth-Key": "admin" };
/** How long the z3-down test asks status again for replicas to start waiting for z3. */
const WAIT_FOR_WAITING_MS = 60_000;

/** `edgeswift <args> --url <the Worker>` with the default credentials (the reseller admin). */
function edgeswift(...args: string[]): Promise<ClientRun> {
  return runClient([process.execPath, join(REPO_ROOT, "cli/edgeswift.ts"), ...args, "--url", baseUrl], {
    cwd: REPO_ROOT,
    env: { ...withoutClientEnv(["ST_"]), NO_COLOR: "1" },
    allowFailure: true,
  });
}

function parsed<T>(run: ClientRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`no JSON on stdout:\n${transcript(run)}`);
  }
}

async function adminToken(): Promise<string> {
  const response = await fetch(`${baseUrl}/auth/v1.0`, { headers: ADMIN });
  await response.arrayBuffer();
  const token = response.headers.get("x-auth-token");
  if (token === null) throw new Error(`no token: ${response.status}`);
  return token;
}

async function setDown(zones: string[]): Promise<void> {
  const response = await fetch(`${baseUrl}/faults`, {
    method: "PUT",
    headers: { "X-Auth-Token": await adminToken(), "Content-Type": "application/json" },
    body: JSON.stringify({ down: zones }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`PUT /faults: ${response.status} ${body}`);
}

interface Status {
  healthy: boolean;
  healthcheck: { ok: boolean };
  rings: { ring: string; zones: string[] }[];
  zones: { zone: string; waiting: Record<string, number> }[];
  problems: string[];
}

interface RingReport {
  ring: string;
  queried: number;
  copies_found: number;
  copies_expected: number;
  pct_found: number;
  [missing: `missing_${number}`]: number;
}

afterAll(async () => {
  await setDown([]);
});

describe("edgeswift status against wrangler dev", () => {
  it("status --json names every ring and zone, and the cluster is healthy (exit 0)", async ({ expect }) => {
    const run = await edgeswift("status", "--json");
    expect(run.status, transcript(run)).toBe(0);
    const status = parsed<Status>(run);
    expect(status.healthy).toBe(true);
    expect(status.healthcheck.ok).toBe(true);
    expect(status.rings.map((ring) => ring.ring)).toEqual(["account", "container", "object", "object-1", "object-2"]);
    expect(status.rings.find((ring) => ring.ring === "object")?.zones).toEqual(["z1", "z2", "z3"]);
    expect(status.zones.map((zone) => zone.zone)).toEqual(["z1", "z2", "z3"]);
  });

  it("status prints the table per ring and per zone, and says healthy", async ({ expect }) => {
    const run = await edgeswift("status");
    expect(run.status, transcript(run)).toBe(0);
    expect(run.stdout).toContain("healthcheck: OK");
    expect(run.stdout).toMatch(/ring\s+partitions\s+replicas\s+zones\s+last sweep/);
    expect(run.stdout).toMatch(/object-1\s+1024\s+2\s+z1,z2,z3/);
    expect(run.stdout).toMatch(/zone\s+account\s+container\s+object\s+object-1\s+object-2/);
    expect(run.stdout.trimEnd().endsWith("healthy")).toBe(true);
  });
});

describe("edgeswift dispersion against wrangler dev", () => {
  it("dispersion --json places the sample and finds 100% of copies on every ring", async ({ expect }) => {
    const run = await edgeswift("dispersion", "--json");
    expect(run.status, transcript(run)).toBe(0);
    const body = parsed<{ populate: Record<string, { created: number }>; report: Record<string, RingReport> }>(run);
    expect(Object.keys(body.report)).toEqual(["container", "object", "object-1", "object-2"]);
    for (const report of Object.values(body.report)) {
      expect(report.queried).toBe(10); // 1% of 1,024 partitions
      expect(report.pct_found).toBe(100);
      expect(report.copies_found).toBe(report.copies_expected);
    }
    expect(body.report.object?.copies_expected).toBe(30);
    expect(body.report["object-1"]?.copies_expected).toBe(20);
    expect(body.populate.container?.created).toBe(10);
  });

  it("a re-run of populate keeps what is placed and creates nothing", async ({ expect }) => {
    const run = await edgeswift("dispersion", "populate", "--json");
    expect(run.status, transcript(run)).toBe(0);
    const body = parsed<{ populate: Record<string, { created: number; reused: number }> }>(run);
    for (const result of Object.values(body.populate)) expect(result).toMatchObject({ created: 0, reused: 10 });
  });

  it("dispersion report prints Swift's lines for each ring", async ({ expect }) => {
    const run = await edgeswift("dispersion", "report");
    expect(run.status, transcript(run)).toBe(0);
    expect(run.stdout).toContain("Queried 10 containers for dispersion reporting");
    expect(run.stdout).toContain("100.00% of container copies found (30 of 30)");
    expect(run.stdout).toContain("Using storage policy: silver (ring object-1)");
    expect(run.stdout).toContain("100.00% of object copies found (20 of 20)");
    expect(run.stdout).toContain("Sample represents 0.98% of the object partition space");
  });

  it("with z3 down, the report misses z3's copies and status, once writes wait for z3, exits 1 naming it", async ({
    expect,
  }) => {
    await setDown(["z3"]);
    try {
      const run = await edgeswift("dispersion", "report", "--json", "--policy", "gold");
      expect(run.status, transcript(run)).toBe(0);
      const { report } = parsed<{ report: Record<string, RingReport> }>(run);
      // Every partition of the 3-replica rings over z1-z3 has a primary in z3.
      expect(report.container).toMatchObject({ copies_found: 20, copies_expected: 30, missing_1: 10 });
      expect(report.object).toMatchObject({ copies_found: 20, copies_expected: 30, missing_1: 10 });
      // More of the sample, written while z3 is down: its replicas wait for z3.
      const populate = await edgeswift("dispersion", "populate", "--coverage", "2", "--container-only", "--json");
      expect(populate.status, transcript(populate)).toBe(0);
      // A replica waits for z3 once its repair, due a few seconds after the write, found z3 down:
      // status is asked again until then (at most WAIT_FOR_WAITING_MS).
      let status = await edgeswift("status", "--json");
      for (const deadline = Date.now() + WAIT_FOR_WAITING_MS; status.status === 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        status = await edgeswift("status", "--json");
      }
      expect(status.status, transcript(status)).toBe(1);
      const body = parsed<Status>(status);
      expect(body.healthy).toBe(false);
      expect(body.problems.join("\n")).toMatch(/^zone z3 stopped answering: \d+ container replicas/m);
      expect(body.zones.find((zone) => zone.zone === "z3")?.waiting.container).toBeGreaterThan(0);
    } finally {
      await setDown([]);
    }
  });
});
