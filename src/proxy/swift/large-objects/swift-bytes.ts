/**
 * @module
 * The `swift_bytes` and `swift_slo_etag` parameters an SLO manifest's stored content type
 * carries for listings. Swift: common/middleware/slo.py, common/utils.py extract_swift_bytes.
 */

import type { SloParams } from "./environ";

/**
 * A content type with the manifest's `swift_bytes` appended, as Swift's slo stores it, and the
 * large object's ETag as `swift_slo_etag` (where Swift puts `slo_etag` on the container update's
 * etag; here the content type is what reaches the listing, and clients cannot set `swift_*`).
 */
export function withSloParams(contentType: string, manifest: SloParams | null): string {
  if (manifest === null) return contentType;
  return `${contentType};swift_bytes=${manifest.bytes}${manifest.etag ? `;swift_slo_etag=${manifest.etag}` : ""}`;
}

/**
 * A stored content type without its `swift_bytes` and `swift_slo_etag` parameters, and their
 * values. Swift: common/utils.py override_bytes_from_content_type, extract_swift_bytes.
 */
export function splitSwiftBytes(contentType: string): {
  contentType: string;
  swiftBytes: number | null;
  sloEtag: string | null;
} {
  let swiftBytes: number | null = null;
  let sloEtag: string | null = null;
  const kept = contentType.split(";").filter((param, index) => {
    if (index === 0) return true;
    const bytes = /^\s*swift_bytes=(\d+)\s*$/.exec(param);
    const etag = /^\s*swift_slo_etag=([0-9a-f]+)\s*$/.exec(param);
    if (bytes) swiftBytes = Number(bytes[1]);
    else if (etag?.[1]) sloEtag = etag[1];
    else return true;
    return false;
  });
  return { contentType: kept.join(";"), swiftBytes, sloEtag };
}
