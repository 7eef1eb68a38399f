/**
 * @module
 * S3's bucket names are one namespace shared by every account; Swift's container names are each
 * account's own. The control record keeps which account holds each S3 name (its `s3_bucket`
 * table): CreateBucket claims the name (BucketAlreadyExists when another account's container of
 * that name exists), DeleteBucket gives it up, and PutBucketCors and a public PutBucketAcl claim
 * the name of a container made through Swift, so that requests that name no account (anonymous
 * reads of a public bucket, browsers' CORS preflights) find it. Those lookups go through the
 * isolate's info cache (OWNER_TTL_MS; a name nobody holds for a tenth of it).
 * A name whose container its owner deleted through Swift, or whose account was reaped, is stale:
 * the next claim by another account finds the owner's container gone and takes the name over.
 * AWS: "Bucket naming rules" (a name is unique across all accounts), CreateBucket.
 */

import { controlStub } from "../../durable/names";
import { containerInfo } from "../services/container";
import type { ServiceContext } from "../services/context";
import { S3Error } from "./errors";

/** How long an isolate trusts a name's owner. */
const OWNER_TTL_MS = 10_000;

const ownerKey = (name: string) => `s3-bucket:${name}`;

/** The account (`AUTH_test`) that holds a bucket name, or null when none does. */
export async function bucketOwner(ctx: ServiceContext, name: string): Promise<string | null> {
  const now = Date.now();
  const cached = ctx.cache.get<string | null>(ownerKey(name), now);
  if (cached !== undefined) return cached;
  const reply = await controlStub(ctx.config).s3BucketOwner(name);
  if (reply.status !== 200) throw new Error(`control record answered ${reply.status}`);
  const owner = reply.value ?? null;
  ctx.cache.set(ownerKey(name), owner, owner === null ? OWNER_TTL_MS / 10 : OWNER_TTL_MS, now);
  return owner;
}

async function claim(ctx: ServiceContext, name: string, account: string, replacing: string | null): Promise<string> {
  const reply = await controlStub(ctx.config).claimS3Bucket(name, account, replacing);
  if (reply.status !== 200 || reply.value === undefined) throw new Error(`control record answered ${reply.status}`);
  ctx.cache.set(ownerKey(name), reply.value, OWNER_TTL_MS, Date.now());
  return reply.value;
}

/**
 * Claims a bucket name for `account`; BucketAlreadyExists when another account holds it and its
 * container of that name exists (asked of the newest replica), else the name is taken over.
 */
export async function claimBucket(ctx: ServiceContext, account: string, name: string): Promise<void> {
  const owner = await claim(ctx, name, account, null);
  if (owner === account) return;
  if ((await containerInfo(ctx, owner, name, true)) !== null)
    throw new S3Error("BucketAlreadyExists", undefined, { BucketName: name });
  if ((await claim(ctx, name, account, owner)) !== account)
    throw new S3Error("BucketAlreadyExists", undefined, { BucketName: name });
}

/** Gives a bucket name up if `account` holds it (its container is gone). */
export async function releaseBucket(ctx: ServiceContext, account: string, name: string): Promise<void> {
  const reply = await controlStub(ctx.config).releaseS3Bucket(name, account);
  if (reply.status !== 200) throw new Error(`control record answered ${reply.status}`);
  ctx.cache.delete(ownerKey(name));
}
