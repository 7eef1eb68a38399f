/**
 * @module
 * Container PUT, HEAD, GET (object listing), POST and DELETE. Swift: proxy/controllers/container.py,
 * container/server.py gen_resp_headers, common/middleware/listing_formats.py.
 */

import { CONTAINER_LISTING_LIMIT, MAX_CONTAINER_NAME_LENGTH } from "../../common/constraints";
import { H, checkMetadata, metadataUpdates } from "../../common/headers";
import { SETTING } from "./etag-quoter";
import { Timestamp } from "../../common/timestamp";
import { listingFromStart } from "../../durable/listing";
import { liveMetadata } from "../../durable/merge";
import type { ContainerRow, ListingRow } from "../../durable/rows";
import { deleteContainer, listContainer, postContainer, putContainer, shardRangesOf } from "../services/container";
import { shardsAccount } from "../../durable/shard-ranges";
import { activeRanges } from "../../durable/sharder";
import { listingFormat, listingParams, listingTypeHeaders, renderListing, subdirEntry } from "./listing";
import type { RenderedEntry } from "./listing";
import { xmlText } from "../../common/markup";
import { splitSwiftBytes } from "./large-objects/swift-bytes";
import { listingSymlink } from "./symlink/params";
import { checkSyncTo } from "./container-sync";
import {
  checkNameLength,
  emptyResponse,
  httpDateOf,
  normalForm,
  required,
  statusOrThrow,
  type SwiftRequest,
} from "./request";
import { SwiftError } from "../../common/errors";
import { policyByName, policyOfIndex, type StoragePolicy } from "../../config/storage-policies";
import { readPreference } from "./consistency";
import { RESERVED } from "../../common/path";

/** How Swift spells the header in its messages. */
const X_STORAGE_POLICY_NAME = "X-Storage-Policy";

/**
 * Container headers kept as metadata besides X-Container-Meta-* (ACLs, legacy versioning, container sync, the ETag
 * quoter's sysmeta).
 */
export const CONTAINER_SYSTEM_HEADERS = [
  H.X_CONTAINER_READ,
  H.X_CONTAINER_WRITE,
  H.X_VERSIONS_LOCATION,
  H.X_HISTORY_LOCATION,
  H.X_CONTAINER_SYNC_KEY,
  H.X_CONTAINER_SYNC_TO,
  SETTING.container.sysmeta,
  H.X_CONTAINER_SYSMETA_VERSIONS_ENABLED,
  H.X_CONTAINER_SYSMETA_VERSIONS_CONTAINER,
] as const;

function containerHeaders(req: SwiftRequest, row: ContainerRow): Record<string, string> {
  return {
    [H.X_CONTAINER_OBJECT_COUNT]: String(row.objectCount),
    [H.X_CONTAINER_BYTES_USED]: String(row.bytesUsed),
    [H.X_TIMESTAMP]: normalForm(row.createdAt),
    [H.LAST_MODIFIED]: httpDateOf(row.putTimestamp),
    [H.X_STORAGE_POLICY]: policyOfIndex(req.ctx.config.policies, row.storagePolicyIndex).name,
    [H.ACCEPT_RANGES]: "bytes",
    ...liveMetadata(row.metadata),
  };
}

function names(req: SwiftRequest): { account: string; container: string } {
  return { account: req.path.account, container: required(req.path.container) };
}

/**
 * The storage policy a container PUT asks for with X-Storage-Policy (a name or alias, any case);
 * null when it names none. Unknown → 400 (text/plain), deprecated → 400, as Swift's
 * container.py _convert_policy_to_index.
 */
function requestedPolicy(req: SwiftRequest): StoragePolicy | null {
  const name = req.request.headers.get(H.X_STORAGE_POLICY);
  if (!name) return null;
  const policy = policyByName(req.ctx.config.policies, name);
  if (!policy) throw new SwiftError("BadRequest", `Invalid ${X_STORAGE_POLICY_NAME} '${name}'`);
  if (policy.deprecated) throw SwiftError.html("BadRequest", `Storage Policy '${policy.name}' is deprecated`);
  return policy;
}

/**
 * The longest name a container PUT takes: a hidden name (only edgeswift's own requests make one)
 * may be twice a client's, so the longest client name still has its `\0versions\0` container.
 * Swift answers 500 there (its doubled limit is for hidden accounts alone).
 */
function nameLengthLimit(container: string): number {
  return (container.startsWith(RESERVED) ? 2 : 1) * MAX_CONTAINER_NAME_LENGTH;
}

/** PUT: 201 created, 202 when it existed (metadata merged); 409 when it exists with another storage policy. */
export async function put(req: SwiftRequest): Promise<Response> {
  const { account, container } = names(req);
  checkNameLength("Container", container, nameLengthLimit(container));
  checkMetadata(req.request.headers, "container");
  checkSyncTo(req.request.headers);
  const policy = requestedPolicy(req);
  const updates = metadataUpdates(req.request.headers, "container", CONTAINER_SYSTEM_HEADERS);
  const status = statusOrThrow(await putContainer(req.ctx, account, container, updates, policy?.index ?? null));
  return emptyResponse(status);
}

/** POST: metadata set or removed; 204; 404 when the container does not exist. */
export async function post(req: SwiftRequest): Promise<Response> {
  const { account, container } = names(req);
  checkMetadata(req.request.headers, "container");
  checkSyncTo(req.request.headers);
  statusOrThrow(
    await postContainer(
      req.ctx,
      account,
      container,
      metadataUpdates(req.request.headers, "container", CONTAINER_SYSTEM_HEADERS),
    ),
  );
  return emptyResponse(204);
}

/** DELETE: 204; 404 when missing; 409 while it holds objects. */
export async function remove(req: SwiftRequest): Promise<Response> {
  const { account, container } = names(req);
  statusOrThrow(await deleteContainer(req.ctx, account, container));
  return emptyResponse(204);
}

/** HEAD: 204 with counts and metadata, typed as the listing a GET would send. */
export async function head(req: SwiftRequest): Promise<Response> {
  const { account, container } = names(req);
  const { format, vary } = listingFormat(req.url, req.request.headers);
  const listing = await listContainer(req.ctx, account, container, listingFromStart(0), await readPreference(req));
  if (!listing) throw new SwiftError("NotFound");
  return emptyResponse(204, { ...containerHeaders(req, listing.container), ...listingTypeHeaders(format, vary) });
}

/** A listed object as JSON and XML show it. */
class ListedObject implements RenderedEntry {
  constructor(
    readonly name: string,
    readonly row: ListingRow,
    readonly version: string,
    readonly account: string,
  ) {}

  json(): Record<string, unknown> {
    const { lastModified, bytes, sloEtag, contentType, symlink } = this.#described();
    return {
      bytes,
      hash: this.row.etag,
      name: this.name,
      content_type: contentType,
      last_modified: lastModified,
      ...(sloEtag ? { slo_etag: `"${sloEtag}"` } : {}),
      ...symlink,
    };
  }

  xml(): string {
    const { lastModified, bytes, contentType } = this.#described();
    return (
      `<object><name>${xmlText(this.name)}</name><hash>${this.row.etag}</hash><bytes>${bytes}</bytes>` +
      `<content_type>${xmlText(contentType)}</content_type><last_modified>${lastModified}</last_modified></object>`
    );
  }

  /** What both formats show. */
  #described() {
    const { row } = this;
    const lastModified = (Timestamp.parse(row.metaTimestamp) ?? new Timestamp(0)).isoformat;
    // An SLO manifest is listed with the large object's size (`swift_bytes`) and, in JSON, its `slo_etag` (Swift:
    // container/server.py update_data_record, slo.py handle_container_listing).
    const { contentType: stored, swiftBytes, sloEtag } = splitSwiftBytes(row.contentType);
    // A symlink is listed with its target (Swift: symlink.py SymlinkContainerContext).
    const { contentType, json: symlink } = listingSymlink(stored, this.version, this.account);
    return { lastModified, bytes: swiftBytes ?? row.size, sloEtag, contentType, symlink };
  }
}

/**
 * An owner's GET with `X-Backend-Record-Type: shard`: the container's shard ranges as JSON, in
 * name order, every state, with `X-Backend-Sharding-State` unsharded, sharding or sharded.
 * Anyone else's header is ignored, as Swift's gatekeeper drops X-Backend-* from clients.
 * Swift: container/server.py GET with X-Backend-Record-Type: shard, ShardRange.to_dict.
 */
async function shardListing(req: SwiftRequest, account: string, container: string): Promise<Response> {
  const ranges = await shardRangesOf(req.ctx, account, container, await readPreference(req));
  if (!ranges) throw new SwiftError("NotFound");
  const state = !ranges.length ? "unsharded" : activeRanges(ranges).length ? "sharded" : "sharding";
  const body = ranges.map((range) => ({
    name: `${shardsAccount(account)}/${range.name}`,
    lower: range.lower,
    upper: range.upper,
    state: range.state,
    object_count: range.objectCount,
    bytes_used: range.bytesUsed,
    timestamp: range.timestamp,
    state_timestamp: range.stateTimestamp,
    meta_timestamp: range.metaTimestamp,
  }));
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "X-Backend-Record-Type": "shard",
      "X-Backend-Sharding-State": state,
    },
  });
}

/** GET: the object listing in plain text, JSON or XML. */
export async function get(req: SwiftRequest): Promise<Response> {
  const { account, container } = names(req);
  if (req.environ.swiftOwner && req.request.headers.get("x-backend-record-type")?.toLowerCase() === "shard")
    return shardListing(req, account, container);
  const { format, vary } = listingFormat(req.url, req.request.headers);
  const params = listingParams(req.url, CONTAINER_LISTING_LIMIT, true);
  const listing = await listContainer(req.ctx, account, container, params, await readPreference(req));
  if (!listing) throw new SwiftError("NotFound");
  const entries: RenderedEntry[] = listing.entries.map((entry) => {
    if (entry.kind === "subdir") return subdirEntry(entry.name, "container");
    return new ListedObject(entry.name, entry.row, req.path.version, account);
  });
  const body = renderListing(format, "container", container, entries);
  const headers = { ...containerHeaders(req, listing.container), ...listingTypeHeaders(format, vary) };
  if (body === null) return emptyResponse(204, headers);
  return new Response(body, { status: 200, headers });
}
