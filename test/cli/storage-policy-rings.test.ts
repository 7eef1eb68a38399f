/**
 * @module
 * One object ring per storage policy, as swift-ring-builder builds object-1.builder for policy 1:
 * `edgeswift ring object-<N> …` builds `rings/object-<N>.ring.json` and rewrites `rings/index.ts`
 * (what the Worker bundles), and `edgeswift check` holds STORAGE_POLICIES and the ring files together.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { edgeswift, useScratchCluster } from "./helpers.ts";

const scratch = useScratchCluster();

describe("storage policy rings", () => {
  it("the repository's rings and STORAGE_POLICIES agree, the policy rings included", ({ expect }) => {
    const check = edgeswift("check");
    expect(check.stderr).toBe("");
    expect(check.stdout).toContain("account, container, object, object-1, object-2 rings");
    expect(check.status).toBe(0);
  });

  it(
    "ring object-3 create, add, rebalance builds policy 3's ring and lists it in rings/index.ts; " +
      "check then wants a policy for it",
    ({ expect }) => {
      const { rings, where, editConfig } = scratch();
      expect(edgeswift("ring", "object-3", "create", "4", "2", "1", "--dir", rings).status).toBe(0);
      for (const [zone, bucket] of [
        ["z1", "BODIES_Z1"],
        ["z2", "BODIES_Z2"],
      ] as const) {
        expect(edgeswift("ring", "object-3", "add", zone, "--weight", "1", "--bucket", bucket, ...where).status).toBe(
          0,
        );
      }
      const rebalance = edgeswift("ring", "object-3", "rebalance", ...where);
      expect(rebalance.stderr).toBe("");
      expect(rebalance.stdout).toContain(`wrote ${join(rings, "object-3.ring.json")}`);
      expect(JSON.parse(readFileSync(join(rings, "object-3.ring.json"), "utf8"))).toMatchObject({
        ring: "object-3",
        replicaCount: 2,
      });
      expect(readFileSync(join(rings, "index.ts"), "utf8")).toContain('import object_3 from "./object-3.ring.json";');
      expect(readFileSync(join(rings, "index.ts"), "utf8")).toContain('"object-3": object_3');

      const orphan = edgeswift("check", ...where);
      expect(orphan.status).toBe(1);
      expect(orphan.stderr).toContain(
        "object-3: " + join(rings, "object-3.ring.json") + " belongs to no storage policy",
      );

      editConfig((text) =>
        text.replace(
          'STORAGE_POLICIES = "0 gold default; 1 silver; 2 local"',
          'STORAGE_POLICIES = "0 gold default; 1 silver; 2 local; 3 bronze"',
        ),
      );
      const check = edgeswift("check", ...where);
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
    },
  );

  it("check names a policy without its ring, and a ring index that does not list the ring files", ({ expect }) => {
    const { rings, where } = scratch();
    rmSync(join(rings, "object-2.ring.json"));
    const check = edgeswift("check", ...where);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(
      `STORAGE_POLICIES names policy 2 (local), but ${join(rings, "object-2.ring.json")} does not exist`,
    );
    expect(check.stderr).toContain(`${join(rings, "index.ts")} does not list the ring files`);
    // Any ring's rebalance brings the index up to date, even when no partition moves.
    expect(edgeswift("ring", "object", "rebalance", ...where).status).toBe(0);
    expect(readFileSync(join(rings, "index.ts"), "utf8")).not.toContain("object-2");
    expect(existsSync(join(rings, "object-2.builder.json"))).toBe(true);
  });

  it("a name that is no ring is refused", ({ expect }) => {
    const run = edgeswift("ring", "object-0", "show");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'unknown ring "object-0": expected account, container, object or object-<policy index>',
    );
  });
});
