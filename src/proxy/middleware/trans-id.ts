/**
 * @module
 * Every response carries X-Trans-Id and the identical X-Openstack-Request-Id: `tx`, 21 hex
 * characters, `-`, the unix time in 10 hex digits, then the client's X-Trans-Id-Extra (first 32
 * characters); and a Date, as eventlet's server adds one; and its header names as swob writes
 * them, title-cased (the runtime sends a name in the case it was set in, except the few it
 * spells itself: `ETag`, `WWW-Authenticate`, `Content-Length`, `Date`).
 * Swift: common/utils generate_trans_id, common/middleware/catch_errors.py,
 * common/header_key_dict.py, eventlet.wsgi.
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import type { MiddlewareHandler } from "hono";
import { H } from "../../common/headers";

/** The request id header of the S3 API's answers (s3/errors.ts), which keep lower-case names. */
const X_AMZ_REQUEST_ID = "x-amz-request-id";

/** The response's date (eventlet.wsgi sends one on every response, an RFC 1123 date in GMT). */
const DATE = "date";

/** Swift's transaction id format. */
export function generateTransId(nowMs: number, extra: string | null): string {
  const random = crypto.getRandomValues(new Uint8Array(11));
  const hex = bytesToHex(random).slice(0, 21);
  const time = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(10, "0");
  return `tx${hex}-${time}${extra ? encodeURIComponent(extra.slice(0, 32)) : ""}`;
}

/**
 * A header name as swob's HeaderKeyDict writes it, Python's bytes.title(): a letter after a
 * letter is lower case, any other letter upper case (`x-object-meta-color` → `X-Object-Meta-Color`).
 */
export function swobHeaderName(name: string): string {
  let out = "";
  let afterLetter = false;
  for (const char of name) {
    const letter = /[A-Za-z]/.test(char);
    out += letter ? (afterLetter ? char.toLowerCase() : char.toUpperCase()) : char;
    afterLetter = letter;
  }
  return out;
}

/** Sets every header again under its swob name (Headers iterate in lower case, each Set-Cookie apart). */
function writeSwobNames(headers: Headers): void {
  const entries = [...headers];
  for (const [name] of entries) headers.delete(name);
  for (const [name, value] of entries) headers.append(swobHeaderName(name), value);
}

export const transId: MiddlewareHandler = async (c, next) => {
  const id = generateTransId(Date.now(), c.req.header(H.X_TRANS_ID_EXTRA) ?? null);
  // The S3 API names its requests by the same id (x-amz-request-id).
  c.set("transId", id);
  await next();
  const headers = c.res.headers;
  headers.set(H.X_TRANS_ID, id);
  headers.set(H.X_OPENSTACK_REQUEST_ID, id);
  if (!headers.has(DATE)) headers.set(DATE, new Date().toUTCString());
  // S3's answers keep AWS's lower-case names: SDKs take metadata names from them (x-amz-meta-color).
  if (!headers.has(X_AMZ_REQUEST_ID)) writeSwobNames(headers);
};
