/**
 * @module
 * How CompleteMultipartUpload lays its parts out in SLO manifests (layoutOf): one manifest up to
 * the 1000 segments Swift allows; past that, the first parts in the object's manifest and
 * sub-manifests of the rest, no manifest over 1000 segments, the parts in order; and few enough
 * sub-manifest parts for Swift's `?multipart-manifest=delete` to delete an upload of 10,000.
 */
import { describe, it } from "vitest";
import { SLO_MAX_MANIFEST_SEGMENTS } from "../../../../src/common/constraints";
import { layoutOf } from "../../../../src/proxy/s3/multipart";
import { MAX_PART_NUMBER } from "../../../../src/proxy/s3/upload-segments";

const parts = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/** Names Swift's delete has waiting at most (delete.ts itemsToDelete; slo.py MAX_BUFFERED_SLO_SEGMENTS). */
const MAX_BUFFERED_SEGMENTS = 10_000;

describe("layoutOf", () => {
  it("up to 1000 parts: one manifest of them all, as s3api stores it", ({ expect }) => {
    expect(layoutOf(parts(1))).toEqual({ direct: [1], groups: [] });
    expect(layoutOf(parts(SLO_MAX_MANIFEST_SEGMENTS))).toEqual({ direct: parts(1000), groups: [] });
  });

  it("1001 parts: 999 in the object's manifest, a sub-manifest of the last two", ({ expect }) => {
    expect(layoutOf(parts(1001))).toEqual({ direct: parts(999), groups: [[1000, 1001]] });
  });

  it("past 1000 parts: the object's manifest full, sub-manifests of 1000 but the last (of 2 at least), in order", ({
    expect,
  }) => {
    for (const count of [1002, 1999, 2000, 2001, 4321, 9990, 9991, 9999, MAX_PART_NUMBER]) {
      const { direct, groups } = layoutOf(parts(count));
      expect(direct.length + groups.length).toBe(SLO_MAX_MANIFEST_SEGMENTS);
      expect(groups.slice(0, -1).every((group) => group.length === SLO_MAX_MANIFEST_SEGMENTS)).toBe(true);
      expect(groups.at(-1)?.length).toBeGreaterThanOrEqual(2);
      expect(groups.at(-1)?.length).toBeLessThanOrEqual(SLO_MAX_MANIFEST_SEGMENTS);
      expect([...direct, ...groups.flat()]).toEqual(parts(count));
    }
    expect(layoutOf(parts(MAX_PART_NUMBER)).groups.length).toBe(10);
  });

  it("Swift's delete (every sub-manifest read once the object's own parts are out) never has 10,000 names waiting", ({
    expect,
  }) => {
    for (let count = SLO_MAX_MANIFEST_SEGMENTS + 1; count <= MAX_PART_NUMBER; count += 97) {
      const { groups } = layoutOf(parts(count));
      const waiting = groups.flat().length + groups.length;
      expect(waiting).toBeLessThan(MAX_BUFFERED_SEGMENTS);
    }
    const { groups } = layoutOf(parts(MAX_PART_NUMBER));
    expect(groups.flat().length + groups.length).toBe(9020);
  });
});
