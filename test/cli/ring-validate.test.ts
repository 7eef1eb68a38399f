/**
 * @module
 * The ring CLI checks the rings' zones against wrangler.toml's R2 bindings: README's "add z4 …
 * --bucket BODIES_Z4, rebalance" without the binding gave a ring `validate` called valid and a
 * Worker that answered 500 to every request. `add` warns, `rebalance` refuses and writes nothing,
 * `validate` and `check` (run before `npm start` and `npm run deploy`) exit 1 naming the binding.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { BODIES_Z4_BINDING, edgeswift, useScratchCluster, withoutBinding, type Run } from "./helpers.ts";

const scratch = useScratchCluster();

/** README's `edgeswift ring object add z4 … --bucket BODIES_Z4`, with `where`'s --dir and --config. */
function addZ4(where: readonly string[]): Run {
  const zone = ["z4", "--weight", "100", "--location-hint", "eeur", "--bucket", "BODIES_Z4"];
  return edgeswift("ring", "object", "add", ...zone, ...where);
}

describe("edgeswift ring … against wrangler.toml", () => {
  it("the repository's rings are valid against its wrangler.toml", ({ expect }) => {
    for (const ring of ["account", "container", "object"]) {
      const run = edgeswift("ring", ring, "validate");
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain(`the ${ring} ring is valid`);
      expect(run.status).toBe(0);
    }
  });

  it(
    "README's example without the binding: add warns, rebalance refuses and writes nothing, " +
      "validate exits 1 naming BODIES_Z4",
    ({ expect }) => {
      const { rings, where } = scratch();
      const ringBefore = readFileSync(join(rings, "object.ring.json"), "utf8");

      const add = addZ4(where);
      expect(add.status).toBe(0);
      expect(add.stderr).toContain("warning: BODIES_Z4 is not an [[r2_buckets]] binding in");
      expect(add.stderr).toContain('binding = "BODIES_Z4"');

      const rebalance = edgeswift("ring", "object", "rebalance", ...where);
      expect(rebalance.status).toBe(1);
      expect(rebalance.stderr).toContain("BODIES_Z4 is not an [[r2_buckets]] binding");
      expect(rebalance.stderr).toContain("zone z4 of the object ring names it");
      expect(readFileSync(join(rings, "object.ring.json"), "utf8")).toBe(ringBefore);

      const validate = edgeswift("ring", "object", "validate", ...where);
      expect(validate.status).toBe(1);
      expect(validate.stderr).toContain("object: BODIES_Z4 is not an [[r2_buckets]] binding");
    },
  );

  it(
    "README's example with the binding added to wrangler.toml: " +
      "rebalance writes the ring and validate and check pass",
    ({ expect }) => {
      const { rings, where, editConfig } = scratch();
      editConfig((text) => text + BODIES_Z4_BINDING);

      const add = addZ4(where);
      expect(add.stderr).toBe("");
      expect(add.status).toBe(0);
      const rebalance = edgeswift("ring", "object", "rebalance", ...where);
      expect(rebalance.stderr).toBe("");
      expect(rebalance.status).toBe(0);
      expect(
        JSON.parse(readFileSync(join(rings, "object.ring.json"), "utf8")).zones.map((zone: { id: string }) => zone.id),
      ).toEqual(["z1", "z2", "z3", "z4"]);

      const validate = edgeswift("ring", "object", "validate", ...where);
      expect(validate.stdout).toContain("the object ring is valid");
      expect(validate.status).toBe(0);
      const check = edgeswift("check", ...where);
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
    },
  );

  it("validate exits 1 when a ring file names a bucket wrangler.toml no longer binds", ({ expect }) => {
    const { config, where, editConfig } = scratch();
    editConfig((text) => withoutBinding(text, "BODIES_Z3"));
    for (const ring of ["account", "container", "object"]) {
      const validate = edgeswift("ring", ring, "validate", ...where);
      expect(validate.status).toBe(1);
      expect(validate.stderr).toContain(
        `${ring}: BODIES_Z3 is not an [[r2_buckets]] binding in ${config} (zone z3 of the ${ring} ring names it)`,
      );
    }
  });

  it("validate exits 1 when there is no wrangler.toml to check the bindings against", ({ expect }) => {
    const { dir, rings } = scratch();
    const validate = edgeswift("ring", "object", "validate", "--dir", rings, "--config", join(dir, "missing.toml"));
    expect(validate.status).toBe(1);
    expect(validate.stderr).toContain(`cannot read ${join(dir, "missing.toml")}`);
  });

  it("check exits 1 naming every ring and binding that do not match (what npm start and npm run deploy run first)", ({
    expect,
  }) => {
    const { config, where, editConfig } = scratch();
    editConfig((text) => withoutBinding(text, "BODIES_Z2"));
    const check = edgeswift("check", ...where);
    expect(check.status).toBe(1);
    for (const ring of ["account", "container", "object"]) {
      expect(check.stderr).toContain(
        `${ring}: BODIES_Z2 is not an [[r2_buckets]] binding in ${config} (zone z2 of the ${ring} ring names it)`,
      );
    }
  });

  it("check exits 1 on a wrangler.toml that is not TOML, naming the file", ({ expect }) => {
    const { config, where, editConfig } = scratch();
    editConfig((text) => text + "\n[[r2_buckets]\n");
    const check = edgeswift("check", ...where);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(config);
  });

  it("check passes on the repository's rings and wrangler.toml", ({ expect }) => {
    const check = edgeswift("check");
    expect(check.stderr).toBe("");
    expect(check.stdout).toContain("rings and wrangler.toml agree");
    expect(check.status).toBe(0);
  });
});
