/**
 * @module
 * Listing requests and responses as Swift's listing_formats middleware shapes them: query
 * parameters (limit, marker, end_marker, prefix, delimiter, reverse, path) checked, the format
 * chosen from `format=` or Accept, and the body rendered as plain text, JSON or XML.
 * Swift: common/middleware/listing_formats.py, common/request_helpers.py constrain_req_limit.
 */

import { SwiftError } from "../../common/errors";
import { H, isTrue } from "../../common/headers";
import type { ListingParams } from "../../durable/listing";

export type ListingFormat = "plain" | "json" | "xml";

const CONTENT_TYPES: Record<ListingFormat, string> = {
  plain: "text/plain; charset=utf-8",
  json: "application/json; charset=utf-8",
  xml: "application/xml; charset=utf-8",
};

/** The listing parameters of a request; 412 for a limit above the maximum, 400 for bad UTF-8. */
export function listingParams(url: URL, maxLimit: number, allowPath: boolean): ListingParams {
  const query = url.searchParams;
  const limitText = query.get("limit");
  let limit = maxLimit;
  if (limitText !== null && /^\d+$/.test(limitText)) {
    limit = Number(limitText);
    if (limit > maxLimit) throw new SwiftError("PreconditionFailed", `Maximum limit is ${maxLimit}`);
  }
  for (const [name, value] of query) {
    if (value.includes("\uFFFD") || value.includes("\u0000")) throw new SwiftError("BadRequest", `Invalid UTF8 or contains NULL in ${name}`);
  }
  const delimiter = query.get("delimiter");
  return {
    limit,
    marker: query.get("marker") ?? "",
    endMarker: query.get("end_marker") ?? "",
    prefix: query.get("prefix"),
    delimiter: delimiter ? delimiter : null,
    reverse: isTrue(query.get("reverse")),
    path: allowPath ? query.get("path") : null,
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
        if (Number.isNaN(q)) throw new SwiftError("BadRequest", "Invalid Accept header");
      }
    }
    if (!/^[\w.+*-]+\/[\w.+*-]+$/.test(type.trim())) throw new SwiftError("BadRequest", "Invalid Accept header");
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
 * 406 when nothing offered is acceptable. `vary` is true when Accept decided.
 */
export function listingFormat(url: URL, headers: Headers): { format: ListingFormat; vary: boolean } {
  const format = url.searchParams.get("format")?.toLowerCase();
  if (format !== undefined) return { format: format === "json" ? "json" : format === "xml" ? "xml" : "plain", vary: false };
  const accept = headers.get(H.ACCEPT);
  if (!accept) return { format: "plain", vary: true };
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
  return { format: best.format, vary: true };
}

export function listingContentType(format: ListingFormat): string {
  return CONTENT_TYPES[format];
}

/** XML text escaping (Swift: xml.sax.saxutils.escape plus quotes in attributes). */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One listing entry as JSON (an object) and as XML (an element), and its name for plain text. */
export interface RenderedEntry {
  name: string;
  json: Record<string, unknown>;
  xml: string;
}

/**
 * The body of a listing. Plain text: names one per line; JSON: an array; XML: a root element
 * named `root` with a `name` attribute. Null body (204) for an empty plain listing.
 */
export function renderListing(format: ListingFormat, root: "account" | "container", rootName: string, entries: readonly RenderedEntry[]): string | null {
  if (format === "json") return JSON.stringify(entries.map((entry) => entry.json));
  if (format === "xml") {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} name="${xmlEscape(rootName)}">${entries.map((entry) => entry.xml).join("")}</${root}>`;
  }
  if (!entries.length) return null;
  return entries.map((entry) => `${entry.name}\n`).join("");
}

/** A `subdir` entry from a delimiter listing. */
export function subdirEntry(name: string): RenderedEntry {
  return { name, json: { subdir: name }, xml: `<subdir name="${xmlEscape(name)}"><name>${xmlEscape(name)}</name></subdir>` };
}
