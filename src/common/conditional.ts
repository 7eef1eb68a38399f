/**
 * @module
 * Conditional requests evaluated against an object's ETag and Last-Modified, in Swift's order:
 * If-Match (412), If-None-Match (304), If-Modified-Since (304), If-Unmodified-Since (412).
 * Swift: common/swob.py Response conditional handling.
 */

/** The etags of an If-Match / If-None-Match header, quotes removed; "*" stays as is. */
export function parseEtagList(header: string): string[] {
  return header
    .split(",")
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, "")
        .replace(/^"(.*)"$/, "$1"),
    )
    .filter(Boolean);
}

function matches(header: string, etag: string): boolean {
  const tags = parseEtagList(header);
  return tags.includes("*") || tags.includes(etag);
}

function httpDateSeconds(header: string): number | null {
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/**
 * The status a conditional GET/HEAD gets instead of 200, or null to serve it.
 * `lastModifiedSeconds` is Last-Modified as sent (whole seconds).
 */
export function conditionalStatus(headers: Headers, etag: string, lastModifiedSeconds: number): 304 | 412 | null {
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null && !matches(ifMatch, etag)) return 412;
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null && matches(ifNoneMatch, etag)) return 304;
  const ifModifiedSince = headers.get("if-modified-since");
  if (ifModifiedSince !== null && ifNoneMatch === null) {
    const since = httpDateSeconds(ifModifiedSince);
    if (since !== null && lastModifiedSeconds <= since) return 304;
  }
  const ifUnmodifiedSince = headers.get("if-unmodified-since");
  if (ifUnmodifiedSince !== null && ifMatch === null) {
    const since = httpDateSeconds(ifUnmodifiedSince);
    if (since !== null && lastModifiedSeconds > since) return 412;
  }
  return null;
}

/** An ETag without its quotes (Swift: swob.normalize_etag). */
export function normalizeEtag(etag: string | null): string | null {
  if (etag === null) return null;
  return etag.startsWith('"') && etag.endsWith('"') && etag.length >= 2 ? etag.slice(1, -1) : etag;
}
