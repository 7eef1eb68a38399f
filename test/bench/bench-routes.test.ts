import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, text, tokenFor } from "../helpers";

async function statusAs(user: [string, string] | null, method: string, path: string, body?: string): Promise<number> {
  const headers: Record<string, string> = user ? { "X-Auth-Token": await tokenFor(...user) } : {};
  const response = await exports.default.fetch(`${BASE}${path}`, { method, headers, body: body ?? null });
  await text(response);
  return response.status;
}

const ROUTES: [string, string, string?][] = [
  ["GET", "/bench/fixed"],
  ["PUT", "/bench/floor/list?count=1"],
  ["POST", "/bench/floor/post/o"],
  ["POST", "/bench/replication/seed?account=AUTH_test&containers=1&objects=1&shard=0/1"],
  ["POST", "/bench/replication/partitions", JSON.stringify({ account: "AUTH_test", container: "c", objects: ["o"] })],
  ["POST", "/bench/replication/container-rows", JSON.stringify({ account: "AUTH_test", container: "c" })],
];

describe("bench routes (the bench Worker)", () => {
  it("answer an anonymous caller 401 and an account admin 403, and write nothing", async ({ expect }) => {
    for (const [method, path, body] of ROUTES) {
      expect(await statusAs(null, method, path, body)).toBe(401);
      expect(await statusAs(["test:tester", "testing"], method, path, body)).toBe(403);
    }
    const listing = await exports.default.fetch(`${BASE}/v1/AUTH_test?format=json`, {
      headers: { "X-Auth-Token": await tokenFor() },
    });
    expect(JSON.parse(await text(listing))).toEqual([]);
  });

  it("serve the reseller admin", async ({ expect }) => {
    expect(await statusAs(["admin:admin", "admin"], "GET", "/bench/fixed")).toBe(200);
  });

  it("a POST floor writes the object's and the listing's rows on their replicas (202); the LIST floor renders json, plain and xml", async ({
    expect,
  }) => {
    const admin: [string, string] = ["admin:admin", "admin"];
    expect(await statusAs(admin, "POST", "/bench/floor/post/posted")).toBe(202);
    expect(await statusAs(admin, "PUT", "/bench/floor/list?count=2")).toBe(201);
    const list = async (format: string) => {
      const response = await exports.default.fetch(`${BASE}/bench/floor/list?limit=2&format=${format}`, {
        headers: { "X-Auth-Token": await tokenFor(...admin) },
      });
      return text(response);
    };
    expect(JSON.parse(await list("json")).map((row: { name: string }) => row.name)).toEqual([
      "object-000000",
      "object-000001",
    ]);
    expect(await list("plain")).toBe("object-000000\nobject-000001\n");
    const xml = await list("xml");
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<container name="c"><object><name>object-000000<\/name>/,
    );
    expect(xml.match(/<object>/g)).toHaveLength(2);
  });

  it("seed a container through the replicas' seedRows that GET then lists, counted in its account", async ({
    expect,
  }) => {
    const admin = { "X-Auth-Token": await tokenFor("admin:admin", "admin") };
    const seeded = await exports.default.fetch(
      `${BASE}/bench/replication/seed?account=AUTH_seeded&containers=1&objects=3`,
      { method: "POST", headers: admin },
    );
    expect(JSON.parse(await text(seeded))).toEqual({ containers: 1, objects: 3 });
    const listing = await exports.default.fetch(`${BASE}/v1/AUTH_seeded/c0000000?format=json`, { headers: admin });
    expect((JSON.parse(await text(listing)) as { name: string }[]).map((entry) => entry.name)).toEqual([
      "o00000",
      "o00001",
      "o00002",
    ]);
    const account = await exports.default.fetch(`${BASE}/v1/AUTH_seeded`, { method: "HEAD", headers: admin });
    await text(account);
    expect(account.headers.get("x-account-container-count")).toBe("1");
    expect(account.headers.get("x-account-object-count")).toBe("3");
  });
});
