/**
 * @module
 * S3 ACLs as far as S3's and Swift's models meet. A bucket's ACL is its container's ACLs:
 * X-Container-Read and X-Container-Write. A grant is said as a canned ACL (`x-amz-acl`), as grant
 * headers (`x-amz-grant-read: id="test2:tester2", uri="…/AllUsers"`) or as an AccessControlPolicy
 * document, and stored as Swift says it:
 * - the AllUsers group's READ: `.r:*,.rlistings` (anyone reads and lists);
 * - a user's READ or WRITE (its canonical ID is a Swift user, `account:user`, or a whole account):
 *   that name in the read or write ACL; FULL_CONTROL both;
 * - the owner's grants: nothing (an account's owner always has full control in Swift).
 * What Swift cannot keep is NotImplemented, never stored as something else: READ_ACP and
 * WRITE_ACP (only owners change Swift's ACLs), the AllUsers group's WRITE (Swift's ACLs grant
 * anonymous callers no write, so `public-read-write` too), AuthenticatedUsers, LogDelivery and
 * grantees by e-mail address. GetBucketAcl reads the grants back from the container's ACLs.
 * Objects have no ACL of their own in Swift: GetObjectAcl shows the owner's FULL_CONTROL and what
 * the bucket grants readers; PutObjectAcl (and a canned ACL on PutObject, ignored as s3api
 * ignores it) is accepted when it asks for what the object already has, NotImplemented otherwise.
 * The grants and their Swift form are acl-grants.ts's. AWS: "Access control list (ACL)
 * overview", PutBucketAcl, GetBucketAcl, PutObjectAcl; Swift: s3api acl_utils.py
 * swift_acl_translate (without s3_acl).
 */

import {
  aclHeaders,
  containerGrants,
  documentGrants,
  type Grant,
  grantsOfHeaders,
  policyResponse,
  sameGrants,
  X_AMZ_ACL,
} from "./acl-grants";
import { claimBucket } from "./bucket-names";
import { S3Error } from "./errors";
import { bucketOf, CONFIG_BODY_MAX, emptyOk, headBucket, keyOf, okOrThrow, type S3Request } from "./request";
import { readBodyText } from "./xml";

/** The container ACL headers a CreateBucket's canned ACL or grant headers ask for; null when it names none. */
export function requestedAcls(req: S3Request): { headers: Record<string, string>; public: boolean } | null {
  const grants = grantsOfHeaders(req.request.headers);
  return grants === null ? null : aclHeaders(grants, req.owner);
}

/** The grants a PutBucketAcl or PutObjectAcl asks for: its headers' or its document's (not both). */
async function askedGrants(req: S3Request): Promise<Grant[]> {
  const text = await readBodyText(req.body, CONFIG_BODY_MAX);
  const fromHeaders = grantsOfHeaders(req.request.headers);
  if (text.trim() !== "") {
    if (fromHeaders !== null) throw new S3Error("UnexpectedContent");
    return documentGrants(text);
  }
  if (fromHeaders === null) throw new S3Error("MissingSecurityHeader", undefined, { MissingHeaderName: X_AMZ_ACL });
  return fromHeaders;
}

/** GetBucketAcl: the owner's FULL_CONTROL and what the container's ACLs grant. */
export async function getBucketAcl(req: S3Request): Promise<Response> {
  return policyResponse(req.owner, containerGrants(await headBucket(req), req.owner));
}

/**
 * PutBucketAcl: a canned ACL, grant headers or a document, set as the container's ACLs; a public
 * one claims the bucket's name (anonymous requests find the bucket by it: bucket-names.ts).
 */
export async function putBucketAcl(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const { headers, public: open } = aclHeaders(await askedGrants(req), req.owner);
  await headBucket(req);
  if (open) await claimBucket(req.ctx, req.account, bucket);
  const response = await okOrThrow(await req.swift({ method: "POST", container: bucket, headers }), "bucket");
  await response.body?.cancel();
  return emptyOk();
}

/** The grants an object has: the owner's FULL_CONTROL and the bucket's readers' READ. */
async function objectGrants(req: S3Request): Promise<Grant[]> {
  const head = await okOrThrow(
    await req.swift({ method: "HEAD", container: bucketOf(req), object: keyOf(req) }),
    "object",
  );
  await head.body?.cancel();
  return containerGrants(await headBucket(req), req.owner).filter((grant) => grant.permission !== "WRITE");
}

/** GetObjectAcl: the owner's FULL_CONTROL and the readers the bucket grants (objects carry no ACL in Swift). */
export async function getObjectAcl(req: S3Request): Promise<Response> {
  return policyResponse(req.owner, await objectGrants(req));
}

/** PutObjectAcl: accepted when it asks for the grants the object has; NotImplemented otherwise. */
export async function putObjectAcl(req: S3Request): Promise<Response> {
  if (!sameGrants(await askedGrants(req), await objectGrants(req), req.owner))
    throw new S3Error("NotImplemented", "Objects have no ACL of their own in Swift: set the bucket's ACL.");
  return emptyOk();
}
