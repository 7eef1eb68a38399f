/**
 * @module
 * The Swift API sub-app: `/v1/{account}[/{container}[/{object}]]` parsed as Swift parses it,
 * the caller identified, and the request handed to the controller for its level and method;
 * 405 with Allow for any other method. Swift: proxy/server.py get_controller, handle_request.
 */

import { Hono } from "hono";
import { parseConfig } from "../../common/config";
import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { decodePath, levelOf, parseSwiftPath } from "../../common/path";
import { identify } from "../auth/swift-v1";
import { accountInfo } from "../services/account";
import { serviceContext } from "../services/context";
import * as account from "./account";
import * as container from "./container";
import * as object from "./object";
import type { SwiftRequest } from "./request";

type Handler = (req: SwiftRequest) => Promise<Response>;

const CONTROLLERS: Record<"account" | "container" | "object", Record<string, Handler>> = {
  account: { GET: account.get, HEAD: account.head, POST: account.post, PUT: account.put, DELETE: account.remove },
  container: { GET: container.get, HEAD: container.head, PUT: container.put, POST: container.post, DELETE: container.remove },
  object: { GET: object.get, HEAD: object.get, PUT: object.put, POST: object.post, DELETE: object.remove, COPY: object.copyVerb },
};

export const swiftApi = new Hono<{ Bindings: Env }>();

swiftApi.all("*", async (c) => {
  const url = new URL(c.req.url);
  const path = parseSwiftPath(decodePath(url.pathname));
  const level = levelOf(path);
  const controllers = CONTROLLERS[level];
  const handler = controllers[c.req.method];
  if (!handler) {
    throw new SwiftError("MethodNotAllowed", undefined, { [H.ALLOW]: Object.keys(controllers).sort().join(", ") });
  }
  const config = parseConfig(c.env);
  const request = c.req.raw;
  const ctx = serviceContext(config);
  // Containers and objects of a deleted account are gone with it (the reaper removes them).
  if (level !== "account" && (await accountInfo(ctx, path.account))?.status === "DELETED") throw new SwiftError("NotFound");
  return handler({
    request,
    url,
    path,
    identity: await identify(config, request, Date.now()),
    ctx,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  });
});
