/**
 * @module
 * How a link is stored: where Swift keeps a link's target in object sysmeta and in the container
 * listing's etag parameters, edgeswift keeps it in `swift_symlink_*` parameters of the stored
 * content type (as slo keeps `swift_bytes`): that is what reaches the container listing, it
 * survives a POST (which replaces the metadata), and clients cannot set it (object PUT refuses
 * `swift_*` parameters). Also the `X-Symlink-*` headers Swift shows for a stored link, and the
 * environ flags other middlewares set to store content type parameters or to read a link as stored.
 * Swift: common/middleware/symlink.py symlink_sysmeta_to_usermeta, SymlinkContainerContext.
 */

import { H } from "../../../common/headers";
import { quote } from "../../../common/python";
import type { Environ, SwiftRequest } from "../request";

/**
 * A stored link: the quoted `container/object` target, and the static link's ETag and size, and
 * for a static link to an SLO the large object's ETag (Swift's `slo_etag` in the listing).
 */
export interface SymlinkInfo {
  target: string;
  account: string | null;
  etag: string | null;
  bytes: number | null;
  sloEtag: string | null;
  /**
   * Object versioning's link to the current version (only that stage writes one): it names a
   * hidden container, is followed pre-authorized, and does not count toward symloop_max
   * (Swift: sysmeta versions-symlink, allow-reserved-names, symloop-extend).
   */
  versions?: boolean;
}

const PARAM = {
  target: "swift_symlink_target",
  account: "swift_symlink_target_account",
  etag: "swift_symlink_target_etag",
  bytes: "swift_symlink_target_bytes",
  sloEtag: "swift_symlink_slo_etag",
  versions: "swift_symlink_versions",
} as const;

/** A copy of the request the symlink stage leaves alone: a link is read with its stored parameters, never followed. */
export function asStored(req: SwiftRequest): SwiftRequest {
  return { ...req, environ: { ...req.environ, asStored: true } };
}

/** For the symlink stage: whether the request reads or writes an object as stored (asStored). */
export function isAsStored(environ: Environ): boolean {
  return environ.asStored === true;
}

const postedTypes = new WeakMap<Response, string>();

/**
 * For the object controller: marks a POST's answer with the content type a replica that took it
 * holds (Swift's object server answers a POST with the object's sysmeta), so the symlink stage
 * knows a link it applied to without reading the object first.
 */
export function withPostedType(response: Response, storedType: string | null): Response {
  if (storedType !== null) postedTypes.set(response, storedType);
  return response;
}

/** For the symlink stage: the stored content type a POST's answer was marked with, or null. */
export function postedType(response: Response): string | null {
  return postedTypes.get(response) ?? null;
}

/** A copy of the request whose stored content type gets `params` appended. */
export function withContentTypeParams(req: SwiftRequest, params: string): SwiftRequest {
  return { ...req, environ: { ...req.environ, contentTypeParams: params } };
}

/** The content type parameters that record a link. */
export function paramsOf(link: SymlinkInfo): string {
  let params = `;${PARAM.target}=${link.target}`;
  if (link.account !== null) params += `;${PARAM.account}=${link.account}`;
  if (link.etag !== null) params += `;${PARAM.etag}=${link.etag};${PARAM.bytes}=${link.bytes ?? 0}`;
  if (link.sloEtag !== null) params += `;${PARAM.sloEtag}=${link.sloEtag}`;
  if (link.versions) params += `;${PARAM.versions}=true`;
  return params;
}

/** A stored content type without its link parameters, and the link they record (null for other objects). */
export function splitSymlinkParams(contentType: string): { contentType: string; link: SymlinkInfo | null } {
  const values = new Map<string, string>();
  const kept = contentType.split(";").filter((param, index) => {
    if (index === 0) return true;
    const equals = param.indexOf("=");
    const name = param.slice(0, equals).trim();
    if (equals < 0 || !name.startsWith("swift_symlink_")) return true;
    values.set(name, param.slice(equals + 1).trim());
    return false;
  });
  const target = values.get(PARAM.target);
  if (target === undefined) return { contentType, link: null };
  const bytes = values.get(PARAM.bytes);
  return {
    contentType: kept.join(";"),
    link: {
      target,
      account: values.get(PARAM.account) ?? null,
      etag: values.get(PARAM.etag) ?? null,
      bytes: bytes === undefined ? null : Number(bytes),
      sloEtag: values.get(PARAM.sloEtag) ?? null,
      versions: values.get(PARAM.versions) === "true",
    },
  };
}

/** The `X-Symlink-*` headers Swift shows for a link (from its sysmeta), none for other objects. */
export function linkHeaders(contentType: string): Record<string, string> {
  const { link } = splitSymlinkParams(contentType);
  if (!link) return {};
  const headers: Record<string, string> = { [H.X_SYMLINK_TARGET]: link.target };
  if (link.account !== null) headers[H.X_SYMLINK_TARGET_ACCOUNT] = link.account;
  if (link.etag !== null) headers[H.X_SYMLINK_TARGET_ETAG] = link.etag;
  if (link.bytes !== null) headers[H.X_SYMLINK_TARGET_BYTES] = String(link.bytes);
  return headers;
}

/**
 * Headers a copy carries from a link read with `?symlink=get` to its PUT (Swift: copy.py copies them, symlink's PUT
 * checks them).
 */
const COPIED_LINK_HEADERS = [H.X_SYMLINK_TARGET, H.X_SYMLINK_TARGET_ACCOUNT, H.X_SYMLINK_TARGET_ETAG] as const;

/** For copy: the link a `?symlink=get` source describes, set on the copy's PUT headers. */
export function copyLinkHeaders(source: Headers, put: Headers): void {
  for (const name of COPIED_LINK_HEADERS) {
    const value = source.get(name);
    if (value !== null) put.set(name, value);
  }
}

/**
 * For the object controller (PUT and POST): the content type to store, with the parameters a
 * middleware asked for (withContentTypeParams).
 */
export function withStoredParams(environ: Environ, contentType: string): string {
  return contentType + (environ.contentTypeParams ?? "");
}

/**
 * For the container listing: an object row's content type to show, and the JSON keys Swift adds
 * for a link (`symlink_path`, and `symlink_etag`, `symlink_bytes` for a static link).
 */
export function listingSymlink(
  contentType: string,
  version: string,
  account: string,
): { contentType: string; json: Record<string, string | number> } {
  const { contentType: shown, link } = splitSymlinkParams(contentType);
  if (!link) return { contentType, json: {} };
  const json: Record<string, string | number> = {};
  if (link.etag !== null) json.symlink_etag = link.etag;
  if (link.bytes !== null) json.symlink_bytes = link.bytes;
  json.symlink_path = `/${version}/${link.account ?? quote(account)}/${link.target}`;
  if (link.sloEtag !== null) json.slo_etag = `"${link.sloEtag}"`;
  return { contentType: shown, json };
}
