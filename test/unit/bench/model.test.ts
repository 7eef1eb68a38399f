/**
 * @module
 * The deployment model of `npm run model` (bench/model-lib.ts): occupancy, coalesced reports,
 * prices, the in-sync sweep's calls and rows, the busiest Durable Objects, row sizes, the Swift
 * walk, and the constants it copies from files Node cannot load as they are.
 */
import { describe, it } from "vitest";
import {
  ASSUMPTIONS,
  COPIED,
  coalesced,
  type Deployment,
  type Measured,
  occupied,
  type OperationWork,
  priceOf,
} from "../../../bench/model-base";
import { largestPartition, measuredFromLines, model, ringSweep, swiftWalk } from "../../../bench/model-lib";
import { rowBytes } from "../../../bench/model-rows";
import { AUDIT_LEAVES_PER_REPLICA, AUDIT_REPLICAS_PER_RING } from "../../../src/replicator/auditor";
import { SUMMARY_PAGE } from "../../../src/replicator/sweep";
import { SUMMARY_QUIET_MS } from "../../../src/common/constraints";

const NO_WORK: OperationWork = {
  accountRequests: 0,
  containerRequests: 0,
  objectRequests: 0,
  controlRequests: 0,
  rowsRead: 0,
  rowsWritten: 0,
  r2ClassA: 0,
  r2ClassB: 0,
  subrequests: 0,
};

/** A PUT as the bench measures it, GETs of one object call and one R2 read, nothing else. */
const MEASURED: Measured = {
  operations: {
    put: { ...NO_WORK, containerRequests: 3, objectRequests: 3, rowsRead: 57, rowsWritten: 51, r2ClassA: 3 },
    get: { ...NO_WORK, objectRequests: 1, rowsRead: 1, r2ClassB: 1 },
    head: NO_WORK,
    delete: NO_WORK,
    list: NO_WORK,
  },
  summaryReport: { doRequests: 2, rowsRead: 3, rowsWritten: 4 },
  accountReport: { doRequests: 2, rowsRead: 10, rowsWritten: 10 },
  sweep: { seconds: 0.2, partitionsChecked: 2_000 },
};

/** The default: a billion objects, 2^18 partitions, 3 replicas in 6 zones. */
function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    objects: 1e9,
    containers: 1e8,
    accounts: 1e6,
    partitions: 2 ** 18,
    replicas: 3,
    zones: 6,
    perSecond: { put: 1_000, get: 10_000, head: 0, delete: 0, list: 0 },
    objectBytes: 2 ** 20,
    hotContainerShare: 0.01,
    largestContainerObjects: 1e7,
    shardRows: 1e6,
    cronMinutes: 5,
    names: { account: 37, container: 24, object: 64, metadata: 2, contentType: 24 },
    swiftItemsPerSecond: 350,
    swiftNodeTb: 100,
    ...overrides,
  };
}

describe("model arithmetic", () => {
  it("partitions holding data follow P·(1 − e^(−n/P))", ({ expect }) => {
    expect(occupied(1_000, 0)).toBe(0);
    expect(occupied(1_000, 1_000)).toBeCloseTo(632.12, 2);
    expect(occupied(2 ** 18, 1e9)).toBeCloseTo(2 ** 18, 6);
  });

  it("a replica changed 0.1 times a second reports 0.05 times a second with a 10 s window", ({ expect }) => {
    expect(coalesced(0.1, 10)).toBeCloseTo(0.05, 12);
    expect(coalesced(1_000, 0.5)).toBeCloseTo(1_000 / 501, 12);
  });

  it("a million of each unit costs its published price", ({ expect }) => {
    const price = priceOf({
      workerRequests: 1e6,
      doRequests: 1e6,
      rowsRead: 1e6,
      rowsWritten: 1e6,
      r2ClassA: 1e6,
      r2ClassB: 1e6,
    });
    expect(price).toEqual({
      workerRequests: 0.3,
      doRequests: 0.15,
      rowsRead: 0.001,
      rowsWritten: 1,
      r2ClassA: 4.5,
      r2ClassB: 0.36,
    });
  });

  it("a hash-tree leaf is a 52-byte cell and a summary entry a 54-byte one", ({ expect }) => {
    const bytes = rowBytes(deployment().names);
    expect(bytes.hashNode).toBe(52);
    expect(bytes.summary).toBe(54);
  });

  it("longer object names make the object row longer by as many bytes and the listing row by three times as many", ({
    expect,
  }) => {
    const short = rowBytes(deployment().names);
    const long = rowBytes({ ...deployment().names, object: 74 });
    // The object's name is stored in its row alone (its key); the listing's in the row and two indexes.
    expect(long.object - short.object).toBe(10);
    expect(long.listing - short.listing).toBe(30);
  });

  it("the largest partition is √(2 ln P) standard deviations above the mean", ({ expect }) => {
    expect(largestPartition(Math.E ** 2, 100)).toBeCloseTo(120, 10);
  });
});

describe("the in-sync sweep", () => {
  it("2^18 partitions in 3 replicas over 6 zones: 792 summary pages, one row read per entry and per page", ({
    expect,
  }) => {
    const storage = {
      partitionsHoldingData: 2 ** 18,
      replicasHoldingData: 3 * 2 ** 18,
      rowsPerReplica: 0,
      bytesPerReplica: 0,
      bytes: 0,
    };
    const sweep = ringSweep(deployment(), "object", storage);
    expect(sweep.summaryCalls).toBe(6 * 132);
    // Summary pages, the control record's cursor and save, the auditor's page and replicas.
    expect(sweep.work.doRequests).toBe(792 + 2 + 1 + 32);
    // Every entry, the entry each page starts from read again, the audited replicas' leaves.
    expect(sweep.work.rowsRead).toBe(786_432 + 792 + 32 + 32 * 16);
  });

  it("its cost follows partitions, not objects: ten times the objects read the same summary rows", ({ expect }) => {
    const base = model(deployment(), MEASURED).sweep.rings.find((r) => r.ring === "object");
    const more = model(deployment({ objects: 1e10 }), MEASURED).sweep.rings.find((r) => r.ring === "object");
    expect(more?.summaryEntries).toBe(base?.summaryEntries);
    expect(more?.summaryCalls).toBe(base?.summaryCalls);
  });

  it("an invocation holds a page of summary entries per zone, however many partitions: 1.2 MB for 6 zones", ({
    expect,
  }) => {
    for (const partitions of [2 ** 18, 2 ** 22])
      expect(model(deployment({ partitions }), MEASURED).sweep.heldBytes).toBe(
        6 * SUMMARY_PAGE * ASSUMPTIONS.sweepEntryJsBytes,
      );
    expect(6 * SUMMARY_PAGE * ASSUMPTIONS.sweepEntryJsBytes).toBe(1_200_000);
  });

  it("four times the partitions read about four times the summary rows a tick", ({ expect }) => {
    const base = model(deployment(), MEASURED).sweep.perTick.rowsRead;
    const more = model(deployment({ partitions: 2 ** 20 }), MEASURED).sweep.perTick.rowsRead;
    expect(more / base).toBeGreaterThan(3.4);
    expect(more / base).toBeLessThan(4);
  });
});

describe("the busiest Durable Objects", () => {
  it("100 writes a second over 1,000 partitions: each replica reports once per SUMMARY_QUIET_MS window, each ring summary of 6 zones about 0.14 times a second", ({
    expect,
  }) => {
    const d = deployment({
      objects: 1e9,
      containers: 1e9,
      accounts: 1e9,
      partitions: 1_000,
      perSecond: { put: 100, get: 0, head: 0, delete: 0, list: 0 },
    });
    // Each replica is changed 0.1 times a second and reports once a window of changes: 3,000 replicas.
    const perReplica = 0.1 / (1 + 0.1 * (SUMMARY_QUIET_MS / 1_000));
    const objectSummary = model(d, MEASURED).busiest.find((b) => b.what === "object ring summary (one zone)");
    expect(objectSummary?.requestsPerS).toBeCloseTo((3_000 * perReplica) / 6, 9);
    expect(objectSummary?.requestsPerS).toBeCloseTo(0.1385, 4);
  });

  it("one container takes 998 PUTs a second before its replicas reach 1,000 requests a second", ({ expect }) => {
    const idle = deployment({ perSecond: { put: 0, get: 0, head: 0, delete: 0, list: 0 } });
    // One container request per replica per PUT; its alarms at most 2 (accounts) + one an hour (summary) a second.
    expect(model(idle, MEASURED).hotContainer.maxPutsPerS).toBeCloseTo(998 - 1_000 / SUMMARY_QUIET_MS, 9);
  });

  it("sharded at a million rows, a container of every billion objects has 1,334 shards of 750,000 on average, and takes their PUT rates together", ({
    expect,
  }) => {
    const idle = deployment({ perSecond: { put: 0, get: 0, head: 0, delete: 0, list: 0 } });
    const { sharding, hotContainer } = model(idle, MEASURED);
    expect(sharding.largestContainerObjects).toBe(1e9);
    expect(sharding.meanRowsPerShard).toBe(750_000);
    expect(sharding.largestContainerShards).toBe(1_334);
    expect(sharding.maxPutsPerShard).toBe(hotContainer.maxPutsPerS);
    expect(sharding.maxPutsLargestContainer).toBeCloseTo(1_334 * hotContainer.maxPutsPerS, 6);
    expect(sharding.fullShardReplicaBytes).toBeLessThan(1e9);
    // An account is one set of account replicas: tens of millions of containers.
    expect(sharding.maxContainersPerAccount).toBeGreaterThan(1e7);
  });

  it("at one report a replica an hour, no write rate brings a summary of 2^18 partitions to its limit", ({
    expect,
  }) => {
    expect(model(deployment(), MEASURED).maxWritesForSummaries).toBe(Number.POSITIVE_INFINITY);
  });

  it("twice the zones halve the summaries' rate and double the writes they can take", ({ expect }) => {
    // 2^25 partitions: 16.8 million replicas in 6 zones, enough to bring a summary to its limit.
    const six = model(deployment({ partitions: 2 ** 25 }), MEASURED);
    const twelve = model(deployment({ partitions: 2 ** 25, zones: 12 }), MEASURED);
    const rate = (r: typeof six) => r.busiest.find((b) => b.what === "object ring summary (one zone)")?.requestsPerS;
    expect((rate(twelve) ?? 0) * 2).toBeCloseTo(rate(six) ?? 0, 9);
    expect(twelve.maxWritesForSummaries).toBeGreaterThan(2 * six.maxWritesForSummaries);
  });
});

describe("price and storage", () => {
  it("R2 keeps a copy per replica: a billion 1 MiB objects in 3 replicas cost $47,185.92 a month", ({ expect }) => {
    expect(model(deployment(), MEASURED).month.r2Storage).toBeCloseTo(47_185.92, 2);
  });

  it("the month's total is the sum of its line items", ({ expect }) => {
    const month = model(deployment(), MEASURED).month;
    const sum = (items: Record<string, number>) => Object.values(items).reduce((a, b) => a + b, 0);
    expect(month.total).toBeCloseTo(
      sum(month.client) + sum(month.deferred) + sum(month.cron) + month.doStorage + month.r2Storage,
      6,
    );
  });

  it("1,000 PUTs a second write 51 rows each: $134,028 of rows written a month", ({ expect }) => {
    expect(model(deployment(), MEASURED).month.client.rowsWritten).toBeCloseTo(134_028, 6);
  });

  it("metadata across replicas is three times one replica's", ({ expect }) => {
    const meta = model(deployment(), MEASURED).metadataPerObject;
    expect(meta.allReplicas).toBeCloseTo(3 * meta.perReplica, 9);
    expect(meta.perReplica).toBeCloseTo(meta.object + meta.listing + meta.tree + meta.containerShare, 9);
  });
});

describe("a Swift-style full walk", () => {
  it("visits every replica of every item at 350 a second a node", ({ expect }) => {
    const walk = swiftWalk(deployment());
    expect(walk.items).toBe(3_303_000_000);
    expect(walk.nodeHours).toBeCloseTo(3_303_000_000 / 350 / 3_600, 6);
    expect(walk.nodesForCronPass).toBe(31_458);
    // 3 × 2^50 bytes at 100 TB a node.
    expect(walk.nodes).toBe(32);
  });
});

describe("a bench run's lines", () => {
  const line = (op: string, name: string, value: number) => `edgeswift.${op}.work.${name}=${value}`;
  const NAMES = [
    "do_requests_account",
    "do_requests_container",
    "do_requests_object",
    "do_requests_control",
    "rows_read",
    "rows_written",
    "r2_class_a",
    "r2_class_b",
    "subrequests",
  ];
  const text = ["put", "get", "head", "delete", "list"]
    .flatMap((op, i) => NAMES.map((name, j) => line(op, name, i * 10 + j)))
    .join("\n");

  it("give each operation's work", ({ expect }) => {
    const work = measuredFromLines(`noise\n${text}\nedgeswift.put.ops_per_s=43.3\n`);
    expect(work?.put.rowsRead).toBe(4);
    expect(work?.delete.containerRequests).toBe(31);
    expect(work?.list.subrequests).toBe(48);
  });

  it("missing one value give nothing", ({ expect }) => {
    expect(measuredFromLines(text.replace(/edgeswift\.list\.work\.rows_read=\d+\n/, ""))).toBeNull();
  });
});

describe("copied constants", () => {
  it("equal the sweep's and the auditor's", ({ expect }) => {
    expect(COPIED.summaryPage).toBe(SUMMARY_PAGE);
    expect(COPIED.auditReplicasPerRing).toBe(AUDIT_REPLICAS_PER_RING);
    expect(COPIED.auditLeavesPerReplica).toBe(AUDIT_LEAVES_PER_REPLICA);
  });
});
