/**
 * @module
 * A large object's body, streamed segment by segment with flat memory: each segment (or the
 * slice of it a range needs) is read by a GET subrequest through the whole pipeline, as the
 * caller, and its chunks are written one at a time into the response stream, whose writes wait
 * for the client to read (no segment is ever held whole). The first segment is opened before the
 * response is sent, so a manifest whose first segment is gone answers 409; a later segment that is
 * gone or changed ends the stream early (the client sees a short body), as Swift drops the
 * connection. Segments past the tenth are rate-limited as Swift does. Single ranges, multiple
 * ranges (multipart/byteranges) and whole bodies are assembled here for both SLO and DLO.
 * Swift: common/request_helpers.py SegmentedIterable, common/utils.py RateLimitedIterator,
 * common/swob.py multi-range bodies.
 */

import {
  LARGE_OBJECT_MAX_GET_TIME_SECONDS,
  LARGE_OBJECT_RATE_LIMIT_AFTER_SEGMENT,
  LARGE_OBJECT_RATE_LIMIT_SEGMENTS_PER_SECOND,
} from "../../../common/constraints";
import { SwiftError } from "../../../common/errors";
import { H } from "../../../common/headers";
import { byteRangesFraming, type ByteRange } from "../../../common/ranges";
import { normalizeEtag } from "../../../common/conditional";
import { subrequest } from "../subrequest";
import type { SwiftRequest } from "../request";

/**
 * Bytes [first, last] (last null: to its end) of one segment object, checked against what the manifest or listing said.
 */
export interface SegmentRead {
  /** Decoded `/v1/account/container/object`. */
  path: string;
  first: number;
  last: number | null;
  /** The segment's whole size and ETag as recorded; null when not to be checked. */
  size: number | null;
  etag: string | null;
}

/** A piece of a large object's body: literal bytes (inline data, multipart heads) or a segment read. */
export type Piece = Uint8Array | SegmentRead;

/** The pieces of bytes [start, end) of the large object. */
export type Slicer = (start: number, end: number) => AsyncIterable<Piece>;

/** A segment that is missing, changed, or a listing that failed while the body was being sent. */
export class SegmentError extends Error {
  override readonly name = "SegmentError";
}

/** How a large object's reads are opened and paced. */
export interface BodyOptions {
  /** Swift's swift.source of the segment subrequests ("SLO", "DLO"). */
  source: "SLO" | "DLO";
  /** Whether a read counts against the rate limit (Swift: ratelimit_if). */
  rateLimited: (read: SegmentRead) => boolean;
  /** The large object's path, for log lines. */
  name: string;
}

interface OpenedRead {
  body: ReadableStream<Uint8Array>;
  /** Bytes the read must yield; null for a DLO tail whose end is the segment's. */
  length: number | null;
}

/** The number of bytes a read must return, when the recorded size says so. */
function expectedLength(read: SegmentRead): number | null {
  if (read.last !== null) return read.last - read.first + 1;
  return read.size === null ? null : read.size - read.first;
}

/** GETs one segment read and checks its status, ETag and size; throws SegmentError otherwise. */
async function openRead(req: SwiftRequest, read: SegmentRead, source: string): Promise<OpenedRead> {
  const ranged = read.first > 0 || (read.last !== null && (read.size === null || read.last < read.size - 1));
  const headers: Record<string, string> = ranged ? { [H.RANGE]: `bytes=${read.first}-${read.last ?? ""}` } : {};
  const response = await subrequest(req, { method: "GET", path: read.path, headers, source });
  const fail = async (why: string): Promise<never> => {
    await response.body?.cancel();
    throw new SegmentError(`segment ${read.path} ${why}`);
  };
  if (response.status !== (ranged ? 206 : 200)) return fail(`answered ${response.status}`);
  const etag = normalizeEtag(response.headers.get(H.ETAG));
  if (read.etag !== null && etag !== read.etag) return fail(`has ETag ${etag ?? "none"}, not ${read.etag}`);
  const contentRange = /\/(\d+)$/.exec(response.headers.get(H.CONTENT_RANGE) ?? "");
  const size = ranged
    ? contentRange?.[1] === undefined
      ? null
      : Number(contentRange[1])
    : Number(response.headers.get(H.CONTENT_LENGTH));
  if (read.size !== null && size !== read.size) return fail(`has ${size ?? "unknown"} bytes, not ${read.size}`);
  const length = expectedLength(read);
  if (length !== null && Number(response.headers.get(H.CONTENT_LENGTH)) !== length)
    return fail(`sent ${response.headers.get(H.CONTENT_LENGTH)} bytes, not ${length}`);
  if (!response.body) {
    if (length === 0) return { body: new Blob([]).stream(), length };
    return fail("has no body");
  }
  return { body: response.body, length };
}

/** Swift's RateLimitedIterator: after `after` reads, at most `perSecond` reads a second on average. */
class RateLimiter {
  #remainingFree = LARGE_OBJECT_RATE_LIMIT_AFTER_SEGMENT;
  #runningTimeMs = 0;

  /** Swift: common/utils.py ratelimit_sleep (rate_buffer 5 s: idle time banks at most that much). */
  async wait(): Promise<void> {
    if (this.#remainingFree > 0) {
      this.#remainingFree -= 1;
      return;
    }
    const now = Date.now();
    const slotMs = 1000 / LARGE_OBJECT_RATE_LIMIT_SEGMENTS_PER_SECOND;
    if (now - this.#runningTimeMs > 5000) this.#runningTimeMs = now;
    else if (this.#runningTimeMs - now > slotMs)
      await new Promise((resolve) => setTimeout(resolve, this.#runningTimeMs - now));
    this.#runningTimeMs += slotMs;
  }
}

/**
 * The body of `pieces` as a stream of `length` bytes (null: unknown, sent chunked). The first
 * segment is opened before returning: 409 Conflict when it is not as recorded, as Swift's
 * validate_first_segment answers.
 */
export async function streamPieces(
  req: SwiftRequest,
  pieces: AsyncIterable<Piece>,
  length: number | null,
  options: BodyOptions,
): Promise<ReadableStream<Uint8Array>> {
  const iterator = pieces[Symbol.asyncIterator]();
  const leading: Uint8Array[] = [];
  let first: { read: SegmentRead; opened: OpenedRead } | null = null;
  const limiter = new RateLimiter();
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (next.value instanceof Uint8Array) {
        leading.push(next.value);
        continue;
      }
      if (options.rateLimited(next.value)) await limiter.wait();
      first = { read: next.value, opened: await openRead(req, next.value, options.source) };
      break;
    }
  } catch (error) {
    if (error instanceof SegmentError) {
      console.warn(`${options.source} GET ${options.name}: ${error.message}`);
      throw new SwiftError("Conflict");
    }
    throw error;
  }
  const { readable, writable } = length === null ? new IdentityTransformStream() : new FixedLengthStream(length);
  req.waitUntil(pump(req, iterator, leading, first, writable, limiter, options));
  return readable;
}

async function pump(
  req: SwiftRequest,
  iterator: AsyncIterator<Piece>,
  leading: Uint8Array[],
  first: { read: SegmentRead; opened: OpenedRead } | null,
  writable: WritableStream<Uint8Array>,
  limiter: RateLimiter,
  options: BodyOptions,
): Promise<void> {
  const writer = writable.getWriter();
  const started = Date.now();
  let unread = first;
  try {
    for (const bytes of leading) await writer.write(bytes);
    if (unread) {
      const opened = unread;
      unread = null;
      await copyRead(opened.read, opened.opened, writer);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (Date.now() - started > LARGE_OBJECT_MAX_GET_TIME_SECONDS * 1000)
          throw new SegmentError("max_get_time exceeded");
        if (next.value instanceof Uint8Array) {
          await writer.write(next.value);
          continue;
        }
        if (options.rateLimited(next.value)) await limiter.wait();
        await copyRead(next.value, await openRead(req, next.value, options.source), writer);
      }
    }
    await writer.close();
  } catch (error) {
    console.warn(`${options.source} GET ${options.name} ended early:`, error instanceof Error ? error.message : error);
    await unread?.opened.body.cancel().catch(() => undefined);
    await writer.abort(error).catch(() => undefined);
    await iterator.return?.().catch(() => undefined);
  }
}

/** Copies one read chunk by chunk (each write waits for the client); exactly its length, or SegmentError. */
async function copyRead(
  read: SegmentRead,
  opened: OpenedRead,
  writer: WritableStreamDefaultWriter<Uint8Array>,
): Promise<void> {
  const reader = opened.body.getReader();
  let copied = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      copied += chunk.value.byteLength;
      if (opened.length !== null && copied > opened.length)
        throw new SegmentError(`segment ${read.path} sent more than ${opened.length} bytes`);
      await writer.write(chunk.value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  if (opened.length !== null && copied !== opened.length)
    throw new SegmentError(`segment ${read.path} sent ${copied} bytes, not ${opened.length}`);
}

/** A response body and headers for a GET of a large object of `size` bytes, whole or in ranges. */
export interface RangedBody {
  status: 200 | 206;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * The body of a whole large object (ranges empty), one range (206 with Content-Range), or several
 * (206 multipart/byteranges, parts as swob writes them). `size` null: whole, length unknown.
 */
export async function rangedBody(
  req: SwiftRequest,
  slicer: Slicer,
  size: number | null,
  ranges: readonly ByteRange[],
  contentType: string,
  options: BodyOptions,
): Promise<RangedBody> {
  const [only] = ranges;
  if (!only || size === null) {
    const body =
      size === 0 ? null : await streamPieces(req, slicer(0, size ?? Number.POSITIVE_INFINITY), size, options);
    return { status: 200, headers: size === null ? {} : { [H.CONTENT_LENGTH]: String(size) }, body };
  }
  if (ranges.length === 1) {
    const body = await streamPieces(req, slicer(only.start, only.end), only.end - only.start, options);
    return {
      status: 206,
      headers: {
        [H.CONTENT_LENGTH]: String(only.end - only.start),
        [H.CONTENT_RANGE]: `bytes ${only.start}-${only.end - 1}/${size}`,
      },
      body,
    };
  }
  const { parts, crlf, tail, length, contentType: multipartType } = byteRangesFraming(ranges, size, contentType);
  async function* multipart(): AsyncIterable<Piece> {
    for (const part of parts) {
      yield part.head;
      yield* slicer(part.range.start, part.range.end);
      yield crlf;
    }
    yield tail;
  }
  const body = await streamPieces(req, multipart(), length, options);
  return { status: 206, headers: { [H.CONTENT_TYPE]: multipartType, [H.CONTENT_LENGTH]: String(length) }, body };
}
