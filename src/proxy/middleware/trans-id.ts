/**
 * @module
 * Every response carries X-Trans-Id and the identical X-Openstack-Request-Id: `tx`, 21 hex
 * characters, `-`, the unix time in 10 hex digits, then the client's X-Trans-Id-Extra (first 32
 * characters). Swift: common/utils generate_trans_id, common/middleware/catch_errors.py.
 */

import type { MiddlewareHandler } from "hono";
import { H } from "../../common/headers";

/** Swift's transaction id format. */
export function generateTransId(nowMs: number, extra: string | null): string {
  const random = crypto.getRandomValues(new Uint8Array(11));
  const hex = [...random].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 21);
  const time = Math.floor(nowMs / 1000).toString(16).padStart(10, "0");
  return `tx${hex}-${time}${extra ? encodeURIComponent(extra.slice(0, 32)) : ""}`;
}

export const transId: MiddlewareHandler = async (c, next) => {
  const id = generateTransId(Date.now(), c.req.header(H.X_TRANS_ID_EXTRA) ?? null);
  await next();
  c.res.headers.set(H.X_TRANS_ID, id);
  c.res.headers.set(H.X_OPENSTACK_REQUEST_ID, id);
};
