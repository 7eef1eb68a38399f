/**
 * @module
 * Listing a bucket: ListObjects (V1: marker) and ListObjectsV2 (continuation token, start-after,
 * fetch-owner), both with prefix, delimiter, max-keys and `encoding-type=url`, from the
 * container's JSON listing (one more entry than the page, to know whether it is truncated).
 * Contents and CommonPrefixes count together toward max-keys, as a Swift listing counts objects
 * and subdirs. AWS: ListObjects, ListObjectsV2; Swift: s3api controllers/bucket.py GET.
 */

import { S3Error } from "./errors";
import { quoteEtag, s3Time } from "./headers";
import { continuationToken, pageSize, tokenName } from "./service";
import { listingOf, okOrThrow, type S3Request } from "./request";
import { el, optional, type XmlElement, xmlResponse } from "./xml";

/** AWS's largest page (and default) of a bucket listing. */
export const MAX_KEYS = 1000;

/** An entry of a Swift container listing in JSON. */
export interface ObjectEntry {
  name?: string;
  subdir?: string;
  hash?: string;
  bytes?: number;
  last_modified?: string;
  content_type?: string;
  /** An SLO's large-object ETag (Swift lists it beside the manifest's hash). */
  slo_etag?: string;
}

/** One page of a container listing, as the listing operations share it. */
export interface Page {
  entries: ObjectEntry[];
  truncated: boolean;
  /** The last name (or subdir) of the page: where the next page starts. */
  last: string | null;
}

/** Reads a page of at most `maxKeys` entries after `marker`. */
export async function listPage(
  req: S3Request,
  params: { prefix: string | null; delimiter: string | null; marker: string | null; maxKeys: number },
  extra: Record<string, string> = {},
): Promise<Page> {
  if (params.maxKeys === 0) {
    // Still a listing of an existing bucket: NoSuchBucket when there is none.
    await okOrThrow(await req.swift({ method: "HEAD", container: req.bucket ?? "" }), "bucket");
    return { entries: [], truncated: false, last: null };
  }
  const query: Record<string, string> = { format: "json", limit: String(params.maxKeys + 1), ...extra };
  if (params.prefix) query.prefix = params.prefix;
  if (params.delimiter) query.delimiter = params.delimiter;
  if (params.marker) query.marker = params.marker;
  const response = await okOrThrow(await req.swift({ method: "GET", container: req.bucket ?? "", query }), "bucket");
  const all = await listingOf<ObjectEntry>(response);
  const entries = all.slice(0, params.maxKeys);
  const lastEntry = entries.at(-1);
  return {
    entries,
    truncated: all.length > params.maxKeys,
    last: lastEntry ? (lastEntry.subdir ?? lastEntry.name ?? null) : null,
  };
}

/** The `encoding-type` a request asks for: `url` or none; InvalidArgument for any other. */
export function encodingOf(req: S3Request): ((text: string) => string) | null {
  const encoding = req.url.searchParams.get("encoding-type");
  if (encoding === null) return null;
  if (encoding !== "url")
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
      ArgumentName: "encoding-type",
      ArgumentValue: encoding,
    });
  // AWS's url encoding: every byte but unreserved ones and `/` as %XX, a space as `+`.
  return (text) =>
    encodeURIComponent(text)
      .replace(/%2F/g, "/")
      .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, "+");
}

/** The listing elements of a page's entries: Contents, then CommonPrefixes. */
function pageElements(
  req: S3Request,
  entries: readonly ObjectEntry[],
  encode: (text: string) => string,
  withOwner: boolean,
): XmlElement[] {
  const owner = req.owner;
  const contents: XmlElement[] = [];
  const prefixes: XmlElement[] = [];
  for (const entry of entries) {
    if (entry.subdir !== undefined) {
      prefixes.push(el("CommonPrefixes", el("Prefix", encode(entry.subdir))));
      continue;
    }
    contents.push(
      el(
        "Contents",
        el("Key", encode(entry.name ?? "")),
        el("LastModified", s3Time(entry.last_modified ?? "")),
        el("ETag", quoteEtag(listingEtag(entry))),
        el("Size", entry.bytes ?? 0),
        withOwner ? el("Owner", el("ID", owner), el("DisplayName", owner)) : null,
        el("StorageClass", "STANDARD"),
      ),
    );
  }
  return [...contents, ...prefixes];
}

/**
 * The ETag a listing shows for an entry: the multipart ETag a completed upload recorded in its
 * listing's hash (`<slo etag>; s3_etag=<etag>`, as Swift's s3api keeps it), an SLO's ETag with
 * `-N`, else the hash.
 */
export function listingEtag(entry: ObjectEntry): string {
  const hash = entry.hash ?? "";
  const match = /;\s*s3_etag=([^;\s]+)/.exec(hash);
  if (match?.[1]) return match[1];
  // An SLO made through Swift: its large-object ETag and `-N` (s3api's bucket listing).
  if (entry.slo_etag) return `${entry.slo_etag.replace(/^"(.*)"$/, "$1")}-N`;
  const semicolon = hash.indexOf(";");
  return semicolon < 0 ? hash : hash.slice(0, semicolon).trim();
}

/** The parameters every bucket listing reads, and how names are written (`encoding-type=url`). */
interface ListingRequest {
  prefix: string | null;
  delimiter: string | null;
  maxKeys: number;
  encoded: boolean;
  encode: (text: string) => string;
}

function common(req: S3Request): ListingRequest {
  const params = req.url.searchParams;
  const encoding = encodingOf(req);
  return {
    prefix: params.get("prefix"),
    delimiter: params.get("delimiter"),
    maxKeys: pageSize(params.get("max-keys"), "max-keys", MAX_KEYS),
    encoded: encoding !== null,
    encode: encoding ?? ((text: string) => text),
  };
}

/** The elements every listing result ends its header with: MaxKeys, Delimiter, IsTruncated, EncodingType. */
function pageSummary(listing: ListingRequest, page: Page): XmlElement[] {
  return [
    el("MaxKeys", listing.maxKeys),
    listing.delimiter ? el("Delimiter", listing.encode(listing.delimiter)) : null,
    el("IsTruncated", page.truncated),
    listing.encoded ? el("EncodingType", "url") : null,
  ].filter((element): element is XmlElement => element !== null);
}

/** ListObjects (V1): marker, and NextMarker when truncated with a delimiter. */
export async function listObjects(req: S3Request): Promise<Response> {
  const listing = common(req);
  const { prefix, delimiter, maxKeys, encode } = listing;
  const marker = req.url.searchParams.get("marker");
  const page = await listPage(req, { prefix, delimiter, marker, maxKeys });
  return xmlResponse(
    el(
      "ListBucketResult",
      el("Name", req.bucket ?? ""),
      el("Prefix", encode(prefix ?? "")),
      el("Marker", encode(marker ?? "")),
      page.truncated && delimiter && page.last !== null ? el("NextMarker", encode(page.last)) : null,
      pageSummary(listing, page),
      pageElements(req, page.entries, encode, true),
    ),
  );
}

/** ListObjectsV2: continuation-token (opaque), start-after, fetch-owner, KeyCount. */
export async function listObjectsV2(req: S3Request): Promise<Response> {
  const listing = common(req);
  const { prefix, delimiter, maxKeys, encode } = listing;
  const params = req.url.searchParams;
  const token = params.get("continuation-token");
  const startAfter = params.get("start-after");
  const marker = token !== null ? tokenName(token) : startAfter;
  const page = await listPage(req, { prefix, delimiter, marker, maxKeys });
  return xmlResponse(
    el(
      "ListBucketResult",
      el("Name", req.bucket ?? ""),
      el("Prefix", encode(prefix ?? "")),
      optional("StartAfter", startAfter === null ? null : encode(startAfter)),
      optional("ContinuationToken", token),
      page.truncated && page.last !== null ? el("NextContinuationToken", continuationToken(page.last)) : null,
      el("KeyCount", page.entries.length),
      pageSummary(listing, page),
      pageElements(req, page.entries, encode, params.get("fetch-owner") === "true"),
    ),
  );
}

/** An entry of Swift's `?versions` listing. */
interface VersionEntry extends ObjectEntry {
  version_id?: string;
  is_latest?: boolean;
}

/** The content type Swift's object versioning gives a delete marker (its parameter apart). */
export const DELETE_MARKER_TYPE = "application/x-deleted";

/**
 * ListObjectVersions: Swift's `?versions` listing (object versioning), each version with its
 * id (an object written while the bucket was not versioned is version "null"), delete markers
 * as DeleteMarker; key-marker and version-id-marker are Swift's marker and version_marker.
 */
export async function listObjectVersions(req: S3Request): Promise<Response> {
  const listing = common(req);
  const { prefix, delimiter, maxKeys, encode } = listing;
  const params = req.url.searchParams;
  const keyMarker = params.get("key-marker");
  const versionMarker = params.get("version-id-marker");
  if (versionMarker !== null && keyMarker === null)
    throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", {
      ArgumentName: "version-id-marker",
      ArgumentValue: versionMarker,
    });
  const extra: Record<string, string> = { versions: "" };
  if (versionMarker !== null && versionMarker !== "") extra.version_marker = versionMarker;
  const page = await listPage(req, { prefix, delimiter, marker: keyMarker, maxKeys }, extra);
  const owner = req.owner;
  const ownerElement = el("Owner", el("ID", owner), el("DisplayName", owner));
  const versions: XmlElement[] = [];
  const prefixes: XmlElement[] = [];
  for (const entry of page.entries as VersionEntry[]) {
    if (entry.subdir !== undefined) {
      prefixes.push(el("CommonPrefixes", el("Prefix", encode(entry.subdir))));
      continue;
    }
    const common = [
      el("Key", encode(entry.name ?? "")),
      el("VersionId", entry.version_id ?? "null"),
      el("IsLatest", entry.is_latest ?? true),
      el("LastModified", s3Time(entry.last_modified ?? "")),
    ];
    if (entry.content_type?.startsWith(DELETE_MARKER_TYPE)) versions.push(el("DeleteMarker", common, ownerElement));
    else
      versions.push(
        el(
          "Version",
          common,
          el("ETag", quoteEtag(listingEtag(entry))),
          el("Size", entry.bytes ?? 0),
          ownerElement,
          el("StorageClass", "STANDARD"),
        ),
      );
  }
  const last = (page.entries as VersionEntry[]).at(-1);
  return xmlResponse(
    el(
      "ListVersionsResult",
      el("Name", req.bucket ?? ""),
      el("Prefix", encode(prefix ?? "")),
      el("KeyMarker", encode(keyMarker ?? "")),
      el("VersionIdMarker", versionMarker ?? ""),
      page.truncated && last ? el("NextKeyMarker", encode(last.subdir ?? last.name ?? "")) : null,
      page.truncated && last?.name !== undefined ? el("NextVersionIdMarker", last.version_id ?? "null") : null,
      pageSummary(listing, page),
      versions,
      prefixes,
    ),
  );
}
