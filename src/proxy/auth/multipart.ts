/**
 * @module
 * A multipart/form-data body read part by part as it streams, with bounded memory, with the
 * semantics of Swift's MIME helpers (so FormPOST parses exactly what Swift parses).
 * Swift: common/utils iter_multipart_mime_documents, parse_mime_headers, parse_content_disposition.
 */

import { latin1, utf8OrNull } from "../../common/python";

/** Swift: formpost.py READ_CHUNK_SIZE. */
const READ_CHUNK_SIZE = 4096;
/** How much of a file part one read hands on. */
const FILE_CHUNK_SIZE = 64 * 1024;
/** A part's header line longer than this is read in pieces (Swift reads it whole; this bounds memory). */
const MAX_LINE_LENGTH = 8192;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const CRLF = encoder.encode("\r\n");
const DASHES = encoder.encode("--");

/**
 * Swift: utils parse_content_disposition. `form-data; name="a"; filename="b"` →
 * `["form-data", {name: "a", filename: "b"}]`; also reads Content-Type's boundary.
 */
export function parseContentDisposition(header: string): [string, Map<string, string>] {
  const attributes = new Map<string, string>();
  let value = header;
  let rest = "";
  const semicolon = header.indexOf(";");
  if (semicolon >= 0) {
    value = header.slice(0, semicolon).trim();
    rest = header.slice(semicolon + 1).trim();
  }
  for (
    let match = /^([\p{L}\p{N}_]+)=("[^"\n]*"|[^";]+)(; ?|$)/u.exec(rest);
    match;
    match = /^([\p{L}\p{N}_]+)=("[^"\n]*"|[^";]+)(; ?|$)/u.exec(rest)
  ) {
    rest = rest.slice(match[0].length);
    attributes.set(match[1] ?? "", (match[2] ?? "").replace(/^"+|"+$/g, ""));
    if (!match[0]) break;
  }
  return [value, attributes];
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  if (first === undefined) return 0;
  for (
    let at = haystack.indexOf(first);
    at >= 0 && at <= haystack.length - needle.length;
    at = haystack.indexOf(first, at + 1)
  ) {
    let matched = true;
    for (let j = 1; j < needle.length && matched; j++) matched = haystack[at + j] === needle[j];
    if (matched) return at;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

/** Bytes as text: UTF-8, or Latin-1 when they are not UTF-8 (Swift: utils.py parse_mime_headers). */
function decodeHeaderLine(bytes: Uint8Array): string {
  return utf8OrNull(bytes) ?? latin1(bytes);
}

/**
 * A multipart body read part by part with bounded memory, with the semantics of Swift's
 * iter_multipart_mime_documents: parts end at `\r\n--boundary`, the two bytes after it are
 * skipped, `--` there ends the body, and so does the end of the stream.
 */
export class MultipartReader {
  readonly #source: ReadableStreamDefaultReader<Uint8Array>;
  readonly #boundary: Uint8Array;
  readonly #delimiter: Uint8Array;
  #buffer: Uint8Array = EMPTY;
  #eof = false;
  #partEnded = false;
  #lastPart = false;

  constructor(body: ReadableStream<Uint8Array>, boundary: string) {
    this.#source = body.getReader();
    this.#boundary = encoder.encode(`--${boundary}`);
    this.#delimiter = encoder.encode(`\r\n--${boundary}`);
  }

  async #fill(size: number): Promise<void> {
    while (this.#buffer.length < size && !this.#eof) {
      const { done, value } = await this.#source.read();
      if (done) {
        this.#eof = true;
        break;
      }
      this.#buffer = concat(this.#buffer, value);
    }
  }

  #take(length: number): Uint8Array {
    const taken = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.subarray(taken.length);
    return taken;
  }

  /** A line of the raw body, at most `limit` bytes (Python's readline(limit)). */
  async #rawLine(limit: number): Promise<Uint8Array> {
    for (;;) {
      const newline = this.#buffer.indexOf(0x0a);
      if (newline >= 0 && newline < limit) return this.#take(newline + 1);
      if (this.#buffer.length >= limit || this.#eof) return this.#take(limit);
      await this.#fill(this.#buffer.length + 1);
    }
  }

  /** Reads the starting boundary (blank lines before it are skipped); false when it is missing. */
  async start(): Promise<boolean> {
    const limit = this.#boundary.length + 2;
    let line = await this.#rawLine(limit);
    while (line.length === 2 && startsWith(line, CRLF)) line = await this.#rawLine(limit);
    const text = decodeHeaderLine(line).replace(/^[\s\v]+|[\s\v]+$/g, "");
    return text === decodeHeaderLine(this.#boundary);
  }

  /** Up to `length` bytes of the current part; empty at its end. */
  async read(length: number = READ_CHUNK_SIZE): Promise<Uint8Array> {
    if (this.#partEnded) return EMPTY;
    await this.#fill(length + this.#delimiter.length + 2);
    const at = indexOf(this.#buffer, this.#delimiter);
    if (at < 0 || at > length) {
      const chunk = this.#take(length);
      if (!chunk.length && this.#eof) {
        this.#partEnded = true;
        this.#lastPart = true;
      }
      return chunk;
    }
    const chunk = this.#take(at);
    this.#take(this.#delimiter.length);
    await this.#fill(2);
    this.#lastPart = startsWith(this.#buffer, DASHES) || (this.#eof && this.#buffer.length === 0);
    this.#take(2);
    this.#partEnded = true;
    return chunk;
  }

  /** Up to `max` bytes of the current part, as one array (a form field's value). */
  async readUpTo(max: number): Promise<Uint8Array> {
    let value: Uint8Array = EMPTY;
    for (
      let chunk = await this.read(max);
      chunk.length;
      chunk = value.length < max ? await this.read(max - value.length) : EMPTY
    ) {
      value = concat(value, chunk);
    }
    return value;
  }

  /** A line of the current part, through its CRLF (or up to the part's end). */
  async readLine(): Promise<Uint8Array> {
    for (;;) {
      if (this.#partEnded) return EMPTY;
      const newline = indexOf(this.#buffer, CRLF);
      const at = indexOf(this.#buffer, this.#delimiter);
      if (newline >= 0 && (at < 0 || newline < at)) return this.read(newline + 2);
      if (at >= 0 || this.#eof) return this.read(Math.max(this.#buffer.length, 1));
      if (this.#buffer.length > MAX_LINE_LENGTH) return this.read(MAX_LINE_LENGTH);
      await this.#fill(this.#buffer.length + READ_CHUNK_SIZE);
    }
  }

  /** The current part's headers (Swift: parse_mime_headers), lower-case names. */
  async headers(): Promise<Map<string, string>> {
    const headers = new Map<string, string>();
    let last: string | null = null;
    for (;;) {
      const bytes = await this.readLine();
      const line = decodeHeaderLine(bytes).replace(/\r?\n$/, "");
      if (!bytes.length || !line) return headers;
      if (/^[ \t]/.test(line) && last !== null) {
        headers.set(last, `${headers.get(last) ?? ""} ${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      headers.set(last, line.slice(colon + 1).trim());
    }
  }

  /** The current part's rest as a stream for a PUT; `onTooLarge` runs and the stream fails past `maxSize` bytes. */
  fileStream(maxSize: number, onTooLarge: () => void): ReadableStream<Uint8Array> {
    let size = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.read(FILE_CHUNK_SIZE);
          if (!chunk.length) {
            controller.close();
            return;
          }
          size += chunk.length;
          if (size > maxSize) {
            onTooLarge();
            controller.error(new Error("max_file_size exceeded"));
            return;
          }
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Skips what is left of the current part. */
  async drain(): Promise<void> {
    while ((await this.read(FILE_CHUNK_SIZE)).length);
  }

  /** Moves to the next part; false when the body holds no more. */
  async next(): Promise<boolean> {
    await this.drain();
    if (this.#lastPart) return false;
    this.#partEnded = false;
    return true;
  }

  async close(): Promise<void> {
    await this.#source.cancel().catch(() => undefined);
  }
}
