/**
 * @module
 * The aws CLI (v1, with the botocore it brings: CRC32 checksums on by default) against edgeswift's
 * S3 API, run as a user would: `aws --endpoint-url <base> s3 …` and `aws … s3api …` with the
 * credentials in environment variables (see s3/aws-cli.ts). Every assertion message carries the
 * CLI's own output; rerun a failing command with `--debug` to see the requests it sent.
 */

import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  describeTree,
  md5,
  randomBody,
  tempDir,
  transcript,
  uniqueName,
  writeTree,
  type ClientRun,
  type FileTree,
  type RunOptions,
} from "./helpers";
import { awsHome, awsJson, runAws, type AwsHome, type S3Credentials } from "./s3/aws-cli";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;

let home: AwsHome;

beforeAll(async () => {
  home = await awsHome();
});

afterAll(async () => {
  await home?.dispose();
});

/** `aws --endpoint-url <base> --output json <args>` as test:tester. */
function aws(args: readonly string[], options: RunOptions = {}, who?: S3Credentials): Promise<ClientRun> {
  return runAws(BASE_URL, home, args, options, who);
}

/** `aws s3api <operation> <args>`, its JSON answer parsed. */
async function s3api<T = Record<string, unknown>>(
  operation: string,
  args: readonly string[],
): Promise<{ run: ClientRun; out: T }> {
  const run = await aws(["s3api", operation, ...args]);
  return { run, out: awsJson<T>(run) };
}

/** One line of `aws s3 ls`: a key (or bucket) with its size, or a common prefix (PRE). */
interface LsLine {
  name: string;
  size: number | null;
}

/** `aws s3 ls` output: `<date> <time> <size> <key>`, `PRE <prefix>/`, or `<date> <time> <bucket>`. */
function lsLines(run: ClientRun, buckets = false): LsLine[] {
  const out: LsLine[] = [];
  for (const line of run.stdout.split("\n")) {
    if (line.trim() === "") continue;
    const pre = /^\s+PRE (.+)$/u.exec(line);
    if (pre?.[1]) {
      out.push({ name: pre[1], size: null });
      continue;
    }
    const match = buckets
      ? /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ()(.+)$/u.exec(line)
      : /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +(\d+) (.+)$/u.exec(line);
    if (!match?.[2]) throw new Error(`unexpected aws s3 ls line ${JSON.stringify(line)}\n${transcript(run)}`);
    out.push({ name: match[2], size: buckets ? null : Number(match[1]) });
  }
  return out;
}

/** S3's listing order: by the keys' UTF-8 bytes. */
function byteOrder(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

/** A small tree for `aws s3 sync`: nested dirs, spaces, unicode, URL-special characters, an empty file. */
function syncTree(): FileTree {
  return {
    "top.txt": "top\n",
    "empty.dat": "",
    "docs/readme.md": "# readme\n".repeat(50),
    "docs/guide/deep dive.txt": "deep\n",
    "docs/guide/intro.txt": "intro\n".repeat(1000),
    "données/été 2024.csv": "a,b\n1,2\n",
    "日本語/ファイル.txt": "日本語\n",
    "special/100% & more?.txt": "special\n",
    "special/a+b=c;d,e.txt": "plus\n",
    "special/emoji 😀.txt": "emoji\n",
    "blobs/one.bin": randomBody(MiB + 17),
    "blobs/deeper/two.bin": randomBody(300_000),
  };
}

describe("aws s3 (the high-level commands)", () => {
  const bucket = uniqueName("aws-s3");

  it("aws s3 mb makes a bucket that aws s3 ls lists; a second mb of it is BucketAlreadyOwnedByYou", async ({
    expect,
  }) => {
    const mb = await aws(["s3", "mb", `s3://${bucket}`]);
    expect(mb.stdout, transcript(mb)).toContain(`make_bucket: ${bucket}`);
    const ls = await aws(["s3", "ls"]);
    expect(
      lsLines(ls, true).map((line) => line.name),
      transcript(ls),
    ).toContain(bucket);
    const again = await aws(["s3", "mb", `s3://${bucket}`], { allowFailure: true });
    expect(again.status, transcript(again)).not.toBe(0);
    expect(again.stderr, transcript(again)).toContain("BucketAlreadyOwnedByYou");
  });

  it(
    "aws s3 cp up and down: a small file and a 20 MiB file (a multipart upload in 8 MiB parts, " +
      "ranged GETs down) come back byte for byte; the large one's ETag is a 3-part multipart ETag",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "aws-cp");
      const small = randomBody(1234);
      const large = randomBody(20 * MiB + 123);
      await writeTree(join(dir, "up"), { "small.bin": small, "large.bin": large });

      const upSmall = await aws([
        "s3",
        "cp",
        "--no-progress",
        join(dir, "up", "small.bin"),
        `s3://${bucket}/cp/small.bin`,
      ]);
      expect(upSmall.stdout, transcript(upSmall)).toContain(`upload: `);
      const upLarge = await aws(
        ["s3", "cp", "--no-progress", join(dir, "up", "large.bin"), `s3://${bucket}/cp/large.bin`],
        { timeoutMs: 600_000 },
      );
      expect(upLarge.stdout, transcript(upLarge)).toContain(`s3://${bucket}/cp/large.bin`);

      const headSmall = await s3api<{ ETag: string; ContentLength: number }>("head-object", [
        "--bucket",
        bucket,
        "--key",
        "cp/small.bin",
      ]);
      expect(headSmall.out.ETag, transcript(headSmall.run)).toBe(`"${md5(small)}"`);
      expect(headSmall.out.ContentLength, transcript(headSmall.run)).toBe(small.length);
      const headLarge = await s3api<{ ETag: string; ContentLength: number }>("head-object", [
        "--bucket",
        bucket,
        "--key",
        "cp/large.bin",
      ]);
      expect(headLarge.out.ETag, transcript(headLarge.run)).toMatch(/^"[0-9a-f]{32}-3"$/u);
      expect(headLarge.out.ContentLength, transcript(headLarge.run)).toBe(large.length);

      const downSmall = await aws(["s3", "cp", "--no-progress", `s3://${bucket}/cp/small.bin`, join(dir, "small.bin")]);
      const downLarge = await aws(
        ["s3", "cp", "--no-progress", `s3://${bucket}/cp/large.bin`, join(dir, "large.bin")],
        { timeoutMs: 600_000 },
      );
      const [smallBack, largeBack] = await Promise.all([
        readFile(join(dir, "small.bin")),
        readFile(join(dir, "large.bin")),
      ]);
      expect(smallBack.equals(small), transcript(downSmall)).toBe(true);
      expect(largeBack.length, transcript(downLarge)).toBe(large.length);
      expect(md5(largeBack), transcript(downLarge)).toBe(md5(large));
    },
  );

  it(
    "aws s3 sync of a small tree (nested, unicode and URL-special names, an empty file) uploads every file; " +
      "a second sync uploads nothing; aws s3 ls lists keys and prefixes, --recursive every key with its size; " +
      "sync back down returns every file byte for byte, and a second sync down downloads nothing",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "aws-sync");
      const tree = syncTree();
      const source = join(dir, "source");
      await writeTree(source, tree);
      const prefix = `s3://${bucket}/tree/`;

      const up = await aws(["s3", "sync", "--no-progress", source, prefix]);
      const uploaded = up.stdout.split("\n").filter((line) => line.startsWith("upload: "));
      expect(uploaded, transcript(up)).toHaveLength(Object.keys(tree).length);
      const again = await aws(["s3", "sync", "--no-progress", source, prefix]);
      expect(again.stdout.trim(), transcript(again)).toBe("");

      const top = await aws(["s3", "ls", prefix]);
      expect(lsLines(top), transcript(top)).toEqual([
        ...["blobs/", "docs/", "données/", "special/", "日本語/"].map((name) => ({ name, size: null })),
        { name: "empty.dat", size: 0 },
        { name: "top.txt", size: 4 },
      ]);
      const recursive = await aws(["s3", "ls", "--recursive", prefix]);
      const expected = byteOrder(Object.keys(tree)).map((path) => ({
        name: `tree/${path}`,
        size: Buffer.byteLength(tree[path] ?? ""),
      }));
      expect(lsLines(recursive), transcript(recursive)).toEqual(expected);

      const down = join(dir, "down");
      const back = await aws(["s3", "sync", "--no-progress", prefix, down]);
      expect(await describeTree(down), transcript(back)).toEqual(await describeTree(source));
      for (const path of Object.keys(tree)) {
        const [original, returned] = await Promise.all([readFile(join(source, path)), readFile(join(down, path))]);
        expect(returned.equals(original), `${path} differs\n${transcript(back)}`).toBe(true);
      }
      const backAgain = await aws(["s3", "sync", "--no-progress", prefix, down]);
      expect(backAgain.stdout.trim(), transcript(backAgain)).toBe("");
      // The CLI set each downloaded file's mtime from the object's LastModified.
      const remoteTime = (await stat(join(down, "top.txt"))).mtime.getTime();
      expect(Math.abs(remoteTime - Date.now()), "LastModified of tree/top.txt is recent").toBeLessThan(3_600_000);
    },
  );

  it(
    "aws s3 rm --recursive deletes every key, aws s3 rb removes the emptied bucket, " +
      "and aws s3 ls of it is then NoSuchBucket",
    async ({ expect }) => {
      const before = await aws(["s3", "ls", "--recursive", `s3://${bucket}`]);
      const keys = lsLines(before).map((line) => line.name);
      expect(keys.length, transcript(before)).toBeGreaterThan(0);
      const notEmpty = await aws(["s3", "rb", `s3://${bucket}`], { allowFailure: true });
      expect(notEmpty.status, transcript(notEmpty)).not.toBe(0);
      expect(notEmpty.stderr, transcript(notEmpty)).toContain("BucketNotEmpty");

      const rm = await aws(["s3", "rm", "--recursive", `s3://${bucket}`]);
      const deleted = rm.stdout
        .split("\n")
        .filter((line) => line.startsWith("delete: "))
        .map((line) => line.slice(`delete: s3://${bucket}/`.length));
      expect(byteOrder(deleted), transcript(rm)).toEqual(byteOrder(keys));
      const after = await aws(["s3", "ls", "--recursive", `s3://${bucket}`]);
      expect(after.stdout.trim(), transcript(after)).toBe("");

      const rb = await aws(["s3", "rb", `s3://${bucket}`]);
      expect(rb.stdout, transcript(rb)).toContain(`remove_bucket: ${bucket}`);
      const ls = await aws(["s3", "ls"]);
      expect(
        lsLines(ls, true).map((line) => line.name),
        transcript(ls),
      ).not.toContain(bucket);
      const gone = await aws(["s3", "ls", `s3://${bucket}`], { allowFailure: true });
      expect(gone.status, transcript(gone)).not.toBe(0);
      expect(gone.stderr, transcript(gone)).toContain("NoSuchBucket");
    },
  );
});

describe("aws s3api", () => {
  const bucket = uniqueName("aws-s3api");
  let dir = "";
  const body = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz\n".repeat(100));

  beforeAll(async () => {
    await aws(["s3api", "create-bucket", "--bucket", bucket]);
    dir = await mkdtemp(join(tmpdir(), "edgeswift-aws-s3api-"));
    await writeTree(dir, { "body.txt": body });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    "put-object with --metadata and --content-type; head-object shows that metadata, the content type, " +
      "the length, and the body's md5 as ETag",
    async ({ expect }) => {
      const put = await s3api<{ ETag: string }>("put-object", [
        "--bucket",
        bucket,
        "--key",
        "meta/object.txt",
        "--body",
        join(dir, "body.txt"),
        "--content-type",
        "text/plain; charset=utf-8",
        "--metadata",
        "color=blue,owner=Jane Doe",
      ]);
      expect(put.out.ETag, transcript(put.run)).toBe(`"${md5(body)}"`);
      const head = await s3api<{
        ETag: string;
        ContentLength: number;
        ContentType: string;
        Metadata: Record<string, string>;
        LastModified: string;
      }>("head-object", ["--bucket", bucket, "--key", "meta/object.txt"]);
      expect(head.out.ETag, transcript(head.run)).toBe(`"${md5(body)}"`);
      expect(head.out.ContentLength, transcript(head.run)).toBe(body.length);
      expect(head.out.ContentType, transcript(head.run)).toBe("text/plain; charset=utf-8");
      expect(head.out.Metadata, transcript(head.run)).toEqual({ color: "blue", owner: "Jane Doe" });
      expect(Number.isNaN(Date.parse(head.out.LastModified)), transcript(head.run)).toBe(false);
    },
  );

  it("get-object with --range returns exactly those bytes (first-last, suffix, open-ended) with Content-Range", async ({
    expect,
    onTestFinished,
  }) => {
    await aws(["s3api", "put-object", "--bucket", bucket, "--key", "range.txt", "--body", join(dir, "body.txt")]);
    const out = await tempDir(onTestFinished, "aws-range");
    const cases: [string, number, number][] = [
      ["bytes=3-9", 3, 10],
      ["bytes=-5", body.length - 5, body.length],
      [`bytes=${body.length - 7}-`, body.length - 7, body.length],
    ];
    for (const [range, start, end] of cases) {
      const file = join(out, `${start}-${end}`);
      const get = await s3api<{ ContentRange: string; ContentLength: number }>("get-object", [
        "--bucket",
        bucket,
        "--key",
        "range.txt",
        "--range",
        range,
        file,
      ]);
      expect(get.out.ContentRange, `${range}\n${transcript(get.run)}`).toBe(`bytes ${start}-${end - 1}/${body.length}`);
      expect(get.out.ContentLength, `${range}\n${transcript(get.run)}`).toBe(end - start);
      expect((await readFile(file)).equals(body.subarray(start, end)), `${range}\n${transcript(get.run)}`).toBe(true);
    }
  });

  it(
    "list-objects-v2: --prefix with --delimiter gives keys and CommonPrefixes; --max-keys without paginating " +
      "is truncated with a continuation token; --page-size and --max-items page through every key",
    async ({ expect }) => {
      const keys = ["list/a.txt", "list/b/1.txt", "list/b/2.txt", "list/c/3.txt", "list/d.txt", "list/e.txt"];
      for (const key of keys) {
        await aws(["s3api", "put-object", "--bucket", bucket, "--key", key, "--body", join(dir, "body.txt")]);
      }
      type Listing = {
        Contents?: { Key: string; Size: number; ETag: string }[];
        CommonPrefixes?: { Prefix: string }[];
        IsTruncated?: boolean;
        KeyCount?: number;
        NextContinuationToken?: string;
        NextToken?: string;
      };
      const delimited = await s3api<Listing>("list-objects-v2", [
        "--bucket",
        bucket,
        "--prefix",
        "list/",
        "--delimiter",
        "/",
      ]);
      expect(
        delimited.out.Contents?.map((entry) => entry.Key),
        transcript(delimited.run),
      ).toEqual(["list/a.txt", "list/d.txt", "list/e.txt"]);
      expect(delimited.out.CommonPrefixes, transcript(delimited.run)).toEqual([
        { Prefix: "list/b/" },
        { Prefix: "list/c/" },
      ]);
      expect(delimited.out.Contents?.[0]?.Size, transcript(delimited.run)).toBe(body.length);
      expect(delimited.out.Contents?.[0]?.ETag, transcript(delimited.run)).toBe(`"${md5(body)}"`);

      const truncated = await s3api<Listing>("list-objects-v2", [
        "--bucket",
        bucket,
        "--prefix",
        "list/",
        "--no-paginate",
        "--max-keys",
        "2",
      ]);
      expect(truncated.out.IsTruncated, transcript(truncated.run)).toBe(true);
      expect(truncated.out.KeyCount, transcript(truncated.run)).toBe(2);
      expect(truncated.out.NextContinuationToken, transcript(truncated.run)).toBeTruthy();
      const rest = await s3api<Listing>("list-objects-v2", [
        "--bucket",
        bucket,
        "--prefix",
        "list/",
        "--no-paginate",
        "--continuation-token",
        truncated.out.NextContinuationToken ?? "",
      ]);
      expect(
        [...(truncated.out.Contents ?? []), ...(rest.out.Contents ?? [])].map((entry) => entry.Key),
        transcript(rest.run),
      ).toEqual(keys);
      expect(rest.out.IsTruncated, transcript(rest.run)).toBe(false);

      const all = await s3api<Listing>("list-objects-v2", [
        "--bucket",
        bucket,
        "--prefix",
        "list/",
        "--page-size",
        "2",
      ]);
      expect(
        all.out.Contents?.map((entry) => entry.Key),
        transcript(all.run),
      ).toEqual(keys);

      const seen: string[] = [];
      let token: string | undefined;
      const runs: ClientRun[] = [];
      for (let page = 0; page < 10; page += 1) {
        const args = ["--bucket", bucket, "--prefix", "list/", "--page-size", "1", "--max-items", "4"];
        if (token) args.push("--starting-token", token);
        const next = await s3api<Listing>("list-objects-v2", args);
        runs.push(next.run);
        seen.push(...(next.out.Contents ?? []).map((entry) => entry.Key));
        token = next.out.NextToken;
        if (!token) break;
      }
      expect(runs.length, runs.map(transcript).join("\n")).toBe(2);
      expect(seen, runs.map(transcript).join("\n")).toEqual(keys);
    },
  );

  it(
    "copy-object with --metadata-directive REPLACE gives the copy only the new metadata and content type; " +
      "without it the copy keeps the source's; both copies hold the source's bytes",
    async ({ expect, onTestFinished }) => {
      await aws([
        "s3api",
        "put-object",
        "--bucket",
        bucket,
        "--key",
        "copy/source.txt",
        "--body",
        join(dir, "body.txt"),
        "--content-type",
        "text/plain",
        "--metadata",
        "color=blue,size=large",
      ]);
      const replaced = await s3api<{ CopyObjectResult: { ETag: string; LastModified: string } }>("copy-object", [
        "--bucket",
        bucket,
        "--key",
        "copy/replaced.txt",
        "--copy-source",
        `${bucket}/copy/source.txt`,
        "--metadata-directive",
        "REPLACE",
        "--metadata",
        "color=red",
        "--content-type",
        "application/json",
      ]);
      expect(replaced.out.CopyObjectResult?.ETag, transcript(replaced.run)).toBe(`"${md5(body)}"`);
      const head = await s3api<{ Metadata: Record<string, string>; ContentType: string }>("head-object", [
        "--bucket",
        bucket,
        "--key",
        "copy/replaced.txt",
      ]);
      expect(head.out.Metadata, transcript(head.run)).toEqual({ color: "red" });
      expect(head.out.ContentType, transcript(head.run)).toBe("application/json");

      await aws([
        "s3api",
        "copy-object",
        "--bucket",
        bucket,
        "--key",
        "copy/kept.txt",
        "--copy-source",
        `${bucket}/copy/source.txt`,
      ]);
      const kept = await s3api<{ Metadata: Record<string, string>; ContentType: string }>("head-object", [
        "--bucket",
        bucket,
        "--key",
        "copy/kept.txt",
      ]);
      expect(kept.out.Metadata, transcript(kept.run)).toEqual({ color: "blue", size: "large" });
      expect(kept.out.ContentType, transcript(kept.run)).toBe("text/plain");

      const out = await tempDir(onTestFinished, "aws-copy");
      for (const key of ["copy/replaced.txt", "copy/kept.txt"]) {
        const get = await aws(["s3api", "get-object", "--bucket", bucket, "--key", key, join(out, "x")]);
        expect((await readFile(join(out, "x"))).equals(body), `${key}\n${transcript(get)}`).toBe(true);
      }
    },
  );

  it("delete-objects deletes the keys named (a missing one is reported deleted too, as S3 does)", async ({
    expect,
  }) => {
    const keys = ["multi/one", "multi/two", "multi/three"];
    for (const key of keys) {
      await aws(["s3api", "put-object", "--bucket", bucket, "--key", key, "--body", join(dir, "body.txt")]);
    }
    const request = { Objects: [...keys, "multi/never-there"].map((Key) => ({ Key })), Quiet: false };
    const del = await s3api<{ Deleted?: { Key: string }[]; Errors?: unknown[] }>("delete-objects", [
      "--bucket",
      bucket,
      "--delete",
      JSON.stringify(request),
    ]);
    expect(del.out.Errors, transcript(del.run)).toBeUndefined();
    expect(byteOrder((del.out.Deleted ?? []).map((entry) => entry.Key)), transcript(del.run)).toEqual(
      byteOrder([...keys, "multi/never-there"]),
    );
    const list = await s3api<{ Contents?: unknown[]; KeyCount: number }>("list-objects-v2", [
      "--bucket",
      bucket,
      "--prefix",
      "multi/",
    ]);
    expect(list.out.Contents, transcript(list.run)).toBeUndefined();
  });

  it("get-bucket-location of a us-east-1 bucket is an empty LocationConstraint (null), as AWS answers it", async ({
    expect,
  }) => {
    const location = await s3api<{ LocationConstraint: string | null }>("get-bucket-location", ["--bucket", bucket]);
    expect(location.out, transcript(location.run)).toEqual({ LocationConstraint: null });
  });

  it(
    "get-bucket-versioning of a new bucket has no Status; put-bucket-versioning Enabled, then Suspended, " +
      "is what get-bucket-versioning then shows",
    async ({ expect }) => {
      const versioned = uniqueName("aws-versioning");
      await aws(["s3api", "create-bucket", "--bucket", versioned]);
      const before = await s3api<{ Status?: string }>("get-bucket-versioning", ["--bucket", versioned]);
      expect(before.out.Status, transcript(before.run)).toBeUndefined();
      for (const status of ["Enabled", "Suspended"]) {
        const put = await aws([
          "s3api",
          "put-bucket-versioning",
          "--bucket",
          versioned,
          "--versioning-configuration",
          `Status=${status}`,
        ]);
        const got = await s3api<{ Status?: string }>("get-bucket-versioning", ["--bucket", versioned]);
        expect(got.out.Status, `${transcript(put)}\n${transcript(got.run)}`).toBe(status);
      }
    },
  );

  it(
    "sub-resources beside the object (tagging) and the bucket (cors, lifecycle) never touch the object's bytes " +
      "or answer as a listing: put-object-tagging is refused (NotImplemented) or kept as tags",
    async ({ expect, onTestFinished }) => {
      const out = await tempDir(onTestFinished, "aws-subresources");
      await aws(["s3api", "put-object", "--bucket", bucket, "--key", "tagged.txt", "--body", join(dir, "body.txt")]);
      const tag = await aws(
        [
          "s3api",
          "put-object-tagging",
          "--bucket",
          bucket,
          "--key",
          "tagged.txt",
          "--tagging",
          "TagSet=[{Key=a,Value=b}]",
        ],
        { allowFailure: true },
      );
      const get = await aws(["s3api", "get-object", "--bucket", bucket, "--key", "tagged.txt", join(out, "x")]);
      expect((await readFile(join(out, "x"))).equals(body), `${transcript(tag)}\n${transcript(get)}`).toBe(true);
      if (tag.status === 0) {
        const tags = await s3api<{ TagSet: unknown[] }>("get-object-tagging", [
          "--bucket",
          bucket,
          "--key",
          "tagged.txt",
        ]);
        expect(tags.out.TagSet, transcript(tags.run)).toEqual([{ Key: "a", Value: "b" }]);
      } else expect(tag.stderr, transcript(tag)).toContain("(NotImplemented)");

      for (const [operation, absent] of [
        ["get-bucket-cors", "NoSuchCORSConfiguration"],
        ["get-bucket-lifecycle-configuration", "NoSuchLifecycleConfiguration"],
      ] as const) {
        const run = await aws(["s3api", operation, "--bucket", bucket], { allowFailure: true });
        expect(run.status, transcript(run)).not.toBe(0);
        expect(run.stderr, transcript(run)).toMatch(new RegExp(`\\((?:NotImplemented|${absent})\\)`, "u"));
      }
    },
  );

  it(
    "errors: head-object of a missing key exits non-zero with 404 Not Found; get-object of it is NoSuchKey; " +
      "a missing bucket is NoSuchBucket; a wrong secret is SignatureDoesNotMatch; an unknown access key " +
      "is InvalidAccessKeyId",
    async ({ expect, onTestFinished }) => {
      const out = await tempDir(onTestFinished, "aws-errors");
      const head = await aws(["s3api", "head-object", "--bucket", bucket, "--key", "no/such/key"], {
        allowFailure: true,
      });
      expect(head.status, transcript(head)).not.toBe(0);
      expect(head.stderr, transcript(head)).toMatch(/\(404\).*Not Found/u);

      const get = await aws(["s3api", "get-object", "--bucket", bucket, "--key", "no/such/key", join(out, "x")], {
        allowFailure: true,
      });
      expect(get.status, transcript(get)).not.toBe(0);
      expect(get.stderr, transcript(get)).toContain(
        "An error occurred (NoSuchKey) when calling the GetObject operation",
      );

      const noBucket = await aws(
        ["s3api", "get-object", "--bucket", uniqueName("aws-missing"), "--key", "x", join(out, "x")],
        { allowFailure: true },
      );
      expect(noBucket.stderr, transcript(noBucket)).toContain("(NoSuchBucket)");

      const wrongSecret = await aws(
        ["s3api", "list-objects-v2", "--bucket", bucket],
        { allowFailure: true },
        {
          accessKey: "test:tester",
          secretKey: "not-the-key",
        },
      );
      expect(wrongSecret.stderr, transcript(wrongSecret)).toContain("(SignatureDoesNotMatch)");

      const unknownKey = await aws(
        ["s3api", "list-objects-v2", "--bucket", bucket],
        { allowFailure: true },
        {
          accessKey: "nobody:none",
          secretKey: "whatever",
        },
      );
      expect(unknownKey.stderr, transcript(unknownKey)).toContain("(InvalidAccessKeyId)");
    },
  );
});

describe("aws s3api: bucket configuration (CORS, ACLs, tags on versions)", () => {
  it(
    "put-bucket-cors, get-bucket-cors gives the rules back; delete-bucket-cors removes them " +
      "(get-bucket-cors is then NoSuchCORSConfiguration)",
    async ({ expect }) => {
      const bucket = uniqueName("aws-cors");
      await aws(["s3api", "create-bucket", "--bucket", bucket]);
      const rules = {
        CORSRules: [
          {
            AllowedOrigins: ["https://app.example"],
            AllowedMethods: ["GET", "PUT"],
            AllowedHeaders: ["*"],
            ExposeHeaders: ["ETag"],
            MaxAgeSeconds: 600,
          },
        ],
      };
      const put = await aws([
        "s3api",
        "put-bucket-cors",
        "--bucket",
        bucket,
        "--cors-configuration",
        JSON.stringify(rules),
      ]);
      expect(put.status, transcript(put)).toBe(0);
      const got = await s3api<typeof rules>("get-bucket-cors", ["--bucket", bucket]);
      expect(got.out, transcript(got.run)).toEqual(rules);
      const removed = await aws(["s3api", "delete-bucket-cors", "--bucket", bucket]);
      expect(removed.status, transcript(removed)).toBe(0);
      const gone = await aws(["s3api", "get-bucket-cors", "--bucket", bucket], { allowFailure: true });
      expect(gone.stderr, transcript(gone)).toContain("(NoSuchCORSConfiguration)");
    },
  );

  it("put-bucket-acl --grant-read for another user and AllUsers; get-bucket-acl lists the grants", async ({
    expect,
  }) => {
    const bucket = uniqueName("aws-acl");
    await aws(["s3api", "create-bucket", "--bucket", bucket]);
    const put = await aws([
      "s3api",
      "put-bucket-acl",
      "--bucket",
      bucket,
      "--grant-read",
      'id="test2:tester2",uri="http://acs.amazonaws.com/groups/global/AllUsers"',
    ]);
    expect(put.status, transcript(put)).toBe(0);
    const got = await s3api<{ Grants: { Grantee: { ID?: string; URI?: string }; Permission: string }[] }>(
      "get-bucket-acl",
      ["--bucket", bucket],
    );
    const grants = got.out.Grants.map((grant) => `${grant.Grantee.ID ?? grant.Grantee.URI} ${grant.Permission}`);
    expect(grants, transcript(got.run)).toEqual([
      "test:tester FULL_CONTROL",
      "http://acs.amazonaws.com/groups/global/AllUsers READ",
      "test2:tester2 READ",
    ]);
    const refused = await aws(["s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read-write"], {
      allowFailure: true,
    });
    expect(refused.stderr, transcript(refused)).toContain("(NotImplemented)");
  });

  it("put-object-tagging on a version of a versioned bucket tags that version and adds none", async ({
    expect,
    onTestFinished,
  }) => {
    const bucket = uniqueName("aws-vtags");
    const dir = await tempDir(onTestFinished, "aws-vtags");
    await writeTree(dir, { "one.txt": "first", "two.txt": "second" });
    await aws(["s3api", "create-bucket", "--bucket", bucket]);
    await aws(["s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled"]);
    const first = await s3api<{ VersionId: string }>("put-object", [
      "--bucket",
      bucket,
      "--key",
      "k",
      "--body",
      join(dir, "one.txt"),
    ]);
    await s3api("put-object", ["--bucket", bucket, "--key", "k", "--body", join(dir, "two.txt")]);
    const tagged = await aws([
      "s3api",
      "put-object-tagging",
      "--bucket",
      bucket,
      "--key",
      "k",
      "--version-id",
      first.out.VersionId,
      "--tagging",
      "TagSet=[{Key=stage,Value=old}]",
    ]);
    expect(tagged.status, transcript(tagged)).toBe(0);
    const tags = await s3api<{ TagSet: { Key: string; Value: string }[] }>("get-object-tagging", [
      "--bucket",
      bucket,
      "--key",
      "k",
      "--version-id",
      first.out.VersionId,
    ]);
    expect(tags.out.TagSet, transcript(tags.run)).toEqual([{ Key: "stage", Value: "old" }]);
    const current = await s3api<{ TagSet: unknown[] }>("get-object-tagging", ["--bucket", bucket, "--key", "k"]);
    expect(current.out.TagSet, transcript(current.run)).toEqual([]);
    const versions = await s3api<{ Versions: unknown[] }>("list-object-versions", ["--bucket", bucket]);
    expect(versions.out.Versions.length, transcript(versions.run)).toBe(2);
  });
});
