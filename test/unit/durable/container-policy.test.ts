/**
 * @module
 * Which storage policy a container keeps when its replicas disagree (a container created in two
 * policies at once, one zone each): Swift's container reconciler best_policy_index.
 */
import { describe, it } from "vitest";
import { isContainerDeleted, winningPolicy } from "../../../src/durable/merge";
import type { ContainerRow } from "../../../src/durable/rows";

const row = (storagePolicyIndex: number, statusChangedAt: string, deleted = false): ContainerRow => ({
  account: "AUTH_a",
  container: "c",
  createdAt: statusChangedAt,
  putTimestamp: statusChangedAt,
  deleteTimestamp: deleted ? "9999999999.00000" : "0",
  statusChangedAt,
  objectCount: 0,
  bytesUsed: 0,
  metadata: {},
  storagePolicyIndex,
});

describe("winningPolicy", () => {
  it("agreeing rows keep their policy", ({ expect }) => {
    expect(winningPolicy(row(2, "1.00000"), row(2, "5.00000"))).toBe(2);
  });

  it("a live container's policy beats a deleted one's, either way round", ({ expect }) => {
    expect(winningPolicy(row(1, "5.00000"), row(2, "1.00000", true))).toBe(1);
    expect(winningPolicy(row(2, "1.00000", true), row(1, "5.00000"))).toBe(1);
  });

  it("among live containers the one created first wins; among deleted ones the last", ({ expect }) => {
    expect(winningPolicy(row(1, "2.00000"), row(2, "1.00000"))).toBe(2);
    expect(winningPolicy(row(2, "1.00000"), row(1, "2.00000"))).toBe(2);
    expect(winningPolicy(row(1, "2.00000", true), row(2, "1.00000", true))).toBe(1);
    expect(winningPolicy(row(2, "1.00000", true), row(1, "2.00000", true))).toBe(1);
  });

  it("a tie goes to the lower index, whichever row is held", ({ expect }) => {
    expect(winningPolicy(row(2, "1.00000"), row(1, "1.00000"))).toBe(1);
    expect(winningPolicy(row(1, "1.00000"), row(2, "1.00000"))).toBe(1);
  });
});

describe("isContainerDeleted (Swift: container/backend.py is_deleted)", () => {
  it("is deleted only when its delete is newer than its put and it holds no object", ({ expect }) => {
    const base = row(0, "1.00000");
    expect(isContainerDeleted({ ...base, putTimestamp: "1.00000", deleteTimestamp: "2.00000" })).toBe(true);
    expect(isContainerDeleted({ ...base, putTimestamp: "2.00000", deleteTimestamp: "2.00000" })).toBe(false);
    expect(isContainerDeleted({ ...base, putTimestamp: "3.00000", deleteTimestamp: "2.00000" })).toBe(false);
    expect(isContainerDeleted({ ...base, putTimestamp: "1.00000", deleteTimestamp: "2.00000", objectCount: 1 })).toBe(
      false,
    );
  });
});
