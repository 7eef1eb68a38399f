/**
 * @module
 * cli/strict-args.ts: the option-only scripts (`npm start`, `npm run bench`,
 * `npm run bench:replication`) parse with citty but refuse what node:util's strict `parseArgs`
 * refused, and print their usage on `--help`. The bench scripts are run only this far: their
 * usage, and their refusals, come before anything starts.
 */
import type { ArgsDef } from "citty";
import { describe, it } from "vitest";
import { argsProblem } from "../../cli/strict-args.ts";
import { runScript } from "./helpers.ts";

const ARGS = {
  url: { type: "string" },
  config: { type: "string", alias: "c" },
  "dry-run": { type: "boolean" },
} as const satisfies ArgsDef;

describe("argsProblem", () => {
  it("accepts declared options in every spelling parseArgs took", ({ expect }) => {
    for (const args of [
      [],
      ["--url", "http://x"],
      ["--url=http://x", "--dry-run"],
      ["--url=-odd"],
      ["-c", "wrangler.toml"],
      ["-cwrangler.toml"],
      ["--dry-run", "--"],
    ])
      expect(argsProblem(ARGS, args)).toBeNull();
  });

  it("refuses what parseArgs's strict mode refused, in one line naming it", ({ expect }) => {
    expect(argsProblem(ARGS, ["--ulr", "http://x"])).toBe("unknown option --ulr");
    expect(argsProblem(ARGS, ["--ulr=http://x"])).toBe("unknown option --ulr");
    expect(argsProblem(ARGS, ["-x"])).toBe("unknown option -x");
    expect(argsProblem(ARGS, ["--dryRun"])).toBe("unknown option --dryRun");
    expect(argsProblem(ARGS, ["--no-dry-run"])).toBe("unknown option --no-dry-run");
    expect(argsProblem(ARGS, ["http://x"])).toBe("unexpected argument: http://x");
    expect(argsProblem(ARGS, ["--", "http://x"])).toBe("unexpected argument: http://x");
    expect(argsProblem(ARGS, ["--url"])).toBe("--url needs a value");
    expect(argsProblem(ARGS, ["--url", "--dry-run"])).toBe(
      '--url needs a value (for one that starts with "-", write --url=--dry-run)',
    );
    expect(argsProblem(ARGS, ["--dry-run=yes"])).toBe("--dry-run takes no value");
  });
});

describe("the bench scripts' options", () => {
  for (const [script, name, options] of [
    [
      "bench/run.ts",
      "npm run bench --",
      ["--url", "--swift-url", "--concurrency", "--ops", "--list-objects", "--list-ops", "--state-in"],
    ],
    [
      "bench/replication.ts",
      "npm run bench:replication --",
      ["--url", "--skip-120k", "--concurrency", "--state-in", "--object-ring", "--only", "--seed-chunk", "--big"],
    ],
  ] as const) {
    it(`${script} --help prints its usage and exits 0`, ({ expect }) => {
      const run = runScript(script, ["--help"]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`USAGE ${name} [OPTIONS]`);
      for (const option of options) expect(run.stdout).toContain(option);
    });

    it(`${script} refuses an unknown option before it starts anything`, ({ expect }) => {
      const run = runScript(script, ["--opps", "10"]);
      expect(run.status).toBe(script === "bench/run.ts" ? 2 : 1);
      expect(run.stderr).toContain(`USAGE ${name} [OPTIONS]`);
      expect(run.stderr.trimEnd().split("\n").at(-1)).toBe("unknown option --opps");
      expect(run.stdout).toBe("");
    });
  }

  it("bench/run.ts names a number option that is no positive number", ({ expect }) => {
    const run = runScript("bench/run.ts", ["--ops", "0"]);
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe('--ops must be a positive integer, got "0"');
  });

  it("bench/run.ts -h lists the large cases' and the credentials' options too", ({ expect }) => {
    const run = runScript("bench/run.ts", ["-h"]);
    for (const option of [
      "--large-mib",
      "--segment-mib",
      "--big-list",
      "--large-only",
      "--user",
      "--key",
      "--admin-user",
      "--admin-key",
    ])
      expect(run.stdout).toContain(option);
  });
});
