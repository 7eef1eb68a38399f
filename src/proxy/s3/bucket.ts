/**
 * @module
 * Buckets, which are the caller's Swift containers: CreateBucket, HeadBucket, DeleteBucket,
 * GetBucketLocation, Get/PutBucketVersioning (Swift's object versioning, X-Versions-Enabled, so
 * versions made through either API are the same versions) and the bucket ACL as far as Swift's
 * container ACLs express it. AWS: the S3 API reference; Swift: s3api controllers/bucket.py,
 * location.py, versioning.py, acl.py.
 */

import { H } from "../../common/headers";
import { claimBucket, releaseBucket } from "./bucket-names";
import { S3Error } from "./errors";
import { okOrThrow, type S3Request } from "./request";
import { childText, el, elWith, parseXml, readBodyText, type XmlChild, xmlResponse } from "./xml";

/** The largest configuration document read (AWS's own cap on such bodies is about this size). */
export const CONFIG_BODY_MAX = 64 * 1024;

/** The region header HeadBucket answers with. */
const X_AMZ_BUCKET_REGION = "x-amz-bucket-region";

/** A bucket's container's headers; it must exist (s3api's check_container_existence): NoSuchBucket otherwise. */
export async function headBucket(req: S3Request): Promise<Headers> {
  const response = await okOrThrow(await req.swift({ method: "HEAD", container: bucketOf(req) }), "bucket");
  return response.headers;
}

export function bucketOf(req: S3Request): string {
  if (req.bucket === null) throw new S3Error("NoSuchBucket");
  return req.bucket;
}

/** The 200 every bucket write answers with, no body. */
function done(headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 200, headers: { [H.CONTENT_LENGTH]: "0", ...headers } });
}

/**
 * CreateBucket: the name claimed (BucketAlreadyExists when another account holds it:
 * bucket-names.ts), then the container made; a LocationConstraint other than this region is
 * InvalidLocationConstraint, one that exists already BucketAlreadyOwnedByYou. A canned ACL
 * (x-amz-acl) sets the container's ACLs.
 */
export async function create(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const text = await readBodyText(req.body, CONFIG_BODY_MAX);
  if (text.trim() !== "") {
    const location = childText(parseXml(text, "CreateBucketConfiguration"), "LocationConstraint");
    if (location !== null && location !== "" && location !== req.ctx.config.s3.region)
      throw new S3Error("InvalidLocationConstraint", undefined, { LocationConstraint: location });
  }
  const headers = cannedAclHeaders(req.request.headers.get(X_AMZ_ACL));
  await claimBucket(req.ctx, req.account, bucket);
  const response = await req.swift({ method: "PUT", container: bucket, headers });
  if (response.status === 202) {
    await response.body?.cancel();
    throw new S3Error("BucketAlreadyOwnedByYou", undefined, { BucketName: bucket });
  }
  await okOrThrow(response, "bucket");
  await response.body?.cancel();
  return done({ [H.LOCATION]: `/${bucket}` });
}

/** HeadBucket: 200 with the bucket's region; 404 (no body, as every HEAD) when there is none. */
export async function head(req: S3Request): Promise<Response> {
  await headBucket(req);
  return done({ [X_AMZ_BUCKET_REGION]: req.ctx.config.s3.region });
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
  if (mfa === "Enabled") throw new S3Error("NotImplemented", "MFA delete is not implemented.");
  if (status !== "Enabled" && status !== "Suspended") throw new S3Error("IllegalVersioningConfigurationException");
  const response = await okOrThrow(
    await req.swift({
      method: "POST",
      container: bucket,
      headers: { [H.X_VERSIONS_ENABLED]: status === "Enabled" ? "true" : "false" },
    }),
    "bucket",
  );
  await response.body?.cancel();
  return done();
}

/** The canned ACL header. */
export const X_AMZ_ACL = "x-amz-acl";

/** Swift's read ACL that lets anyone read and list: what public-read means for a container. */
const PUBLIC_READ = ".r:*,.rlistings";

/**
 * A canned ACL as Swift container ACLs (s3api without s3_acl): private clears both,
 * public-read lets anyone read and list; public-read-write also sets `.r:*` as the write ACL, as
 * s3api does, which Swift's tempauth honours for no write (it grants writes to users and
 * accounts, never to referrers): anonymous requests read and list, never write. Other canned
 * ACLs have no Swift form: NotImplemented. No header: nothing set.
 */
export function cannedAclHeaders(canned: string | null): Record<string, string> {
  switch (canned) {
    case null:
      return {};
    case "private":
      return { [H.X_CONTAINER_READ]: "", [H.X_CONTAINER_WRITE]: "" };
    case "public-read":
      return { [H.X_CONTAINER_READ]: PUBLIC_READ, [H.X_CONTAINER_WRITE]: "" };
    case "public-read-write":
      return { [H.X_CONTAINER_READ]: PUBLIC_READ, [H.X_CONTAINER_WRITE]: ".r:*" };
    default:
      throw new S3Error("NotImplemented", `The canned ACL ${canned} is not implemented.`);
  }
}

const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

/** An AccessControlPolicy: the owner's FULL_CONTROL, and AllUsers' grants the container's ACLs give. */
export function aclPolicy(owner: string, publicRead: boolean, publicWrite: boolean): Response {
  const grant = (type: string, who: XmlChild, permission: string) =>
    el("Grant", elWith("Grantee", { "xmlns:xsi": XSI, "xsi:type": type }, who), el("Permission", permission));
  const allUsers = el("URI", ALL_USERS);
  return xmlResponse(
    el(
      "AccessControlPolicy",
      el("Owner", el("ID", owner), el("DisplayName", owner)),
      el(
        "AccessControlList",
        grant("CanonicalUser", [el("ID", owner), el("DisplayName", owner)], "FULL_CONTROL"),
        publicRead ? grant("Group", allUsers, "READ") : null,
        publicWrite ? grant("Group", allUsers, "WRITE") : null,
      ),
    ),
  );
}

/** GetBucketAcl: the owner's FULL_CONTROL and what the container's ACLs grant everyone. */
export async function getAcl(req: S3Request): Promise<Response> {
  const headers = await headBucket(req);
  const read = headers.get(H.X_CONTAINER_READ) ?? "";
  const write = headers.get(H.X_CONTAINER_WRITE) ?? "";
  return aclPolicy(req.owner, read.includes(".r:*"), write.includes(".r:*"));
}

/**
 * PutBucketAcl with a canned ACL (x-amz-acl); a public one claims the bucket's name for anonymous
 * requests. An ACL document is not served (s3api without s3_acl).
 */
export async function putAcl(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const canned = req.request.headers.get(X_AMZ_ACL);
  const text = await readBodyText(req.body, CONFIG_BODY_MAX);
  if (canned === null) {
    if (text.trim() === "") throw new S3Error("MissingSecurityHeader", undefined, { MissingHeaderName: X_AMZ_ACL });
    parseXml(text, "AccessControlPolicy");
    throw new S3Error("NotImplemented", "Only canned ACLs (x-amz-acl) are implemented.");
  }
  const headers = cannedAclHeaders(canned);
  await headBucket(req);
  // Anonymous requests find a public bucket by its name alone (bucket-names.ts).
  if (canned !== "private") await claimBucket(req.ctx, req.account, bucket);
  const response = await okOrThrow(await req.swift({ method: "POST", container: bucket, headers }), "bucket");
  await response.body?.cancel();
  return done();
}
