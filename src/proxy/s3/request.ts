/**
 * @module
 * One S3 request as the operations see it: the bucket and key it addresses (path style or
 * virtual-hosted style), the Swift user its signature proved, its body as it must be read, and
 * `swift()`, which runs a translated request through the Swift pipeline as that user, as Swift's
 * s3api does (so ACLs, quotas, large objects and versioning apply to both APIs alike).
 * Swift: common/middleware/s3api/s3request.py S3Request, to_swift_req.
 */

import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { urlPathOf } from "../../common/path";
import type { Config, S3Config } from "../../config/config";
import type { Identity } from "../auth/swift-v1";
import { remapHost } from "../middleware/domain-remap";
import type { ServiceContext } from "../services/context";
import { errorResponse } from "../swift/errors";
import { runTranslated } from "../swift/router";
import { type ResourceKind, S3Error, statusError } from "./errors";
import type { Trailers } from "./payload";

export interface S3Request {
  /** The client's request (its body unread: read `body`). */
  request: Request;
  url: URL;
  method: string;
  /** The bucket addressed; null for the service (ListBuckets). */
  bucket: string | null;
  /** The key addressed (decoded); null at bucket level. */
  key: string | null;
  /** The Swift user who signed the request; null for an anonymous one (a public bucket's). */
  identity: Identity | null;
  /** The Swift account the bucket is a container of (`AUTH_test`): the signer's, or the bucket's owner. */
  account: string;
  /** The ID listings and ACLs name as owner: the signer (`test:tester`), or the bucket's account. */
  owner: string;
  ctx: ServiceContext;
  /** x-amz-request-id: the request's transaction id. */
  requestId: string;
  /** The payload as the store must see it: signature and digest checked, aws-chunked decoded. */
  body: ReadableStream<Uint8Array> | null;
  /** Trailing headers of an aws-chunked body (checksums), filled once `body` has been read. */
  trailers: Trailers;
  /** Why reading `body` failed (a digest or chunk signature that did not match), once it has. */
  bodyFailure(): S3Error | null;
  /** A stream made from `body` (a checksum's check) whose S3Error is kept for bodyFailure too. */
  tracked(stream: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null;
  waitUntil(promise: Promise<unknown>): void;
  /** Runs a Swift request through the pipeline as the caller; an error comes back as Swift's response for it. */
  swift(init: SwiftInit): Promise<Response>;
}

export interface SwiftInit {
  method: string;
  /** The container (bucket) and object (key) of the caller's account; neither for the account. */
  container?: string;
  object?: string;
  query?: Record<string, string>;
  headers?: HeadersInit;
  body?: ReadableStream<Uint8Array> | Uint8Array | string | null;
  /** Object metadata known once the body has been read (Environ.footers). */
  footers?: () => Record<string, string>;
  /** A POST that changes only the system metadata it sends (Environ.sysmetaUpdate: object tagging). */
  sysmetaUpdate?: true;
}

/** The decoded `/v1/account[/container[/object]]` path of a translated request. */
export function swiftPathOf(account: string, container?: string, object?: string): string {
  if (container === undefined) return `/v1/${account}`;
  return object === undefined ? `/v1/${account}/${container}` : `/v1/${account}/${container}/${object}`;
}

/** The URL a translated request is sent to: the decoded path encoded as Swift reads it, then its query. */
export function swiftUrlOf(origin: string, path: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${origin}${urlPathOf(path)}${search ? `?${search}` : ""}`;
}

/**
 * What runs an S3Request's Swift requests: each through the Swift pipeline as `identity` in
 * `account` (the caller's own account), with its footers; an error comes back as the response
 * Swift would give for it, so operations read statuses.
 */
export function swiftRunner(
  origin: string,
  account: string,
  identity: Identity | null,
  ctx: ServiceContext,
  source: string,
  waitUntil: (promise: Promise<unknown>) => void,
): (init: SwiftInit) => Promise<Response> {
  return (init) => {
    const path = swiftPathOf(account, init.container, init.object);
    const request = new Request(swiftUrlOf(origin, path, init.query), {
      method: init.method,
      headers: init.headers ?? {},
      body: init.body ?? null,
    });
    const environ = {
      source,
      ...(init.footers ? { footers: init.footers } : {}),
      ...(init.sysmetaUpdate ? { sysmetaUpdate: true } : {}),
    };
    return runTranslated(request, path, identity, ctx, environ, waitUntil).catch((error: unknown) => {
      if (error instanceof SwiftError) return errorResponse(error, init.method);
      throw error;
    });
  };
}

/** What a request addresses. */
export interface Addressed {
  bucket: string | null;
  key: string | null;
  /** Whether the bucket came from the Host (virtual-hosted style), which SigV2 signs as `/bucket`. */
  virtualHost: boolean;
}

/** A percent-encoded text decoded; as it is when it is not valid UTF-8 escapes. */
export function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The bucket and key of a request: from the host when it is `<bucket>.<storage domain>`
 * (virtual-hosted style), else from the path's first segment (path style); the key is the rest
 * of the path, decoded, `/` and `..` kept as they are (a key is an opaque string).
 * AWS: VirtualHosting.html; Swift: s3request.py _parse_host, _parse_uri.
 */
export function addressOf(url: URL, config: Pick<S3Config, "storageDomains">): Addressed {
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  for (const domain of config.storageDomains) {
    if (host.endsWith(`.${domain}`)) {
      const bucket = host.slice(0, -domain.length - 1);
      const key = path.length > 1 ? decodeSegment(path.slice(1)) : null;
      return { bucket, key, virtualHost: true };
    }
  }
  const rest = path.slice(1);
  if (rest === "") return { bucket: null, key: null, virtualHost: false };
  const slash = rest.indexOf("/");
  if (slash < 0) return { bucket: decodeSegment(rest), key: null, virtualHost: false };
  const key = rest.slice(slash + 1);
  return {
    bucket: decodeSegment(rest.slice(0, slash)),
    key: key === "" ? null : decodeSegment(key),
    virtualHost: false,
  };
}

/**
 * First path segments the Swift API and the operator routes answer (app.ts: /v1, /v1.0, /auth;
 * swift/info.ts: /info, /healthcheck; admin.ts: /recon, /faults): an unsigned request there is Swift's.
 */
const SWIFT_SEGMENTS: ReadonlySet<string> = new Set(["v1", "v1.0", "auth", "info", "healthcheck", "recon", "faults"]);

/**
 * The bucket an unsigned request addresses when S3 may answer it (a form upload, an anonymous
 * request, a CORS preflight): a host under an S3 storage domain, or a path whose first segment
 * is none the Swift API or the operator routes answer; never a host Swift's domain_remap serves.
 * Null for every other request (Swift's).
 */
export function unsignedAddressOf(url: URL, config: Pick<Config, "s3" | "domainRemap">): Addressed | null {
  if (config.domainRemap !== null && remapHost(config.domainRemap, url.hostname) !== null) return null;
  const address = addressOf(url, config.s3);
  if (address.bucket === null) return null;
  if (address.virtualHost) return address;
  return SWIFT_SEGMENTS.has(address.bucket) ? null : address;
}

/**
 * Whether a name is a bucket name S3 accepts: 3 to 63 lower-case letters, digits, dots and
 * hyphens, starting and ending with a letter or digit, no `..`, `.-` or `-.`, not an IPv4
 * address. AWS: bucketnamingrules.html; Swift: s3api utils.validate_bucket_name (dns_compliant).
 */
export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return false;
  return !/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * A Swift response that succeeded (or answered 304), else the S3Error of its status, its body
 * read: a 400's text is Swift's word on what was wrong, kept as the message.
 */
export async function okOrThrow(response: Response, about: ResourceKind): Promise<Response> {
  if (response.status < 300 || response.status === 304) return response;
  const detail = response.status === 400 ? await response.text() : undefined;
  if (detail === undefined) await response.body?.cancel().catch(() => undefined);
  throw statusError(response.status, about, detail);
}

/** The entries of a JSON listing (none for a 204). */
export async function listingOf<T>(response: Response): Promise<T[]> {
  if (response.status === 204) {
    await response.body?.cancel().catch(() => undefined);
    return [];
  }
  return (await response.json()) as T[];
}

/** The largest configuration document read (AWS's own cap on such bodies is about this size). */
export const CONFIG_BODY_MAX = 64 * 1024;

export function bucketOf(req: S3Request): string {
  if (req.bucket === null) throw new S3Error("NoSuchBucket");
  return req.bucket;
}

export function keyOf(req: S3Request): string {
  if (req.key === null) throw new S3Error("NoSuchKey");
  return req.key;
}

/** A bucket's container's headers; it must exist (s3api's check_container_existence): NoSuchBucket otherwise. */
export async function headBucket(req: S3Request): Promise<Headers> {
  const response = await okOrThrow(await req.swift({ method: "HEAD", container: bucketOf(req) }), "bucket");
  return response.headers;
}

/** The 200 with no body S3's writes answer with (PutBucketAcl, PutObjectTagging, …), and `headers`. */
export function emptyOk(headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 200, headers: { [H.CONTENT_LENGTH]: "0", ...headers } });
}
