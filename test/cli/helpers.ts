/**
 * @module
 * Runs the operator tools as an operator would (`node cli/edgeswift.ts …`, `node cli/start.ts …`)
 * on copies of the repository's rings and wrangler.toml in a temporary folder.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** What a script run did: its exit status and output. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <script> …args` from the repository root (Node 22: the one running vitest). */
export function runScript(script: string, args: readonly string[], env: Record<string, string> = {}): Run {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `edgeswift …` */
export function edgeswift(...args: string[]): Run {
  return runScript("cli/edgeswift.ts", args);
}

/** A temporary copy of the cluster's configuration: rings/ and wrangler.toml. */
export interface ScratchCluster {
  /** The temporary folder. */
  dir: string;
  /** Its rings/ (builders and ring files). */
  rings: string;
  /** Its wrangler.toml. */
  config: string;
  /** `--dir <rings> --config <config>`: what points `edgeswift ring …` and `check` at this copy. */
  where: readonly string[];
  /** Rewrites its wrangler.toml. */
  editConfig: (edit: (text: string) => string) => void;
  /** Removes the folder. */
  done: () => void;
}

/** A temporary copy of rings/ (builders and ring files) and wrangler.toml; removed by `done()`. */
export function scratchCluster(): ScratchCluster {
  const dir = mkdtempSync(join(tmpdir(), "edgeswift-cli-"));
  const rings = join(dir, "rings");
  const config = join(dir, "wrangler.toml");
  cpSync(join(REPO_ROOT, "rings"), rings, { recursive: true });
  cpSync(join(REPO_ROOT, "wrangler.toml"), config);
  return {
    dir,
    rings,
    config,
    where: ["--dir", rings, "--config", config],
    editConfig: (edit) => writeFileSync(config, edit(readFileSync(config, "utf8"))),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * For a test file whose tests make scratch clusters: gives what makes one, and removes every one
 * it made after each test.
 */
export function useScratchCluster(): () => ScratchCluster {
  const made: ScratchCluster[] = [];
  afterEach(() => {
    for (const cluster of made.splice(0)) cluster.done();
  });
  return () => {
    const cluster = scratchCluster();
    made.push(cluster);
    return cluster;
  };
}

/** The [[r2_buckets]] block README tells an operator to add for zone z4. */
export const BODIES_Z4_BINDING = '\n[[r2_buckets]]\nbinding = "BODIES_Z4"\nbucket_name = "edgeswift-z4"\n';

/** wrangler.toml text without the [[r2_buckets]] block of `binding`. */
export function withoutBinding(text: string, binding: string): string {
  const block = new RegExp(`\\[\\[r2_buckets\\]\\]\\s*binding = "${binding}"\\s*bucket_name = "[^"]*"\\s*`);
  if (!block.test(text)) throw new Error(`wrangler.toml has no [[r2_buckets]] block for ${binding}`);
  return text.replace(block, "");
}
