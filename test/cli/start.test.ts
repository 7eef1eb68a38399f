/**
 * @module
 * `npm start` (cli/start.ts) refuses a configuration the Worker could not serve with before it
 * starts wrangler dev, naming the bad binding, and refuses options it does not know. Starting
 * for real, with its cron jobs, is tested in test/clients/start.test.ts.
 */
import { afterEach, describe, it } from "vitest";
import { runScript, scratchCluster, withoutBinding } from "./helpers.ts";

let cluster: ReturnType<typeof scratchCluster> | undefined;
afterEach(() => {
  cluster?.done();
  cluster = undefined;
});

describe("npm start", () => {
  it("refuses to start when a ring names a bucket wrangler.toml does not bind, naming it", ({ expect }) => {
    cluster = scratchCluster();
    cluster.editConfig((text) => withoutBinding(text, "BODIES_Z3"));
    const run = runScript("cli/start.ts", ["--config", cluster.config, "--port", "8803"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `object: BODIES_Z3 is not an [[r2_buckets]] binding in ${cluster.config} (zone z3 of the object ring names it)`,
    );
    expect(run.stderr).toContain("not starting");
    expect(run.stdout).not.toContain("wrangler dev");
  });

  it("refuses a port that is not a port number", ({ expect }) => {
    const run = runScript("cli/start.ts", ["--port", "http"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--port must be a port number (1-65535), not "http"');
  });

  it("refuses an unknown option, naming it", ({ expect }) => {
    const run = runScript("cli/start.ts", ["--prot", "8803"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--prot");
  });
});
