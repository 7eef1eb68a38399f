/**
 * @module
 * Account HEAD, GET (container listing) and POST (metadata). A missing account answers as an
 * empty one (Swift's account_autocreate). Swift: proxy/controllers/account.py,
 * account/utils.py get_response_headers, account_listing_response.
 */

import { ACCOUNT_LISTING_LIMIT, MAX_ACCOUNT_NAME_LENGTH } from "../../common/constraints";
import { H, checkMetadata, metadataUpdates } from "../../common/headers";
import { SETTING } from "./etag-quoter";
import { liveMetadata } from "../../durable/merge";
import { newAccountRow, type AccountContainerRow, type AccountRow } from "../../durable/rows";
import { isResellerAdmin, requireOwner } from "../auth/acl";
import { accountInfo, deleteAccount, headAccount, listAccount, postAccount, putAccount } from "../services/account";
import { SwiftError } from "../../common/errors";
import { listingFormat, listingParams, listingTypeHeaders, renderListing, subdirEntry } from "./listing";
import type { RenderedEntry } from "./listing";
import { xmlText } from "../../common/markup";
import { checkNameLength, emptyResponse, normalForm, statusOrThrow, type SwiftRequest } from "./request";
import type { StoragePolicies } from "../../config/storage-policies";
import { Timestamp } from "../../common/timestamp";
import { readPreference } from "./consistency";

/**
 * Account headers kept as metadata besides X-Account-Meta-* (the account ACL, checked by the authorize stage; the ETag
 * quoter's sysmeta).
 */
export const ACCOUNT_SYSTEM_HEADERS = [H.X_ACCOUNT_ACCESS_CONTROL, SETTING.account.sysmeta] as const;

/** An account that does not exist yet reads as an empty one (account_autocreate). */
function emptyAccount(account: string, now: Timestamp): AccountRow {
  return newAccountRow(account, now.internal);
}

/**
 * Swift: account/utils.py get_response_headers — the totals, then per storage policy that has
 * held a container `X-Account-Storage-Policy-<name>-{Container-Count,Object-Count,Bytes-Used}`.
 */
function accountHeaders(policies: StoragePolicies, row: AccountRow): Record<string, string> {
  const headers: Record<string, string> = {
    [H.X_ACCOUNT_CONTAINER_COUNT]: String(row.containerCount),
    [H.X_ACCOUNT_OBJECT_COUNT]: String(row.objectCount),
    [H.X_ACCOUNT_BYTES_USED]: String(row.bytesUsed),
    [H.X_TIMESTAMP]: normalForm(row.createdAt),
    [H.ACCEPT_RANGES]: "bytes",
  };
  for (const [index, stat] of Object.entries(row.policyStats)) {
    const name = policies.byIndex.get(Number(index))?.name;
    if (name === undefined) continue;
    const prefix = `${H.X_ACCOUNT_STORAGE_POLICY_PREFIX}${name.toLowerCase()}-`;
    headers[`${prefix}container-count`] = String(stat.containerCount);
    headers[`${prefix}object-count`] = String(stat.objectCount);
    headers[`${prefix}bytes-used`] = String(stat.bytesUsed);
  }
  return { ...headers, ...liveMetadata(row.metadata) };
}

function checkAccount(req: SwiftRequest): string {
  const { account } = req.path;
  checkNameLength("Account", account, MAX_ACCOUNT_NAME_LENGTH);
  return account;
}

/** Swift: a deleted account answers 410 Gone (with X-Account-Status: Deleted) until it is reaped. */
function refuseDeleted(row: AccountRow | null): void {
  if (row?.status === "DELETED") throw new SwiftError("Gone", undefined, { "x-account-status": "Deleted" });
}

/** Account PUT and DELETE are the reseller admin's (Swift: allow_account_management + reseller_admin). */
function requireResellerAdmin(req: SwiftRequest): string {
  if (!isResellerAdmin(req.identity)) {
    if (req.identity) throw new SwiftError("Forbidden");
    requireOwner(null, req.path.account);
  }
  checkNameLength("Account", req.path.account, MAX_ACCOUNT_NAME_LENGTH);
  return req.path.account;
}

/** HEAD: 204 with counts and metadata, typed as the listing a GET would send. */
export async function head(req: SwiftRequest): Promise<Response> {
  const account = checkAccount(req);
  const { format, vary } = listingFormat(req.url, req.request.headers);
  const found = await headAccount(req.ctx, account, await readPreference(req));
  refuseDeleted(found);
  const row = found ?? emptyAccount(account, req.ctx.now());
  return emptyResponse(204, { ...accountHeaders(req.ctx.config.policies, row), ...listingTypeHeaders(format, vary) });
}

/** A listed container as JSON and XML show it. */
class ListedContainer implements RenderedEntry {
  constructor(
    readonly name: string,
    readonly row: AccountContainerRow,
  ) {}

  json(): Record<string, unknown> {
    const { objectCount: count, bytesUsed: bytes } = this.row;
    return { name: this.name, count, bytes, last_modified: this.#lastModified() };
  }

  xml(): string {
    const { objectCount: count, bytesUsed: bytes } = this.row;
    return (
      `<container><name>${xmlText(this.name)}</name><count>${count}</count><bytes>${bytes}</bytes>` +
      `<last_modified>${this.#lastModified()}</last_modified></container>`
    );
  }

  #lastModified(): string {
    return (Timestamp.parse(this.row.putTimestamp) ?? new Timestamp(0)).isoformat;
  }
}

/** GET: the container listing in plain text, JSON or XML. */
export async function get(req: SwiftRequest): Promise<Response> {
  const account = checkAccount(req);
  const { format, vary } = listingFormat(req.url, req.request.headers);
  const params = listingParams(req.url, ACCOUNT_LISTING_LIMIT, false);
  const listing = await listAccount(req.ctx, account, params, await readPreference(req));
  refuseDeleted(listing?.account ?? null);
  const row = listing?.account ?? emptyAccount(account, req.ctx.now());
  const entries: RenderedEntry[] = (listing?.entries ?? []).map((entry) => {
    if (entry.kind === "subdir") return subdirEntry(entry.name, "account");
    return new ListedContainer(entry.name, entry.row);
  });
  const body = renderListing(format, "account", account, entries);
  const headers = { ...accountHeaders(req.ctx.config.policies, row), ...listingTypeHeaders(format, vary) };
  if (body === null) return emptyResponse(204, headers);
  return new Response(body, { status: 200, headers });
}

/** POST: metadata set or removed; 204. */
export async function post(req: SwiftRequest): Promise<Response> {
  const account = checkAccount(req);
  checkMetadata(req.request.headers, "account");
  refuseDeleted(await accountInfo(req.ctx, account));
  statusOrThrow(
    await postAccount(req.ctx, account, metadataUpdates(req.request.headers, "account", ACCOUNT_SYSTEM_HEADERS)),
  );
  return emptyResponse(204);
}

/** PUT (reseller admin only; Swift's allow_account_management): 201 created, 202 existed. */
export async function put(req: SwiftRequest): Promise<Response> {
  const account = requireResellerAdmin(req);
  checkMetadata(req.request.headers, "account");
  return emptyResponse(
    statusOrThrow(
      await putAccount(req.ctx, account, metadataUpdates(req.request.headers, "account", ACCOUNT_SYSTEM_HEADERS)),
    ),
  );
}

/**
 * DELETE (reseller admin only): 204 with X-Account-Status: Deleted; the reaper then removes
 * everything the account holds. A query string is refused (400), as Swift refuses it.
 */
export async function remove(req: SwiftRequest): Promise<Response> {
  const account = requireResellerAdmin(req);
  if (req.url.search) throw new SwiftError("BadRequest", "DELETE on accounts may not have a query string");
  statusOrThrow(await deleteAccount(req.ctx, account));
  return emptyResponse(204, { "x-account-status": "Deleted" });
}
