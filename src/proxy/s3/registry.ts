/**
 * @module
 * The S3 operations' side of the housekeeping registry (the control record's `s3_housekeeping`
 * table, read by the job in housekeeping.ts): PutBucketLifecycleConfiguration registers its
 * bucket (and fails when it cannot, so that no rule is stored that nothing would enforce);
 * CreateMultipartUpload registers the bucket's uploads, at most once per REGISTERED_TTL_MS per
 * bucket in an isolate, so the one control record is not written by every upload (a failure
 * there is logged, not the client's: the upload works, and the next one registers the bucket).
 * The job drops a row only after it has been left alone for longer than REGISTERED_TTL_MS (see
 * housekeeping.ts FORGET_AFTER_MS), so an upload whose registration was skipped here is always
 * one a later pass sees.
 */

import type { Config } from "../../config/config";
import { controlStub } from "../../durable/names";
import type { S3HousekeepingKind } from "../../durable/schema/control";

/** How long an isolate takes a bucket's uploads as registered. */
export const REGISTERED_TTL_MS = 10 * 60 * 1000;
/** Buckets an isolate remembers at most (all are forgotten when it is full). */
const REGISTERED_MAX = 10_000;

const registered = new Map<string, number>();

/** Records that `bucket` of `account` needs housekeeping of `kind`; throws when the control record fails. */
export async function register(
  config: Pick<Config, "control">,
  account: string,
  bucket: string,
  kind: S3HousekeepingKind,
): Promise<void> {
  const reply = await controlStub(config).registerS3Housekeeping(account, bucket, kind);
  if (reply.status !== 200) throw new Error(`control record answered ${reply.status}`);
}

/**
 * Records that `bucket` has open multipart uploads (CreateMultipartUpload), unless this isolate
 * did so less than REGISTERED_TTL_MS ago; a failure is logged and left for the next upload.
 */
export async function registerUploads(config: Pick<Config, "control">, account: string, bucket: string) {
  const name = `${account}/${bucket}`;
  const now = Date.now();
  if ((registered.get(name) ?? 0) > now) return;
  try {
    await register(config, account, bucket, "uploads");
    if (registered.size >= REGISTERED_MAX) registered.clear();
    registered.set(name, now + REGISTERED_TTL_MS);
  } catch (error) {
    console.error(`S3 housekeeping: uploads of ${name} not registered:`, error);
  }
}
