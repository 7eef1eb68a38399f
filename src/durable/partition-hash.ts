/**
 * @module
 * Row, leaf, bucket and partition hashes, pure. A row hash is md5 over the row's name, timestamps
 * and deleted flag; rows fall into 65,536 leaves by the first 16 bits of md5(name), and leaves into
 * 256 buckets. Every level is the XOR of the row hashes below it, so one row change updates a
 * leaf, its bucket and the partition hash in O(1), and equal partition hashes mean equal rows.
 * Swift keeps the same kind of running XOR in its account/container DBs (db.py chexor).
 */

import { bytesToHex } from "@noble/hashes/utils.js";
import { md5 } from "@noble/hashes/legacy.js";
import type { ContainerReport } from "./rows";

/** A 128-bit hash as 32 hex characters; the XOR identity is all zeros. */
export type Hash = string;

export const ZERO_HASH: Hash = "0".repeat(32);
export const LEAF_BITS = 16;
export const BUCKET_BITS = 8;
export const LEAF_COUNT = 1 << LEAF_BITS;
export const BUCKET_COUNT = 1 << BUCKET_BITS;

const encoder = new TextEncoder();

/** The hash of one row: its key and every timestamp that orders it, and whether it is a tombstone. */
export function rowHash(key: string, timestamps: readonly string[], deleted: 0 | 1): Hash {
  return bytesToHex(md5(encoder.encode(`${key}\u0000${timestamps.join("\u0000")}\u0000${deleted}`)));
}

/** The leaf (0…65535) a row key falls into. */
export function leafOf(key: string): number {
  const digest = md5(encoder.encode(key));
  return ((digest[0] ?? 0) << 8) | (digest[1] ?? 0);
}

/** The bucket (0…255) of a leaf. */
export function bucketOf(leaf: number): number {
  return leaf >>> (LEAF_BITS - BUCKET_BITS);
}

/** XOR of hashes; XOR-ing a hash in twice takes it out again. */
export function xorHash(...hashes: Hash[]): Hash {
  const words = [0, 0, 0, 0];
  for (const hash of hashes) {
    for (let i = 0; i < 4; i++) words[i] = (words[i] ?? 0) ^ parseInt(hash.slice(i * 8, i * 8 + 8), 16);
  }
  return words.map((word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
}

/** Metadata timestamps in key order: a metadata change anywhere changes a row's hash. */
function metadataStamps(metadata: Record<string, { value: string; timestamp: string }>): string {
  return Object.keys(metadata)
    .sort()
    .map((key) => `${key}=${metadata[key]?.timestamp ?? ""}`)
    .join(",");
}

/** Hash-tree keys: one namespace per kind of row a replica holds. */
export const treeKey = {
  object: (name: string) => name,
  container: (containerKey: string) => `c:${containerKey}`,
  listing: (containerKey: string, name: string) => `o:${containerKey}/${name}`,
  account: (account: string) => `a:${account}`,
  accountContainer: (account: string, container: string) => `c:${account}/${container}`,
  shardRange: (containerKey: string, name: string) => `s:${containerKey}/${name}`,
};

export function objectRowHash(row: {
  name: string;
  createdAt: string;
  metaTimestamp: string;
  contentTypeTimestamp: string;
  deleted: 0 | 1;
}): Hash {
  return rowHash(treeKey.object(row.name), [row.createdAt, row.metaTimestamp, row.contentTypeTimestamp], row.deleted);
}

export function listingRowHash(
  containerKey: string,
  row: { name: string; createdAt: string; metaTimestamp: string; contentTypeTimestamp: string; deleted: 0 | 1 },
): Hash {
  return rowHash(
    treeKey.listing(containerKey, row.name),
    [row.createdAt, row.metaTimestamp, row.contentTypeTimestamp],
    row.deleted,
  );
}

/**
 * A container's own row hashes its storage policy too, so replicas that disagree on it repair;
 * policy 0 adds nothing, so rows stored before policies existed keep their hashes.
 */
export function containerRowHash(
  containerKey: string,
  row: {
    putTimestamp: string;
    deleteTimestamp: string;
    metadata: Record<string, { value: string; timestamp: string }>;
    storagePolicyIndex?: number;
  },
): Hash {
  const policy = row.storagePolicyIndex ? [`policy=${row.storagePolicyIndex}`] : [];
  return rowHash(
    treeKey.container(containerKey),
    [row.putTimestamp, row.deleteTimestamp, metadataStamps(row.metadata), ...policy],
    0,
  );
}

export function accountRowHash(row: {
  account: string;
  putTimestamp: string;
  deleteTimestamp: string;
  status: string;
  metadata: Record<string, { value: string; timestamp: string }>;
}): Hash {
  return rowHash(
    treeKey.account(row.account),
    [row.putTimestamp, row.deleteTimestamp, row.status, metadataStamps(row.metadata)],
    0,
  );
}

/**
 * An account's container row hashes its counts, not when they were reported: each zone's container
 * replica reports at its own moment, so replicas told the same counts at different times hold the
 * same rows and need no repair.
 */
export function accountContainerRowHash(
  row: Pick<
    ContainerReport,
    "account" | "container" | "putTimestamp" | "deleteTimestamp" | "objectCount" | "bytesUsed" | "storagePolicyIndex"
  > & { deleted: 0 | 1 },
): Hash {
  // Policy 0 adds nothing, so rows stored before storage policies keep their hashes.
  const policy = row.storagePolicyIndex ? [`policy=${row.storagePolicyIndex}`] : [];
  const fields = [row.putTimestamp, row.deleteTimestamp, String(row.objectCount), String(row.bytesUsed), ...policy];
  return rowHash(treeKey.accountContainer(row.account, row.container), fields, row.deleted);
}
