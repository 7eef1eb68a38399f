import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * A test's time limit catches a hang, never slowness: the first test of a file also starts its
 * runtime, which on a loaded two-core machine has taken over 5 s (vitest's default).
 */
const TEST_TIMEOUT_MS = 30_000;

/** Tests run with S3_MIN_PART_SIZE at 1 byte, in a project of their own. */
const SMALL_PARTS_TESTS = [
  "test/integration/s3/multipart-many-parts.test.ts",
  "test/integration/s3/multipart-replaced.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      {
        // domain_remap on for example.com, a domain no other test sends requests to (they use edgeswift.test).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { STORAGE_DOMAIN: "example.com", METRICS_TOKEN: "metrics-test-token" } },
            remoteBindings: false,
          }),
        ],
        test: {
          name: "workers",
          testTimeout: TEST_TIMEOUT_MS,
          include: [
            "test/unit/**/*.test.ts",
            "test/integration/**/*.test.ts",
            "test/durable/**/*.test.ts",
            "test/replication/**/*.test.ts",
          ],
          exclude: [...configDefaults.exclude, ...SMALL_PARTS_TESTS],
          // fast-check's seed: fixed unless FUZZ_SEED says otherwise (test/property-seed.ts).
          setupFiles: ["test/property-seed.ts"],
          provide: { fuzzSeed: process.env.FUZZ_SEED ?? "" },
        },
      },
      {
        // S3_MIN_PART_SIZE of 1 byte: uploads of thousands of tiny parts (more than one SLO manifest
        // holds), each written once (the one-replica policy "local" the default). Its own project,
        // so every other test still sees AWS's 5 MiB (EntityTooSmall) and three replicas.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { S3_MIN_PART_SIZE: "1", STORAGE_POLICIES: "0 gold; 1 silver; 2 local default" } },
            remoteBindings: false,
          }),
        ],
        test: { name: "s3-small-parts", testTimeout: TEST_TIMEOUT_MS, include: SMALL_PARTS_TESTS },
      },
      {
        // Fault injection on: tests take zones down through /faults and bring them back.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { FAULT_INJECTION: "true" } },
            remoteBindings: false,
          }),
        ],
        test: {
          name: "faults",
          testTimeout: TEST_TIMEOUT_MS,
          include: ["test/faults/**/*.test.ts"],
          // The chaos ledger test's seeds (comma-separated) and operations per seed; unset: its defaults.
          provide: { chaos: { seed: process.env.CHAOS_SEED ?? "", ops: process.env.CHAOS_OPS ?? "" } },
        },
      },
      {
        // Container sharding at a threshold of 10 objects (shards of 5), with fault injection on:
        // containers split within a test, with zones down during the split too.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { FAULT_INJECTION: "true", CONTAINER_SHARD_ROWS: "10" } },
            remoteBindings: false,
          }),
        ],
        test: { name: "sharding", testTimeout: TEST_TIMEOUT_MS, include: ["test/sharding/**/*.test.ts"] },
      },
      {
        // The bench Worker (wrangler.bench.toml, bench/worker/): the production Worker plus the
        // /bench/* routes, BenchFloor and the replicas' seedRows. Every other project runs the
        // production Worker, which has none of them.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.bench.toml" }, remoteBindings: false })],
        test: { name: "bench", testTimeout: TEST_TIMEOUT_MS, include: ["test/bench/**/*.test.ts"] },
      },
      {
        // One R2 bucket shared by all zones: the object ring's zones name no bucket of their own,
        // so every zone uses the BODIES binding and a body is written once.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { r2Buckets: ["BODIES"], bindings: { STORAGE_POLICIES: "" } },
            remoteBindings: false,
          }),
        ],
        resolve: {
          alias: [{ find: /^\.\.\/\.\.\/rings\/index\.ts$/, replacement: here("./test/shared-bucket/rings/index.ts") }],
        },
        test: { name: "shared-bucket", testTimeout: TEST_TIMEOUT_MS, include: ["test/shared-bucket/**/*.test.ts"] },
      },
      {
        // A misconfigured cluster: the object ring's zone z4 names BODIES_Z4, which wrangler.toml
        // does not bind. /healthcheck and every request must answer 503 naming it.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { STORAGE_POLICIES: "" } },
            remoteBindings: false,
          }),
        ],
        resolve: {
          alias: [{ find: /^\.\.\/\.\.\/rings\/index\.ts$/, replacement: here("./test/bad-ring/rings/index.ts") }],
        },
        test: { name: "bad-ring", testTimeout: TEST_TIMEOUT_MS, include: ["test/bad-ring/**/*.test.ts"] },
      },
      {
        // The operator tools in cli/ (ring CLI, config check, npm start's scheduler), in Node as
        // operators run them: they read wrangler.toml and the ring files from disk.
        test: { name: "cli", testTimeout: TEST_TIMEOUT_MS, include: ["test/cli/**/*.test.ts"], environment: "node" },
      },
    ],
  },
});
