/**
 * @module
 * Bodies stored with `Content-Encoding: gzip` come back byte for byte over real HTTP: the
 * runtime must not gzip them a second time. `swift upload --header`, `swift download` (which
 * checks the MD5 against the ETag), `swift copy`, and curl with and without Accept-Encoding.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, inject, it } from "vitest";
import {
  md5,
  runClient,
  runSwift,
  tempDir,
  transcript,
  uniqueName,
  withoutClientEnv,
  writeTree,
  type RunOptions,
} from "./helpers";

const BASE_URL = inject("edgeswiftBaseUrl");
const OWNER = { user: "test:tester", key: "testing" };

const swift = (args: readonly string[], options: RunOptions = {}) => runSwift(BASE_URL, OWNER, args, options);

/** `curl -sS -D - -o FILE` as the owner; the headers as a map, the body as bytes. */
async function curlGet(
  dir: string,
  url: string,
  extra: readonly string[] = [],
): Promise<{ headers: Map<string, string>; body: Buffer; shown: string }> {
  const auth = await runClient([
    "curl",
    "-sS",
    "-D",
    "-",
    "-o",
    "/dev/null",
    "-H",
    `X-Auth-User: ${OWNER.user}`,
    "-H",
    `X-Auth-Key: ${OWNER.key}`,
    `${BASE_URL}/auth/v1.0`,
  ]);
  const token = /^x-auth-token: (\S+)/imu.exec(auth.stdout)?.[1] ?? "";
  const file = join(dir, uniqueName("body"));
  const run = await runClient(["curl", "-sS", "-D", "-", "-o", file, "-H", `X-Auth-Token: ${token}`, ...extra, url], {
    env: withoutClientEnv(["ST_", "OS_"]),
  });
  const headers = new Map<string, string>();
  for (const line of run.stdout.split(/\r?\n/u)) {
    const match = /^([\w-]+): (.*)$/u.exec(line);
    if (match?.[1] && match[2] !== undefined) headers.set(match[1].toLowerCase(), match[2]);
  }
  return { headers, body: await readFile(file), shown: transcript(run) };
}

describe("Content-Encoding: gzip objects", () => {
  it(
    "swift upload --header 'Content-Encoding: gzip', then swift download, swift copy and curl " +
      "(with and without Accept-Encoding: gzip) return the stored bytes with the stored ETag and Content-Length",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "gzip");
      const stored = gzipSync(Buffer.from("hello hello hello gzip world\n".repeat(200)));
      await writeTree(join(dir, "up"), { "page.html.gz": stored });
      const container = uniqueName("gzip");
      // Typed as what it is stored as: a compressible type (page.html.gz guesses text/html, as in
      // Swift) is re-encoded to each client's Accept-Encoding by Cloudflare's edge and by wrangler
      // dev, which copies it, whatever the Worker sends (README: Deploy, compression).
      await swift(
        [
          "upload",
          "--header",
          "Content-Encoding: gzip",
          "--header",
          "Content-Type: application/gzip",
          container,
          "page.html.gz",
        ],
        { cwd: join(dir, "up") },
      );

      const download = await swift(["download", container, "page.html.gz", "-o", join(dir, "downloaded.gz")]);
      expect(md5(await readFile(join(dir, "downloaded.gz"))), transcript(download)).toBe(md5(stored));

      await swift(["copy", container, "page.html.gz", "--destination", `/${container}/copy.gz`]);
      for (const name of ["page.html.gz", "copy.gz"]) {
        for (const extra of [[], ["-H", "Accept-Encoding: gzip"]]) {
          const got = await curlGet(dir, `${BASE_URL}/v1/AUTH_test/${container}/${name}`, extra);
          expect(got.headers.get("content-encoding"), got.shown).toBe("gzip");
          expect(got.headers.get("content-length"), got.shown).toBe(String(stored.length));
          expect(got.headers.get("etag"), got.shown).toBe(md5(stored));
          expect(md5(got.body), got.shown).toBe(md5(stored));
        }
      }
    },
  );
});
