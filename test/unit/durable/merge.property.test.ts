/**
 * @module
 * Property tests of the pure merge rules (issue 19): whatever order rows are delivered in, with
 * duplicates, and however they are grouped first (replicas merging rows that are themselves
 * merges), the merged state and the partition hash over it are the same. Rows come from a write
 * history, as the proxy makes them: one timestamp is one write (a PUT, a POST, a POST that also
 * sets the content type, or a DELETE), so two rows with the same timestamp agree on what it wrote.
 */
import fc from "fast-check";
import { listingRowOf } from "../../../src/durable/rows";
import { describe, it } from "vitest";
import { mergeContainerReport, mergeListing, mergeMetadata, mergeObject } from "../../../src/durable/merge";
import {
  ZERO_HASH,
  accountContainerRowHash,
  listingRowHash,
  objectRowHash,
  xorHash,
  type Hash,
} from "../../../src/durable/partition-hash";
import type {
  AccountContainerRow,
  ContainerReport,
  ListingRow,
  MetadataMap,
  ObjectRow,
} from "../../../src/durable/rows";
import { content, objectRowsArbFor, postAcrossTombstone, stamp } from "./merge-rows.property";

const objectRowsArb = objectRowsArbFor(["AUTH_p/c/o", "AUTH_p/c/dir/ö", "AUTH_p/c/o 2"]);

fc.configureGlobal({ seed: 19_001, numRuns: 150 });

// ---- a replica's state, folded as a replica does: a row is saved only when the merge says it changed ----

interface State<Row> {
  rows: Map<string, Row>;
  /** The partition hash, kept incrementally as the hash tree keeps it (XOR out the old row, XOR in the new). */
  hash: Hash;
}

interface Rule<Row> {
  key: (row: Row) => string;
  merge: (current: Row | null, incoming: Row) => { row: Row; changed: boolean };
  hash: (row: Row) => Hash;
}

const objectRule: Rule<ObjectRow> = { key: (row) => row.name, merge: mergeObject, hash: objectRowHash };
const listingRule: Rule<ListingRow> = {
  key: (row) => row.name,
  merge: mergeListing,
  hash: (row) => listingRowHash("AUTH_p/c", row),
};
const reportRule: Rule<AccountContainerRow> = {
  key: (row) => `${row.account}/${row.container}`,
  merge: (current, incoming) => mergeContainerReport(current, incoming),
  hash: accountContainerRowHash,
};

function fold<Row>(
  rule: Rule<Row>,
  rows: readonly Row[],
  state: State<Row> = { rows: new Map(), hash: ZERO_HASH },
): State<Row> {
  for (const incoming of rows) {
    const current = state.rows.get(rule.key(incoming)) ?? null;
    const merge = rule.merge(current, incoming);
    if (!merge.changed) continue;
    state.hash = xorHash(state.hash, ...(current ? [rule.hash(current)] : []), rule.hash(merge.row));
    state.rows.set(rule.key(incoming), merge.row);
  }
  return state;
}

/** The state as plain data, keys in order, for toEqual. */
function snapshot<Row>(state: State<Row>): { rows: [string, Row][]; hash: Hash } {
  return { rows: [...state.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), hash: state.hash };
}

/** The partition hash computed from scratch over the rows held. */
function recomputed<Row>(rule: Rule<Row>, state: State<Row>): Hash {
  return xorHash(ZERO_HASH, ...[...state.rows.values()].map(rule.hash));
}

/** Rows with some delivered again, then in any order. */
function deliveriesOf<Row>(rows: readonly Row[]): fc.Arbitrary<Row[]> {
  return fc.array(fc.nat({ max: Math.max(0, rows.length - 1) }), { maxLength: rows.length }).chain((again) => {
    const all = [...rows, ...again.flatMap((i) => (rows[i] ? [rows[i]] : []))];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

/**
 * Replicas that each took some of the rows (in any order), then merged each other's rows in any
 * order (repair): the rows merged are themselves merges. Every row reaches at least one replica.
 */
function viaReplicas<Row>(rule: Rule<Row>, rows: readonly Row[]): fc.Arbitrary<State<Row>> {
  return fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rows.length, maxLength: rows.length }),
      fc.integer({ min: 0, max: 2 }),
    )
    .chain(([zones, last]) => {
      const groups = [0, 1, 2].map((zone) => rows.filter((_, i) => zones[i] === zone));
      return fc
        .tuple(
          ...groups.map((group) => fc.shuffledSubarray(group, { minLength: group.length, maxLength: group.length })),
        )
        .chain((ordered) => {
          const states = ordered.map((group) => fold(rule, group));
          const exchanged = states.flatMap((state) => [...state.rows.values()]);
          return fc
            .shuffledSubarray(exchanged, { minLength: exchanged.length, maxLength: exchanged.length })
            .map((order) => fold(rule, order, states[last]));
        });
    });
}

function orderProperties<Row>(label: string, rule: Rule<Row>, rowsArb: fc.Arbitrary<Row[]>): void {
  it(`${label}: any order of delivery, with duplicates, gives the same rows and the same partition hash`, ({
    expect,
  }) => {
    fc.assert(
      fc.property(
        rowsArb.chain((rows) => fc.tuple(fc.constant(rows), deliveriesOf(rows), deliveriesOf(rows))),
        ([rows, first, second]) => {
          const reference = fold(rule, rows);
          const a = fold(rule, first);
          const b = fold(rule, second);
          expect(snapshot(a)).toEqual(snapshot(reference));
          expect(snapshot(b)).toEqual(snapshot(reference));
          expect(reference.hash).toBe(recomputed(rule, reference));
        },
      ),
    );
  });

  it(`${label}: replicas merging each other's merged rows end where one replica taking every row ends (associative)`, ({
    expect,
  }) => {
    fc.assert(
      fc.property(
        rowsArb.chain((rows) => fc.tuple(fc.constant(rows), viaReplicas(rule, rows))),
        ([rows, merged]) => {
          const reference = fold(rule, rows);
          expect(snapshot(merged)).toEqual(snapshot(reference));
          expect(merged.hash).toBe(recomputed(rule, merged));
        },
      ),
    );
  });

  it(`${label}: merging a row already merged in changes nothing (idempotent)`, ({ expect }) => {
    fc.assert(
      fc.property(
        rowsArb.chain((rows) => fc.tuple(fc.constant(rows), fc.subarray(rows))),
        ([rows, again]) => {
          const state = fold(rule, rows);
          for (const row of [...again, ...state.rows.values()]) {
            const held = state.rows.get(rule.key(row)) ?? null;
            const merge = rule.merge(held, row);
            expect(merge.changed).toBe(false);
            expect(merge.row).toEqual(held);
          }
        },
      ),
    );
  });
}

/** Three rows of one name, for the pairwise laws. */
function sameNameTriples<Row>(rowsArb: fc.Arbitrary<Row[]>, key: (row: Row) => string): fc.Arbitrary<[Row, Row, Row]> {
  return rowsArb
    .map((rows) => {
      const byKey = new Map<string, Row[]>();
      for (const row of rows) byKey.set(key(row), [...(byKey.get(key(row)) ?? []), row]);
      const longest = [...byKey.values()].sort((a, b) => b.length - a.length)[0] ?? [];
      return longest;
    })
    .filter((rows) => rows.length >= 1)
    .chain((rows) => fc.tuple(fc.constantFrom(...rows), fc.constantFrom(...rows), fc.constantFrom(...rows)));
}

function pairwiseLaws<Row>(label: string, rule: Rule<Row>, triples: fc.Arbitrary<[Row, Row, Row]>): void {
  it(`${label}: merge(a, b) = merge(b, a) and merge(merge(a, b), c) = merge(a, merge(b, c)), rows and hashes`, ({
    expect,
  }) => {
    fc.assert(
      fc.property(triples, ([a, b, c]) => {
        const m = (x: Row, y: Row) => rule.merge(x, y).row;
        expect(m(a, b)).toEqual(m(b, a));
        expect(rule.hash(m(a, b))).toBe(rule.hash(m(b, a)));
        expect(m(m(a, b), c)).toEqual(m(a, m(b, c)));
        expect(m(a, a)).toEqual(a);
        expect(rule.merge(a, a).changed).toBe(false);
      }),
    );
  });
}

describe("mergeObject (object rows: data, metadata, content type, tombstones)", () => {
  orderProperties("object rows", objectRule, objectRowsArb);
  pairwiseLaws("object rows", objectRule, sameNameTriples(objectRowsArb, objectRule.key));

  it("the merged row holds the newest data, and metadata and content type no older than it (last write wins)", ({
    expect,
  }) => {
    fc.assert(
      fc.property(objectRowsArb, (rows) => {
        const state = fold(objectRule, rows);
        for (const [name, row] of state.rows) {
          const mine = rows.filter((r) => r.name === name);
          const newest = mine
            .map((r) => r.createdAt)
            .sort()
            .at(-1);
          expect(row.createdAt).toBe(newest);
          // Metadata and content type: the newest not older than the winning data, a POST newer
          // than a tombstone included (Swift keeps a .meta newer than the .ts).
          const since = (part: (r: ObjectRow) => string) =>
            mine
              .map(part)
              .filter((t) => t >= row.createdAt)
              .sort()
              .at(-1);
          expect(row.metaTimestamp).toBe(since((r) => r.metaTimestamp));
          expect(row.contentTypeTimestamp).toBe(since((r) => r.contentTypeTimestamp));
          if (row.deleted) {
            expect(row.bodyKey).toBeNull();
            expect(row.deleteAt).toBeNull();
            if (row.metaTimestamp === row.createdAt) expect(row.metadata).toEqual({});
          } else {
            // What describes the data is the winning data's, whichever data a POST was made on.
            const posted = row.metaTimestamp !== row.createdAt;
            expect(row.metadata).toEqual({
              ...(posted ? content.postUserMeta(row.metaTimestamp) : content.putUserMeta(row.createdAt)),
              ...content.dataMeta(row.createdAt),
            });
            const retyped = row.contentTypeTimestamp !== row.createdAt;
            expect(row.contentType).toBe(
              retyped ? content.postType(row.contentTypeTimestamp, row.createdAt) : content.putType(row.createdAt),
            );
          }
        }
      }),
    );
  });
});

describe("a POST newer than a tombstone newer than its data (see postAcrossTombstone)", () => {
  const t = (n: number) => stamp(n, 0);
  const { posted, tombstone, newer } = postAcrossTombstone("AUTH_p/c/o", true);
  const foldRows = (rows: ObjectRow[]) => fold(objectRule, rows).rows.get("AUTH_p/c/o");

  it("merged newer data first, the POST applies to the newer data, as in Swift", ({ expect }) => {
    expect(foldRows([posted, newer, tombstone])).toMatchObject({
      createdAt: t(3),
      metaTimestamp: t(4),
      contentTypeTimestamp: t(4),
      metadata: { "x-object-meta-from": "post t4" },
    });
  });

  it("merged tombstone first, the POST still applies to the newer data: the order does not decide", ({ expect }) => {
    expect(foldRows([posted, tombstone, newer])).toEqual(foldRows([posted, newer, tombstone]));
  });

  it("the same for listing rows (mergeListing): the listed content type and partition hash do not depend on order", ({
    expect,
  }) => {
    const listed = (rows: ObjectRow[]) => fold(listingRule, rows.map(listingRowOf));
    expect(snapshot(listed([posted, tombstone, newer]))).toEqual(snapshot(listed([newer, posted, tombstone])));
  });
});

describe("mergeListing (a container's object rows)", () => {
  const listingRowsArb = objectRowsArb.map((rows) => rows.map(listingRowOf));
  orderProperties("listing rows", listingRule, listingRowsArb);
  pairwiseLaws("listing rows", listingRule, sameNameTriples(listingRowsArb, listingRule.key));
});

describe("mergeContainerReport (an account's container rows)", () => {
  const reportsArb = fc
    .array(
      fc.record({
        container: fc.constantFrom("c1", "c2", "ç3"),
        put: fc.integer({ min: 0, max: 10 }),
        del: fc.integer({ min: 0, max: 10 }),
        objectCount: fc.integer({ min: 0, max: 4 }),
        bytesUsed: fc.integer({ min: 0, max: 4 }),
        reported: fc.integer({ min: 1, max: 6 }),
        policy: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 14 },
    )
    .map((drawn) =>
      drawn.map(
        (r): AccountContainerRow => ({
          account: "AUTH_p",
          container: r.container,
          putTimestamp: r.put ? stamp(r.put, 0) : "0",
          deleteTimestamp: r.del ? stamp(r.del, 0) : "0",
          objectCount: r.objectCount,
          bytesUsed: r.bytesUsed * 10,
          reportedAt: stamp(r.reported + 20, 0),
          deleted: r.del > r.put ? 1 : 0,
          storagePolicyIndex: r.policy,
        }),
      ),
    );
  orderProperties("container reports", reportRule, reportsArb);
  pairwiseLaws("container reports", reportRule, sameNameTriples(reportsArb, reportRule.key));

  it("the row keeps the newest put and delete timestamps and is deleted exactly when the delete is newer", ({
    expect,
  }) => {
    fc.assert(
      fc.property(reportsArb, (reports: ContainerReport[]) => {
        const state = fold(reportRule, reports as AccountContainerRow[]);
        for (const row of state.rows.values()) {
          const mine = reports.filter((r) => r.container === row.container);
          expect(row.putTimestamp).toBe(
            mine
              .map((r) => r.putTimestamp)
              .sort()
              .at(-1),
          );
          expect(row.deleteTimestamp).toBe(
            mine
              .map((r) => r.deleteTimestamp)
              .sort()
              .at(-1),
          );
          expect(row.deleted).toBe(row.deleteTimestamp > row.putTimestamp ? 1 : 0);
        }
      }),
    );
  });
});

describe("mergeMetadata (account and container metadata, key by key)", () => {
  const KEYS = ["x-container-meta-a", "x-container-meta-b", "x-container-read", "x-container-meta-ü"];
  /** A metadata update: each key's value is what the write at that timestamp set ("" removes). */
  const mapArb = fc
    .array(fc.tuple(fc.constantFrom(...KEYS), fc.integer({ min: 1, max: 8 })), { maxLength: 5 })
    .map((entries) => {
      const map: MetadataMap = {};
      for (const [key, second] of entries) {
        const timestamp = stamp(second, 0);
        map[key] = { value: second % 3 === 0 ? "" : `${key}@${timestamp}`, timestamp };
      }
      return map;
    });
  const merge = (a: MetadataMap, b: MetadataMap) => mergeMetadata(a, b).metadata;
  const sorted = (map: MetadataMap) => Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1)));

  it("is commutative, associative and idempotent, and says it changed exactly when something did", ({ expect }) => {
    fc.assert(
      fc.property(mapArb, mapArb, mapArb, (a, b, c) => {
        expect(sorted(merge(a, b))).toEqual(sorted(merge(b, a)));
        expect(sorted(merge(merge(a, b), c))).toEqual(sorted(merge(a, merge(b, c))));
        expect(sorted(merge(a, a))).toEqual(sorted(a));
        expect(mergeMetadata(merge(a, b), b).changed).toBe(false);
        const once = mergeMetadata(a, b);
        expect(once.changed).toBe(JSON.stringify(sorted(once.metadata)) !== JSON.stringify(sorted(a)));
      }),
    );
  });

  it("any order of delivery of any set of updates, with duplicates, gives the same metadata", ({ expect }) => {
    fc.assert(
      fc.property(
        fc
          .array(mapArb, { minLength: 1, maxLength: 8 })
          .chain((maps) => fc.tuple(fc.constant(maps), deliveriesOf(maps))),
        ([maps, delivered]) => {
          expect(sorted(delivered.reduce(merge, {}))).toEqual(sorted(maps.reduce(merge, {})));
        },
      ),
    );
  });
});
