/**
 * @module
 * The S3 dialect's errors: AWS's codes with their statuses and messages (one table), S3Error,
 * which carries a code and the extra fields AWS puts beside it, and the one renderer of the XML
 * error body. A SwiftError thrown by the shared pipeline maps to a code here (kindCode), with the
 * resource it was about deciding NoSuchBucket from NoSuchKey, as Swift's s3api does.
 * AWS: "Error responses" (ErrorResponses.html); Swift: common/middleware/s3api/s3response.py.
 */

import { ERRORS, type ErrorKind, SwiftError } from "../../common/errors";
import { H } from "../../common/headers";

/** The header every S3 response names its request in. */
export const X_AMZ_REQUEST_ID = "x-amz-request-id";

/** Every S3 error code edgeswift answers, with AWS's status and message. */
export const S3_ERRORS = {
  AccessDenied: { status: 403, message: "Access Denied" },
  AccessForbidden: { status: 403, message: "CORSResponse: This CORS request is not allowed." },
  AuthorizationHeaderMalformed: { status: 400, message: "The authorization header is malformed." },
  AuthorizationQueryParametersError: {
    status: 400,
    message: "Error parsing the X-Amz-Credential parameter; the query parameters are malformed.",
  },
  BadDigest: { status: 400, message: "The Content-MD5 you specified did not match what we received." },
  BadRequest: { status: 400, message: "Bad Request" },
  BucketAlreadyExists: {
    status: 409,
    message:
      "The requested bucket name is not available. The bucket namespace is shared by all users of the system. " +
      "Please select a different name and try again.",
  },
  BucketAlreadyOwnedByYou: {
    status: 409,
    message: "Your previous request to create the named bucket succeeded and you already own it.",
  },
  BucketNotEmpty: { status: 409, message: "The bucket you tried to delete is not empty" },
  EntityTooLarge: { status: 400, message: "Your proposed upload exceeds the maximum allowed size" },
  EntityTooSmall: { status: 400, message: "Your proposed upload is smaller than the minimum allowed object size." },
  IllegalVersioningConfigurationException: {
    status: 400,
    message: "The versioning configuration specified in the request is invalid.",
  },
  IncompleteBody: {
    status: 400,
    message: "You did not provide the number of bytes specified by the Content-Length HTTP header.",
  },
  InternalError: { status: 500, message: "We encountered an internal error. Please try again." },
  InvalidAccessKeyId: {
    status: 403,
    message: "The AWS Access Key Id you provided does not exist in our records.",
  },
  InvalidArgument: { status: 400, message: "Invalid Argument" },
  InvalidBucketName: { status: 400, message: "The specified bucket is not valid." },
  InvalidChunkSizeError: { status: 403, message: "Only the last chunk is allowed to have a size less than 8192 bytes" },
  InvalidDigest: { status: 400, message: "The Content-MD5 you specified is not valid." },
  InvalidLocationConstraint: { status: 400, message: "The specified location constraint is not valid." },
  InvalidPart: {
    status: 400,
    message:
      "One or more of the specified parts could not be found. The part may not have been uploaded, " +
      "or the specified entity tag may not match the part's entity tag.",
  },
  InvalidPartOrder: {
    status: 400,
    message: "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
  },
  InvalidPartNumber: { status: 416, message: "The requested partnumber is not satisfiable" },
  InvalidPolicyDocument: {
    status: 400,
    message: "The content of the form does not meet the conditions specified in the policy document.",
  },
  IncorrectNumberOfFilesInPostRequest: {
    status: 400,
    message: "POST requires exactly one file upload per request.",
  },
  InvalidRange: { status: 416, message: "The requested range is not satisfiable" },
  InvalidRequest: { status: 400, message: "Invalid Request" },
  InvalidStorageClass: { status: 400, message: "The storage class you specified is not valid" },
  InvalidTag: {
    status: 400,
    message: "The tag provided was not a valid tag. This error can occur if the tag did not pass input validation.",
  },
  InvalidURI: { status: 400, message: "Couldn't parse the specified URI." },
  KeyTooLongError: { status: 400, message: "Your key is too long" },
  MalformedACLError: {
    status: 400,
    message: "The XML you provided was not well-formed or did not validate against our published schema.",
  },
  MalformedPOSTRequest: {
    status: 400,
    message: "The body of your POST request is not well-formed multipart/form-data.",
  },
  MalformedXML: {
    status: 400,
    message: "The XML you provided was not well-formed or did not validate against our published schema",
  },
  MalformedTrailerError: {
    status: 400,
    message: "The request contained trailing data that was not well-formed or did not conform to our published schema.",
  },
  MaxMessageLengthExceeded: { status: 400, message: "Your request was too big." },
  MetadataTooLarge: { status: 400, message: "Your metadata headers exceed the maximum allowed metadata size." },
  MethodNotAllowed: { status: 405, message: "The specified method is not allowed against this resource." },
  MissingContentLength: { status: 411, message: "You must provide the Content-Length HTTP header." },
  MissingSecurityHeader: { status: 400, message: "Your request was missing a required header" },
  NoSuchBucket: { status: 404, message: "The specified bucket does not exist" },
  NoSuchCORSConfiguration: { status: 404, message: "The CORS configuration does not exist" },
  NoSuchKey: { status: 404, message: "The specified key does not exist." },
  NoSuchLifecycleConfiguration: { status: 404, message: "The lifecycle configuration does not exist" },
  NoSuchTagSet: { status: 404, message: "The TagSet does not exist" },
  NoSuchUpload: {
    status: 404,
    message:
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted " +
      "or completed.",
  },
  NoSuchVersion: {
    status: 404,
    message: "The specified version does not exist.",
  },
  NotImplemented: { status: 501, message: "A header you provided implies functionality that is not implemented." },
  OperationAborted: {
    status: 409,
    message: "A conflicting conditional operation is currently in progress against this resource. Please try again.",
  },
  PreconditionFailed: { status: 412, message: "At least one of the pre-conditions you specified did not hold" },
  RequestTimeout: {
    status: 400,
    message: "Your socket connection to the server was not read from or written to within the timeout period.",
  },
  RequestTimeTooSkewed: {
    status: 403,
    message: "The difference between the request time and the current time is too large.",
  },
  ServiceUnavailable: { status: 503, message: "Please reduce your request rate." },
  SignatureDoesNotMatch: {
    status: 403,
    message:
      "The request signature we calculated does not match the signature you provided. Check your key and " +
      "signing method.",
  },
  SlowDown: { status: 503, message: "Please reduce your request rate." },
  TooManyBuckets: { status: 400, message: "You have attempted to create more buckets than allowed." },
  UnexpectedContent: { status: 400, message: "This request does not support content" },
  XAmzContentSHA256Mismatch: {
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type S3Code = keyof typeof S3_ERRORS;

/** A client-facing S3 failure: AWS's code, a message (AWS's by default) and the extra fields of the body. */
export class S3Error extends Error {
  readonly code: S3Code;
  /** Elements AWS adds after Message (BucketName, Key, ArgumentName, …), in order. */
  readonly fields: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: S3Code,
    message?: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) {
    super(message ?? S3_ERRORS[code].message);
    this.name = "S3Error";
    this.code = code;
    this.fields = fields;
    this.headers = headers;
  }

  get status(): number {
    return S3_ERRORS[this.code].status;
  }
}

/** What a failed Swift request was about, which decides its S3 code (a 404 on a bucket is NoSuchBucket). */
export type ResourceKind = "service" | "bucket" | "object" | "upload" | "version";

const NOT_FOUND: Record<ResourceKind, S3Code> = {
  service: "NoSuchBucket",
  bucket: "NoSuchBucket",
  object: "NoSuchKey",
  upload: "NoSuchUpload",
  version: "NoSuchVersion",
};

/** The S3 code of a SwiftError kind. Swift: s3api's controllers, which map each status they meet. */
export function kindCode(kind: ErrorKind, about: ResourceKind): S3Code {
  switch (kind) {
    case "NotFound":
      return NOT_FOUND[about];
    case "Unauthorized":
    case "Forbidden":
      return "AccessDenied";
    case "PreconditionFailed":
      return "PreconditionFailed";
    case "RangeNotSatisfiable":
      return "InvalidRange";
    case "RequestEntityTooLarge":
      return "EntityTooLarge";
    case "UnprocessableEntity":
      return "BadDigest";
    case "LengthRequired":
      return "MissingContentLength";
    case "MethodNotAllowed":
      return "MethodNotAllowed";
    case "Conflict":
      return about === "bucket" ? "BucketNotEmpty" : "OperationAborted";
    case "RequestTimeout":
    case "ClientDisconnect":
      return "RequestTimeout";
    case "NotImplemented":
      return "NotImplemented";
    case "ServiceUnavailable":
      return "ServiceUnavailable";
    case "BadRequest":
    case "NotAcceptable":
    case "Gone":
      return "InvalidRequest";
    default:
      return "InternalError";
  }
}

/** An S3Error for a Swift status a subrequest answered (a status without an error kind is InternalError). */
export function statusError(status: number, about: ResourceKind, detail?: string): S3Error {
  const entry = Object.entries(ERRORS).find(([, value]) => value.status === status);
  const code = entry ? kindCode(entry[0] as ErrorKind, about) : "InternalError";
  // A Swift 400's detail is the only message that says what was wrong; AWS's generic words say less.
  return new S3Error(code, code === "InvalidRequest" || code === "InvalidArgument" ? detail : undefined);
}

/** An S3Error for whatever was thrown: S3Error as it is, SwiftError by kind, anything else a logged 500. */
export function asS3Error(error: unknown, about: ResourceKind, context = "S3 request"): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof SwiftError) {
    const code = kindCode(error.kind, about);
    return new S3Error(code, code === "InvalidRequest" ? error.detail : undefined);
  }
  console.error(`${context} failed:`, error);
  return new S3Error("InternalError");
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * AWS's error response: `<Error>` with Code, Message, the code's extra fields, Resource and
 * RequestId; no body for HEAD (AWS answers a HEAD's error with the status alone).
 */
export function s3ErrorResponse(error: S3Error, method: string, resource: string, requestId: string): Response {
  const fields = Object.entries(error.fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${fields}<Resource>${escapeXml(resource)}</Resource>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></Error>`;
  const head = method === "HEAD";
  return new Response(head ? null : body, {
    status: error.status,
    headers: {
      [H.CONTENT_TYPE]: "application/xml",
      [H.CONTENT_LENGTH]: String(head ? 0 : new TextEncoder().encode(body).length),
      [X_AMZ_REQUEST_ID]: requestId,
      ...error.headers,
    },
  });
}
