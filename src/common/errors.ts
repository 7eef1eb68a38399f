/**
 * @module
 * Every client-facing error status lives here and nowhere else: the one table of error kinds,
 * each with its status, swob's reason phrase and swob's explanation, and SwiftError, which
 * carries a kind, an optional detail message and the content type Swift sends that detail with.
 * Each API dialect renders a SwiftError its own way (Swift's in proxy/swift/errors.ts).
 */

export const ERRORS = {
  // Redirects swob raises as exceptions (staticweb's directory redirect, a POST to a symlink).
  MovedPermanently: { status: 301, reason: "Moved Permanently", explanation: "The resource has moved permanently." },
  TemporaryRedirect: { status: 307, reason: "Temporary Redirect", explanation: "The resource has moved temporarily." },
  BadRequest: {
    status: 400,
    reason: "Bad Request",
    explanation: "The server could not comply with the request since it is either malformed or otherwise incorrect.",
  },
  Unauthorized: {
    status: 401,
    reason: "Unauthorized",
    explanation: "This server could not verify that you are authorized to access the document you requested.",
  },
  Forbidden: { status: 403, reason: "Forbidden", explanation: "Access was denied to this resource." },
  NotFound: { status: 404, reason: "Not Found", explanation: "The resource could not be found." },
  MethodNotAllowed: {
    status: 405,
    reason: "Method Not Allowed",
    explanation: "The method is not allowed for this resource.",
  },
  NotAcceptable: {
    status: 406,
    reason: "Not Acceptable",
    explanation: "The resource is not available in a format acceptable to your browser.",
  },
  RequestTimeout: {
    status: 408,
    reason: "Request Timeout",
    explanation: "The server has waited too long for the request to be sent by the client.",
  },
  Conflict: {
    status: 409,
    reason: "Conflict",
    explanation: "There was a conflict when trying to complete your request.",
  },
  Gone: { status: 410, reason: "Gone", explanation: "This resource is no longer available." },
  LengthRequired: { status: 411, reason: "Length Required", explanation: "Length Required." },
  PreconditionFailed: {
    status: 412,
    reason: "Precondition Failed",
    explanation: "A precondition for this request was not met.",
  },
  RequestEntityTooLarge: {
    status: 413,
    reason: "Request Entity Too Large",
    explanation: "The body of your request was too large for this server.",
  },
  RangeNotSatisfiable: {
    status: 416,
    reason: "Requested Range Not Satisfiable",
    explanation: "The Range requested is not available.",
  },
  UnprocessableEntity: {
    status: 422,
    reason: "Unprocessable Entity",
    explanation: "Unable to process the contained instructions",
  },
  ClientDisconnect: {
    status: 499,
    reason: "Client Disconnect",
    explanation: "The client was disconnected during request.",
  },
  InternalServerError: {
    status: 500,
    reason: "Internal Error",
    explanation: "The server has either erred or is incapable of performing the requested operation.",
  },
  NotImplemented: {
    status: 501,
    reason: "Not Implemented",
    explanation: "The requested method is not implemented by this server.",
  },
  ServiceUnavailable: {
    status: 503,
    reason: "Service Unavailable",
    explanation: "The server is currently unavailable. Please try again at a later time.",
  },
} as const satisfies Record<string, { status: number; reason: string; explanation: string }>;

export type ErrorKind = keyof typeof ERRORS;

/** swob's default content type (swob.Response), which an error body gets when its code names none. */
export const SWOB_DEFAULT_TYPE = "text/html; charset=UTF-8";

/** The type of a detail message whose Swift code says `content_type='text/plain'`. */
export const PLAIN_TYPE = "text/plain";

/** The content type a detail message is sent with. */
export type DetailType = typeof PLAIN_TYPE | typeof SWOB_DEFAULT_TYPE;

/** A client-facing failure; rendered once, by the dialect's error renderer. */
export class SwiftError extends Error {
  readonly kind: ErrorKind;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  /**
   * The content type of the detail: text/plain, as Swift's constraint checks send theirs, or
   * swob's default text/html where Swift's raising code names none (SwiftError.html).
   */
  readonly detailType: DetailType;

  constructor(
    kind: ErrorKind,
    detail?: string,
    headers: Record<string, string> = {},
    detailType: DetailType = PLAIN_TYPE,
  ) {
    super(detail ?? ERRORS[kind].reason);
    this.name = "SwiftError";
    this.kind = kind;
    this.detail = detail;
    this.headers = headers;
    this.detailType = detailType;
  }

  /**
   * An error whose detail Swift raises without naming a content type, so that swob sends it as
   * text/html (each such message checked against a Swift 2.30.1 proxy).
   */
  static html(kind: ErrorKind, detail: string, headers: Record<string, string> = {}): SwiftError {
    return new SwiftError(kind, detail, headers, SWOB_DEFAULT_TYPE);
  }

  /** The same error (kind, detail and its type) with `headers` as its response headers. */
  withHeaders(headers: Record<string, string>): SwiftError {
    return new SwiftError(this.kind, this.detail, headers, this.detailType);
  }

  get status(): number {
    return ERRORS[this.kind].status;
  }
}

/** The error kind for a status a replica or quorum produced, for statuses with a table entry. */
export function kindForStatus(status: number): ErrorKind {
  for (const [kind, entry] of Object.entries(ERRORS)) {
    if (entry.status === status) return kind as ErrorKind;
  }
  return "InternalServerError";
}
