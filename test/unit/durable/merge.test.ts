import { describe, it } from "vitest";
import {
  mergeContainerReport,
  mergeListing,
  mergeMetadata,
  mergeObject,
  withDataParamsOf,
  withSysmetaOf,
} from "../../../src/durable/merge";
import type { ListingRow, ObjectRow } from "../../../src/durable/rows";
import { listingRow, objectRow } from "../../rows";

const object = (createdAt: string, o: Partial<ObjectRow> = {}): ObjectRow =>
  objectRow("a/c/o", createdAt, { etag: "e", bodyKey: `k${createdAt}`, ...o });

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
    const merge = mergeObject(
      object("1.00000", { metadata: { a: "1" } }),
      object("2.00000", { deleted: 1, bodyKey: null }),
    );
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

describe("what describes the data stays with it (Swift: DATAFILE_SYSTEM_META and sysmeta come from the .data)", () => {
  // A manifest written at 2 (its system metadata and swift_* parameters) and a POST at 3 that one
  // replica applied to the older plain object it held at 1.
  const manifest = object("2.00000", {
    contentType: "text/plain;swift_bytes=12;swift_slo_etag=abc",
    metadata: { "x-static-large-object": "True", "x-object-sysmeta-slo-size": "12", "x-object-meta-color": "red" },
  });
  const postedOverPlain = object("1.00000", {
    metaTimestamp: "3.00000",
    contentType: "text/x-posted",
    contentTypeTimestamp: "3.00000",
    metadata: { "x-object-meta-color": "blue" },
  });

  it("a POST made over older data brings its user metadata and content type, never that data's system metadata or parameters, in either order", ({
    expect,
  }) => {
    for (const row of [mergeObject(manifest, postedOverPlain).row, mergeObject(postedOverPlain, manifest).row]) {
      expect(row).toMatchObject({
        createdAt: "2.00000",
        metaTimestamp: "3.00000",
        contentType: "text/x-posted;swift_bytes=12;swift_slo_etag=abc",
        metadata: { "x-static-large-object": "True", "x-object-sysmeta-slo-size": "12", "x-object-meta-color": "blue" },
      });
    }
  });

  it("newer plain data over a POST made on a manifest drops the manifest's system metadata and parameters", ({
    expect,
  }) => {
    const postedOverManifest = {
      ...manifest,
      metaTimestamp: "3.00000",
      metadata: { ...manifest.metadata, "x-object-meta-color": "blue" },
    };
    const plain = object("2.50000", { contentType: "text/plain" });
    for (const row of [mergeObject(plain, postedOverManifest).row, mergeObject(postedOverManifest, plain).row]) {
      expect(row).toMatchObject({ createdAt: "2.50000", contentType: "text/plain" });
      expect(row.metadata).toEqual({ "x-object-meta-color": "blue" });
    }
  });

  it("a sysmeta update made over the same data keeps the system metadata it set", ({ expect }) => {
    const tagged = {
      ...manifest,
      metaTimestamp: "3.00000",
      metadata: { ...manifest.metadata, "x-object-sysmeta-s3api-tagging": "t=1" },
    };
    expect(mergeObject(manifest, tagged).row.metadata).toEqual(tagged.metadata);
    expect(mergeObject(tagged, manifest).row.metadata).toEqual(tagged.metadata);
  });

  it("a container's listing row keeps the winning object's parameters under a newer content type", ({ expect }) => {
    const listed = listingRow("o", "2.00000", { contentType: "text/plain;swift_bytes=12" });
    const retyped = listingRow("o", "1.00000", { contentType: "text/x-posted", contentTypeTimestamp: "3.00000" });
    expect(mergeListing(listed, retyped).row.contentType).toBe("text/x-posted;swift_bytes=12");
    expect(mergeListing(retyped, listed).row.contentType).toBe("text/x-posted;swift_bytes=12");
  });

  it("withSysmetaOf: the POST's user metadata, the stored system metadata and X-Static-Large-Object", ({ expect }) => {
    expect(
      withSysmetaOf(
        { "x-object-sysmeta-a": "1", "x-static-large-object": "True", "x-object-meta-old": "x" },
        {
          "x-object-sysmeta-a": "forged",
          "x-static-large-object": "False",
          "x-object-meta-new": "y",
          "content-disposition": "d",
        },
      ),
    ).toEqual({
      "x-object-sysmeta-a": "1",
      "x-static-large-object": "True",
      "x-object-meta-new": "y",
      "content-disposition": "d",
    });
  });

  it("withDataParamsOf: the given type and its own parameters, the stored data's swift_* parameters, none sent", ({
    expect,
  }) => {
    expect(withDataParamsOf("a/b;swift_bytes=12;swift_slo_etag=e", "text/x;charset=utf-8")).toBe(
      "text/x;charset=utf-8;swift_bytes=12;swift_slo_etag=e",
    );
    expect(withDataParamsOf("a/b;charset=x", "text/x;swift_bytes=999; SWIFT_symlink_target=c/o")).toBe("text/x");
    expect(withDataParamsOf("a/b;swift_symlink_target=c/o", "text/x")).toBe("text/x;swift_symlink_target=c/o");
  });
});

describe("mergeListing", () => {
  const listing = (createdAt: string, o: Partial<ListingRow> = {}): ListingRow =>
    listingRow("o", createdAt, { contentType: "t", ...o });

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
    expect(merged.metadata).toEqual({
      a: { value: "1", timestamp: "2" },
      b: { value: "", timestamp: "3" },
      c: { value: "x", timestamp: "1" },
    });
    expect(merged.changed).toBe(true);
  });
});

describe("mergeContainerReport", () => {
  it("keeps the newest put/delete timestamps and the newest report's counts", ({ expect }) => {
    const base = {
      account: "a",
      container: "c",
      putTimestamp: "1700000001.00000",
      deleteTimestamp: "0",
      objectCount: 5,
      bytesUsed: 50,
      reportedAt: "1700000010.00000",
    };
    const first = mergeContainerReport(null, base).row;
    const stale = mergeContainerReport(first, { ...base, objectCount: 1, reportedAt: "1700000009.00000" });
    expect(stale.row.objectCount).toBe(5);
    expect(stale.changed).toBe(false);
    const deleted = mergeContainerReport(first, {
      ...base,
      deleteTimestamp: "1700000002.00000",
      objectCount: 0,
      bytesUsed: 0,
      reportedAt: "1700000011.00000",
    });
    expect(deleted.row).toMatchObject({ deleted: 1, objectCount: 0 });
  });
});

describe("tombstones older than the data", () => {
  const tombstone = (createdAt: string): ObjectRow =>
    object(createdAt, { deleted: 1, size: 0, etag: "", bodyKey: null, metadata: {} });

  it("a tombstone older than the held data changes nothing: the acknowledged object stays, body and metadata too", ({
    expect,
  }) => {
    const held = object("2.00000", { metadata: { "x-object-meta-a": "kept" } });
    const merge = mergeObject(held, tombstone("1.00000"));
    expect(merge.row).toEqual(held);
    expect(merge.changed).toBe(false);
    expect(merge.garbage).toEqual([]);
  });

  it("data older than a held tombstone changes nothing: the object stays deleted and the late body is garbage", ({
    expect,
  }) => {
    const merge = mergeObject(tombstone("2.00000"), object("1.00000"));
    expect(merge.row).toMatchObject({ createdAt: "2.00000", deleted: 1, bodyKey: null, metadata: {} });
    expect(merge.changed).toBe(false);
    expect(merge.garbage).toEqual(["k1.00000"]);
  });

  it("a container listing row keeps the newer object when an older DELETE's update arrives late", ({ expect }) => {
    const listing = (createdAt: string, deleted: 0 | 1): ListingRow => ({
      name: "o",
      createdAt,
      deleted,
      size: deleted ? 0 : 5,
      etag: "e",
      contentType: "t",
      contentTypeTimestamp: createdAt,
      metaTimestamp: createdAt,
    });
    const late = mergeListing(listing("2.00000", 0), listing("1.00000", 1));
    expect(late.row).toMatchObject({ createdAt: "2.00000", deleted: 0, size: 5 });
    expect(late.changed).toBe(false);
    const resurrect = mergeListing(listing("2.00000", 1), listing("1.00000", 0));
    expect(resurrect.row).toMatchObject({ createdAt: "2.00000", deleted: 1 });
    expect(resurrect.changed).toBe(false);
  });
});

/**
 * Equal timestamps. Swift's object server refuses a PUT, POST or DELETE whose timestamp is not
 * newer than what it holds (409), and its DBs keep the row or metadata value already held
 * (container/backend.py merge_items: `rec_ts_data >= item_ts_data` keeps the existing data;
 * db.py update_metadata: a key is replaced only by a strictly newer timestamp). So a tie is not a
 * write: the row already held stays, whichever replica merges.
 */
describe("equal timestamps: the row already held stays", () => {
  it("data with the same timestamp as the held data changes nothing, and the incoming body is garbage", ({
    expect,
  }) => {
    const held = object("1.00000", { size: 1, etag: "held", bodyKey: "k-held" });
    const merge = mergeObject(held, object("1.00000", { size: 2, etag: "other", bodyKey: "k-other" }));
    expect(merge.row).toEqual(held);
    expect(merge.changed).toBe(false);
    expect(merge.garbage).toEqual(["k-other"]);
  });

  it("metadata with the same timestamp as the held metadata changes nothing", ({ expect }) => {
    const held = object("1.00000", { metaTimestamp: "3.00000", metadata: { "x-object-meta-a": "held" } });
    const merge = mergeObject(
      held,
      object("1.00000", { metaTimestamp: "3.00000", metadata: { "x-object-meta-a": "other" } }),
    );
    expect(merge.row.metadata).toEqual({ "x-object-meta-a": "held" });
    expect(merge.changed).toBe(false);
  });

  it("a content type with the same timestamp as the held one changes nothing", ({ expect }) => {
    const held = object("1.00000", { contentType: "x/held", contentTypeTimestamp: "3.00000" });
    const merge = mergeObject(held, object("1.00000", { contentType: "x/other", contentTypeTimestamp: "3.00000" }));
    expect(merge.row.contentType).toBe("x/held");
    expect(merge.changed).toBe(false);
  });

  it("metadata stamped with the data's own timestamp applies to that data (a PUT's metadata)", ({ expect }) => {
    const merge = mergeObject(
      object("1.00000", { metaTimestamp: "0.50000", metadata: { "x-object-meta-a": "old" } }),
      object("1.00000", { metadata: { "x-object-meta-a": "put" } }),
    );
    expect(merge.row).toMatchObject({ metaTimestamp: "1.00000", metadata: { "x-object-meta-a": "put" } });
  });

  it("a container listing row with the same timestamp as the held one changes nothing", ({ expect }) => {
    const held: ListingRow = {
      name: "o",
      createdAt: "1.00000",
      deleted: 0,
      size: 1,
      etag: "held",
      contentType: "t",
      contentTypeTimestamp: "1.00000",
      metaTimestamp: "1.00000",
    };
    const merge = mergeListing(held, { ...held, size: 2, etag: "other" });
    expect(merge.row).toEqual(held);
    expect(merge.changed).toBe(false);
  });

  it("a metadata key with the same timestamp as the held one keeps the held value (Swift: db.py update_metadata)", ({
    expect,
  }) => {
    const merged = mergeMetadata({ a: { value: "held", timestamp: "2" } }, { a: { value: "other", timestamp: "2" } });
    expect(merged.metadata).toEqual({ a: { value: "held", timestamp: "2" } });
    expect(merged.changed).toBe(false);
  });

  /**
   * Swift's diskfile makes every .data at or older than the newest .ts obsolete (get_ondisk_files),
   * so a tombstone wins a tie with data on every replica. Were the held row to stay, a replica
   * holding the data and one holding the tombstone would never agree (their row hashes differ by
   * the deleted flag) and repair would exchange the pair forever; two isolates can stamp a PUT and
   * a DELETE alike.
   */
  it(
    "a tombstone and data with the same timestamp: the tombstone wins whichever replica held it first " +
      "(Swift: diskfile get_ondisk_files)",
    ({ expect }) => {
      const data = object("1.00000");
      const tombstone = object("1.00000", { deleted: 1, size: 0, etag: "", bodyKey: null });
      expect(mergeObject(tombstone, data).row.deleted).toBe(1);
      expect(mergeObject(data, tombstone).row.deleted).toBe(1);
    },
  );
});
