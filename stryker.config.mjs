// @ts-check
/**
 * Mutation testing of the pure modules (`npm run mutate`): Stryker mutates these files and runs
 * the unit tests in Node (vitest.mutate.config.ts), since its vitest runner cannot drive the
 * Workers pool. The score per file is printed at the end (killed + timed out over all valid
 * mutants; "no coverage" counts as survived). Reports go to reports/mutation/ (not in git).
 */

/**
 * The modules under mutation: pure ones, and the TempURL and FormPOST stages, which run in Node
 * with their Temp-URL keys primed in the isolate's info cache (no replica is asked).
 */
export const MUTATE = [
  "src/durable/merge.ts",
  "src/durable/partition-hash.ts",
  "src/durable/listing.ts",
  "src/durable/shard-ranges.ts",
  "src/durable/shard-listing.ts",
  "src/ring/*.ts",
  "!src/ring/types.ts",
  "src/proxy/quorum.ts",
  "src/proxy/fan-out.ts",
  "src/proxy/affinity.ts",
  "src/common/ranges.ts",
  "src/common/conditional.ts",
  "src/common/path.ts",
  "src/common/timestamp.ts",
  "src/proxy/auth/swift-v1.ts",
  "src/proxy/auth/tempurl.ts",
  "src/proxy/auth/formpost.ts",
  "src/proxy/auth/acl.ts",
  "src/proxy/auth/signed-scope.ts",
  "src/proxy/auth/ip-range.ts",
  "src/proxy/auth/sigv4.ts",
  "src/proxy/auth/sigv2.ts",
  "src/proxy/s3/payload.ts",
  "src/proxy/s3/cors-rules.ts",
  "src/proxy/s3/acl-grants.ts",
  "src/proxy/swift/large-objects/manifest.ts",
];

/**
 * Where a run keeps its sandboxes and reports: `reports/mutation/` and `.stryker-tmp/`, or under
 * a name of its own (MUTATE_RUN=name) so two runs over different files can go side by side.
 */
const run = process.env.MUTATE_RUN ? `-${process.env.MUTATE_RUN.replace(/[^\w-]/g, "_")}` : "";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner", "@stryker-mutator/typescript-checker"],
  // The TypeScript checker drops mutants that do not compile, but on two cores it checks about one
  // mutant a second (over an hour for the whole run), so it is opt-in: MUTATE_TYPECHECK=1.
  checkers: process.env.MUTATE_TYPECHECK === "1" ? ["typescript"] : [],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: MUTATE,
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants, evaluated once at import) are left out: the vitest
  // runner does not reload modules between mutants (stryker-js #6209), so it reports them
  // survived or uncovered whatever the tests do; Stryker also estimated them at 92% of the test time.
  ignoreStatic: true,
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  clearTextReporter: {
    allowColor: false,
    logTests: false,
    reportTests: false,
    reportMutants: false,
    reportScoreTable: true,
  },
  htmlReporter: { fileName: `reports/mutation${run}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation${run}/mutation.json` },
  tempDirName: `.stryker-tmp${run}`,
  cleanTempDir: "always",
};
