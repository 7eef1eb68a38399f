/**
 * @module
 * A multipart/form-data body read part by part as it streams, with bounded memory, with the
 * semantics of Swift's MIME helpers (so FormPOST parses exactly what Swift parses): a part's
 * header lines are parsed as Python 3's email.parser parses them, which parse_mime_headers calls.
 * Swift: common/utils iter_multipart_mime_documents, parse_mime_headers, parse_content_disposition.
 */

import { latin1, utf8OrNull } from "../../common/python";

/** Swift: formpost.py READ_CHUNK_SIZE. */
const READ_CHUNK_SIZE = 4096;
/** How much of a file part one read hands on. */
const FILE_CHUNK_SIZE = 64 * 1024;
/** A part's header line longer than this is read in pieces (Swift reads it whole; this bounds memory). */
const MAX_LINE_LENGTH = 8192;
/**
 * How much of a part's header text is kept (Swift keeps it all): a header past it is dropped
 * whole, and so is every header after it, so memory stays bounded whatever a part sends.
 */
const MAX_HEADER_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const CRLF = encoder.encode("\r\n");
const DASHES = encoder.encode("--");

/** The characters Python's str.isspace() counts, which str.strip() with no argument strips. */
const PYTHON_SPACE_CLASS =
  "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
/** Python's str.strip() with no argument, as a pattern to replace with nothing. */
const PYTHON_STRIP = new RegExp(`^${PYTHON_SPACE_CLASS}+|${PYTHON_SPACE_CLASS}+$`, "g");

/** Swift: utils ATTRIBUTES_RE, `(\w+)=("[^"]*"|[^";]+)(; ?|$)` (a quoted value may span a folded line). */
const ATTRIBUTE = /^([\p{L}\p{N}_]+)=("[^"]*"|[^";]+)(; ?|$)/u;

/**
 * Swift: utils parse_content_disposition. `form-data; name="a"; filename="b"` →
 * `["form-data", {name: "a", filename: "b"}]`; also reads Content-Type's boundary. Both sides of
 * the first `;` are stripped as Python's str.strip() strips; a value without `;` is kept as it is.
 */
export function parseContentDisposition(header: string): [string, Map<string, string>] {
  const attributes = new Map<string, string>();
  let value = header;
  let rest = "";
  const semicolon = header.indexOf(";");
  if (semicolon >= 0) {
    value = header.slice(0, semicolon).replace(PYTHON_STRIP, "");
    rest = header.slice(semicolon + 1).replace(PYTHON_STRIP, "");
  }
  for (let match = ATTRIBUTE.exec(rest); match?.[0]; match = ATTRIBUTE.exec(rest)) {
    rest = rest.slice(match[0].length);
    attributes.set(match[1] ?? "", (match[2] ?? "").replace(/^"+|"+$/g, ""));
  }
  return [value, attributes];
}

/** Where `needle` first starts in `haystack`, or -1 (Python: bytes.find). */
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

/** `a` then `b` in one array (Python: bytes `+`). */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** Whether `bytes` start with `prefix` (Python: bytes.startswith). */
function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

/** Python's bytes.strip() with no argument: ASCII whitespace (space, \t \n \v \f \r) at both ends. */
function stripAsciiSpace(bytes: Uint8Array): Uint8Array {
  const space = (byte: number | undefined) => byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
  let start = 0;
  let end = bytes.length;
  while (start < end && space(bytes[start])) start++;
  while (end > start && space(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

/** Where MimeHeaderParser is within an email line. */
const enum At {
  /** The first byte of a line. */
  Start,
  /** A field name, up to its colon. */
  Name,
  /** The spaces and tabs after the colon, which the value does not keep. */
  Lead,
  /** A header's value: kept, line endings included. */
  Value,
  /** A line that adds nothing: `From …`, `:…`, or a continuation line with no header to continue. */
  Skip,
  /** Past the headers (a blank line or a line that is not a header): nothing more is read. */
  Done,
}

/** Bytes of one raw line kept for a header's value, decoded once that line has been read whole. */
interface Segment {
  bytes: number[];
  text: string;
}

/** A header as it is read: its lower-case name and its value's segments; dropped past MAX_HEADER_BYTES. */
interface Entry {
  name: string;
  segments: Segment[];
  dropped: boolean;
}

/**
 * Python's email.parser.Parser().parsestr() of the header lines Swift's parse_mime_headers hands
 * it, then HeaderKeyDict(message), read byte by byte as the lines stream in.
 * Python 3: email/feedparser.py FeedParser._parsegen (headerRE `^(From |[\041-\071\073-\176]*:|[\t ])`,
 * the headers end at the first line that does not match it) and _parse_headers (a continuation
 * line extends the header before it, or is dropped; `From ` lines and `:…` lines are skipped);
 * lines end at CRLF, CR or LF (feedparser.BufferedSubFile); email/_policybase.py
 * Compat32.header_source_parse (the value is the rest of the first line with spaces and tabs
 * stripped from its start, plus each continuation line whole, with trailing CR and LF stripped);
 * email/message.py Message.get (a repeated name gives its first value). Swift: utils.py
 * parse_mime_headers (each line decoded as UTF-8, or Latin-1 when it is not UTF-8),
 * header_key_dict.py HeaderKeyDict. The structure is read from bytes, which needs no decoding:
 * every byte that matters (CR, LF, space, tab, colon, a name's) is ASCII, the same in both.
 */
class MimeHeaderParser {
  readonly #entries: Entry[] = [];
  readonly #names = new Set<string>();
  /** Segments opened in the current raw line, decoded when it ends. */
  #lineSegments: Segment[] = [];
  #at = At.Start;
  /** The header the current line adds to (null after a line that ends one without starting another). */
  #current: Entry | null = null;
  #name = "";
  /** The name being read is longer than MAX_HEADER_BYTES: it is not kept, nor the rest of it read. */
  #nameTooLong = false;
  /** A CR has just ended a line: an LF next is that line's ending too. */
  #afterCr = false;
  /** The line the CR ended was a value's, which keeps its line ending. */
  #crInValue = false;
  /** What is left of MAX_HEADER_BYTES for this part. */
  #budget = MAX_HEADER_BYTES;

  /** Whether the headers have ended (Python: _parsegen's header loop has met a line that is not a header). */
  get done(): boolean {
    return this.#at === At.Done;
  }

  /** Reads bytes of the current raw line (Swift: the lines parse_mime_headers joins for Parser.parsestr). */
  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && this.#at !== At.Done; i++) {
      const byte = bytes[i] ?? 0;
      if (this.#afterCr) {
        this.#afterCr = false;
        if (byte === LF) {
          if (this.#crInValue) this.#keep(byte);
          continue;
        }
      }
      this.#byte(byte);
    }
  }

  /** The current raw line has ended: what it kept is decoded, as UTF-8 when it all was UTF-8, else as Latin-1. */
  endLine(utf8: boolean): void {
    for (const segment of this.#lineSegments) {
      const bytes = Uint8Array.from(segment.bytes);
      segment.text = utf8 ? (utf8OrNull(bytes) ?? latin1(bytes)) : latin1(bytes);
      segment.bytes = [];
    }
    this.#lineSegments = [];
  }

  /** The headers read, lower-case names, each name's first value (trailing CR and LF stripped). */
  headers(): Map<string, string> {
    const headers = new Map<string, string>();
    for (const entry of this.#entries) {
      if (entry.dropped) continue;
      const value = entry.segments.map((segment) => segment.text).join("");
      headers.set(entry.name, value.replace(/[\r\n]+$/, ""));
    }
    return headers;
  }

  /** One byte of the header lines (Python: feedparser headerRE, then _parse_headers' reading of the line). */
  #byte(byte: number): void {
    switch (this.#at) {
      case At.Start:
        if (byte === CR || byte === LF) {
          this.#at = At.Done;
          return;
        }
        if (byte === SPACE || byte === TAB) {
          this.#at = this.#current ? At.Value : At.Skip;
          if (this.#current) this.#keep(byte);
          return;
        }
        this.#current = null;
        this.#name = "";
        this.#nameTooLong = false;
        this.#at = At.Name;
        this.#nameByte(byte);
        return;
      case At.Name:
        this.#nameByte(byte);
        return;
      case At.Lead:
        if (byte === SPACE || byte === TAB) return;
        this.#at = At.Value;
        this.#valueByte(byte);
        return;
      case At.Value:
        this.#valueByte(byte);
        return;
      default:
        if (byte === CR || byte === LF) this.#lineEnd(byte, false);
    }
  }

  /** A name's byte: printable ASCII but `:`, up to the colon; `From ` starts an envelope line. */
  #nameByte(byte: number): void {
    if (byte === COLON) {
      if (!this.#name) {
        this.#at = At.Skip;
        return;
      }
      this.#open(this.#nameTooLong ? null : this.#name.toLowerCase());
      this.#at = At.Lead;
      return;
    }
    if (byte > SPACE && byte < 0x7f) {
      if (this.#name.length < MAX_HEADER_BYTES) this.#name += String.fromCharCode(byte);
      else this.#nameTooLong = true;
      return;
    }
    this.#at = byte === SPACE && this.#name === "From" ? At.Skip : At.Done;
  }

  /** A value's byte, kept; CR or LF ends its line (Python: Compat32.header_source_parse keeps line endings). */
  #valueByte(byte: number): void {
    this.#keep(byte);
    if (byte === CR || byte === LF) this.#lineEnd(byte, true);
  }

  /** A line ends at CR or LF; an LF right after a CR is that line's too (Python: feedparser.BufferedSubFile). */
  #lineEnd(byte: number, inValue: boolean): void {
    this.#at = At.Start;
    this.#afterCr = byte === CR;
    this.#crInValue = inValue;
  }

  /**
   * A header starts (Python: _parse_headers' `lastheader = line[:i]`): kept when its name is new
   * (Message.get gives the first) and fits what is left of MAX_HEADER_BYTES (null: too long).
   */
  #open(name: string | null): void {
    const overflows = name === null || name.length > this.#budget;
    if (overflows) this.#budget = 0;
    const entry: Entry = { name: name ?? "", segments: [], dropped: overflows || this.#names.has(name) };
    this.#current = entry;
    if (name === null || entry.dropped) return;
    this.#names.add(name);
    this.#budget -= name.length;
    this.#entries.push(entry);
  }

  /** A byte of the current header's value, kept while MAX_HEADER_BYTES lasts (Swift keeps them all). */
  #keep(byte: number): void {
    const entry = this.#current;
    if (!entry || entry.dropped) return;
    if (this.#budget <= 0) {
      entry.dropped = true;
      entry.segments = [];
      return;
    }
    this.#budget -= 1;
    let segment = this.#lineSegments.at(-1);
    if (!segment || entry.segments.at(-1) !== segment) {
      segment = { bytes: [], text: "" };
      entry.segments.push(segment);
      this.#lineSegments.push(segment);
    }
    segment.bytes.push(byte);
  }
}

/** Swift: utils parse_mime_headers' `line in (b'\r\n', b'\n', b'')`, the line that ends a part's headers. */
function isBlankLine(line: Uint8Array): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === LF) || (line.length === 2 && startsWith(line, CRLF));
}

/** Whether `bytes` go on a UTF-8 line without error (Python: bytes.decode("utf-8")), `more` to come. */
function decodes(decoder: TextDecoder, bytes: Uint8Array, more: boolean): boolean {
  try {
    decoder.decode(bytes, { stream: more });
    return true;
  } catch {
    return false;
  }
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

  /**
   * Reads the starting boundary (Swift: utils iter_multipart_mime_documents): lines of CRLF before
   * it are skipped, and it must be `--boundary` once bytes.strip() has stripped it; false when not.
   */
  async start(): Promise<boolean> {
    const limit = this.#boundary.length + 2;
    let line = await this.#rawLine(limit);
    while (line.length === 2 && startsWith(line, CRLF)) line = await this.#rawLine(limit);
    const got = stripAsciiSpace(line);
    return got.length === this.#boundary.length && startsWith(got, this.#boundary);
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

  /**
   * The next piece of the current part's next line (Swift: utils _MultipartMimeFileLikeObject.readline):
   * the line through its first CRLF, or up to the part's end when no CRLF comes before it. A line
   * longer than MAX_LINE_LENGTH comes in pieces, `ends` false on all but the last.
   */
  async #linePiece(): Promise<{ bytes: Uint8Array; ends: boolean }> {
    for (;;) {
      if (this.#partEnded) return { bytes: EMPTY, ends: true };
      const newline = indexOf(this.#buffer, CRLF);
      const at = indexOf(this.#buffer, this.#delimiter);
      if (newline >= 0 && (at < 0 || newline < at)) return { bytes: await this.read(newline + 2), ends: true };
      if (at >= 0 || this.#eof) return { bytes: await this.read(Math.max(this.#buffer.length, 1)), ends: true };
      // No CRLF in more than MAX_LINE_LENGTH bytes: the piece cannot end inside one.
      if (this.#buffer.length > MAX_LINE_LENGTH) {
        const bytes = await this.read(MAX_LINE_LENGTH);
        return { bytes, ends: this.#partEnded };
      }
      await this.#fill(this.#buffer.length + READ_CHUNK_SIZE);
    }
  }

  /**
   * The current part's headers, lower-case names (Swift: utils parse_mime_headers): lines are read
   * up to one that is CRLF, LF or nothing, each decoded as UTF-8 or else Latin-1, and parsed as
   * Python's email.parser parses them (MimeHeaderParser); the part's body starts after them.
   */
  async headers(): Promise<Map<string, string>> {
    const parser = new MimeHeaderParser();
    let lineStart = true;
    /** Whether the headers had not ended when this line began: only then does its encoding matter. */
    let parsed = true;
    let utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    let valid = true;
    for (;;) {
      const { bytes, ends } = await this.#linePiece();
      if (lineStart) {
        if (ends && isBlankLine(bytes)) return parser.headers();
        parsed = !parser.done;
      }
      if (parsed) {
        parser.feed(bytes);
        if (valid) valid = decodes(utf8, bytes, !ends);
      }
      lineStart = ends;
      if (ends && parsed) {
        parser.endLine(valid);
        utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
        valid = true;
      }
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
