/**
 * @module
 * What the slo and dlo stages share: the environ flags they leave for the object controller
 * (read a manifest whole; store an SLO manifest), `swift_bytes` in content types, subrequests
 * whose errors come back as responses, conditional responses against a large object's ETag,
 * and Swift's ways of writing things (Python's json.dumps and quote, swob's Accept matching).
 * Swift: common/middleware/slo.py, dlo.py, common/request_helpers.py, common/swob.py.
 */

import { conditionalStatus } from "../../common/conditional";
import { ERRORS, SwiftError, errorBody, kindForStatus } from "../../common/errors";
import { H, isTrue } from "../../common/headers";
import type { SubrequestInit, SwiftRequest } from "./request";

/** Environ key: metadata names whose presence makes the object controller serve the object whole. */
const MANIFEST_READ = "largeObject.manifestRead";
/** Environ key: the large object's size and ETag while the slo stage stores its manifest. */
const SLO_MANIFEST_BYTES = "slo.manifestBytes";

/**
 * A copy of the request whose object GET or HEAD, when the object carries `header` (a manifest),
 * is answered with the whole manifest (body included, even for HEAD), Range and conditionals left
 * to the stage. Swift: X-Backend-Ignore-Range-If-Metadata-Present, X-Backend-Etag-Is-At.
 */
export function withManifestRead(req: SwiftRequest, header: string): SwiftRequest {
  const current = manifestReadHeaders(req.environ);
  return { ...req, environ: { ...req.environ, [MANIFEST_READ]: [...current, header] } };
}

function manifestReadHeaders(environ: SwiftRequest["environ"]): string[] {
  const value = environ[MANIFEST_READ];
  return Array.isArray(value) ? value.filter((name): name is string => typeof name === "string") : [];
}

/**
 * Responses the object controller made by reading a manifest whole for a stage. A stage resolves
 * only such a response (the very object: stages between pass it on as is), never a large object
 * an inner pipeline already assembled — a followed symlink's target, for one.
 */
const manifestReads = new WeakSet<Response>();

/** For the object controller: marks its answer to a whole-manifest read. */
export function manifestRead(response: Response): Response {
  manifestReads.add(response);
  return response;
}

/** Whether `response` is the controller's whole read of a manifest (not an assembled large object). */
export function isManifestRead(response: Response): boolean {
  return manifestReads.has(response);
}

/** For the object controller: whether this GET/HEAD reads a large object's manifest whole. */
export function readsManifestWhole(environ: SwiftRequest["environ"], metadata: Record<string, string>): boolean {
  return manifestReadHeaders(environ).some((name) => (name === H.X_STATIC_LARGE_OBJECT ? isTrue(metadata[name]) : metadata[name] !== undefined));
}

/** What an SLO manifest's content type carries for listings: the large object's size and ETag. */
export interface SloParams {
  bytes: number;
  /** Empty when unknown. */
  etag: string;
}

/** A copy of the request that stores (or updates) an SLO manifest of the large object `manifest`. */
export function withSloManifest(req: SwiftRequest, request: Request, manifest: SloParams): SwiftRequest {
  return { ...req, request, url: new URL(request.url), environ: { ...req.environ, [SLO_MANIFEST_BYTES]: manifest } };
}

/**
 * For the object controller: the large object when the slo stage stores its manifest (which may
 * carry X-Static-Large-Object and `swift_bytes`), else null.
 */
export function sloManifest(environ: SwiftRequest["environ"]): SloParams | null {
  const value = environ[SLO_MANIFEST_BYTES];
  if (typeof value !== "object" || value === null || !("bytes" in value) || !("etag" in value)) return null;
  return typeof value.bytes === "number" && typeof value.etag === "string" ? { bytes: value.bytes, etag: value.etag } : null;
}

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
export function splitSwiftBytes(contentType: string): { contentType: string; swiftBytes: number | null; sloEtag: string | null } {
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

/** An ETag without its quotes (Swift: swob.normalize_etag). */
export function normalizeEtag(etag: string | null): string | null {
  if (etag === null) return null;
  return etag.startsWith('"') && etag.endsWith('"') && etag.length >= 2 ? etag.slice(1, -1) : etag;
}

/** A status line as swob writes it: `404 Not Found`. */
export function statusLine(status: number): string {
  const kind = kindForStatus(status);
  if (ERRORS[kind].status === status) return `${status} ${ERRORS[kind].reason}`;
  const known: Record<number, string> = { 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content", 304: "Not Modified", 502: "Bad Gateway" };
  return `${status} ${known[status] ?? "Unknown"}`;
}

/** A SwiftError as the response the client would get (subrequests see errors as statuses, as Swift's do). */
export function errorResponse(error: SwiftError, method: string): Response {
  const { body, contentType } = errorBody(error.kind, error.detail);
  return new Response(method === "HEAD" ? null : body, { status: error.status, headers: { [H.CONTENT_TYPE]: contentType, ...error.headers } });
}

/** Runs a subrequest through the pipeline; a client-facing error comes back as its response. */
export async function subrequest(req: SwiftRequest, init: SubrequestInit): Promise<Response> {
  try {
    return await req.subrequest({ keepAuthorization: true, ...init });
  } catch (error) {
    if (error instanceof SwiftError) return errorResponse(error, init.method);
    throw error;
  }
}

/** A response body as UTF-8 text, whatever its content type says (a manifest is stored with the large object's). */
export async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

/** A 400 (or other) error whose body is sent as swob sends an explicit body: text/html. */
export function swobError(kind: "BadRequest" | "MethodNotAllowed" | "RequestEntityTooLarge", body: string): SwiftError {
  return new SwiftError(kind, body, { [H.CONTENT_TYPE]: "text/html; charset=UTF-8" });
}

const hex = (bytes: ArrayBuffer): string => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** MD5 hex of bytes or of a string's UTF-8. */
export async function md5Hex(data: Uint8Array | string): Promise<string> {
  return hex(await crypto.subtle.digest("MD5", typeof data === "string" ? new TextEncoder().encode(data) : data));
}

/**
 * The answer to a conditional GET/HEAD of a large object, judged against its own ETag and the
 * manifest's Last-Modified, as swob's conditional_response does: 304 keeping the headers, 412
 * with an empty body, or null to serve it.
 */
export function largeObjectConditional(request: Request, headers: Headers, etag: string): Response | null {
  const lastModified = Date.parse(headers.get(H.LAST_MODIFIED) ?? "");
  const status = conditionalStatus(request.headers, etag, Number.isNaN(lastModified) ? 0 : Math.floor(lastModified / 1000));
  if (status === null) return null;
  const kept = new Headers(headers);
  kept.set(H.CONTENT_LENGTH, "0");
  if (status === 304) return new Response(null, { status: 304, headers: kept });
  kept.delete(H.ACCEPT_RANGES);
  kept.set(H.CONTENT_TYPE, "text/html; charset=UTF-8");
  throw new SwiftError("PreconditionFailed", "", Object.fromEntries(kept));
}

/** Python's json.dumps with its default separators and ensure_ascii, so stored and served JSON reads as Swift's. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .map(([key, entry]) => `${pythonJson(key)}: ${pythonJson(entry)}`)
      .join(", ")}}`;
  }
  return "null";
}

/** Python's urllib quote(text, safe='/') over UTF-8, as Swift quotes names in its reports. */
export function pyQuote(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, "/");
}

/** The formats a bulk-style report can take (Swift: bulk.py ACCEPTABLE_FORMATS). */
export const REPORT_FORMATS = ["text/plain", "application/json", "application/xml", "text/xml"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * swob's Accept.best_match over REPORT_FORMATS: no header → text/plain; otherwise the acceptable
 * patterns by quality (specific before wildcards), each against the formats in order; null when
 * nothing fits or the header is malformed.
 */
export function bestReportFormat(accept: string | null): ReportFormat | null {
  if (accept === null || accept.trim() === "") return "text/plain";
  const patterns: { type: string; sub: string; q: number; order: number }[] = [];
  for (const [order, part] of accept.split(",").entries()) {
    const [media = "", ...params] = part.trim().split(";");
    const match = /^([\w.+*-]+)\/([\w.+*-]+)$/.exec(media.trim());
    if (!match?.[1] || !match[2]) return null;
    let q = 1;
    for (const param of params) {
      const [name, value] = param.trim().split("=");
      if (name?.trim() === "q") q = Number(value);
    }
    if (Number.isNaN(q)) return null;
    if (q > 0) patterns.push({ type: match[1].toLowerCase(), sub: match[2].toLowerCase(), q, order });
  }
  patterns.sort((a, b) => b.q - a.q || Number(a.type === "*") - Number(b.type === "*") || Number(a.sub === "*") - Number(b.sub === "*") || a.order - b.order);
  for (const { type, sub } of patterns) {
    const found = REPORT_FORMATS.find((format) => {
      const [formatType, formatSub] = format.split("/");
      return (type === "*" || type === formatType) && (sub === "*" || sub === formatSub);
    });
    if (found) return found;
  }
  return null;
}

/**
 * A bulk-style report body (Swift: bulk.py get_response_body): `Key: value` lines and an
 * `Errors:` list in text, the dict with `Errors` in JSON, `<root>` elements in XML.
 */
export function reportBody(format: ReportFormat | null, fields: [string, string | number][], errors: [string, string][], root: "delete" | "upload"): string {
  if (format === "application/json") {
    return pythonJson(Object.fromEntries([...fields, ["Errors", errors]]));
  }
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (format === "application/xml" || format === "text/xml") {
    const lines = sorted.map(([key, value]) => {
      const tag = key.replace(/ /g, "_").toLowerCase();
      return `<${tag}>${xmlText(String(value))}</${tag}>\n`;
    });
    const objects = errors.map(([name, status]) => `<object><name>${xmlText(name)}</name><status>${xmlText(status)}</status></object>\n`);
    return `<${root}>\n${lines.join("")}<errors>\n${objects.join("")}</errors>\n</${root}>\n`;
  }
  return `${sorted.map(([key, value]) => `${key}: ${value}\n`).join("")}Errors:\n${errors.map(([name, status]) => `${name}, ${status}\n`).join("")}`;
}

function xmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Runs `work` over `items`, at most `limit` at once, resolving in the items' order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index];
      if (item !== undefined) results[index] = await work(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
