/**
 * @module
 * Property tests of row hashes (issue 19): a row's hash changes whenever anything that orders it
 * changes (data, metadata, content-type and delete timestamps, the deleted flag, each metadata
 * key's timestamp), so two replicas whose rows differ in any of them never look in sync.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import {
  accountContainerRowHash,
  accountRowHash,
  containerRowHash,
  listingRowHash,
  objectRowHash,
} from "../../../src/durable/partition-hash";
import type { MetadataMap } from "../../../src/durable/rows";

fc.configureGlobal({ seed: 19_002, numRuns: 200 });

/** Swift's internal timestamp form, with an offset sometimes. */
const stampArb = fc
  .tuple(
    fc.integer({ min: 0, max: 9_999_999_999 }),
    fc.integer({ min: 0, max: 99_999 }),
    fc.constantFrom(0, 0, 0, 1, 255),
  )
  .map(([seconds, fraction, offset]) => {
    const base = `${String(seconds).padStart(10, "0")}.${String(fraction).padStart(5, "0")}`;
    return offset ? `${base}_${offset.toString(16).padStart(16, "0")}` : base;
  });
/** "0" (never) or a timestamp, as delete timestamps are stored. */
const deleteStampArb = fc.oneof(fc.constant("0"), stampArb);
const nameArb = fc.string({ unit: "binary", minLength: 1, maxLength: 40 });
/** Metadata keys as header names arrive (tokens, lower-cased). */
const keyArb = fc.stringMatching(/^x-(container|account)-meta-[a-z0-9_.-]{1,12}$/);
const metadataArb = fc.dictionary(keyArb, fc.record({ value: fc.string({ maxLength: 8 }), timestamp: stampArb }), {
  maxKeys: 4,
});
const deletedArb = fc.constantFrom<0 | 1>(0, 1);

/** A different value for one field: the property's "changes". */
function other<T>(arb: fc.Arbitrary<T>, than: T): fc.Arbitrary<T> {
  return arb.filter((value) => value !== than);
}

const objectArb = fc.record({
  name: nameArb,
  createdAt: stampArb,
  metaTimestamp: stampArb,
  contentTypeTimestamp: stampArb,
  deleted: deletedArb,
});
type ObjectLike = {
  name: string;
  createdAt: string;
  metaTimestamp: string;
  contentTypeTimestamp: string;
  deleted: 0 | 1;
};

/** The object row with one of its ordering fields changed. */
const objectChangeArb = objectArb.chain((row) =>
  fc.oneof(
    other(stampArb, row.createdAt).map((createdAt): [ObjectLike, ObjectLike, string] => [
      row,
      { ...row, createdAt },
      "createdAt",
    ]),
    other(stampArb, row.metaTimestamp).map((metaTimestamp): [ObjectLike, ObjectLike, string] => [
      row,
      { ...row, metaTimestamp },
      "metaTimestamp",
    ]),
    other(stampArb, row.contentTypeTimestamp).map((contentTypeTimestamp): [ObjectLike, ObjectLike, string] => [
      row,
      { ...row, contentTypeTimestamp },
      "contentTypeTimestamp",
    ]),
    fc.constant<[ObjectLike, ObjectLike, string]>([row, { ...row, deleted: row.deleted ? 0 : 1 }, "deleted"]),
  ),
);

/** A metadata map with one key's timestamp changed, a key added, or a key taken out. */
function metadataChangeArb(metadata: MetadataMap): fc.Arbitrary<MetadataMap> {
  const keys = Object.keys(metadata);
  const changes: fc.Arbitrary<MetadataMap>[] = [
    fc
      .tuple(
        keyArb.filter((key) => !keys.includes(key)),
        stampArb,
      )
      .map(([key, timestamp]) => ({ ...metadata, [key]: { value: "v", timestamp } })),
  ];
  if (keys.length) {
    changes.push(
      fc.constantFrom(...keys).chain((key) =>
        other(stampArb, metadata[key]?.timestamp ?? "").map((timestamp) => ({
          ...metadata,
          [key]: { value: metadata[key]?.value ?? "", timestamp },
        })),
      ),
      fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(metadata).filter(([k]) => k !== key))),
    );
  }
  return fc.oneof(...changes);
}

describe("row hashes change with every timestamp that orders the row", () => {
  it("object rows: createdAt (data or tombstone), metaTimestamp, contentTypeTimestamp, deleted each change the hash", ({
    expect,
  }) => {
    fc.assert(
      fc.property(objectChangeArb, ([before, after, field]) => {
        expect(objectRowHash(after), field).not.toBe(objectRowHash(before));
      }),
    );
  });

  it("listing rows: the same fields each change the hash, in every container", ({ expect }) => {
    fc.assert(
      fc.property(objectChangeArb, nameArb, ([before, after, field], container) => {
        expect(listingRowHash(container, after), field).not.toBe(listingRowHash(container, before));
      }),
    );
  });

  const containerArb = fc.record({
    key: nameArb,
    putTimestamp: stampArb,
    deleteTimestamp: deleteStampArb,
    metadata: metadataArb,
  });
  type ContainerLike = { key: string; putTimestamp: string; deleteTimestamp: string; metadata: MetadataMap };

  it("container rows: put timestamp, delete timestamp and each metadata key's timestamp change the hash", ({
    expect,
  }) => {
    fc.assert(
      fc.property(
        containerArb.chain((row) =>
          fc.oneof(
            other(stampArb, row.putTimestamp).map((putTimestamp): [ContainerLike, ContainerLike] => [
              row,
              { ...row, putTimestamp },
            ]),
            other(deleteStampArb, row.deleteTimestamp).map((deleteTimestamp): [ContainerLike, ContainerLike] => [
              row,
              { ...row, deleteTimestamp },
            ]),
            metadataChangeArb(row.metadata).map((metadata): [ContainerLike, ContainerLike] => [
              row,
              { ...row, metadata },
            ]),
          ),
        ),
        ([before, after]) => {
          expect(containerRowHash(after.key, after)).not.toBe(containerRowHash(before.key, before));
        },
      ),
    );
  });

  const accountArb = fc.record({
    account: nameArb,
    putTimestamp: stampArb,
    deleteTimestamp: deleteStampArb,
    status: fc.constantFrom<"" | "DELETED">("", "DELETED"),
    metadata: metadataArb,
  });
  type AccountLike = {
    account: string;
    putTimestamp: string;
    deleteTimestamp: string;
    status: "" | "DELETED";
    metadata: MetadataMap;
  };

  it("account rows: put timestamp, delete timestamp, status and each metadata key's timestamp change the hash", ({
    expect,
  }) => {
    fc.assert(
      fc.property(
        accountArb.chain((row) =>
          fc.oneof(
            other(stampArb, row.putTimestamp).map((putTimestamp): [AccountLike, AccountLike] => [
              row,
              { ...row, putTimestamp },
            ]),
            other(deleteStampArb, row.deleteTimestamp).map((deleteTimestamp): [AccountLike, AccountLike] => [
              row,
              { ...row, deleteTimestamp },
            ]),
            fc.constant<[AccountLike, AccountLike]>([row, { ...row, status: row.status ? "" : "DELETED" }]),
            metadataChangeArb(row.metadata).map((metadata): [AccountLike, AccountLike] => [row, { ...row, metadata }]),
          ),
        ),
        ([before, after]) => {
          expect(accountRowHash(after)).not.toBe(accountRowHash(before));
        },
      ),
    );
  });

  const accountContainerArb = fc.record({
    account: nameArb,
    container: nameArb,
    putTimestamp: deleteStampArb,
    deleteTimestamp: deleteStampArb,
    objectCount: fc.nat(),
    bytesUsed: fc.nat(),
    deleted: deletedArb,
  });
  type AccountContainerLike = {
    account: string;
    container: string;
    putTimestamp: string;
    deleteTimestamp: string;
    objectCount: number;
    bytesUsed: number;
    deleted: 0 | 1;
  };

  it("an account's container rows: put and delete timestamps, counts and deleted each change the hash", ({
    expect,
  }) => {
    fc.assert(
      fc.property(
        accountContainerArb.chain((row) =>
          fc.oneof(
            other(deleteStampArb, row.putTimestamp).map(
              (putTimestamp): [AccountContainerLike, AccountContainerLike] => [row, { ...row, putTimestamp }],
            ),
            other(deleteStampArb, row.deleteTimestamp).map(
              (deleteTimestamp): [AccountContainerLike, AccountContainerLike] => [row, { ...row, deleteTimestamp }],
            ),
            other(fc.nat(), row.objectCount).map((objectCount): [AccountContainerLike, AccountContainerLike] => [
              row,
              { ...row, objectCount },
            ]),
            other(fc.nat(), row.bytesUsed).map((bytesUsed): [AccountContainerLike, AccountContainerLike] => [
              row,
              { ...row, bytesUsed },
            ]),
            fc.constant<[AccountContainerLike, AccountContainerLike]>([row, { ...row, deleted: row.deleted ? 0 : 1 }]),
          ),
        ),
        ([before, after]) => {
          expect(accountContainerRowHash(after)).not.toBe(accountContainerRowHash(before));
        },
      ),
    );
  });

  it("rows of different names never share a hash, whatever their timestamps (names are in the hash)", ({ expect }) => {
    fc.assert(
      fc.property(objectArb, nameArb, (row, name) => {
        fc.pre(name !== row.name);
        expect(objectRowHash({ ...row, name })).not.toBe(objectRowHash(row));
      }),
    );
  });
});
