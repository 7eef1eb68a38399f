/**
 * @module
 * Container and account quotas, one stage as Swift's container-quotas and account-quotas sit
 * side by side. Containers: `X-Container-Meta-Quota-Bytes` / `-Quota-Count` must be integers
 * (400) and an object PUT that would pass them is refused (413). Accounts:
 * `X-Account-Meta-Quota-Bytes` is set and removed only by the reseller admin (others 403), and
 * an object PUT that would pass it is refused (413); the reseller admin's own writes are not
 * limited. Both read the cached container and account information, as Swift reads memcache, so
 * a burst of writes within the cache's lifetime can overshoot; chunked uploads count as 0
 * bytes. A COPY (or X-Copy-From) is checked on the PUT subrequest the copy makes.
 * Swift: common/middleware/container_quotas.py, account_quotas.py.
 */

import { SwiftError } from "../../common/errors";
import { H, metaPrefix, removeMetaPrefix } from "../../common/headers";
import { liveMetadata } from "../../durable/merge";
import { isResellerAdmin } from "../auth/acl";
import { accountInfo } from "../services/account";
import { containerInfo } from "../services/container";
import type { Middleware } from "./pipeline";
import type { SwiftRequest } from "./request";

const CONTAINER_QUOTA_BYTES = `${metaPrefix("container")}quota-bytes`;
const CONTAINER_QUOTA_COUNT = `${metaPrefix("container")}quota-count`;
const ACCOUNT_QUOTA_BYTES = `${metaPrefix("account")}quota-bytes`;
const REMOVE_ACCOUNT_QUOTA_BYTES = `${removeMetaPrefix("account")}quota-bytes`;

const isDigits = (value: string): boolean => /^\d+$/.test(value);

/** The request's Content-Length, 0 when chunked or absent (Swift: req.content_length or 0). */
function contentLength(request: Request): number {
  const length = Number(request.headers.get(H.CONTENT_LENGTH) ?? "0");
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}

const exceeds = () => SwiftError.html("RequestEntityTooLarge", "Upload exceeds quota.");

/** Swift: container_quotas.py __call__. */
async function checkContainerQuotas(req: SwiftRequest): Promise<void> {
  const { container, object } = req.path;
  const method = req.request.method;
  if (container === null) return;
  if (object === null) {
    if (method !== "PUT" && method !== "POST") return;
    const bytes = req.request.headers.get(CONTAINER_QUOTA_BYTES);
    if (bytes && !isDigits(bytes)) throw SwiftError.html("BadRequest", "Invalid bytes quota.");
    const count = req.request.headers.get(CONTAINER_QUOTA_COUNT);
    if (count && !isDigits(count)) throw SwiftError.html("BadRequest", "Invalid count quota.");
    return;
  }
  if (method !== "PUT") return;
  const info = await containerInfo(req.ctx, req.path.account, container);
  if (!info) return; // the controller answers 404
  const metadata = liveMetadata(info.metadata);
  const quotaBytes = metadata[CONTAINER_QUOTA_BYTES];
  if (
    quotaBytes !== undefined &&
    isDigits(quotaBytes) &&
    Number(quotaBytes) < info.bytesUsed + contentLength(req.request)
  )
    throw exceeds();
  const quotaCount = metadata[CONTAINER_QUOTA_COUNT];
  if (quotaCount !== undefined && isDigits(quotaCount) && Number(quotaCount) < info.objectCount + 1) throw exceeds();
}

/** Swift: account_quotas.py __call__. */
async function checkAccountQuota(req: SwiftRequest): Promise<void> {
  const method = req.request.method;
  if (method !== "POST" && method !== "PUT") return;
  const headers = req.request.headers;
  let quota: string | null = null;
  if (req.path.container === null) {
    quota = headers.get(ACCOUNT_QUOTA_BYTES);
    if (headers.get(REMOVE_ACCOUNT_QUOTA_BYTES)) quota = "0"; // a removal wins when both are sent
  }
  if (isResellerAdmin(req.identity)) {
    if (quota && !isDigits(quota)) throw new SwiftError("BadRequest");
    return;
  }
  if (quota !== null) throw new SwiftError("Forbidden");
  if (method === "POST" || req.path.object === null) return;
  const info = await accountInfo(req.ctx, req.path.account);
  if (!info) return;
  const limit = liveMetadata(info.metadata)[ACCOUNT_QUOTA_BYTES];
  // Swift: int() of the stored value; anything unparsable means no quota.
  if (limit === undefined || !/^\s*[+-]?\d+\s*$/.test(limit)) return;
  const bytes = Number(limit);
  if (bytes < 0) return;
  if (bytes < info.bytesUsed + contentLength(req.request)) throw exceeds();
}

/** The quotas stage: container quotas, then account quotas. */
export const quotas: Middleware = async (req, next) => {
  await checkContainerQuotas(req);
  await checkAccountQuota(req);
  return next(req);
};
