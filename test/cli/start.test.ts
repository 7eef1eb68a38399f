/**
 * @module
 * `npm start` (cli/start.ts) refuses a configuration the Worker could not serve with before it
 * starts wrangler dev, naming the bad binding, and refuses options it does not know. Starting
 * for real, with its cron jobs, is tested in test/clients/start.test.ts.
 */
import { describe, it } from "vitest";
import { runScript, useScratchCluster, withoutBinding } from "./helpers.ts";

const scratch = useScratchCluster();

describe("npm start", () => {
  it("refuses to start when a ring names a bucket wrangler.toml does not bind, naming it", ({ expect }) => {
    const cluster = scratch();
    cluster.editConfig((text) => withoutBinding(text, "BODIES_Z3"));
    const run = runScript("cli/start.ts", ["--config", cluster.config, "--port", "8803"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `object: BODIES_Z3 is not an [[r2_buckets]] binding in ${cluster.config} (zone z3 of the object ring names it)`,
    );
    expect(run.stderr).toContain("not starting");
    expect(run.stdout).not.toContain("wrangler dev");
  });

  it("takes -c and --name=value as --config and --port", ({ expect }) => {
    const cluster = scratch();
    cluster.editConfig((text) => withoutBinding(text, "BODIES_Z3"));
    const run = runScript("cli/start.ts", ["-c", cluster.config, "--port=8803", "--scheduled-now"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`BODIES_Z3 is not an [[r2_buckets]] binding in ${cluster.config}`);
  });

  it("refuses a port that is not a port number", ({ expect }) => {
    const run = runScript("cli/start.ts", ["--port", "http"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--port must be a port number (1-65535), not "http"');
  });

  it("refuses an unknown option, naming it under the usage", ({ expect }) => {
    const run = runScript("cli/start.ts", ["--prot", "8803"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("USAGE npm start -- [OPTIONS]");
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe("edgeswift: unknown option --prot");
    expect(run.stdout).toBe("");
  });

  it("refuses what parseArgs's strict mode refused: an argument, --no-<option>, a value missing or given to a flag", ({
    expect,
  }) => {
    for (const [args, message] of [
      [["8803"], "edgeswift: unexpected argument: 8803"],
      [["--no-scheduled-now"], "edgeswift: unknown option --no-scheduled-now"],
      [["--persistTo", "x"], "edgeswift: unknown option --persistTo"],
      [["--port"], "edgeswift: --port needs a value"],
      [["--scheduled-now=false"], "edgeswift: --scheduled-now takes no value"],
    ] as const) {
      const run = runScript("cli/start.ts", args);
      expect(run.status).toBe(1);
      expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(message);
    }
  });

  it("--help prints every option with its default and exits 0", ({ expect }) => {
    const run = runScript("cli/start.ts", ["--help"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    for (const option of [
      "--port=<N>",
      "(Default: 8787)",
      "--ip=<address>",
      "(Default: 127.0.0.1)",
      "--persist-to=<dir>",
      "(Default: .wrangler/state)",
      "-c, --config=<file>",
      "(Default: wrangler.toml)",
      "--scheduled-now",
    ])
      expect(run.stdout).toContain(option);
  });
});
