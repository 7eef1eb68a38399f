/**
 * @module
 * Bucket CORS: Put-, Get- and DeleteBucketCors, and what the rules do. A configuration (up to
 * MAX_RULES rules of AllowedOrigin, AllowedMethod, AllowedHeader, ExposeHeader, MaxAgeSeconds
 * and ID) is checked as AWS checks it and kept as the container's system metadata
 * `x-container-sysmeta-s3api-cors` (sysmeta-document.ts), and its name claimed in the global
 * bucket names (bucket-names.ts), since a browser's preflight names the bucket and no account.
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
import { bucketOf, headBucket, type S3Request } from "./request";
import { decodeDocument, deleteDocument, encodeDocument, storeDocument } from "./sysmeta-document";
import { childText, el, optional, parseXml, readDocument, type XmlObject, xmlResponse } from "./xml";

/** The container system metadata a configuration is kept in. */
export const SYSMETA_CORS = "x-container-sysmeta-s3api-cors";
/** AWS's most rules in one configuration, and its largest document (64 KB). */
const MAX_RULES = 100;
const CORS_BODY_MAX = 64 * 1024;
/** The methods a rule may allow. */
const METHODS: ReadonlySet<string> = new Set(["GET", "PUT", "HEAD", "POST", "DELETE"]);
/** A rule ID's longest. */
const MAX_ID_LENGTH = 255;
/** What every CORS answer varies by. */
const VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request " +
  "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the " +
  "resource's CORS spec.";

export interface CorsRule {
  id: string | null;
  origins: string[];
  methods: string[];
  headers: string[];
  expose: string[];
  maxAge: number | null;
}

/** The texts of every `name` child (an element with no text is ""). */
function texts(parent: XmlObject, name: string): string[] {
  const value = parent[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (typeof item === "object" && item !== null ? String(item["#text"] ?? "") : String(item)));
}

function oneWildcardAtMost(element: string, values: readonly string[]): void {
  for (const value of values)
    if (value.split("*").length > 2)
      throw new S3Error("InvalidRequest", `${element} "${value}" can not have more than one wildcard.`);
}

/** A CORSConfiguration document, checked: MalformedXML for what its schema refuses, InvalidRequest for the rest. */
export function parseCors(text: string): CorsRule[] {
  const document = parseXml(text, "CORSConfiguration", [
    "CORSRule",
    "AllowedOrigin",
    "AllowedMethod",
    "AllowedHeader",
    "ExposeHeader",
  ]);
  const rules = (Array.isArray(document.CORSRule) ? document.CORSRule : []) as XmlObject[];
  if (rules.length === 0 || rules.length > MAX_RULES) throw new S3Error("MalformedXML");
  return rules.map((rule) => {
    if (typeof rule !== "object" || rule === null) throw new S3Error("MalformedXML");
    const origins = texts(rule, "AllowedOrigin");
    const methods = texts(rule, "AllowedMethod");
    if (origins.length === 0 || methods.length === 0) throw new S3Error("MalformedXML");
    const unsupported = methods.find((method) => !METHODS.has(method));
    if (unsupported !== undefined)
      throw new S3Error(
        "InvalidRequest",
        `Found unsupported HTTP method in CORS config. Unsupported method is ${unsupported}`,
      );
    const headers = texts(rule, "AllowedHeader");
    oneWildcardAtMost("AllowedOrigin", origins);
    oneWildcardAtMost("AllowedHeader", headers);
    const id = childText(rule, "ID");
    if (id !== null && id.length > MAX_ID_LENGTH) throw new S3Error("InvalidArgument", "The ID is too long.");
    const age = childText(rule, "MaxAgeSeconds");
    if (age !== null && !/^\d{1,9}$/.test(age.trim())) throw new S3Error("MalformedXML");
    return {
      id,
      origins,
      methods,
      headers,
      expose: texts(rule, "ExposeHeader"),
      maxAge: age === null ? null : Number(age.trim()),
    };
  });
}

/** The configuration a container's headers keep, or null. */
export function decodeCors(headers: Headers): CorsRule[] | null {
  const stored = decodeDocument(SYSMETA_CORS, headers) as { v?: unknown; r?: unknown } | null;
  if (stored === null) return null;
  if (stored.v !== 1 || !Array.isArray(stored.r)) throw new Error("a stored CORS configuration is unreadable");
  return stored.r as CorsRule[];
}

/** Whether `value` matches a pattern with at most one `*` (any run of characters). */
function matches(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** The first rule allowing `origin` to send `method` (and `headers`, lower-case, for a preflight). */
export function ruleFor(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  headers: readonly string[] = [],
): { rule: CorsRule; anyOrigin: boolean } | null {
  for (const rule of rules) {
    const pattern = rule.origins.find((candidate) => matches(candidate, origin));
    if (pattern === undefined || !rule.methods.includes(method)) continue;
    const allowed = rule.headers.map((header) => header.toLowerCase());
    if (!headers.every((header) => allowed.some((candidate) => matches(candidate, header)))) continue;
    return { rule, anyOrigin: pattern === "*" };
  }
  return null;
}

/** The Access-Control-* headers a matched rule gives. */
function ruleHeaders(match: { rule: CorsRule; anyOrigin: boolean }, origin: string): Headers {
  const { rule, anyOrigin } = match;
  const headers = new Headers();
  headers.set(H.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin ? "*" : origin);
  if (!anyOrigin) headers.set("access-control-allow-credentials", "true");
  headers.set(H.ACCESS_CONTROL_ALLOW_METHODS, rule.methods.join(", "));
  if (rule.expose.length) headers.set(H.ACCESS_CONTROL_EXPOSE_HEADERS, rule.expose.join(", "));
  if (rule.maxAge !== null) headers.set(H.ACCESS_CONTROL_MAX_AGE, String(rule.maxAge));
  headers.set(H.VARY, VARY);
  return headers;
}

/** A bucket's rules, from the isolate's container info; null when it has none or does not exist. */
async function rulesOf(ctx: ServiceContext, account: string, bucket: string): Promise<CorsRule[] | null> {
  const info = await containerInfo(ctx, account, bucket);
  if (info === null) return null;
  return decodeCors(new Headers(Object.entries(liveMetadata(info.metadata))));
}

/** The requested header names of a preflight, lower-case. */
function requestedHeaders(request: Request): string[] {
  return (request.headers.get(H.ACCESS_CONTROL_REQUEST_HEADERS) ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * A browser's preflight of `bucket` (held by `account`; null when no account holds the name).
 * AWS: "OPTIONS object".
 */
export async function preflight(
  ctx: ServiceContext,
  request: Request,
  address: { account: string | null; bucket: string; key: string | null },
): Promise<Response> {
  const origin = request.headers.get(H.ORIGIN);
  if (origin === null) throw new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  const asked = request.headers.get(H.ACCESS_CONTROL_REQUEST_METHOD);
  const forbidden = (message: string, resourceType: string) =>
    new S3Error("AccessForbidden", message, { Method: asked ?? "OPTIONS", ResourceType: resourceType });
  if (address.account === null) throw forbidden("CORSResponse: Bucket not found", "BUCKET");
  const rules = await rulesOf(ctx, address.account, address.bucket);
  if (rules === null) throw forbidden("CORSResponse: CORS is not enabled for this bucket.", "BUCKET");
  const requested = requestedHeaders(request);
  const match = asked === null ? null : ruleFor(rules, origin, asked, requested);
  if (match === null) throw forbidden(NOT_ALLOWED, address.key === null ? "BUCKET" : "OBJECT");
  const headers = ruleHeaders(match, origin);
  if (requested.length) headers.set(H.ACCESS_CONTROL_ALLOW_HEADERS, requested.join(", "));
  headers.set(H.CONTENT_LENGTH, "0");
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
