/**
 * @module
 * What object versioning's stage and its listings share: the names it makes (the hidden container
 * `\0versions\0<container>`, a version `\0<object>\0<inverted timestamp>`), version ids as Swift
 * reads them, a container's versioning sysmeta, and the source of its pre-authorized requests.
 * Swift: common/middleware/versioned_writes/object_versioning.py ObjectVersioningContext.
 */

import { H, isTrue } from "../../../common/headers";
import { unquote } from "../../../common/python";
import { reservedName, splitReservedName } from "../../../common/path";
import { Timestamp } from "../../../common/timestamp";
import { liveMetadata } from "../../../durable/merge";
import { containerInfo } from "../../services/container";
import type { SwiftRequest } from "../request";
import type { OwnSource } from "./versioned-writes";

/** Swift's swift.source of object versioning's own requests. */
export const SOURCE = "OV";

/** Object versioning's own requests below it: pre-authorized for names in the hidden container. */
export const OWN: OwnSource = { source: SOURCE, reservedNames: true };

/** The sysmeta a container keeps its versioning in; clients see the first as X-Versions-Enabled. */
export const ENABLED = H.X_CONTAINER_SYSMETA_VERSIONS_ENABLED;
export const LOCATION = H.X_CONTAINER_SYSMETA_VERSIONS_CONTAINER;

/** Swift: _build_versions_container_name. */
export function versionsContainerOf(container: string): string {
  return reservedName("versions", container);
}

/**
 * Swift: _split_versions_container_name. The container a versions container keeps versions of; any other name as it is.
 */
export function primaryOf(name: string): string {
  const parts = splitReservedName(name);
  return parts?.length === 2 && parts[0] === "versions" ? (parts[1] ?? name) : name;
}

/** Swift: _build_versions_object_name. Newer versions sort first. */
export function versionName(object: string, version: Timestamp): string {
  return reservedName(object, version.inverted.internal);
}

/**
 * Swift: _split_version_from_name. The object and version a versions container's name stands for; null for another
 * name.
 */
export function splitVersionName(name: string): { object: string; version: Timestamp } | null {
  const parts = splitReservedName(name);
  const inverted = parts?.length === 2 ? Timestamp.fromText(parts[1] ?? "") : null;
  return inverted && !inverted.offset ? { object: parts?.[0] ?? "", version: inverted.inverted } : null;
}

/** The version `<location>/<version name>` (a link's target) names; null for another path. */
export function versionIn(location: string, path: string): Timestamp | null {
  const slash = path.indexOf("/");
  return slash >= 0 && path.slice(0, slash) === location
    ? (splitVersionName(path.slice(slash + 1))?.version ?? null)
    : null;
}

/** A client's version id, as Swift reads it (Timestamp(version), which it must invert); null when Swift refuses it. */
export function versionIdOf(text: string): Timestamp | null {
  const version = Timestamp.fromText(text);
  return version && !version.offset ? version : null;
}

/** The decoded path of a container, or of an object in it, in the request's account. */
export function pathOf(req: SwiftRequest, container: string, object?: string): string {
  const path = `/${req.path.version}/${req.path.account}/${container}`;
  return object === undefined ? path : `${path}/${object}`;
}

/** The request at another URL of the same path (another query). */
export function atUrl(req: SwiftRequest, url: URL): SwiftRequest {
  return { ...req, url, request: new Request(url, req.request) };
}

/** A container's versioning, from its (cached, or `newest`) info. */
export interface Versioning {
  exists: boolean;
  metadata: Record<string, string>;
  objectCount: number;
  /**
   * The hidden container (Swift: versions-container sysmeta, unquoted, up to a slash); "" when versioning was never
   * enabled.
   */
  location: string;
  enabled: boolean;
}

/** Swift: get_container_info's versioning sysmeta (object_request). */
export async function versioningOf(req: SwiftRequest, container: string, newest = false): Promise<Versioning> {
  const info = await containerInfo(req.ctx, req.path.account, container, newest);
  const metadata = info ? liveMetadata(info.metadata) : {};
  return {
    exists: info !== null,
    metadata,
    objectCount: info?.objectCount ?? 0,
    location: unquote(metadata[LOCATION] ?? "").split("/")[0] ?? "",
    enabled: isTrue(metadata[ENABLED]),
  };
}
