/**
 * @module
 * `GET /metrics`: this isolate's requests, latencies and work and the replicators' state in the
 * Prometheus text format, for the reseller admin or a bearer METRICS_TOKEN (this project's is
 * "metrics-test-token", vitest.config.ts).
 */
import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { MetricsText } from "../../../src/proxy/metrics";
import { BASE, dashboardData, swift, text, tokenFor } from "../../helpers";

async function metrics(headers: Record<string, string>): Promise<Response> {
  return exports.default.fetch(`${BASE}/metrics`, { headers });
}

/** A sample's value in an exposition, or undefined. */
function valueOf(body: string, sample: string): number | undefined {
  const line = body.split("\n").find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe("GET /metrics", () => {
  it("answers the reseller admin in the Prometheus text format: requests by operation and status, their latencies, their work, the replicators' state", async ({
    expect,
  }) => {
    await text(await swift("PUT", "/AUTH_test/metrics"));
    await text(await swift("PUT", "/AUTH_test/metrics/o", { body: "counted" }));
    await text(await swift("GET", "/AUTH_test/metrics/missing"));
    await text(
      await exports.default.fetch(`${BASE}/recon/sweep?only=sweep`, {
        method: "POST",
        headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
      }),
    );
    const response = await metrics({ "X-Auth-Token": await tokenFor("admin:admin", "admin") });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await text(response);
    expect(body).toContain("# TYPE edgeswift_requests_total counter\n");
    expect(valueOf(body, 'edgeswift_requests_total{operation="object PUT",status="201"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(body, 'edgeswift_requests_total{operation="object GET",status="404"}')).toBeGreaterThanOrEqual(1);
    // A histogram's buckets are cumulative, and +Inf is its count.
    const put = 'operation="object PUT"';
    const count = valueOf(body, `edgeswift_request_duration_seconds_count{${put}}`) ?? 0;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(valueOf(body, `edgeswift_request_duration_seconds_bucket{${put},le="+Inf"}`)).toBe(count);
    expect(valueOf(body, `edgeswift_request_duration_seconds_bucket{${put},le="0.005"}`)).toBeLessThanOrEqual(
      valueOf(body, `edgeswift_request_duration_seconds_bucket{${put},le="10"}`) ?? 0,
    );
    expect(valueOf(body, `edgeswift_operation_work_total{${put},counter="r2ClassA"}`)).toBeGreaterThanOrEqual(3);
    expect(valueOf(body, 'edgeswift_sweep_partitions_checked{ring="object"}')).toBeGreaterThanOrEqual(0);
    expect(valueOf(body, 'edgeswift_replication_lag_seconds{ring="object"}')).toBeGreaterThanOrEqual(0);
    expect(valueOf(body, "edgeswift_reaper_accounts_queued")).toBeGreaterThanOrEqual(0);
    // Every line is a comment or `name{labels} value`.
    for (const line of body.trimEnd().split("\n"))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [-+0-9.eInfNa]+)$/);
  });

  it("a bearer METRICS_TOKEN reads it; anonymous is 401, an account admin or a wrong token 403 or 401, with no figures", async ({
    expect,
  }) => {
    const bearer = await metrics({ Authorization: "Bearer metrics-test-token" });
    expect(bearer.status).toBe(200);
    expect(await text(bearer)).toContain("edgeswift_requests_total");
    for (const [headers, status] of [
      [{}, 401],
      [{ Authorization: "Bearer wrong" }, 401],
      [{ "X-Auth-Token": await tokenFor() }, 403],
    ] as const) {
      const refused = await metrics(headers);
      expect(refused.status).toBe(status);
      expect(await text(refused)).not.toContain("edgeswift_");
    }
  });
});

describe("GET /metrics and the dashboard", () => {
  it("exposes the figures the dashboard draws, as /dashboard/data has them: ring cells by state, backlogs, the zones' replica calls, the accounts' usage, the last sweep's repairs and convergence", async ({
    expect,
  }) => {
    const admin = { "X-Auth-Token": await tokenFor("admin:admin", "admin") };
    await text(await swift("PUT", "/AUTH_test/metrics-dashboard"));
    await text(await swift("PUT", "/AUTH_test/metrics-dashboard/o", { body: "drawn" }));
    await text(await exports.default.fetch(`${BASE}/recon/sweep?only=sweep`, { method: "POST", headers: admin }));
    const body = await text(await metrics(admin));
    const data = await dashboardData();
    const object = data.maps.find((map) => map.ring === "object");
    for (const state of ["sync", "repairing", "handoff", "down", "empty", "none"] as const)
      expect(valueOf(body, `edgeswift_ring_cells{ring="object",state="${state}"}`), state).toBe(object?.counts[state]);
    expect(valueOf(body, "edgeswift_container_updates_pending")).toBe(data.backlog.updatesPending);
    expect(valueOf(body, "edgeswift_expirer_backlog_objects")).toBe(data.backlog.expired);
    expect(valueOf(body, "edgeswift_backlog_replicas_holding")).toBe(data.backlog.replicasHolding);
    for (const zone of ["z1", "z2", "z3"])
      expect(valueOf(body, `edgeswift_replica_calls_total{zone="${zone}",kind="writes"}`), zone).toBeGreaterThanOrEqual(
        1,
      );
    const account = data.accounts.usage.find((usage) => usage.account === "AUTH_test");
    expect(account).toBeDefined();
    expect(valueOf(body, 'edgeswift_account_containers{account="AUTH_test"}')).toBe(account?.containers);
    expect(valueOf(body, 'edgeswift_sweep_repaired_partitions{ring="object"}')).toBeGreaterThanOrEqual(0);
    expect(valueOf(body, 'edgeswift_sweep_converged_partitions{ring="object"}')).toBeGreaterThanOrEqual(0);
    expect(valueOf(body, 'edgeswift_sweep_convergence_seconds{ring="object"}')).toBeGreaterThanOrEqual(0);
  });
});

describe("the Prometheus text", () => {
  it("escapes backslashes, double quotes and newlines in label values, and writes infinities as Prometheus does", ({
    expect,
  }) => {
    const text = new MetricsText();
    text.family("m", "gauge", "help");
    text.sample("m", { l: 'a"b\\c\nd' }, Number.POSITIVE_INFINITY);
    text.sample("m", {}, 1.5);
    expect(text.toString()).toBe('# HELP m help\n# TYPE m gauge\nm{l="a\\"b\\\\c\\nd"} +Inf\nm 1.5\n');
  });
});
