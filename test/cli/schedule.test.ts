/**
 * @module
 * npm start's scheduler: when each cron of wrangler.toml fires next (UTC, as Cloudflare runs
 * cron triggers), and which crons wrangler.toml declares.
 */
import { join } from "node:path";
import { describe, it } from "vitest";
import { nextFireTime } from "../../cli/schedule.ts";
import { readWranglerConfig } from "../../cli/wrangler-config.ts";
import { REPO_ROOT } from "./helpers.ts";

const at = (iso: string): number => Date.parse(iso);

describe("nextFireTime", () => {
  it("*/5 * * * * fires at the next multiple of five minutes", ({ expect }) => {
    expect(nextFireTime("*/5 * * * *", at("2026-11-26T12:03:10.500Z"))).toBe(at("2026-11-26T12:05:00Z"));
  });

  it("a cron due exactly now fires next time, not again now", ({ expect }) => {
    expect(nextFireTime("*/5 * * * *", at("2026-11-26T12:05:00Z"))).toBe(at("2026-11-26T12:10:00Z"));
  });

  it("hours are UTC, as Cloudflare's cron triggers", ({ expect }) => {
    expect(nextFireTime("0 3 * * *", at("2026-11-26T04:00:00Z"))).toBe(at("2026-11-27T03:00:00Z"));
  });

  it("an expression that is not a cron is refused, naming it", ({ expect }) => {
    expect(() => nextFireTime("every five minutes", 0)).toThrow(/"every five minutes"/);
  });
});

describe("readWranglerConfig", () => {
  it("reads the repository's crons and R2 bucket bindings", ({ expect }) => {
    const config = readWranglerConfig(join(REPO_ROOT, "wrangler.toml"));
    expect(config.crons).toEqual(["*/5 * * * *"]);
    expect([...config.r2BucketBindings].sort()).toEqual(["BODIES_Z1", "BODIES_Z2", "BODIES_Z3"]);
  });
});
