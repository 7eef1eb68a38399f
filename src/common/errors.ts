/**
 * @module
 * Every client-facing error status lives here and nowhere else. Bodies follow Swift's swob:
 * without a detail message, the swob HTML page for the status; a detail message as text/plain,
 * as Swift's constraint checks send theirs, or as text/html where Swift's raising code names no
 * content type and swob's default applies (SWOB_DEFAULT_TYPE_DETAILS).
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

/** A client-facing failure; rendered once by the app's error handler. */
export class SwiftError extends Error {
  readonly kind: ErrorKind;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, detail?: string, headers: Record<string, string> = {}) {
    super(detail ?? ERRORS[kind].reason);
    this.name = "SwiftError";
    this.kind = kind;
    this.detail = detail;
    this.headers = headers;
  }

  get status(): number {
    return ERRORS[this.kind].status;
  }
}

/** swob's default content type (swob.Response), which an error body gets when its code names none. */
export const SWOB_DEFAULT_TYPE = "text/html; charset=UTF-8";

/** The type of a detail message whose Swift code says `content_type='text/plain'`. */
const PLAIN_TYPE = "text/plain";

/**
 * Detail messages Swift raises without a content type, so swob sends them as text/html (each
 * checked against a Swift 2.30.1 proxy): proxy/server.py handle_request ("Invalid UTF8 or
 * contains NULL", "Bad URL", a negative "Invalid Content-Length"); account.py and container.py
 * name lengths; request_helpers constrain_req_limit, get_param; listing_formats (Accept);
 * copy.py and check_path_header (Destination, X-Copy-From); constraints.check_name_format;
 * container_quotas, account_quotas; container.py's deprecated storage policy; obj/server.py DELETE (X-If-Delete-At); symlink.py's POST
 * redirect; obj.py check_content_type; slo.py; bulk.py. Every other detail is text/plain.
 */
const SWOB_DEFAULT_TYPE_DETAILS: readonly RegExp[] = [
  /^Invalid UTF8 or contains NULL$/,
  /^Bad URL$/,
  /^Invalid Content-Length$/,
  /^(Account|Container) name length of \d+ longer than \d+$/,
  /^Maximum limit is \d+$/,
  /^"[^"]*" parameter not valid UTF-8$/,
  /^Invalid Accept header$/,
  /^Destination header required$/,
  /^(X-Copy-From|Destination) header must be of the form /,
  /^(Account|Container) name cannot (be empty|contain slashes)$/,
  /^Upload exceeds quota\.$/,
  /^Invalid (bytes|count) quota\.$/,
  /^Bad X-If-Delete-At header value$/,
  /^X-If-Delete-At and X-Delete-At do not match$/,
  /^The requested POST was applied to a symlink\./,
  /^Invalid Content-Type, swift_\* is not a valid parameter name\.$/,
  /^X-Static-Large-Object is a reserved header/,
  /^Unable to load SLO manifest/,
  /^Too many buffered slo segments to delete\.$/,
  /^(Invalid File Name|Unsupported archive format|Max delete failures exceeded)$/,
  /^Maximum Bulk Deletes: \d+ per request$/,
  // object_versioning.py
  /^Cannot enable object versioning on a container /,
  /^Error (enabling object versioning|deleting versioned container)$/,
  /^Delete all versions before deleting container\.$/,
  /^POST to a specific version is not allowed$/,
  /^version-aware operations require that the container is versioned$/,
  /^(Invalid version parameter|invalid version_marker param|version_marker param requires marker|invalid delimiter param)$/,
  /^Storage Policy '[^']*' is deprecated$/,
];

/** The content type Swift sends a detail message with (see SWOB_DEFAULT_TYPE_DETAILS). */
export function detailContentType(detail: string): string {
  return SWOB_DEFAULT_TYPE_DETAILS.some((pattern) => pattern.test(detail)) ? SWOB_DEFAULT_TYPE : PLAIN_TYPE;
}

/**
 * The body and content type Swift sends for an error: the detail message with the type Swift's
 * code gives it, else swob's HTML page for the status. Swift: swob.HTTPException, Response.
 */
export function errorBody(kind: ErrorKind, detail?: string): { body: string; contentType: string } {
  if (detail !== undefined) return { body: detail, contentType: detailContentType(detail) };
  const { reason, explanation } = ERRORS[kind];
  return { body: `<html><h1>${reason}</h1><p>${explanation}</p></html>`, contentType: SWOB_DEFAULT_TYPE };
}

/** The error kind for a status a replica or quorum produced, for statuses with a table entry. */
export function kindForStatus(status: number): ErrorKind {
  for (const [kind, entry] of Object.entries(ERRORS)) {
    if (entry.status === status) return kind as ErrorKind;
  }
  return "InternalServerError";
}
