/**
 * @module
 * One Swift API request as the controllers see it: the parsed path, the caller's identity and
 * the services' context, plus the response helpers every controller shares.
 */

import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import type { SwiftPath } from "../../common/path";
import { Timestamp } from "../../common/timestamp";
import type { Identity } from "../auth/swift-v1";
import type { ServiceContext } from "../services/context";

export interface SwiftRequest {
  request: Request;
  url: URL;
  path: SwiftPath;
  identity: Identity | null;
  ctx: ServiceContext;
  /**
   * Flags middlewares leave for later stages (Swift's WSGI environ): who vouched for the request, where it came from.
   */
  environ: Environ;
  /** Keeps background work (a streamed multi-range body) alive past the response. */
  waitUntil(promise: Promise<unknown>): void;
  /**
   * Runs another request through the whole pipeline as this caller (Swift: make_subrequest):
   * `path` is a decoded `/v1/a/c/o` path, `query` its query string without the `?`.
   */
  subrequest(init: SubrequestInit): Promise<Response>;
}

export interface Environ {
  /** Set by TempURL or FormPOST when a signature authorized this request. */
  authorized?: "tempurl" | "formpost";
  /** Which middleware made this request (Swift: swift.source), when it is a subrequest. */
  source?: string;
  /** How many subrequests deep this request is (0 or absent: the client's own). */
  depth?: number;
  /**
   * Set only by edgeswift's own code for a name it made: the path may name a reserved (hidden)
   * container or object, and the request is pre-authorized, as no client may name one (Swift:
   * X-Backend-Allow-Reserved-Names with make_pre_authed_request). Never from a client header.
   */
  allowReservedNames?: boolean;
  /** A middleware answered before any controller ran (an auth refusal): CORS adds no headers to it. */
  answeredBeforeController?: boolean;
  /** Tempauth's verdict that the caller owns the account (Swift: swift_owner). */
  swiftOwner?: boolean;
  /** What a signature (TempURL, FormPOST) authorized, beside `authorized` (signed-scope.ts). */
  signedScope?: SignedScope;
  /** Content type parameters a middleware stores with the object, which clients cannot send (symlink-params.ts). */
  contentTypeParams?: string;
  /**
   * Another middleware's read or write of an object as stored: the symlink stage leaves it alone (symlink-params.ts).
   */
  asStored?: boolean;
  /** Metadata names whose presence makes the object controller serve a manifest whole (large-object.ts). */
  manifestRead?: readonly string[];
  /** The large object's size and ETag while the slo stage stores its manifest (large-object.ts). */
  sloManifest?: { bytes: number; etag: string };
  /**
   * Object metadata another dialect learns only once the body has been read (S3's trailing
   * checksum), stored with the object's row (Swift: the object PUT's metadata footers).
   */
  footers?: () => Record<string, string>;
  /**
   * Set only by another dialect's translated request (S3's object tagging, through runTranslated's
   * environ, which no client reaches): the object POST is a sysmeta update. It changes the system
   * metadata it sends (an empty value removes one) and nothing else, of the object as stored (a
   * link or a manifest itself, or the version `?version-id=` names). Swift has none (its POST keeps
   * sysmeta and cannot set any); see durable/merge.ts sysmetaUpdatedAt for its timestamp.
   */
  sysmetaUpdate?: boolean;
}

/** What a signature authorized: an account, perhaps one container, and objects under a prefix. */
export interface SignedScope {
  account: string;
  container: string | null;
  /** Every object name must start with it ("" allows any object of the container). */
  objectPrefix: string;
}

export interface SubrequestInit {
  method: string;
  path: string;
  query?: string;
  headers?: HeadersInit;
  body?: ReadableStream<Uint8Array> | Uint8Array | string | null;
  /** Which middleware asks (Swift: swift.source). */
  source: string;
  /** Keeps the caller's TempURL/FormPOST authorization (Swift passes swift.authorize on). */
  keepAuthorization?: boolean;
  /** The path is a reserved name edgeswift made; pre-authorized (Environ.allowReservedNames). */
  allowReservedNames?: boolean;
}

/** A path segment that must be present for this controller. */
export function required(value: string | null): string {
  if (value === null) throw new SwiftError("NotFound");
  return value;
}

/** swob's body for 202 Accepted (container PUT of an existing container, object POST). */
export const ACCEPTED_BODY = "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>";

/**
 * A response with no body of its own (HEAD, 201, 204), keeping Content-Length as Swift sends
 * it; 202 carries swob's Accepted page, as Swift's does.
 */
export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  const body = status === 202 ? ACCEPTED_BODY : null;
  return new Response(body, {
    status,
    headers: {
      [H.CONTENT_LENGTH]: String(body?.length ?? 0),
      [H.CONTENT_TYPE]: "text/html; charset=UTF-8",
      ...headers,
    },
  });
}

/** The normal form of an internal timestamp, for X-Timestamp and X-Put-Timestamp. */
export function normalForm(internal: string): string {
  return Timestamp.parse(internal)?.normal ?? internal;
}

/** An HTTP date (Last-Modified) of an internal timestamp. */
export function httpDateOf(internal: string): string {
  return (Timestamp.parse(internal) ?? new Timestamp(0)).httpDate;
}

/**
 * Swift's name length check: 400 with its message, as text/plain for an object (constraints.py
 * check_object_creation) and as swob's default text/html for an account or container
 * (account.py, container.py, which name no content type).
 */
export function checkNameLength(kind: "Account" | "Container" | "Object", name: string, max: number): void {
  const length = new TextEncoder().encode(name).length;
  if (length <= max) return;
  const detail = `${kind} name length of ${length} longer than ${max}`;
  throw kind === "Object" ? new SwiftError("BadRequest", detail) : SwiftError.html("BadRequest", detail);
}

/** Throws 503 for a quorum that failed and passes success and client statuses through. */
export function statusOrThrow(status: number): number {
  if (status === 503) throw new SwiftError("ServiceUnavailable");
  if (status === 404) throw new SwiftError("NotFound");
  if (status === 409) throw new SwiftError("Conflict");
  if (status === 412) throw new SwiftError("PreconditionFailed");
  if (status >= 500) throw new SwiftError("InternalServerError");
  return status;
}
