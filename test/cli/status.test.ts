/**
 * @module
 * cli/status.ts: `edgeswift status` reads the Worker's answers (/healthcheck, /recon/replication,
 * /recon/rings, /metrics) into figures per ring and per zone, says unhealthy when the health check
 * fails or replicas wait for a zone, and prints them as a table or JSON. Against a running Worker:
 * test/clients/cli-status.test.ts.
 */
import { describe, it } from "vitest";
import { clusterOptions, ClusterError, DEFAULT_URL } from "../../cli/cluster.ts";
import { clusterStatus, parseMetrics, renderStatus } from "../../cli/status.ts";
import { edgeswift } from "./helpers.ts";

const NOW = Date.parse("2026-12-05T12:00:00Z");
const zones = (...ids: string[]) => ids.map((id) => ({ id, weight: 100, locationHint: null }));
const RINGS = {
  rings: {
    account: { partitionCount: 1024, replicaCount: 3, zones: zones("z1", "z2", "z3") },
    object: { partitionCount: 1024, replicaCount: 3, zones: zones("z1", "z2", "z3") },
    "object-2": { partitionCount: 1024, replicaCount: 1, zones: zones("z1") },
  },
  policies: [],
  maxDispersionItems: 100,
};
const SWEPT = {
  startedAt: "2026-12-05T11:55:00.000Z",
  durationMs: 1500,
  partitionsChecked: 40,
  divergent: 2,
  repaired: 2,
  rowsMoved: 7,
  handoffsOutstanding: 1,
  complete: true,
  oldestUnrepairedDivergence: null,
};
const METRICS = [
  "# HELP edgeswift_reaper_accounts_queued Deleted accounts the reaper has yet to empty.",
  "# TYPE edgeswift_reaper_accounts_queued gauge",
  "edgeswift_reaper_accounts_queued 3",
  'edgeswift_outbox_updates_pending{ring="container",zone="z2"} 12',
  "edgeswift_sharded_containers 2",
  "edgeswift_container_splits_in_progress 1",
  "edgeswift_container_shards 9",
  'edgeswift_requests_total{operation="object PUT",status="201"} 9',
].join("\n");
const OK = { status: 200, headers: new Headers(), text: "OK" };

function statusOf(overrides: { health?: typeof OK; replication?: unknown } = {}) {
  return clusterStatus({
    url: "http://127.0.0.1:8787",
    nowMs: NOW,
    health: overrides.health ?? OK,
    replication: overrides.replication ?? { account: { waitingFor: {} }, object: { ...SWEPT, waitingFor: {} } },
    rings: RINGS,
    metrics: METRICS,
  });
}

describe("edgeswift status's figures", () => {
  it("names every ring and every zone, with each ring's last sweep and its age", ({ expect }) => {
    const status = statusOf();
    expect(status.rings.map((ring) => ring.ring)).toEqual(["account", "object", "object-2"]);
    expect(status.zones.map((zone) => zone.zone)).toEqual(["z1", "z2", "z3"]);
    expect(status.zones[1]?.waiting).toEqual({ account: 0, object: 0 });
    const object = status.rings[1];
    expect(object?.lastSweep).toMatchObject({ ageSeconds: 300, durationMs: 1500, partitionsChecked: 40, divergent: 2 });
    expect(object?.handoffsOutstanding).toBe(1);
    expect(status.rings[0]?.lastSweep).toBeNull();
    expect(status.healthy).toBe(true);
    expect(status.warnings).toContain("the object ring has 1 handoff replicas holding rows");
    expect(status.warnings).toContain("the account ring has not been swept yet");
  });

  it("reads the reaper's queue, the sharded containers and splits in progress, and any other backlog gauge from /metrics", ({
    expect,
  }) => {
    const status = statusOf();
    expect(status.reaper.accountsQueued).toBe(3);
    expect(status.sharding).toEqual({ sharded: 2, splitting: 1, shards: 9 });
    expect(status.backlog).toEqual({ 'edgeswift_outbox_updates_pending{ring="container",zone="z2"}': 12 });
  });

  it("is unhealthy when replicas wait for a zone, naming the zone and the rings", ({ expect }) => {
    const status = statusOf({
      replication: { object: { ...SWEPT, waitingFor: { z3: 14 } }, account: { waitingFor: { z3: 2 } } },
    });
    expect(status.healthy).toBe(false);
    expect(status.problems).toEqual(["zone z3 stopped answering: 2 account replicas, 14 object replicas wait for it"]);
    expect(status.zones[2]?.waiting).toEqual({ account: 2, object: 14 });
  });

  it("is unhealthy when the health check fails, with its answer", ({ expect }) => {
    const status = statusOf({
      health: { status: 503, headers: new Headers(), text: "configuration: BODIES_Z4 is not bound" },
    });
    expect(status.healthy).toBe(false);
    expect(status.problems).toEqual(["GET /healthcheck answered 503: configuration: BODIES_Z4 is not bound"]);
  });

  it("prints a table per ring and per zone, and the verdict", ({ expect }) => {
    const text = renderStatus(statusOf({ replication: { object: { ...SWEPT, waitingFor: { z3: 14 } } } }));
    expect(text).toContain("healthcheck: OK");
    expect(text).toMatch(/ring\s+partitions\s+replicas\s+zones\s+last sweep\s+took\s+checked\s+divergent/);
    expect(text).toMatch(/object\s+1024\s+3\s+z1,z2,z3\s+5 min 0 s ago\s+1\.5 s\s+40\s+2/);
    expect(text).toMatch(/zone\s+account\s+object\s+object-2/);
    expect(text).toMatch(/z3\s+0\s+14\s+-/);
    expect(text).toContain("reaper: 3 deleted accounts queued");
    expect(text).toContain("sharding: 2 containers sharded, 1 splitting, 9 shards");
    expect(text).toContain("UNHEALTHY:\n  zone z3 stopped answering: 14 object replicas wait for it");
    expect(renderStatus(statusOf()).trimEnd().endsWith("\nhealthy")).toBe(true);
  });

  it("parses Prometheus text: labels with escapes, comments skipped", ({ expect }) => {
    expect(parseMetrics('# HELP x y\nx{a="q\\"uote",b="n"} 2.5\ny +Inf\n')).toEqual([
      { name: "x", labels: { a: 'q"uote', b: "n" }, value: 2.5 },
      { name: "y", labels: {}, value: Infinity },
    ]);
  });
});

describe("the cluster options", () => {
  it("default to npm start's Worker and the development reseller admin", ({ expect }) => {
    expect(clusterOptions({}, {})).toEqual({
      url: DEFAULT_URL,
      authUrl: `${DEFAULT_URL}/auth/v1.0`,
      user: "admin:admin",
      key: "admin",
    });
  });

  it("read ST_AUTH, ST_USER and ST_KEY as the swift client does; options win", ({ expect }) => {
    const env = { ST_AUTH: "https://swift.example/auth/v1.0", ST_USER: "ops:root", ST_KEY: "secret" };
    expect(clusterOptions({}, env)).toEqual({
      url: "https://swift.example",
      authUrl: "https://swift.example/auth/v1.0",
      user: "ops:root",
      key: "secret",
    });
    expect(clusterOptions({ url: "http://127.0.0.1:9000/", user: "a:b" }, env)).toMatchObject({
      url: "http://127.0.0.1:9000",
      authUrl: "https://swift.example/auth/v1.0",
      user: "a:b",
    });
  });

  it("refuse a URL that is no http URL, naming the option", ({ expect }) => {
    expect(() => clusterOptions({ url: "127.0.0.1:8787" }, {})).toThrow(ClusterError);
    expect(() => clusterOptions({ url: "ftp://x" }, {})).toThrow('--url must be an http or https URL, not "ftp://x"');
  });
});

describe("edgeswift status on the command line", () => {
  it("refuses an unknown option under its usage, before asking anything", ({ expect }) => {
    const run = edgeswift("status", "--jsn");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("USAGE");
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe("edgeswift: unknown option --jsn");
  });

  it("says in one line, exit 1, that the Worker cannot be reached", ({ expect }) => {
    const run = edgeswift("status", "--url", "http://127.0.0.1:9", "--json");
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^edgeswift: GET http:\/\/127\.0\.0\.1:9\/auth\/v1\.0|^edgeswift: GET http:\/\/127\.0\.0\.1:9\/healthcheck/,
    );
  });
});
