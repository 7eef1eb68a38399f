/**
 * @module
 * One store, two APIs: what the aws CLI writes through the S3 API, `swift` (python3-swiftclient)
 * reads and lists through the Swift API, and the reverse. The S3 user test:tester is the Swift user
 * test:tester (account AUTH_test), so a bucket is a container of that account.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  listed,
  md5,
  randomBody,
  runSwift,
  statFields,
  tempDir,
  transcript,
  uniqueName,
  writeTree,
  type ClientRun,
  type RunOptions,
} from "./helpers";
import { awsHome, awsJson, runAws, type AwsHome } from "./s3/aws-cli";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;

let home: AwsHome;

beforeAll(async () => {
  home = await awsHome();
});

afterAll(async () => {
  await home?.dispose();
});

function aws(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runAws(BASE_URL, home, args, options);
}

function swift(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runSwift(BASE_URL, { user: "test:tester", key: "testing" }, args, options);
}

describe("S3 and Swift on the same objects", () => {
  it(
    "a bucket made and objects put by the aws CLI (one a 9 MiB multipart upload) are a container and " +
      "objects swift lists, stats and downloads byte for byte, with the S3 metadata as X-Object-Meta-*",
    async ({ expect, onTestFinished }) => {
      const bucket = uniqueName("cross-s3");
      const dir = await tempDir(onTestFinished, "cross-s3");
      const small = randomBody(5000);
      const large = randomBody(9 * MiB + 1);
      await writeTree(join(dir, "up"), { "small.bin": small, "large.bin": large });

      await aws(["s3", "mb", `s3://${bucket}`]);
      await aws([
        "s3api",
        "put-object",
        "--bucket",
        bucket,
        "--key",
        "docs/small file.bin",
        "--body",
        join(dir, "up", "small.bin"),
        "--metadata",
        "color=green",
      ]);
      await aws(["s3", "cp", "--no-progress", join(dir, "up", "large.bin"), `s3://${bucket}/large.bin`]);

      const containers = await swift(["list"]);
      expect(listed(containers), transcript(containers)).toContain(bucket);
      const objects = await swift(["list", bucket]);
      expect(listed(objects), transcript(objects)).toEqual(["docs/small file.bin", "large.bin"]);

      const stat = await swift(["stat", bucket, "docs/small file.bin"]);
      const fields = statFields(stat);
      expect(fields.get("Content Length"), transcript(stat)).toBe(String(small.length));
      expect(fields.get("ETag"), transcript(stat)).toBe(md5(small));
      expect(fields.get("Meta Color"), transcript(stat)).toBe("green");
      const largeStat = await swift(["stat", bucket, "large.bin"]);
      expect(statFields(largeStat).get("Content Length"), transcript(largeStat)).toBe(String(large.length));

      for (const [name, bytes] of [
        ["docs/small file.bin", small],
        ["large.bin", large],
      ] as const) {
        const out = join(dir, name.replaceAll("/", "_"));
        const download = await swift(["download", bucket, name, "-o", out]);
        const back = await readFile(out);
        expect(back.length, transcript(download)).toBe(bytes.length);
        expect(md5(back), transcript(download)).toBe(md5(bytes));
      }
    },
  );

  it(
    "an object swift uploads with -m Color:blue -m Shape:round is one the aws CLI heads with Metadata " +
      "color=blue, shape=round and the swift ETag, lists in the bucket, and copies down byte for byte",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("cross-swift");
      const dir = await tempDir(onTestFinished, "cross-swift");
      const body = randomBody(123_456);
      await writeTree(dir, { "nested/from swift.bin": body });
      await swift(["upload", container, "nested/from swift.bin", "-m", "Color:blue", "-m", "Shape:round"], {
        cwd: dir,
      });

      const head = await aws(["s3api", "head-object", "--bucket", container, "--key", "nested/from swift.bin"]);
      const out = awsJson<{ Metadata: Record<string, string>; ETag: string; ContentLength: number }>(head);
      // swift upload adds X-Object-Meta-Mtime (the file's mtime) of its own.
      expect(out.Metadata, transcript(head)).toEqual({ color: "blue", shape: "round", mtime: out.Metadata.mtime });
      expect(out.Metadata.mtime, transcript(head)).toMatch(/^\d+\.\d+$/u);
      expect(out.ETag, transcript(head)).toBe(`"${md5(body)}"`);
      expect(out.ContentLength, transcript(head)).toBe(body.length);

      const ls = await aws(["s3", "ls", "--recursive", `s3://${container}`]);
      expect(ls.stdout, transcript(ls)).toMatch(new RegExp(` ${body.length} nested/from swift\\.bin$`, "mu"));

      const cp = await aws([
        "s3",
        "cp",
        "--no-progress",
        `s3://${container}/nested/from swift.bin`,
        join(dir, "back.bin"),
      ]);
      expect((await readFile(join(dir, "back.bin"))).equals(body), transcript(cp)).toBe(true);
    },
  );

  it("swift upload sets X-Object-Meta-Color from --header alone, and the aws CLI sees color=blue", async ({
    expect,
    onTestFinished,
  }) => {
    const container = uniqueName("cross-header");
    const dir = await tempDir(onTestFinished, "cross-header");
    await writeTree(dir, { "only-header.txt": "metadata from the upload itself\n" });
    await swift(["upload", container, "only-header.txt", "--header", "X-Object-Meta-Color: blue"], { cwd: dir });
    const head = await aws(["s3api", "head-object", "--bucket", container, "--key", "only-header.txt"]);
    const metadata = awsJson<{ Metadata: Record<string, string> }>(head).Metadata;
    expect(metadata, transcript(head)).toEqual({ color: "blue", mtime: metadata.mtime });
    const get = await aws(["s3", "cp", "--no-progress", `s3://${container}/only-header.txt`, join(dir, "back.txt")]);
    expect(await readFile(join(dir, "back.txt"), "utf8"), transcript(get)).toBe("metadata from the upload itself\n");
  });

  it(
    "a static large object swift uploads in 1 MiB segments (--use-slo) is one the aws CLI heads with " +
      "its whole length and a multipart-style ETag, and copies down byte for byte",
    async ({ expect, onTestFinished }) => {
      const container = uniqueName("cross-slo");
      const dir = await tempDir(onTestFinished, "cross-slo");
      const body = randomBody(2 * MiB + MiB / 2);
      await writeTree(dir, { "slo.bin": body });
      const upload = await swift(["upload", container, "slo.bin", "--use-slo", "-S", String(MiB)], { cwd: dir });
      const head = await aws(["s3api", "head-object", "--bucket", container, "--key", "slo.bin"]);
      const out = awsJson<{ ETag: string; ContentLength: number }>(head);
      expect(out.ContentLength, `${transcript(upload)}\n${transcript(head)}`).toBe(body.length);
      // Not a bare md5 (which clients would check the body against): s3api tacks "-N" onto an SLO's
      // etag when S3 did not store one of its own; a count of the segments would do as well.
      expect(out.ETag, transcript(head)).toMatch(/^"[0-9a-f]{32}-(?:N|3)"$/u);
      const cp = await aws(["s3", "cp", "--no-progress", `s3://${container}/slo.bin`, join(dir, "back.bin")]);
      const back = await readFile(join(dir, "back.bin"));
      expect(back.length, transcript(cp)).toBe(body.length);
      expect(md5(back), transcript(cp)).toBe(md5(body));
    },
  );
});
