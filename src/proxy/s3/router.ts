/**
 * @module
 * The S3 API beside Swift's, in the same Worker: a request that carries S3 authentication (SigV4
 * or SigV2, in its headers or its query) is verified, its access key mapped to the Swift user it
 * names (`account:user`, the user's key its secret, as Swift's s3api does with tempauth), and
 * handed to the operation its method, level and sub-resource name; every other request goes on
 * to the Swift API. Errors leave as S3's XML error document.
 * Swift: common/middleware/s3api/s3api.py S3ApiMiddleware, s3request.py controller selection.
 */

import type { Context, MiddlewareHandler } from "hono";
import { type Config, parseConfig } from "../../config/config";
import { hasS3Authentication, verifyS3Request } from "../auth/sigv4";
import { storageAccount, tokenResellerPrefix, type Identity } from "../auth/swift-v1";
import { serviceContext } from "../services/context";
import { cancelUnreadBody } from "../../common/bodies";
import * as attributes from "./attributes";
import * as bucket from "./bucket";
import { asS3Error, S3Error, s3ErrorResponse, X_AMZ_REQUEST_ID, type ResourceKind } from "./errors";
import * as listing from "./listing";
import * as multiDelete from "./multi-delete";
import * as multipart from "./multipart";
import * as object from "./object";
import { checkedBody } from "./payload";
import { addressOf, decodeSegment, isValidBucketName, type S3Request, swiftRunner } from "./request";
import * as service from "./service";
import * as tagging from "./tagging";
import * as lifecycle from "./lifecycle";
import * as postUpload from "./post-upload";
import { isFormUpload } from "./post-upload";

type Operation = (req: S3Request) => Promise<Response>;

/**
 * Sub-resources that choose an operation, in the order they are looked for; a request naming one
 * edgeswift does not serve is NotImplemented, as s3api answers them.
 */
const UNSUPPORTED = [
  "accelerate",
  "analytics",
  "cors",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "legal-hold",
  "retention",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "select",
  "torrent",
  "website",
] as const;

function has(req: S3Request, name: string): boolean {
  return req.url.searchParams.has(name);
}

/** The operation a request names (S3's routing: level, method, sub-resource). */
function operationOf(req: S3Request): { operation: Operation; about: ResourceKind } {
  const method = req.method;
  if (UNSUPPORTED.some((name) => has(req, name))) throw new S3Error("NotImplemented");
  if (req.bucket === null) {
    if (method === "GET" || method === "HEAD") return { operation: service.listBuckets, about: "service" };
    throw new S3Error("MethodNotAllowed", undefined, { Method: method, ResourceType: "SERVICE" });
  }
  if (req.key === null) {
    const about = "bucket";
    switch (method) {
      case "GET":
        if (has(req, "location")) return { operation: bucket.getLocation, about };
        if (has(req, "uploads")) return { operation: multipart.listUploads, about };
        if (has(req, "versioning")) return { operation: bucket.getVersioning, about };
        if (has(req, "versions")) return { operation: listing.listObjectVersions, about };
        if (has(req, "acl")) return { operation: bucket.getAcl, about };
        if (has(req, "tagging")) return { operation: tagging.getBucketTagging, about };
        if (has(req, "lifecycle")) return { operation: lifecycle.getLifecycle, about };
        if (req.url.searchParams.get("list-type") === "2") return { operation: listing.listObjectsV2, about };
        return { operation: listing.listObjects, about };
      case "HEAD":
        return { operation: bucket.head, about };
      case "PUT":
        if (has(req, "versioning")) return { operation: bucket.putVersioning, about };
        if (has(req, "acl")) return { operation: bucket.putAcl, about };
        if (has(req, "tagging")) return { operation: tagging.putBucketTagging, about };
        if (has(req, "lifecycle")) return { operation: lifecycle.putLifecycle, about };
        return { operation: bucket.create, about };
      case "DELETE":
        if (has(req, "tagging")) return { operation: tagging.deleteBucketTagging, about };
        if (has(req, "lifecycle")) return { operation: lifecycle.deleteLifecycle, about };
        return { operation: bucket.remove, about };
      case "POST":
        if (has(req, "delete")) return { operation: multiDelete.deleteObjects, about };
        if (isFormUpload(req.request)) return { operation: postUpload.postObject, about: "object" };
        break;
    }
    throw new S3Error("MethodNotAllowed", undefined, { Method: method, ResourceType: "BUCKET" });
  }
  const about = "object";
  switch (method) {
    case "GET":
      if (has(req, "uploadId")) return { operation: multipart.listParts, about: "upload" };
      if (has(req, "acl")) return { operation: object.getAcl, about };
      if (has(req, "tagging")) return { operation: tagging.getObjectTagging, about };
      if (has(req, "attributes")) return { operation: attributes.getObjectAttributes, about };
      return { operation: object.get, about };
    case "HEAD":
      return { operation: object.get, about };
    case "PUT":
      if (has(req, "uploadId") || has(req, "partNumber")) return { operation: multipart.uploadPart, about: "upload" };
      if (has(req, "acl")) return { operation: object.putAcl, about };
      if (has(req, "tagging")) return { operation: tagging.putObjectTagging, about };
      if (req.request.headers.has("x-amz-copy-source")) return { operation: object.copy, about };
      return { operation: object.put, about };
    case "POST":
      if (has(req, "uploads")) return { operation: multipart.create, about };
      if (has(req, "uploadId")) return { operation: multipart.complete, about: "upload" };
      break;
    case "DELETE":
      if (has(req, "uploadId")) return { operation: multipart.abort, about: "upload" };
      if (has(req, "tagging")) return { operation: tagging.deleteObjectTagging, about };
      return { operation: object.remove, about };
  }
  throw new S3Error("MethodNotAllowed", undefined, { Method: method, ResourceType: "OBJECT" });
}

/** The Swift user an access key names (`account:user`), or null for an unknown key. */
function identityOf(config: Config, accessKey: string): Identity | null {
  const user = config.users.get(accessKey);
  return user ? { account: user.account, user: user.user, roles: user.roles } : null;
}

/**
 * Keeps the first S3Error of the streams it wraps: the store that reads a body sees only that
 * its upload failed, and the operation answers with what was wrong with the body.
 */
class FailureTracker {
  failure: S3Error | null = null;

  track(body: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
    if (body === null) return null;
    const reader = body.getReader();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          if (error instanceof S3Error) this.failure ??= error;
          controller.error(error);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }
}

/** The resource an error document names: the request's path. */
function resourceOf(url: URL): string {
  return decodeSegment(url.pathname);
}

async function handle(c: Context, requestId: string, form: boolean): Promise<Response> {
  const config = parseConfig(c.env);
  const request = c.req.raw;
  const url = new URL(request.url);
  const { bucket, key, virtualHost } = addressOf(url, config.s3);
  const credentials = {
    region: config.s3.region,
    secretOf: (accessKey: string) => config.users.get(accessKey)?.key ?? null,
  };
  // A browser's form upload is signed in its fields: read up to its file (post-upload.ts).
  const upload = form ? await postUpload.readSignedForm(request, bucket ?? "", credentials) : null;
  const signed =
    upload ??
    (await verifyS3Request(
      request,
      credentials,
      Date.now(),
      virtualHost && bucket !== null ? { hostBucket: bucket } : {},
    ));
  if (signed === null) throw new S3Error("AccessDenied");
  const identity = identityOf(config, signed.accessKey);
  if (identity === null) throw new S3Error("InvalidAccessKeyId");
  const checked = checkedBody(upload ? null : request.body, signed.payload);
  const tracker = new FailureTracker();
  const ctx = serviceContext(config);
  const account = storageAccount(identity.account, tokenResellerPrefix(config));
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const req: S3Request = {
    request,
    url,
    method: request.method,
    bucket,
    key,
    identity,
    account,
    ctx,
    requestId,
    body: tracker.track(checked.body),
    trailers: checked.trailers,
    bodyFailure: () => tracker.failure,
    tracked: (stream) => tracker.track(stream),
    waitUntil,
    swift: swiftRunner(url.origin, account, identity, ctx, "S3", waitUntil),
  };
  // Every bucket must be one container: a decoded `/` would reach another container of the
  // account. Only reads may name a container that is no bucket name S3 accepts (Swift's own).
  const reading = request.method === "GET" || request.method === "HEAD";
  if (bucket !== null && (bucket === "" || bucket.includes("/") || (!reading && !isValidBucketName(bucket))))
    throw new S3Error("InvalidBucketName", undefined, { BucketName: bucket });
  const { operation, about } = upload
    ? { operation: (r: S3Request) => postUpload.postObject(r, upload), about: "object" as const }
    : operationOf(req);
  try {
    return await operation(req);
  } catch (error) {
    throw asS3Error(error, about, `${request.method} ${request.url}`);
  }
}

/**
 * The S3 stage of the app: S3-signed requests are answered here, every other goes on. The
 * request id is the transaction id the trans-id stage gave the request.
 */
export const s3Api: MiddlewareHandler = async (c, next) => {
  const request = c.req.raw;
  const signedRequest = hasS3Authentication(request);
  // A form upload carries its signature in its fields, not in its headers or query.
  const form = !signedRequest && isFormUpload(request) && postUpload.isS3FormUpload(request, parseConfig(c.env));
  if (!signedRequest && !form) return next();
  const requestId = (c.get("transId") as string | undefined) ?? "";
  let response: Response;
  try {
    response = await handle(c, requestId, form);
  } catch (error) {
    const s3Error = asS3Error(error, "service", `${request.method} ${request.url}`);
    cancelUnreadBody(request);
    response = s3ErrorResponse(s3Error, request.method, resourceOf(new URL(request.url)), requestId);
  }
  response.headers.set(X_AMZ_REQUEST_ID, requestId);
  return response;
};
