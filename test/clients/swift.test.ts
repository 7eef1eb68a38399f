/**
 * @module
 * The `swift` command (python3-swiftclient) against edgeswift, run exactly as a user would:
 * `swift -A <base>/auth/v1.0 -U test:tester -K testing <command>`. Every assertion message carries
 * the client's own stdout and stderr.
 */

import { readFile, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { describe, inject, it } from "vitest";
import {
  describeTree,
  listed,
  md5,
  randomBody,
  runSwift,
  statFields,
  swiftOrder,
  tempDir,
  transcript,
  uniqueName,
  writeTree,
  type ClientRun,
  type FileTree,
  type RunOptions,
} from "./helpers";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;

/** `swift -A … -U test:tester -K testing <args>`. */
function swift(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runSwift(BASE_URL, { user: "test:tester", key: "testing" }, args, options);
}

/** A tree small enough to upload in every listing test: nested dirs and names with spaces. */
const LISTING_TREE: FileTree = {
  "top.txt": "top\n",
  "docs/readme.md": "# readme\n",
  "docs/guide/intro.txt": "intro\n",
  "docs/guide/deep dive.txt": "deep\n",
  "photos/2024/cat.jpg": "not really a jpeg",
  "photos/dog.jpg": "not really a jpeg either",
};

/** Uploads LISTING_TREE's files from inside `dir`, so object names are the relative paths. */
async function uploadListingTree(container: string, dir: string): Promise<void> {
  await writeTree(dir, LISTING_TREE);
  await swift(["upload", container, ...Object.keys(LISTING_TREE)], { cwd: dir });
}

describe("swift (python3-swiftclient)", () => {
  it("swift stat of the account shows the account name and its container, object and byte counts", async ({
    expect,
  }) => {
    const run = await swift(["stat"]);
    const fields = statFields(run);
    expect(fields.get("Account"), transcript(run)).toBe("AUTH_test");
    for (const count of ["Containers", "Objects", "Bytes"]) {
      expect(fields.get(count), `${count}\n${transcript(run)}`).toMatch(/^\d+$/u);
    }
  });

  it(
    "swift post creates a container with metadata from -m, " +
      "and swift stat of the container shows it empty with that metadata",
    async ({ expect }) => {
      const container = uniqueName("swift-post");
      await swift(["post", container, "-m", "Color:blue", "-m", "Owner:Jane Doe"]);
      const run = await swift(["stat", container]);
      const fields = statFields(run);
      expect(fields.get("Container"), transcript(run)).toBe(container);
      expect(fields.get("Objects"), transcript(run)).toBe("0");
      expect(fields.get("Bytes"), transcript(run)).toBe("0");
      expect(fields.get("Meta Color"), transcript(run)).toBe("blue");
      expect(fields.get("Meta Owner"), transcript(run)).toBe("Jane Doe");
      const list = await swift(["list"]);
      expect(listed(list), transcript(list)).toContain(container);
    },
  );

  it(
    "swift post -H 'X-Storage-Policy: silver' creates a container in that policy; " +
      "swift stat shows it, and the account's counts per policy",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("swift-policy");
      const dir = await tempDir(onTestFinished, "swift");
      await swift(["post", container, "-H", "X-Storage-Policy: silver"]);
      const body = randomBody(4096);
      await writeTree(dir, { "in-silver.bin": body });
      await swift(["upload", container, "in-silver.bin"], { cwd: dir });
      const stat = await swift(["stat", container]);
      expect(statFields(stat).get("X-Storage-Policy"), transcript(stat)).toBe("silver");
      expect(statFields(stat).get("Objects"), transcript(stat)).toBe("1");
      const download = await swift(["download", container, "in-silver.bin", "-o", join(dir, "back.bin")]);
      expect(md5(await readFile(join(dir, "back.bin"))), transcript(download)).toBe(md5(body));
      // The account hears of the object within a second or so; swift stat reads the per-policy headers.
      let account = await swift(["stat"]);
      for (let tries = 0; tries < 40 && !statFields(account).has('Containers in policy "silver"'); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        account = await swift(["stat"]);
      }
      expect(
        Number(statFields(account).get('Containers in policy "silver"')),
        transcript(account),
      ).toBeGreaterThanOrEqual(1);
      expect(Number(statFields(account).get('Bytes in policy "silver"')), transcript(account)).toBeGreaterThanOrEqual(
        4096,
      );
    },
  );

  it(
    "swift post -m on an existing container changes one metadata item, keeps the others, " +
      "and an empty value removes one",
    async ({ expect }) => {
      const container = uniqueName("swift-post-again");
      await swift(["post", container, "-m", "Color:blue", "-m", "Owner:Jane", "-m", "Size:large"]);
      await swift(["post", container, "-m", "Color:green", "-m", "Size:"]);
      const run = await swift(["stat", container]);
      const fields = statFields(run);
      expect(fields.get("Meta Color"), transcript(run)).toBe("green");
      expect(fields.get("Meta Owner"), transcript(run)).toBe("Jane");
      expect(fields.has("Meta Size"), transcript(run)).toBe(false);
    },
  );

  it("swift upload of single files stores each under its name with its size and md5 as ETag", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("swift-upload");
    const dir = await tempDir(onTestFinished, "swift");
    const binary = randomBody(2 * MiB + 17);
    await writeTree(dir, { "hello.txt": "hello world\n", "random.bin": binary });
    await swift(["upload", container, "hello.txt"], { cwd: dir });
    await swift(["upload", container, "random.bin", "--object-name", "renamed/random.bin"], { cwd: dir });

    const list = await swift(["list", container]);
    expect(listed(list), transcript(list)).toEqual(["hello.txt", "renamed/random.bin"]);
    const text = await swift(["stat", container, "hello.txt"]);
    expect(statFields(text).get("Content Length"), transcript(text)).toBe("12");
    expect(statFields(text).get("ETag"), transcript(text)).toBe(md5("hello world\n"));
    const bin = await swift(["stat", container, "renamed/random.bin"]);
    expect(statFields(bin).get("Content Length"), transcript(bin)).toBe(String(binary.length));
    expect(statFields(bin).get("ETag"), transcript(bin)).toBe(md5(binary));
  });

  it(
    "swift upload of a directory tree then swift download of the container " +
      "returns every file and empty directory byte for byte",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("swift-tree");
      const dir = await tempDir(onTestFinished, "swift");
      const tree: FileTree = {
        "tree/a.txt": "alpha\n",
        "tree/nested/b.txt": "bravo\n",
        "tree/nested/deeper/still deeper/c.txt": "charlie\n",
        "tree/nested/spaced and ünïcödé ✓ name.txt": "names with spaces and unicode\n",
        "tree/empty.txt": "",
        "tree/empty dir/": "",
        "tree/blobs/random.bin": randomBody(3 * MiB + 5),
      };
      await writeTree(join(dir, "up"), tree);
      const upload = await swift(["upload", container, "tree"], { cwd: join(dir, "up") });

      const list = await swift(["list", container]);
      const expectedNames = swiftOrder(Object.keys(tree).map((path) => path.replace(/\/$/u, "")));
      expect(listed(list), `${transcript(upload)}\n${transcript(list)}`).toEqual(expectedNames);

      const download = await swift(["download", container, "-D", join(dir, "down")]);
      const original = await describeTree(join(dir, "up"));
      const returned = await describeTree(join(dir, "down"));
      expect(returned, transcript(download)).toEqual(original);
      for (const [path, content] of Object.entries(tree)) {
        if (path.endsWith("/")) continue;
        const bytes = await readFile(join(dir, "down", path));
        expect(bytes.equals(Buffer.from(content)), `${path} differs\n${transcript(download)}`).toBe(true);
      }
    },
  );

  it("swift list of a container prints every object name, one a line, in byte order", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("swift-list");
    await uploadListingTree(container, await tempDir(onTestFinished, "swift"));
    const run = await swift(["list", container]);
    expect(listed(run), transcript(run)).toEqual(swiftOrder(Object.keys(LISTING_TREE)));
  });

  it("swift list --prefix prints only the objects whose names start with the prefix", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("swift-list-prefix");
    await uploadListingTree(container, await tempDir(onTestFinished, "swift"));
    const run = await swift(["list", container, "--prefix", "docs/guide/"]);
    expect(listed(run), transcript(run)).toEqual(["docs/guide/deep dive.txt", "docs/guide/intro.txt"]);
    const none = await swift(["list", container, "--prefix", "nothing-here"]);
    expect(listed(none), transcript(none)).toEqual([]);
  });

  it("swift list --delimiter / rolls names up to their first / into subdirectory entries", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("swift-list-delimiter");
    await uploadListingTree(container, await tempDir(onTestFinished, "swift"));
    const top = await swift(["list", container, "--delimiter", "/"]);
    expect(listed(top), transcript(top)).toEqual(["docs/", "photos/", "top.txt"]);
    const docs = await swift(["list", container, "--delimiter", "/", "--prefix", "docs/"]);
    expect(listed(docs), transcript(docs)).toEqual(["docs/guide/", "docs/readme.md"]);
  });

  it("swift list --long prints each object's size, last-modified time and content type, then the total bytes", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("swift-list-long");
    await uploadListingTree(container, await tempDir(onTestFinished, "swift"));
    const run = await swift(["list", container, "--long"]);
    const lines = listed(run);
    const names = swiftOrder(Object.keys(LISTING_TREE));
    expect(lines, transcript(run)).toHaveLength(names.length + 1);
    let total = 0;
    names.forEach((name, index) => {
      const size = Buffer.byteLength(LISTING_TREE[name] ?? "");
      total += size;
      const match = /^\s*(\d+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(\S+) (.+)$/u.exec(lines[index] ?? "");
      expect(match, `line ${index}\n${transcript(run)}`).not.toBeNull();
      expect(match?.[4], transcript(run)).toBe(name);
      expect(match?.[1], `${name}\n${transcript(run)}`).toBe(String(size));
      const type = name.endsWith(".jpg") ? "image/jpeg" : name.endsWith(".md") ? "text/markdown" : "text/plain";
      expect(match?.[3], `${name}\n${transcript(run)}`).toBe(type);
    });
    expect(lines.at(-1)?.trim(), transcript(run)).toBe(String(total));
  });

  it("swift download -o of a single object writes exactly its bytes and restores the file's mtime", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("swift-download");
    const dir = await tempDir(onTestFinished, "swift");
    const body = randomBody(4 * MiB + 1);
    await writeTree(dir, { "payload.bin": body });
    const mtime = new Date("2021-03-04T05:06:07Z");
    await utimes(join(dir, "payload.bin"), mtime, mtime);
    await swift(["upload", container, "payload.bin"], { cwd: dir });

    const run = await swift(["download", container, "payload.bin", "-o", join(dir, "copy.bin")]);
    const bytes = await readFile(join(dir, "copy.bin"));
    expect(bytes.length, transcript(run)).toBe(body.length);
    expect(bytes.equals(body), transcript(run)).toBe(true);
    expect((await stat(join(dir, "copy.bin"))).mtime.toISOString(), transcript(run)).toBe(mtime.toISOString());
  });

  it("swift copy --destination to another container copies the object's bytes and metadata", async ({
    expect,
    onTestFinished,
  }) => {
    const source = uniqueName("swift-copy-src");
    const target = uniqueName("swift-copy-dst");
    const dir = await tempDir(onTestFinished, "swift");
    const body = randomBody(MiB + 3);
    await writeTree(dir, { "original.bin": body });
    await swift(["upload", source, "original.bin", "-m", "Color:blue"], { cwd: dir });

    const copy = await swift(["copy", source, "original.bin", "--destination", `/${target}/copied.bin`]);
    const list = await swift(["list", target]);
    expect(listed(list), `${transcript(copy)}\n${transcript(list)}`).toEqual(["copied.bin"]);
    const stat = await swift(["stat", target, "copied.bin"]);
    expect(statFields(stat).get("Meta Color"), transcript(stat)).toBe("blue");
    expect(statFields(stat).get("ETag"), transcript(stat)).toBe(md5(body));
    const download = await swift(["download", target, "copied.bin", "-o", join(dir, "back.bin")]);
    expect((await readFile(join(dir, "back.bin"))).equals(body), transcript(download)).toBe(true);
    const sourceList = await swift(["list", source]);
    expect(listed(sourceList), transcript(sourceList)).toEqual(["original.bin"]);
  });

  it(
    "swift copy -d under a new name in the same container with -m " +
      "adds metadata to the copy and leaves the source unchanged",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("swift-copy-d");
      const dir = await tempDir(onTestFinished, "swift");
      await writeTree(dir, { "note.txt": "copy me\n" });
      await swift(["upload", container, "note.txt", "-m", "Color:blue"], { cwd: dir });

      const copy = await swift([
        "copy",
        container,
        "note.txt",
        "-d",
        `/${container}/note copy.txt`,
        "-m",
        "Shape:round",
      ]);
      const list = await swift(["list", container]);
      expect(listed(list), `${transcript(copy)}\n${transcript(list)}`).toEqual(["note copy.txt", "note.txt"]);
      const copied = statFields(await swift(["stat", container, "note copy.txt"]));
      expect(Object.fromEntries(copied), transcript(copy)).toMatchObject({
        "Meta Color": "blue",
        "Meta Shape": "round",
        ETag: md5("copy me\n"),
      });
      const source = await swift(["stat", container, "note.txt"]);
      expect(statFields(source).get("Meta Color"), transcript(source)).toBe("blue");
      expect(statFields(source).has("Meta Shape"), transcript(source)).toBe(false);
      const download = await swift(["download", container, "note copy.txt", "-o", join(dir, "back.txt")]);
      expect(await readFile(join(dir, "back.txt"), "utf8"), transcript(download)).toBe("copy me\n");
    },
  );

  it(
    "swift delete of an object removes it from the listing, " +
      "and swift stat of the container counts the objects and bytes that remain",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("swift-delete-object");
      const dir = await tempDir(onTestFinished, "swift");
      await writeTree(dir, { "keep.txt": "kept\n", "drop.txt": "dropped!\n", "also-keep.bin": randomBody(1000) });
      await swift(["upload", container, "keep.txt", "drop.txt", "also-keep.bin"], { cwd: dir });
      const before = await swift(["stat", container]);
      expect(statFields(before).get("Objects"), transcript(before)).toBe("3");
      expect(statFields(before).get("Bytes"), transcript(before)).toBe(String(5 + 9 + 1000));

      const del = await swift(["delete", container, "drop.txt"]);
      expect(del.stdout, transcript(del)).toContain("drop.txt");
      const list = await swift(["list", container]);
      expect(listed(list), transcript(list)).toEqual(["also-keep.bin", "keep.txt"]);
      const after = await swift(["stat", container]);
      expect(statFields(after).get("Objects"), transcript(after)).toBe("2");
      expect(statFields(after).get("Bytes"), transcript(after)).toBe(String(5 + 1000));
      const gone = await swift(["stat", container, "drop.txt"], { allowFailure: true });
      expect(gone.status, transcript(gone)).toBe(1);
      expect(gone.stderr, transcript(gone)).toContain("404 Not Found");
    },
  );

  it(
    "swift delete of a container deletes all its objects and the container, " +
      "and swift stat of the account counts one container fewer",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("swift-delete-container");
      const dir = await tempDir(onTestFinished, "swift");
      await writeTree(dir, { "a.txt": "a\n", "sub/b.txt": "b\n", "sub/c d.txt": "c d\n" });
      await swift(["upload", container, "a.txt", "sub"], { cwd: dir });
      const withIt = await swift(["stat"]);
      const containersWithIt = Number(statFields(withIt).get("Containers"));

      const del = await swift(["delete", container]);
      for (const name of ["a.txt", "sub/b.txt", "sub/c d.txt", container]) {
        expect(del.stdout, transcript(del)).toContain(name);
      }
      const list = await swift(["list"]);
      expect(listed(list), transcript(list)).not.toContain(container);
      const gone = await swift(["stat", container], { allowFailure: true });
      expect(gone.status, transcript(gone)).toBe(1);
      expect(gone.stderr, transcript(gone)).toContain(`Container '${container}' not found`);
      const account = await swift(["stat"]);
      expect(Number(statFields(account).get("Containers")), `${transcript(withIt)}\n${transcript(account)}`).toBe(
        containersWithIt - 1,
      );
    },
  );
});
