/**
 * @module
 * Golden test: every path in ring-vectors.json hashes to the md5 and partitions Swift 2.30.1
 * computed for it (swift.common.utils.hash_path, Ring.get_part). It is meant to fail loudly if
 * placement ever changes.
 */
import { describe, it } from "vitest";
import vectors from "../../fixtures/ring-vectors.json";
import { hashPath, partitionOf } from "../../../src/ring/hash-path.ts";

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

describe("hashPath and partitionOf reproduce Swift", () => {
  it("the fixture holds Swift's 31 vectors", ({ expect }) => {
    expect(vectors.vectors).toHaveLength(31);
  });

  for (const vector of vectors.vectors) {
    const path = [vector.account, vector.container, vector.object].filter((part) => part !== null).join("/");
    it(`/${path.length > 60 ? path.slice(0, 60) + "…" : path} has Swift's md5 and partitions`, ({ expect }) => {
      const digest = hashPath(
        vectors.hash_path_prefix,
        vectors.hash_path_suffix,
        vector.account,
        vector.container,
        vector.object,
      );
      expect(toHex(digest)).toBe(vector.md5_hex);
      for (const [partPower, partition] of Object.entries(vector.partition)) {
        expect(partitionOf(digest, Number(partPower)), `part power ${partPower}`).toBe(partition);
      }
    });
  }

  it("part power 32 keeps the whole first word, unsigned", ({ expect }) => {
    expect(partitionOf(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 32)).toBe(0xffffffff);
    expect(partitionOf(Uint8Array.from([0x80, 0, 0, 1]), 1)).toBe(1);
  });

  it("an empty container is left out of the path, as Swift's `if container:` does", ({ expect }) => {
    expect(toHex(hashPath("p", "s", "AUTH_a", ""))).toBe(toHex(hashPath("p", "s", "AUTH_a")));
  });

  it("an object without a container is refused, as in Swift", ({ expect }) => {
    expect(() => hashPath("p", "s", "AUTH_a", null, "o")).toThrow(/container is required/);
  });
});
