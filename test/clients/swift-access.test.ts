/**
 * @module
 * Access to another user's data with the `swift` command (python3-swiftclient): container read and
 * write ACLs set with `swift post -r` / `-w`, used anonymously (curl) and by other users
 * (`swift --os-storage-url <AUTH_test URL>` with their own credentials), and TempURLs made with
 * `swift tempurl` and fetched with curl. Every assertion message carries the clients' own output.
 *
 * Users: test:tester owns AUTH_test (.admin); test2:tester2 is .admin of AUTH_test2 only;
 * test:tester3 is in AUTH_test's group but has no role, so it sees only what ACLs grant it.
 */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  listed,
  md5,
  randomBody,
  runClient,
  runSwift,
  statFields,
  tempDir,
  transcript,
  uniqueName,
  withoutClientEnv,
  writeTree,
  type ClientRun,
  type RunOptions,
  type SwiftUser,
} from "./helpers";

const BASE_URL = inject("edgeswiftBaseUrl");
const ACCOUNT_URL = `${BASE_URL}/v1/AUTH_test`;
const TEMP_URL_KEY = "secret";

type Credentials = SwiftUser;
const OWNER: Credentials = { user: "test:tester", key: "testing" };
const OTHER_ACCOUNT_ADMIN: Credentials = { user: "test2:tester2", key: "testing2" };
const NO_ROLE: Credentials = { user: "test:tester3", key: "testing3" };

/**
 * `swift -A … -U <user> -K <key> <args>`; for anyone but the owner, `--os-storage-url` points at
 * AUTH_test, as a user of another account reaches a container shared with them. ST_* and OS_* from
 * the caller's shell are dropped.
 */
function swiftAs(who: Credentials, args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return runSwift(BASE_URL, who, args, options, who === OWNER ? null : ACCOUNT_URL);
}

function swift(args: readonly string[], options: RunOptions = {}): Promise<ClientRun> {
  return swiftAs(OWNER, args, options);
}

interface CurlResult {
  run: ClientRun;
  /** The HTTP status of the response. */
  status: number;
  body: Buffer;
}

/**
 * `curl -sS -D - -o <file> <url>` with no token: the response headers on stdout (so a failure shows
 * them), the body in a file of `dir`.
 */
async function curl(dir: string, url: string, extra: readonly string[] = []): Promise<CurlResult> {
  const bodyFile = join(dir, `curl-body-${uniqueName("b")}`);
  const run = await runClient(["curl", "-sS", "-g", "-D", "-", "-o", bodyFile, ...extra, url], {
    env: withoutClientEnv(["ST_", "OS_"]),
  });
  const statusLine = /^HTTP\/[\d.]+ (\d{3})/u.exec(run.stdout);
  const body = await readFile(bodyFile).catch(() => Buffer.alloc(0));
  return { run, status: Number(statusLine?.[1] ?? 0), body };
}

/** A curl result for an assertion message: its transcript and the start of the body. */
function shown(result: CurlResult): string {
  return `${transcript(result.run)}\n--- body (first 300 bytes) ---\n${result.body.subarray(0, 300).toString("utf8")}`;
}

/** Creates a container of test:tester holding `name` with `body`, uploaded with `swift upload`. */
async function containerWith(dir: string, name: string, body: Buffer | string, prefix: string): Promise<string> {
  const container = uniqueName(prefix);
  await writeTree(join(dir, "up"), { [name]: body });
  await swift(["upload", container, name], { cwd: join(dir, "up") });
  return container;
}

describe("container ACLs with swift post -r / -w", () => {
  it(
    "swift post -r '.r:*,.rlistings' lets an anonymous curl download the object and list the container; " +
      "after swift post -r '' both get 401",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "acl");
      const body = randomBody(64 * 1024 + 3);
      const container = await containerWith(dir, "shared file.bin", body, "acl-public");
      const objectUrl = `${ACCOUNT_URL}/${container}/shared%20file.bin`;

      const before = await curl(dir, objectUrl);
      expect(before.status, shown(before)).toBe(401);

      const post = await swift(["post", "-r", ".r:*,.rlistings", container]);
      const stat = await swift(["stat", container]);
      expect(statFields(stat).get("Read ACL"), `${transcript(post)}\n${transcript(stat)}`).toBe(".r:*,.rlistings");

      const download = await curl(dir, objectUrl);
      expect(download.status, shown(download)).toBe(200);
      expect(download.body.equals(body), shown(download)).toBe(true);
      const listing = await curl(dir, `${ACCOUNT_URL}/${container}?format=json`);
      expect(listing.status, shown(listing)).toBe(200);
      expect(JSON.parse(listing.body.toString("utf8")), shown(listing)).toEqual([
        expect.objectContaining({ name: "shared file.bin", bytes: body.length, hash: md5(body) }),
      ]);
      // Anonymous reads are not writes: the ACL grants no PUT.
      const put = await curl(dir, `${ACCOUNT_URL}/${container}/anonymous.txt`, [
        "-X",
        "PUT",
        "--data-binary",
        "anonymous",
      ]);
      expect(put.status, shown(put)).toBe(401);

      const revoke = await swift(["post", "-r", "", container]);
      const revoked = await swift(["stat", container]);
      expect(statFields(revoked).get("Read ACL"), `${transcript(revoke)}\n${transcript(revoked)}`).toBe("");
      const downloadAfter = await curl(dir, objectUrl);
      expect(downloadAfter.status, shown(downloadAfter)).toBe(401);
      const listingAfter = await curl(dir, `${ACCOUNT_URL}/${container}`);
      expect(listingAfter.status, shown(listingAfter)).toBe(401);
    },
  );

  it(
    "swift post -r '.r:*' without .rlistings lets an anonymous curl download the object " +
      "but not list the container (401)",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "acl");
      const container = await containerWith(dir, "note.txt", "readable, not listable\n", "acl-no-listings");
      await swift(["post", "-r", ".r:*", container]);
      const download = await curl(dir, `${ACCOUNT_URL}/${container}/note.txt`);
      expect(download.status, shown(download)).toBe(200);
      expect(download.body.toString("utf8"), shown(download)).toBe("readable, not listable\n");
      const listing = await curl(dir, `${ACCOUNT_URL}/${container}`);
      expect(listing.status, shown(listing)).toBe(401);
    },
  );

  it(
    "swift post -r 'test2:tester2' lets test2:tester2 (another account) list and download with --os-storage-url, " +
      "but not upload; test:tester3 (no role) is refused 403",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "acl");
      const body = randomBody(200_000);
      const container = await containerWith(dir, "data.bin", body, "acl-read-user");

      const refusedBefore = await swiftAs(
        OTHER_ACCOUNT_ADMIN,
        ["download", container, "data.bin", "-o", join(dir, "early.bin")],
        { allowFailure: true },
      );
      expect(refusedBefore.status, transcript(refusedBefore)).toBe(1);
      expect(refusedBefore.stderr, transcript(refusedBefore)).toContain("403 Forbidden");

      const post = await swift(["post", "-r", "test2:tester2", container]);
      const stat = await swift(["stat", container]);
      expect(statFields(stat).get("Read ACL"), `${transcript(post)}\n${transcript(stat)}`).toBe("test2:tester2");

      const list = await swiftAs(OTHER_ACCOUNT_ADMIN, ["list", container]);
      expect(listed(list), transcript(list)).toEqual(["data.bin"]);
      const download = await swiftAs(OTHER_ACCOUNT_ADMIN, [
        "download",
        container,
        "data.bin",
        "-o",
        join(dir, "by-test2.bin"),
      ]);
      expect((await readFile(join(dir, "by-test2.bin"))).equals(body), transcript(download)).toBe(true);

      await writeTree(dir, { "intruder.txt": "should not land\n" });
      const upload = await swiftAs(OTHER_ACCOUNT_ADMIN, ["upload", "--leave-segments", container, "intruder.txt"], {
        cwd: dir,
        allowFailure: true,
      });
      expect(upload.status, transcript(upload)).toBe(1);
      expect(upload.stderr, transcript(upload)).toContain("403 Forbidden");

      const third = await swiftAs(NO_ROLE, ["download", container, "data.bin", "-o", join(dir, "by-tester3.bin")], {
        allowFailure: true,
      });
      expect(third.status, transcript(third)).toBe(1);
      expect(third.stderr, transcript(third)).toContain("403 Forbidden");
      const thirdList = await swiftAs(NO_ROLE, ["list", container], { allowFailure: true });
      expect(thirdList.status, transcript(thirdList)).toBe(1);
      expect(thirdList.stderr, transcript(thirdList)).toContain("403 Forbidden");

      const owners = await swift(["list", container]);
      expect(listed(owners), transcript(owners)).toEqual(["data.bin"]);
    },
  );

  it(
    "swift post -w 'test2:tester2' lets test2:tester2 upload into test's container " +
      "(swift upload --leave-segments, which needs no read), the owner reads it back byte for byte, " +
      "and test:tester3 is refused 403",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "acl");
      const container = await containerWith(dir, "owner.txt", "the owner's\n", "acl-write-user");
      const body = randomBody(300_001);
      await writeTree(dir, { "from test2.bin": body, "from tester3.txt": "no\n" });

      const refusedBefore = await swiftAs(
        OTHER_ACCOUNT_ADMIN,
        ["upload", "--leave-segments", container, "from test2.bin"],
        { cwd: dir, allowFailure: true },
      );
      expect(refusedBefore.status, transcript(refusedBefore)).toBe(1);
      expect(refusedBefore.stderr, transcript(refusedBefore)).toContain("403 Forbidden");

      const post = await swift(["post", "-w", "test2:tester2", container]);
      const stat = await swift(["stat", container]);
      expect(statFields(stat).get("Write ACL"), `${transcript(post)}\n${transcript(stat)}`).toBe("test2:tester2");
      expect(statFields(stat).get("Read ACL"), transcript(stat)).toBe("");

      // Without --leave-segments, swift upload first HEADs the object to find old segments, which a write ACL
      // alone does not allow (real Swift: 403 too).
      const upload = await swiftAs(OTHER_ACCOUNT_ADMIN, ["upload", "--leave-segments", container, "from test2.bin"], {
        cwd: dir,
      });
      expect(upload.stdout, transcript(upload)).toContain("from test2.bin");

      const list = await swift(["list", container]);
      expect(listed(list), `${transcript(upload)}\n${transcript(list)}`).toEqual(["from test2.bin", "owner.txt"]);
      const download = await swift(["download", container, "from test2.bin", "-o", join(dir, "back.bin")]);
      expect((await readFile(join(dir, "back.bin"))).equals(body), transcript(download)).toBe(true);

      const readBack = await swiftAs(
        OTHER_ACCOUNT_ADMIN,
        ["download", container, "from test2.bin", "-o", join(dir, "test2-read.bin")],
        { allowFailure: true },
      );
      expect(readBack.status, transcript(readBack)).toBe(1);
      expect(readBack.stderr, transcript(readBack)).toContain("403 Forbidden");

      const third = await swiftAs(NO_ROLE, ["upload", "--leave-segments", container, "from tester3.txt"], {
        cwd: dir,
        allowFailure: true,
      });
      expect(third.status, transcript(third)).toBe(1);
      expect(third.stderr, transcript(third)).toContain("403 Forbidden");
      const after = await swift(["list", container]);
      expect(listed(after), transcript(after)).toEqual(["from test2.bin", "owner.txt"]);
    },
  );
});

describe("TempURL with swift post -m Temp-URL-Key and swift tempurl", () => {
  let keyDir = "";
  const body = randomBody(512 * 1024 + 11);
  let container = "";
  /** The object's path as swift tempurl takes it. */
  let path = "";

  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), "edgeswift-tempurl-"));
    container = await containerWith(keyDir, "temp-object.bin", body, "tempurl");
    path = `/v1/AUTH_test/${container}/temp-object.bin`;
    const post = await swift(["post", "-m", `Temp-URL-Key:${TEMP_URL_KEY}`]);
    const stat = await swift(["stat"]);
    if (statFields(stat).get("Meta Temp-Url-Key") !== TEMP_URL_KEY) {
      throw new Error(`the account's Temp-URL-Key was not set:\n${transcript(post)}\n${transcript(stat)}`);
    }
  });

  afterAll(async () => {
    await swift(["post", "-m", "Temp-URL-Key:"]);
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  /** `swift tempurl <args>`: the URL it printed (a path, unless it was given a full URL). */
  async function tempurl(args: readonly string[]): Promise<{ run: ClientRun; url: string }> {
    const run = await swift(["tempurl", ...args]);
    const printed = run.stdout.trim();
    return { run, url: printed.startsWith("http") ? printed : `${BASE_URL}${printed}` };
  }

  const DIGESTS = [
    { digest: "sha1", signature: /^[0-9a-f]{40}$/u },
    { digest: "sha256", signature: /^[0-9a-f]{64}$/u },
    { digest: "sha512", signature: /^sha512:[\w-]{86}$/u },
  ];

  for (const { digest, signature } of DIGESTS) {
    it(
      `swift tempurl --digest ${digest} GET 3600 with the account's key ` +
        "gives a URL that curl downloads byte for byte without a token",
      async ({ expect, onTestFinished }) => {
        const dir = await tempDir(onTestFinished, "tempurl");
        const { run, url } = await tempurl(["--digest", digest, "GET", "3600", path, TEMP_URL_KEY]);
        const query = new URL(url).searchParams;
        expect(query.get("temp_url_sig"), transcript(run)).toMatch(signature);
        const download = await curl(dir, url);
        expect(download.status, `${transcript(run)}\n${shown(download)}`).toBe(200);
        expect(download.body.length, shown(download)).toBe(body.length);
        expect(download.body.equals(body), shown(download)).toBe(true);
      },
    );
  }

  it(
    "swift tempurl GET 3600 without --digest signs with sha256 (this swiftclient's default), " +
      "and --iso8601 and a full storage URL give URLs that download too",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "tempurl");
      const plain = await tempurl(["GET", "3600", path, TEMP_URL_KEY]);
      expect(new URL(plain.url).searchParams.get("temp_url_sig"), transcript(plain.run)).toMatch(/^[0-9a-f]{64}$/u);
      const iso = await tempurl(["--iso8601", "GET", "3600", path, TEMP_URL_KEY]);
      expect(new URL(iso.url).searchParams.get("temp_url_expires"), transcript(iso.run)).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u,
      );
      const full = await tempurl(["GET", "3600", `${BASE_URL}${path}`, TEMP_URL_KEY]);
      for (const { run, url } of [plain, iso, full]) {
        const download = await curl(dir, url);
        expect(download.status, `${transcript(run)}\n${shown(download)}`).toBe(200);
        expect(download.body.equals(body), shown(download)).toBe(true);
      }
    },
  );

  it(
    "swift tempurl of an object named with a space and unicode signs the plain name, " +
      "and the URL downloads once its path is percent-encoded as a browser or curl user must",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "tempurl");
      const name = "naïve résumé ✓.txt";
      await writeTree(join(dir, "up"), { [name]: "spaced and unicode\n" });
      await swift(["upload", container, name], { cwd: join(dir, "up") });
      const run = await swift(["tempurl", "GET", "3600", `/v1/AUTH_test/${container}/${name}`, TEMP_URL_KEY]);
      const printed = run.stdout.trim();
      expect(printed, transcript(run)).toContain(name);
      const [pathPart = "", query = ""] = printed.split("?");
      const download = await curl(dir, `${BASE_URL}${encodeURI(pathPart)}?${query}`);
      expect(download.status, `${transcript(run)}\n${shown(download)}`).toBe(200);
      expect(download.body.toString("utf8"), shown(download)).toBe("spaced and unicode\n");
    },
  );

  it(
    "a tempurl gets 401 once expired: swift tempurl --absolute with a past time, " +
      "and a 20-second tempurl that downloads at once but not after it ran out",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "tempurl");
      const now = Math.floor(Date.now() / 1000);
      const past = await tempurl(["--absolute", "GET", String(now - 60), path, TEMP_URL_KEY]);
      const expired = await curl(dir, past.url);
      expect(expired.status, `${transcript(past.run)}\n${shown(expired)}`).toBe(401);

      // 20 s: room for a busy machine to run swift tempurl and curl before it runs out.
      const short = await tempurl(["GET", "20", path, TEMP_URL_KEY]);
      const expires = Number(new URL(short.url).searchParams.get("temp_url_expires"));
      const fresh = await curl(dir, short.url);
      expect(fresh.status, `${transcript(short.run)}\n${shown(fresh)}`).toBe(200);
      expect(fresh.body.equals(body), shown(fresh)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires * 1000 - Date.now()) + 1500));
      const stale = await curl(dir, short.url);
      expect(stale.status, `${transcript(short.run)}\n${shown(stale)}`).toBe(401);
    },
  );

  it(
    "a tampered tempurl gets 401: changed signature, later expiry, another object's path, the wrong key, " +
      "a GET URL used for PUT, and a PUT URL used for GET",
    async ({ expect, onTestFinished }) => {
      const dir = await tempDir(onTestFinished, "tempurl");
      const good = await tempurl(["GET", "3600", path, TEMP_URL_KEY]);
      const url = new URL(good.url);
      const sig = url.searchParams.get("temp_url_sig") ?? "";
      const expires = url.searchParams.get("temp_url_expires") ?? "";

      const withQuery = (pathname: string, signature: string, expiry: string): string =>
        `${url.origin}${pathname}?temp_url_sig=${signature}&temp_url_expires=${expiry}`;
      const flipped = `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`;
      const wrongKey = await tempurl(["GET", "3600", path, "not-the-secret"]);
      const putUrl = await tempurl(["PUT", "3600", path, TEMP_URL_KEY]);
      const cases: [string, string, readonly string[]][] = [
        ["changed signature", withQuery(url.pathname, flipped, expires), []],
        ["later expiry", withQuery(url.pathname, sig, String(Number(expires) + 1)), []],
        ["another object's path", withQuery(url.pathname.replace("temp-object.bin", "other.bin"), sig, expires), []],
        ["the wrong key", wrongKey.url, []],
        ["a GET URL used for PUT", good.url, ["-X", "PUT", "--data-binary", "overwrite"]],
        ["a PUT URL used for GET", putUrl.url, []],
      ];
      for (const [what, tampered, extra] of cases) {
        const result = await curl(dir, tampered, extra);
        expect(result.status, `${what}\n${transcript(good.run)}\n${shown(result)}`).toBe(401);
      }
      // The genuine URL still works and the object is unchanged.
      const download = await curl(dir, good.url);
      expect(download.status, shown(download)).toBe(200);
      expect(download.body.equals(body), shown(download)).toBe(true);
    },
  );
});
