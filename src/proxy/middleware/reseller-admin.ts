/**
 * @module
 * Routes for the reseller admin alone (recon, faults, bench): 401 without a valid token, 403 for
 * any other user. Swift: tempauth's reseller_admin role, the only one recon-like operations allow.
 */

import type { MiddlewareHandler } from "hono";
import { parseConfig } from "../../config/config";
import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { isResellerAdmin } from "../auth/acl";
import { identify } from "../auth/swift-v1";

export const resellerAdminOnly: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const identity = await identify(parseConfig(c.env), c.req.raw, Date.now());
  if (!isResellerAdmin(identity)) {
    if (identity) throw new SwiftError("Forbidden");
    throw new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: 'Swift realm="unknown"' });
  }
  await next();
};
