import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      remoteBindings: false,
    }),
  ],
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/durable/**/*.test.ts"],
  },
});
