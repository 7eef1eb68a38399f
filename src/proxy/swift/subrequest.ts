/**
 * @module
 * Subrequests as a middleware sees them in Swift (make_subrequest + get_response): always a
 * response, with a SwiftError thrown on the way rendered as the client would get it, so bulk,
 * versioning and staticweb can count and report statuses. Also Swift's status lines
 * ("404 Not Found"), which bulk writes into its response bodies.
 */

import { ERRORS, SwiftError, errorBody, kindForStatus } from "../../common/errors";
import { H } from "../../common/headers";
import type { SubrequestInit, SwiftRequest } from "./request";

/** The response an error renders to (as app.onError does). */
export function errorResponse(error: unknown, method: string): Response {
  const swiftError = error instanceof SwiftError ? error : null;
  if (!swiftError) console.error("subrequest failed:", error);
  const kind = swiftError?.kind ?? "InternalServerError";
  const { body, contentType } = errorBody(kind, swiftError?.detail);
  const head = method === "HEAD";
  return new Response(head ? null : body, {
    status: ERRORS[kind].status,
    headers: {
      [H.CONTENT_TYPE]: contentType,
      [H.CONTENT_LENGTH]: String(head ? 0 : new TextEncoder().encode(body).length),
      ...swiftError?.headers,
    },
  });
}

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
