/**
 * @module
 * Bucket CORS rules, pure: a CORSConfiguration document checked as AWS checks it (MalformedXML
 * for what its schema refuses, InvalidRequest with AWS's words for the rest), its stored form, the
 * first rule that allows an origin, a method and requested headers (origin and header patterns
 * with one `*` at most, matching any run of characters; header names case-insensitive), and the
 * Access-Control-* headers a matched rule gives. cors.ts serves the operations and preflights.
 * AWS: PutBucketCors, "How Amazon S3 evaluates the CORS configuration on a bucket".
 */

import { H } from "../../common/headers";
import { S3Error } from "./errors";
import { decodeDocument } from "./sysmeta-document";
import { childObjects, childText, childTexts, parseXml } from "./xml";

/** The container system metadata a configuration is kept in. */
export const SYSMETA_CORS = "x-container-sysmeta-s3api-cors";
/** AWS's most rules in one configuration. */
const MAX_RULES = 100;
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

function oneWildcardAtMost(element: string, values: readonly string[]): void {
  for (const value of values)
    if (value.split("*").length > 2)
      throw new S3Error("InvalidRequest", `${element} "${value}" can not have more than one wildcard.`);
}

/** A CORSConfiguration document, checked: MalformedXML for what its schema refuses, InvalidRequest for the rest. */
export function parseCors(text: string): CorsRule[] {
  const rules = childObjects(parseXml(text, "CORSConfiguration"), "CORSRule");
  if (rules.length === 0 || rules.length > MAX_RULES) throw new S3Error("MalformedXML");
  return rules.map((rule) => {
    const origins = childTexts(rule, "AllowedOrigin");
    const methods = childTexts(rule, "AllowedMethod");
    if (origins.length === 0 || methods.length === 0) throw new S3Error("MalformedXML");
    const unsupported = methods.find((method) => !METHODS.has(method));
    if (unsupported !== undefined)
      throw new S3Error(
        "InvalidRequest",
        `Found unsupported HTTP method in CORS config. Unsupported method is ${unsupported}`,
      );
    const headers = childTexts(rule, "AllowedHeader");
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
      expose: childTexts(rule, "ExposeHeader"),
      maxAge: age === null ? null : Number(age),
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
export function ruleHeaders(match: { rule: CorsRule; anyOrigin: boolean }, origin: string): Headers {
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

/** The requested header names of a preflight, lower-case. */
function requestedHeaders(headers: Headers): string[] {
  return (headers.get(H.ACCESS_CONTROL_REQUEST_HEADERS) ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The headers of a preflight's 200 (its request `headers`), from the bucket's `rules`: null when
 * the bucket has none, undefined when no bucket has the name. 400 BadRequest without an Origin;
 * 403 AccessForbidden (naming the method asked for and the resource type) for no bucket, no
 * rules, or no rule allowing the origin, method and every requested header.
 */
export function preflightHeaders(
  headers: Headers,
  rules: readonly CorsRule[] | null | undefined,
  resourceType: "BUCKET" | "OBJECT",
): Headers {
  const origin = headers.get(H.ORIGIN);
  if (origin === null) throw new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  // Without Access-Control-Request-Method the preflight asks for OPTIONS, which no rule allows.
  const asked = headers.get(H.ACCESS_CONTROL_REQUEST_METHOD) ?? "OPTIONS";
  const forbidden = (message: string, type: string) =>
    new S3Error("AccessForbidden", message, { Method: asked, ResourceType: type });
  if (rules === undefined) throw forbidden("CORSResponse: Bucket not found", "BUCKET");
  if (rules === null) throw forbidden("CORSResponse: CORS is not enabled for this bucket.", "BUCKET");
  const requested = requestedHeaders(headers);
  const match = ruleFor(rules, origin, asked, requested);
  if (match === null) throw forbidden(NOT_ALLOWED, resourceType);
  const answer = ruleHeaders(match, origin);
  if (requested.length) answer.set(H.ACCESS_CONTROL_ALLOW_HEADERS, requested.join(", "));
  answer.set(H.CONTENT_LENGTH, "0");
  return answer;
}
