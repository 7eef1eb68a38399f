/**
 * @module
 * The Swift dialect's one error renderer, after swob: a SwiftError's detail message with the
 * content type its throw site gave, or without a detail the swob HTML page for the status, with
 * swob's reason phrase. The app's error handler and every subrequest render errors here.
 * Swift: common/swob.py HTTPException, Response.
 */

import { ERRORS, SWOB_DEFAULT_TYPE, SwiftError } from "../../common/errors";
import { H } from "../../common/headers";

/** The body and content type Swift sends for an error. Swift: swob.HTTPException. */
export function errorBody(error: SwiftError): { body: string; contentType: string } {
  if (error.detail !== undefined) return { body: error.detail, contentType: error.detailType };
  const { reason, explanation } = ERRORS[error.kind];
  return { body: `<html><h1>${reason}</h1><p>${explanation}</p></html>`, contentType: SWOB_DEFAULT_TYPE };
}

/**
 * The response an error renders to; anything but a SwiftError is a logged 500. `context` names
 * the request in the log.
 */
export function errorResponse(error: unknown, method: string, context = "subrequest"): Response {
  const swiftError = error instanceof SwiftError ? error : new SwiftError("InternalServerError");
  if (!(error instanceof SwiftError)) console.error(`${context} failed:`, error);
  const { body, contentType } = errorBody(swiftError);
  const head = method === "HEAD";
  const headers = new Headers({
    [H.CONTENT_TYPE]: contentType,
    [H.CONTENT_LENGTH]: String(head ? 0 : new TextEncoder().encode(body).length),
    ...swiftError.headers,
  });
  // The body is this error's text, not the object's stored bytes: an object's Content-Encoding
  // (a 416 keeps the object's headers) would have every decoding client fail on it.
  headers.delete(H.CONTENT_ENCODING);
  // swob's reason phrase (413 "Request Entity Too Large", 500 "Internal Error"), not the runtime's.
  const { status, reason } = ERRORS[swiftError.kind];
  return new Response(head ? null : body, { status, statusText: reason, headers });
}
