/**
 * @module
 * A bucket configuration (lifecycle rules, CORS rules) kept as its container's system metadata
 * under a name `base`: JSON with every character but printable ASCII escaped (`\u0020` for a
 * space: a header value keeps neither non-ASCII text nor spaces at its ends), in `base` when it
 * fits one header value, else `{"v":1,"chunks":N}` there and the text in `base-1` to `base-N`.
 * Writing one sets the chunks a longer document left behind to "" (removed). Pure: bucket.ts
 * stores and removes such a configuration (storeDocument, deleteDocument).
 */

import { MAX_HEADER_SIZE } from "../../common/constraints";

/** One stored chunk: a header value Swift takes (MAX_HEADER_SIZE), with room to spare. */
const CHUNK = MAX_HEADER_SIZE - 192;
/** Chunks a document takes at most (a megabyte of compact JSON and more). */
const MAX_CHUNKS = 160;

/** The chunk headers (`base-N`) a container's headers hold. */
function chunkNames(base: string, headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.startsWith(`${base}-`));
}

/**
 * The headers that store `document` under `base` over what `current` holds; null when it is
 * longer than MAX_CHUNKS chunks.
 */
export function encodeDocument(base: string, document: object, current: Headers = new Headers()): Headers | null {
  const json = JSON.stringify(document).replace(
    /[^\x21-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  const headers = new Headers();
  if (json.length <= CHUNK) headers.set(base, json);
  else {
    const chunks: string[] = [];
    for (let start = 0; start < json.length; start += CHUNK) chunks.push(json.slice(start, start + CHUNK));
    if (chunks.length > MAX_CHUNKS) return null;
    headers.set(base, JSON.stringify({ v: 1, chunks: chunks.length }));
    chunks.forEach((chunk, index) => headers.set(`${base}-${index + 1}`, chunk));
  }
  for (const name of chunkNames(base, current)) if (!headers.has(name)) headers.set(name, "");
  return headers;
}

/** The headers that remove the document stored under `base`: the first and every chunk, "". */
export function removalHeaders(base: string, current: Headers): Headers {
  const headers = new Headers({ [base]: "" });
  for (const name of chunkNames(base, current)) headers.set(name, "");
  return headers;
}

/** The document stored under `base` in a container's headers (parsed JSON), or null when none. */
export function decodeDocument(base: string, headers: Headers): unknown {
  const first = headers.get(base);
  if (first === null || first === "") return null;
  const parsed = JSON.parse(first) as { chunks?: unknown };
  if (typeof parsed.chunks !== "number") return parsed;
  let text = "";
  for (let index = 1; index <= Math.min(parsed.chunks, MAX_CHUNKS); index++)
    text += headers.get(`${base}-${index}`) ?? "";
  return JSON.parse(text) as unknown;
}
