/**
 * @module
 * ListBuckets: the caller's account listing, its containers that are valid bucket names (so a
 * multipart upload's `+segments` container stays out of it), with `prefix`, `max-buckets` and a
 * continuation token. AWS: ListBuckets; Swift: s3api controllers/service.py.
 */

import { base64url, fromBase64url } from "../../common/base64url";
import { S3Error } from "./errors";
import { s3Time } from "./headers";
import { okOrThrow, type S3Request, isValidBucketName, listingOf } from "./request";
import { el, optional, xmlResponse } from "./xml";

/** AWS's largest page of ListBuckets (and its default, without max-buckets). */
const MAX_BUCKETS = 10_000;

/** A continuation token: the last name of the page before, base64url, opaque to clients. */
export function continuationToken(name: string): string {
  return base64url(new TextEncoder().encode(name));
}

/** The name a continuation token carries; InvalidArgument for one edgeswift did not make. */
export function tokenName(token: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(fromBase64url(token));
  } catch {
    throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", {
      ArgumentName: "continuation-token",
    });
  }
}

/** A positive page size parameter within `max`; InvalidArgument otherwise. */
export function pageSize(value: string | null, name: string, max: number): number {
  if (value === null) return max;
  const size = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(size))
    throw new S3Error("InvalidArgument", `Provided ${name} not an integer or within integer range`, {
      ArgumentName: name,
      ArgumentValue: value,
    });
  return Math.min(size, max);
}

interface ContainerEntry {
  name: string;
  last_modified?: string;
}

export async function listBuckets(req: S3Request): Promise<Response> {
  const params = req.url.searchParams;
  const prefix = params.get("prefix");
  const token = params.get("continuation-token");
  const limit = pageSize(params.get("max-buckets"), "max-buckets", MAX_BUCKETS);
  if (limit === 0)
    throw new S3Error("InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000", {
      ArgumentName: "max-buckets",
    });
  // One more than the page tells whether another follows (within Swift's listing limit).
  const query: Record<string, string> = { format: "json", limit: String(Math.min(limit + 1, MAX_BUCKETS)) };
  if (prefix) query.prefix = prefix;
  if (token) query.marker = tokenName(token);
  const response = await okOrThrow(await req.swift({ method: "GET", query }), "service");
  const entries = await listingOf<ContainerEntry>(response);
  const page = entries.slice(0, limit);
  const last = page.at(-1);
  const buckets = page
    .filter((entry) => isValidBucketName(entry.name))
    .map((entry) =>
      el(
        "Bucket",
        el("Name", entry.name),
        el("CreationDate", s3Time(entry.last_modified ?? "2009-02-03T16:45:09")),
        el("BucketRegion", req.ctx.config.s3.region),
      ),
    );
  const owner = req.owner;
  return xmlResponse(
    el(
      "ListAllMyBucketsResult",
      el("Owner", el("ID", owner), el("DisplayName", owner)),
      el("Buckets", buckets),
      (entries.length > limit || entries.length === MAX_BUCKETS) && last
        ? el("ContinuationToken", continuationToken(last.name))
        : null,
      optional("Prefix", prefix),
    ),
  );
}
