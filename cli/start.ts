#!/usr/bin/env node
/**
 * @module
 * `npm start`: the Worker under `wrangler dev` on loopback, with its cron triggers. wrangler dev
 * fires no cron on its own, so this script reads `[triggers] crons` from wrangler.toml and, at
 * each one's time (UTC), asks the local runtime to run scheduled() for it
 * (`/cdn-cgi/local/scheduled?cron=…&time=…`), as Cloudflare would. Before starting it checks the
 * rings against wrangler.toml (`edgeswift check`) and refuses a Worker that could not serve; once
 * wrangler answers, a 503 from /healthcheck (a bad variable or secret) stops it too. Signals go
 * to wrangler and everything it started, so Ctrl-C ends them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { checkCluster, reportCheck } from "./check.ts";
import { CliError } from "./ring-files.ts";
import { nextFireTime } from "./schedule.ts";
import { readWranglerConfig } from "./wrangler-config.ts";
import { signalGroup } from "./processes.ts";
import { runStrict } from "./strict-args.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The rings the Worker bundles (src/ring/load.ts imports them from here). */
const RINGS_DIR = join(REPO_ROOT, "rings");
/** Between polls of /healthcheck while wrangler dev starts. */
const READY_POLL_MS = 500;
/** After a forwarded signal, how long wrangler gets to stop before its process group is killed. */
const STOP_GRACE_MS = 10_000;
/**
 * A second signal this long after the first kills wrangler at once. Ctrl-C reaches this script
 * twice within it (from the terminal, and forwarded by npm), which is still one request to stop.
 */
const SECOND_SIGNAL_AFTER_MS = 1_000;
/** setTimeout's longest delay (about 24.8 days); a later cron waits in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface StartOptions {
  port: number;
  ip: string;
  persistTo: string;
  config: string;
  scheduledNow: boolean;
}

/** Prints `message` as this script's own line among wrangler's. */
function say(message: string): void {
  console.log(`edgeswift: ${message}`);
}

/** A path as short as it can be said from here. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere !== "" && !fromHere.startsWith("..") ? fromHere : path;
}

/**
 * `npm start`'s options. The folder and file default to this repository's, said from the current
 * folder (which `resolve` reads them against), so that the usage can show them.
 */
const START_ARGS = {
  port: { type: "string", default: "8787", valueHint: "N", description: "port of wrangler dev" },
  ip: { type: "string", default: "127.0.0.1", valueHint: "address", description: "address it listens on" },
  "persist-to": {
    type: "string",
    default: shown(join(REPO_ROOT, ".wrangler", "state")),
    valueHint: "dir",
    description: "local state: Durable Objects and R2 buckets",
  },
  config: {
    type: "string",
    alias: "c",
    default: shown(join(REPO_ROOT, "wrangler.toml")),
    valueHint: "file",
    description: "the Worker's wrangler.toml",
  },
  "scheduled-now": {
    type: "boolean",
    default: false,
    description: "also run every cron trigger once as soon as the Worker answers",
  },
} as const satisfies ArgsDef;

/** The options of a parsed command line; throws a CliError for a port that is no port number. */
function optionsOf(args: ParsedArgs<typeof START_ARGS>): StartOptions {
  const port = Number(args.port);
  if (!/^\d+$/.test(args.port) || port < 1 || port > 65_535)
    throw new CliError(`--port must be a port number (1-65535), not ${JSON.stringify(args.port)}`);
  return {
    port,
    ip: args.ip,
    persistTo: resolve(args["persist-to"]),
    config: resolve(args.config),
    scheduledNow: args["scheduled-now"],
  };
}

/** The wrangler CLI of this project's node_modules, run with this Node (22, which it needs). */
function wranglerBin(): string {
  const packageJson = createRequire(import.meta.url).resolve("wrangler/package.json");
  const bin: unknown = JSON.parse(readFileSync(packageJson, "utf8")).bin?.wrangler;
  if (typeof bin !== "string") throw new CliError(`${packageJson} names no wrangler executable`);
  return join(dirname(packageJson), bin);
}

/**
 * /healthcheck's first answer: "ready", or the body of a 503 (the Worker refuses to serve); null if
 * wrangler exited first.
 */
async function firstHealthcheck(baseUrl: string, wrangler: ChildProcess): Promise<"ready" | string | null> {
  for (;;) {
    if (wrangler.exitCode !== null || wrangler.signalCode !== null) return null;
    try {
      const response = await fetch(`${baseUrl}/healthcheck`, { signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      if (response.status === 200) return "ready";
      if (response.status === 503) return body;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, READY_POLL_MS));
  }
}

/** The `outcome` of the local runtime's JSON answer to a scheduled run ("exception", …), if it has one. */
function outcomeOf(body: string): string | null {
  try {
    const outcome: unknown = (JSON.parse(body) as { outcome?: unknown }).outcome;
    return typeof outcome === "string" ? outcome : null;
  } catch {
    return null;
  }
}

/**
 * Fires each cron at its times, from now on, until `stop()`. A cron whose last run is still going
 * when it is due again is skipped that time (the local runtime is one thread; runs would pile up).
 */
function scheduleCrons(baseUrl: string, crons: readonly string[]): { fireNow: () => void; stop: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<string>();
  let stopped = false;

  /** Asks the local runtime to run `cron` for `timeMs`, and says how that went. */
  const fire = async (cron: string, timeMs: number): Promise<void> => {
    const when = new Date(timeMs).toISOString();
    if (running.has(cron)) {
      say(`cron "${cron}" for ${when}: skipped, its last run has not finished`);
      return;
    }
    running.add(cron);
    const startedMs = Date.now();
    try {
      const query = new URLSearchParams({ cron, time: String(timeMs), format: "json" });
      const url = `${baseUrl}/cdn-cgi/local/scheduled?${query}`;
      const response = await fetch(url);
      const body = await response.text();
      const took = `${Date.now() - startedMs} ms`;
      if (response.ok) say(`cron "${cron}" for ${when}: ok (${took})`);
      else
        say(
          `cron "${cron}" for ${when}: ${outcomeOf(body) ?? response.status} (${took}); wrangler's log above says why`,
        );
    } catch (error) {
      if (!stopped)
        say(`cron "${cron}" for ${when}: not run: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running.delete(cron);
    }
  };

  /** Fires `cron` at its next time after `afterMs`, then arms it again. */
  const arm = (cron: string, afterMs: number): void => {
    if (stopped) return;
    const next = nextFireTime(cron, afterMs);
    /** Sets a timer for `next`, or for as long as a timer may wait. */
    const wait = (): void => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (Date.now() < next) return wait(); // a long delay, waited for in steps
          void fire(cron, next);
          // From now, not from `next`: after a suspend, missed times are not replayed (nor are they on Cloudflare).
          arm(cron, Math.max(next, Date.now()));
        },
        Math.min(Math.max(next - Date.now(), 0), MAX_TIMER_MS),
      );
      timers.add(timer);
    };
    wait();
  };

  for (const cron of crons) {
    const next = nextFireTime(cron, Date.now());
    say(`cron "${cron}" next at ${new Date(next).toISOString()} (UTC), then on schedule`);
    arm(cron, Date.now());
  }
  return {
    fireNow: () => {
      for (const cron of crons) void fire(cron, Date.now());
    },
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * Checks the rings against wrangler.toml, starts wrangler dev and, once it answers, the crons;
 * resolves to the exit code when wrangler has stopped.
 */
async function start(options: StartOptions): Promise<number> {
  const check = checkCluster(RINGS_DIR, options.config);
  if (!reportCheck(check)) {
    console.error(
      "edgeswift: not starting: the Worker would answer 503 to every request " +
        "until the rings and wrangler.toml above agree",
    );
    return 1;
  }
  const { crons } = readWranglerConfig(options.config);

  const baseUrl = `http://${options.ip.includes(":") ? `[${options.ip}]` : options.ip}:${options.port}`;
  const wrangler = spawn(
    process.execPath,
    [
      wranglerBin(),
      "dev",
      "--config",
      options.config,
      "--ip",
      options.ip,
      "--port",
      String(options.port),
      "--persist-to",
      options.persistTo,
      // Only silences wrangler's "not automatically triggered" warning: this script triggers them.
      "--test-scheduled",
      // Its own process group cannot read the terminal; Ctrl-C reaches it through this script.
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: REPO_ROOT,
      detached: true, // its own process group: a signal reaches wrangler and what it started, and only them
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        // Offline-safe defaults; a value set by the caller wins. No telemetry; no download of
        // Request.cf data (it needs workers.cloudflare.com and prints an error when offline).
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        ...process.env,
      },
    },
  );
  say(`wrangler dev (pid ${wrangler.pid ?? "?"}) on ${baseUrl}, state in ${shown(options.persistTo)}`);

  let schedule: { fireNow: () => void; stop: () => void } | null = null;
  let stopping: NodeJS.Signals | null = null;
  let stoppingSinceMs = 0;
  /** Leaves nothing of wrangler's running when this script exits, however it exits. */
  const killOnExit = (): void => signalGroup(wrangler, "SIGKILL");
  process.once("exit", killOnExit);
  const exitCode = new Promise<number>((done) => {
    wrangler.once("exit", (code, signal) => {
      schedule?.stop();
      // workerd may outlive wrangler; the group is wrangler's alone.
      signalGroup(wrangler, "SIGKILL");
      done(stopping !== null ? 0 : (code ?? (signal ? 1 : 0)));
    });
  });
  /** Forwards `signal` to wrangler's group once; kills it if asked again, or after the grace time. */
  const stop = (signal: NodeJS.Signals): void => {
    schedule?.stop();
    if (stopping !== null) {
      // Asked again: at once.
      if (Date.now() - stoppingSinceMs >= SECOND_SIGNAL_AFTER_MS) signalGroup(wrangler, "SIGKILL");
      return;
    }
    stopping = signal;
    stoppingSinceMs = Date.now();
    signalGroup(wrangler, signal);
    setTimeout(() => signalGroup(wrangler, "SIGKILL"), STOP_GRACE_MS).unref();
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));

  const health = await firstHealthcheck(baseUrl, wrangler);
  if (health === null) return exitCode;
  if (health !== "ready") {
    console.error(`edgeswift: not starting: GET /healthcheck answered 503: ${health}`);
    stop("SIGTERM");
    await exitCode;
    return 1;
  }
  if (stopping === null) {
    schedule = scheduleCrons(baseUrl, crons);
    if (crons.length === 0) say("wrangler.toml has no cron triggers");
    if (options.scheduledNow) schedule.fireNow();
  }
  return exitCode;
}

const startCommand = defineCommand({
  meta: { name: "npm start --", description: "the Worker under wrangler dev on loopback, with its cron triggers" },
  args: START_ARGS,
  run: ({ args }) => start(optionsOf(args)),
});

try {
  process.exitCode = await runStrict(startCommand, process.argv.slice(2), {
    prefix: "edgeswift: ",
    usageExitCode: 1,
  });
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  console.error(`edgeswift: ${error.message}`);
  process.exitCode = 1;
}
process.exit();
