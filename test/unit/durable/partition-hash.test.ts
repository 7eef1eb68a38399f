/**
 * @module
 * Row hashes cover every timestamp that orders a row: a change that moves only metadata or the
 * content type (a POST) changes the row's hash, so the partition hash differs and repair finds it.
 */
import { describe, it } from "vitest";
import { accountRowHash, containerRowHash, listingRowHash, objectRowHash } from "../../../src/durable/partition-hash";

const row = {
  name: "AUTH_a/c/o",
  createdAt: "1700000001.00000",
  metaTimestamp: "1700000001.00000",
  contentTypeTimestamp: "1700000001.00000",
  deleted: 0 as const,
};

describe("row hashes", () => {
  it("an object row's hash changes when a POST moves only its metadata timestamp", ({ expect }) => {
    expect(objectRowHash({ ...row })).toBe(objectRowHash(row));
    expect(objectRowHash({ ...row, metaTimestamp: "1700000002.00000" })).not.toBe(objectRowHash(row));
  });

  it("an object row's hash changes when a POST moves only its content type timestamp", ({ expect }) => {
    expect(objectRowHash({ ...row, contentTypeTimestamp: "1700000002.00000" })).not.toBe(objectRowHash(row));
  });

  it("an object row's hash changes with its data timestamp and its deleted flag", ({ expect }) => {
    expect(objectRowHash({ ...row, createdAt: "1700000002.00000" })).not.toBe(objectRowHash(row));
    expect(objectRowHash({ ...row, deleted: 1 })).not.toBe(objectRowHash(row));
  });

  it("a container listing row's hash changes when only its metadata or content type timestamp moves", ({ expect }) => {
    const listing = { ...row, name: "o" };
    expect(listingRowHash("AUTH_a/c", { ...listing, metaTimestamp: "1700000002.00000" })).not.toBe(
      listingRowHash("AUTH_a/c", listing),
    );
    expect(listingRowHash("AUTH_a/c", { ...listing, contentTypeTimestamp: "1700000002.00000" })).not.toBe(
      listingRowHash("AUTH_a/c", listing),
    );
  });

  it("a container row's hash changes when a POST changes only its metadata, put and delete timestamps unchanged", ({
    expect,
  }) => {
    const container = {
      putTimestamp: "1700000001.00000",
      deleteTimestamp: "0",
      metadata: { "x-container-meta-a": { value: "1", timestamp: "1700000001.00000" } },
    };
    const posted = { ...container, metadata: { "x-container-meta-a": { value: "2", timestamp: "1700000002.00000" } } };
    const added = {
      ...container,
      metadata: { ...container.metadata, "x-container-meta-b": { value: "1", timestamp: "1700000001.00000" } },
    };
    expect(containerRowHash("AUTH_a/c", posted)).not.toBe(containerRowHash("AUTH_a/c", container));
    expect(containerRowHash("AUTH_a/c", added)).not.toBe(containerRowHash("AUTH_a/c", container));
  });

  it("an account row's hash changes when a POST changes only its metadata", ({ expect }) => {
    const account = {
      account: "AUTH_a",
      putTimestamp: "1700000001.00000",
      deleteTimestamp: "0",
      status: "",
      metadata: {},
    };
    const posted = { ...account, metadata: { "x-account-meta-a": { value: "1", timestamp: "1700000002.00000" } } };
    expect(accountRowHash(posted)).not.toBe(accountRowHash(account));
  });
});
