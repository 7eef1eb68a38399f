/**
 * @module
 * `GET /recon/rings` and `POST /recon/dispersion` (src/proxy/dispersion.ts): the rings as the
 * Worker holds them, and which primaries of an item's partition hold its row, for the reseller
 * admin only; a bad request is 400 and calls no replica.
 */
import { env, exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { MAX_DISPERSION_ITEMS } from "../../../src/proxy/dispersion";
import { loadRings } from "../../../src/ring/load";
import { BASE, swift, text, tokenFor, unique } from "../../helpers";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

async function dispersion(body: unknown, user = "admin:admin", key = "admin"): Promise<Response> {
  return exports.default.fetch(`${BASE}/recon/dispersion`, {
    method: "POST",
    headers: { "X-Auth-Token": await tokenFor(user, key), "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface Placement {
  partition: number;
  primaries: string[];
  found?: string[];
}

async function placements(body: unknown): Promise<Placement[]> {
  const response = await dispersion(body);
  const answer = await response.text();
  if (response.status !== 200) throw new Error(`POST /recon/dispersion: ${response.status} ${answer}`);
  return (JSON.parse(answer) as { placements: Placement[] }).placements;
}

describe("GET /recon/rings", () => {
  it("names every ring with its partitions, replicas and zones, and each storage policy's ring", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/recon/rings`, {
      headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      rings: Record<string, { partitionCount: number; replicaCount: number; zones: { id: string }[] }>;
      policies: { index: number; name: string; ring: string }[];
      maxDispersionItems: number;
    };
    expect(Object.keys(body.rings)).toEqual(["account", "container", "object", "object-1", "object-2"]);
    expect(body.rings.object).toMatchObject({ partitionCount: rings.object.partitionCount, replicaCount: 3 });
    expect(body.rings.object?.zones.map((zone) => zone.id)).toEqual(["z1", "z2", "z3"]);
    expect(body.policies.map((policy) => [policy.index, policy.ring])).toEqual([
      [0, "object"],
      [1, "object-1"],
      [2, "object-2"],
    ]);
    expect(body.maxDispersionItems).toBe(MAX_DISPERSION_ITEMS);
  });

  it("is the reseller admin's: 403 for an account admin, 401 anonymous", async ({ expect }) => {
    const forbidden = await exports.default.fetch(`${BASE}/recon/rings`, {
      headers: { "X-Auth-Token": await tokenFor() },
    });
    await forbidden.text();
    expect(forbidden.status).toBe(403);
    const anonymous = await exports.default.fetch(`${BASE}/recon/dispersion`, { method: "POST", body: "{}" });
    await anonymous.text();
    expect(anonymous.status).toBe(401);
  });
});

describe("POST /recon/dispersion", () => {
  it("finds a container and an object on every primary of their partitions once written", async ({ expect }) => {
    const container = unique("disp");
    await text(await swift("PUT", `/AUTH_test/${container}`));
    await text(await swift("PUT", `/AUTH_test/${container}/o`, { body: "x" }));
    const [containerPlacement, objectPlacement, missing] = await placements({
      items: [
        { ring: "container", account: "AUTH_test", container },
        { ring: "object", account: "AUTH_test", container, object: "o" },
        { ring: "object", account: "AUTH_test", container, object: "never-written" },
      ],
    });
    const containerPartition = rings.container.partitionFor("AUTH_test", container);
    expect(containerPlacement).toEqual({
      partition: containerPartition,
      primaries: rings.container.primaryZones(containerPartition).map((zone) => zone.id),
      found: rings.container.primaryZones(containerPartition).map((zone) => zone.id),
    });
    expect(objectPlacement?.partition).toBe(rings.object.partitionFor("AUTH_test", container, "o"));
    expect(objectPlacement?.found?.sort()).toEqual(["z1", "z2", "z3"]);
    expect(missing?.found).toEqual([]);
  });

  it("a deleted object is a copy missing on every primary (its tombstone is no copy)", async ({ expect }) => {
    const container = unique("disp");
    await text(await swift("PUT", `/AUTH_test/${container}`));
    await text(await swift("PUT", `/AUTH_test/${container}/gone`, { body: "x" }));
    await text(await swift("DELETE", `/AUTH_test/${container}/gone`));
    const [placement] = await placements({
      items: [{ ring: "object", account: "AUTH_test", container, object: "gone" }],
    });
    expect(placement?.found).toEqual([]);
  });

  it('"check": false gives the placement alone, for names never written', async ({ expect }) => {
    const [placement] = await placements({
      items: [{ ring: "object-1", account: "AUTH_test", container: "c", object: "nothing" }],
      check: false,
    });
    const partition = rings.get("object-1").partitionFor("AUTH_test", "c", "nothing");
    expect(placement).toEqual({
      partition,
      primaries: rings
        .get("object-1")
        .primaryZones(partition)
        .map((zone) => zone.id),
    });
  });

  it("answers 400 naming what is wrong: no items, a ring the cluster lacks, names that do not fit, too many", async ({
    expect,
  }) => {
    const item = { ring: "container", account: "AUTH_test", container: "c" };
    for (const [body, message] of [
      ["not json", "Body must be JSON"],
      [{}, '"items" must be an array'],
      [{ items: [item], check: "yes" }, '"check" must be true or false'],
      [{ items: [{ ...item, ring: "object-9" }] }, 'items[0]: "ring" must be one of'],
      [
        { items: [{ ring: "container", account: "AUTH_test" }] },
        'items[0]: the container ring places account, container: "container" is missing',
      ],
      [
        { items: [item, { ...item, ring: "account" }] },
        'items[1]: the account ring places account: "container" does not belong',
      ],
      [
        { items: Array.from({ length: MAX_DISPERSION_ITEMS + 1 }, () => item) },
        `at most ${MAX_DISPERSION_ITEMS} items`,
      ],
    ] as const) {
      const response = await dispersion(body);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(message);
    }
  });
});
