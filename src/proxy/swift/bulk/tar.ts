/**
 * @module
 * A streaming tar reader over Web Streams, for bulk's extract-archive: entries come one at a
 * time with their body as a stream, so an archive of any size passes through in flat memory.
 * It reads what Python's tarfile (which Swift uses) reads in stream mode: ustar and GNU headers,
 * GNU long names, pax extended headers (per entry and global); its errors carry tarfile's
 * messages ("empty file", "bad checksum", "unexpected end of data"), which Swift puts in its
 * bulk responses. Written here rather than taken from npm: tar-stream needs Node streams, nanotar
 * reads whole buffers, and modern-tar (Web Streams) would be a new dependency for what is about
 * two hundred lines. Swift: python tarfile TarFile.next, TarInfo.frombuf.
 */

import { latin1, utf8Lenient, utf8OrNull } from "../../../common/python";

const BLOCK = 512;

/** A malformed or truncated archive; the message is tarfile's. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarError";
  }
}

/** One archive member. `body()` streams its data; what the caller leaves unread is skipped. */
export interface TarEntry {
  /** The member's path (pax `path`, GNU long name or ustar prefix + name). */
  name: string;
  /** False when the name's bytes are not valid UTF-8 (Swift: check_utf8 fails, 412). */
  validUtf8: boolean;
  /** A regular file (tarfile's isfile()): only these become objects. */
  isFile: boolean;
  size: number;
  /** Pax extended header records, global ones included. */
  pax: ReadonlyMap<string, string>;
  body(): ReadableStream<Uint8Array>;
}

/** Buffered reads of exact lengths over a byte stream. */
class ByteReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#done = true;
      return false;
    }
    if (value.byteLength) this.#buffer = this.#buffer.byteLength ? concat(this.#buffer, value) : value;
    return true;
  }

  /** Up to `n` bytes: fewer only at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    while (this.#buffer.byteLength < n && (await this.#pull()));
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(out.byteLength);
    return out;
  }

  /** Whatever is buffered, or the next chunk, up to `max` bytes; empty at the end. */
  async chunk(max: number): Promise<Uint8Array> {
    if (!this.#buffer.byteLength) await this.#pull();
    const out = this.#buffer.subarray(0, max);
    this.#buffer = this.#buffer.subarray(out.byteLength);
    return out;
  }

  /** Skips `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const part = await this.chunk(n - skipped);
      if (!part.byteLength) break;
      skipped += part.byteLength;
    }
    return skipped;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** A NUL-terminated field's bytes. */
function field(header: Uint8Array, offset: number, length: number): Uint8Array {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

/** A numeric field: octal text, or base-256 when the high bit is set (tarfile's nti). */
function number(header: Uint8Array, offset: number, length: number): number {
  const bytes = header.subarray(offset, offset + length);
  const first = bytes[0] ?? 0;
  if (first === 0o200 || first === 0o377) {
    let value = 0;
    for (const byte of bytes.subarray(1)) value = value * 256 + byte;
    return first === 0o377 ? value - 256 ** (length - 1) : value;
  }
  const text = latin1(field(header, offset, length)).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarError("invalid header");
  return text ? parseInt(text, 8) : 0;
}

function checksumMatches(header: Uint8Array): boolean {
  const stored = number(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  header.forEach((byte, index) => {
    const value = index >= 148 && index < 156 ? 0x20 : byte;
    unsigned += value;
    signed += value > 127 ? value - 256 : value;
  });
  return stored === unsigned || stored === signed;
}

/** Pax records `"<length> <key>=<value>\n"` (tarfile's _proc_pax). */
function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let position = 0;
  while (position < data.byteLength) {
    const space = data.indexOf(0x20, position);
    if (space < 0) break;
    const length = Number(latin1(data.subarray(position, space)));
    if (!Number.isSafeInteger(length) || length <= 0 || position + length > data.byteLength)
      throw new TarError("invalid header");
    const record = utf8Lenient(data.subarray(space + 1, position + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

const REGULAR = new Set(["0", "\0", "7"]);
/** Types tarfile knows whose size says nothing about data that follows (no data blocks). */
const NO_DATA = new Set(["1", "2", "3", "4", "5", "6"]);

/**
 * The members of an uncompressed tar stream, in order. Each yielded entry's unread data is
 * skipped when the next one is asked for. Throws TarError for what tarfile refuses.
 */
export async function* tarEntries(stream: ReadableStream<Uint8Array>): AsyncGenerator<TarEntry> {
  const source = new ByteReader(stream);
  const globalPax = new Map<string, string>();
  let offset = 0;
  let longName: Uint8Array | null = null;
  let pax: Map<string, string> | null = null;
  try {
    for (;;) {
      const header = await source.read(BLOCK);
      const first = offset === 0;
      offset += header.byteLength;
      // tarfile: a bad first header is an error; a bad later one ends the archive.
      if (header.byteLength === 0) {
        if (first) throw new TarError("empty file");
        return;
      }
      if (header.byteLength < BLOCK) {
        if (first) throw new TarError("truncated header");
        return;
      }
      if (header.every((byte) => byte === 0)) return;
      if (!checksumMatches(header)) {
        if (first) throw new TarError("bad checksum");
        return;
      }
      const type = String.fromCharCode(header[156] ?? 0);
      let size = number(header, 124, 12);
      if (type === "L" || type === "x" || type === "g") {
        const data = await source.read(size);
        if (data.byteLength < size || (await source.skip(padding(size))) < padding(size))
          throw new TarError("unexpected end of data");
        offset += size + padding(size);
        if (type === "L") longName = field(data, 0, data.byteLength);
        else if (type === "g") for (const [key, value] of paxRecords(data)) globalPax.set(key, value);
        else pax = paxRecords(data);
        continue;
      }
      const magic = latin1(header.subarray(257, 263));
      const prefix = magic === "ustar\0" ? field(header, 345, 155) : new Uint8Array(0);
      let nameBytes = longName ?? field(header, 0, 100);
      if (!longName && prefix.byteLength) nameBytes = concat(concat(prefix, Uint8Array.of(0x2f)), nameBytes);
      const records = new Map([...globalPax, ...(pax ?? [])]);
      longName = null;
      pax = null;
      let name: string;
      let validUtf8 = true;
      const paxPath = records.get("path");
      if (paxPath !== undefined) name = paxPath;
      else {
        const strict = utf8OrNull(nameBytes);
        validUtf8 = strict !== null;
        name = strict ?? utf8Lenient(nameBytes);
      }
      const paxSize = records.get("size");
      if (paxSize !== undefined && /^\d+$/.test(paxSize)) size = Number(paxSize);
      const isDirectory = type === "5" || (type === "\0" && name.endsWith("/"));
      const isFile = REGULAR.has(type) && !isDirectory;
      const dataSize = NO_DATA.has(type) || isDirectory ? 0 : size;
      let consumed = 0;
      const entry: TarEntry = {
        name,
        validUtf8,
        isFile,
        size,
        pax: records,
        body: () =>
          new ReadableStream<Uint8Array>({
            pull: async (controller) => {
              if (consumed >= dataSize) {
                controller.close();
                return;
              }
              const part = await source.chunk(dataSize - consumed);
              if (!part.byteLength) {
                controller.error(new TarError("unexpected end of data"));
                return;
              }
              consumed += part.byteLength;
              controller.enqueue(part.slice());
            },
          }),
      };
      yield entry;
      const rest = dataSize - consumed + padding(dataSize);
      if ((await source.skip(rest)) < rest) throw new TarError("unexpected end of data");
      offset += dataSize + padding(dataSize);
    }
  } finally {
    await source.cancel();
  }
}

/**
 * The stream of a gzip-compressed body, decompressed; TarError "not a gzip file" when it does
 * not start with gzip's magic bytes, "invalid compressed data" when it does not decompress.
 */
export async function gunzip(stream: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  let head: Uint8Array = new Uint8Array(0);
  while (head.byteLength < 2) {
    const { done, value } = await reader.read();
    if (done) break;
    head = concat(head, value);
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    await reader.cancel().catch(() => undefined);
    throw new TarError(head.byteLength ? "not a gzip file" : "empty file");
  }
  let sentHead = false;
  const compressed = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(head);
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const decompressed = compressed.pipeThrough(new DecompressionStream("gzip")).getReader();
  // Decompression failures surface as TarError, as zlib.error does in Swift.
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      try {
        const { done, value } = await decompressed.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.error(new TarError("invalid compressed data"));
      }
    },
    cancel: (reason) => decompressed.cancel(reason),
  });
}
