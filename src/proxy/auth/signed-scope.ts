/**
 * @module
 * What a signature vouches for: the account, the container where the signature covers one (a
 * container TempURL key, a FormPOST), and the object-name prefix a FormPOST signed. It goes on
 * with the authority into subrequests, and the authorize stage refuses anything outside it, so a
 * signed request never reaches past the path its signature covers, whatever names it carries.
 * Swift: tempurl.py authorize_same_account, authorize_same_container; formpost.py _perform_subrequest.
 */

import type { Environ, SignedScope, SwiftRequest } from "../swift/request";

export type { SignedScope };

/** Marks the request as authorized by a signature, for that scope alone. */
export function grantSignedScope(environ: Environ, authorized: "tempurl" | "formpost", scope: SignedScope): void {
  environ.authorized = authorized;
  environ.signedScope = scope;
}

/** Hands a signature's authority and its scope on to a subrequest's environ. */
export function carrySignedScope(from: Environ, to: Environ): void {
  if (!from.authorized) return;
  to.authorized = from.authorized;
  to.signedScope = from.signedScope;
}

/** Whether a request a signature vouched for stays inside what was signed; without a scope, nothing is allowed. */
export function signedScopeAllows(req: Pick<SwiftRequest, "environ" | "path">): boolean {
  if (!req.environ.authorized) return true;
  const scope = req.environ.signedScope;
  if (!scope) return false;
  const { account, container, object } = req.path;
  if (account !== scope.account) return false;
  if (scope.container !== null && container !== scope.container) return false;
  return scope.objectPrefix === "" || (object ?? "").startsWith(scope.objectPrefix);
}
