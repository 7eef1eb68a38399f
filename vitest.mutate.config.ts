/**
 * @module
 * The unit tests of the pure modules, run in Node for mutation testing (`npm run mutate`):
 * Stryker's vitest runner cannot drive the Workers pool. `npm test` runs the same files in the
 * "workers" project of vitest.config.ts; this config is Stryker's only. A unit test file that
 * imports a `cloudflare:` module (its `env`, its test helpers) runs in the Workers runtime only,
 * so it is left out here. So are the fast-check property tests (`*.property.test.ts`): each
 * runs for seconds, which multiplied by every mutant they cover would take the run past an hour.
 */
import { readdirSync, readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

const WORKERS_ONLY = /from\s+["']cloudflare:/;

/** test/unit/**\/*.test.ts files that import nothing from `cloudflare:`, property tests apart. */
function nodeUnitTests(): string[] {
  return readdirSync("test/unit", { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".test.ts") && !file.endsWith(".property.test.ts"))
    .map((file) => `test/unit/${file.replaceAll("\\", "/")}`)
    .filter((file) => !WORKERS_ONLY.test(readFileSync(file, "utf8")))
    .sort();
}

export default defineConfig({
  test: {
    name: "mutate",
    environment: "node",
    include: nodeUnitTests(),
    setupFiles: ["test/mutate-setup.ts"],
  },
});
