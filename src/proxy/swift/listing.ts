/**
 * @module
 * Listing requests and responses as Swift's listing_formats middleware shapes them: query
 * parameters (limit, marker, end_marker, prefix, delimiter, reverse, path) checked, the format
 * chosen from `format=` or Accept, and the body rendered as plain text, JSON or XML.
 * Swift: common/middleware/listing_formats.py, common/request_helpers.py get_param,
 * validate_container_params, constrain_req_limit.
 */

import { SwiftError } from "../../common/errors";
import { xmlAttribute, xmlText } from "../../common/markup";
import { latin1, pythonJson, unquoteToBytes, utf8Lenient, utf8OrNull } from "../../common/python";
import { H, isTrue } from "../../common/headers";
import type { ListingParams } from "../../durable/listing";

export type ListingFormat = "plain" | "json" | "xml";

const CONTENT_TYPES: Record<ListingFormat, string> = {
  plain: "text/plain; charset=utf-8",
  json: "application/json; charset=utf-8",
  xml: "application/xml; charset=utf-8",
};

/**
 * A query string's parameters as Swift's swob reads them: split on `&` only, a name without `=`
 * kept with an empty value, the last of a repeated name winning; values kept as bytes until
 * queryParam decodes one. Swift: swob.Request.params (parse_qsl, keep_blank_values, latin-1).
 */
export function queryParams(url: URL): Map<string, Uint8Array> {
  const params = new Map<string, Uint8Array>();
  for (const pair of url.search.slice(1).split("&")) {
    if (!pair) continue;
    const equals = pair.indexOf("=");
    const name = equals < 0 ? pair : pair.slice(0, equals);
    params.set(latin1(unquoteToBytes(name, true)), unquoteToBytes(equals < 0 ? "" : pair.slice(equals + 1), true));
  }
  return params;
}

/**
 * One parameter as text, or null when absent: 400 when its bytes are not UTF-8. NUL is no
 * reason to refuse (`marker=m%00` with `reverse=on` lists from `m` on, inclusive).
 * Swift: common/request_helpers.py get_param.
 */
export function queryParam(params: ReadonlyMap<string, Uint8Array>, name: string): string | null {
  const bytes = params.get(name);
  if (bytes === undefined) return null;
  const text = utf8OrNull(bytes);
  if (text === null) throw SwiftError.html("BadRequest", `"${name}" parameter not valid UTF-8`);
  return text;
}

/**
 * One parameter as text, its bytes read leniently, or null when absent: a parameter Swift reads without refusing it.
 */
export function queryText(url: URL, name: string): string | null {
  const bytes = queryParams(url).get(name);
  return bytes === undefined ? null : utf8Lenient(bytes);
}

/** The URL with `params` set (any earlier one of those names dropped), the rest of its query as it was sent. */
export function withQueryParams(url: URL, params: Record<string, string>): URL {
  const names = new Set(Object.keys(params));
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((pair) => pair && !names.has(latin1(unquoteToBytes(pair.split("=")[0] ?? "", true))));
  const out = new URL(url);
  out.search = [...kept, ...Object.entries(params).map(([name, value]) => `${name}=${encodeURIComponent(value)}`)].join(
    "&",
  );
  return out;
}

/**
 * The parameters Swift decodes (so refuses when not UTF-8) on a listing, in the order it does:
 * a container's in the proxy (validate_container_params, then constrain_req_limit), an account's
 * in the account server's GET (the limit checked before the markers). `format` comes first, in
 * listingFormat (the listing_formats middleware).
 */
const CONTAINER_PARAMS = [
  "marker",
  "end_marker",
  "prefix",
  "delimiter",
  "path",
  "format",
  "reverse",
  "states",
  "includes",
  "limit",
] as const;
const ACCOUNT_PARAMS = ["prefix", "delimiter", "reverse", "limit", "marker", "end_marker"] as const;

/**
 * Swift: request_helpers.py constrain_req_limit. 412 for a limit above the maximum; a limit that is not digits means
 * the maximum.
 */
function constrainLimit(text: string | null, maxLimit: number): number {
  if (!text || !/^\d+$/.test(text)) return maxLimit;
  const limit = Number(text);
  if (limit > maxLimit) throw SwiftError.html("PreconditionFailed", `Maximum limit is ${maxLimit}`);
  return limit;
}

/**
 * The listing parameters of a container (`allowPath`) or account request: 400 for a parameter
 * that is not UTF-8, 412 for a limit above the maximum.
 */
export function listingParams(url: URL, maxLimit: number, allowPath: boolean): ListingParams {
  const query = queryParams(url);
  const values = new Map<string, string | null>();
  let limit = maxLimit;
  for (const name of allowPath ? CONTAINER_PARAMS : ACCOUNT_PARAMS) {
    const value = queryParam(query, name);
    values.set(name, value);
    if (name === "limit") limit = constrainLimit(value, maxLimit);
  }
  const delimiter = values.get("delimiter");
  return {
    limit,
    marker: values.get("marker") ?? "",
    endMarker: values.get("end_marker") ?? "",
    prefix: values.get("prefix") ?? null,
    delimiter: delimiter ? delimiter : null,
    reverse: isTrue(values.get("reverse")),
    path: allowPath ? (values.get("path") ?? null) : null,
  };
}

interface AcceptEntry {
  type: string;
  q: number;
  order: number;
}

function parseAccept(header: string): AcceptEntry[] {
  return header.split(",").map((part, order) => {
    const [type = "", ...params] = part.trim().split(";");
    let q = 1;
    for (const param of params) {
      const [name, value] = param.trim().split("=");
      if (name?.trim() === "q") {
        q = Number(value);
        if (Number.isNaN(q)) throw SwiftError.html("BadRequest", "Invalid Accept header");
      }
    }
    if (!/^[\w.+*-]+\/[\w.+*-]+$/.test(type.trim())) throw SwiftError.html("BadRequest", "Invalid Accept header");
    return { type: type.trim().toLowerCase(), q, order };
  });
}

const OFFERS: [string, ListingFormat][] = [
  ["text/plain", "plain"],
  ["application/json", "json"],
  ["application/xml", "xml"],
  ["text/xml", "xml"],
];

/**
 * The format asked for: `format=` wins (unknown values mean plain); else the best Accept match;
 * 406 when nothing offered is acceptable, 400 when `format` is not UTF-8. `vary` is true when
 * the request has no `format` parameter at all. Swift: listing_formats.py get_listing_content_type.
 */
export function listingFormat(url: URL, headers: Headers): { format: ListingFormat; vary: boolean } {
  const query = queryParams(url);
  const format = queryParam(query, "format")?.toLowerCase();
  // Swift: an empty format= picks by Accept, but still keeps Vary off (listing_formats can_vary).
  if (format) return { format: format === "json" ? "json" : format === "xml" ? "xml" : "plain", vary: false };
  const vary = !query.has("format");
  const accept = headers.get(H.ACCEPT);
  if (!accept) return { format: "plain", vary };
  const entries = parseAccept(accept);
  let best: { format: ListingFormat; q: number; specificity: number; order: number } | null = null;
  for (const [offer, offerFormat] of OFFERS) {
    const [offerType, offerSub] = offer.split("/");
    for (const entry of entries) {
      const [type, sub] = entry.type.split("/");
      const fits = (type === "*" || type === offerType) && (sub === "*" || sub === offerSub);
      if (!fits || entry.q <= 0) continue;
      const specificity = (type === "*" ? 0 : 1) + (sub === "*" ? 0 : 1);
      if (!best || entry.q > best.q || (entry.q === best.q && specificity > best.specificity)) {
        best = { format: offerFormat, q: entry.q, specificity, order: entry.order };
      }
    }
  }
  if (!best) throw new SwiftError("NotAcceptable");
  return { format: best.format, vary };
}

/**
 * Whether a JSON listing is acceptable: `format=json`, or no `format` and an Accept (if any) that
 * takes application/json. Swift: object_versioning.py _list_versions, with listing_formats'
 * req.accept: best_match(['application/json']).
 */
export function acceptsJson(url: URL, headers: Headers): boolean {
  const format = queryParam(queryParams(url), "format");
  if (format) return format.toLowerCase() === "json";
  const accept = headers.get(H.ACCEPT);
  return (
    !accept || parseAccept(accept).some((entry) => entry.q > 0 && /^(\*|application)\/(\*|json)$/.test(entry.type))
  );
}

/** Content-Type of a listing (or a HEAD of what would be one), and Vary: Accept when Accept chose it. */
export function listingTypeHeaders(format: ListingFormat, vary: boolean): Record<string, string> {
  return vary
    ? { [H.CONTENT_TYPE]: CONTENT_TYPES[format], [H.VARY]: "Accept" }
    : { [H.CONTENT_TYPE]: CONTENT_TYPES[format] };
}

/** One listing entry as JSON (an object) and as XML (an element), and its name for plain text. */
/**
 * One listed name, and how it reads in JSON and XML, each made only for the format asked for
 * (entries are classes, not objects of closures: a listing makes 10,000 of them).
 */
export interface RenderedEntry {
  readonly name: string;
  json(): Record<string, unknown>;
  xml(): string;
}

/**
 * The body of a listing, as Swift's listing_formats writes it. Plain text: names one per line
 * (null, a 204, when empty); JSON: Python's json.dumps of the array; XML: a root element named
 * `root` with a `name` attribute, as ElementTree writes it: an account's entries each on a line
 * of its own (account_to_xml sets the text and tails to "\n"), a container's run together, and
 * an empty container as `<container name="c" />`.
 */
export function renderListing(
  format: ListingFormat,
  root: "account" | "container",
  rootName: string,
  entries: readonly RenderedEntry[],
): string | null {
  if (format === "json") return pythonJson(entries.map((entry) => entry.json()));
  if (format === "xml") {
    const open = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} name="${xmlAttribute(rootName)}"`;
    if (root === "account") return `${open}>\n${entries.map((entry) => `${entry.xml()}\n`).join("")}</${root}>`;
    return entries.length ? `${open}>${entries.map((entry) => entry.xml()).join("")}</${root}>` : `${open} />`;
  }
  if (!entries.length) return null;
  return entries.map((entry) => `${entry.name}\n`).join("");
}

/**
 * A `subdir` entry from a delimiter listing: in a container's XML with its name as an element
 * too, in an account's as an empty element. Swift: listing_formats container_to_xml, account_to_xml.
 */
export function subdirEntry(name: string, root: "account" | "container"): RenderedEntry {
  return new SubdirEntry(name, root);
}

class SubdirEntry implements RenderedEntry {
  constructor(
    readonly name: string,
    readonly root: "account" | "container",
  ) {}

  json(): Record<string, unknown> {
    return { subdir: this.name };
  }

  xml(): string {
    const attribute = xmlAttribute(this.name);
    return this.root === "account"
      ? `<subdir name="${attribute}" />`
      : `<subdir name="${attribute}"><name>${xmlText(this.name)}</name></subdir>`;
  }
}

/** An item of a JSON listing a middleware rebuilt: its JSON as it is, its XML from `fields`. */
class ItemEntry implements RenderedEntry {
  readonly name: string;

  constructor(
    readonly item: ListingItem,
    readonly element: string,
    readonly fields: readonly string[],
  ) {
    this.name = String(item.name ?? "");
  }

  json(): Record<string, unknown> {
    return this.item;
  }

  xml(): string {
    const xml = this.fields.map((field) => `<${field}>${xmlText(String(this.item[field] ?? ""))}</${field}>`).join("");
    return `<${this.element}>${xml}</${this.element}>`;
  }
}

/** One item of a JSON listing, as Swift's JSON listings carry it (a name's fields, or a `subdir`). */
export type ListingItem = Record<string, unknown>;

/** The fields each format but JSON shows of a listed container or object (Swift: account_to_xml, container_to_xml). */
const XML_FIELDS = {
  account: { element: "container", fields: ["name", "count", "bytes", "last_modified"] },
  container: { element: "object", fields: ["name", "hash", "bytes", "content_type", "last_modified"] },
} as const;

/**
 * A JSON listing rebuilt by a middleware, rendered as the client asked, as Swift's listing_formats
 * renders the JSON it gets back: Python's json.dumps, XML of each item's fields, or names.
 */
export function renderItems(
  format: ListingFormat,
  root: "account" | "container",
  rootName: string,
  items: readonly ListingItem[],
): string | null {
  if (format === "json") return pythonJson(items);
  const { element, fields } = XML_FIELDS[root];
  const entries = items.map((item): RenderedEntry => {
    if (typeof item.subdir === "string") return subdirEntry(item.subdir, root);
    return new ItemEntry(item, element, fields);
  });
  return renderListing(format, root, rootName, entries);
}
