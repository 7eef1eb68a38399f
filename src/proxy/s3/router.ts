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
import { nameOperation } from "../../common/work";
import { cancelUnreadBody } from "../../common/bodies";
import * as acl from "./acl";
import * as attributes from "./attributes";
import * as bucket from "./bucket";
import { asS3Error, S3Error, s3ErrorResponse, X_AMZ_REQUEST_ID, type ResourceKind } from "./errors";
import * as listing from "./listing";
import * as multiDelete from "./multi-delete";
import * as multipart from "./multipart";
import * as object from "./object";
import { checkedBody } from "./payload";
import type { PayloadCheck } from "../auth/sigv4";
import {
  type Addressed,
  addressOf,
  decodeSegment,
  isValidBucketName,
  type S3Request,
  swiftRunner,
  unsignedAddressOf,
} from "./request";
import * as service from "./service";
import * as tagging from "./tagging";
import * as lifecycle from "./lifecycle";
import * as postUpload from "./post-upload";
import { isFormUpload } from "./post-upload";
import { bucketOwner } from "./bucket-names";
import * as cors from "./cors";
import { ownerId } from "./headers";

type Operation = (req: S3Request) => Promise<Response>;

/**
 * Sub-resources that choose an operation, in the order they are looked for; a request naming one
 * edgeswift does not serve is NotImplemented, as s3api answers them.
 */
const UNSUPPORTED = [
  "accelerate",
  "analytics",
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
        if (has(req, "acl")) return { operation: acl.getBucketAcl, about };
        if (has(req, "tagging")) return { operation: tagging.getBucketTagging, about };
        if (has(req, "lifecycle")) return { operation: lifecycle.getLifecycle, about };
        if (has(req, "cors")) return { operation: cors.getCors, about };
        if (req.url.searchParams.get("list-type") === "2") return { operation: listing.listObjectsV2, about };
        return { operation: listing.listObjects, about };
      case "HEAD":
        return { operation: bucket.head, about };
      case "PUT":
        if (has(req, "versioning")) return { operation: bucket.putVersioning, about };
        if (has(req, "acl")) return { operation: acl.putBucketAcl, about };
        if (has(req, "tagging")) return { operation: tagging.putBucketTagging, about };
        if (has(req, "lifecycle")) return { operation: lifecycle.putLifecycle, about };
        if (has(req, "cors")) return { operation: cors.putCors, about };
        return { operation: bucket.create, about };
      case "DELETE":
        if (has(req, "tagging")) return { operation: tagging.deleteBucketTagging, about };
        if (has(req, "lifecycle")) return { operation: lifecycle.deleteLifecycle, about };
        if (has(req, "cors")) return { operation: cors.deleteCors, about };
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
      if (has(req, "acl")) return { operation: acl.getObjectAcl, about };
      if (has(req, "tagging")) return { operation: tagging.getObjectTagging, about };
      if (has(req, "attributes")) return { operation: attributes.getObjectAttributes, about };
      return { operation: object.get, about };
    case "HEAD":
      return { operation: object.get, about };
    case "PUT":
      if (has(req, "uploadId") || has(req, "partNumber")) return { operation: multipart.uploadPart, about: "upload" };
      if (has(req, "acl")) return { operation: acl.putObjectAcl, about };
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

/**
 * How a request reached the S3 stage: signed in its headers or query, a signed form upload, or
 * unsigned to a bucket an account holds (an anonymous request, answered as Swift's ACLs allow).
 */
type Arrival = { kind: "signed" } | { kind: "form" } | { kind: "anonymous"; account: string };

/** Who a request acts as: its signer, in the signer's account; or nobody, in the bucket's. */
interface Caller {
  identity: Identity | null;
  account: string;
  payload: PayloadCheck;
  upload: postUpload.SignedForm | null;
}

async function callerOf(config: Config, request: Request, arrival: Arrival, address: Addressed): Promise<Caller> {
  if (arrival.kind === "anonymous")
    return { identity: null, account: arrival.account, payload: { mode: "unsigned" }, upload: null };
  const { bucket, virtualHost } = address;
  const credentials = {
    region: config.s3.region,
    secretOf: (accessKey: string) => config.users.get(accessKey)?.key ?? null,
  };
  // A browser's form upload is signed in its fields: read up to its file (post-upload.ts).
  const upload = arrival.kind === "form" ? await postUpload.readSignedForm(request, bucket ?? "", credentials) : null;
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
  const account = storageAccount(identity.account, tokenResellerPrefix(config));
  return { identity, account, payload: signed.payload, upload };
}

/** An error with the CORS headers of its request added. */
function withCors(error: S3Error, cors: Headers | null): S3Error {
  if (cors === null) return error;
  return new S3Error(error.code, error.message, { ...error.fields }, { ...error.headers, ...Object.fromEntries(cors) });
}

async function handle(c: Context, requestId: string, arrival: Arrival): Promise<Response> {
  const config = parseConfig(c.env);
  const request = c.req.raw;
  const url = new URL(request.url);
  const address = addressOf(url, config.s3);
  const { bucket, key } = address;
  const { identity, account, payload, upload } = await callerOf(config, request, arrival, address);
  const checked = checkedBody(upload ? null : request.body, payload);
  const tracker = new FailureTracker();
  const ctx = serviceContext(config);
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const req: S3Request = {
    request,
    url,
    method: request.method,
    bucket,
    key,
    identity,
    account,
    owner: identity === null ? account : ownerId(identity),
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
  nameOperation(`s3 ${about} ${request.method}`);
  const corsHeaders = await cors.actualRequestHeaders(req);
  try {
    const response = await operation(req);
    for (const [name, value] of corsHeaders ?? []) response.headers.set(name, value);
    return response;
  } catch (error) {
    throw withCors(asS3Error(error, about, `${request.method} ${request.url}`), corsHeaders);
  }
}

/**
 * How S3 takes a request: signed (SigV4, SigV2, a signed form) it is S3's; unsigned, it is S3's
 * when it addresses a bucket (request.ts unsignedAddressOf) that an account holds (or, under an S3
 * storage domain, any bucket: NoSuchBucket when none holds it). Null: the Swift API's.
 */
async function arrivalOf(request: Request, config: Config): Promise<Arrival | null> {
  if (hasS3Authentication(request)) return { kind: "signed" };
  if (postUpload.isS3FormUpload(request, config)) return { kind: "form" };
  const named = await namedBucketOf(request, config);
  if (named === null) return null;
  if (named.account !== null) return { kind: "anonymous", account: named.account };
  if (named.virtualHost) throw new S3Error("NoSuchBucket", undefined, { BucketName: named.bucket });
  return null;
}

/**
 * The bucket an unsigned request names (request.ts unsignedAddressOf; in path style only a name
 * S3 accepts) and the account that holds it (null: none); null when it names no bucket.
 */
async function namedBucketOf(
  request: Request,
  config: Config,
): Promise<{ bucket: string; key: string | null; virtualHost: boolean; account: string | null } | null> {
  const address = unsignedAddressOf(new URL(request.url), config);
  if (address === null || address.bucket === null) return null;
  if (!address.virtualHost && !isValidBucketName(address.bucket)) return null;
  const account = await bucketOwner(serviceContext(config), address.bucket);
  return { bucket: address.bucket, key: address.key, virtualHost: address.virtualHost, account };
}

/** A CORS preflight to a bucket (never signed): answered from the bucket's rules (cors.ts). */
async function answerPreflight(request: Request, config: Config): Promise<Response | null> {
  const named = await namedBucketOf(request, config);
  return named === null ? null : cors.preflight(serviceContext(config), request, named);
}

/**
 * The S3 stage of the app: S3's requests (arrivalOf) and CORS preflights to buckets are answered
 * here, every other goes on. The request id is the transaction id the trans-id stage gave the request.
 */
export const s3Api: MiddlewareHandler = async (c, next) => {
  const request = c.req.raw;
  const requestId = (c.get("transId") as string | undefined) ?? "";
  // A configuration that does not hold is every route's 503 (app.ts's error handler), not S3's.
  const config = parseConfig(c.env);
  let response: Response;
  try {
    if (request.method === "OPTIONS") {
      const preflight = await answerPreflight(request, config);
      if (preflight === null) return next();
      response = preflight;
    } else {
      const arrival = await arrivalOf(request, config);
      if (arrival === null) return next();
      response = await handle(c, requestId, arrival);
    }
  } catch (error) {
    const s3Error = asS3Error(error, "service", `${request.method} ${request.url}`);
    cancelUnreadBody(request);
    response = s3ErrorResponse(s3Error, request.method, resourceOf(new URL(request.url)), requestId);
  }
  response.headers.set(X_AMZ_REQUEST_ID, requestId);
  return response;
};
