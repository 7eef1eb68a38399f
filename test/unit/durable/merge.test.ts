import { describe, it } from "vitest";
import { mergeContainerReport, mergeListing, mergeMetadata, mergeObject } from "../../../src/durable/merge";
import type { ListingRow, ObjectRow } from "../../../src/durable/rows";

const object = (createdAt: string, o: Partial<ObjectRow> = {}): ObjectRow => ({
  name: "a/c/o",
  createdAt,
  deleted: 0,
  size: 1,
  etag: "e",
  contentType: "text/plain",
  contentTypeTimestamp: createdAt,
  metaTimestamp: createdAt,
  metadata: {},
  bodyKey: `k${createdAt}`,
  deleteAt: null,
  ...o,
});

describe("mergeObject", () => {
  it("the newer data wins and the loser's body becomes garbage", ({ expect }) => {
    const merge = mergeObject(object("1.00000"), object("2.00000"));
    expect(merge.row.createdAt).toBe("2.00000");
    expect(merge.garbage).toEqual(["k1.00000"]);
    expect(merge.changed).toBe(true);
  });

  it("an older incoming row changes nothing and its body is garbage", ({ expect }) => {
    const merge = mergeObject(object("2.00000"), object("1.00000"));
    expect(merge.row.createdAt).toBe("2.00000");
    expect(merge.changed).toBe(false);
    expect(merge.garbage).toEqual(["k1.00000"]);
  });

  it("a newer tombstone wins, dropping metadata and body", ({ expect }) => {
    const merge = mergeObject(object("1.00000", { metadata: { a: "1" } }), object("2.00000", { deleted: 1, bodyKey: null }));
    expect(merge.row).toMatchObject({ deleted: 1, metadata: {}, bodyKey: null });
    expect(merge.garbage).toEqual(["k1.00000"]);
  });

  it("metadata newer than the winning data applies to it; older metadata does not", ({ expect }) => {
    const posted = object("1.00000", { metaTimestamp: "3.00000", metadata: { a: "posted" } });
    const later = mergeObject(posted, object("2.00000", { metadata: { a: "put" } }));
    expect(later.row).toMatchObject({ createdAt: "2.00000", metaTimestamp: "3.00000", metadata: { a: "posted" } });
    const newest = mergeObject(posted, object("4.00000", { metadata: { a: "put" } }));
    expect(newest.row).toMatchObject({ createdAt: "4.00000", metaTimestamp: "4.00000", metadata: { a: "put" } });
  });

  it("content type merges by its own timestamp", ({ expect }) => {
    const retyped = object("1.00000", { contentType: "x/new", contentTypeTimestamp: "3.00000" });
    expect(mergeObject(retyped, object("2.00000")).row.contentType).toBe("x/new");
  });
});

describe("mergeListing", () => {
  const listing = (createdAt: string, o: Partial<ListingRow> = {}): ListingRow => ({
    name: "o",
    createdAt,
    deleted: 0,
    size: 1,
    etag: "e",
    contentType: "t",
    contentTypeTimestamp: createdAt,
    metaTimestamp: createdAt,
    ...o,
  });

  it("is last-write-wins and idempotent", ({ expect }) => {
    const first = mergeListing(null, listing("1.00000"));
    const second = mergeListing(first.row, listing("2.00000", { deleted: 1 }));
    expect(second.row.deleted).toBe(1);
    expect(mergeListing(second.row, listing("1.00000")).changed).toBe(false);
    expect(mergeListing(second.row, listing("2.00000", { deleted: 1 })).changed).toBe(false);
  });
});

describe("mergeMetadata", () => {
  it("merges key by key, the newer timestamp winning each key", ({ expect }) => {
    const merged = mergeMetadata(
      { a: { value: "1", timestamp: "2" }, b: { value: "1", timestamp: "1" } },
      { a: { value: "0", timestamp: "1" }, b: { value: "", timestamp: "3" }, c: { value: "x", timestamp: "1" } },
    );
    expect(merged.metadata).toEqual({ a: { value: "1", timestamp: "2" }, b: { value: "", timestamp: "3" }, c: { value: "x", timestamp: "1" } });
    expect(merged.changed).toBe(true);
  });
});

describe("mergeContainerReport", () => {
  it("keeps the newest put/delete timestamps and the newest report's counts", ({ expect }) => {
    const base = { account: "a", container: "c", putTimestamp: "1700000001.00000", deleteTimestamp: "0", objectCount: 5, bytesUsed: 50, reportedAt: "1700000010.00000" };
    const first = mergeContainerReport(null, base).row;
    const stale = mergeContainerReport(first, { ...base, objectCount: 1, reportedAt: "1700000009.00000" });
    expect(stale.row.objectCount).toBe(5);
    expect(stale.changed).toBe(false);
    const deleted = mergeContainerReport(first, { ...base, deleteTimestamp: "1700000002.00000", objectCount: 0, bytesUsed: 0, reportedAt: "1700000011.00000" });
    expect(deleted.row).toMatchObject({ deleted: 1, objectCount: 0 });
  });
});
