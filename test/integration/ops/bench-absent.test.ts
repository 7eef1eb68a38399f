/**
 * @module
 * The production Worker holds no benchmark code: that lives in the bench Worker
 * (wrangler.bench.toml, bench/worker/), tested by the "bench" project.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { BASE, text, tokenFor } from "../../helpers";

describe("no bench code in the production Worker", () => {
  it("/bench/* is a path like any unrouted one, for the reseller admin too: 400 (not a Swift API version)", async ({
    expect,
  }) => {
    const headers = { "X-Auth-Token": await tokenFor("admin:admin", "admin") };
    for (const [method, path] of [
      ["GET", "/bench/fixed"],
      ["POST", "/bench/replication/seed?account=AUTH_test&containers=1&objects=1"],
    ] as const) {
      const response = await exports.default.fetch(`${BASE}${path}`, { method, headers });
      await text(response);
      expect(response.status).toBe(400);
    }
  });

  it("the replica classes have no seedRows", async ({ expect }) => {
    const replicas = [
      env.ACCOUNT_REPLICA.getByName("account/990/z1"),
      env.CONTAINER_REPLICA.getByName("container/990/z1"),
      env.OBJECT_REPLICA.getByName("object/990/z1"),
    ];
    for (const stub of replicas)
      expect(await runInDurableObject(stub, (instance: object) => "seedRows" in instance)).toBe(false);
  });
});
