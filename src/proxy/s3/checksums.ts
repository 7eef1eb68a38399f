/**
 * @module
 * S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), as current SDKs send them:
 * in an `x-amz-checksum-<algorithm>` header or in an aws-chunked body's trailer. The body is
 * checked as it streams (a mismatch fails the upload, so nothing is stored), the value kept as
 * object system metadata and returned with `x-amz-checksum-mode: ENABLED`. The CRCs are AWS's
 * own implementations. AWS: checking-object-integrity.html; Swift: s3api s3request.py
 * _validate_checksum_*.
 */

import { AwsCrc32 } from "@aws-crypto/crc32";
import { AwsCrc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { S3Error } from "./errors";
import { s3Sysmeta } from "./headers";
import type { Trailers } from "./payload";

export const ALGORITHMS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const;
export type ChecksumAlgorithm = (typeof ALGORITHMS)[number];

/** The header (and trailer) name of an algorithm's checksum. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm}`;
}

/** The system metadata an object keeps its checksum in. */
export function checksumSysmeta(algorithm: ChecksumAlgorithm): string {
  return s3Sysmeta(`checksum-${algorithm}`);
}

interface Hasher {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

function hasherOf(algorithm: ChecksumAlgorithm): Hasher {
  switch (algorithm) {
    case "crc32":
      return new AwsCrc32();
    case "crc32c":
      return new AwsCrc32c();
    case "crc64nvme":
      return new Crc64Nvme();
    case "sha1": {
      const hash = sha1.create();
      return { update: (data) => hash.update(data), digest: async () => hash.digest() };
    }
    case "sha256": {
      const hash = sha256.create();
      return { update: (data) => hash.update(data), digest: async () => hash.digest() };
    }
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function isAlgorithm(name: string): name is ChecksumAlgorithm {
  return (ALGORITHMS as readonly string[]).includes(name);
}

/** What a write declares: the algorithm, and the value when a header carries it (a trailer's comes later). */
export interface DeclaredChecksum {
  algorithm: ChecksumAlgorithm;
  value: string | null;
}

/**
 * The checksum a write declares: an `x-amz-checksum-*` header, or a trailer named by
 * `x-amz-trailer`; `x-amz-sdk-checksum-algorithm` alone names the algorithm to compute. More
 * than one, or an algorithm S3 does not know, is InvalidRequest.
 */
export function declaredChecksum(headers: Headers): DeclaredChecksum | null {
  const given = ALGORITHMS.filter((algorithm) => headers.has(checksumHeader(algorithm)));
  if (given.length > 1)
    throw new S3Error(
      "InvalidRequest",
      "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    );
  const [algorithm] = given;
  if (algorithm) return { algorithm, value: headers.get(checksumHeader(algorithm)) };
  const trailer = headers.get("x-amz-trailer");
  if (trailer !== null) {
    const name = trailer.trim().toLowerCase();
    const named = name.startsWith("x-amz-checksum-") ? name.slice("x-amz-checksum-".length) : "";
    if (!isAlgorithm(named)) throw new S3Error("InvalidRequest", `Invalid trailer: ${trailer}`);
    return { algorithm: named, value: null };
  }
  const sdk = headers.get("x-amz-sdk-checksum-algorithm");
  if (sdk !== null) {
    const named = sdk.toLowerCase();
    if (!isAlgorithm(named))
      throw new S3Error("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    return { algorithm: named, value: null };
  }
  return null;
}

/** What a checked body ends with: the checksum, once the body has been read whole. */
export interface ChecksumResult {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the digest; null until the body has ended. */
  value: string | null;
}

function mismatch(algorithm: ChecksumAlgorithm): S3Error {
  return new S3Error(
    "BadDigest",
    `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
  );
}

/**
 * The body with its checksum computed as it passes; at its end the value declared (header, or
 * the trailer read by then) must match, else the stream fails with BadDigest before it closes,
 * so the store never keeps it. Without a declared checksum the body passes untouched.
 */
export function checksummedBody(
  body: ReadableStream<Uint8Array> | null,
  declared: DeclaredChecksum | null,
  trailers: Trailers,
): { body: ReadableStream<Uint8Array> | null; result: ChecksumResult | null } {
  if (declared === null) return { body, result: null };
  const result: ChecksumResult = { algorithm: declared.algorithm, value: null };
  const hasher = hasherOf(declared.algorithm);
  const check = async () => {
    const value = base64(await hasher.digest());
    const expected = declared.value ?? trailers.headers.get(checksumHeader(declared.algorithm)) ?? null;
    if (expected !== null && expected !== value) throw mismatch(declared.algorithm);
    result.value = value;
  };
  if (body === null) {
    return {
      body: null,
      result: { algorithm: declared.algorithm, value: null },
    };
  }
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hasher.update(chunk);
      controller.enqueue(chunk);
    },
    flush: check,
  });
  return { body: body.pipeThrough(transform), result };
}

/** The checksum of an empty body, for a write without one. */
export async function emptyChecksum(algorithm: ChecksumAlgorithm): Promise<string> {
  return base64(await hasherOf(algorithm).digest());
}

/** A whole small stream read and dropped (a zero-length body, to reach its trailer). */
async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  for (;;) if ((await reader.read()).done) return;
}

/**
 * What a write sends to Swift for its checksum: the body to store (checked as it streams), the
 * headers to store with it (a checksum declared in a header), the footers (one from a trailer,
 * known at the end), and the response header once written. A zero-length body is read here,
 * since the store never reads it.
 */
export async function checksumOfWrite(
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
  trailers: Trailers,
  length: string,
): Promise<{
  body: ReadableStream<Uint8Array> | null;
  headers: Record<string, string>;
  footers: (() => Record<string, string>) | undefined;
  responseHeaders: () => Record<string, string>;
}> {
  const declared = declaredChecksum(headers);
  if (declared === null) return { body, headers: {}, footers: undefined, responseHeaders: () => ({}) };
  const checked = checksummedBody(body, declared, trailers);
  const result = checked.result ?? { algorithm: declared.algorithm, value: null };
  let stored = checked.body;
  if (length === "0") {
    if (stored !== null) await drain(stored);
    const value = await emptyChecksum(declared.algorithm);
    const expected = declared.value ?? trailers.headers.get(checksumHeader(declared.algorithm)) ?? null;
    if (expected !== null && expected !== value) throw mismatch(declared.algorithm);
    result.value = value;
    stored = null;
  }
  const name = checksumSysmeta(declared.algorithm);
  const known = declared.value !== null || result.value !== null;
  return {
    body: stored,
    headers: known ? { [name]: declared.value ?? result.value ?? "" } : {},
    footers: known ? undefined : () => (result.value === null ? {} : { [name]: result.value }),
    responseHeaders: () =>
      result.value === null && declared.value === null
        ? {}
        : { [checksumHeader(declared.algorithm)]: result.value ?? declared.value ?? "" },
  };
}

/** The stored checksum headers of an object, as GetObject and HeadObject return them with checksum mode on. */
export function storedChecksums(swift: Headers): Record<string, string> {
  const found: Record<string, string> = {};
  for (const algorithm of ALGORITHMS) {
    const value = swift.get(checksumSysmeta(algorithm));
    if (value !== null) found[checksumHeader(algorithm)] = value;
  }
  return found;
}
