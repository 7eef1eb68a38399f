import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, remoteBindings: false })],
        test: {
          name: "workers",
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/durable/**/*.test.ts", "test/replication/**/*.test.ts"],
        },
      },
      {
        // Fault injection on: tests take zones down through /faults and bring them back. Bench
        // routes on too, so the operator-only routes are tested together.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { FAULT_INJECTION: "true", BENCH_ROUTES: "true" } },
            remoteBindings: false,
          }),
        ],
        test: { name: "faults", include: ["test/faults/**/*.test.ts"] },
      },
      {
        // One R2 bucket shared by all zones: the object ring's zones name no bucket of their own,
        // so every zone uses the BODIES binding and a body is written once.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { r2Buckets: ["BODIES"] },
            remoteBindings: false,
          }),
        ],
        resolve: {
          alias: [{ find: /^\.\.\/\.\.\/rings\/object\.ring\.json$/, replacement: here("./test/shared-bucket/rings/object.ring.json") }],
        },
        test: { name: "shared-bucket", include: ["test/shared-bucket/**/*.test.ts"] },
      },
    ],
  },
});
