/**
 * storedMetadataError: Swift's limits on an account's or container's metadata as stored
 * (common/db.py DatabaseBroker.validate_metadata), which counts characters of user metadata only.
 */
import { describe, it } from "vitest";
import { storedMetadataError } from "../../../src/common/headers";

const items = (prefix: string, count: number, value: string) =>
  Array.from({ length: count }, (_, i) => [`${prefix}k${100 + i}`, value] as const);

describe("storedMetadataError", () => {
  it("counts names without their prefix and values, in characters: 4096 passes, 4097 is Total metadata too large", ({
    expect,
  }) => {
    // 16 × (4 + 252) = 4096
    expect(storedMetadataError(items("x-container-meta-", 16, "v".repeat(252)))).toBeNull();
    expect(storedMetadataError([...items("x-container-meta-", 16, "v".repeat(252)), ["x-container-meta-b", "w"]])).toBe(
      "Total metadata too large; max 4096",
    );
  });

  it("counts a character outside the BMP once, as Python's len() does", ({ expect }) => {
    expect(storedMetadataError(items("x-account-meta-", 16, "\u{1F954}".repeat(252)))).toBeNull();
    expect(storedMetadataError(items("x-account-meta-", 16, "\u{1F954}".repeat(253)))).toBe(
      "Total metadata too large; max 4096",
    );
  });

  it("more than 90 items is Too many metadata items, checked before the size", ({ expect }) => {
    expect(storedMetadataError(items("x-container-meta-", 90, "v"))).toBeNull();
    expect(storedMetadataError(items("x-container-meta-", 91, "v".repeat(256)))).toBe(
      "Too many metadata items; max 90",
    );
  });

  it("ignores removed items (empty values), ACLs and sysmeta", ({ expect }) => {
    const full = items("x-container-meta-", 90, "v");
    expect(
      storedMetadataError([
        ...full,
        ["x-container-meta-gone", ""],
        ["x-container-read", ".r:*"],
        ["x-container-sysmeta-a", "x"],
        ["x-versions-location", "v"],
      ]),
    ).toBeNull();
  });
});
