/**
 * @module
 * The Swift API as Swift builds it: a pipeline of middlewares in a fixed order in front of the
 * account, container and object controllers. Each middleware sees the request and `next`; it may
 * answer itself (bulk, formpost, staticweb), change the request (tempurl's identity, symlink's
 * target) or wrap the response (slo, dlo, cors). Middlewares read other objects with
 * `req.subrequest`, which runs the whole pipeline again, as Swift's make_subrequest does.
 * Swift: proxy/server.py pipeline, etc/proxy-server.conf-sample.
 */

import type { SwiftRequest } from "./request";

export type Next = (req: SwiftRequest) => Promise<Response>;

/** One stage of the pipeline. */
export type Middleware = (req: SwiftRequest, next: Next) => Promise<Response>;

/** Runs `middlewares` in order in front of `last`. */
export function compose(middlewares: readonly Middleware[], last: Next): Next {
  return middlewares.reduceRight<Next>((next, middleware) => (req) => middleware(req, next), last);
}
