/**
 * @module
 * The local Worker the bench measures when no `--url` is given: `wrangler dev` of the bench Worker
 * (wrangler.bench.toml: the production Worker plus the bench routes, BenchFloor and the replicas'
 * seedRows) on loopback, on a free port, with fresh state in a temporary directory. It runs from a
 * copy of the project taken at start (node_modules hard-linked), because `wrangler dev` rebuilds
 * and restarts the Worker when any file its bundle read changes — a source, or the project's
 * tsconfig.json, which esbuild finds above node_modules — and a restart cools every Durable Object
 * and drops requests mid-run. Its output goes to a log file (the Worker's own errors are read from
 * there); it is stopped by its process group id.
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalWorker {
  url: string;
  /** wrangler's stdout and stderr. */
  logPath: string;
  /** Stops wrangler (its whole process group) and removes its state; keeps the log when asked. */
  stop(keepLog: boolean): Promise<void>;
  /** Resident memory of the Worker's workerd processes now, in bytes (Linux /proc; null elsewhere). */
  workerdRss(): number | null;
}

const READY_TIMEOUT_MS = 120_000;
/** The bench Worker's wrangler config, beside wrangler.toml. */
const BENCH_CONFIG = "wrangler.bench.toml";
/** What `wrangler dev` builds and reads, besides node_modules. */
const PROJECT_ENTRIES = [BENCH_CONFIG, ".dev.vars", "package.json", "tsconfig.json", "src", "bench/worker", "rings"];
/** How long the group gets after SIGTERM before SIGKILL, and again after SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** Resolves after `ms` milliseconds. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `child` has exited (by itself or by a signal). */
function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Stops `child`'s whole process group: SIGTERM, then SIGKILL for what is left after the grace time. */
async function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  /** Sends `name` to the group, which may be gone already. */
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name); // the group: npx, wrangler and workerd, all started here
    } catch {
      // already gone
    }
  };
  // npx may exit on SIGTERM before wrangler and workerd do (or while they ignore it): wait for
  // the whole group, not the child, and kill what is left.
  signal("SIGTERM");
  const deadline = Date.now() + STOP_GRACE_MS;
  while (groupMembers(pid).length && Date.now() < deadline) await sleep(100);
  if (groupMembers(pid).length) signal("SIGKILL");
  while (groupMembers(pid).length && Date.now() < deadline + STOP_GRACE_MS) await sleep(100);
  if (!exited(child)) await Promise.race([new Promise((resolve) => child.once("exit", resolve)), sleep(STOP_GRACE_MS)]);
}

/**
 * Copies the project's Worker sources into a fresh directory under `parent`, and node_modules as
 * hard links (`cp -al`: instant, no space; a symlink would lead esbuild back into the project).
 * Falls back to a symlink across filesystems, and says what that risks.
 */
function snapshot(projectDir: string, parent: string): string {
  const dir = mkdtempSync(join(parent, "edgeswift-bench-worker-"));
  for (const entry of PROJECT_ENTRIES) {
    const from = join(projectDir, entry);
    if (existsSync(from)) cpSync(from, join(dir, entry), { recursive: true });
  }
  const modules = join(projectDir, "node_modules");
  const linked = spawnSync("cp", ["-al", modules, join(dir, "node_modules")], { stdio: "ignore" });
  if (linked.status !== 0) {
    rmSync(join(dir, "node_modules"), { recursive: true, force: true });
    symlinkSync(modules, join(dir, "node_modules"), "dir");
    process.stderr.write(
      `node_modules could not be hard-linked into ${dir}; symlinked instead: ` +
        `an edit of ${projectDir}/tsconfig.json during the run restarts the Worker\n`,
    );
  }
  return dir;
}

/**
 * Starts `npx wrangler dev --config wrangler.bench.toml --ip 127.0.0.1 --port <free> --persist-to
 * <fresh dir>` (plus `vars`, each as `--var NAME:value`) in a copy of `projectDir` and waits until
 * /healthcheck answers 200. The state directory is made under `stateParent` (the
 * OS temp dir by default; /dev/shm takes the disk out). `objectRing` replaces the copy's
 * rings/object.ring.json (another ring file, e.g. zones sharing one bucket).
 */
export async function startLocalWorker(
  projectDir: string,
  stateParent: string = tmpdir(),
  vars: Record<string, string> = {},
  objectRing?: string,
): Promise<LocalWorker> {
  const workerDir = snapshot(projectDir, tmpdir());
  if (objectRing !== undefined) cpSync(objectRing, join(workerDir, "rings", "object.ring.json"));
  const stateDir = mkdtempSync(join(stateParent, "edgeswift-bench-state-"));
  const logPath = join(tmpdir(), `edgeswift-bench-wrangler-${process.pid}.log`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(logPath, "w");
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--config",
      BENCH_CONFIG,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      stateDir,
      ...varArgs,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ],
    {
      cwd: workerDir,
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );
  closeSync(log);
  /** Stops wrangler and removes its copy of the project and its state (and its log unless `keepLog`). */
  const stop = async (keepLog: boolean): Promise<void> => {
    await stopChild(child);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(workerDir, { recursive: true, force: true });
    if (!keepLog) rmSync(logPath, { force: true });
  };
  const started = Date.now();
  try {
    for (;;) {
      if (exited(child)) throw new Error(`wrangler dev exited early (code ${child.exitCode}):\n${tail(logPath, 30)}`);
      if (Date.now() - started > READY_TIMEOUT_MS)
        throw new Error(`wrangler dev not ready after ${READY_TIMEOUT_MS} ms:\n${tail(logPath, 30)}`);
      const ready = await fetch(`${url}/healthcheck`).then(
        (response) => response.arrayBuffer().then(() => response.ok),
        () => false,
      );
      if (ready)
        return {
          url,
          logPath,
          stop,
          workerdRss: () => (child.pid === undefined ? null : groupRss(child.pid, "workerd")),
        };
      await sleep(250);
    }
  } catch (error) {
    await stop(true);
    throw error;
  }
}

/** The processes of process group `group` (Linux /proc; none elsewhere): pid and name. */
function groupMembers(group: number): { pid: string; name: string }[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const members: { pid: string; name: string }[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // pid (comm) state ppid pgrp …: comm may hold spaces, so fields are counted after its ")".
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie has exited; only its parent's wait is missing.
      if (Number(fields[2]) === group && fields[0] !== "Z") members.push({ pid, name });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** The summed VmRSS of the processes named `name` in process group `group`; null without /proc. */
function groupRss(group: number, name: string): number | null {
  if (!existsSync("/proc/self/stat")) return null;
  let total = 0;
  for (const member of groupMembers(group)) {
    if (member.name !== name) continue;
    try {
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${member.pid}/status`, "utf8"));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The last `lines` lines of a file ("" when unreadable). */
export function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
