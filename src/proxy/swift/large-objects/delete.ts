/**
 * @module
 * `DELETE ?multipart-manifest=delete`: the manifest's segments (nested manifests' too) are
 * deleted, then the manifest, two at a time, and the outcome is reported as Swift's bulk delete
 * reports it — always 200, the real status in the body (text, JSON or XML after Accept), with a
 * whitespace heartbeat while it runs long. With `&async=yes` the segments (all in one container,
 * none a manifest) are handed to the replicas as tombstones in one batch per partition, and the
 * manifest is deleted as a plain DELETE answers (204). Swift: common/middleware/slo.py
 * get_segments_to_delete_iter, get_slo_segments, handle_multipart_delete, handle_async_delete;
 * bulk.py handle_delete_iter, _process_delete.
 */

import {
  ROWS_PER_RPC_MAX,
  SLO_CONCURRENCY,
  SLO_MAX_MANIFEST_SEGMENTS,
  SLO_YIELD_FREQUENCY_SECONDS,
} from "../../../common/constraints";
import { mapConcurrent, pile } from "../../../common/concurrency";
import { quote } from "../../../common/python";
import { SwiftError, kindForStatus } from "../../../common/errors";
import { errorBody } from "../errors";
import { H, isTrue } from "../../../common/headers";
import { objectKey } from "../../../common/path";
import type { Timestamp } from "../../../common/timestamp";
import { liveMetadata } from "../../../durable/merge";
import { denied, parseAccountAcl } from "../../auth/acl";
import { tempauthInputOf, tempauthVerdict } from "../../auth/authorize";
import { signedScopeAllows } from "../../auth/signed-scope";
import { fanOut } from "../../fan-out";
import { accountInfo } from "../../services/account";
import { containerInfo } from "../../services/container";
import { partitionReplicas, settleWrite } from "../../services/context";
import { objectRingOf } from "../../services/object";
import { bodyText, subrequest } from "../subrequest";
import type { Next } from "../pipeline";
import { ACCEPTABLE_FORMATS, bestMatch, renderOutcome, type OutFormat } from "../bulk/response";
import { statusLine } from "../subrequest";
import { parseStoredManifest } from "./manifest";
import { required, type SwiftRequest } from "../request";

/** One name to delete, or why its manifest could not be read. */
interface DeleteItem {
  name: string;
  subSlo: boolean;
  error?: { status: number; message: string };
}

/** What the report counts. */
interface Tally {
  deleted: number;
  notFound: number;
  failed: [string, string][];
  /** The status reported when some deletes failed: 400, or 502 when a backend failed. */
  failedStatus: string;
}

/** Answers the DELETE at once and deletes while the report streams. */
export function deleteManifest(req: SwiftRequest): Response {
  const format = bestMatch(req.request.headers.get(H.ACCEPT), ACCEPTABLE_FORMATS);
  const { readable, writable } = new IdentityTransformStream();
  req.waitUntil(runDelete(req, format, writable));
  return new Response(readable, { status: 200, headers: { [H.CONTENT_TYPE]: format ?? "text/html; charset=UTF-8" } });
}

/**
 * The segments of the manifest at `name` (`/container/object`); an error to report otherwise. Swift: get_slo_segments.
 */
async function manifestSegments(
  req: SwiftRequest,
  name: string,
): Promise<DeleteItem[] | { status: number; message: string }> {
  const response = await subrequest(req, {
    method: "GET",
    path: `/v1/${req.path.account}/${name.replace(/^\/+/, "")}`,
    query: "multipart-manifest=get",
    source: "SLO",
  });
  if (response.ok && isTrue(response.headers.get(H.X_STATIC_LARGE_OBJECT))) {
    try {
      return parseStoredManifest(await bodyText(response)).flatMap((segment) =>
        "data" in segment ? [] : [{ name: segment.name, subSlo: segment.sub_slo === true }],
      );
    } catch {
      return { status: 500, message: "Unable to load SLO manifest" };
    }
  }
  await response.body?.cancel();
  if (response.ok) return { status: 400, message: "Not an SLO manifest" };
  if (response.status === 404) return { status: 404, message: "SLO manifest not found" };
  if (response.status === 401) return { status: 401, message: "401 Unauthorized" };
  return { status: 500, message: "Unable to load SLO manifest or segment." };
}

/** The names to delete in Swift's order: a manifest's segments are queued, the manifest after them. */
async function* itemsToDelete(req: SwiftRequest): AsyncGenerator<DeleteItem> {
  const queue: DeleteItem[] = [{ name: `/${required(req.path.container)}/${required(req.path.object)}`, subSlo: true }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    if (queue.length > SLO_MAX_MANIFEST_SEGMENTS * 10)
      throw SwiftError.html("BadRequest", "Too many buffered slo segments to delete.");
    if (!item.subSlo) {
      yield item;
      continue;
    }
    const segments = await manifestSegments(req, item.name);
    if (Array.isArray(segments)) queue.push(...segments);
    queue.push({ name: item.name, subSlo: false, ...(Array.isArray(segments) ? {} : { error: segments }) });
  }
}

/** Deletes one name and counts the outcome; a name whose manifest could not be read is counted as its error. */
async function deleteOne(req: SwiftRequest, item: DeleteItem, tally: Tally): Promise<void> {
  if (item.error) {
    if (item.error.status === 404) tally.notFound += 1;
    else tally.failed.push([quote(item.name), item.error.message]);
    return;
  }
  let status: number;
  try {
    const response = await subrequest(req, {
      method: "DELETE",
      path: `/v1/${req.path.account}/${item.name.replace(/^\/+/, "")}`,
      source: "SLO",
    });
    await response.body?.cancel();
    status = response.status;
  } catch (error) {
    console.error(`SLO DELETE of segment ${item.name}:`, error);
    status = 500;
  }
  if (status >= 200 && status < 300) tally.deleted += 1;
  else if (status === 404) tally.notFound += 1;
  else {
    if (status >= 500) tally.failedStatus = statusLine(502);
    tally.failed.push([quote(item.name), statusLine(status)]);
  }
}

async function runDelete(
  req: SwiftRequest,
  format: OutFormat | null,
  writable: WritableStream<Uint8Array>,
): Promise<void> {
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let lastYield = Date.now();
  let toYield =
    format === "application/xml" || format === "text/xml" ? '<?xml version="1.0" encoding="UTF-8"?>\n' : " ";
  let separator = "";
  const heartbeat = async (): Promise<void> => {
    if (Date.now() - lastYield < SLO_YIELD_FREQUENCY_SECONDS * 1000) return;
    lastYield = Date.now();
    await writer.write(encoder.encode(toYield));
    toYield = " ";
    separator = "\r\n\r\n";
  };
  const tally: Tally = { deleted: 0, notFound: 0, failed: [], failedStatus: statusLine(400) };
  let status = statusLine(200);
  let body = "";
  try {
    if (format === null) throw new SwiftError("NotAcceptable");
    // Each finished delete is counted in the tally; between them the report may need a heartbeat.
    for await (const _ of pile(itemsToDelete(req), SLO_CONCURRENCY, (item) => deleteOne(req, item, tally)))
      await heartbeat();
    if (tally.failed.length) status = tally.failedStatus;
    else if (!tally.deleted && !tally.notFound) {
      status = statusLine(400);
      body = "Invalid bulk delete.";
    }
  } catch (error) {
    if (error instanceof SwiftError) {
      status = statusLine(error.status);
      body = errorBody(error).body;
    } else {
      console.error(`SLO DELETE ${req.url.pathname}:`, error);
      status = statusLine(500);
    }
  }
  const fields: [string, string | number][] = [
    ["Response Status", status],
    ["Response Body", body],
    ["Number Deleted", tally.deleted],
    ["Number Not Found", tally.notFound],
  ];
  try {
    await writer.write(
      encoder.encode(
        separator + renderOutcome(format, { fields: Object.fromEntries(fields), errors: tally.failed }, "delete"),
      ),
    );
    await writer.close();
  } catch (error) {
    await writer.abort(error).catch(() => undefined);
  }
}

/** Partition batches of segment tombstones in flight at once for an async delete. */
const ASYNC_DELETE_PARTITIONS_IN_FLIGHT = 8;

/** swob's content type for the bodies slo raises its HTTP errors with. */

/** A segment's `/container/object` split as Swift's split_path(name, 2, 2, True) does; 500 when it names no object. */
function splitSegmentName(name: string): { container: string; object: string } {
  const path = name.startsWith("/") ? name.slice(1) : name;
  const slash = path.indexOf("/");
  const container = slash < 0 ? path : path.slice(0, slash);
  const object = slash < 0 ? "" : path.slice(slash + 1);
  if (!container || !object) throw new SwiftError("InternalServerError");
  return { container, object };
}

/**
 * Tempauth's verdict on deleting from the segments' container when it is not the manifest's
 * (the manifest's own was authorized on the way in): its write ACL read, 401/403 when refused.
 * Swift: handle_async_delete's second swift.authorize call.
 */
async function authorizeSegmentDelete(req: SwiftRequest, container: string, object: string): Promise<void> {
  const path = { ...req.path, container, object };
  if (req.environ.authorized) {
    if (!signedScopeAllows({ environ: req.environ, path }))
      throw new SwiftError("Unauthorized", undefined, { [H.WWW_AUTHENTICATE]: 'Swift realm="unknown"' });
    return;
  }
  const { account } = req.path;
  const { config } = req.ctx;
  const input = tempauthInputOf(req, "DELETE", container, object);
  if (tempauthVerdict(config, input) === "owner") return;
  const accountRow = await accountInfo(req.ctx, account);
  const accountAcl = accountRow ? parseAccountAcl(liveMetadata(accountRow.metadata)[H.X_ACCOUNT_ACCESS_CONTROL]) : null;
  const info = await containerInfo(req.ctx, account, container);
  const containerAcl = (info ? liveMetadata(info.metadata)[H.X_CONTAINER_WRITE] : undefined) ?? null;
  if (tempauthVerdict(config, { ...input, accountAcl, containerAcl }) === "denied")
    throw denied(req.identity, quote(account));
}

/**
 * Hands the segments to the replicas: one batch of tombstones per object partition (the
 * reaper's `deleteObjects`), all stamped `timestamp`, so a segment written again afterwards
 * survives, as Swift's expirer deletes with the manifest DELETE's X-Timestamp. Each batch needs
 * a quorum of zones (the primaries it missed are marked for repair); the replicas then take the
 * segments out of their container's listing and free their bodies in the background (outbox,
 * garbage queue). 503 when a batch finds no quorum, as Swift answers when its expirer queue
 * refuses the entries. Swift: handle_async_delete (make_delete_jobs, the UPDATE to the expirer
 * queue), obj/expirer.py delete_actual_object.
 */
async function tombstoneSegments(
  req: SwiftRequest,
  container: string,
  objects: readonly string[],
  timestamp: Timestamp,
): Promise<void> {
  const { account } = req.path;
  const ringName = await objectRingOf(req.ctx, account, container);
  const ring = req.ctx.config.rings.get(ringName);
  const byPartition = new Map<number, string[]>();
  for (const object of objects) {
    const partition = ring.partitionFor(account, container, object);
    const names = byPartition.get(partition) ?? [];
    names.push(objectKey(account, container, object));
    byPartition.set(partition, names);
  }
  const batches: { partition: number; names: string[] }[] = [];
  for (const [partition, names] of byPartition) {
    for (let start = 0; start < names.length; start += ROWS_PER_RPC_MAX)
      batches.push({ partition, names: names.slice(start, start + ROWS_PER_RPC_MAX) });
  }
  const statuses = await mapConcurrent(batches, ASYNC_DELETE_PARTITIONS_IN_FLIGHT, async ({ partition, names }) => {
    const { primaries, call } = partitionReplicas(req.ctx, ringName, partition);
    const replies = await fanOut(
      primaries,
      [],
      call((stub) => stub.deleteObjects(names, timestamp.internal)),
    );
    return settleWrite(req.ctx, ringName, partition, primaries, replies);
  });
  const failed = statuses.filter((status) => status < 200 || status >= 300).length;
  if (failed) {
    console.error(
      `SLO async DELETE ${req.url.pathname}: ${failed} of ${batches.length} segment batches found no quorum`,
    );
    throw new SwiftError("ServiceUnavailable");
  }
}

/**
 * `DELETE ?multipart-manifest=delete&async=yes`: the manifest's segments must all be in one
 * container (400 naming the containers otherwise) and none may be a manifest itself (400); the
 * caller must be allowed to delete from the segments' container; the segments are handed to the
 * replicas as tombstones (tombstoneSegments) and the manifest is then deleted by the rest of the
 * pipeline, which answers as a plain DELETE (204). A manifest of data segments only is just
 * deleted. A manifest that is missing (404), not an SLO (400) or unreadable is refused with slo's
 * message. Swift: slo.py handle_async_delete, get_slo_segments.
 */
export async function deleteManifestAsync(req: SwiftRequest, next: Next): Promise<Response> {
  const name = `/${required(req.path.container)}/${required(req.path.object)}`;
  const segments = await manifestSegments(req, name);
  if (!Array.isArray(segments)) throw SwiftError.html(kindForStatus(segments.status), segments.message);
  if (!segments.length) return next(req);
  const split = segments.map((segment) => splitSegmentName(segment.name));
  const containers = [...new Set(split.map((segment) => segment.container))];
  if (containers.length > 1) {
    throw SwiftError.html(
      "BadRequest",
      `All segments must be in one container. Found segments in ${containers.map((c) => `"${quote(c)}"`).join(", ")}`,
    );
  }
  if (segments.some((segment) => segment.subSlo))
    throw SwiftError.html("BadRequest", "No segments may be large objects.");
  const [segmentContainer = ""] = containers;
  const [first] = split;
  if (segmentContainer !== req.path.container && first)
    await authorizeSegmentDelete(req, segmentContainer, first.object);
  await tombstoneSegments(
    req,
    segmentContainer,
    split.map((segment) => segment.object),
    req.ctx.now(),
  );
  return next(req);
}
