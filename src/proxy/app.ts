/**
 * @module
 * The proxy: one Hono app with the middleware in a fixed order (transaction id first, so every
 * response carries one), the auth, info and Swift API routes, and the one error handler that
 * renders a SwiftError as Swift would. Swift: proxy/server.py and its pipeline.
 */

import { Hono } from "hono";
import { parseConfig } from "../config/config";
import { ERRORS, SwiftError, errorBody } from "../common/errors";
import { H } from "../common/headers";
import { decodePath, parseSwiftPath } from "../common/path";
import { handleGetToken } from "./auth/swift-v1";
import { domainRemap, domainRemapPath } from "./middleware/domain-remap";
import { encodedBody } from "./middleware/encoded-body";
import { wsgiHeaderNames } from "./middleware/header-names";
import { transId } from "./middleware/trans-id";
import { admin } from "./admin";
import { info } from "./swift/info";
import { swiftApi } from "./swift/router";

// Routing sees the remapped path of a host under a storage domain (Swift: domain_remap, early in
// its pipeline); the domainRemap stage below swaps in the remapped request.
export const app = new Hono<{ Bindings: Env }>({ getPath: domainRemapPath });

app.use("*", transId);
app.use("*", wsgiHeaderNames);
app.use("*", encodedBody);
app.use("*", domainRemap);

app.route("/", info);
app.route("/", admin);

// Tempauth answers any method but GET with 405 and no Allow (HEAD too: Hono would run GET's handler).
for (const path of ["/auth/v1.0", "/auth/v1/:account/auth", "/auth/auth"]) {
  app.all(path, (c) => {
    if (c.req.method !== "GET") throw new SwiftError("MethodNotAllowed");
    return handleGetToken(parseConfig(c.env), c.req.raw, Date.now());
  });
}

app.route("/v1", swiftApi);
app.route("/v1.0", swiftApi);

// Swift reads any other path as /{version}/{account}/…: 412 "Invalid UTF8 or contains NULL", 404
// when split_path refuses it ("/", "//v1/a"), 412 "Bad URL" without an account, 400 for a version
// other than v1 and v1.0.
app.notFound((c) => {
  parseSwiftPath(decodePath(new URL(c.req.url).pathname));
  throw new SwiftError("NotFound");
});

/**
 * A request body nobody read is cancelled once the answer is known: the runtime sends no response
 * before a body it was given is read or cancelled, and Swift answers an error (413 from the
 * Content-Length, 401, 404) without waiting for the upload.
 */
function cancelUnreadBody(request: Request): void {
  const body = request.body;
  if (body === null || request.bodyUsed || body.locked) return;
  body.cancel().catch(() => undefined);
}

app.onError((error, c) => {
  const swiftError = error instanceof SwiftError ? error : null;
  if (!swiftError) console.error(`${c.req.method} ${c.req.url}:`, error);
  cancelUnreadBody(c.req.raw);
  const kind = swiftError?.kind ?? "InternalServerError";
  const { body, contentType } = errorBody(kind, swiftError?.detail);
  const head = c.req.method === "HEAD";
  const headers = new Headers({
    [H.CONTENT_TYPE]: contentType,
    [H.CONTENT_LENGTH]: String(head ? 0 : new TextEncoder().encode(body).length),
    ...swiftError?.headers,
  });
  // The body is this error's text, not the object's stored bytes: an object's Content-Encoding
  // (a 416 keeps the object's headers) would have every decoding client fail on it.
  headers.delete(H.CONTENT_ENCODING);
  // swob's reason phrase (413 "Request Entity Too Large", 500 "Internal Error"), not the runtime's.
  const { status, reason } = ERRORS[kind];
  return new Response(head ? null : body, { status, statusText: reason, headers });
});
