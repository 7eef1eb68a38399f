/**
 * @module
 * Last-write-wins, part by part: what a merge keeps, what it reports as changed (a replica writes
 * and rehashes only then), and which bodies it leaves as garbage. Swift: obj/diskfile.py (.data,
 * .meta, .ts), container/backend.py merge_items, account/backend.py merge_items, db.py update_metadata.
 */
import { describe, it } from "vitest";
import {
  liveMetadata,
  mergeClientMetadata,
  mergeContainerReport,
  mergeListing,
  mergeMetadata,
  mergeObject,
  stampMetadata,
} from "../../../src/durable/merge";
import type { AccountContainerRow, ContainerReport, ListingRow, ObjectRow } from "../../../src/durable/rows";
import { listingRow, objectRow } from "../../rows";

const object = (createdAt: string, o: Partial<ObjectRow> = {}): ObjectRow =>
  objectRow("AUTH_a/c/o", createdAt, { etag: "e", bodyKey: `k${createdAt}`, ...o });

const listing = (createdAt: string, o: Partial<ListingRow> = {}): ListingRow => listingRow("o", createdAt, o);

describe("object rows", () => {
  it("the first row a replica sees is stored as it came, with no garbage", ({ expect }) => {
    const row = object("1.00000");
    expect(mergeObject(null, row)).toEqual({ row, changed: true, garbage: [] });
  });

  it("a newer tombstone drops the body, X-Delete-At and older metadata, keeping its own timestamps", ({ expect }) => {
    const held = object("1.00000", {
      metadata: { "x-object-meta-a": "1" },
      deleteAt: 2_000_000_000,
      metaTimestamp: "1.50000",
    });
    const merge = mergeObject(held, object("2.00000", { deleted: 1, bodyKey: null, size: 0 }));
    expect(merge.row).toEqual({
      ...object("2.00000", { deleted: 1, bodyKey: null, size: 0 }),
      metadata: {},
      deleteAt: null,
    });
    expect(merge.changed).toBe(true);
  });

  it("a tombstone keeps a POST newer than itself, without its X-Delete-At (Swift: a .meta newer than the .ts stays)", ({
    expect,
  }) => {
    const held = object("1.00000", {
      metadata: { "x-object-meta-a": "post" },
      deleteAt: 2_000_000_000,
      metaTimestamp: "3.00000",
    });
    const tombstone = object("2.00000", { deleted: 1, bodyKey: null, size: 0 });
    for (const merge of [mergeObject(held, tombstone), mergeObject(tombstone, held)]) {
      expect(merge.row).toEqual({
        ...tombstone,
        metaTimestamp: "3.00000",
        metadata: { "x-object-meta-a": "post" },
        deleteAt: null,
      });
    }
  });

  it("a POST newer than the data brings its metadata and X-Delete-At, not its content type", ({ expect }) => {
    const held = object("1.00000", { metadata: { "x-object-meta-a": "put" } });
    const post = object("1.00000", {
      metaTimestamp: "2.00000",
      metadata: { "x-object-meta-a": "post" },
      deleteAt: 2_000_000_000,
    });
    const merge = mergeObject(held, post);
    expect(merge.row).toMatchObject({
      createdAt: "1.00000",
      metaTimestamp: "2.00000",
      metadata: { "x-object-meta-a": "post" },
      deleteAt: 2_000_000_000,
    });
    expect(merge.row.contentTypeTimestamp).toBe("1.00000");
    expect(merge.changed).toBe(true);
    expect(merge.garbage).toEqual([]);
  });

  it("a newer content type alone is a change", ({ expect }) => {
    const merge = mergeObject(
      object("1.00000"),
      object("1.00000", { contentType: "image/png", contentTypeTimestamp: "2.00000" }),
    );
    expect(merge.row).toMatchObject({
      contentType: "image/png",
      contentTypeTimestamp: "2.00000",
      metaTimestamp: "1.00000",
    });
    expect(merge.changed).toBe(true);
  });

  it("a POST a tombstone kept applies to data newer than the tombstone and older than the POST, in either order", ({
    expect,
  }) => {
    const held = object("3.00000", { metadata: { "x-object-meta-a": "data" } });
    const tombstone = object("2.00000", {
      deleted: 1,
      bodyKey: null,
      metaTimestamp: "4.00000",
      contentTypeTimestamp: "4.00000",
      contentType: "x/post",
      metadata: { "x-object-meta-a": "post" },
    });
    const expected = {
      ...held,
      metaTimestamp: "4.00000",
      metadata: { "x-object-meta-a": "post" },
      contentType: "x/post",
      contentTypeTimestamp: "4.00000",
    };
    expect(mergeObject(held, tombstone).row).toEqual(expected);
    expect(mergeObject(held, tombstone).changed).toBe(true);
    expect(mergeObject(tombstone, held).row).toEqual(expected);
  });

  it("a metadata timestamp older than the winning data does not apply to it, even if newer than the data's own", ({
    expect,
  }) => {
    const held = object("1.00000", { metaTimestamp: "2.00000", metadata: { "x-object-meta-a": "old post" } });
    const put = object("3.00000", { metaTimestamp: "3.00000", metadata: { "x-object-meta-a": "put" } });
    expect(mergeObject(held, put).row).toMatchObject({
      metaTimestamp: "3.00000",
      metadata: { "x-object-meta-a": "put" },
    });
    expect(mergeObject(put, held).row).toMatchObject({
      metaTimestamp: "3.00000",
      metadata: { "x-object-meta-a": "put" },
    });
  });

  it("a body both rows point at is never garbage; two losing keys are listed once", ({ expect }) => {
    expect(mergeObject(object("1.00000", { bodyKey: "same" }), object("2.00000", { bodyKey: "same" })).garbage).toEqual(
      [],
    );
    expect(
      mergeObject(object("1.00000", { bodyKey: "lost" }), object("2.00000", { deleted: 1, bodyKey: "lost" })).garbage,
    ).toEqual(["lost"]);
    expect(
      mergeObject(object("1.00000", { bodyKey: null }), object("2.00000", { deleted: 1, bodyKey: null })).garbage,
    ).toEqual([]);
  });

  it("a tombstone with the held data's timestamp wins and is a change", ({ expect }) => {
    const merge = mergeObject(object("1.00000"), object("1.00000", { deleted: 1, bodyKey: null }));
    expect(merge.row.deleted).toBe(1);
    expect(merge.changed).toBe(true);
    expect(mergeListing(listing("1.00000"), listing("1.00000", { deleted: 1 })).changed).toBe(true);
  });

  it("newer data under a newer POST (metadata and content type) is a change: the data is stored, the POST kept", ({
    expect,
  }) => {
    const held = object("1.00000", {
      metaTimestamp: "5.00000",
      contentTypeTimestamp: "5.00000",
      contentType: "x/post",
      metadata: { "x-object-meta-a": "post" },
    });
    const merge = mergeObject(held, object("3.00000", { size: 9 }));
    expect(merge.row).toMatchObject({
      createdAt: "3.00000",
      size: 9,
      bodyKey: "k3.00000",
      metaTimestamp: "5.00000",
      contentType: "x/post",
      metadata: { "x-object-meta-a": "post" },
    });
    expect(merge.changed).toBe(true);
    expect(merge.garbage).toEqual(["k1.00000"]);
  });

  it("a tombstone holds no metadata of its own: metadata sent with it at its own timestamp is not kept", ({
    expect,
  }) => {
    const tombstone = object("2.00000", { deleted: 1, bodyKey: null, metadata: { "x-object-meta-a": "stale" } });
    expect(mergeObject(object("1.00000"), tombstone).row.metadata).toEqual({});
  });

  it("the same row merged again is no change", ({ expect }) => {
    const row = object("1.00000", { metaTimestamp: "2.00000", contentTypeTimestamp: "3.00000" });
    expect(mergeObject(row, { ...row }).changed).toBe(false);
  });
});

describe("container listing rows", () => {
  it("the first row is stored as it came", ({ expect }) => {
    const row = listing("1.00000");
    expect(mergeListing(null, row)).toEqual({ row, changed: true });
  });

  it("a newer tombstone replaces the row as it is", ({ expect }) => {
    const tombstone = listing("2.00000", { deleted: 1, size: 0, contentType: "x/ts", metaTimestamp: "5.00000" });
    expect(mergeListing(listing("1.00000", { metaTimestamp: "3.00000" }), tombstone)).toEqual({
      row: tombstone,
      changed: true,
    });
  });

  it("a POST's metadata timestamp and a newer content type apply to held data", ({ expect }) => {
    const merge = mergeListing(
      listing("1.00000"),
      listing("1.00000", { metaTimestamp: "2.00000", contentType: "image/png", contentTypeTimestamp: "3.00000" }),
    );
    expect(merge.row).toMatchObject({
      createdAt: "1.00000",
      metaTimestamp: "2.00000",
      contentType: "image/png",
      contentTypeTimestamp: "3.00000",
    });
    expect(merge.changed).toBe(true);
    const metaOnly = mergeListing(listing("1.00000"), listing("1.00000", { metaTimestamp: "2.00000" }));
    expect(metaOnly.changed).toBe(true);
    expect(metaOnly.row.contentTypeTimestamp).toBe("1.00000");
    const typeOnly = mergeListing(
      listing("1.00000"),
      listing("1.00000", { contentType: "x/y", contentTypeTimestamp: "2.00000" }),
    );
    expect(typeOnly.changed).toBe(true);
    expect(typeOnly.row.metaTimestamp).toBe("1.00000");
  });

  it("newer data arriving under a newer POST is a change", ({ expect }) => {
    const held = listing("1.00000", {
      metaTimestamp: "5.00000",
      contentType: "x/post",
      contentTypeTimestamp: "5.00000",
    });
    const merge = mergeListing(held, listing("3.00000", { size: 9, etag: "new" }));
    expect(merge.row).toEqual({ ...held, createdAt: "3.00000", size: 9, etag: "new" });
    expect(merge.changed).toBe(true);
  });

  it("newer data keeps a newer content type the held row had", ({ expect }) => {
    const held = listing("1.00000", { contentType: "x/posted", contentTypeTimestamp: "3.00000" });
    const merge = mergeListing(held, listing("2.00000", { size: 7 }));
    expect(merge.row).toMatchObject({
      createdAt: "2.00000",
      size: 7,
      contentType: "x/posted",
      contentTypeTimestamp: "3.00000",
    });
  });
});

describe("metadata key by key (Swift: db.py update_metadata)", () => {
  it("a newer value replaces a key; an older one does not; new keys are added", ({ expect }) => {
    expect(mergeMetadata({ a: { value: "1", timestamp: "2" } }, { a: { value: "0", timestamp: "1" } })).toEqual({
      metadata: { a: { value: "1", timestamp: "2" } },
      changed: false,
    });
    expect(mergeMetadata({ a: { value: "1", timestamp: "2" } }, { a: { value: "3", timestamp: "3" } })).toEqual({
      metadata: { a: { value: "3", timestamp: "3" } },
      changed: true,
    });
    expect(mergeMetadata({}, { b: { value: "", timestamp: "1" } })).toEqual({
      metadata: { b: { value: "", timestamp: "1" } },
      changed: true,
    });
    expect(mergeMetadata({ a: { value: "1", timestamp: "2" } }, {})).toEqual({
      metadata: { a: { value: "1", timestamp: "2" } },
      changed: false,
    });
  });

  it("the held map is not modified", ({ expect }) => {
    const held = { a: { value: "1", timestamp: "1" } };
    mergeMetadata(held, { a: { value: "2", timestamp: "2" } });
    expect(held).toEqual({ a: { value: "1", timestamp: "1" } });
  });

  it("a POST's updates are stamped with its timestamp, an empty value removing the key", ({ expect }) => {
    expect(stampMetadata({ "x-container-meta-a": "1", "x-container-meta-b": "" }, "5.00000")).toEqual({
      "x-container-meta-a": { value: "1", timestamp: "5.00000" },
      "x-container-meta-b": { value: "", timestamp: "5.00000" },
    });
    expect(stampMetadata({}, "5.00000")).toEqual({});
  });

  it("a client's write that would take the stored metadata past Swift's limits is refused; within them it is merged", ({
    expect,
  }) => {
    const stored = stampMetadata(
      Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`x-container-meta-k${i}`, "v"])),
      "1.00000",
    );
    const added = mergeClientMetadata(stored, stampMetadata({ "x-container-meta-extra": "v" }, "2.00000"));
    expect(added.refused).toBe("Too many metadata items; max 90");
    const replaced = mergeClientMetadata(stored, stampMetadata({ "x-container-meta-k0": "w" }, "2.00000"));
    expect(replaced).toMatchObject({ changed: true, refused: null });
    expect(replaced.metadata["x-container-meta-k0"]).toEqual({ value: "w", timestamp: "2.00000" });
    const swapped = mergeClientMetadata(
      stored,
      stampMetadata({ "x-container-meta-k0": "", "x-container-meta-extra": "v" }, "2.00000"),
    );
    expect(swapped.refused).toBeNull();
  });

  it(
    "a write without metadata is not checked, even when what is stored is past the limits " +
      "(replication does not validate)",
    ({ expect }) => {
      const stored = stampMetadata(
        Object.fromEntries(Array.from({ length: 91 }, (_, i) => [`x-account-meta-k${i}`, "v"])),
        "1.00000",
      );
      expect(mergeClientMetadata(stored, {})).toEqual({ metadata: stored, changed: false, refused: null });
    },
  );

  it("headers carry only live metadata: removed keys are dropped", ({ expect }) => {
    expect(liveMetadata({ a: { value: "1", timestamp: "1" }, b: { value: "", timestamp: "2" } })).toEqual({ a: "1" });
    expect(liveMetadata({})).toEqual({});
  });
});

describe("container reports in an account (Swift: account/backend.py merge_items)", () => {
  const report = (o: Partial<ContainerReport> = {}): ContainerReport => ({
    account: "AUTH_a",
    container: "c",
    putTimestamp: "1.00000",
    deleteTimestamp: "0",
    objectCount: 5,
    bytesUsed: 50,
    reportedAt: "1700000010.00000",
    ...o,
  });
  const held = (o: Partial<ContainerReport> = {}): AccountContainerRow => ({
    ...report(o),
    deleted: 0,
    storagePolicyIndex: o.storagePolicyIndex ?? 0,
  });

  it("a container's storage policy comes with the newer report, and a change of policy alone is a change", ({
    expect,
  }) => {
    const current = held({ storagePolicyIndex: 1 });
    const newer = mergeContainerReport(current, report({ storagePolicyIndex: 2, reportedAt: "1700000020.00000" }));
    expect(newer.row.storagePolicyIndex).toBe(2);
    expect(newer.changed).toBe(true);
    const older = mergeContainerReport(current, report({ storagePolicyIndex: 2, reportedAt: "1700000005.00000" }));
    expect(older.row.storagePolicyIndex).toBe(1);
    expect(older.changed).toBe(false);
    // The same counts at the same moment, only the policy differing: still a change to store.
    expect(mergeContainerReport(held(), report({ storagePolicyIndex: 1 }))).toEqual({
      row: held({ storagePolicyIndex: 1 }),
      changed: true,
    });
  });

  it("two reports taken at the same moment with the same counts: the larger policy index wins on every replica", ({
    expect,
  }) => {
    expect(
      mergeContainerReport(held({ storagePolicyIndex: 1 }), report({ storagePolicyIndex: 2 })).row.storagePolicyIndex,
    ).toBe(2);
    expect(
      mergeContainerReport(held({ storagePolicyIndex: 2 }), report({ storagePolicyIndex: 1 })).row.storagePolicyIndex,
    ).toBe(2);
    expect(mergeContainerReport(held({ storagePolicyIndex: 2 }), report({ storagePolicyIndex: 2 })).changed).toBe(
      false,
    );
    // Larger counts still decide before the policy does.
    const fewerBytes = mergeContainerReport(
      held({ storagePolicyIndex: 1 }),
      report({ storagePolicyIndex: 2, bytesUsed: 40 }),
    );
    expect(fewerBytes.row).toEqual(held({ storagePolicyIndex: 1 }));
  });

  it("a report queued before storage policies (no index) is policy 0's", ({ expect }) => {
    const { storagePolicyIndex: _none, ...legacy } = report();
    expect(mergeContainerReport(null, legacy).row.storagePolicyIndex).toBe(0);
    expect(
      mergeContainerReport(held({ storagePolicyIndex: 1 }), { ...legacy, reportedAt: "1700000020.00000" }).row
        .storagePolicyIndex,
    ).toBe(0);
  });

  it("the first report of a container is its row", ({ expect }) => {
    expect(mergeContainerReport(null, report())).toEqual({ row: held(), changed: true });
  });

  it("the first report of a deleted container is a deleted row", ({ expect }) => {
    expect(mergeContainerReport(null, report({ deleteTimestamp: "2.00000" })).row.deleted).toBe(1);
  });

  it("put and delete timestamps each keep the newest; deleted when the delete is newer than the put", ({ expect }) => {
    const merge = mergeContainerReport(
      held({ putTimestamp: "3.00000", deleteTimestamp: "2.00000" }),
      report({ putTimestamp: "1.00000", deleteTimestamp: "4.00000", reportedAt: "1700000009.00000" }),
    );
    expect(merge.row).toMatchObject({
      putTimestamp: "3.00000",
      deleteTimestamp: "4.00000",
      deleted: 1,
      objectCount: 5,
      reportedAt: "1700000010.00000",
    });
    expect(merge.changed).toBe(true);
    const recreated = mergeContainerReport(
      merge.row,
      report({ putTimestamp: "5.00000", deleteTimestamp: "4.00000", reportedAt: "1700000009.00000" }),
    );
    expect(recreated.row).toMatchObject({ putTimestamp: "5.00000", deleted: 0 });
    expect(
      mergeContainerReport(
        held({ putTimestamp: "2.00000", deleteTimestamp: "2.00000" }),
        report({ putTimestamp: "2.00000", deleteTimestamp: "2.00000" }),
      ).row.deleted,
    ).toBe(0);
  });

  it("an older report's delete timestamp does not replace a newer one held", ({ expect }) => {
    expect(
      mergeContainerReport(held({ deleteTimestamp: "4.00000" }), report({ deleteTimestamp: "2.00000" })).row
        .deleteTimestamp,
    ).toBe("4.00000");
  });

  it("an older report does not win with larger counts", ({ expect }) => {
    const merge = mergeContainerReport(
      held(),
      report({ objectCount: 9, bytesUsed: 90, reportedAt: "1700000009.00000" }),
    );
    expect(merge).toEqual({ row: held(), changed: false });
  });

  it("a newer report's counts win, even when smaller", ({ expect }) => {
    const merge = mergeContainerReport(
      held(),
      report({ objectCount: 1, bytesUsed: 10, reportedAt: "1700000011.00000" }),
    );
    expect(merge.row).toMatchObject({ objectCount: 1, bytesUsed: 10, reportedAt: "1700000011.00000" });
    expect(merge.changed).toBe(true);
  });

  it("two reports taken at the same moment resolve to the larger counts, the same on every replica", ({ expect }) => {
    const a = report({ objectCount: 5, bytesUsed: 50 });
    const b = report({ objectCount: 6, bytesUsed: 10 });
    expect(mergeContainerReport(held(a), b).row).toMatchObject({ objectCount: 6, bytesUsed: 10 });
    expect(mergeContainerReport(held(b), a).row).toMatchObject({ objectCount: 6, bytesUsed: 10 });
    const c = report({ objectCount: 5, bytesUsed: 60 });
    expect(mergeContainerReport(held(a), c).row).toMatchObject({ objectCount: 5, bytesUsed: 60 });
    expect(mergeContainerReport(held(c), a)).toEqual({ row: held(c), changed: false });
  });

  it("the same report again is no change; a change in any field is one", ({ expect }) => {
    expect(mergeContainerReport(held(), report()).changed).toBe(false);
    expect(mergeContainerReport(held(), report({ reportedAt: "1700000011.00000" })).changed).toBe(true);
    expect(mergeContainerReport(held(), report({ bytesUsed: 51 })).changed).toBe(true);
    expect(mergeContainerReport(held(), report({ objectCount: 6 })).changed).toBe(true);
    expect(mergeContainerReport(held(), report({ putTimestamp: "2.00000" })).changed).toBe(true);
    expect(mergeContainerReport(held(), report({ deleteTimestamp: "0.50000" })).changed).toBe(true);
  });

  it("the row is named by the report's account and container", ({ expect }) => {
    expect(mergeContainerReport(held(), report()).row).toMatchObject({ account: "AUTH_a", container: "c" });
  });
});
