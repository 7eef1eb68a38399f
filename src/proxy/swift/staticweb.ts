/**
 * @module
 * Static web sites from containers. For anonymous GET and HEAD (or any caller sending
 * `X-Web-Mode: true`) on a container whose read ACL let the request through, the container's
 * `X-Container-Meta-Web-Index` is served for directory paths, `-Web-Listings: true` renders an
 * HTML listing (styled by `-Web-Listings-CSS`, titled by `-Web-Listings-Label`), `-Web-Error`
 * names the `<status><suffix>` page served for errors, and `-Web-Directory-Type` marks directory
 * objects. A directory path without its trailing slash is redirected (301). It runs after
 * authorization, so a request that reaches it was allowed; its own reads are subrequests marked
 * SW, which pass this stage by. Swift: common/middleware/staticweb.py.
 */

import { SwiftError } from "../../common/errors";
import { htmlEscape } from "../../common/markup";
import { quote } from "../../common/python";
import { H, isTrue, metaPrefix } from "../../common/headers";
import { liveMetadata } from "../../durable/merge";
import { containerInfo } from "../services/container";
import type { Middleware, Next } from "./pipeline";
import type { SwiftRequest } from "./request";
import { discard, subrequestResponse } from "./subrequest";
import { errorResponse } from "./errors";

const SOURCE = "SW";
const DEFAULT_DIRECTORY_TYPE = "application/directory";

/** The container's web settings (Swift: _get_container_info). */
interface WebSettings {
  index: string;
  error: string;
  listings: string;
  listingsLabel: string;
  listingsCss: string;
  directoryType: string;
}

async function webSettings(req: SwiftRequest, container: string): Promise<WebSettings> {
  const info = await containerInfo(req.ctx, req.path.account, container);
  const metadata = info ? liveMetadata(info.metadata) : {};
  const get = (name: string) => (metadata[`${metaPrefix("container")}${name}`] ?? "").trim();
  return {
    index: get("web-index"),
    error: get("web-error"),
    listings: get("web-listings"),
    listingsLabel: get("web-listings-label"),
    listingsCss: get("web-listings-css"),
    directoryType: get("web-directory-type"),
  };
}

/** Swift: common/utils.py human_readable (1024-based, `Ki`, `Mi`, …). */
export function humanReadable(bytes: number): string {
  let value = bytes;
  let index = -1;
  const suffixes = "KMGTPEZY";
  while (value >= 1024 && index + 1 < suffixes.length) {
    index += 1;
    value = Math.round(value / 1024);
  }
  return index === -1 ? String(Math.floor(value)) : `${Math.round(value)}${suffixes[index]}i`;
}

/** The request's own answer, a thrown SwiftError rendered as its response. */
async function answer(run: () => Promise<Response>, method: string): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SwiftError) return errorResponse(error, method);
    throw error;
  }
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const isRedirection = (status: number) => status >= 300 && status < 400;

class WebContext {
  readonly #req: SwiftRequest;
  readonly #container: string;
  readonly #settings: WebSettings;
  /** The decoded request path (Swift's PATH_INFO). */
  readonly #path: string;

  constructor(req: SwiftRequest, container: string, settings: WebSettings) {
    this.#req = req;
    this.#container = container;
    this.#settings = settings;
    const { version, account, object } = req.path;
    const tail = object === null ? (req.url.pathname.endsWith("/") ? "/" : "") : `/${object}`;
    this.#path = `/${version}/${account}/${container}${tail}`;
  }

  get settings(): WebSettings {
    return this.#settings;
  }

  get path(): string {
    return this.#path;
  }

  #containerPath(): string {
    return `/${this.#req.path.version}/${this.#req.path.account}/${this.#container}`;
  }

  /** A GET or HEAD of another path in the container, as the caller. */
  read(path: string, query = "", withHeaders = true): Promise<Response> {
    return subrequestResponse(this.#req, {
      method: withHeaders ? this.#req.request.method : "GET",
      path,
      query,
      headers: withHeaders ? this.#req.request.headers : {},
      source: SOURCE,
      keepAuthorization: true,
    });
  }

  /** Swift: _redirect_with_slash. 301 to the path with a trailing slash. */
  redirectWithSlash(): never {
    const location = new URL(quote(`${this.#path}/`), this.#req.url.origin).toString();
    throw new SwiftError("MovedPermanently", undefined, { [H.LOCATION]: location });
  }

  /**
   * Swift: _error_response. With Web-Error set, the page `<status><suffix>` is served (with the
   * error's status) when it exists; otherwise the error as it was.
   */
  async errorResponse(response: Response, useErrorPage = true): Promise<Response> {
    if (!useErrorPage || !this.#settings.error) return response;
    const page = await this.read(`${this.#containerPath()}/${response.status}${this.#settings.error}`, "", false);
    if (!isSuccess(page.status)) {
      await discard(page);
      return response;
    }
    await discard(response);
    const body = this.#req.request.method === "HEAD" ? null : page.body;
    if (!body) await discard(page);
    return new Response(body, { status: response.status, headers: page.headers });
  }

  #html(body: string, vary: boolean): Response {
    const headers: Record<string, string> = {
      [H.CONTENT_TYPE]: "text/html; charset=UTF-8",
      [H.CONTENT_LENGTH]: String(new TextEncoder().encode(body).length),
    };
    if (vary) headers[H.VARY] = "Accept";
    return new Response(this.#req.request.method === "HEAD" ? null : body, { headers });
  }

  #cssPath(prefix: string): string {
    const css = this.#settings.listingsCss;
    if (css.startsWith("/") || css.startsWith("http://") || css.startsWith("https://"))
      return quote(css).replace(/%3A/g, ":");
    return "../".repeat(prefix.split("/").length - 1) + quote(css);
  }

  /** Swift: _listing. The HTML listing of the container (under `prefix`), or why there is none. */
  async listing(prefix: string | null): Promise<Response> {
    let label = this.#path;
    if (this.#settings.listingsLabel)
      label = `${this.#settings.listingsLabel}/${this.#path.split("/").slice(4).join("/")}`;
    if (!isTrue(this.#settings.listings)) {
      let body =
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n' +
        `<html>\n<head>\n<title>Listing of ${htmlEscape(label)}</title>\n`;
      body += this.#settings.listingsCss
        ? `  <link rel="stylesheet" type="text/css" href="${this.#cssPath(prefix ?? "")}" />\n`
        : '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n   p {font-size: 2}\n  </style>\n';
      body +=
        "</head>\n<body>  <h1>Web Listing Disabled</h1>   <p>The owner of this web site has disabled web listing." +
        "   <p>If you are the owner of this web site, you can enable   web listing " +
        "by setting X-Container-Meta-Web-Listings.</p>";
      if (this.#settings.index) {
        body +=
          "<h1>Index File Not Found</h1> <p>The owner of this web site has set  " +
          `<b>X-Container-Meta-Web-Index: ${this.#settings.index}</b>.  However, this file is not found.</p>`;
      }
      body += " </body>\n</html>\n";
      // swob's HTTPNotFound(body=…): the page as HTML.
      return this.errorResponse(errorResponse(SwiftError.html("NotFound", body), this.#req.request.method));
    }
    const query = new URLSearchParams({ delimiter: "/", format: "json" });
    if (prefix) query.set("prefix", prefix);
    const response = await this.read(this.#containerPath(), query.toString(), false);
    if (!isSuccess(response.status)) return this.errorResponse(response);
    const text = response.status === 204 ? "" : await response.text();
    if (response.status === 204) await discard(response);
    const entries = (text ? JSON.parse(text) : []) as {
      subdir?: string;
      name?: string;
      bytes?: number;
      content_type?: string;
      last_modified?: string;
    }[];
    if (prefix && !entries.length)
      return this.errorResponse(await errorResponseOf("NotFound", this.#req.request.method));
    let body =
      '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n' +
      `<html>\n <head>\n  <title>Listing of ${htmlEscape(label)}</title>\n`;
    body += this.#settings.listingsCss
      ? `  <link rel="stylesheet" type="text/css" href="${this.#cssPath(prefix ?? "")}" />\n`
      : '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n' +
        "   th {text-align: left; padding: 0px 1em 0px 1em;}\n" +
        "   td {padding: 0px 1em 0px 1em;}\n   a {text-decoration: none;}\n  </style>\n";
    body +=
      ` </head>\n <body>\n  <h1 id="title">Listing of ${htmlEscape(label)}</h1>\n` +
      '  <table id="listing">\n   <tr id="heading">\n' +
      '    <th class="colname">Name</th>\n    <th class="colsize">Size</th>\n' +
      '    <th class="coldate">Date</th>\n   </tr>\n';
    if (prefix) {
      body +=
        '   <tr id="parent" class="item">\n    <td class="colname"><a href="../">../</a></td>\n' +
        '    <td class="colsize">&nbsp;</td>\n    <td class="coldate">&nbsp;</td>\n   </tr>\n';
    }
    const strip = (name: string) => (prefix ? name.slice(prefix.length) : name);
    for (const entry of entries) {
      if (entry.subdir === undefined) continue;
      const subdir = strip(entry.subdir);
      body +=
        `   <tr class="item subdir">\n` +
        `    <td class="colname"><a href="${quote(subdir)}">${htmlEscape(subdir)}</a></td>\n` +
        `    <td class="colsize">&nbsp;</td>\n    <td class="coldate">&nbsp;</td>\n   </tr>\n`;
    }
    for (const entry of entries) {
      if (entry.name === undefined) continue;
      const name = strip(entry.name);
      const types = (entry.content_type ?? "")
        .split("/")
        .map((type) => `type-${htmlEscape(type.toLowerCase())}`)
        .join(" ");
      const date =
        htmlEscape(entry.last_modified ?? "")
          .split(".")[0]
          ?.replace("T", " ") ?? "";
      body +=
        `   <tr class="item ${types}">\n` +
        `    <td class="colname"><a href="${quote(name)}">${htmlEscape(name)}</a></td>\n` +
        `    <td class="colsize">${humanReadable(entry.bytes ?? 0)}</td>\n` +
        `    <td class="coldate">${date}</td>\n   </tr>\n`;
    }
    body += "  </table>\n </body>\n</html>\n";
    return this.#html(body, this.#req.path.object === null);
  }
}

function errorResponseOf(kind: "NotFound", method: string): Response {
  return errorResponse(new SwiftError(kind), method);
}

/** Swift: handle_container. */
async function handleContainer(req: SwiftRequest, next: Next, web: WebContext): Promise<Response> {
  const { index, listings } = web.settings;
  if (!listings && !index) {
    if (isTrue(req.request.headers.get(H.X_WEB_MODE))) throw new SwiftError("NotFound");
    return next(req);
  }
  if (!web.path.endsWith("/")) web.redirectWithSlash();
  if (!index) return web.listing(null);
  const response = await web.read(`${web.path}${index}`);
  if (response.status === 404) {
    await discard(response);
    return web.listing(null);
  }
  if (!isSuccess(response.status) && !isRedirection(response.status)) return web.errorResponse(response);
  return response;
}

/** Swift: handle_object. */
async function handleObject(req: SwiftRequest, next: Next, web: WebContext, object: string): Promise<Response> {
  let response = await answer(() => next(req), req.request.method);
  let status = response.status;
  const { index, listings } = web.settings;
  if (isSuccess(status) || isRedirection(status)) {
    const directoryType = web.settings.directoryType || DEFAULT_DIRECTORY_TYPE;
    const length = Number(response.headers.get(H.CONTENT_LENGTH) ?? "0");
    if (response.headers.get(H.CONTENT_TYPE) !== directoryType || length > 1) return response;
    status = 404;
  }
  if (status !== 404) return web.errorResponse(response, false);
  if (!listings && !index) return response;
  await discard(response);
  if (index) {
    const indexPath = `${web.path.endsWith("/") ? web.path : `${web.path}/`}${index}`;
    response = await web.read(indexPath);
    if (isSuccess(response.status) || isRedirection(response.status)) {
      if (!web.path.endsWith("/")) {
        await discard(response);
        web.redirectWithSlash();
      }
      return response;
    }
    status = response.status;
    await discard(response);
  }
  if (status !== 404) return web.errorResponse(await errorResponseOf("NotFound", req.request.method));
  if (!web.path.endsWith("/")) {
    // A directory without its slash: redirect when anything is under it.
    const containerPath = web.path.slice(0, web.path.length - object.length - 1);
    const query = new URLSearchParams({ limit: "1", delimiter: "/", prefix: `${object}/`, format: "json" });
    const probe = await web.read(containerPath, query.toString(), false);
    const text = isSuccess(probe.status) && probe.status !== 204 ? await probe.text() : "";
    if (!text) await discard(probe);
    const entries = text ? (JSON.parse(text) as unknown[]) : [];
    if (!entries.length) return web.errorResponse(await errorResponseOf("NotFound", req.request.method));
    web.redirectWithSlash();
  }
  return web.listing(object);
}

/** The staticweb stage: anonymous (or X-Web-Mode) GET and HEAD of containers and objects. */
export const staticweb: Middleware = async (req, next) => {
  const { container, object } = req.path;
  const method = req.request.method;
  if (container === null || (method !== "GET" && method !== "HEAD") || req.environ.source === SOURCE) return next(req);
  // Swift: only anonymous requests (no REMOTE_USER), unless X-Web-Mode asks for it.
  if (req.identity && !isTrue(req.request.headers.get(H.X_WEB_MODE))) return next(req);
  const web = new WebContext(req, container, await webSettings(req, container));
  return object === null ? handleContainer(req, next, web) : handleObject(req, next, web, object);
};
