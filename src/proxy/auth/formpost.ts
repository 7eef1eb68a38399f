/**
 * @module
 * FormPOST: a browser's `POST /v1/{account}/{container}[/{prefix}]` of multipart/form-data is
 * turned into one object PUT per file, signed with the container's or account's Temp-URL keys
 * (HMAC of `path\nredirect\nmax_file_size\nmax_file_count\nexpires`). The body is parsed as it
 * streams: each file goes straight into its PUT, capped at max_file_size, so memory stays flat
 * whatever the upload's size. Answers 303 to `redirect?status=…&message=…`, or the status line
 * as text; Swift's 400 and 401 messages otherwise.
 * Swift: common/middleware/formpost.py, common/utils iter_multipart_mime_documents,
 * parse_content_disposition, parse_mime_headers.
 */

import { SwiftError } from "../../common/errors";
import { H } from "../../common/headers";
import { decodePath, parseSwiftPath } from "../../common/path";
import { pythonInt, quote } from "../../common/python";
import { MultipartReader, parseContentDisposition } from "./multipart";
import { grantSignedScope } from "./signed-scope";
import type { Middleware } from "../swift/pipeline";
import { constantTimeEqual } from "../../common/compare";
import type { SwiftRequest } from "../swift/request";
import { discard, statusLine, subrequestResponse } from "../swift/subrequest";
import { ALLOWED_DIGESTS, DEPRECATED_DIGESTS, extractDigest, hmacHex, isAllowedDigest, tempUrlKeys } from "./tempurl";

/** The formpost section of /info (Swift: formpost.py filter_factory). */
export const FORMPOST_INFO = { allowed_digests: ALLOWED_DIGESTS, deprecated_digests: DEPRECATED_DIGESTS };

/** Swift: formpost.py MAX_VALUE_LENGTH: a field's value is its first 4096 bytes. */
const MAX_VALUE_LENGTH = 4096;
/** Headers of the file's PUT passed on to FormPOST's answer (Swift copies every access-control-*). */
const ACCESS_CONTROL_PREFIX = "access-control";
/** 303, the status of FormPOST's redirect (swob: HTTPSeeOther). */
const SEE_OTHER = 303;

const encoder = new TextEncoder();

/** Python's str.title(): the first letter of every run of letters upper-case, the rest lower. */
function pythonTitle(text: string): string {
  return text.replace(/[A-Za-z]+/g, (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase());
}

/** 400 with FormPOST's plain-text message. */
function formInvalid(message: string): SwiftError {
  return new SwiftError("BadRequest", `FormPost: ${message}`);
}

/** 401 with FormPOST's message, title-cased as Swift sends it. */
function formUnauthorized(message: string): SwiftError {
  return SwiftError.html("Unauthorized", `FormPost: ${pythonTitle(message)}`, {
    [H.WWW_AUTHENTICATE]: 'Swift realm="unknown"',
  });
}

/** A form field passed on as a header; 400 when it holds CR, LF or NUL, which no header can carry. */
function headerValue(field: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw formInvalid(`invalid ${field}`);
  return value;
}

/** What one file's PUT answered. */
interface FileResult {
  status: number;
  headers: Headers;
}

/**
 * Swift: formpost.py _perform_subrequest. Checks the form's limits, expiry and signature, then
 * PUTs the file under `path[/]filename` with the caller's FormPOST authorization.
 */
async function putFile(
  req: SwiftRequest,
  attributes: ReadonlyMap<string, string>,
  reader: MultipartReader,
  keys: readonly string[],
): Promise<FileResult> {
  if (!keys.length) throw formUnauthorized("invalid signature");
  const maxFileSize = pythonInt(attributes.get("max_file_size") || "0");
  if (maxFileSize === null) throw formInvalid("max_file_size not an integer");
  const headers = new Headers();
  for (const name of [H.ORIGIN, H.REFERER, H.ACCESS_CONTROL_REQUEST_METHOD]) {
    const value = req.request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const deleteAt = attributes.get("x_delete_at");
  if (deleteAt !== undefined) {
    const value = pythonInt(deleteAt);
    if (value === null) throw formInvalid("x_delete_at not an integer: Unix timestamp required.");
    // The text as sent, which the object PUT reads as Python's int() does and caps at 9999999999:
    // String(value) of 1e21 or more is exponent form, which it would refuse (Swift passes an int).
    headers.set(H.X_DELETE_AT, deleteAt.trim());
  }
  const deleteAfter = attributes.get("x_delete_after");
  if (deleteAfter !== undefined) {
    const value = pythonInt(deleteAfter);
    if (value === null) throw formInvalid("x_delete_after not an integer: Number of seconds required.");
    headers.set(H.X_DELETE_AFTER, deleteAfter.trim());
  }
  const contentType = attributes.get(H.CONTENT_TYPE);
  if (contentType !== undefined)
    headers.set(H.CONTENT_TYPE, headerValue(H.CONTENT_TYPE, contentType || "application/octet-stream"));
  const contentEncoding = attributes.get(H.CONTENT_ENCODING);
  if (contentEncoding !== undefined) headers.set(H.CONTENT_ENCODING, headerValue(H.CONTENT_ENCODING, contentEncoding));
  const expires = pythonInt(attributes.get("expires") || "0");
  if (expires === null) throw formInvalid("expired not an integer");
  if (expires * 1000 < Date.now()) throw formUnauthorized("form expired");
  const path = decodePath(req.url.pathname);
  const message = [
    path,
    attributes.get("redirect") || "",
    attributes.get("max_file_size") || "0",
    attributes.get("max_file_count") || "0",
    attributes.get("expires") || "0",
  ].join("\n");
  const signature = extractDigest(attributes.get("signature") ?? "");
  if (!signature || !isAllowedDigest(signature.digest)) throw formUnauthorized("invalid signature");
  let valid = false;
  for (const key of keys) {
    const expected = await hmacHex(signature.digest, key, message);
    if (expected !== null && constantTimeEqual(expected, signature.hex)) valid = true;
  }
  if (!valid) throw formUnauthorized("invalid signature");
  headerValue("redirect", attributes.get("redirect") ?? "");
  const slash = !path.endsWith("/") && path.split("/").length - 1 < 4 ? "/" : "";
  let tooLarge = false;
  // The file is stored at the signed path plus its filename taken literally (`..` included);
  // the scope keeps every write of this authority under that path.
  const signed = parseSwiftPath(path);
  grantSignedScope(req.environ, "formpost", {
    account: signed.account,
    container: signed.container,
    objectPrefix: `${signed.object ?? ""}`,
  });
  const response = await subrequestResponse(req, {
    method: "PUT",
    path: `${path}${slash}${attributes.get("filename") || "filename"}`,
    headers,
    body: reader.fileStream(maxFileSize, () => {
      tooLarge = true;
    }),
    source: "formpost",
    keepAuthorization: true,
  });
  await discard(response);
  if (tooLarge) throw formInvalid("max_file_size exceeded");
  if (response.status >= 200 && response.status < 300) await reader.drain();
  return { status: response.status, headers: response.headers };
}

/** Swift: formpost.py _translate_form. Every part in order: attributes first, then files. */
async function translateForm(req: SwiftRequest, boundary: string): Promise<Response> {
  const { account, container } = req.path;
  const keys = container === null ? [] : (await tempUrlKeys(req.ctx, account, container)).map(({ key }) => key);
  const reader = new MultipartReader(req.request.body ?? new Blob([]).stream(), boundary);
  let status: number | null = null;
  let message = "";
  let fileHeaders: Headers | null = null;
  const attributes = new Map<string, string>();
  let fileCount = 0;
  try {
    if (!(await reader.start())) throw formInvalid("invalid starting boundary");
    do {
      const partHeaders = await reader.headers();
      const [disposition, dispositionAttributes] = parseContentDisposition(
        partHeaders.get(H.CONTENT_DISPOSITION) ?? "",
      );
      const filename = dispositionAttributes.get("filename");
      if (disposition === "form-data" && filename) {
        fileCount += 1;
        const maxFileCount = pythonInt(attributes.get("max_file_count") || "0");
        if (maxFileCount === null) throw formInvalid("max_file_count not an integer");
        if (fileCount > maxFileCount) {
          status = 400;
          message = "max file count exceeded";
          break;
        }
        const fileAttributes = new Map(attributes);
        fileAttributes.set("filename", filename);
        const partType = partHeaders.get(H.CONTENT_TYPE);
        if (!attributes.has(H.CONTENT_TYPE) && partType !== undefined)
          fileAttributes.set(H.CONTENT_TYPE, partType || "application/octet-stream");
        const partEncoding = partHeaders.get(H.CONTENT_ENCODING);
        if (!attributes.has(H.CONTENT_ENCODING) && partEncoding !== undefined)
          fileAttributes.set(H.CONTENT_ENCODING, partEncoding);
        const result = await putFile(req, fileAttributes, reader, keys);
        status = result.status;
        fileHeaders = result.headers;
        if (status < 200 || status >= 300) break;
      } else {
        // The rest of a long value is skipped with the part.
        const value = await reader.readUpTo(MAX_VALUE_LENGTH);
        const name = dispositionAttributes.get("name");
        if (name !== undefined)
          attributes.set(name.toLowerCase(), new TextDecoder().decode(value).replace(/[\r\n-]+$/, ""));
      }
    } while (await reader.next());
  } finally {
    await reader.close();
  }
  if (status === null) {
    status = 400;
    message = "no files to process";
  }
  const headers = new Headers();
  for (const [name, value] of fileHeaders ?? []) if (name.startsWith(ACCESS_CONTROL_PREFIX)) headers.set(name, value);
  const redirect = attributes.get("redirect");
  if (!redirect) {
    const body = message ? `${statusLine(status)}\r\nFormPost: ${pythonTitle(message)}` : statusLine(status);
    const bytes = encoder.encode(body);
    headers.set(H.CONTENT_TYPE, "text/plain");
    headers.set(H.CONTENT_LENGTH, String(bytes.length));
    return new Response(bytes, { status, headers });
  }
  const query = `status=${quote(String(status))}&message=${quote(message)}`;
  const location = `${redirect}${redirect.includes("?") ? "&" : "?"}${query}`;
  const body = `<html><body><p><a href="${location}">Click to continue...</a></p></body></html>`;
  const bytes = encoder.encode(body);
  // Characters past ASCII go as their UTF-8 percent-escapes, as a browser sends such a URL.
  headers.set(H.LOCATION, headerValue("redirect", location).replace(/[^\x00-\x7f]+/g, encodeURIComponent));
  headers.set(H.CONTENT_LENGTH, String(bytes.length));
  // Bytes, not a string: Swift's 303 has no Content-Type.
  return new Response(bytes, { status: SEE_OTHER, headers });
}

/** The FormPOST stage: answers a multipart/form-data POST itself, one signed PUT per file. */
export const formpost: Middleware = async (req, next) => {
  if (req.request.method !== "POST") return next(req);
  const [type, attributes] = parseContentDisposition(req.request.headers.get(H.CONTENT_TYPE) ?? "");
  const boundary = attributes.get("boundary");
  if (type !== "multipart/form-data" || boundary === undefined) return next(req);
  // FormPOST answers itself; its files' PUTs carry the CORS headers it passes on.
  req.environ.answeredBeforeController = true;
  return translateForm(req, boundary);
};
