/**
 * @module
 * Buckets, which are the caller's Swift containers: CreateBucket, HeadBucket, DeleteBucket,
 * GetBucketLocation, Get/PutBucketVersioning (Swift's object versioning, X-Versions-Enabled, so
 * versions made through either API are the same versions) and the bucket ACL as far as Swift's
 * container ACLs express it. AWS: the S3 API reference; Swift: s3api controllers/bucket.py,
 * location.py, versioning.py, acl.py.
 */

import { H } from "../../common/headers";
import { requestedAcls } from "./acl";
import { claimBucket, releaseBucket } from "./bucket-names";
import { S3Error } from "./errors";
import { bucketOf, CONFIG_BODY_MAX, emptyOk, headBucket, okOrThrow, type S3Request } from "./request";
import { removalHeaders } from "./sysmeta-document";
import { childText, el, parseXml, readBodyText, xmlResponse } from "./xml";

export { bucketOf, CONFIG_BODY_MAX, headBucket };

/** The region header HeadBucket answers with. */
const X_AMZ_BUCKET_REGION = "x-amz-bucket-region";

/**
 * CreateBucket: the name claimed (BucketAlreadyExists when another account holds it:
 * bucket-names.ts), then the container made; a LocationConstraint other than this region is
 * InvalidLocationConstraint, one that exists already BucketAlreadyOwnedByYou. A canned ACL
 * (x-amz-acl) or grant headers set the container's ACLs (acl.ts).
 */
export async function create(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const text = await readBodyText(req.body, CONFIG_BODY_MAX);
  if (text.trim() !== "") {
    const location = childText(parseXml(text, "CreateBucketConfiguration"), "LocationConstraint");
    if (location !== null && location !== "" && location !== req.ctx.config.s3.region)
      throw new S3Error("InvalidLocationConstraint", undefined, { LocationConstraint: location });
  }
  const acls = requestedAcls(req);
  await claimBucket(req.ctx, req.account, bucket);
  const response = await req.swift({ method: "PUT", container: bucket, headers: acls?.headers ?? {} });
  if (response.status === 202) {
    await response.body?.cancel();
    throw new S3Error("BucketAlreadyOwnedByYou", undefined, { BucketName: bucket });
  }
  await okOrThrow(response, "bucket");
  await response.body?.cancel();
  return emptyOk({ [H.LOCATION]: `/${bucket}` });
}

/** HeadBucket: 200 with the bucket's region; 404 (no body, as every HEAD) when there is none. */
export async function head(req: S3Request): Promise<Response> {
  await headBucket(req);
  return emptyOk({ [X_AMZ_BUCKET_REGION]: req.ctx.config.s3.region });
}

/** DeleteBucket: 204, the name given up; BucketNotEmpty while it holds objects (or versions). */
export async function remove(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const response = await okOrThrow(await req.swift({ method: "DELETE", container: bucket }), "bucket");
  await response.body?.cancel();
  // A multipart upload's parts live in `<bucket>+segments`: gone with the bucket when empty.
  const segments = await req.swift({ method: "DELETE", container: `${bucket}+segments` });
  await segments.body?.cancel();
  await releaseBucket(req.ctx, req.account, bucket);
  return new Response(null, { status: 204 });
}

/** GetBucketLocation: the region; us-east-1 is an empty constraint, as AWS writes it. */
export async function getLocation(req: S3Request): Promise<Response> {
  await headBucket(req);
  const region = req.ctx.config.s3.region;
  return xmlResponse(el("LocationConstraint", region === "us-east-1" ? null : region));
}

/** GetBucketVersioning: Enabled, Suspended, or nothing for a bucket never versioned. */
export async function getVersioning(req: S3Request): Promise<Response> {
  const headers = await headBucket(req);
  const enabled = headers.get(H.X_VERSIONS_ENABLED);
  const status = enabled === null ? null : enabled.toLowerCase() === "true" ? "Enabled" : "Suspended";
  return xmlResponse(el("VersioningConfiguration", status === null ? null : el("Status", status)));
}

/** PutBucketVersioning: Enabled or Suspended, as X-Versions-Enabled true or false; MFA delete is not served. */
export async function putVersioning(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const config = parseXml(await readBodyText(req.body, CONFIG_BODY_MAX), "VersioningConfiguration");
  const status = childText(config, "Status");
  const mfa = childText(config, "MfaDelete");
  if (status !== "Enabled" && status !== "Suspended") throw new S3Error("IllegalVersioningConfigurationException");
  if (mfa === "Enabled") throw new S3Error("NotImplemented", "MFA delete is not implemented.");
  const response = await okOrThrow(
    await req.swift({
      method: "POST",
      container: bucket,
      headers: { [H.X_VERSIONS_ENABLED]: status === "Enabled" ? "true" : "false" },
    }),
    "bucket",
  );
  await response.body?.cancel();
  return emptyOk();
}

// A bucket configuration kept as container system metadata (sysmeta-document.ts).

/** Sets a bucket's container headers (a configuration's, encoded above). */
async function postBucket(req: S3Request, headers: Headers): Promise<void> {
  const response = await okOrThrow(await req.swift({ method: "POST", container: bucketOf(req), headers }), "bucket");
  await response.body?.cancel();
}

/** Stores a configuration's headers (sysmeta-document.ts encodeDocument's) on the request's bucket; S3's 200. */
export async function storeDocument(req: S3Request, headers: Headers): Promise<Response> {
  await postBucket(req, headers);
  return emptyOk();
}

/** Removes the configuration under `base` from the request's bucket, if it has one; S3's 204 either way. */
export async function deleteDocument(req: S3Request, base: string): Promise<Response> {
  const current = await headBucket(req);
  if (current.get(base)) await postBucket(req, removalHeaders(base, current));
  return new Response(null, { status: 204 });
}
