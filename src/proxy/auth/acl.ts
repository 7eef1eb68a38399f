/**
 * @module
 * Who may do what, as tempauth's authorize decides it: the reseller admin owns every account; a
 * `.admin` user owns its own account; everyone else is refused, 401 when anonymous and 403 when
 * authenticated. Swift: common/middleware/tempauth.py authorize, denied_response.
 */

import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { RESELLER_PREFIX, storageAccount, type Identity } from "./swift-v1";

/** Whether the identity owns the account (Swift's swift_owner). */
export function isOwner(identity: Identity | null, account: string): boolean {
  if (!identity) return false;
  if (!account.startsWith(RESELLER_PREFIX)) return false;
  if (identity.roles.has(".reseller_admin")) return true;
  return identity.roles.has(".admin") && storageAccount(identity.account) === account;
}

/** Whether the identity is a reseller admin. */
export function isResellerAdmin(identity: Identity | null): boolean {
  return identity?.roles.has(".reseller_admin") ?? false;
}

/** Throws tempauth's refusal unless the identity owns the account. */
export function requireOwner(identity: Identity | null, account: string): void {
  if (isOwner(identity, account)) return;
  if (identity) throw new SwiftError("Forbidden");
  throw new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: `Swift realm="${account}"` });
}
