/**
 * @module
 * Listings under object versioning. A container's: its links to versions shown as the versions
 * (size, ETag, a `?version-id=` path), its versions' bytes counted in, the sysmeta shown as
 * X-Versions-Enabled, and `?versions`, every version merged by name. An account's: hidden
 * containers never listed, a versioned container's bytes including its versions'. Each takes the
 * listing as JSON and renders it again as the client asked, as Swift's listing_formats renders
 * what object_versioning hands back. Swift 2.30.1: object_versioning.py ContainerContext
 * handle_request, _list_versions; AccountContext list_containers.
 */

import { ACCOUNT_LISTING_LIMIT, CONTAINER_LISTING_LIMIT } from "../../../common/constraints";
import { pythonJson, quote, unquote } from "../../../common/python";
import { SwiftError } from "../../../common/errors";
import { H } from "../../../common/headers";
import { RESERVED, reservedName, splitReservedName } from "../../../common/path";
import {
  acceptsJson,
  listingFormat,
  listingParams,
  listingTypeHeaders,
  queryParams,
  queryText,
  renderItems,
  withQueryParams,
  type ListingItem,
} from "../listing";
import {
  ENABLED,
  LOCATION,
  OWN,
  atUrl,
  pathOf,
  primaryOf,
  splitVersionName,
  versionIdOf,
  versionName,
  versioningOf,
  versionsContainerOf,
} from "./names";
import type { Next } from "../pipeline";
import { emptyResponse, type SwiftRequest } from "../request";
import { discard } from "../subrequest";
import { DELETE_MARKER_CONTENT_TYPE, below } from "./versioned-writes";

/**
 * Past every hidden container's name (`\0` and at most 266 bytes: more code points than that of
 * the largest), so an account listing from here on skips them (Swift: the account server lists
 * names from `\x01` on unless reserved names are allowed).
 */
const PAST_HIDDEN = RESERVED + "\u{10FFFF}".repeat(512);

/** Swift: handle_request's headers. The sysmeta shown as X-Versions-Enabled; the versions' bytes counted in. */
async function shownHeaders(req: SwiftRequest, next: Next, response: Response, location: string): Promise<Headers> {
  const headers = new Headers(response.headers);
  const enabled = headers.get(ENABLED);
  headers.delete(ENABLED);
  headers.delete(LOCATION);
  if (enabled !== null) headers.set(H.X_VERSIONS_ENABLED, enabled);
  const used = headers.get(H.X_CONTAINER_BYTES_USED);
  if (location && used !== null) {
    const head = await below(req, next, { ...OWN, method: "HEAD", path: pathOf(req, location) });
    await discard(head);
    if (head.ok)
      headers.set(
        H.X_CONTAINER_BYTES_USED,
        String(Number(used) + Number(head.headers.get(H.X_CONTAINER_BYTES_USED) ?? "0")),
      );
  }
  return headers;
}

/**
 * Swift: handle_request's listing. A link to a version is listed with the version's size and
 * ETag (`version_symlink`), and, outside `?versions`, with the object's `?version-id=` path.
 */
function showVersions(
  req: SwiftRequest,
  items: ListingItem[],
  container: string,
  location: string,
  versionsListing: boolean,
): void {
  for (const item of items) {
    const { symlink_path: path, symlink_etag: etag, symlink_bytes: bytes } = item;
    if (typeof path !== "string" || etag === undefined || bytes === undefined) continue;
    const [, , account, target, ...object] = unquote(path).split("/");
    if (target !== location) continue;
    const params = String(item.hash ?? "")
      .split(";")
      .slice(1);
    delete item.symlink_etag;
    delete item.symlink_bytes;
    item.bytes = Number(bytes);
    item.version_symlink = true;
    item.hash = String(etag) + params.map((param) => `; ${param.trim()}`).join("");
    const split = splitVersionName(object.join("/"));
    if (split && !versionsListing) {
      const linkPath = `/${req.path.version}/${account ?? ""}/${container}/${split.object}`;
      item.symlink_path = `${quote(linkPath)}?version-id=${split.version.internal}`;
    }
  }
}

/** Python's order of str (code points; JavaScript's `<` compares UTF-16 units). */
function compareNames(a: string, b: string): number {
  const x = Array.from(a, (char) => char.codePointAt(0) ?? 0);
  const y = Array.from(b, (char) => char.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return x.length - y.length;
}

/** An item with `slo_etag` last, where Swift's slo stage (above this one) adds it to a listing. */
function sloEtagLast({ slo_etag: sloEtag, ...item }: ListingItem): ListingItem {
  return sloEtag === undefined ? item : { ...item, slo_etag: sloEtag };
}

/** Swift: build_listing. Sorted by name (stably, reversed if asked), the first `limit`. */
function buildListing(items: readonly ListingItem[], reverse: boolean, limit: number): ListingItem[] {
  const key = (item: ListingItem) => String(item.subdir ?? item.name ?? "");
  return [...items]
    .sort((a, b) => (reverse ? -1 : 1) * compareNames(key(a), key(b)))
    .slice(0, limit)
    .map(sloEtagLast);
}

/**
 * The `?versions` listing's marker in the hidden container (Swift 2.30.1: _list_versions): past
 * every version of `marker`, or past `version_marker`'s; `version_marker=null` leaves `marker` as
 * it is, which every hidden name sorts before.
 */
function versionsMarker(url: URL): string | null {
  const marker = queryText(url, "marker");
  const versionMarker = queryText(url, "version_marker");
  if (versionMarker !== null) {
    if (marker === null) throw SwiftError.html("BadRequest", "version_marker param requires marker");
    if (versionMarker === "null") return marker;
    const version = versionIdOf(versionMarker);
    if (!version) throw SwiftError.html("BadRequest", "invalid version_marker param");
    return versionName(marker, version);
  }
  return marker === null ? null : `${reservedName(marker, "")}:`; // just past all of its versions
}

/**
 * Swift: _list_versions. `?versions`: the container's unversioned objects (`version_id` null),
 * every version in the hidden container (`is_latest` for the one the link points at, or a delete
 * marker on top), and subdirectories, merged by name; always JSON. An error listing the hidden
 * container is answered as it is.
 */
async function listVersions(
  req: SwiftRequest,
  next: Next,
  location: string,
  primary: ListingItem[],
): Promise<ListingItem[] | Response> {
  if (!acceptsJson(req.url, req.request.headers)) throw new SwiftError("NotAcceptable");
  const marker = versionsMarker(req.url);
  const delimiter = queryText(req.url, "delimiter") ?? "";
  if ([...delimiter].some((char) => "0123456789.".includes(char) || char === RESERVED))
    throw SwiftError.html("BadRequest", "invalid delimiter param");
  const nulls: ListingItem[] = [];
  const subdirs = new Set<string>();
  const current = new Map<string, ListingItem>();
  const latest = new Set<string>();
  for (const item of primary) {
    if (typeof item.name !== "string") subdirs.add(String(item.subdir));
    else if (item.version_symlink) current.set(unquote(String(item.symlink_path)), item);
    else {
      nulls.push({ ...item, version_id: "null", is_latest: true });
      latest.add(item.name);
    }
  }
  const { limit, reverse } = listingParams(req.url, CONTAINER_LISTING_LIMIT, true);
  const prefix = queryText(req.url, "prefix");
  const subdirItems = (): ListingItem[] => [...subdirs].map((subdir) => ({ subdir }));
  const query = new URLSearchParams({
    format: "json",
    prefix: prefix === null ? "" : reservedName(prefix),
    marker: marker ?? "",
    limit: queryText(req.url, "limit") ?? "",
    delimiter,
    reverse: queryText(req.url, "reverse") ?? "",
  });
  const versions = await below(req, next, {
    ...OWN,
    method: "GET",
    path: pathOf(req, location),
    query: query.toString(),
  });
  if (versions.status === 404) {
    await discard(versions);
    // No hidden container: the links' own entries stand for their versions.
    const linked: ListingItem[] = [];
    for (const item of current.values()) {
      const split = splitVersionName(unquote(String(item.symlink_path)).split("/").slice(4).join("/"));
      if (!split) continue;
      const isLatest = !latest.has(split.object);
      latest.add(split.object);
      const { content_type, bytes, hash, last_modified } = item;
      linked.push({
        name: split.object,
        is_latest: isLatest,
        version_id: split.version.internal,
        content_type,
        bytes,
        hash,
        last_modified,
      });
    }
    return buildListing([...nulls, ...subdirItems(), ...linked], reverse, limit);
  }
  if (!versions.ok) return versions;
  const listed = JSON.parse(await versions.text()) as ListingItem[];
  const versionItems: ListingItem[] = [];
  for (const item of listed) {
    if (typeof item.name !== "string") {
      const subdir = String(item.subdir);
      subdirs.add(splitReservedName(subdir)?.[0] ?? subdir);
      continue;
    }
    const split = splitVersionName(item.name);
    if (!split) continue;
    const path = `/${req.path.version}/${req.path.account}/${location}/${item.name}`;
    item.is_latest =
      current.delete(path) || (item.content_type === DELETE_MARKER_CONTENT_TYPE && !latest.has(split.object));
    if (item.is_latest) latest.add(split.object);
    item.name = split.object;
    item.version_id = split.version.internal;
    versionItems.push(item);
  }
  // Swift would add the links whose versions were not listed here, but reads their paths so that
  // none ever is (the split of `v1/<account>/...` finds no version), so there are none.
  return buildListing([...nulls, ...versionItems, ...subdirItems()], reverse, limit);
}

/** Swift: ContainerContext.handle_request. A container's GET and HEAD. */
export async function readContainer(req: SwiftRequest, next: Next, container: string): Promise<Response> {
  const { location } = await versioningOf(req, container);
  const isGet = req.request.method === "GET";
  const versionsListing = isGet && queryParams(req.url).has("versions");
  if (!isGet || (!location && !versionsListing)) {
    const response = await next(req);
    return new Response(response.body, {
      status: response.status,
      headers: await shownHeaders(req, next, response, location),
    });
  }
  const { format, vary } = listingFormat(req.url, req.request.headers);
  const response = await next(atUrl(req, withQueryParams(req.url, { format: "json" })));
  const headers = await shownHeaders(req, next, response, location);
  if (!response.ok) return new Response(response.body, { status: response.status, headers });
  headers.delete(H.CONTENT_LENGTH);
  const items = JSON.parse(await response.text()) as ListingItem[];
  // A container never versioned may still list as one (Swift: its metadata may not be current).
  const hidden = location || versionsContainerOf(container);
  showVersions(req, items, container, hidden, versionsListing);
  if (versionsListing) {
    const listed = await listVersions(req, next, hidden, items);
    if (listed instanceof Response) return listed;
    return new Response(pythonJson(listed), { status: response.status, headers });
  }
  for (const [name, value] of Object.entries(listingTypeHeaders(format, vary))) headers.set(name, value);
  const body = renderItems(format, "container", container, items.map(sloEtagLast));
  return body === null
    ? emptyResponse(204, Object.fromEntries(headers))
    : new Response(body, { status: response.status, headers });
}

/**
 * Swift: list_containers. Hidden containers are never listed (the listing starts past them); a
 * versioned container's bytes include its versions', and a hidden container whose container is
 * not in the listing is listed under that name with a count of 0.
 */
export async function listAccount(req: SwiftRequest, next: Next): Promise<Response> {
  const { format, vary } = listingFormat(req.url, req.request.headers);
  const { reverse, limit } = listingParams(req.url, ACCOUNT_LISTING_LIMIT, false);
  const bound = reverse ? "end_marker" : "marker";
  const from = queryText(req.url, bound) ?? "";
  const url = from < "\u0001" ? withQueryParams(req.url, { [bound]: PAST_HIDDEN }) : req.url;
  // Swift cannot make a versions container's name of one holding the reserved character, and keeps it.
  const versionsOf = (name: string) => (name.includes(RESERVED) ? name : versionsContainerOf(name));
  const prefix = queryText(req.url, "prefix");
  const versionsQuery: Record<string, string> = {
    format: "json",
    prefix: prefix === null ? reservedName("versions") : versionsOf(prefix),
  };
  for (const name of ["marker", "end_marker"]) {
    const value = queryText(req.url, name);
    if (value !== null) versionsQuery[name] = versionsOf(value);
  }
  const versions = await below(req, next, {
    ...OWN,
    method: "GET",
    path: `/${req.path.version}/${req.path.account}`,
    query: withQueryParams(req.url, versionsQuery).search.slice(1),
  });
  const listed = versions.status === 200 ? (JSON.parse(await versions.text()) as ListingItem[]) : [];
  if (versions.status !== 200) await discard(versions);
  const byContainer = new Map(
    listed.filter((item) => typeof item.name === "string").map((item) => [primaryOf(String(item.name)), item]),
  );
  if (!byContainer.size) return next(atUrl(req, url));
  const response = await next(atUrl(req, withQueryParams(url, { format: "json" })));
  if (!response.ok) return response;
  const items = JSON.parse(await response.text()) as ListingItem[];
  for (const item of items) {
    const hidden = byContainer.get(String(item.name));
    if (typeof item.name !== "string" || !hidden) continue;
    item.bytes = Number(item.bytes) + Number(hidden.bytes);
    byContainer.delete(item.name);
  }
  for (const [name, hidden] of byContainer) items.push({ ...hidden, name, count: 0 });
  // listing_formats leaves out what still holds the reserved character.
  const shown = buildListing(items, reverse, limit).filter(
    (item) => !String(item.name ?? item.subdir ?? "").includes(RESERVED),
  );
  const headers = new Headers(response.headers);
  headers.delete(H.CONTENT_LENGTH);
  for (const [name, value] of Object.entries(listingTypeHeaders(format, vary))) headers.set(name, value);
  const body = renderItems(format, "account", req.path.account, shown);
  return body === null ? emptyResponse(204, Object.fromEntries(headers)) : new Response(body, { status: 200, headers });
}
