/**
 * @module
 * The authorization stage (tempauth's authorize): the reseller admin may do anything on any
 * account; a `.admin` user owns its own account; others are refused (401 anonymous, 403
 * authenticated) unless an earlier stage vouched for the request (a valid TempURL or FormPOST).
 * Swift: common/middleware/tempauth.py authorize, denied_response.
 */

import type { Middleware } from "../swift/pipeline";
import { requireOwner } from "./acl";

export const authorize: Middleware = async (req, next) => {
  if (!req.environ.authorized) requireOwner(req.identity, req.path.account);
  return next(req);
};
