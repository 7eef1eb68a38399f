/**
 * @module
 * The proxy: one Hono app with the middleware in a fixed order (transaction id first, so every
 * response carries one), the auth, info and Swift API routes, and the one error handler that
 * renders a SwiftError as Swift would. Swift: proxy/server.py and its pipeline.
 */

import { Hono } from "hono";
import { parseConfig } from "../common/config";
import { ERRORS, SwiftError, errorBody } from "../common/errors";
import { H } from "../common/headers";
import { decodePath, parseSwiftPath } from "../common/path";
import { handleGetToken } from "./auth/swift-v1";
import { bench } from "./bench";
import { benchReplication } from "./bench-replication";
import { encodedBody } from "./middleware/encoded-body";
import { transId } from "./middleware/trans-id";
import { admin } from "./admin";
import { info } from "./swift/info";
import { swiftApi } from "./swift/router";

export const app = new Hono<{ Bindings: Env }>();

app.use("*", transId);
app.use("*", encodedBody);

app.route("/", info);
app.route("/", admin);
app.route("/bench/replication", benchReplication);
app.route("/bench", bench);

for (const path of ["/auth/v1.0", "/auth/v1/:account/auth", "/auth/auth"]) {
  app.get(path, (c) => handleGetToken(parseConfig(c.env), c.req.raw, Date.now()));
  app.all(path, () => {
    throw new SwiftError("MethodNotAllowed", undefined, { [H.ALLOW]: "GET" });
  });
}

app.route("/v1", swiftApi);
app.route("/v1.0", swiftApi);

// Swift: "/" is 404; any other path is read as /{version}/{account}/…: 412 "Bad URL" without an
// account, 400 for a version other than v1 and v1.0.
app.notFound((c) => {
  const pathname = new URL(c.req.url).pathname;
  if (pathname === "/") throw new SwiftError("NotFound");
  parseSwiftPath(decodePath(pathname));
  throw new SwiftError("NotFound");
});

app.onError((error, c) => {
  const swiftError = error instanceof SwiftError ? error : null;
  if (!swiftError) console.error(`${c.req.method} ${c.req.url}:`, error);
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
  return new Response(head ? null : body, { status: ERRORS[kind].status, headers });
});
