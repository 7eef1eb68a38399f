/**
 * @module
 * Helpers for S3 integration tests: requests through the Worker's own fetch, signed with SigV4
 * by aws4fetch as an S3 SDK signs them, for the development users (access key `test:tester`,
 * secret `testing`, as Swift's s3api maps tempauth users).
 */

import { exports } from "cloudflare:workers";
import { AwsClient } from "aws4fetch";
import { BASE } from "../../helpers";

export { BASE };

export interface S3Init {
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** `[access key, secret]`; the default is test:tester's. */
  user?: [string, string];
  /** Sign in the query (a presigned URL) instead of the Authorization header. */
  presign?: boolean;
  /** Seconds a presigned URL stays valid (X-Amz-Expires). */
  expiresSeconds?: number;
  /** Sign as at this time (SigV4's x-amz-date). */
  datetime?: string;
  /** Sign the body as UNSIGNED-PAYLOAD. */
  unsignedPayload?: boolean;
}

const clients = new Map<string, AwsClient>();

function clientFor([accessKeyId, secretAccessKey]: [string, string]): AwsClient {
  const name = `${accessKeyId}\n${secretAccessKey}`;
  let client = clients.get(name);
  if (!client) {
    client = new AwsClient({ accessKeyId, secretAccessKey, service: "s3", region: "us-east-1" });
    clients.set(name, client);
  }
  return client;
}

/** A signed S3 request as sent, before it reaches the Worker (to tamper with it in tests). */
export async function signed(method: string, path: string, init: S3Init = {}): Promise<Request> {
  const client = clientFor(init.user ?? ["test:tester", "testing"]);
  const url = new URL(`${BASE}${path}`);
  if (init.presign && init.expiresSeconds !== undefined)
    url.searchParams.set("X-Amz-Expires", String(init.expiresSeconds));
  const headers: Record<string, string> = { ...init.headers };
  if (init.unsignedPayload) headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  return client.sign(url.toString(), {
    method,
    headers,
    body: init.body ?? null,
    aws: { signQuery: init.presign ?? false, datetime: init.datetime, allHeaders: true },
  });
}

/** An S3 request through the Worker; `path` is path-style (`/bucket/key?query`). */
export async function s3(method: string, path: string, init: S3Init = {}): Promise<Response> {
  return exports.default.fetch(await signed(method, path, init));
}

/** A response read whole. */
export interface S3Sent {
  status: number;
  body: string;
  headers: Headers;
}

export async function s3Sent(method: string, path: string, init: S3Init = {}): Promise<S3Sent> {
  const response = await s3(method, path, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** The text of the first element named `name` in an XML body, or null. */
export function xmlValue(body: string, name: string): string | null {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body);
  return match ? (match[1] ?? "") : null;
}

/** Every text of elements named `name`, in order. */
export function xmlValues(body: string, name: string): string[] {
  return [...body.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((match) => match[1] ?? "");
}

let counter = 0;
/** A bucket name unique within a test file (valid for S3: lower case, 3 or more characters). */
export function bucketName(prefix = "bucket"): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
