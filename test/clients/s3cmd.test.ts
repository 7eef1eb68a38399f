/**
 * @module
 * s3cmd against edgeswift's S3 API, with a config file of its own in a temp HOME (`--config`):
 * host_base and host_bucket both the loopback host:port (so path-style addressing), use_https
 * False, the keys of test:tester, region us-east-1. One bucket's life (mb, put with a header,
 * put as a multipart upload, ls, get, info, del, rb) runs twice: with SigV4 (s3cmd's default,
 * signature_v2 False) and with `--signature-v2`. Every assertion message carries s3cmd's own output;
 * rerun a failing command with `--debug` to see the requests it sent.
 */

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  md5,
  randomBody,
  runClient,
  tempDir,
  transcript,
  uniqueName,
  withoutClientEnv,
  writeTree,
  type ClientRun,
  type RunOptions,
} from "./helpers";
import { REGION, TESTER } from "./s3/aws-cli";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;

let home = "";
let configPath = "";

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "edgeswift-s3cmd-home-"));
  configPath = join(home, "s3cfg");
  const host = new URL(BASE_URL).host;
  await writeFile(
    configPath,
    [
      "[default]",
      `access_key = ${TESTER.accessKey}`,
      `secret_key = ${TESTER.secretKey}`,
      `host_base = ${host}`,
      `host_bucket = ${host}`,
      "use_https = False",
      "signature_v2 = False",
      `bucket_location = ${REGION}`,
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** `s3cmd --config <temp>/s3cfg <args>`, HOME the temp dir, AWS_* dropped. */
function s3cmd(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runClient(["s3cmd", "--config", configPath, "--no-progress", ...args], {
    ...options,
    env: { ...withoutClientEnv(["AWS_", "S3CMD_"]), HOME: home, ...options.env },
  });
}

/** `s3cmd info` lines ("   File size: 123") as a map. */
function infoFields(run: ClientRun): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of run.stdout.split("\n")) {
    const match = /^\s+([^:]+):\s*(.*)$/u.exec(line);
    if (match?.[1]) fields.set(match[1].trim(), (match[2] ?? "").trim());
  }
  return fields;
}

for (const signature of ["v4", "v2"] as const) {
  const flags = signature === "v2" ? ["--signature-v2"] : [];
  describe(`s3cmd (signature ${signature})`, () => {
    const bucket = uniqueName(`s3cmd-${signature}`);
    const run = (args: readonly string[], options: RunOptions = {}) => s3cmd([...flags, ...args], options);
    const small = randomBody(4321);
    const large = randomBody(7 * MiB + 5);
    let dir = "";

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `edgeswift-s3cmd-${signature}-`));
      await writeTree(dir, { "small.bin": small, "large.bin": large });
    });

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("s3cmd mb makes a bucket that s3cmd ls lists", async ({ expect }) => {
      const mb = await run(["mb", `s3://${bucket}`]);
      expect(mb.stdout, transcript(mb)).toContain(`Bucket 's3://${bucket}/' created`);
      const ls = await run(["ls"]);
      expect(ls.stdout, transcript(ls)).toMatch(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +s3://${bucket}$`, "mu"),
      );
    });

    it(
      "s3cmd put of a small file (with an x-amz-meta header) and of a 7 MiB file in 5 MiB parts (multipart); " +
        "s3cmd ls shows both with their sizes",
      async ({ expect }) => {
        const putSmall = await run([
          "put",
          "--add-header=x-amz-meta-color:blue",
          join(dir, "small.bin"),
          `s3://${bucket}/dir/small.bin`,
        ]);
        expect(putSmall.stdout, transcript(putSmall)).toContain(`-> 's3://${bucket}/dir/small.bin'`);
        // --debug: without a progress meter only s3cmd's debug output tells the parts.
        const putLarge = await run([
          "put",
          "--debug",
          "--multipart-chunk-size-mb=5",
          join(dir, "large.bin"),
          `s3://${bucket}/large.bin`,
        ]);
        expect(putLarge.stdout, transcript(putLarge)).toContain(`-> 's3://${bucket}/large.bin'`);
        expect(putLarge.stderr, "s3cmd --debug output").toContain("MultiPart: Upload finished: 2 parts");
        const top = await run(["ls", `s3://${bucket}`]);
        expect(top.stdout, transcript(top)).toMatch(new RegExp(`^ +DIR +s3://${bucket}/dir/$`, "mu"));
        expect(top.stdout, transcript(top)).toMatch(new RegExp(` ${large.length} +s3://${bucket}/large\\.bin$`, "mu"));
        const recursive = await run(["ls", "--recursive", `s3://${bucket}`]);
        expect(recursive.stdout, transcript(recursive)).toMatch(
          new RegExp(` ${small.length} +s3://${bucket}/dir/small\\.bin$`, "mu"),
        );
      },
    );

    it("s3cmd get returns both files byte for byte (s3cmd checks each one's md5 itself)", async ({
      expect,
      onTestFinished,
    }) => {
      const out = await tempDir(onTestFinished, "s3cmd-get");
      const getSmall = await run(["get", `s3://${bucket}/dir/small.bin`, join(out, "small.bin")]);
      const getLarge = await run(["get", `s3://${bucket}/large.bin`, join(out, "large.bin")]);
      expect((await readFile(join(out, "small.bin"))).equals(small), transcript(getSmall)).toBe(true);
      const back = await readFile(join(out, "large.bin"));
      expect(md5(back), transcript(getLarge)).toBe(md5(large));
      for (const get of [getSmall, getLarge]) expect(get.stderr, transcript(get)).not.toContain("MD5");
    });

    it("s3cmd info shows an object's size, md5, metadata header (no CORS), and the bucket's location", async ({
      expect,
    }) => {
      const info = await run(["info", `s3://${bucket}/dir/small.bin`]);
      const fields = infoFields(info);
      expect(fields.get("File size"), transcript(info)).toBe(String(small.length));
      expect(fields.get("MD5 sum"), transcript(info)).toBe(md5(small));
      expect(fields.get("x-amz-meta-color"), transcript(info)).toBe("blue");
      // s3cmd asks for the bucket's CORS configuration (GET ?cors) and prints what it got.
      expect(info.stdout, transcript(info)).not.toContain("ListBucketResult");
      const bucketInfo = await run(["info", `s3://${bucket}`]);
      expect(infoFields(bucketInfo).get("Location"), transcript(bucketInfo)).toBe(REGION);
    });

    it("s3cmd del deletes both objects, s3cmd rb removes the bucket, and s3cmd ls no longer lists it", async ({
      expect,
    }) => {
      const notEmpty = await run(["rb", `s3://${bucket}`], { allowFailure: true });
      expect(notEmpty.status, transcript(notEmpty)).not.toBe(0);
      expect(notEmpty.stderr, transcript(notEmpty)).toContain("BucketNotEmpty");
      for (const key of ["dir/small.bin", "large.bin"]) {
        const del = await run(["del", `s3://${bucket}/${key}`]);
        expect(del.stdout, transcript(del)).toContain(`delete: 's3://${bucket}/${key}'`);
      }
      const empty = await run(["ls", "--recursive", `s3://${bucket}`]);
      expect(empty.stdout.trim(), transcript(empty)).toBe("");
      const rb = await run(["rb", `s3://${bucket}`]);
      expect(rb.stdout, transcript(rb)).toContain(`Bucket 's3://${bucket}/' removed`);
      const ls = await run(["ls"]);
      expect(ls.stdout, transcript(ls)).not.toContain(`s3://${bucket}`);
    });
  });
}
