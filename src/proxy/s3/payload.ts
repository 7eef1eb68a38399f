/**
 * @module
 * The body of a verified S3 request as the object store must read it (auth/sigv4.ts decides which
 * check applies): the bytes as sent with their sha256 checked at the end (x-amz-content-sha256), or
 * an aws-chunked body decoded, each chunk's signature checked as it completes (chaining from the
 * request's seed signature, the final empty chunk's too), the trailing headers read and, for the
 * signed-trailer variant, their signature checked. It streams: a signed chunk is held until its
 * signature holds (a chunk over MAX_HELD_CHUNK passes on as it comes, still checked at its end),
 * and a line of framing may be at most MAX_LINE bytes.
 * AWS: sigv4-streaming.html, sigv4-streaming-trailers.html; Swift: common/middleware/s3api/
 * s3request.py HashingInput, StreamingInput.
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { constantTimeEqual } from "../../common/compare";
import { type ChunkSigning, EMPTY_SHA256, hmacHex, type PayloadCheck, sha256Hex } from "../auth/sigv4";
import { S3Error } from "./errors";

/** The trailing headers of an aws-chunked body, lower-case names (e.g. x-amz-checksum-crc32), once it has ended. */
export interface Trailers {
  readonly headers: Map<string, string>;
}

/** The longest line of aws-chunked framing (a chunk header, a trailer), CRLF aside. */
export const MAX_LINE = 4096;
/** The largest signed chunk held back until its signature is checked. */
export const MAX_HELD_CHUNK = 16 * 1024 * 1024;
/** The most trailing headers a body may end with. */
export const MAX_TRAILERS = 32;

type ChunkedCheck = Extract<PayloadCheck, { mode: "chunked" }>;

/**
 * The body as the object store must see it: for "sha256" the same bytes, erroring the stream with
 * S3Error XAmzContentSHA256Mismatch at the end when the digest differs; for "chunked" the decoded bytes
 * (each chunk's signature checked, `chunk-signature` chaining from the seed; the final 0-length chunk's too;
 * the trailer's `x-amz-trailer-signature` checked for the signed trailer variant; malformed framing →
 * S3Error IncompleteBody or InvalidRequest; a decoded total different from decodedLength → IncompleteBody),
 * with the trailing headers (x-amz-checksum-*) recorded in `trailers` once the stream has ended;
 * for "unsigned" the body as it is. Must stream: never hold the whole body; hold at most one chunk
 * (chunks up to e.g. 16 MiB are fine) — bound line lengths (a chunk header longer than 4 KiB is an error).
 */
export function checkedBody(
  body: ReadableStream<Uint8Array> | null,
  check: PayloadCheck,
): { body: ReadableStream<Uint8Array> | null; trailers: Trailers } {
  const trailers: Trailers = { headers: new Map() };
  switch (check.mode) {
    case "unsigned":
      return { body, trailers };
    case "sha256":
      return { body: sha256Checked(body, check.sha256.toLowerCase()), trailers };
    case "chunked":
      return { body: decodedChunks(body, check, trailers.headers), trailers };
  }
}

/** The string a chunk's signature signs (AWS: sigv4-streaming.html). */
export function chunkStringToSign(signing: ChunkSigning, previousSignature: string, dataSha256: string): string {
  return (
    `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${previousSignature}\n` +
    `${EMPTY_SHA256}\n${dataSha256}`
  );
}

/** The string the trailer's signature signs: the sha256 of the trailing headers, each `name:value\n`. */
export function trailerStringToSign(signing: ChunkSigning, previousSignature: string, trailersSha256: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${previousSignature}\n${trailersSha256}`;
}

function erroring(error: S3Error): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(error);
    },
  });
}

function sha256Mismatch(expected: string, actual: string): S3Error {
  return new S3Error("XAmzContentSHA256Mismatch", undefined, {
    ClientComputedContentSHA256: expected,
    S3ComputedContentSHA256: actual,
  });
}

function sha256Checked(body: ReadableStream<Uint8Array> | null, expected: string): ReadableStream<Uint8Array> | null {
  if (body === null) return expected === EMPTY_SHA256 ? null : erroring(sha256Mismatch(expected, EMPTY_SHA256));
  const hash = sha256.create();
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        const actual = bytesToHex(hash.digest());
        if (actual !== expected) throw sha256Mismatch(expected, actual);
      },
    }),
  );
}

function decodedChunks(
  body: ReadableStream<Uint8Array> | null,
  check: ChunkedCheck,
  trailers: Map<string, string>,
): ReadableStream<Uint8Array> {
  // No body at all is a body cut short before its final chunk.
  if (body === null) return erroring(truncated());
  const decoder = new ChunkedDecoder(check, trailers);
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        decoder.push(chunk, (bytes) => controller.enqueue(bytes));
      },
      flush() {
        decoder.end();
      },
    }),
  );
}

function truncated(): S3Error {
  return new S3Error("IncompleteBody", "The request body terminated unexpectedly");
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function compareNames(a: string, b: string): number {
  const [left, right] = [a.toLowerCase(), b.toLowerCase()];
  return left < right ? -1 : left > right ? 1 : 0;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

type State =
  | "header" // a chunk header line: hex-size[;chunk-signature=…]
  | "data" // a chunk's bytes
  | "data-end" // the CRLF after a chunk's bytes
  | "trailers" // trailing header lines, up to an empty line
  | "last-line" // the empty line after the final chunk of a variant without trailers
  | "done";

/** An aws-chunked decoder fed pieces split anywhere, emitting each chunk's bytes once they may pass. */
class ChunkedDecoder {
  private state: State = "header";
  private readonly signing: ChunkSigning | null;
  private previousSignature: string;
  /** The line being read: its pieces so far and their length. */
  private line: Uint8Array[] = [];
  private lineLength = 0;
  /** The chunk being read: the bytes left, its signature, its running hash, the pieces held back. */
  private remaining = 0;
  private chunkSignature = "";
  private hash = sha256.create();
  private held: Uint8Array[] = [];
  private heldLength = 0;
  private holding = false;
  private dataEndSeen = 0;
  private decoded = 0;
  private readonly trailerLines: { name: string; value: string }[] = [];
  private trailerSignature: string | null = null;

  constructor(
    private readonly check: ChunkedCheck,
    private readonly trailers: Map<string, string>,
  ) {
    this.signing = check.signing;
    this.previousSignature = check.signing?.seedSignature ?? "";
  }

  push(input: Uint8Array, emit: (bytes: Uint8Array) => void): void {
    let at = 0;
    while (at < input.length) {
      switch (this.state) {
        case "data": {
          const take = Math.min(this.remaining, input.length - at);
          const piece = input.subarray(at, at + take);
          at += take;
          this.remaining -= take;
          this.decoded += take;
          if (this.signing) this.hash.update(piece);
          if (this.holding) {
            this.held.push(piece);
            this.heldLength += take;
          } else emit(piece);
          if (this.remaining === 0) {
            if (this.signing) this.verifyChunk(bytesToHex(this.hash.digest()));
            if (this.held.length) emit(concat(this.held, this.heldLength));
            this.held = [];
            this.heldLength = 0;
            this.state = "data-end";
            this.dataEndSeen = 0;
          }
          break;
        }
        case "data-end": {
          const expected = this.dataEndSeen === 0 ? 13 : 10;
          if (input[at] !== expected) throw truncated();
          at++;
          if (++this.dataEndSeen === 2) this.state = "header";
          break;
        }
        case "done": {
          // Nothing may follow the end but stray line ends (AWS's own trailer example ends `\n\r\n\r\n`).
          if (input[at] !== 13 && input[at] !== 10) throw truncated();
          at++;
          break;
        }
        default: {
          const newline = input.indexOf(10, at);
          const end = newline < 0 ? input.length : newline;
          if (end > at) {
            this.line.push(input.subarray(at, end));
            this.lineLength += end - at;
          }
          if (this.lineLength > MAX_LINE + 1) {
            throw new S3Error("InvalidRequest", `An aws-chunked line is longer than ${MAX_LINE} bytes`);
          }
          at = end;
          if (newline >= 0) {
            at++;
            const line = concat(this.line, this.lineLength);
            this.line = [];
            this.lineLength = 0;
            this.onLine(line);
          }
        }
      }
    }
  }

  /** The body has ended: anything but a complete body is IncompleteBody. */
  end(): void {
    // Swift too accepts a body that stops right after the final chunk of a variant without trailers.
    if (this.state === "last-line" && this.lineLength === 0) this.state = "done";
    if (this.state !== "done") throw truncated();
    // The decoded length was checked at the final chunk's header: nothing is decoded after it.
  }

  private checkDecodedLength(more: number): void {
    const expected = this.check.decodedLength;
    const provided = this.decoded + more;
    if (expected !== null && (more > 0 ? provided > expected : provided !== expected)) {
      throw new S3Error("IncompleteBody", undefined, {
        NumberBytesExpected: String(expected),
        NumberBytesProvided: String(provided),
      });
    }
  }

  private onLine(bytes: Uint8Array): void {
    const crlf = bytes[bytes.length - 1] === 13;
    const line = (this.state === "trailers" ? utf8 : latin1).decode(crlf ? bytes.subarray(0, -1) : bytes);
    switch (this.state) {
      case "header":
        if (!crlf) throw truncated();
        this.onChunkHeader(line);
        break;
      case "trailers":
        this.onTrailerLine(line);
        break;
      case "last-line":
        if (line !== "") throw truncated();
        this.state = "done";
        break;
    }
  }

  private onChunkHeader(line: string): void {
    const semicolon = line.indexOf(";");
    const sizeText = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeText)) throw truncated();
    const size = Number.parseInt(sizeText, 16);
    if (this.signing) {
      const extension = semicolon < 0 ? "" : line.slice(semicolon + 1);
      const equals = extension.indexOf("=");
      if (equals < 0 || extension.slice(0, equals).trim() !== "chunk-signature") {
        throw semicolon < 0 ? truncated() : new S3Error("SignatureDoesNotMatch");
      }
      this.chunkSignature = extension.slice(equals + 1).trim();
      if (this.chunkSignature === "" || this.chunkSignature.includes(";")) throw truncated();
    }
    this.checkDecodedLength(size);
    if (size === 0) {
      this.verifyChunk(EMPTY_SHA256);
      this.state = this.check.trailer ? "trailers" : "last-line";
      return;
    }
    this.remaining = size;
    this.hash = sha256.create();
    this.holding = this.signing !== null && size <= MAX_HELD_CHUNK;
    this.state = "data";
  }

  private verifyChunk(dataSha256: string): void {
    if (!this.signing) return;
    const expected = hmacHex(
      this.signing.signingKey,
      chunkStringToSign(this.signing, this.previousSignature, dataSha256),
    );
    if (!constantTimeEqual(expected, this.chunkSignature)) throw new S3Error("SignatureDoesNotMatch");
    this.previousSignature = expected;
  }

  private onTrailerLine(line: string): void {
    if (line === "") {
      this.finishTrailers();
      return;
    }
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    if (name === "" || this.trailerLines.length >= MAX_TRAILERS) throw new S3Error("MalformedTrailerError");
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "x-amz-trailer-signature") {
      if (this.trailerSignature !== null) throw new S3Error("MalformedTrailerError");
      this.trailerSignature = value;
    } else this.trailerLines.push({ name, value });
  }

  private finishTrailers(): void {
    if (this.signing) {
      if (this.trailerSignature === null) throw truncated();
      // Swift: SigCheckerV4._trailer_string_to_sign, the trailers sorted by lower-case name.
      const canonical =
        [...this.trailerLines]
          .sort((a, b) => compareNames(a.name, b.name))
          .map(({ name, value }) => `${name}:${value}\n`)
          .join("") || "\n";
      const expected = hmacHex(
        this.signing.signingKey,
        trailerStringToSign(this.signing, this.previousSignature, sha256Hex(canonical)),
      );
      if (!constantTimeEqual(expected, this.trailerSignature)) throw new S3Error("SignatureDoesNotMatch");
    }
    for (const { name, value } of this.trailerLines) this.trailers.set(name.toLowerCase(), value);
    this.state = "done";
  }
}
