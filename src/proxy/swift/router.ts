/**
 * @module
 * The Swift API sub-app: `/v1/{account}[/{container}[/{object}]]` parsed as Swift parses it,
 * the caller identified, the request run through the pipeline (swift/pipeline.ts) and handed to
 * the controller for its level and method; 405 with Allow for any other method.
 * Swift: proxy/server.py get_controller, handle_request.
 */

import { Hono } from "hono";
import { parseConfig } from "../../config/config";
import { SUBREQUEST_DEPTH_MAX } from "../../common/constraints";
import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { nameOperation } from "../../common/work";
import { checkReservedNames, decodePath, levelOf, parseSwiftPath, urlPathOf, type SwiftPath } from "../../common/path";
import { authorize } from "../auth/authorize";
import { carrySignedScope } from "../auth/signed-scope";
import { formpost } from "../auth/formpost";
import { tempurl } from "../auth/tempurl";
import { cors } from "../middleware/cors";
import { identify, type Identity } from "../auth/swift-v1";
import { accountInfo } from "../services/account";
import { serviceContext, type ServiceContext } from "../services/context";
import * as account from "./account";
import { bulk } from "./bulk/bulk";
import * as container from "./container";
import { dlo } from "./large-objects/dlo";
import { etagQuoter } from "./etag-quoter";
import * as object from "./object";
import { objectVersioning } from "./versioning/object-versioning";
import { quotas } from "./quotas";
import { consistency } from "./consistency";
import { compose, type Middleware, type Next } from "./pipeline";
import type { Environ, SubrequestInit, SwiftRequest } from "./request";
import { slo } from "./large-objects/slo";
import { staticweb } from "./staticweb";
import { symlink } from "./symlink/symlink";
import { versionedWrites } from "./versioning/versioned-writes";

type Handler = (req: SwiftRequest) => Promise<Response>;

const CONTROLLERS: Record<"account" | "container" | "object", Record<string, Handler>> = {
  account: { GET: account.get, HEAD: account.head, POST: account.post, PUT: account.put, DELETE: account.remove },
  container: {
    GET: container.get,
    HEAD: container.head,
    PUT: container.put,
    POST: container.post,
    DELETE: container.remove,
  },
  object: {
    GET: object.get,
    HEAD: object.get,
    PUT: object.put,
    POST: object.post,
    DELETE: object.remove,
    COPY: object.copyVerb,
  },
};

/** Swift's Allow on a 405, the same at every level (COPY comes from the copy middleware, OPTIONS from CORS). */
const ALLOW = "DELETE, HEAD, POST, GET, PUT, OPTIONS";

/** The controller for the request's level and method; 405 with Allow otherwise. */
const dispatch: Next = async (req) => {
  const level = levelOf(req.path);
  const controllers = CONTROLLERS[level];
  const handler = controllers[req.request.method];
  // A hidden name reaches a controller only from edgeswift's own requests (a client's path was
  // refused already; a name from a header, a manifest or a link is refused here, as Swift does).
  checkReservedNames(
    `${req.path.account}/${req.path.container ?? ""}/${req.path.object ?? ""}`,
    req.environ.allowReservedNames === true,
  );
  if (!handler) throw new SwiftError("MethodNotAllowed", undefined, { [H.ALLOW]: ALLOW });
  // Containers and objects of a deleted account are gone with it (the reaper removes them).
  if (level !== "account" && (await accountInfo(req.ctx, req.path.account))?.status === "DELETED")
    throw new SwiftError("NotFound");
  return handler(req);
};

/**
 * The pipeline, in Swift's order (etc/proxy-server.conf-sample: … cache etag-quoter … cors bulk
 * tempurl formpost tempauth staticweb container-quotas account-quotas slo dlo versioned_writes
 * symlink proxy-server; etag-quoter "just after cache"; versioned_writes' filter wraps
 * object_versioning below the legacy stage, versioned_writes/__init__.py), and edgeswift's
 * consistency stage after the quotas. One line per middleware.
 */
const PIPELINE: readonly Middleware[] = [
  etagQuoter,
  cors,
  bulk,
  tempurl,
  formpost,
  authorize,
  staticweb,
  quotas,
  consistency,
  slo,
  dlo,
  versionedWrites,
  objectVersioning,
  symlink,
];

const run = compose(PIPELINE, dispatch);

/** Builds a request for the pipeline; subrequests carry the caller's identity. */
function swiftRequest(
  request: Request,
  path: SwiftPath,
  identity: Identity | null,
  ctx: ServiceContext,
  environ: Environ,
  waitUntil: (promise: Promise<unknown>) => void,
): SwiftRequest {
  const url = new URL(request.url);
  const req: SwiftRequest = {
    request,
    url,
    path,
    identity,
    ctx,
    environ,
    waitUntil,
    subrequest: async (init: SubrequestInit) => {
      // Every subrequest runs the whole pipeline again, so an SLO, a DLO, a symlink or a copy can
      // lead back to itself (Swift's middlewares read below themselves and cannot): past
      // SUBREQUEST_DEPTH_MAX nested subrequests the walk ends with 409 Conflict, never a spin.
      const depth = (environ.depth ?? 0) + 1;
      if (depth > SUBREQUEST_DEPTH_MAX) {
        console.warn(
          `${init.method} ${init.path}: subrequests nested past ${SUBREQUEST_DEPTH_MAX}, a loop of manifests or links`,
        );
        throw new SwiftError("Conflict");
      }
      // The name is taken as it is, never resolved against `..` (Swift's paths are opaque): the
      // subrequest's path is parsed from the decoded string, and its URL is one no parser resolves.
      const query = init.query ? `?${init.query}` : "";
      const sub = new Request(`${url.origin}${urlPathOf(init.path)}${query}`, {
        method: init.method,
        headers: init.headers ?? {},
        body: init.body ?? null,
      });
      const subEnviron: Environ = {
        source: init.source,
        depth,
        ...(init.allowReservedNames ? { allowReservedNames: true } : {}),
      };
      // A signature's authority goes on with the scope it was granted for (Swift keeps the
      // tempurl's account and container limits in the subrequest's environ).
      if (init.keepAuthorization) carrySignedScope(environ, subEnviron);
      return run(swiftRequest(sub, parseSwiftPath(init.path), identity, ctx, subEnviron, waitUntil));
    },
  };
  return req;
}

/**
 * Runs a request another dialect translated (S3) through the pipeline as `identity`, as Swift's
 * s3api hands its translated request down the pipeline: `path` is the decoded `/v1/a/c/o` path
 * and `request`'s URL carries its query. Object system metadata it sends is stored, and the
 * response keeps the object's (the dialect reads it and shows clients what it means).
 */
export function runTranslated(
  request: Request,
  path: string,
  identity: Identity | null,
  ctx: ServiceContext,
  environ: Environ,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Response> {
  return run(swiftRequest(request, parseSwiftPath(path), identity, ctx, environ, waitUntil));
}

/** Whether a header is system metadata (of any level), which a client neither sends nor sees. */
function isSysmeta(name: string): boolean {
  return /^x-(?:object|container|account)-sysmeta-/.test(name);
}

/** The system metadata names among `headers` (usually none: one pass, no copy). */
function sysmetaNames(headers: Headers): string[] {
  const names: string[] = [];
  for (const name of headers.keys()) if (isSysmeta(name)) names.push(name);
  return names;
}

/** `headers` without `names`, copied. */
function without(headers: Headers, names: readonly string[]): Headers {
  const copy = new Headers(headers);
  for (const name of names) copy.delete(name);
  return copy;
}

/**
 * Swift's gatekeeper: a client's system metadata headers are dropped on the way in and the
 * stored ones on the way out. Swift: common/middleware/gatekeeper.py.
 */
function withoutSysmeta(request: Request): Request {
  const names = sysmetaNames(request.headers);
  return names.length ? new Request(request, { headers: without(request.headers, names) }) : request;
}

function responseWithoutSysmeta(response: Response): Response {
  const names = sysmetaNames(response.headers);
  if (!names.length) return response;
  const { body, status, statusText } = response;
  return new Response(body, { status, statusText, headers: without(response.headers, names) });
}

export const swiftApi = new Hono<{ Bindings: Env }>();

swiftApi.all("*", async (c) => {
  const config = parseConfig(c.env);
  const request = withoutSysmeta(c.req.raw);
  const identity = await identify(config, request, Date.now());
  const path = parseSwiftPath(decodePath(new URL(request.url).pathname));
  nameOperation(`${levelOf(path)} ${request.method}`);
  const response = await run(
    swiftRequest(request, path, identity, serviceContext(config), {}, (promise) => c.executionCtx.waitUntil(promise)),
  );
  return responseWithoutSysmeta(response);
});
