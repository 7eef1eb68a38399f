/**
 * @module
 * Bucket CORS: Put-, Get- and DeleteBucketCors, and what the rules do. A configuration (up to
 * 100 rules of AllowedOrigin, AllowedMethod, AllowedHeader, ExposeHeader, MaxAgeSeconds and ID)
 * is checked as AWS checks it (cors-rules.ts, with the matching) and kept as the container's
 * system metadata `x-container-sysmeta-s3api-cors` (sysmeta-document.ts), and its name claimed
 * in the global bucket names (bucket-names.ts): a browser's preflight names the bucket, no account.
 *
 * A preflight (OPTIONS, never signed) is answered from the first rule whose origin pattern (one
 * `*` at most, matching any run of characters), method and every requested header (patterns,
 * case-insensitive) match: 200 with the Access-Control-* headers; 400 without an Origin; 403
 * AccessForbidden when the bucket is unknown, has no configuration or no rule matches. Any
 * other request to a bucket with a configuration that carries an Origin gets the same headers
 * from the first rule matching its origin and method (its headers are not checked), whatever its
 * answer; a request no rule matches is answered without them, as AWS does.
 * AWS: PutBucketCors, GetBucketCors, DeleteBucketCors, "OPTIONS object", "How Amazon S3
 * evaluates the CORS configuration on a bucket"; Swift's s3api serves no bucket CORS (Swift's own
 * container CORS metadata is src/proxy/middleware/cors.ts).
 */

import { H } from "../../common/headers";
import { liveMetadata } from "../../durable/merge";
import { containerInfo } from "../services/container";
import type { ServiceContext } from "../services/context";
import { claimBucket } from "./bucket-names";
import { S3Error } from "./errors";
import { deleteDocument, storeDocument } from "./bucket";
import { bucketOf, headBucket, type S3Request } from "./request";
import {
  type CorsRule,
  decodeCors,
  parseCors,
  preflightHeaders,
  ruleFor,
  ruleHeaders,
  SYSMETA_CORS,
} from "./cors-rules";
import { encodeDocument } from "./sysmeta-document";
import { el, optional, readDocument, xmlResponse } from "./xml";

/** AWS's largest configuration document (64 KB). */
const CORS_BODY_MAX = 64 * 1024;

/** A bucket's rules, from the isolate's container info; null when it has none or does not exist. */
async function rulesOf(ctx: ServiceContext, account: string, bucket: string): Promise<CorsRule[] | null> {
  const info = await containerInfo(ctx, account, bucket);
  if (info === null) return null;
  return decodeCors(new Headers(Object.entries(liveMetadata(info.metadata))));
}

/**
 * A browser's preflight of `bucket` (held by `account`; null when no account holds the name),
 * answered from its rules (cors-rules.ts preflightHeaders). AWS: "OPTIONS object".
 */
export async function preflight(
  ctx: ServiceContext,
  request: Request,
  address: { account: string | null; bucket: string; key: string | null },
): Promise<Response> {
  const rules = address.account === null ? undefined : await rulesOf(ctx, address.account, address.bucket);
  const headers = preflightHeaders(request.headers, rules, address.key === null ? "BUCKET" : "OBJECT");
  return new Response(null, { status: 200, headers });
}

/**
 * The CORS headers an actual request gets: those of the first rule of its bucket allowing its
 * Origin and method; none without an Origin, a bucket, a configuration or a matching rule.
 */
export async function actualRequestHeaders(req: S3Request): Promise<Headers | null> {
  const origin = req.request.headers.get(H.ORIGIN);
  if (origin === null || req.bucket === null) return null;
  const rules = await rulesOf(req.ctx, req.account, req.bucket).catch(() => null);
  const match = rules === null ? null : ruleFor(rules, origin, req.method);
  return match === null ? null : ruleHeaders(match, origin);
}

/** A rule as GetBucketCors writes it. */
function ruleElement(rule: CorsRule) {
  return el(
    "CORSRule",
    optional("ID", rule.id),
    ...rule.headers.map((header) => el("AllowedHeader", header)),
    ...rule.methods.map((method) => el("AllowedMethod", method)),
    ...rule.origins.map((origin) => el("AllowedOrigin", origin)),
    ...rule.expose.map((header) => el("ExposeHeader", header)),
    optional("MaxAgeSeconds", rule.maxAge),
  );
}

/** GetBucketCors: the rules; NoSuchCORSConfiguration when there are none. */
export async function getCors(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const rules = decodeCors(await headBucket(req));
  if (rules === null) throw new S3Error("NoSuchCORSConfiguration", undefined, { BucketName: bucket });
  return xmlResponse(el("CORSConfiguration", ...rules.map(ruleElement)));
}

/** PutBucketCors: the document checked, the bucket's name claimed (preflights find it), the rules stored; 200. */
export async function putCors(req: S3Request): Promise<Response> {
  const rules = parseCors(await readDocument(req, CORS_BODY_MAX));
  const headers = encodeDocument(SYSMETA_CORS, { v: 1, r: rules }, await headBucket(req));
  if (headers === null) throw new S3Error("MaxMessageLengthExceeded");
  await claimBucket(req.ctx, req.account, bucketOf(req));
  return storeDocument(req, headers);
}

/** DeleteBucketCors: the rules removed; 204, with or without any. */
export function deleteCors(req: S3Request): Promise<Response> {
  return deleteDocument(req, SYSMETA_CORS);
}
