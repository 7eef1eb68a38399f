/**
 * @module
 * Subrequests as a middleware sees them in Swift (make_subrequest + get_response): always a
 * response, with a SwiftError thrown on the way rendered as the client would get it, so bulk,
 * versioning and staticweb can count and report statuses. Also Swift's status lines
 * ("404 Not Found"), which bulk writes into its response bodies. The large-object, symlink and
 * versioning stages' subrequests keep the caller's authorization and Referer (subrequest).
 */

import { ERRORS, kindForStatus } from "../../common/errors";
import { H } from "../../common/headers";
import { errorResponse } from "./errors";
import type { SubrequestInit, SwiftRequest } from "./request";

/** Runs `init` through the whole pipeline as the caller; errors become their responses. */
export async function subrequestResponse(req: SwiftRequest, init: SubrequestInit): Promise<Response> {
  try {
    return await req.subrequest(init);
  } catch (error) {
    return errorResponse(error, init.method);
  }
}

/** Reason phrases of the statuses that are not errors (and 502, which bulk reports); swob's words. */
const OTHER_REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  502: "Bad Gateway",
};

/** Swift's status line of a status: `404 Not Found`, `201 Created`. */
export function statusLine(status: number): string {
  const other = OTHER_REASONS[status];
  if (other) return `${status} ${other}`;
  const kind = kindForStatus(status);
  return `${status} ${ERRORS[kind].status === status ? ERRORS[kind].reason : "Unknown"}`;
}

/** Consumes a response's body (every response is read or cancelled). */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/**
 * Runs a subrequest through the pipeline keeping the caller's authorization; an error comes back
 * as its response, and so does the 409 Conflict of a subrequest nested past SUBREQUEST_DEPTH_MAX
 * (router.ts): Swift answers a manifest it cannot walk with 409. The client's Referer goes on
 * with it, so a referrer ACL that lets the client read a manifest lets it read the segments and
 * list a DLO's container too (Swift: wsgi.py make_env keeps HTTP_REFERER in every subrequest).
 */
export function subrequest(req: SwiftRequest, init: SubrequestInit): Promise<Response> {
  const referer = req.request.headers.get(H.REFERER);
  if (referer === null) return subrequestResponse(req, { keepAuthorization: true, ...init });
  const headers = new Headers(init.headers);
  if (!headers.has(H.REFERER)) headers.set(H.REFERER, referer);
  return subrequestResponse(req, { keepAuthorization: true, ...init, headers });
}

/** A response body as UTF-8 text, whatever its content type says (a manifest is stored with the large object's). */
export async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}
