/**
 * @module
 * Storage policies through the Worker, as Swift's (container.py _convert_policy_to_index,
 * container/server.py PUT, account/utils.py get_response_headers, test_container.py's policy
 * tests), with the shipped STORAGE_POLICIES: gold (policy 0, default, three replicas), silver
 * (policy 1, two replicas on rings/object-1.ring.json), local (policy 2, one replica in z1).
 */
import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, it, vi } from "vitest";
import worker from "../../../src/index";
import { loadRings } from "../../../src/ring/load";
import { BASE, send, swift, swiftWithVars, text, tokenFor, unique } from "../../helpers";
import { LIST_ALL } from "../../rows";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
const bytes = (value: string) => new TextEncoder().encode(value);

/** The replicas of one object's partition in a ring that hold its live row. */
async function holders(ring: "object" | "object-1" | "object-2", container: string, object: string): Promise<string[]> {
  const partition = rings.get(ring).partitionFor("AUTH_test", container, object);
  const zones = rings.object.zones.map((zone) => zone.id);
  const held: string[] = [];
  for (const zone of zones) {
    const reply = await env.OBJECT_REPLICA.getByName(`${ring}/${partition}/${zone}`).getObject(
      `AUTH_test/${container}/${object}`,
    );
    if (reply.value && !reply.value.deleted) held.push(zone);
  }
  return held;
}

describe("storage policies", () => {
  it("/info lists every policy with its aliases, the default marked", async ({ expect }) => {
    const info = (await (await exports.default.fetch(`${BASE}/info`)).json()) as { swift: { policies: unknown[] } };
    expect(info.swift.policies).toEqual([
      { name: "gold", aliases: "gold", default: true },
      { name: "silver", aliases: "silver" },
      { name: "local", aliases: "local" },
    ]);
  });

  it("a container PUT without X-Storage-Policy gets the default policy; an empty header is no header", async ({
    expect,
  }) => {
    const plain = unique("pol");
    const empty = unique("pol");
    expect((await send("PUT", `/AUTH_test/${plain}`)).status).toBe(201);
    expect((await send("PUT", `/AUTH_test/${empty}`, { headers: { "X-Storage-Policy": "" } })).status).toBe(201);
    for (const container of [plain, empty])
      expect((await send("HEAD", `/AUTH_test/${container}`)).headers.get("x-storage-policy")).toBe("gold");
  });

  it("X-Storage-Policy names a policy in any case; HEAD and GET show its name", async ({ expect }) => {
    const container = unique("pol");
    expect((await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "SILVER" } })).status).toBe(
      201,
    );
    expect((await send("HEAD", `/AUTH_test/${container}`)).headers.get("x-storage-policy")).toBe("silver");
    expect((await send("GET", `/AUTH_test/${container}`)).headers.get("x-storage-policy")).toBe("silver");
  });

  it("an unknown policy is 400 Invalid X-Storage-Policy (text/plain) and creates nothing", async ({ expect }) => {
    const container = unique("pol");
    const refused = await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "bogus" } });
    expect(refused.status).toBe(400);
    expect(refused.body).toBe("Invalid X-Storage-Policy 'bogus'");
    expect(refused.headers.get("content-type")).toBe("text/plain");
    expect((await send("HEAD", `/AUTH_test/${container}`)).status).toBe(404);
  });

  it(
    "a PUT naming another policy for an existing container is 409 and changes nothing; " +
      "the same one, or none, is 202",
    async ({ expect }) => {
      const container = unique("pol");
      await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "silver" } });
      const conflict = await send("PUT", `/AUTH_test/${container}`, {
        headers: { "X-Storage-Policy": "gold", "X-Container-Meta-Color": "red" },
      });
      expect(conflict.status).toBe(409);
      const head = await send("HEAD", `/AUTH_test/${container}`);
      expect(head.headers.get("x-storage-policy")).toBe("silver");
      expect(head.headers.get("x-container-meta-color")).toBeNull();
      expect((await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "Silver" } })).status).toBe(
        202,
      );
      expect((await send("PUT", `/AUTH_test/${container}`)).status).toBe(202);
    },
  );

  it("a POST with X-Storage-Policy changes nothing (204, policy kept)", async ({ expect }) => {
    const container = unique("pol");
    await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "local" } });
    expect((await send("POST", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "gold" } })).status).toBe(
      204,
    );
    expect((await send("HEAD", `/AUTH_test/${container}`)).headers.get("x-storage-policy")).toBe("local");
  });

  it("a container deleted and created again takes the new PUT's policy", async ({ expect }) => {
    const container = unique("pol");
    await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "silver" } });
    expect((await send("DELETE", `/AUTH_test/${container}`)).status).toBe(204);
    expect((await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "local" } })).status).toBe(
      201,
    );
    expect((await send("HEAD", `/AUTH_test/${container}`)).headers.get("x-storage-policy")).toBe("local");
  });

  it(
    "objects live on their policy's object ring: " +
      "silver's two replicas, local's one in z1, none on policy 0's ring",
    async ({ expect }) => {
      const silver = unique("pol");
      const local = unique("pol");
      await send("PUT", `/AUTH_test/${silver}`, { headers: { "X-Storage-Policy": "silver" } });
      await send("PUT", `/AUTH_test/${local}`, { headers: { "X-Storage-Policy": "local" } });
      expect((await send("PUT", `/AUTH_test/${silver}/o`, { body: bytes("two copies") })).status).toBe(201);
      expect((await send("PUT", `/AUTH_test/${local}/o`, { body: bytes("one copy") })).status).toBe(201);
      expect(await holders("object-1", silver, "o")).toEqual(
        rings
          .get("object-1")
          .primaryZones(rings.get("object-1").partitionFor("AUTH_test", silver, "o"))
          .map((z) => z.id)
          .sort(),
      );
      expect(await holders("object-1", silver, "o")).toHaveLength(2);
      expect(await holders("object-2", local, "o")).toEqual(["z1"]);
      expect(await holders("object", silver, "o")).toEqual([]);
      expect(await holders("object", local, "o")).toEqual([]);
    },
  );

  it(
    "a write to a two-replica policy reaches all three container replicas, " + "so a listing from any of them shows it",
    async ({ expect }) => {
      const container = unique("pol");
      await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "silver" } });
      expect((await send("PUT", `/AUTH_test/${container}/listed`, { body: bytes("x") })).status).toBe(201);
      const partition = rings.container.partitionFor("AUTH_test", container);
      await vi.waitFor(
        async () => {
          for (const zone of rings.container.primaryZones(partition)) {
            const listing = await env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone.id}`).listObjects(
              "AUTH_test",
              container,
              LIST_ALL,
            );
            expect(
              listing.value?.entries.map((entry) => entry.name),
              zone.id,
            ).toEqual(["listed"]);
          }
        },
        { timeout: 2_000, interval: 25 },
      );
    },
  );

  it("every object operation works in a non-default policy: PUT, GET, HEAD, POST, listing, DELETE", async ({
    expect,
  }) => {
    const container = unique("pol");
    await send("PUT", `/AUTH_test/${container}`, { headers: { "X-Storage-Policy": "silver" } });
    expect(
      (
        await send("PUT", `/AUTH_test/${container}/doc`, {
          body: bytes("hello silver"),
          headers: { "Content-Type": "text/plain" },
        })
      ).status,
    ).toBe(201);
    const got = await send("GET", `/AUTH_test/${container}/doc`);
    expect(got.status).toBe(200);
    expect(got.body).toBe("hello silver");
    expect((await send("POST", `/AUTH_test/${container}/doc`, { headers: { "X-Object-Meta-Tier": "2" } })).status).toBe(
      202,
    );
    expect((await send("HEAD", `/AUTH_test/${container}/doc`)).headers.get("x-object-meta-tier")).toBe("2");
    const listing = JSON.parse((await send("GET", `/AUTH_test/${container}?format=json`)).body) as {
      name: string;
      bytes: number;
    }[];
    expect(listing).toMatchObject([{ name: "doc", bytes: 12 }]);
    expect((await send("DELETE", `/AUTH_test/${container}/doc`)).status).toBe(204);
    expect((await send("GET", `/AUTH_test/${container}/doc`)).status).toBe(404);
    expect((await send("DELETE", `/AUTH_test/${container}`)).status).toBe(204);
  });

  it("a copy across policies is byte-exact and lands on the destination's ring", async ({ expect }) => {
    const gold = unique("pol");
    const local = unique("pol");
    await send("PUT", `/AUTH_test/${gold}`);
    await send("PUT", `/AUTH_test/${local}`, { headers: { "X-Storage-Policy": "local" } });
    const body = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    expect((await send("PUT", `/AUTH_test/${gold}/src`, { body })).status).toBe(201);
    expect((await send("PUT", `/AUTH_test/${local}/dst`, { headers: { "X-Copy-From": `/${gold}/src` } })).status).toBe(
      201,
    );
    expect((await send("COPY", `/AUTH_test/${local}/dst`, { headers: { Destination: `/${gold}/back` } })).status).toBe(
      201,
    );
    for (const path of [`${local}/dst`, `${gold}/back`]) {
      const copy = await swift("GET", `/AUTH_test/${path}`);
      expect(new Uint8Array(await copy.arrayBuffer())).toEqual(body);
    }
    expect(await holders("object-2", local, "dst")).toEqual(["z1"]);
    expect(await holders("object", local, "dst")).toEqual([]);
  });

  it("account HEAD counts containers, objects and bytes per policy (X-Account-Storage-Policy-<Name>-*)", async ({
    expect,
  }) => {
    const user: [string, string] = ["test2:tester2", "testing2"];
    await tokenFor(...user);
    const silver = unique("pol");
    await send("PUT", `/AUTH_test2/${unique("pol")}`, { user });
    await send("PUT", `/AUTH_test2/${silver}`, { user, headers: { "X-Storage-Policy": "silver" } });
    await send("PUT", `/AUTH_test2/${silver}/a`, { user, body: bytes("12345") });
    await send("PUT", `/AUTH_test2/${silver}/b`, { user, body: bytes("123") });
    await vi.waitFor(
      async () => {
        const head = await send("HEAD", "/AUTH_test2", { user });
        expect(head.headers.get("x-account-storage-policy-silver-container-count")).toBe("1");
        expect(head.headers.get("x-account-storage-policy-silver-object-count")).toBe("2");
        expect(head.headers.get("x-account-storage-policy-silver-bytes-used")).toBe("8");
        expect(Number(head.headers.get("x-account-storage-policy-gold-container-count"))).toBeGreaterThanOrEqual(1);
        expect(head.headers.get("x-account-storage-policy-local-container-count")).toBeNull();
        const total = Number(head.headers.get("x-account-container-count"));
        expect(total).toBe(Number(head.headers.get("x-account-storage-policy-gold-container-count")) + 1);
      },
      { timeout: 3_000, interval: 25 },
    );
  });
});

describe("storage policies configured otherwise", () => {
  /** A request through the Worker with STORAGE_POLICIES replaced. */
  const withPolicies = (policies: string, method: string, path: string, headers: Record<string, string> = {}) =>
    swiftWithVars({ STORAGE_POLICIES: policies }, method, path, headers);

  it("a deprecated policy cannot be chosen for a new container (400) and is not listed in /info", async ({
    expect,
  }) => {
    const policies = "0 gold default; 1 silver deprecated; 2 local";
    const container = unique("pol");
    const refused = await withPolicies(policies, "PUT", `/AUTH_test/${container}`, { "X-Storage-Policy": "silver" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe("Storage Policy 'silver' is deprecated");
    expect(refused.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    const ctx = createExecutionContext();
    const info = (await (
      await worker.fetch(new Request(`${BASE}/info`), { ...env, STORAGE_POLICIES: policies } as Env, ctx)
    ).json()) as { swift: { policies: { name: string }[] } };
    expect(info.swift.policies.map((policy) => policy.name)).toEqual(["gold", "local"]);
  });

  it("aliases name their policy; /info lists them after the name", async ({ expect }) => {
    const policies = "0 gold default aliases=yellow,orange; 1 silver; 2 local";
    const container = unique("pol");
    expect(
      (await withPolicies(policies, "PUT", `/AUTH_test/${container}`, { "X-Storage-Policy": "Orange" })).status,
    ).toBe(201);
    expect((await withPolicies(policies, "HEAD", `/AUTH_test/${container}`)).headers.get("x-storage-policy")).toBe(
      "gold",
    );
    const ctx = createExecutionContext();
    const info = (await (
      await worker.fetch(new Request(`${BASE}/info`), { ...env, STORAGE_POLICIES: policies } as Env, ctx)
    ).json()) as { swift: { policies: unknown[] } };
    expect(info.swift.policies[0]).toEqual({ name: "gold", aliases: "gold, yellow, orange", default: true });
  });
});
