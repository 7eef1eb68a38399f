/**
 * @module
 * `DELETE ?multipart-manifest=delete`: the manifest's segments (nested manifests' too) are
 * deleted, then the manifest, two at a time, and the outcome is reported as Swift's bulk delete
 * reports it — always 200, the real status in the body (text, JSON or XML after Accept), with a
 * whitespace heartbeat while it runs long. Swift: common/middleware/slo.py
 * get_segments_to_delete_iter, get_slo_segments, handle_multipart_delete; bulk.py
 * handle_delete_iter, _process_delete.
 */

import { SLO_CONCURRENCY, SLO_MAX_MANIFEST_SEGMENTS, SLO_YIELD_FREQUENCY_SECONDS } from "../../common/constraints";
import { SwiftError, errorBody } from "../../common/errors";
import { H, isTrue } from "../../common/headers";
import { bodyText, subrequest} from "./large-object";
import { ACCEPTABLE_FORMATS, bestMatch, renderOutcome, type OutFormat } from "./bulk-response";
import { quote, statusLine } from "./subrequest";
import { parseStoredManifest } from "./large-object-manifest";
import { required, type SwiftRequest } from "./request";

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

/** The segments of the manifest at `name` (`/container/object`); an error to report otherwise. Swift: get_slo_segments. */
async function manifestSegments(req: SwiftRequest, name: string): Promise<DeleteItem[] | { status: number; message: string }> {
  const response = await subrequest(req, { method: "GET", path: `/v1/${req.path.account}/${name.replace(/^\/+/, "")}`, query: "multipart-manifest=get", source: "SLO" });
  if (response.ok && isTrue(response.headers.get(H.X_STATIC_LARGE_OBJECT))) {
    try {
      return parseStoredManifest(await bodyText(response)).flatMap((segment) => ("data" in segment ? [] : [{ name: segment.name, subSlo: segment.sub_slo === true }]));
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
    if (queue.length > SLO_MAX_MANIFEST_SEGMENTS * 10) throw new SwiftError("BadRequest", "Too many buffered slo segments to delete.");
    if (!item.subSlo) {
      yield item;
      continue;
    }
    const segments = await manifestSegments(req, item.name);
    if (Array.isArray(segments)) queue.push(...segments);
    queue.push({ name: item.name, subSlo: false, ...(Array.isArray(segments) ? {} : { error: segments }) });
  }
}

async function deleteOne(req: SwiftRequest, item: DeleteItem, tally: Tally): Promise<void> {
  let status: number;
  try {
    const response = await subrequest(req, { method: "DELETE", path: `/v1/${req.path.account}/${item.name.replace(/^\/+/, "")}`, source: "SLO" });
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

async function runDelete(req: SwiftRequest, format: OutFormat | null, writable: WritableStream<Uint8Array>): Promise<void> {
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let lastYield = Date.now();
  let toYield = format === "application/xml" || format === "text/xml" ? '<?xml version="1.0" encoding="UTF-8"?>\n' : " ";
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
    const inFlight = new Set<Promise<void>>();
    for await (const item of itemsToDelete(req)) {
      if (item.error) {
        if (item.error.status === 404) tally.notFound += 1;
        else tally.failed.push([quote(item.name), item.error.message]);
        continue;
      }
      const task: Promise<void> = deleteOne(req, item, tally).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= SLO_CONCURRENCY) await Promise.race(inFlight);
      await heartbeat();
    }
    await Promise.all(inFlight);
    if (tally.failed.length) status = tally.failedStatus;
    else if (!tally.deleted && !tally.notFound) {
      status = statusLine(400);
      body = "Invalid bulk delete.";
    }
  } catch (error) {
    if (error instanceof SwiftError) {
      status = statusLine(error.status);
      body = errorBody(error.kind, error.detail).body;
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
    await writer.write(encoder.encode(separator + renderOutcome(format, { fields: Object.fromEntries(fields), errors: tally.failed }, "delete")));
    await writer.close();
  } catch (error) {
    await writer.abort(error).catch(() => undefined);
  }
}
