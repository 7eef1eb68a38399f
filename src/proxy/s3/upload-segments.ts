/**
 * @module
 * A bucket's multipart uploads as stored: the segments container `<bucket>+segments` (its parts
 * `<key>/<uploadId>/<n>`, sub-manifests and markers), listed and deleted a page at a time, and
 * what a completed upload leaves behind when an S3 write replaces its object. A bucket that has
 * had an upload carries MULTIPART_MARK (CreateMultipartUpload sets it); there, a PutObject,
 * CopyObject or POST upload of a key reads the upload id of the object it replaces alongside its
 * write (replacedUpload) and, once the write succeeded, deletes that upload's parts in the
 * background (releaseReplaced), so the bytes of a replaced multipart object go away as they do
 * in S3. A bucket that keeps (or kept) versions keeps them: an older version still reads them.
 * Swift's s3api leaves them behind.
 */

import { mapConcurrent } from "../../common/concurrency";
import { H } from "../../common/headers";
import { liveMetadata } from "../../durable/merge";
import { containerInfo } from "../services/container";
import { type ResourceKind } from "./errors";
import { s3Sysmeta } from "./headers";
import { bucketOf, listingOf, okOrThrow, type S3Request } from "./request";

/** The highest part number, and the most parts an upload completes with (AWS). */
export const MAX_PART_NUMBER = 10_000;

/** Entries read per listing page of the segments container. */
export const PAGE = 1000;
/** Pages read at most by one operation: every part of the largest upload, and one page more. */
export const MAX_PAGES = MAX_PART_NUMBER / PAGE + 1;

/** Parts deleted at once (an abort, a completion's parts left out). */
const DELETE_CONCURRENCY = 4;

/** The container of a bucket's uploads and parts (s3api's MULTIUPLOAD_SUFFIX). */
export function segmentsOf(bucket: string): string {
  return `${bucket}+segments`;
}

/** System metadata of a completed upload: its upload id (a retried Complete finds it there). */
export const UPLOAD_ID = s3Sysmeta("upload-id");

export async function discard(response: Response): Promise<Response> {
  await response.body?.cancel().catch(() => undefined);
  return response;
}

/** A Swift response that must have succeeded (else the S3Error of its status), its body discarded. */
export async function succeeded(response: Response, about: ResourceKind): Promise<Response> {
  await okOrThrow(response, about);
  return discard(response);
}

export interface ListedEntry {
  name?: string;
  subdir?: string;
  hash?: string;
  bytes?: number;
  last_modified?: string;
}

/**
 * One page of the segments container's JSON listing after `marker`; a missing container lists
 * nothing.
 */
export async function segmentsPage(
  req: S3Request,
  query: { prefix?: string; delimiter?: string; marker: string },
): Promise<ListedEntry[]> {
  const params: Record<string, string> = { format: "json", limit: String(PAGE) };
  if (query.prefix) params.prefix = query.prefix;
  if (query.delimiter) params.delimiter = query.delimiter;
  if (query.marker) params.marker = query.marker;
  const response = await req.swift({ method: "GET", container: segmentsOf(bucketOf(req)), query: params });
  if (response.status === 404) {
    await discard(response);
    return [];
  }
  return listingOf<ListedEntry>(await okOrThrow(response, "bucket"));
}

/** Every name under `<key>/<uploadId>/` (at most MAX_PAGES pages are read), page by page. */
export async function* uploadNames(req: S3Request, key: string, id: string): AsyncGenerator<ListedEntry[]> {
  let marker = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const entries = await segmentsPage(req, { prefix: `${key}/${id}/`, delimiter: "/", marker });
    yield entries.filter((entry) => entry.name !== undefined);
    const last = entries.at(-1);
    if (entries.length < PAGE || last === undefined) return;
    marker = last.name ?? last.subdir ?? "";
  }
}

/** Deletes objects of the segments container; one already gone is no failure. */
export async function deleteSegments(req: S3Request, names: readonly string[]): Promise<void> {
  const container = segmentsOf(bucketOf(req));
  await mapConcurrent(names, DELETE_CONCURRENCY, async (name) => {
    const response = await req.swift({ method: "DELETE", container, object: name });
    if (response.status === 404) await discard(response);
    else await succeeded(response, "upload");
  });
}

/** Deletes every part and sub-manifest of an upload, a page at a time. */
export async function deleteUploadSegments(req: S3Request, key: string, id: string): Promise<void> {
  for await (const entries of uploadNames(req, key, id)) {
    const names = entries.map(({ name }) => name ?? "");
    await deleteSegments(req, names);
  }
}

/** Container system metadata of a bucket that has had a multipart upload. */
export const MULTIPART_MARK = "x-container-sysmeta-s3api-multipart";

/** Marks the bucket as one that has had an upload (once: `bucketHeaders` show whether it is). */
export async function markBucket(req: S3Request, bucketHeaders: Headers): Promise<void> {
  if (bucketHeaders.has(MULTIPART_MARK)) return;
  await succeeded(
    await req.swift({ method: "POST", container: bucketOf(req), headers: { [MULTIPART_MARK]: "yes" } }),
    "bucket",
  );
}

/**
 * Started before an S3 write of `key`: the id of the completed upload the write will replace, or
 * null (no mark on the bucket, which the isolate's container info says; a bucket that keeps or
 * kept versions; no such object). Never fails: a failed read is null.
 */
export async function replacedUpload(req: S3Request, key: string): Promise<string | null> {
  const info = await containerInfo(req.ctx, req.account, bucketOf(req)).catch(() => null);
  const metadata = info === null ? {} : liveMetadata(info.metadata);
  if (metadata[MULTIPART_MARK] === undefined || metadata[H.X_CONTAINER_SYSMETA_VERSIONS_ENABLED] !== undefined)
    return null;
  const head = await req.swift({ method: "HEAD", container: bucketOf(req), object: key }).catch(() => null);
  if (head === null) return null;
  await discard(head);
  return head.ok ? head.headers.get(UPLOAD_ID) : null;
}

/**
 * After an S3 write of `key` succeeded: the parts of the upload it replaced (`replaced`, from
 * replacedUpload) deleted in the background, unless the newest replica shows that upload's object
 * current still (the write lost to it: a clock behind), or cannot say; a failure is only logged
 * (those parts stay).
 */
export function releaseReplaced(req: S3Request, key: string, replaced: Promise<string | null>): void {
  const release = async () => {
    const id = await replaced;
    if (id === null) return;
    const now = await discard(
      await req.swift({ method: "HEAD", container: bucketOf(req), object: key, headers: { [H.X_NEWEST]: "true" } }),
    );
    if (now.status !== 404 && (!now.ok || now.headers.get(UPLOAD_ID) === id)) return;
    await deleteUploadSegments(req, key, id);
  };
  req.waitUntil(
    release().catch((error: unknown) =>
      console.error(`S3 ${bucketOf(req)}/${key}: a replaced upload's parts stay:`, error),
    ),
  );
}
