/**
 * @module
 * Starts the Worker under `wrangler dev` on loopback with fresh local storage and fault injection
 * on (the dashboard's test takes a zone down with its buttons), once for all client tests, and
 * hands its base URL to them (`inject("edgeswiftBaseUrl")`). Wrangler runs in its own
 * process group so teardown stops exactly it and the children it started (esbuild, workerd).
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { freePort, signalGroup } from "../../cli/processes.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>`: the Worker under `wrangler dev`. */
    edgeswiftBaseUrl: string;
  }
}

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** wrangler dev builds the Worker and starts workerd; on a 2-core machine that takes a while. */
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
/** What is kept of wrangler's output, to print when it does not come up. */
const OUTPUT_KEPT_CHARS = 64_000;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function waitUntilHealthy(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthcheck`, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `GET ${baseUrl}/healthcheck did not answer 200 within ${READY_TIMEOUT_MS / 1000} s; ` +
      `wrangler dev said:\n${output()}`,
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const persistDir = await mkdtemp(join(tmpdir(), "edgeswift-clients-"));
  const port = await freePort();
  const inspectorPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;

  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_KEPT_CHARS);
  };
  const wrangler = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistDir,
      // Fault injection on: tests take a zone down through /faults (as the reseller admin) and bring it back.
      "--var",
      "FAULT_INJECTION:true",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: REPO_ROOT,
      detached: true, // its own process group: teardown kills exactly it and its children
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    },
  );
  wrangler.stdout?.on("data", keep);
  wrangler.stderr?.on("data", keep);
  // If vitest dies without running teardown, do not leave a server behind.
  const killOnExit = (): void => signalGroup(wrangler, "SIGKILL");
  process.once("exit", killOnExit);

  const teardown = async (): Promise<void> => {
    process.off("exit", killOnExit);
    signalGroup(wrangler, "SIGTERM");
    const stopped = await Promise.race([
      exited(wrangler).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS)),
    ]);
    // workerd may outlive wrangler's own exit; the group is ours alone, so make sure of it.
    signalGroup(wrangler, "SIGKILL");
    if (!stopped) await exited(wrangler);
    await rm(persistDir, { recursive: true, force: true });
  };

  try {
    await waitUntilHealthy(baseUrl, wrangler, () => output);
  } catch (error) {
    await teardown();
    throw error;
  }
  if (process.env.EDGESWIFT_CLIENTS_VERBOSE) process.stderr.write(output);
  project.provide("edgeswiftBaseUrl", baseUrl);
  return teardown;
}
