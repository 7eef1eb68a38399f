/**
 * @module
 * The aws CLI (v1) against edgeswift's S3 API, configured as a user would with environment
 * variables only: AWS_ACCESS_KEY_ID `account:user`, AWS_SECRET_ACCESS_KEY the user's key (as
 * Swift's s3api maps tempauth users), AWS_DEFAULT_REGION us-east-1, `--endpoint-url <base>` (path-
 * style addressing on loopback). AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name empty files
 * in a temp HOME, so nothing of the caller's ~/.aws is read; AWS_* from the caller's shell is dropped
 * and the EC2 metadata service is never asked.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runClient, withoutClientEnv, type ClientRun, type RunOptions } from "../helpers";

/** S3 credentials: the access key is the Swift user's `account:user`, the secret its key. */
export interface S3Credentials {
  accessKey: string;
  secretKey: string;
}

/** test:tester of .dev.vars (AUTH_USERS), an .admin of account test (AUTH_test). */
export const TESTER: S3Credentials = { accessKey: "test:tester", secretKey: "testing" };
export const REGION = "us-east-1";

/** A temp HOME with empty aws config and credentials files. */
export interface AwsHome {
  dir: string;
  dispose(): Promise<void>;
}

export async function awsHome(): Promise<AwsHome> {
  const dir = await mkdtemp(join(tmpdir(), "edgeswift-aws-home-"));
  await writeFile(join(dir, "config"), "");
  await writeFile(join(dir, "credentials"), "");
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** The environment the aws CLI runs with (and boto3, which reads the same variables). */
export function awsEnv(home: AwsHome, who: S3Credentials = TESTER): Record<string, string | undefined> {
  return {
    ...withoutClientEnv(["AWS_"]),
    HOME: home.dir,
    AWS_ACCESS_KEY_ID: who.accessKey,
    AWS_SECRET_ACCESS_KEY: who.secretKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: join(home.dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home.dir, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    // aws CLI v2 (Debian's awscli) would page its output.
    AWS_PAGER: "",
  };
}

/** `aws --endpoint-url <baseUrl> --output json <args>`. */
export function runAws(
  baseUrl: string,
  home: AwsHome,
  args: readonly string[],
  options: RunOptions = {},
  who: S3Credentials = TESTER,
): Promise<ClientRun> {
  return runClient(["aws", "--endpoint-url", baseUrl, "--output", "json", ...args], {
    ...options,
    env: { ...awsEnv(home, who), ...options.env },
  });
}

/** The JSON an `aws s3api` command printed (an empty object when it printed nothing). */
export function awsJson<T = Record<string, unknown>>(run: ClientRun): T {
  const text = run.stdout.trim();
  return (text === "" ? {} : JSON.parse(text)) as T;
}
