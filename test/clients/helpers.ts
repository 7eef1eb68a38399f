/**
 * @module
 * Helpers for client tests: run a real client (swift, rclone, aws, s3cmd) as a user would and keep
 * everything it printed, so a failed assertion shows the client's own words; plus temp dirs, file
 * trees and byte-for-byte comparison of what went up with what came back.
 */

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

export interface ClientRun {
  /** The command line as a user would type it. */
  command: string;
  cwd: string;
  /** Exit status, or null when killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Extra environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Resolve with a non-zero exit instead of throwing (for commands expected to fail). */
  allowFailure?: boolean;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;

/** Quotes one argument the way a shell user would type it. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/u.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Everything a client run printed, for assertion messages. */
export function transcript(run: ClientRun): string {
  return [
    `$ ${run.command}    (in ${run.cwd})`,
    `exit status: ${run.status ?? `killed by ${run.signal}`}`,
    "--- stdout ---",
    run.stdout.trimEnd(),
    "--- stderr ---",
    run.stderr.trimEnd(),
    "--------------",
  ].join("\n");
}

/** A client exited non-zero; its message is the whole transcript. */
export class ClientFailed extends Error {
  constructor(readonly run: ClientRun) {
    super(`client command failed:\n${transcript(run)}`);
    this.name = "ClientFailed";
  }
}

/**
 * Runs `argv` (no shell) and resolves with its exit status and output. Throws `ClientFailed`, whose
 * message holds the client's stdout and stderr, when it exits non-zero unless `allowFailure`.
 */
export async function runClient(argv: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error("runClient: empty command");
  const cwd = options.cwd ?? process.cwd();
  const env: Record<string, string | undefined> = { ...process.env, LC_ALL: "C.UTF-8", PYTHONIOENCODING: "utf-8" };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, sig) => resolve([code, sig]));
  }).finally(() => clearTimeout(timer));
  const run: ClientRun = {
    command: argv.map(shellQuote).join(" "),
    cwd,
    status,
    signal,
    stdout: Buffer.concat(stdout).toString("utf8"),
    stderr: Buffer.concat(stderr).toString("utf8"),
  };
  if (status !== 0 && !options.allowFailure) throw new ClientFailed(run);
  return run;
}

/** Environment variables that would change which cluster or user a client talks to. */
export function withoutClientEnv(prefixes: readonly string[]): Record<string, undefined> {
  const cleared: Record<string, undefined> = {};
  for (const name of Object.keys(process.env)) {
    if (prefixes.some((prefix) => name.startsWith(prefix))) cleared[name] = undefined;
  }
  return cleared;
}

/** A swift user: `-U` and `-K`. */
export interface SwiftUser {
  user: string;
  key: string;
}

/**
 * `swift -A <baseUrl>/auth/v1.0 -U <user> -K <key> [--os-storage-url <storageUrl>] <args>`, as a
 * user types it; ST_* and OS_* from the caller's shell are dropped.
 */
export function runSwift(
  baseUrl: string,
  who: SwiftUser,
  args: readonly string[],
  options: RunOptions = {},
  storageUrl: string | null = null,
): Promise<ClientRun> {
  const storage = storageUrl === null ? [] : ["--os-storage-url", storageUrl];
  return runClient(["swift", "-A", `${baseUrl}/auth/v1.0`, "-U", who.user, "-K", who.key, ...storage, ...args], {
    ...options,
    env: { ...withoutClientEnv(["ST_", "OS_"]), ...options.env },
  });
}

/** `swift stat` output ("  Key: value" lines, keys right-aligned) as a map. */
export function statFields(run: ClientRun): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of run.stdout.split("\n")) {
    const match = /^\s*([^:]+):(?: (.*))?$/u.exec(line);
    if (match?.[1]) fields.set(match[1].trim(), (match[2] ?? "").trim());
  }
  return fields;
}

/** The lines a command printed on stdout, without empty ones (`swift list`: one name a line). */
export function listed(run: ClientRun): string[] {
  return run.stdout.split("\n").filter((line) => line !== "");
}

let counter = 0;
/** A name unique to this run (containers, buckets): lowercase, digits and dashes. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** A fresh temp directory, removed when the test finishes. */
export async function tempDir(onTestFinished: (fn: () => Promise<void>) => void, label = "client"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `edgeswift-${label}-`));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Files to write below a root: relative path → content; a path ending in "/" is an empty directory. */
export type FileTree = Record<string, Uint8Array | string>;

export async function writeTree(root: string, tree: FileTree): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    if (path.endsWith("/")) {
      await mkdir(join(root, path), { recursive: true });
      continue;
    }
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

export interface FileFacts {
  size: number;
  md5: string;
}

/** Every file below `root` (relative path → size and md5), and every empty directory as `dir/`. */
export async function describeTree(root: string): Promise<Record<string, FileFacts | "directory">> {
  const facts: Record<string, FileFacts | "directory"> = {};
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.length === 0 && dir !== root) facts[`${relative(root, dir)}/`] = "directory";
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const bytes = await readFile(path);
        facts[relative(root, path)] = { size: bytes.length, md5: md5(bytes) };
      }
    }
  };
  await walk(root);
  return facts;
}

export function md5(bytes: Uint8Array | string): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** `size` random bytes: incompressible, and any byte value, including NUL and invalid UTF-8. */
export function randomBody(size: number): Buffer {
  return randomBytes(size);
}

/** Sorts names as Swift lists them: by their UTF-8 bytes. */
export function swiftOrder(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

/** Debian's chromium package; Playwright's own browser downloads are not used. */
export const CHROMIUM = "/usr/bin/chromium";

/** Fails with what to install when Chromium is missing. */
export async function requireChromium(): Promise<void> {
  try {
    await access(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not installed (${CHROMIUM} is missing): run \`apt-get install chromium\` ` +
        "(Debian's package; .ci/run installs it with the other clients).",
    );
  }
}
