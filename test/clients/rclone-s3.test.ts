/**
 * @module
 * rclone with its s3 backend against edgeswift's S3 API, the remote configured on the fly from the
 * environment as a user would without a config file: RCLONE_CONFIG_ES3_TYPE=s3, provider Other,
 * the endpoint, the keys of test:tester, region us-east-1, force_path_style. `--config` names an
 * empty file in a temp HOME, never the user's; RCLONE_*, AWS_*, OS_* and ST_* from the caller's
 * shell are dropped. The tests are the steps of one bucket's life, in order: mkdir, sync a tree up
 * (one file large enough for a multipart upload at a 5 MiB cutoff), check, lsjson, copy back,
 * purge. Every assertion message carries rclone's own output.
 */

import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  describeTree,
  randomBody,
  runClient,
  tempDir,
  transcript,
  uniqueName,
  withoutClientEnv,
  type ClientRun,
  type FileTree,
  type RunOptions,
} from "./helpers";
import { actions, lines, writeTreeWithMtimes, type LsjsonEntry } from "./rclone-output";
import { REGION, TESTER } from "./s3/aws-cli";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;
/** The remote RCLONE_CONFIG_ES3_* defines. */
const REMOTE = "es3";
/** Files above this go up as multipart uploads in parts of this size. */
const MULTIPART_FLAGS = ["--s3-upload-cutoff", "5Mi", "--s3-chunk-size", "5Mi"];
const RCLONE_TIMEOUT_MS = 540_000;
const TEST_TIMEOUT_MS = 600_000;

let home = "";
let configPath = "";

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "edgeswift-rclone-s3-home-"));
  configPath = join(home, "rclone.conf");
  await writeFile(configPath, "");
});

afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** `rclone --config <empty temp file> <args>` with the es3 remote in the environment. */
function rclone(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  const remote = `RCLONE_CONFIG_${REMOTE.toUpperCase()}_`;
  return runClient(["rclone", "--config", configPath, ...args], {
    timeoutMs: RCLONE_TIMEOUT_MS,
    ...options,
    env: {
      ...withoutClientEnv(["RCLONE_", "AWS_", "OS_", "ST_"]),
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_CACHE_HOME: join(home, ".cache"),
      [`${remote}TYPE`]: "s3",
      [`${remote}PROVIDER`]: "Other",
      [`${remote}ENV_AUTH`]: "false",
      [`${remote}ACCESS_KEY_ID`]: TESTER.accessKey,
      [`${remote}SECRET_ACCESS_KEY`]: TESTER.secretKey,
      [`${remote}ENDPOINT`]: BASE_URL,
      [`${remote}REGION`]: REGION,
      [`${remote}FORCE_PATH_STYLE`]: "true",
      // A request the server refuses fails the command in seconds, not after minutes of retries.
      RCLONE_RETRIES: "1",
      RCLONE_LOW_LEVEL_RETRIES: "2",
      ...options.env,
    },
  });
}

/** A tree of about 60 files: nested and unicode dirs, awkward names, empty files, a multipart-sized file. */
function syncTree(): FileTree {
  const dirs = [
    "",
    "docs",
    "docs/guide/deep dive",
    "photos/2024/été",
    "日本語/サブ フォルダ",
    "emoji 😀 dir",
    "a/b/c/d",
  ];
  const tree: FileTree = {};
  for (let index = 0; index < 42; index += 1) {
    const dir = dirs[index % dirs.length] ?? "";
    const name = index % 2 === 0 ? `file ${index}.txt` : `fichier-${index}-ü.log`;
    tree[dir ? `${dir}/${name}` : name] = `line ${index}\n`.repeat((index * 37) % 400);
  }
  for (const name of [
    "100% done.txt",
    "a+b=c.txt",
    "what?.txt",
    "hash#tag.txt",
    "semi;colon.txt",
    "amp&er.txt",
    "quote'd.txt",
    "brackets [1] (2) {3}.txt",
    "tilde~ dollar$.txt",
    "e\u0301-nfd.txt",
  ]) {
    tree[`special/${name}`] = `awkward: ${name}\n`;
  }
  tree["empty.dat"] = "";
  tree["docs/empty.dat"] = "";
  tree["blobs/one.bin"] = randomBody(MiB + 1);
  tree["blobs/multipart.bin"] = randomBody(11 * MiB + 3);
  return tree;
}

describe("rclone (s3 backend)", { timeout: TEST_TIMEOUT_MS }, () => {
  const bucket = uniqueName("rclone-s3");
  const tree = syncTree();
  let work = "";
  let source = "";

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "edgeswift-rclone-s3-"));
    source = join(work, "source");
    await writeTreeWithMtimes(source, tree);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("rclone mkdir makes the bucket, and rclone lsd of the remote lists it", async ({ expect }) => {
    const mkdir = await rclone(["mkdir", `${REMOTE}:${bucket}`]);
    const lsd = await rclone(["lsd", `${REMOTE}:`]);
    expect(lsd.stdout, `${transcript(mkdir)}\n${transcript(lsd)}`).toMatch(new RegExp(` ${bucket}$`, "mu"));
  });

  it(
    `rclone sync of ${Object.keys(tree).length} files (one an 11 MiB multipart upload in 5 MiB parts) ` +
      "uploads each one, and rclone check finds 0 differences with every md5 checked",
    async ({ expect }) => {
      const count = Object.keys(tree).length;
      const sync = await rclone(["sync", source, `${REMOTE}:${bucket}`, "-v", ...MULTIPART_FLAGS]);
      const done = actions(sync);
      expect(done.size, transcript(sync)).toBe(count);
      expect(
        [...done.values()].every((action) => action === "Copied (new)"),
        transcript(sync),
      ).toBe(true);
      const again = await rclone(["sync", source, `${REMOTE}:${bucket}`, "-v", ...MULTIPART_FLAGS]);
      expect(actions(again).size, transcript(again)).toBe(0);

      const check = await rclone(["check", source, `${REMOTE}:${bucket}`]);
      expect(check.stderr, transcript(check)).toContain("0 differences found");
      expect(check.stderr, transcript(check)).toContain(`${count} matching files`);
      expect(check.stderr, transcript(check)).not.toContain("could not be checked");
      expect(check.stderr, transcript(check)).not.toContain("hashes could not be checked");
    },
  );

  it("rclone lsjson -R --hash lists every object with the local file's path, name, size, md5 and mtime", async ({
    expect,
  }) => {
    const run = await rclone(["lsjson", "-R", "--hash", "--files-only", `${REMOTE}:${bucket}`]);
    const entries = JSON.parse(run.stdout) as LsjsonEntry[];
    const local = await describeTree(source);
    const remote = new Map(entries.map((entry) => [entry.Path, entry]));
    expect([...remote.keys()].sort(), transcript(run)).toEqual(Object.keys(local).sort());
    for (const [path, facts] of Object.entries(local)) {
      if (facts === "directory") continue;
      const entry = remote.get(path);
      expect(entry?.Name, `${path}\n${transcript(run)}`).toBe(path.split("/").at(-1));
      expect(entry?.Size, `${path}\n${transcript(run)}`).toBe(facts.size);
      expect(entry?.Hashes?.md5, `${path}\n${transcript(run)}`).toBe(facts.md5);
      expect(Date.parse(entry?.ModTime ?? ""), `${path} ModTime ${entry?.ModTime}`).toBe(
        (await stat(join(source, path))).mtime.getTime(),
      );
    }
  });

  it("rclone copy of the bucket down to a fresh directory returns every file byte for byte", async ({
    expect,
    onTestFinished,
  }) => {
    const down = await tempDir(onTestFinished, "rclone-s3-down");
    const copy = await rclone(["copy", `${REMOTE}:${bucket}`, down]);
    expect(await describeTree(down), transcript(copy)).toEqual(await describeTree(source));
    for (const path of Object.keys(tree)) {
      const [original, returned] = await Promise.all([readFile(join(source, path)), readFile(join(down, path))]);
      expect(returned.equals(original), `${path} differs\n${transcript(copy)}`).toBe(true);
    }
  });

  it("rclone purge deletes every object and the bucket: lsd no longer lists it, and lsf of it fails", async ({
    expect,
  }) => {
    const purge = await rclone(["purge", `${REMOTE}:${bucket}`]);
    const lsd = await rclone(["lsd", `${REMOTE}:`]);
    expect(
      lines(lsd).some((line) => line.endsWith(` ${bucket}`)),
      `${transcript(purge)}\n${transcript(lsd)}`,
    ).toBe(false);
    const lsf = await rclone(["lsf", `${REMOTE}:${bucket}`], { allowFailure: true });
    expect(lsf.status, transcript(lsf)).not.toBe(0);
    expect(lsf.stderr, transcript(lsf)).toContain("directory not found");
  });
});
