/**
 * @module
 * Client tests: plain vitest in Node (not the workers pool) driving real CLI tools (swift, rclone,
 * aws, boto3, s3cmd) against one `wrangler dev` that global-setup.ts starts. Files run one after
 * another in one fork so they do not overload that one Worker.
 */

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/clients/**/*.test.ts"],
    globalSetup: ["test/clients/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    // wrangler dev on a small machine is slow, and first requests create Durable Objects.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
