/**
 * @module
 * The merge properties over RPC (issue 19): replicas given the same rows in any order, with
 * duplicates, in any batches, or each given some and then the others' rows (as repair moves
 * them), hold the same rows and the same partition hash, for object, container and account
 * replicas; object replicas hold exactly what the pure merge folds to. Each run uses replicas of
 * its own (a zone name no ring has, so no repair or revert reaches them).
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { listingRowOf } from "../../src/durable/rows";
import { beforeAll, describe, it } from "vitest";
import { mergeMetadata, mergeObject } from "../../src/durable/merge";
import { ZERO_HASH, objectRowHash, xorHash } from "../../src/durable/partition-hash";
import type { AccountContainerRow, AccountRow, ContainerRow, MetadataMap, ObjectRow } from "../../src/durable/rows";
import type { AccountReplicaRow } from "../../src/durable/schema/account";
import type { ContainerReplicaRow } from "../../src/durable/schema/container";
import { swift, text } from "../helpers";
import { objectRowsArbFor, postAcrossTombstone, stamp } from "../unit/durable/merge-rows.property";

fc.configureGlobal({ seed: 19_006, numRuns: 15 });

/** Generous: a run is several requests, and two cores are shared with the rest of the suite. */
const TIMEOUT_MS = 60_000;

let runs = 0;
/** Fresh replica names for one run: `{ring}/7/prop-{run}-{letter}`. */
function freshZones(count: number): string[] {
  runs += 1;
  return Array.from({ length: count }, (_, i) => `prop-${runs}-${"abcdefgh"[i] ?? i}`);
}

/** What a replica holds, read as repair reads it: every row of every leaf, and the partition hash. */
interface Held<Row> {
  hash: string;
  count: number;
  rows: Row[];
}

interface RepairSurface<Row> {
  partitionHash(): Promise<{ value?: { hash: string; rows: number } }>;
  bucketHashes(): Promise<{ value?: Record<number, string> }>;
  leafHashes(buckets: number[]): Promise<{ value?: Record<number, string> }>;
  rowsInLeaves(leaves: number[]): Promise<{ value?: Row[] }>;
  mergeRows(rows: Row[]): Promise<{ status: number; value?: number }>;
}

async function held<Row>(stub: RepairSurface<Row>, sortKey: (row: Row) => string): Promise<Held<Row>> {
  const buckets = Object.keys((await stub.bucketHashes()).value ?? {}).map(Number);
  const leaves = buckets.length ? Object.keys((await stub.leafHashes(buckets)).value ?? {}).map(Number) : [];
  const rows = leaves.length ? ((await stub.rowsInLeaves(leaves)).value ?? []) : [];
  const root = (await stub.partitionHash()).value;
  return {
    hash: root?.hash ?? "",
    count: root?.rows ?? -1,
    rows: [...rows].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0)),
  };
}

/** Rows in any order with some again, cut into one to three mergeRows calls. */
function deliveries<Row>(rows: readonly Row[]): fc.Arbitrary<Row[][]> {
  return fc
    .tuple(
      fc.array(fc.nat({ max: Math.max(0, rows.length - 1) }), { maxLength: Math.ceil(rows.length / 2) }),
      fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
    )
    .chain(([again, cuts]) => {
      const all = [...rows, ...again.flatMap((i) => (rows[i] ? [rows[i]] : []))];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).map((ordered) => {
        const [a = 0, b = 0] = cuts.map((cut) => cut % (ordered.length + 1)).sort((x, y) => x - y);
        return [ordered.slice(0, a), ordered.slice(a, b), ordered.slice(b)].filter((batch) => batch.length > 0);
      });
    });
}

/** Each row to one of two replicas (every row to at least one). */
function split<Row>(rows: readonly Row[]): fc.Arbitrary<[Row[], Row[]]> {
  return fc
    .array(fc.integer({ min: 0, max: 2 }), { minLength: rows.length, maxLength: rows.length })
    .map((sides) => [rows.filter((_, i) => sides[i] !== 1), rows.filter((_, i) => sides[i] !== 0)]);
}

/**
 * The common property: replica A takes one delivery, B another; C and D split the rows, then C
 * takes D's rows as repair hands them over. All four hold the same rows and hash.
 */
async function checkOrderIndependence<Row>(
  expect: (value: unknown, message?: string) => { toEqual(expected: unknown): void; toBe(expected: unknown): void },
  stubOf: (zone: string) => RepairSurface<Row>,
  sortKey: (row: Row) => string,
  comparable: (row: Row) => unknown,
  first: Row[][],
  second: Row[][],
  [left, right]: [Row[], Row[]],
): Promise<Held<Row>> {
  const [a, b, c, d] = freshZones(4).map(stubOf) as [
    RepairSurface<Row>,
    RepairSurface<Row>,
    RepairSurface<Row>,
    RepairSurface<Row>,
  ];
  for (const batch of first) expect((await a.mergeRows(batch)).status).toBe(200);
  for (const batch of second) expect((await b.mergeRows(batch)).status).toBe(200);
  if (left.length) await c.mergeRows(left);
  if (right.length) await d.mergeRows(right);
  const fromD = await held(d, sortKey);
  if (fromD.rows.length) await c.mergeRows(fromD.rows);
  const [ha, hb, hc] = await Promise.all([held(a, sortKey), held(b, sortKey), held(c, sortKey)]);
  expect(hb.rows.map(comparable), "B's rows").toEqual(ha.rows.map(comparable));
  expect(hc.rows.map(comparable), "C's rows (after D's rows were merged in)").toEqual(ha.rows.map(comparable));
  expect(hb.hash, "B's partition hash").toBe(ha.hash);
  expect(hc.hash, "C's partition hash").toBe(ha.hash);
  expect(ha.count).toBe(ha.rows.length);
  return ha;
}

describe("object replicas: mergeRows in any order gives the same rows and partition hash", () => {
  const CONTAINER = "merge-property";
  const objects = objectRowsArbFor(
    [`AUTH_test/${CONTAINER}/o`, `AUTH_test/${CONTAINER}/dir/ö`, `AUTH_test/${CONTAINER}/a b`],
    16,
  );

  beforeAll(async () => {
    // The container the rows' updates go to, so the replicas deliver them at once.
    await text(await swift("PUT", `/AUTH_test/${CONTAINER}`));
  });

  it(
    "data, metadata, content type and tombstones: " +
      "every order, batching and repair gives the rows the pure merge folds to",
    async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(
          objects
            .filter((rows) => rows.length > 0)
            .chain((rows) => fc.tuple(fc.constant(rows), deliveries(rows), deliveries(rows), split(rows))),
          async ([rows, first, second, halves]) => {
            const got = await checkOrderIndependence<ObjectRow>(
              expect,
              (zone) => env.OBJECT_REPLICA.getByName(`object/7/${zone}`) as unknown as RepairSurface<ObjectRow>,
              (row) => row.name,
              (row) => row,
              first,
              second,
              halves,
            );
            const expected = new Map<string, ObjectRow>();
            for (const row of rows) {
              const merge = mergeObject(expected.get(row.name) ?? null, row);
              if (merge.changed) expected.set(row.name, merge.row);
            }
            const names = [...expected.keys()].sort();
            expect(got.rows).toEqual(names.map((name) => expected.get(name)));
            expect(got.hash).toBe(xorHash(ZERO_HASH, ...[...expected.values()].map(objectRowHash)));
          },
        ),
      );
    },
    TIMEOUT_MS,
  );
});

describe("object replicas: a POST newer than a tombstone newer than its data", () => {
  it(
    "a replica given the tombstone before the newer PUT keeps the POST's metadata, " +
      "as one given the PUT first does (Swift keeps it in any order)",
    async ({ expect }) => {
      const name = "AUTH_test/merge-property/post-across-tombstone";
      const { posted, tombstone, newer } = postAcrossTombstone(name, false);
      const [first, second] = freshZones(2).map((zone) => env.OBJECT_REPLICA.getByName(`object/7/${zone}`));
      if (!first || !second) throw new Error("no replicas");
      await first.mergeRows([posted, tombstone, newer]);
      await second.mergeRows([posted, newer, tombstone]);
      expect((await second.getObject(name)).value?.metadata).toEqual({ "x-object-meta-from": "post t4" });
      expect((await first.partitionHash()).value?.hash).toBe((await second.partitionHash()).value?.hash);
    },
    TIMEOUT_MS,
  );
});

// ---- container replicas: container rows (timestamps, metadata) and listing rows ----

const CONTAINER_KEYS = ["AUTH_p/c1", "AUTH_p/ç2"];
const META_KEYS = ["x-container-meta-a", "x-container-read", "x-container-meta-ü"];

/** Metadata as some of the POSTs at these seconds set it: each key's value a function of (key, timestamp). */
function metadataOf(seconds: readonly number[]): MetadataMap {
  let metadata: MetadataMap = {};
  for (const second of seconds) {
    const key = META_KEYS[second % META_KEYS.length] ?? "x-container-meta-a";
    const timestamp = stamp(second, 0);
    metadata = mergeMetadata(metadata, {
      [key]: { value: second % 4 === 0 ? "" : `${key}@${timestamp}`, timestamp },
    }).metadata;
  }
  return metadata;
}

const containerRowArb = fc
  .record({
    key: fc.constantFrom(...CONTAINER_KEYS),
    put: fc.integer({ min: 1, max: 12 }),
    del: fc.integer({ min: 0, max: 12 }),
    posts: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }),
    created: fc.integer({ min: 1, max: 12 }),
    counts: fc.nat({ max: 5 }),
  })
  .map(({ key, put, del, posts, created, counts }): ContainerReplicaRow => {
    const [account = "", container = ""] = key.split("/");
    const row: ContainerRow = {
      account,
      container,
      createdAt: stamp(created, 0),
      putTimestamp: stamp(put, 0),
      deleteTimestamp: del ? stamp(del, 0) : "0",
      statusChangedAt: stamp(Math.max(put, del), 0),
      objectCount: counts,
      bytesUsed: counts * 10,
      metadata: metadataOf(posts),
      storagePolicyIndex: 0,
    };
    return { kind: "container", key, row };
  });

const containerReplicaRowsArb = fc
  .tuple(
    fc.array(containerRowArb, { maxLength: 6 }),
    fc
      .constantFrom(...CONTAINER_KEYS)
      .chain((key) =>
        objectRowsArbFor([`${key}/o`, `${key}/dir/ö`], 10).map((rows) =>
          rows.map((row): ContainerReplicaRow => ({ kind: "object", key, row: listingRowOf(row) })),
        ),
      ),
  )
  .map(([containers, listings]) => [...containers, ...listings])
  .filter((rows) => rows.length > 0);

const containerSortKey = (entry: ContainerReplicaRow) =>
  `${entry.kind}\u0000${entry.key}\u0000${entry.kind === "container" ? "" : entry.row.name}`;
/**
 * A container row without createdAt: it is each replica's own (Swift's container DB created_at is too), never
 * exchanged by hash.
 */
const containerComparable = (entry: ContainerReplicaRow) => {
  if (entry.kind !== "container") return entry;
  const { createdAt: _local, ...rest } = entry.row;
  return { ...entry, row: rest };
};

describe("container replicas: mergeRows in any order gives the same rows and partition hash", () => {
  it(
    "container rows (put, delete, metadata) and listing rows: " +
      "the same state, and counts that match the live listing rows",
    async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(
          containerReplicaRowsArb.chain((rows) =>
            fc.tuple(fc.constant(rows), deliveries(rows), deliveries(rows), split(rows)),
          ),
          async ([rows, first, second, halves]) => {
            const got = await checkOrderIndependence<ContainerReplicaRow>(
              expect,
              (zone) =>
                env.CONTAINER_REPLICA.getByName(`container/7/${zone}`) as unknown as RepairSurface<ContainerReplicaRow>,
              containerSortKey,
              containerComparable,
              first,
              second,
              halves,
            );
            for (const entry of got.rows) {
              if (entry.kind !== "container") continue;
              const live = got.rows.flatMap((other) =>
                other.kind === "object" && other.key === entry.key && !other.row.deleted ? [other.row] : [],
              );
              expect(entry.row.objectCount, `${entry.key} objectCount`).toBe(live.length);
              expect(entry.row.bytesUsed, `${entry.key} bytesUsed`).toBe(live.reduce((sum, row) => sum + row.size, 0));
            }
          },
        ),
      );
    },
    TIMEOUT_MS,
  );
});

// ---- account replicas: account rows and their container rows ----

const ACCOUNTS = ["AUTH_p1", "AUTH_pü"];

const accountRowArb = fc
  .record({
    account: fc.constantFrom(...ACCOUNTS),
    put: fc.integer({ min: 0, max: 12 }),
    del: fc.integer({ min: 0, max: 12 }),
    posts: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 4 }),
    created: fc.integer({ min: 1, max: 12 }),
  })
  .map(({ account, put, del, posts, created }): AccountReplicaRow => {
    const putTimestamp = put ? stamp(put, 0) : "0";
    const deleteTimestamp = del ? stamp(del, 0) : "0";
    const metadata = Object.fromEntries(
      Object.entries(metadataOf(posts)).map(([key, entry]) => [key.replace("container", "account"), entry]),
    );
    const row: AccountRow = {
      account,
      createdAt: stamp(created, 0),
      putTimestamp,
      deleteTimestamp,
      status: deleteTimestamp > putTimestamp ? "DELETED" : "",
      metadata,
      containerCount: 9,
      objectCount: 9,
      bytesUsed: 9,
      policyStats: {},
    };
    return { kind: "account", row };
  });

const accountContainerRowArb = fc
  .record({
    account: fc.constantFrom(...ACCOUNTS),
    container: fc.constantFrom("c1", "c2", "ç3"),
    put: fc.integer({ min: 1, max: 10 }),
    del: fc.integer({ min: 0, max: 10 }),
    objectCount: fc.nat({ max: 4 }),
    bytes: fc.nat({ max: 4 }),
    reported: fc.integer({ min: 1, max: 6 }),
    policy: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ account, container, put, del, objectCount, bytes, reported, policy }): AccountReplicaRow => {
    const row: AccountContainerRow = {
      account,
      container,
      putTimestamp: stamp(put, 0),
      deleteTimestamp: del ? stamp(del, 0) : "0",
      objectCount,
      bytesUsed: bytes * 10,
      reportedAt: stamp(reported + 20, 0),
      deleted: del > put ? 1 : 0,
      storagePolicyIndex: policy,
    };
    return { kind: "container", row };
  });

const accountSortKey = (entry: AccountReplicaRow) =>
  `${entry.kind}\u0000${entry.row.account}\u0000${entry.kind === "container" ? entry.row.container : ""}`;
/**
 * An account row without createdAt: each replica's own (Swift's account DB created_at is too), never exchanged by
 * hash.
 */
const accountComparable = (entry: AccountReplicaRow) => {
  if (entry.kind === "container") return entry;
  const { createdAt: _local, ...rest } = entry.row;
  return { ...entry, row: rest };
};

describe("account replicas: mergeRows in any order gives the same rows and partition hash", () => {
  it(
    "account rows (put, delete, status, metadata) and container rows: " +
      "the same state, and totals that match the live container rows",
    async ({ expect }) => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .tuple(fc.array(accountRowArb, { maxLength: 5 }), fc.array(accountContainerRowArb, { maxLength: 10 }))
            .map(([accounts, containers]) => [...accounts, ...containers])
            .filter((rows) => rows.length > 0)
            .chain((rows) => fc.tuple(deliveries(rows), deliveries(rows), split(rows))),
          async ([first, second, halves]) => {
            const got = await checkOrderIndependence<AccountReplicaRow>(
              expect,
              (zone) =>
                env.ACCOUNT_REPLICA.getByName(`account/7/${zone}`) as unknown as RepairSurface<AccountReplicaRow>,
              accountSortKey,
              accountComparable,
              first,
              second,
              halves,
            );
            for (const entry of got.rows) {
              if (entry.kind !== "account") continue;
              const live = got.rows.flatMap((other) =>
                other.kind === "container" && other.row.account === entry.row.account && !other.row.deleted
                  ? [other.row]
                  : [],
              );
              expect(entry.row.containerCount, `${entry.row.account} containerCount`).toBe(live.length);
              expect(entry.row.objectCount, `${entry.row.account} objectCount`).toBe(
                live.reduce((sum, row) => sum + row.objectCount, 0),
              );
              expect(entry.row.bytesUsed, `${entry.row.account} bytesUsed`).toBe(
                live.reduce((sum, row) => sum + row.bytesUsed, 0),
              );
              expect(entry.row.status).toBe(entry.row.deleteTimestamp > entry.row.putTimestamp ? "DELETED" : "");
            }
          },
        ),
      );
    },
    TIMEOUT_MS,
  );
});
