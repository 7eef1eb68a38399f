/**
 * @module
 * The bulk middleware: `?bulk-delete` (POST or DELETE with a plain-text list of URL-encoded
 * `/container/object` or `/container` names, each deleted by a DELETE subrequest) and
 * `?extract-archive=tar|tar.gz` (each regular file of the streamed archive PUT as an object
 * under the upload path, containers created as needed). Both answer 200 at once and stream
 * their result (text, JSON or XML by Accept) when done, with whitespace in between so long runs
 * stay alive. It runs before authorization, as in Swift: every subrequest is authorized on its
 * own. Swift: common/middleware/bulk.py.
 */

import { SwiftError } from "../../../common/errors";
import { pile } from "../../../common/concurrency";
import { quote, unquoteToBytes, utf8Lenient, utf8OrNull } from "../../../common/python";
import { H, metaPrefix } from "../../../common/headers";
import type { Middleware } from "../pipeline";
import type { SwiftRequest } from "../request";
import { MAX_CONTAINER_NAME_LENGTH, MAX_OBJECT_NAME_LENGTH } from "../../../common/constraints";
import { ACCEPTABLE_FORMATS, bestMatch, renderOutcome, streamedResult, type OutFormat, type Outcome } from "./response";
import { discard, statusLine, subrequestResponse } from "../subrequest";
import { TarError, gunzip, tarEntries, type TarEntry } from "./tar";

/** Swift's bulk defaults, published in /info as `bulk_upload` and `bulk_delete`. */
export const MAX_CONTAINERS_PER_EXTRACTION = 10_000;
export const MAX_FAILED_EXTRACTIONS = 1_000;
export const MAX_DELETES_PER_REQUEST = 10_000;
export const MAX_FAILED_DELETES = 1_000;
/** DELETE subrequests in flight at once (Swift: delete_concurrency). */
const DELETE_CONCURRENCY = 2;
/** Longest name line (Swift: max_path_length = object + container name lengths + 2). */
const MAX_PATH_LENGTH = MAX_OBJECT_NAME_LENGTH + MAX_CONTAINER_NAME_LENGTH + 2;

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** Python's bytes.strip(). */
function strip(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && WHITESPACE.has(bytes[start] ?? 0)) start++;
  while (end > start && WHITESPACE.has(bytes[end - 1] ?? 0)) end--;
  return bytes.subarray(start, end);
}

/** A name from a bulk-delete line or an archive: its text, and whether it passes check_utf8. */
interface Name {
  text: string;
  bytes: Uint8Array;
  valid: boolean;
}

function nameOf(bytes: Uint8Array): Name {
  const text = utf8OrNull(bytes);
  return text === null
    ? { text: utf8Lenient(bytes), bytes, valid: false }
    : { text, bytes, valid: !text.includes("\u0000") };
}

/** The Response Status and Response Body an error leaves in a bulk result (swob: err.status, err.body). */
function failWith(outcome: Outcome, error: unknown): void {
  if (error instanceof TarError) {
    outcome.fields["Response Status"] = statusLine(400);
    outcome.fields["Response Body"] = `Invalid Tar File: ${error.message}`;
  } else if (error instanceof SwiftError) {
    outcome.fields["Response Status"] = statusLine(error.status);
    outcome.fields["Response Body"] = error.detail ?? "";
  } else {
    console.error("bulk failed:", error);
    outcome.fields["Response Status"] = statusLine(500);
  }
}

/** Swift: a body needs Content-Length or chunked transfer, else 411. */
function requireBody(request: Request): void {
  if (request.headers.get(H.CONTENT_LENGTH) === null && request.body === null) throw new SwiftError("LengthRequired");
}

/** Swift: bulk.py get_objs_to_delete. The body's names, URL-decoded; 413 past the maximum. */
async function namesToDelete(request: Request): Promise<Name[]> {
  requireBody(request);
  const names: Name[] = [];
  let line = new Uint8Array(0);
  const take = (bytes: Uint8Array) => {
    names.push(nameOf(unquoteToBytes(strip(bytes))));
    if (names.length > MAX_DELETES_PER_REQUEST)
      throw SwiftError.html("RequestEntityTooLarge", `Maximum Bulk Deletes: ${MAX_DELETES_PER_REQUEST} per request`);
  };
  const reader = request.body?.getReader();
  try {
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
      if (chunk.done) break;
      const joined = new Uint8Array(line.length + chunk.value.length);
      joined.set(line);
      joined.set(chunk.value, line.length);
      let start = 0;
      for (let newline = joined.indexOf(0x0a); newline >= 0; newline = joined.indexOf(0x0a, start)) {
        take(joined.subarray(start, newline));
        start = newline + 1;
      }
      line = joined.slice(start);
      if (line.length > MAX_PATH_LENGTH * 2) throw SwiftError.html("BadRequest", "Invalid File Name");
    }
  } finally {
    await reader?.cancel().catch(() => undefined);
  }
  if (strip(line).length) take(line);
  return names;
}

/** Swift: bulk.py handle_delete_iter. */
async function bulkDelete(req: SwiftRequest, format: OutFormat | null, tick: () => void): Promise<string> {
  const outcome: Outcome = {
    fields: { "Response Status": statusLine(200), "Response Body": "", "Number Deleted": 0, "Number Not Found": 0 },
    errors: [],
  };
  const { fields, errors } = outcome;
  const count = (key: "Number Deleted" | "Number Not Found") => {
    fields[key] = Number(fields[key]) + 1;
  };
  try {
    if (!format) throw new SwiftError("NotAcceptable");
    const incoming = req.request.headers.get(H.CONTENT_TYPE);
    if (incoming && !incoming.startsWith("text/plain")) throw new SwiftError("NotAcceptable");
    const names = await namesToDelete(req.request);
    let failedStatus = 400;
    const inner = (name: Name) => name.text.replace(/^\/+|\/+$/g, "").includes("/");
    // Objects first, then containers (which may only now be empty).
    for (const objects of [true, false]) {
      // Swift checks the limit after each processed response: what is in flight is drained, nothing more starts.
      let aborting = false;
      const deletes = function* (): Generator<Name> {
        for (const name of names) {
          if (aborting) return;
          if (!name.text || inner(name) !== objects) continue;
          if (!name.valid) errors.push([quote(name.bytes), statusLine(412)]);
          else yield name;
        }
      };
      const remove = (name: Name) =>
        subrequestResponse(req, {
          method: "DELETE",
          path: `/${req.path.version}/${req.path.account}/${name.text.replace(/^\/+/, "")}`,
          source: "BD",
        });
      for await (const { item: name, value: response } of pile(deletes(), DELETE_CONCURRENCY, remove)) {
        await discard(response);
        tick();
        if (response.status >= 200 && response.status < 300) count("Number Deleted");
        else if (response.status === 404) count("Number Not Found");
        else {
          if (response.status >= 500) failedStatus = 502;
          errors.push([quote(name.bytes), statusLine(response.status)]);
        }
        if (errors.length >= MAX_FAILED_DELETES) aborting = true;
      }
      if (aborting) throw SwiftError.html("BadRequest", "Max delete failures exceeded");
    }
    if (errors.length) fields["Response Status"] = statusLine(failedStatus);
    else if (!fields["Number Deleted"] && !fields["Number Not Found"]) {
      fields["Response Status"] = statusLine(400);
      fields["Response Body"] = "Invalid bulk delete.";
    }
  } catch (error) {
    failWith(outcome, error);
  }
  return renderOutcome(format, outcome, "delete");
}

/** Swift: pax xattrs `user.mime_type` and `user.meta.*` (GNU and BSD tar spellings) become headers. */
function paxHeader(key: string): string | null {
  for (const prefix of ["SCHILY.xattr.user.", "LIBARCHIVE.xattr.user."]) {
    if (!key.startsWith(prefix)) continue;
    const attribute = key.slice(prefix.length);
    if (attribute === "mime_type") return H.CONTENT_TYPE;
    if (attribute.startsWith("meta.")) return `${metaPrefix("object")}${attribute.slice("meta.".length)}`;
  }
  return null;
}

/**
 * Swift: bulk.py create_container. True when created, false when it existed; the failing response's status otherwise.
 */
async function createContainer(req: SwiftRequest, path: string): Promise<boolean | number> {
  const head = await subrequestResponse(req, { method: "HEAD", path, source: "EA" });
  await discard(head);
  if (head.ok) return false;
  if (head.status !== 404) return head.status;
  const put = await subrequestResponse(req, { method: "PUT", path, source: "EA" });
  await discard(put);
  return put.ok ? true : put.status;
}

/** Swift: bulk.py handle_extract_iter. */
async function extractArchive(
  req: SwiftRequest,
  gzip: boolean,
  format: OutFormat | null,
  tick: () => void,
): Promise<string> {
  const outcome: Outcome = {
    fields: { "Response Status": statusLine(201), "Response Body": "", "Number Files Created": 0 },
    errors: [],
  };
  const { fields, errors } = outcome;
  const body = req.request.body;
  let entries: AsyncGenerator<TarEntry> | null = null;
  try {
    if (!format) throw new SwiftError("NotAcceptable");
    requireBody(req.request);
    const { version, account } = req.path;
    const base = [req.path.container, req.path.object]
      .filter((part) => part !== null)
      .join("/")
      .replace(/\/+$/, "");
    const raw = body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    entries = tarEntries(gzip ? await gunzip(raw) : raw);
    // Request headers every extracted object gets (Swift: X-Delete-At/After and user metadata).
    const shared = new Headers();
    for (const [name, value] of req.request.headers) {
      if (name === H.X_DELETE_AT || name === H.X_DELETE_AFTER || name.startsWith(metaPrefix("object")))
        shared.set(name, value);
    }
    const accessed = new Set<string>();
    let created = 0;
    let failedStatus = 400;
    for (;;) {
      tick();
      if (errors.length >= MAX_FAILED_EXTRACTIONS) break;
      const next = await entries.next();
      if (next.done) break;
      const entry: TarEntry = next.value;
      if (!entry.isFile) continue;
      let objectPath = entry.name.startsWith("./") ? entry.name.slice(2) : entry.name;
      objectPath = objectPath.replace(/^\/+/, "");
      if (base) objectPath = `${base}/${objectPath}`;
      if (!objectPath.includes("/")) continue; // a file at the top level names no container
      const quoted = quote(objectPath).slice(0, MAX_PATH_LENGTH);
      const container = objectPath.slice(0, objectPath.indexOf("/"));
      if (!entry.validUtf8 || objectPath.includes("\u0000")) {
        errors.push([quoted, statusLine(412)]);
        continue;
      }
      if (entry.size > req.ctx.config.maxFileSize) {
        errors.push([quoted, statusLine(413)]);
        continue;
      }
      let containerFailure: [string, string] | null = null;
      if (!accessed.has(container)) {
        const containerPath = `/${version}/${account}/${container}`;
        const result = await createContainer(req, containerPath);
        if (result === true) {
          created += 1;
          if (created > MAX_CONTAINERS_PER_EXTRACTION)
            throw new SwiftError(
              "BadRequest",
              `More than ${MAX_CONTAINERS_PER_EXTRACTION} containers to create from tar.`,
            );
        } else if (typeof result === "number") {
          // The object PUT may still succeed (container ACLs); report the container only if it does not.
          containerFailure = [quote(containerPath).slice(0, MAX_PATH_LENGTH), statusLine(result)];
          if (result === 401) throw new SwiftError("Unauthorized");
        }
      }
      const headers = new Headers(shared);
      headers.set(H.CONTENT_LENGTH, String(entry.size));
      for (const [key, value] of entry.pax) {
        const header = paxHeader(key);
        if (header) headers.set(header, value);
      }
      const put = await subrequestResponse(req, {
        method: "PUT",
        path: `/${version}/${account}/${objectPath}`,
        headers,
        body: entry.size > 0 ? entry.body() : null,
        source: "EA",
      });
      await discard(put);
      accessed.add(container);
      if (put.ok) {
        fields["Number Files Created"] = Number(fields["Number Files Created"]) + 1;
        continue;
      }
      if (containerFailure) errors.push(containerFailure);
      if (put.status === 401) {
        errors.push([quoted, statusLine(401)]);
        throw new SwiftError("Unauthorized");
      }
      if (put.status >= 500) failedStatus = 502;
      errors.push([quoted, statusLine(put.status)]);
    }
    if (errors.length) fields["Response Status"] = statusLine(failedStatus);
    else if (!fields["Number Files Created"]) {
      fields["Response Status"] = statusLine(400);
      fields["Response Body"] = "Invalid Tar File: No Valid Files";
    }
  } catch (error) {
    failWith(outcome, error);
  } finally {
    if (entries) await entries.return(undefined).catch(() => undefined);
    else await body?.cancel().catch(() => undefined);
  }
  return renderOutcome(format, outcome, "extract");
}

/** Archive formats by `extract-archive` value (Swift strips dots and ignores case). */
const ARCHIVE_FORMATS: Record<string, "tar" | "tar.gz"> = { tar: "tar", "tar.gz": "tar.gz" };

/** The bulk stage: answers `?extract-archive` PUTs and `?bulk-delete` POSTs and DELETEs itself. */
export const bulk: Middleware = async (req, next) => {
  const query = req.url.searchParams;
  const method = req.request.method;
  const accept = req.request.headers.get(H.ACCEPT);
  const extract = query.get("extract-archive");
  if (extract !== null && method === "PUT") {
    const archive = ARCHIVE_FORMATS[extract.toLowerCase().replace(/^\.+|\.+$/g, "")];
    // tar.bz2 (which Swift also takes) has no streaming decoder here: refused like any other format.
    if (!archive) throw SwiftError.html("BadRequest", "Unsupported archive format");
    const format = bestMatch(accept, ACCEPTABLE_FORMATS);
    return streamedResult(req, format, (tick) => extractArchive(req, archive === "tar.gz", format, tick));
  }
  if (query.has("bulk-delete") && (method === "POST" || method === "DELETE")) {
    const format = bestMatch(accept, ACCEPTABLE_FORMATS);
    return streamedResult(req, format, (tick) => bulkDelete(req, format, tick));
  }
  return next(req);
};
