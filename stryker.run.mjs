// @ts-check
/**
 * `npm run mutate [-- --changed] [stryker options]`: runs Stryker with stryker.config.mjs. With
 * `--changed`, only the modules under mutation that the last commit changed (`git diff HEAD~1`)
 * are mutated, for CI; when it changed none, there is nothing to run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { matchesGlob } from "node:path";
import { fileURLToPath } from "node:url";
import { MUTATE } from "./stryker.config.mjs";

const args = process.argv.slice(2);
const changedOnly = args.includes("--changed");
const passed = args.filter((arg) => arg !== "--changed");

/** Whether a repository path is one of the modules under mutation (the `!` patterns exclude). */
function underMutation(file) {
  const included = MUTATE.filter((glob) => !glob.startsWith("!")).some((glob) => matchesGlob(file, glob));
  const excluded = MUTATE.filter((glob) => glob.startsWith("!")).some((glob) => matchesGlob(file, glob.slice(1)));
  return included && !excluded;
}

if (changedOnly) {
  const changed = execFileSync("git", ["diff", "--name-only", "--diff-filter=AMR", "HEAD~1", "HEAD"], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean)
    .filter(underMutation);
  if (!changed.length) {
    console.log("mutate --changed: the last commit changed no module under mutation; nothing to run.");
    process.exit(0);
  }
  console.log(`mutate --changed: ${changed.join(", ")}`);
  passed.push("--mutate", changed.join(","));
}

const stryker = fileURLToPath(new URL("./node_modules/@stryker-mutator/core/bin/stryker.js", import.meta.url));
const result = spawnSync(process.execPath, [stryker, "run", "stryker.config.mjs", ...passed], { stdio: "inherit" });
process.exit(result.status ?? 1);
