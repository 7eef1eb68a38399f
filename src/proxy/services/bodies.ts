/**
 * @module
 * Object bodies in R2: written once per distinct bucket of the object's zones under an
 * immutable key per (object, timestamp), streamed with flat memory. A body of known length up to
 * IN_MEMORY_BODY_MAX is read whole and put from memory (far cheaper than a stream per bucket);
 * a larger one is pumped into one FixedLengthStream per bucket (R2's put needs a known length);
 * a chunked body goes through R2 multipart uploads with uniform parts, one part buffered at a time.
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import { CHUNKED_PART_SIZE, IN_MEMORY_BODY_MAX } from "../../common/constraints";
import { md5Hex } from "../../common/digest";
import { SwiftError } from "../../common/errors";
import { countWork, type WorkCounter } from "../../common/work";
import { readAtMost } from "../../common/bodies";
export { copyBody } from "../../common/bodies";
export { countR2 };

export interface BodyTarget {
  /** The binding name, which identifies the bucket. */
  name: string;
  bucket: R2Bucket;
  /** The zone whose bucket it is. */
  zone?: string;
}

export interface WrittenBody {
  etag: string;
  size: number;
  /** Binding names of the buckets that hold the body. */
  written: Set<string>;
}

/**
 * Immutable body key: account first (so the reaper can list an account), then the object's hash and the write's
 * timestamp.
 */
export function bodyKey(account: string, objectHashHex: string, timestamp: string): string {
  return `${account}/${objectHashHex}/${timestamp}`;
}

interface Sink {
  target: BodyTarget;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  put: Promise<R2Object | null>;
  failed: Promise<void>;
  ok: boolean;
}

/**
 * Writes a body of `length` bytes (null: unknown, chunked) to every target. Throws 413 past
 * `maxFileSize`, 499 when the client's body ends early or fails, 503 when no bucket took it.
 */
export async function writeBody(
  key: string,
  source: ReadableStream<Uint8Array> | null,
  length: number | null,
  targets: readonly BodyTarget[],
  maxFileSize: number,
): Promise<WrittenBody> {
  if (length !== null && length > maxFileSize) throw new SwiftError("RequestEntityTooLarge");
  if (length === 0 || source === null) return writeSmall(key, new Uint8Array(0), targets);
  if (length === null) return writeChunked(key, source, targets, maxFileSize);
  if (length <= IN_MEMORY_BODY_MAX) return writeSmall(key, await readExactly(source, length), targets);
  return writeKnownLength(key, source, length, targets);
}

/** A body of `length` bytes read whole; 499 when the client sends fewer or more, or its upload fails. */
async function readExactly(source: ReadableStream<Uint8Array>, length: number): Promise<Uint8Array> {
  const disconnect = () => new SwiftError("ClientDisconnect");
  const bytes = await readAtMost(source, length, disconnect).catch(() => {
    throw disconnect();
  });
  if (bytes.byteLength !== length) throw disconnect();
  return bytes;
}

/** Counts R2 operations of a pricing class (null: free, as a delete or an abort), each a subrequest. */
function countR2(counter: WorkCounter | null, n = 1): void {
  if (counter) countWork(counter, n);
  countWork("subrequests", n);
}

async function writeSmall(key: string, bytes: Uint8Array, targets: readonly BodyTarget[]): Promise<WrittenBody> {
  countR2("r2ClassA", targets.length);
  const results = await Promise.allSettled(targets.map((target) => target.bucket.put(key, bytes)));
  const written = new Set<string>();
  results.forEach((result, index) => {
    const target = targets[index];
    if (result.status === "fulfilled" && target) written.add(target.name);
  });
  if (!written.size) throw new SwiftError("ServiceUnavailable");
  const etag = await md5Hex(bytes);
  return { etag, size: bytes.byteLength, written };
}

async function writeKnownLength(
  key: string,
  source: ReadableStream<Uint8Array>,
  length: number,
  targets: readonly BodyTarget[],
): Promise<WrittenBody> {
  countR2("r2ClassA", targets.length);
  const sinks: Sink[] = targets.map((target) => {
    const stream = new FixedLengthStream(length);
    const put = target.bucket.put(key, stream.readable);
    const sink: Sink = { target, writer: stream.writable.getWriter(), put, failed: Promise.resolve(), ok: true };
    sink.failed = put.then(
      () => new Promise<void>(() => undefined),
      () => {
        sink.ok = false;
      },
    );
    return sink;
  });
  const reader = source.getReader();
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > length) break;
      await Promise.all(
        sinks
          .filter((sink) => sink.ok)
          .map((sink) => Promise.race([sink.writer.write(value).catch(() => (sink.ok = false)), sink.failed])),
      );
      if (!sinks.some((sink) => sink.ok)) break;
    }
  } catch {
    await abortSinks(sinks);
    throw new SwiftError("ClientDisconnect");
  }
  if (received !== length) {
    await abortSinks(sinks);
    reader.releaseLock();
    throw new SwiftError("ClientDisconnect");
  }
  await Promise.all(sinks.map((sink) => sink.writer.close().catch(() => (sink.ok = false))));
  const objects = await Promise.allSettled(sinks.map((sink) => sink.put));
  const written = new Set<string>();
  let etag = "";
  objects.forEach((result, index) => {
    const sink = sinks[index];
    if (!sink || result.status !== "fulfilled" || !result.value) return;
    written.add(sink.target.name);
    const md5 = result.value.checksums.md5;
    etag ||= md5 ? bytesToHex(new Uint8Array(md5)) : result.value.etag;
  });
  if (!written.size) throw new SwiftError("ServiceUnavailable");
  return { etag, size: length, written };
}

async function abortSinks(sinks: readonly Sink[]): Promise<void> {
  await Promise.allSettled(sinks.map((sink) => sink.writer.abort(new Error("upload aborted"))));
  await Promise.allSettled(sinks.map((sink) => sink.put));
}

/** A chunked upload: below one part a single put, else a multipart upload per bucket with uniform parts. */
async function writeChunked(
  key: string,
  source: ReadableStream<Uint8Array>,
  targets: readonly BodyTarget[],
  maxFileSize: number,
): Promise<WrittenBody> {
  const digest = new crypto.DigestStream("MD5");
  const digestWriter = digest.getWriter();
  const reader = source.getReader();
  let part = new Uint8Array(CHUNKED_PART_SIZE);
  let filled = 0;
  let size = 0;
  let uploads: { target: BodyTarget; upload: R2MultipartUpload | null; parts: R2UploadedPart[] }[] | null = null;

  const flushPart = async (bytes: Uint8Array): Promise<void> => {
    if (uploads === null) countR2("r2ClassA", targets.length);
    uploads ??= await Promise.all(
      targets.map(async (target) => ({
        target,
        upload: await target.bucket.createMultipartUpload(key).catch(() => null),
        parts: [] as R2UploadedPart[],
      })),
    );
    const number = (uploads[0]?.parts.length ?? 0) + 1;
    await Promise.all(
      uploads.map(async (entry) => {
        if (!entry.upload) return;
        try {
          countR2("r2ClassA");
          entry.parts.push(await entry.upload.uploadPart(number, bytes));
        } catch {
          countR2(null);
          await entry.upload.abort().catch(() => undefined);
          entry.upload = null;
        }
      }),
    );
    if (!uploads.some((entry) => entry.upload)) throw new SwiftError("ServiceUnavailable");
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxFileSize) throw new SwiftError("RequestEntityTooLarge");
      await digestWriter.write(value);
      let offset = 0;
      while (offset < value.byteLength) {
        const take = Math.min(value.byteLength - offset, CHUNKED_PART_SIZE - filled);
        part.set(value.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === CHUNKED_PART_SIZE) {
          await flushPart(part);
          part = new Uint8Array(CHUNKED_PART_SIZE);
          filled = 0;
        }
      }
    }
  } catch (error) {
    await abortUploads(uploads);
    if (error instanceof SwiftError) throw error;
    throw new SwiftError("ClientDisconnect");
  }
  await digestWriter.close();
  const etag = bytesToHex(new Uint8Array(await digest.digest));
  if (uploads === null) {
    const small = await writeSmall(key, part.subarray(0, filled), targets);
    return { etag, size, written: small.written };
  }
  if (filled > 0) await flushPart(part.subarray(0, filled));
  const written = new Set<string>();
  await Promise.all(
    (uploads as { target: BodyTarget; upload: R2MultipartUpload | null; parts: R2UploadedPart[] }[]).map(
      async (entry) => {
        if (!entry.upload) return;
        try {
          countR2("r2ClassA");
          await entry.upload.complete(entry.parts);
          written.add(entry.target.name);
        } catch {
          countR2(null);
          await entry.upload.abort().catch(() => undefined);
        }
      },
    ),
  );
  if (!written.size) throw new SwiftError("ServiceUnavailable");
  return { etag, size, written };
}

async function abortUploads(uploads: { upload: R2MultipartUpload | null }[] | null): Promise<void> {
  if (!uploads) return;
  countR2(null, uploads.filter((entry) => entry.upload).length);
  await Promise.allSettled(uploads.map((entry) => entry.upload?.abort()));
}

/** Deletes a body from buckets, best effort (a failed write's leftovers). */
export async function deleteBody(key: string, targets: readonly BodyTarget[]): Promise<void> {
  countR2(null, targets.length);
  await Promise.allSettled(targets.map((target) => target.bucket.delete(key)));
}
