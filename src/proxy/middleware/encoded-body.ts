/**
 * @module
 * Bodies leave as they are stored. The Workers runtime compresses a response that carries
 * `Content-Encoding` (and drops its Content-Length) unless the body is marked as already
 * encoded; a gzip object would reach the client gzipped twice, its ETag and length no longer
 * matching. Swift never re-encodes a body: every response with Content-Encoding is sent with
 * `encodeBody: "manual"`, errors included.
 */

import type { MiddlewareHandler } from "hono";
import { H } from "../../common/headers";

export const encodedBody: MiddlewareHandler = async (c, next) => {
  await next();
  // Without a body (HEAD, 304) there is nothing to encode, and marking one as encoded would have
  // an in-process caller try to decode an empty stream.
  if (!c.res.headers.has(H.CONTENT_ENCODING) || c.res.body === null) return;
  const { body, status, headers } = c.res;
  c.res = undefined;
  c.res = new Response(body, { status, headers, encodeBody: "manual" });
};
