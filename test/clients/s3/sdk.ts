/**
 * @module
 * The AWS SDK for JavaScript v3 as the client tests use it, in this Node process as an application
 * would: an S3Client on path-style addressing, region us-east-1, explicit credentials of
 * test:tester, one attempt. `isolateSdkEnvironment()` sets AWS_* of the caller's shell aside for
 * a test file and points the SDK at empty config and credentials files, so nothing of the
 * caller's ~/.aws is read and the EC2 metadata service is never asked.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client, type S3ClientConfig, S3ServiceException } from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { REGION, TESTER } from "./aws-cli";

/** Registers the hooks that give the test file a clean AWS_* environment and empty config files. */
export function isolateSdkEnvironment(): void {
  let saved: Record<string, string | undefined> = {};
  let home = "";
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "edgeswift-sdk-home-"));
    await writeFile(join(home, "config"), "");
    await writeFile(join(home, "credentials"), "");
    for (const name of Object.keys(process.env)) {
      if (name.startsWith("AWS_")) {
        saved[name] = process.env[name];
        delete process.env[name];
      }
    }
    for (const name of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED"]) {
      saved[name] = process.env[name];
    }
    process.env.AWS_CONFIG_FILE = join(home, "config");
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, "credentials");
    process.env.AWS_EC2_METADATA_DISABLED = "true";
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved = {};
    if (home) await rm(home, { recursive: true, force: true });
  });
}

/** An S3Client for test:tester on edgeswift at `baseUrl`; `config` adds to or overrides the defaults. */
export function sdkClient(baseUrl: string, config: S3ClientConfig = {}): S3Client {
  return new S3Client({
    endpoint: baseUrl,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: TESTER.accessKey, secretAccessKey: TESTER.secretKey },
    maxAttempts: 1,
    ...config,
  });
}

/** What an SDK call failed with: the S3 error's name (code) and HTTP status; null when it succeeded. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined } | null> {
  try {
    await call;
    return null;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
}
