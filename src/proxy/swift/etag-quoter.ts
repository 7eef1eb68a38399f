/**
 * @module
 * RFC 7232 ETags on request: `X-Account-Rfc-Compliant-Etags` or `X-Container-Rfc-Compliant-Etags`
 * (kept as sysmeta, `True`/`False`) makes object responses carry their ETag double-quoted; the
 * container's setting overrides the account's, and neither set is the cluster default (off).
 * The first stage, as Swift places etag_quoter just after cache; subrequests are never quoted
 * (in Swift they run below it), so middlewares compare bare ETags as before.
 * Swift: common/middleware/etag_quoter.py.
 */

import { H, isTrue } from "../../common/headers";
import { levelOf } from "../../common/path";
import { liveMetadata } from "../../durable/merge";
import { accountInfo } from "../services/account";
import { containerInfo } from "../services/container";
import type { Middleware, Next } from "./pipeline";
import { required, type SwiftRequest } from "./request";

/** Swift: etag_quoter's enable_by_default (a cluster without the setting quotes nothing). */
export const ETAG_QUOTER_ENABLE_BY_DEFAULT = false;

/** /info's etag_quoter section (Swift: etag_quoter filter_factory register_swift_info). */
export const ETAG_QUOTER_INFO = { enable_by_default: ETAG_QUOTER_ENABLE_BY_DEFAULT } as const;

/** The header a user sets, and the sysmeta Swift keeps it as, per level (the controllers store the sysmeta). */
export const SETTING = {
  account: { client: "x-account-rfc-compliant-etags", sysmeta: "x-account-sysmeta-rfc-compliant-etags" },
  container: { client: "x-container-rfc-compliant-etags", sysmeta: "x-container-sysmeta-rfc-compliant-etags" },
} as const;

type Level = keyof typeof SETTING;

/**
 * The sysmeta a request's headers set: `True`/`False` (Swift's str of config_true_value) for a
 * value, "" (removed) for an empty value or a non-empty `X-Remove-…` header; null when it names
 * none. Swift: etag_quoter __call__.
 */
export function settingUpdate(headers: Headers, level: Level): string | null {
  const { client } = SETTING[level];
  let update: string | null = null;
  const value = headers.get(client);
  if (value !== null) update = value ? (isTrue(value) ? "True" : "False") : "";
  if (headers.get(`x-remove-${client.slice("x-".length)}`)) update = "";
  return update;
}

/** Whether the object's responses are quoted: the container's setting, else the account's, else the default. */
async function quoting(req: SwiftRequest, container: string): Promise<boolean> {
  const { account } = req.path;
  const containerRow = await containerInfo(req.ctx, account, container);
  // Swift passes a request whose container or account info is not a success through untouched.
  if (!containerRow) return false;
  let flag = liveMetadata(containerRow.metadata)[SETTING.container.sysmeta];
  if (flag === undefined) {
    const accountRow = await accountInfo(req.ctx, account);
    if (!accountRow || accountRow.status === "DELETED") return false;
    flag = liveMetadata(accountRow.metadata)[SETTING.account.sysmeta];
  }
  return isTrue(flag ?? String(ETAG_QUOTER_ENABLE_BY_DEFAULT));
}

/** An ETag double-quoted; one already quoted (`"…"` or `W/"…"`) as it is. Swift: etag_quoter __call__. */
export function quotedEtag(etag: string): string {
  return (etag.startsWith('"') || etag.startsWith('W/"')) && etag.endsWith('"') ? etag : `"${etag}"`;
}

/** The response with its ETag quoted (a copy only when it changes). */
function withQuotedEtag(response: Response): Response {
  const etag = response.headers.get(H.ETAG);
  if (etag === null || quotedEtag(etag) === etag) return response;
  const quoted = new Response(response.body, response);
  quoted.headers.set(H.ETAG, quotedEtag(etag));
  return quoted;
}

/**
 * An account or container request: the setting it names goes to the controller as sysmeta, which
 * stores it with the write itself (a client's own sysmeta header is dropped, as Swift's gatekeeper
 * drops it); the sysmeta is shown under the header the user set.
 */
async function settingRequest(req: SwiftRequest, next: Next, level: Level): Promise<Response> {
  const { sysmeta, client } = SETTING[level];
  const update = settingUpdate(req.request.headers, level);
  const headers = new Headers(req.request.headers);
  headers.delete(sysmeta);
  if (update !== null) headers.set(sysmeta, update);
  const response = await next({ ...req, request: new Request(req.request, { headers }) });
  const value = response.headers.get(sysmeta);
  if (value === null) return response;
  const shown = new Response(response.body, response);
  shown.headers.delete(sysmeta);
  shown.headers.set(client, value);
  return shown;
}

/** The etag_quoter stage. Swift: etag_quoter.py EtagQuoterMiddleware.__call__. */
export const etagQuoter: Middleware = async (req, next) => {
  // A subrequest runs below etag_quoter in Swift: the middleware making it reads the bare ETag.
  if ((req.environ.depth ?? 0) > 0) return next(req);
  const level = levelOf(req.path);
  if (level !== "object") return settingRequest(req, next, level);
  if (!(await quoting(req, required(req.path.container)))) return next(req);
  return withQuotedEtag(await next(req));
};
