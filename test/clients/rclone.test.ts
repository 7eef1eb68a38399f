/**
 * @module
 * rclone with its swift backend against edgeswift, run as a user would with a remote configured as
 * `type = swift`, `auth = <base>/auth/v1.0`, `user = test:tester`, `key = testing`, `auth_version = 1`.
 * The config file, HOME and rclone's cache live in a temp dir, never in the user's home; RCLONE_*,
 * OS_* and ST_* from the caller's shell are dropped. Every assertion message carries rclone's own
 * output.
 *
 * The first tests are the steps of one container's life, in order: sync a tree of about 250
 * files, sync again after changes, list, copy back, purge. The last test is on its own.
 *
 * Options for Swift compatibility: none for objects up to edgeswift's `max_file_size` (100 MB, a
 * Worker request body, served at /info). rclone uploads a file as one PUT (with its md5 as ETag)
 * until it is larger than `--swift-chunk-size`, default 5 GiB — real Swift's own default
 * `max_file_size` is 5 GiB + 2 — so a file between 100 MB and 5 GiB is refused by edgeswift with 413.
 * Set `chunk_size` (`--swift-chunk-size`) below `max_file_size` (e.g. 64Mi) and rclone writes such
 * a file as a DLO (segments in `<container>_segments`, then an `X-Object-Manifest`). Do not set
 * `--swift-no-chunk`: it streams files of unknown size (`rclone rcat`, `--streaming-upload-cutoff`)
 * as one PUT, which then must fit in `max_file_size`.
 */

import { mkdtemp, readFile, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  describeTree,
  md5,
  randomBody,
  runClient,
  swiftOrder,
  tempDir,
  transcript,
  uniqueName,
  withoutClientEnv,
  writeTree,
  type ClientRun,
  type FileTree,
  type RunOptions,
} from "./helpers";
import { actions, lines, MTIME_BASE_SECONDS, writeTreeWithMtimes, type LsjsonEntry } from "./rclone-output";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;
/** The remote's name in the temp config file. */
const REMOTE = "edgeswift";

/**
 * How long one rclone command may run, and one test. A sync or purge of a few hundred objects is
 * about 600 requests (rclone HEADs each object after its PUT and before its DELETE): about a minute
 * against an idle `wrangler dev` on two cores, and three times that when the machine is busy.
 */
const RCLONE_TIMEOUT_MS = 540_000;
const TEST_TIMEOUT_MS = 600_000;

/** A temp HOME holding rclone.conf; set up once for the file. */
let home = "";
let configPath = "";

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "edgeswift-rclone-home-"));
  configPath = join(home, "rclone.conf");
  await writeFile(
    configPath,
    [
      `[${REMOTE}]`,
      "type = swift",
      `auth = ${BASE_URL}/auth/v1.0`,
      "user = test:tester",
      "key = testing",
      "auth_version = 1",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** `rclone --config <temp>/rclone.conf <args>` with HOME and XDG dirs in the temp dir. */
function rclone(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runClient(["rclone", "--config", configPath, ...args], {
    timeoutMs: RCLONE_TIMEOUT_MS,
    ...options,
    env: {
      ...withoutClientEnv(["RCLONE_", "OS_", "ST_"]),
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_CACHE_HOME: join(home, ".cache"),
      ...options.env,
    },
  });
}

/** `swift -A … -U test:tester -K testing <args>`, to see the container as Swift's own client does. */
function swift(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runClient(["swift", "-A", `${BASE_URL}/auth/v1.0`, "-U", "test:tester", "-K", "testing", ...args], {
    ...options,
    env: { ...withoutClientEnv(["ST_", "OS_"]), ...options.env },
  });
}

/** Directories of the synced tree: nested, with spaces, unicode (NFC and one NFD), emoji, URL-special characters. */
const DIRECTORIES = [
  "",
  "docs",
  "docs/guide",
  "docs/guide/deep dive",
  "photos/2024/été",
  "données/rapports annuels",
  "日本語/サブ フォルダ",
  "emoji 😀 dir",
  "a/b/c/d/e/f",
  "special/100% & more?",
  "special/#hash +plus =eq",
  "nfd/cafe\u0301",
];

/** File names that are hard to carry in a URL or a listing, placed under special/. */
const AWKWARD_NAMES = [
  "100% done.txt",
  "a+b=c.txt",
  "what?.txt",
  "hash#tag.txt",
  "semi;colon.txt",
  "amp&er.txt",
  "quote'd.txt",
  'double"quote.txt',
  "tilde~.txt",
  "comma,x.txt",
  "brackets [1] (2) {3}.txt",
  "at@sign.txt",
  "back\\slash.txt",
  "colon:x.txt",
  "  two leading spaces.txt",
  "trailing space .txt",
  "dollar$x.txt",
  "日本語のファイル.txt",
  "emoji 😀.txt",
  "e\u0301-nfd.txt",
];

/** A tree of about 250 files: text of varied sizes in every directory, awkward names, empty files, MiB binaries. */
function syncTree(): FileTree {
  const tree: FileTree = {};
  for (let index = 0; index < 220; index += 1) {
    const dir = DIRECTORIES[index % DIRECTORIES.length] ?? "";
    const name = index % 3 === 0 ? `file ${index}.txt` : index % 3 === 1 ? `fichier-${index}-ü.txt` : `f${index}.log`;
    tree[dir ? `${dir}/${name}` : name] = `line ${index}\n`.repeat((index * 37) % 400);
  }
  for (const name of AWKWARD_NAMES) tree[`special/${name}`] = `awkward: ${name}\n`;
  for (const dir of ["", "docs/guide", "emoji 😀 dir", "a/b/c/d/e/f", "special"])
    tree[`${dir ? `${dir}/` : ""}empty.dat`] = "";
  tree["blobs/one.bin"] = randomBody(MiB + 1);
  tree["blobs/deeper/two.bin"] = randomBody(2 * MiB + 333);
  tree["photos/2024/été/three MiB.raw"] = randomBody(3 * MiB + 7);
  return tree;
}

/** Every file below `root`, as a map of relative path → { size, md5 } (the tree has no empty dirs). */
async function localFiles(root: string): Promise<Map<string, { size: number; md5: string }>> {
  const files = new Map<string, { size: number; md5: string }>();
  for (const [path, facts] of Object.entries(await describeTree(root))) {
    if (facts !== "directory") files.set(path, facts);
  }
  return files;
}

describe("rclone (swift backend)", { timeout: TEST_TIMEOUT_MS }, () => {
  // One container's life: each step below starts from where the one before it left the container.
  const container = uniqueName("rclone-sync");
  let work = "";
  let source = "";
  const tree = syncTree();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "edgeswift-rclone-"));
    source = join(work, "source");
    await writeTreeWithMtimes(source, tree);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it(
    `rclone sync of ${Object.keys(tree).length} files ` +
      "(nested and unicode dirs, awkward names, empty files, MiB binaries) uploads each one, " +
      "and rclone check finds 0 differences with every md5 checked",
    async ({ expect }) => {
      const fileCount = Object.keys(tree).length;
      const sync = await rclone(["sync", source, `${REMOTE}:${container}`, "-v"]);
      const done = actions(sync);
      expect(done.size, transcript(sync)).toBe(fileCount);
      expect(
        [...done.values()].every((action) => action === "Copied (new)"),
        transcript(sync),
      ).toBe(true);

      const check = await rclone(["check", source, `${REMOTE}:${container}`]);
      expect(check.stderr, transcript(check)).toContain("0 differences found");
      expect(check.stderr, transcript(check)).toContain(`${fileCount} matching files`);
      expect(check.stderr, transcript(check)).not.toContain("could not be checked");

      // Swift's own client sees the same names, in Swift's byte order.
      const list = await swift(["list", container]);
      expect(lines(list), transcript(list)).toEqual(swiftOrder(Object.keys(tree)));
    },
  );

  it(
    "after modifying, touching, adding and deleting local files, a second rclone sync uploads only " +
      "the changed and new files, sets the touched files' mtime, deletes the removed objects, " +
      "and rclone check finds 0 differences",
    async ({ expect }) => {
      const modified = [
        "file 12.txt",
        "special/what?.txt",
        "special/e\u0301-nfd.txt",
        "日本語/サブ フォルダ/file 18.txt",
        "blobs/one.bin",
      ];
      // Same size, other content: only the mtime and then the md5 tell rclone it changed.
      const sameSize = ["special/100% done.txt", "données/rapports annuels/f41.log"];
      const touched = ["docs/guide/deep dive/file 3.txt", "photos/2024/été/three MiB.raw"];
      const deleted = [
        "special/hash#tag.txt",
        "special/empty.dat",
        "blobs/deeper/two.bin",
        "a/b/c/d/e/f/f44.log",
        "nfd/cafe\u0301/f11.log",
      ];
      const added: FileTree = {
        "new dir ✨/nouveau fichier.txt": "nouveau\n",
        "new dir ✨/empty too.dat": "",
        "docs/guide/added 1.txt": "added one\n",
        "special/added & new?.txt": "added awkward\n",
        "blobs/added.bin": randomBody(MiB + 99),
      };
      for (const path of [...modified, ...sameSize, ...touched])
        expect(tree[path], `${path} is in the tree`).toBeDefined();
      for (const path of deleted) expect(tree[path], `${path} is in the tree`).toBeDefined();

      const changes: FileTree = {};
      for (const path of modified) changes[path] = path.endsWith(".bin") ? randomBody(MiB + 2) : `changed ${path}\n`;
      for (const path of sameSize) {
        const before = Buffer.from(tree[path] ?? "");
        changes[path] = Buffer.from(before.map((byte) => (byte === 0x41 ? 0x42 : 0x41)));
      }
      await writeTreeWithMtimes(source, { ...changes, ...added }, 100_000);
      for (const path of touched) {
        const when = new Date((MTIME_BASE_SECONDS + 200_000) * 1000);
        await utimes(join(source, path), when, when);
      }
      for (const path of deleted) await unlink(join(source, path));

      const sync = await rclone(["sync", source, `${REMOTE}:${container}`, "-v"]);
      const expected = new Map<string, string>();
      for (const path of [...modified, ...sameSize]) expected.set(path, "Copied (replaced existing)");
      for (const path of Object.keys(added)) expected.set(path, "Copied (new)");
      for (const path of touched) expected.set(path, "Updated modification time in destination");
      for (const path of deleted) expected.set(path, "Deleted");
      expect(Object.fromEntries(actions(sync)), transcript(sync)).toEqual(Object.fromEntries(expected));

      const fileCount = (await localFiles(source)).size;
      const check = await rclone(["check", source, `${REMOTE}:${container}`]);
      expect(check.stderr, transcript(check)).toContain("0 differences found");
      expect(check.stderr, transcript(check)).toContain(`${fileCount} matching files`);
      expect(check.stderr, transcript(check)).not.toContain("could not be checked");
    },
  );

  it("rclone lsjson -R --hash lists every object with the local file's path, name, size, md5 and mtime", async ({
    expect,
  }) => {
    const run = await rclone(["lsjson", "-R", "--hash", "--files-only", `${REMOTE}:${container}`]);
    const entries = JSON.parse(run.stdout) as LsjsonEntry[];
    const local = await localFiles(source);
    const remote = new Map(entries.map((entry) => [entry.Path, entry]));
    expect(swiftOrder(remote.keys()), transcript(run)).toEqual(swiftOrder(local.keys()));
    for (const [path, facts] of local) {
      const entry = remote.get(path);
      expect(entry?.Name, `${path}\n${transcript(run)}`).toBe(path.split("/").at(-1));
      expect(entry?.IsDir, path).toBe(false);
      expect(entry?.Size, `${path}\n${transcript(run)}`).toBe(facts.size);
      expect(entry?.Hashes?.md5, `${path}\n${transcript(run)}`).toBe(facts.md5);
      expect(Date.parse(entry?.ModTime ?? ""), `${path} ModTime ${entry?.ModTime}`).toBe(
        (await stat(join(source, path))).mtime.getTime(),
      );
    }
  });

  it("rclone copy of the container down to a fresh directory returns every file byte for byte", async ({
    expect,
    onTestFinished,
  }) => {
    const down = await tempDir(onTestFinished, "rclone-down");
    const copy = await rclone(["copy", `${REMOTE}:${container}`, down]);
    const local = await localFiles(source);
    const back = await localFiles(down);
    expect(Object.fromEntries(back), transcript(copy)).toEqual(Object.fromEntries(local));
    for (const path of local.keys()) {
      const [original, returned] = await Promise.all([readFile(join(source, path)), readFile(join(down, path))]);
      expect(returned.equals(original), `${path} differs\n${transcript(copy)}`).toBe(true);
    }
  });

  it(
    "rclone purge deletes every object and the container: " +
      "swift stat of it is 404 and the account listing no longer names it",
    async ({ expect }) => {
      const purge = await rclone(["purge", `${REMOTE}:${container}`]);
      const gone = await swift(["stat", container], { allowFailure: true });
      expect(gone.status, `${transcript(purge)}\n${transcript(gone)}`).toBe(1);
      expect(gone.stderr, transcript(gone)).toContain(`Container '${container}' not found`);
      const list = await swift(["list"]);
      expect(lines(list), transcript(list)).not.toContain(container);
      const dirs = await rclone(["lsd", `${REMOTE}:`]);
      expect(dirs.stdout, transcript(dirs)).not.toContain(container);
      const lsf = await rclone(["lsf", `${REMOTE}:${container}`], { allowFailure: true });
      expect(lsf.status, transcript(lsf)).not.toBe(0);
      expect(lsf.stderr, transcript(lsf)).toContain("directory not found");
    },
  );
});

describe("rclone (swift backend) and max_file_size", { timeout: TEST_TIMEOUT_MS }, () => {
  it(
    "a file one byte over max_file_size is refused at once (413 from its Content-Length) " +
      "at rclone's default 5 GiB chunk size, and with --swift-chunk-size below max_file_size " +
      "goes up as a DLO that rclone copies back byte for byte",
    async ({ expect, onTestFinished }) => {
      const info = (await (await fetch(`${BASE_URL}/info`)).json()) as { swift: { max_file_size: number } };
      const maxFileSize = info.swift.max_file_size;
      const chunkMiB = Math.floor(maxFileSize / 3 / MiB);
      expect(chunkMiB, `max_file_size ${maxFileSize}`).toBeGreaterThan(0);
      const container = uniqueName("rclone-big");
      const dir = await tempDir(onTestFinished, "rclone-big");
      const body = randomBody(maxFileSize + 1);
      await writeTree(join(dir, "up"), { "big.bin": body });

      const refused = await rclone(
        ["copy", join(dir, "up"), `${REMOTE}:${container}`, "--retries", "1", "--low-level-retries", "1"],
        { allowFailure: true },
      );
      expect(refused.status, transcript(refused)).not.toBe(0);
      // The 413 comes from the Content-Length, before the body is read, and the upload is cut off
      // (the runtime sends no answer while a body it was given is unread): rclone, still writing,
      // reports either the 413 or the cut connection. Nothing is stored either way.
      expect(refused.stderr, transcript(refused)).toMatch(/Too Large Object|broken pipe|connection reset/u);
      const absent = await swift(["stat", container, "big.bin"], { allowFailure: true });
      expect(absent.status, transcript(absent)).not.toBe(0);

      const copy = await rclone([
        "copy",
        join(dir, "up"),
        `${REMOTE}:${container}`,
        "--swift-chunk-size",
        `${chunkMiB}Mi`,
        "-v",
      ]);
      const segments = await swift(["list", `${container}_segments`]);
      const segmentCount = Math.ceil(body.length / (chunkMiB * MiB));
      expect(lines(segments), `${transcript(copy)}\n${transcript(segments)}`).toHaveLength(segmentCount);
      const manifest = await swift(["stat", container, "big.bin"]);
      expect(manifest.stdout, transcript(manifest)).toMatch(new RegExp(`Content Length: ${body.length}\\n`, "u"));
      expect(manifest.stdout, transcript(manifest)).toMatch(
        new RegExp(`Manifest: ${container}_segments/big\\.bin/`, "u"),
      );

      const back = await rclone(["copy", `${REMOTE}:${container}`, join(dir, "down")]);
      const returned = await readFile(join(dir, "down", "big.bin"));
      expect(returned.length, transcript(back)).toBe(body.length);
      expect(md5(returned), transcript(back)).toBe(md5(body));
      expect(returned.equals(body), transcript(back)).toBe(true);

      // rclone purge deletes the manifest and its segments; like real Swift, the emptied segments container stays.
      const purge = await rclone(["purge", `${REMOTE}:${container}`]);
      const left = await swift(["list", `${container}_segments`]);
      expect(lines(left), `${transcript(purge)}\n${transcript(left)}`).toEqual([]);
      await rclone(["rmdir", `${REMOTE}:${container}_segments`]);
    },
  );
});
