/**
 * @module
 * Rows for tests that write straight into replicas.
 */

import { listingFromStart } from "../src/durable/listing";
import type { ListingRow, ObjectRow } from "../src/durable/rows";

/** A live object row (1 byte, no body) with every timestamp at `createdAt`, unless overridden. */
export function objectRow(name: string, createdAt: string, overrides: Partial<ObjectRow> = {}): ObjectRow {
  return {
    name,
    createdAt,
    deleted: 0,
    size: 1,
    etag: "0cc175b9c0f1b6a831c399e269772661",
    contentType: "text/plain",
    contentTypeTimestamp: createdAt,
    metaTimestamp: createdAt,
    metadata: {},
    bodyKey: null,
    deleteAt: null,
    ...overrides,
  };
}

/** A live listing row (1 byte) with every timestamp at `createdAt`, unless overridden. */
export function listingRow(name: string, createdAt: string, overrides: Partial<ListingRow> = {}): ListingRow {
  return {
    name,
    createdAt,
    deleted: 0,
    size: 1,
    etag: "e",
    contentType: "text/plain",
    contentTypeTimestamp: createdAt,
    metaTimestamp: createdAt,
    ...overrides,
  };
}

/** Listing parameters that list everything. */
export const LIST_ALL = listingFromStart(10000);
