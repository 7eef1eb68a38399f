/**
 * @module
 * Path → md5 → partition, byte for byte as Swift computes it, so the same hash prefix, suffix and
 * path land on the same partition here and in Swift (test/unit/ring/hash-path.test.ts holds
 * Swift's own answers).
 */
import { md5 } from "@noble/hashes/legacy.js";

const UTF8 = new TextEncoder();

/**
 * The md5 digest of a path. Swift: common/utils hash_path():
 * `md5(prefix + "/" + "/".join([account, container?, object?]) + suffix)`, UTF-8; an empty
 * container or object is left out, and an object needs a container.
 */
export function hashPath(
  prefix: string,
  suffix: string,
  account: string,
  container?: string | null,
  object?: string | null,
): Uint8Array {
  if (object && !container) throw new Error("hashPath: container is required if object is provided");
  let path = prefix + "/" + account;
  if (container) path += "/" + container;
  if (object) path += "/" + object;
  return md5(UTF8.encode(path + suffix));
}

/**
 * The partition of a digest: its first four bytes read big-endian, top `partPower` bits.
 * Swift: ring.py `struct.unpack_from('>I', key)[0] >> part_shift`. (JavaScript's `>>> 32` is a
 * no-op, hence part power 0 by hand.)
 */
export function partitionOf(digest: Uint8Array, partPower: number): number {
  if (partPower === 0) return 0;
  const top = (((digest[0] ?? 0) << 24) | ((digest[1] ?? 0) << 16) | ((digest[2] ?? 0) << 8) | (digest[3] ?? 0)) >>> 0;
  return top >>> (32 - partPower);
}
