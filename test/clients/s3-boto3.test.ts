/**
 * @module
 * boto3 against edgeswift's S3 API: s3/boto3_check.py (put, get, head, list_objects_v2 with a
 * paginator, copy, multipart through upload_fileobj, presigned GET (SigV4 and SigV2) and PUT URLs
 * fetched with urllib, delete, error codes) run with two boto3s: Debian's (python3-boto3,
 * /usr/bin/python3), and a current one pinned below, installed with pip into a venv under
 * node_modules/.cache (made once, kept between runs). The current one sends CRC32 checksums by
 * default (`x-amz-checksum-crc32`, and a checksum algorithm on multipart uploads); they are left on,
 * as an application leaves them.
 */

import { access } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, inject, it, type ExpectStatic } from "vitest";
import { runClient, transcript, type ClientRun } from "./helpers";
import { awsEnv, awsHome, TESTER, type AwsHome } from "./s3/aws-cli";

const BASE_URL = inject("edgeswiftBaseUrl");
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = join(REPO_ROOT, "test/clients/s3/boto3_check.py");
/** Debian's python, whose dist-packages hold python3-boto3 (a pyenv python3 on PATH may hold another). */
const DEBIAN_PYTHON = "/usr/bin/python3";
/**
 * The current boto3: pip installs it (and the botocore and s3transfer it pins) into the venv.
 * PyPI itself is not reachable here; pip's configured local index (/etc/pip.conf) holds this one.
 */
const BOTO3_VERSION = "1.43.107";
const VENV = join(REPO_ROOT, "node_modules/.cache", `boto3-venv-${BOTO3_VERSION}`);
const VENV_PYTHON = join(VENV, "bin/python");
/** How many checks boto3_check.py runs: each prints "ok: …" when it passed. */
const CHECKS = 14;

let home: AwsHome;

beforeAll(async () => {
  home = await awsHome();
});

afterAll(async () => {
  await home?.dispose();
});

/** `<python> boto3_check.py <base> test:tester testing`, with AWS_* from a temp HOME only. */
function boto3Check(python: string): Promise<ClientRun> {
  return runClient([python, SCRIPT, BASE_URL, TESTER.accessKey, TESTER.secretKey], {
    allowFailure: true,
    timeoutMs: 600_000,
    env: awsEnv(home),
  });
}

function expectAllPassed(run: ClientRun, expect: ExpectStatic, version: RegExp): void {
  expect(run.stdout.split("\n")[0], transcript(run)).toMatch(version);
  expect(run.stdout, transcript(run)).not.toContain("FAIL:");
  expect(
    run.stdout.split("\n").filter((line) => line.startsWith("ok: ")),
    transcript(run),
  ).toHaveLength(CHECKS);
  expect(run.stdout, transcript(run)).toContain("all checks passed");
  expect(run.status, transcript(run)).toBe(0);
}

describe("boto3", () => {
  it("Debian's boto3 (python3-boto3): every check of boto3_check.py passes", async ({ expect }) => {
    const run = await boto3Check(DEBIAN_PYTHON);
    expectAllPassed(run, expect, /^boto3 \d+\.\d+\.\d+, botocore \d+\.\d+\.\d+$/u);
  });

  describe(`boto3 ${BOTO3_VERSION} (pip, in a venv), with its default checksums`, () => {
    /** Why boto3 could not be installed: no package index this machine reaches has it (pip's words). */
    let unreachable: string | null = null;
    beforeAll(async () => {
      const installed = await access(VENV_PYTHON).then(
        () => runClient([VENV_PYTHON, "-c", "import boto3; print(boto3.__version__)"], { allowFailure: true }),
        () => null,
      );
      if (installed?.status === 0 && installed.stdout.trim() === BOTO3_VERSION) return;
      await runClient([DEBIAN_PYTHON, "-m", "venv", "--clear", VENV]);
      const install = await runClient(
        // --retries 0: where PyPI's host does not resolve, pip goes on to its other indexes at once.
        [
          VENV_PYTHON,
          "-m",
          "pip",
          "install",
          "--disable-pip-version-check",
          "--retries",
          "0",
          "--quiet",
          `boto3==${BOTO3_VERSION}`,
        ],
        { timeoutMs: 300_000, allowFailure: true },
      );
      if (install.status === 0) return;
      // A machine whose registries do not include PyPI (or a mirror of it) cannot have this
      // client; any other failure of pip is this test's failure.
      if (/No matching distribution found|Could not find a version that satisfies/u.test(install.stderr)) {
        unreachable = install.stderr.trim().split("\n").at(-1) ?? "pip found no boto3";
        return;
      }
      throw new Error(`pip install boto3==${BOTO3_VERSION} failed:\n${transcript(install)}`);
    });

    it("every check of boto3_check.py passes", async ({ expect, skip }) => {
      if (unreachable !== null) {
        console.warn(`boto3 ${BOTO3_VERSION} not installable here (${unreachable}): skipped`);
        skip();
      }
      const run = await boto3Check(VENV_PYTHON);
      expectAllPassed(run, expect, new RegExp(`^boto3 ${BOTO3_VERSION.replaceAll(".", "\\.")}, botocore `, "u"));
    });
  });
});
