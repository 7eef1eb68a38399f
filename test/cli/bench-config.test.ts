/**
 * @module
 * The bench Worker's configuration (wrangler.bench.toml) is the production one (wrangler.toml)
 * plus BenchFloor: the same bindings, variables, crons and compatibility date, so the benchmarks
 * and the bench project's tests measure the Worker that deploys, and BenchEnv (bench/worker/config.ts)
 * is Env and BENCH_FLOOR.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { describe, it } from "vitest";
import { REPO_ROOT } from "./helpers";

interface WranglerConfig {
  name?: unknown;
  main?: unknown;
  durable_objects?: { bindings?: { name: string; class_name: string }[] };
  migrations?: { tag: string; new_sqlite_classes?: string[]; deleted_classes?: string[] }[];
  [key: string]: unknown;
}

const read = (file: string): WranglerConfig => parse(readFileSync(join(REPO_ROOT, file), "utf8")) as WranglerConfig;

/** The Durable Object classes a config's migrations leave in place, in order. */
function migratedClasses(config: WranglerConfig): string[] {
  const classes: string[] = [];
  for (const migration of config.migrations ?? []) {
    classes.push(...(migration.new_sqlite_classes ?? []));
    for (const deleted of migration.deleted_classes ?? []) classes.splice(classes.indexOf(deleted), 1);
  }
  return classes.sort();
}

const boundClasses = (config: WranglerConfig): string[] =>
  (config.durable_objects?.bindings ?? []).map((binding) => binding.class_name).sort();

describe("wrangler.bench.toml", () => {
  it("is wrangler.toml with its own name and entry, plus the BENCH_FLOOR binding", ({ expect }) => {
    const { name, main, durable_objects, migrations: _benchMigrations, ...bench } = read("wrangler.bench.toml");
    const {
      durable_objects: productionObjects,
      migrations: _productionMigrations,
      name: _name,
      main: _main,
      ...production
    } = read("wrangler.toml");
    expect(name).toBe("edgeswift-bench");
    expect(main).toBe("bench/worker/index.ts");
    expect(bench).toEqual(production);
    expect(durable_objects?.bindings).toEqual([
      ...(productionObjects?.bindings ?? []),
      { name: "BENCH_FLOOR", class_name: "BenchFloor" },
    ]);
  });

  it(
    "each config's migrations leave exactly the classes it binds: " +
      "BenchFloor in the bench Worker's, deleted from the production one's",
    ({ expect }) => {
      const production = read("wrangler.toml");
      const bench = read("wrangler.bench.toml");
      expect(migratedClasses(production)).toEqual(boundClasses(production));
      expect(boundClasses(production)).not.toContain("BenchFloor");
      expect(migratedClasses(bench)).toEqual(boundClasses(bench));
      expect(boundClasses(bench)).toContain("BenchFloor");
    },
  );
});
