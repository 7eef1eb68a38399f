/**
 * @module
 * Conditional GET/HEAD of an assembled large object, judged against its own ETag.
 * Swift: common/swob.py Response conditional_response, as slo.py and dlo.py use it.
 */

import { conditionalStatus } from "../../../common/conditional";
import { SwiftError } from "../../../common/errors";
import { H } from "../../../common/headers";

/**
 * The answer to a conditional GET/HEAD of a large object, judged against its own ETag and the
 * manifest's Last-Modified, as swob's conditional_response does: 304 keeping the headers, 412
 * with an empty body, or null to serve it.
 */
export function largeObjectConditional(request: Request, headers: Headers, etag: string): Response | null {
  const lastModified = Date.parse(headers.get(H.LAST_MODIFIED) ?? "");
  const status = conditionalStatus(
    request.headers,
    etag,
    Number.isNaN(lastModified) ? 0 : Math.floor(lastModified / 1000),
  );
  if (status === null) return null;
  const kept = new Headers(headers);
  kept.set(H.CONTENT_LENGTH, "0");
  if (status === 304) return new Response(null, { status: 304, headers: kept });
  kept.delete(H.ACCEPT_RANGES);
  kept.delete(H.CONTENT_TYPE);
  throw SwiftError.html("PreconditionFailed", "", Object.fromEntries(kept));
}
