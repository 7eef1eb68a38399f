/**
 * @module
 * The sizes of the rows the replicas keep (src/durable/schema/*.ts) for bench/model-lib.ts: each
 * row and its index entries as SQLite record cells, at the name lengths a deployment assumes.
 * Pure, no imports.
 */

/** Name and metadata lengths (bytes) that size the rows. */
export interface NameLengths {
  account: number;
  container: number;
  object: number;
  /** An object's user metadata as stored (JSON; "{}" is 2). */
  metadata: number;
  contentType: number;
}

/** Column sizes: a TIMESTAMP (Timestamp.normal), an md5 in hex, a size, a leaf, a count, a rowid. */
export const COLUMN_BYTES = {
  timestamp: 16,
  hex: 32,
  size: 4,
  leaf: 3,
  count: 4,
  rowid: 3,
} as const;

/** Bytes of one B-tree cell holding `columns` (sizes in bytes): record header, payload, size varint, pointer. */
function cellBytes(columns: readonly number[], rowid: boolean): number {
  const payload = 1 + columns.length + columns.reduce((sum, bytes) => sum + bytes, 0);
  const sizeVarint = payload < 128 ? 1 : payload < 16_384 ? 2 : 3;
  return sizeVarint + (rowid ? COLUMN_BYTES.rowid : 0) + payload + 2;
}

/** A table row and its index entries; an index entry of a rowid table also holds the rowid. */
interface TableShape {
  row: readonly number[];
  rowid: boolean;
  indexes: readonly (readonly number[])[];
}

/** Bytes of one row with its index entries, before page fill. */
function shapeBytes(shape: TableShape): number {
  const extra = shape.rowid ? [COLUMN_BYTES.rowid] : [];
  return (
    cellBytes(shape.row, shape.rowid) +
    shape.indexes.reduce((sum, index) => sum + cellBytes([...index, ...extra], false), 0)
  );
}

const ROW_KINDS = ["object", "listing", "container", "accountContainer", "account", "hashNode", "summary"] as const;
/**
 * A kind of row: an object's, its listing's, a container's, an account's and its containers', a hash-tree
 * node's, a ring summary's entry.
 */
export type RowKind = (typeof ROW_KINDS)[number];
export type RowBytes = Record<RowKind, number>;

/** The row shapes of the schemas (src/durable/schema/*.ts) at names of `n` bytes. */
export function rowShapes(n: NameLengths): Record<RowKind, TableShape> {
  const { timestamp: ts, hex, size, leaf, count } = COLUMN_BYTES;
  const objectKey = n.account + 1 + n.container + 1 + n.object;
  const containerKey = n.account + 1 + n.container;
  const bodyKey = n.account + 1 + hex + 1 + ts;
  // deleted (0 or 1) and a NULL take no bytes in a record.
  return {
    // Keyed (leaf, name) without rowids since the object schema's migration 6: no index entry.
    object: {
      row: [leaf, objectKey, ts, 0, size, hex, n.contentType, ts, ts, n.metadata, bodyKey, 0, hex],
      rowid: false,
      indexes: [],
    },
    listing: {
      row: [containerKey, n.object, ts, 0, size, hex, n.contentType, ts, ts, leaf, hex],
      rowid: false,
      indexes: [
        [containerKey, n.object],
        [leaf, containerKey, n.object],
      ],
    },
    container: {
      row: [containerKey, n.account, n.container, ts, ts, ts, ts, count, size, 2, 0, leaf, hex],
      rowid: false,
      indexes: [[leaf, containerKey]],
    },
    accountContainer: {
      row: [n.account, n.container, ts, ts, count, size, ts, 0, 0, leaf, hex],
      rowid: false,
      indexes: [
        [n.account, n.container],
        [leaf, n.account, n.container],
      ],
    },
    account: {
      row: [n.account, ts, ts, ts, 0, 2, count, count, size, 2, leaf, hex],
      rowid: false,
      indexes: [[leaf, n.account]],
    },
    // A hash-tree leaf (its hash, rows and when it changed); buckets and the root are not stored.
    hashNode: { row: [hex, count, 6], rowid: true, indexes: [] },
    summary: { row: [leaf, 0, hex, count, 6], rowid: false, indexes: [] },
  };
}

/** Bytes of each row kind (with its index entries), before page fill. */
export function rowBytes(n: NameLengths): RowBytes {
  const shapes = rowShapes(n);
  return Object.fromEntries(ROW_KINDS.map((kind) => [kind, shapeBytes(shapes[kind])])) as RowBytes;
}
