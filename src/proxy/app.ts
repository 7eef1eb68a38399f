/**
 * @module
 * The proxy: one Hono app with the middleware in a fixed order (transaction id first, so every
 * response carries one), the auth, info and Swift API routes, and the one error handler that
 * renders a SwiftError as Swift would. Swift: proxy/server.py and its pipeline.
 */

import { Hono } from "hono";
import { cancelUnreadBody } from "../common/bodies";
import { parseConfig } from "../config/config";
import { SwiftError } from "../common/errors";
import { decodePath, parseSwiftPath } from "../common/path";
import { handleGetToken } from "./auth/swift-v1";
import { domainRemap, domainRemapPath } from "./middleware/domain-remap";
import { encodedBody } from "./middleware/encoded-body";
import { wsgiHeaderNames } from "./middleware/header-names";
import { transId } from "./middleware/trans-id";
import { countedWork } from "./middleware/work";
import { admin } from "./admin";
import { dashboard } from "./dashboard/routes";
import { dispersion } from "./dispersion";
import { metrics } from "./metrics";
import { s3Api } from "./s3/router";
import { info } from "./swift/info";
import { errorResponse } from "./swift/errors";
import { swiftApi } from "./swift/router";

// Routing sees the remapped path of a host under a storage domain (Swift: domain_remap, early in
// its pipeline); the domainRemap stage below swaps in the remapped request.
export const app = new Hono<{ Bindings: Env }>({ getPath: domainRemapPath });

app.use("*", countedWork);
app.use("*", transId);
app.use("*", encodedBody);
// S3-signed requests are answered before Swift's header-name rewriting could change what was signed.
app.use("*", s3Api);
app.use("*", wsgiHeaderNames);
app.use("*", domainRemap);

app.route("/", info);
app.route("/", admin);
app.route("/", metrics);
app.route("/", dispersion);
app.route("/", dashboard);

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

app.onError((error, c) => {
  cancelUnreadBody(c.req.raw);
  return errorResponse(error, c.req.method, `${c.req.method} ${c.req.url}`);
});
