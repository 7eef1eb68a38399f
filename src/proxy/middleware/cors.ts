/**
 * @module
 * CORS, the pipeline's first stage, as Swift's controllers apply it: OPTIONS is answered here
 * (Allow; a preflight is checked against the container's X-Container-Meta-Access-Control-*
 * metadata), and a container or object request with an Origin gets Access-Control-Allow-Origin
 * and Access-Control-Expose-Headers when its origin is allowed (strict_cors_mode). Accounts have
 * no CORS. Answers a middleware gives before any controller runs (a refused TempURL, FormPOST,
 * an early denial) get none, as in Swift, where this lives in the controllers.
 * Swift: proxy/controllers/base.py cors_validation, Controller.OPTIONS, is_origin_allowed;
 * common/middleware/copy.py handle_OPTIONS_request.
 */

import { SwiftError } from "../../common/errors";
import { H, metaPrefix } from "../../common/headers";
import { levelOf } from "../../common/path";
import { liveMetadata } from "../../durable/merge";
import { authorizeOptions } from "../auth/authorize";
import { containerInfo } from "../services/container";
import type { Middleware } from "../swift/pipeline";
import type { SwiftRequest } from "../swift/request";

/** Swift's allowed_methods of the account, container and object controllers, in the order its Allow lists them. */
const ALLOWED_METHODS = ["DELETE", "HEAD", "POST", "GET", "PUT", "OPTIONS"];
/** The copy middleware adds COPY to a successful object OPTIONS. */
const COPY = "COPY";

/** Swift: cors_validation. Response headers every CORS response exposes. */
const EXPOSED_ALWAYS = [
  "cache-control",
  "content-language",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
  "etag",
  "x-timestamp",
  "x-trans-id",
  "x-openstack-request-id",
];

/** A container's CORS settings (Swift: container_info['cors']). */
interface CorsInfo {
  allowOrigin: string | undefined;
  exposeHeaders: string | undefined;
  maxAge: string | undefined;
}

async function corsInfo(req: SwiftRequest): Promise<CorsInfo> {
  const { account, container } = req.path;
  const info = container === null ? null : await containerInfo(req.ctx, account, container);
  const metadata = info ? liveMetadata(info.metadata) : {};
  return {
    allowOrigin: metadata[H.X_CONTAINER_META_ACCESS_CONTROL_ALLOW_ORIGIN],
    exposeHeaders: metadata[H.X_CONTAINER_META_ACCESS_CONTROL_EXPOSE_HEADERS],
    maxAge: metadata[H.X_CONTAINER_META_ACCESS_CONTROL_MAX_AGE],
  };
}

/** Swift: is_origin_allowed (no cluster-wide cors_allow_origin). */
function originAllowed(cors: CorsInfo, origin: string): boolean {
  const allowed = (cors.allowOrigin ?? "")
    .split(" ")
    .map((item) => item.trim())
    .filter(Boolean);
  return allowed.includes(origin) || allowed.includes("*");
}

function allowsAnyOrigin(cors: CorsInfo): boolean {
  return cors.allowOrigin?.trim() === "*";
}

/** Swift: Controller.OPTIONS. 200 with Allow; a preflight gets the CORS headers or 401. */
async function options(req: SwiftRequest): Promise<Response> {
  authorizeOptions(req);
  const level = levelOf(req.path);
  const methods = level === "object" ? [...ALLOWED_METHODS, COPY] : ALLOWED_METHODS;
  const origin = req.request.headers.get(H.ORIGIN);
  if (!origin || level === "account") {
    return new Response(null, {
      status: 200,
      headers: { [H.ALLOW]: methods.join(", "), [H.CONTENT_TYPE]: "text/html; charset=UTF-8", [H.CONTENT_LENGTH]: "0" },
    });
  }
  const cors = await corsInfo(req);
  const requested = req.request.headers.get(H.ACCESS_CONTROL_REQUEST_METHOD);
  if (!originAllowed(cors, origin) || requested === null || !ALLOWED_METHODS.includes(requested)) {
    throw new SwiftError("Unauthorized", undefined, { [H.ALLOW]: ALLOWED_METHODS.join(", ") });
  }
  const headers = new Headers({ [H.ALLOW]: methods.join(", ") });
  const vary: string[] = [];
  if (allowsAnyOrigin(cors)) {
    headers.set(H.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
  } else {
    headers.set(H.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    vary.push("Origin");
  }
  if (cors.maxAge !== undefined) headers.set(H.ACCESS_CONTROL_MAX_AGE, cors.maxAge);
  headers.set(H.ACCESS_CONTROL_ALLOW_METHODS, methods.join(", "));
  // Every header asked for is allowed (Swift: "the list of headers can be unbounded").
  const asked = [
    ...new Set(
      (req.request.headers.get(H.ACCESS_CONTROL_REQUEST_HEADERS) ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  if (asked.length) {
    headers.set(H.ACCESS_CONTROL_ALLOW_HEADERS, asked.join(", "));
    vary.push("Access-Control-Request-Headers");
  }
  if (vary.length) headers.set(H.VARY, vary.join(", "));
  headers.set(H.CONTENT_LENGTH, "0");
  return new Response(null, { status: 200, headers });
}

/** Swift: cors_validation. Adds Expose-Headers and Allow-Origin (and Vary) unless already there. */
function decorate(headers: Headers, cors: CorsInfo, origin: string): void {
  if (!headers.has(H.ACCESS_CONTROL_EXPOSE_HEADERS)) {
    const exposed = new Set(EXPOSED_ALWAYS);
    for (const [name] of headers)
      if (name.startsWith(metaPrefix("container")) || name.startsWith(metaPrefix("object"))) exposed.add(name);
    for (const name of (cors.exposeHeaders ?? "").split(" ")) if (name.trim()) exposed.add(name.trim().toLowerCase());
    headers.set(H.ACCESS_CONTROL_EXPOSE_HEADERS, [...exposed].join(", "));
  }
  if (!headers.has(H.ACCESS_CONTROL_ALLOW_ORIGIN)) {
    if (allowsAnyOrigin(cors)) {
      headers.set(H.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    } else {
      headers.set(H.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      const vary = headers.get(H.VARY);
      headers.set(H.VARY, vary ? `${vary}, Origin` : "Origin");
    }
  }
}

/** The CORS stage: answers OPTIONS; decorates container and object answers to an allowed Origin. */
export const cors: Middleware = async (req, next) => {
  if (req.request.method === "OPTIONS") return options(req);
  const origin = req.request.headers.get(H.ORIGIN);
  if (!origin || levelOf(req.path) === "account") return next(req);
  // Swift reads the container's CORS settings before the controller acts.
  const info = await corsInfo(req);
  const applies = () => !req.environ.answeredBeforeController && originAllowed(info, origin);
  let response: Response;
  try {
    response = await next(req);
  } catch (error) {
    // 405 comes from routing, before any controller.
    if (!(error instanceof SwiftError) || error.kind === "MethodNotAllowed" || !applies()) throw error;
    const headers = new Headers(error.headers);
    decorate(headers, info, origin);
    throw error.withHeaders(Object.fromEntries(headers));
  }
  if (!applies()) return response;
  const decorated = new Response(response.body, response);
  decorate(decorated.headers, info, origin);
  return decorated;
};
