/**
 * @module
 * The hash tree's values are fixed: replicas of different versions compare them, so a row hash,
 * leaf or bucket that changed would make every partition look different and repair everything.
 * Golden values computed with Python's hashlib.md5 over the same bytes.
 */
import { describe, it } from "vitest";
import {
  accountContainerRowHash,
  accountRowHash,
  BUCKET_BITS,
  BUCKET_COUNT,
  bucketOf,
  containerRowHash,
  LEAF_BITS,
  LEAF_COUNT,
  leafOf,
  listingRowHash,
  objectRowHash,
  rowHash,
  treeKey,
  xorHash,
  ZERO_HASH,
} from "../../../src/durable/partition-hash";

describe("row hashes (Swift: db.py chexor's running XOR of row hashes)", () => {
  it("a row hash is md5 of its key, timestamps and deleted flag, NUL-separated", ({ expect }) => {
    expect(rowHash("AUTH_a/c/o", ["1.00000", "2.00000", "3.00000"], 0)).toBe("c121364befb1967dcb28bafd0ef24207");
    expect(
      objectRowHash({
        name: "AUTH_a/c/o",
        createdAt: "1.00000",
        metaTimestamp: "2.00000",
        contentTypeTimestamp: "3.00000",
        deleted: 0,
      }),
    ).toBe("c121364befb1967dcb28bafd0ef24207");
  });

  it("a listing row hashes under o:container/name, a tombstone with its deleted flag", ({ expect }) => {
    const row = {
      name: "o",
      createdAt: "1.00000",
      metaTimestamp: "1.00000",
      contentTypeTimestamp: "1.00000",
      deleted: 1 as const,
    };
    expect(listingRowHash("AUTH_a/c", row)).toBe("9e3582d05a884799e56c7b882bdede1d");
  });

  it("a container row hashes its put and delete timestamps and its metadata timestamps in key order", ({ expect }) => {
    const metadata = { b: { value: "x", timestamp: "1" }, a: { value: "y", timestamp: "2" } };
    expect(containerRowHash("AUTH_a/c", { putTimestamp: "1.00000", deleteTimestamp: "0", metadata })).toBe(
      "3c0f45896b81b4a5b5f692ebe274803a",
    );
  });

  it("an account row hashes its timestamps, status and metadata", ({ expect }) => {
    expect(
      accountRowHash({
        account: "AUTH_a",
        putTimestamp: "1.00000",
        deleteTimestamp: "0",
        status: "DELETED",
        metadata: {},
      }),
    ).toBe("bfe9cb527ce7da66ac597ebe82db3125");
  });

  it("an account's container row hashes its counts and deleted flag", ({ expect }) => {
    expect(
      accountContainerRowHash({
        account: "AUTH_a",
        container: "c",
        putTimestamp: "1.00000",
        deleteTimestamp: "0",
        objectCount: 3,
        bytesUsed: 42,
        deleted: 1,
      }),
    ).toBe("619a9afcac7ce24571f67eba7fb536a6");
  });

  it("each kind of row has its own namespace in the tree", ({ expect }) => {
    expect([
      treeKey.object("a/c/o"),
      treeKey.container("a/c"),
      treeKey.listing("a/c", "o"),
      treeKey.account("a"),
      treeKey.accountContainer("a", "c"),
    ]).toEqual(["a/c/o", "c:a/c", "o:a/c/o", "a:a", "c:a/c"]);
  });
});

describe("leaves and buckets", () => {
  it("65,536 leaves in 256 buckets", ({ expect }) => {
    expect([LEAF_BITS, BUCKET_BITS, LEAF_COUNT, BUCKET_COUNT]).toEqual([16, 8, 65_536, 256]);
  });

  it("a row's leaf is the first 16 bits of md5 of its key, its bucket the first 8", ({ expect }) => {
    expect(leafOf("AUTH_a/c/o")).toBe(53_001);
    expect(bucketOf(53_001)).toBe(207);
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(255)).toBe(0);
    expect(bucketOf(256)).toBe(1);
    expect(bucketOf(65_535)).toBe(255);
  });
});

describe("xorHash", () => {
  it("XORs 128-bit hashes word by word; the zero hash is its identity", ({ expect }) => {
    expect(ZERO_HASH).toBe("00000000000000000000000000000000");
    expect(xorHash()).toBe(ZERO_HASH);
    expect(xorHash("ffffffff00000000ffffffff00000000", "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f")).toBe(
      "f0f0f0f00f0f0f0ff0f0f0f00f0f0f0f",
    );
    expect(xorHash("c121364befb1967dcb28bafd0ef24207", ZERO_HASH)).toBe("c121364befb1967dcb28bafd0ef24207");
  });

  it("XOR-ing a row hash in twice takes it out again", ({ expect }) => {
    const a = "c121364befb1967dcb28bafd0ef24207";
    const b = "9e3582d05a884799e56c7b882bdede1d";
    expect(xorHash(a, b, a)).toBe(b);
    expect(xorHash(a, a)).toBe(ZERO_HASH);
  });
});
