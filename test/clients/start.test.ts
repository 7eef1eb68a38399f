/**
 * @module
 * `npm start` (cli/start.ts) for real: it starts `wrangler dev` on a loopback port, fires
 * wrangler.toml's cron triggers through the Worker's scheduled() (here at once, with
 * `--scheduled-now`, rather than waiting for the next five-minute mark), and Ctrl-C (SIGINT)
 * ends wrangler and its workerd with it; a Worker whose /healthcheck answers 503 is not left
 * running. Needs no client tool; it sits here because it starts
 * wrangler dev like the rest of this folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, it } from "vitest";
import { freePort } from "../../cli/processes.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first match of `pattern` in `output()`, polling until `timeoutMs`. */
async function waitFor(
  pattern: RegExp,
  output: () => string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output());
    if (match) return match;
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`npm start exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

let start: ChildProcess | undefined;
let wranglerPid: number | undefined;
let persistDir: string | undefined;
let configDir: string | undefined;

/** Kills a process group, if it is still there. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

afterAll(async () => {
  // Only if the test failed half way: the start script's group, and wrangler's (with workerd).
  if (start && start.exitCode === null && start.signalCode === null) killGroup(start.pid);
  killGroup(wranglerPid);
  if (persistDir) await rm(persistDir, { recursive: true, force: true });
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

/** Starts cli/start.ts in its own process group, collecting what it and wrangler print. */
function startScript(args: string[]): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(process.execPath, [join(REPO_ROOT, "cli/start.ts"), ...args], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return { child, output: () => output };
}

describe("npm start", () => {
  it("starts wrangler dev on the given port, runs the cron jobs through scheduled(); SIGINT ends wrangler too", async ({
    expect,
  }) => {
    persistDir = await mkdtemp(join(tmpdir(), "edgeswift-start-"));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const started = startScript(["--port", String(port), "--persist-to", persistDir, "--scheduled-now"]);
    start = started.child;
    const { output } = started;

    wranglerPid = Number(
      (await waitFor(/wrangler dev \(pid (\d+)\) on http:\/\/127\.0\.0\.1:(\d+)/, output, start, READY_TIMEOUT_MS))[1],
    );
    const fired = await waitFor(/cron "\*\/5 \* \* \* \*" for (\S+): ok/, output, start, READY_TIMEOUT_MS);
    expect(output()).toContain('cron "*/5 * * * *" next at');
    expect(output()).not.toMatch(/Scheduled Workers are not automatically triggered/);
    expect(output()).not.toMatch(/Unable to fetch the `Request.cf` object/);

    const health = await fetch(`${base}/healthcheck`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("OK");

    // The job ran through scheduled() with the cron's time: the sweep recorded it.
    const auth = await fetch(`${base}/auth/v1.0`, { headers: { "X-Auth-User": "admin:admin", "X-Auth-Key": "admin" } });
    await auth.arrayBuffer();
    const token = auth.headers.get("x-auth-token") ?? "";
    const recon = await fetch(`${base}/recon/replication`, { headers: { "X-Auth-Token": token } });
    const reports = (await recon.json()) as Record<string, { startedAt?: string }>;
    expect(recon.status).toBe(200);
    for (const ring of ["account", "container", "object"]) expect(reports[ring]?.startedAt).toBe(fired[1]);

    expect(alive(wranglerPid)).toBe(true);
    process.kill(start.pid ?? 0, "SIGINT");
    const code = await Promise.race([
      exited(start),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS)),
    ]);
    expect(code).toBe(0);
    expect(alive(wranglerPid)).toBe(false);
    wranglerPid = undefined;
    await expect(fetch(`${base}/healthcheck`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  });

  it("stops with exit 1 and says why when the started Worker's /healthcheck answers 503", async ({ expect }) => {
    // The repository's wrangler.toml in another folder: no .dev.vars beside it, so no secrets.
    configDir = await mkdtemp(join(tmpdir(), "edgeswift-start-config-"));
    const config = join(configDir, "wrangler.toml");
    const toml = (await readFile(join(REPO_ROOT, "wrangler.toml"), "utf8")).replace(
      /^main = "src\/index\.ts"$/m,
      `main = "${join(REPO_ROOT, "src/index.ts")}"`,
    );
    await writeFile(config, toml);
    const started = startScript([
      "--port",
      String(await freePort()),
      "--persist-to",
      join(configDir, "state"),
      "--config",
      config,
    ]);
    start = started.child;
    wranglerPid = Number((await waitFor(/wrangler dev \(pid (\d+)\)/, started.output, start, READY_TIMEOUT_MS))[1]);
    const code = await Promise.race([
      exited(start),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), READY_TIMEOUT_MS)),
    ]);
    expect(code).toBe(1);
    expect(started.output()).toContain(
      "edgeswift: not starting: GET /healthcheck answered 503: configuration: AUTH_TOKEN_SECRET is not set",
    );
    expect(alive(wranglerPid)).toBe(false);
    wranglerPid = undefined;
  });
});
