/**
 * Read consistency per request and per container, and read affinity, under zone faults: a write
 * or delete acknowledged while one zone was down is missed by that zone's replicas until they are
 * repaired; a caller near that zone reads it first (read affinity) and, reading eventually, sees
 * the older state; reading at quorum (`X-Consistency: quorum`, or the container's
 * `X-Container-Meta-Consistency: quorum`) it always sees the acknowledged one, with another zone
 * down too.
 */

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, swift, text, tokenFor, unique } from "../helpers";
import { runAlarmsUntilInSync, rings, setDown } from "./fault-helpers";
import { s3Sent } from "../integration/s3/helpers";

/** Callers near each zone of the test rings (z1 enam, z2 weur, z3 apac), as `request.cf` gives them. */
const NEAR: Record<string, IncomingRequestCfProperties> = {
  z1: { latitude: "40.71", longitude: "-74.01", continent: "NA" } as IncomingRequestCfProperties,
  z2: { latitude: "48.86", longitude: "2.35", continent: "EU" } as IncomingRequestCfProperties,
  z3: { latitude: "35.68", longitude: "139.69", continent: "AS" } as IncomingRequestCfProperties,
};

/** A request as a caller near `zone` sends it, as test:tester. */
async function near(
  zone: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await exports.default.fetch(`${BASE}/v1${path}`, {
    method,
    headers: { "X-Auth-Token": await tokenFor(), ...headers },
    cf: NEAR[zone],
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function put(path: string, body: string | null = null, headers: Record<string, string> = {}): Promise<number> {
  const response = await swift("PUT", path, { body, headers });
  await text(response);
  return response.status;
}

/** The object ring's partition of `container/o` in test:tester's account. */
const partitionOf = (container: string): number => rings.object.partitionFor("AUTH_test", container, "o");

/** The object ring's primary zones of `container/o`, in ring order. */
const primariesOf = (container: string): string[] => rings.object.primaryZones(partitionOf(container)).map((z) => z.id);

/**
 * A new container (with `headers`) whose object `o` was written "old" with every zone up, then
 * "new" with its partition's first primary zone down (acknowledged by the other two), every zone
 * back up after: `missed` holds "old" until repaired, and `zones` are the partition's primaries,
 * `missed` first.
 */
async function overwrittenWhileDown(
  prefix: string,
  headers: Record<string, string> = {},
): Promise<{ container: string; path: string; missed: string; zones: string[] }> {
  const container = unique(prefix);
  const path = `/AUTH_test/${container}/o`;
  expect(await put(`/AUTH_test/${container}`, null, headers)).toBe(201);
  expect(await put(path, "old")).toBe(201);
  const zones = primariesOf(container);
  const [missed = ""] = zones;
  await setDown([missed]);
  expect(await put(path, "new")).toBe(201);
  await setDown([]);
  return { container, path, missed, zones };
}

describe("read affinity", () => {
  it("a GET is served by the primary zone nearest the caller: each caller sees its own zone's replica", async ({
    expect,
  }) => {
    const { path, missed, zones } = await overwrittenWhileDown("affinity");
    const [, other = ""] = zones;
    // Eight reads each: a random order (Swift's shuffle) would read another zone first in 1 - (1/3)^8 of runs.
    for (let read = 0; read < 8; read++) {
      expect((await near(missed, "GET", path)).body).toBe("old");
      expect((await near(other, "GET", path)).body).toBe("new");
    }
  });
});

describe("quorum reads (X-Consistency: quorum, X-Container-Meta-Consistency: quorum)", () => {
  it("read after write: a caller near the zone the write missed reads the old object eventually and the acknowledged one at quorum, with another zone down too", async ({
    expect,
  }) => {
    const { path, missed, zones } = await overwrittenWhileDown("rw");
    expect((await near(missed, "GET", path)).body).toBe("old");
    expect((await near(missed, "GET", path, { "X-Consistency": "quorum" })).body).toBe("new");
    const head = await near(missed, "HEAD", path, { "X-Consistency": "quorum" });
    expect(head.headers.get("content-length")).toBe("3");
    // A zone that took the write is down now: the quorum is the stale zone and the other that took it.
    const [, , third = ""] = zones;
    await setDown([third]);
    expect((await near(missed, "GET", path, { "X-Consistency": "quorum" })).body).toBe("new");
    await setDown([]);
  });

  it("read after delete: a caller near the zone the DELETE missed still reads the object eventually, and 404 at quorum", async ({
    expect,
  }) => {
    const container = unique("rd");
    expect(await put(`/AUTH_test/${container}`)).toBe(201);
    const path = `/AUTH_test/${container}/o`;
    expect(await put(path, "doomed")).toBe(201);
    const [zone = ""] = primariesOf(container);
    await setDown([zone]);
    const deleted = await swift("DELETE", path);
    await text(deleted);
    expect(deleted.status).toBe(204);
    await setDown([]);
    expect((await near(zone, "GET", path)).status).toBe(200);
    expect((await near(zone, "GET", path, { "X-Consistency": "quorum" })).status).toBe(404);
    expect((await near(zone, "HEAD", path, { "X-Consistency": "quorum" })).status).toBe(404);
  });

  it("a container with X-Container-Meta-Consistency: quorum reads its objects at quorum; X-Consistency: eventual reads eventually", async ({
    expect,
  }) => {
    const { path, missed } = await overwrittenWhileDown("qc", { "X-Container-Meta-Consistency": "quorum" });
    expect((await near(missed, "GET", path)).body).toBe("new");
    expect((await near(missed, "GET", path, { "X-Consistency": "eventual" })).body).toBe("old");
  });

  it("S3 GetObject in a bucket whose container reads at quorum sees the acknowledged write, with another zone down", async ({
    expect,
  }) => {
    const { container: bucket, zones } = await overwrittenWhileDown("s3quorum", {
      "X-Container-Meta-Consistency": "quorum",
    });
    // The quorum left is the zone that missed the write and one that took it; an eventual read
    // would read either first (Swift's shuffle: no caller place through S3) and find "old" in half the reads.
    const [, holder = ""] = zones;
    await setDown([holder]);
    for (let read = 0; read < 8; read++) expect((await s3Sent("GET", `/${bucket}/o`)).body).toBe("new");
    await setDown([]);
  });

  it("a container listing at quorum lists an object the nearest container replica missed", async ({ expect }) => {
    const container = unique("ql");
    expect(await put(`/AUTH_test/${container}`)).toBe(201);
    expect(await put(`/AUTH_test/${container}/before`, "x")).toBe(201);
    const partition = rings.container.partitionFor("AUTH_test", container);
    const [zone = ""] = rings.container.primaryZones(partition).map((z) => z.id);
    await setDown([zone]);
    expect(await put(`/AUTH_test/${container}/after`, "y")).toBe(201);
    await setDown([]);
    const eventual = await near(zone, "GET", `/AUTH_test/${container}?format=json`);
    expect((JSON.parse(eventual.body) as { name: string }[]).map((entry) => entry.name)).toEqual(["before"]);
    const quorum = await near(zone, "GET", `/AUTH_test/${container}?format=json`, { "X-Consistency": "quorum" });
    expect((JSON.parse(quorum.body) as { name: string }[]).map((entry) => entry.name)).toEqual(["after", "before"]);
    const head = await near(zone, "HEAD", `/AUTH_test/${container}`, { "X-Consistency": "quorum" });
    expect(head.headers.get("x-container-object-count")).toBe("2");
  });

  it("a quorum read with two zones down answers 503 where an eventual read answers from the zone left", async ({
    expect,
  }) => {
    const container = unique("q503");
    expect(await put(`/AUTH_test/${container}`)).toBe(201);
    const path = `/AUTH_test/${container}/o`;
    expect(await put(path, "x")).toBe(201);
    await runAlarmsUntilInSync([{ ring: "object", partition: partitionOf(container) }]);
    await setDown(["z1", "z2"]);
    expect((await near("z3", "GET", path)).status).toBe(200);
    expect((await near("z3", "GET", path, { "X-Consistency": "quorum" })).status).toBe(503);
    await setDown([]);
  });

  it("X-Consistency and X-Container-Meta-Consistency other than quorum or eventual answer 400 and store nothing", async ({
    expect,
  }) => {
    const container = unique("bad");
    expect(await put(`/AUTH_test/${container}`, null, { "X-Container-Meta-Consistency": "strong" })).toBe(400);
    const missing = await swift("HEAD", `/AUTH_test/${container}`);
    await text(missing);
    expect(missing.status).toBe(404);
    expect(await put(`/AUTH_test/${container}`)).toBe(201);
    const post = await swift("POST", `/AUTH_test/${container}`, { headers: { "X-Container-Meta-Consistency": "all" } });
    await text(post);
    expect(post.status).toBe(400);
    const head = await swift("HEAD", `/AUTH_test/${container}`);
    await text(head);
    expect(head.headers.get("x-container-meta-consistency")).toBeNull();
    expect((await near("z1", "GET", `/AUTH_test/${container}`, { "X-Consistency": "maybe" })).status).toBe(400);
    expect(await put(`/AUTH_test/${container}/o`, "x", { "X-Consistency": "sometimes" })).toBe(400);
    const object = await swift("HEAD", `/AUTH_test/${container}/o`);
    await text(object);
    expect(object.status).toBe(404);
  });
});
