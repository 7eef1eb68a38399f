/**
 * @module
 * The work counters (src/common/work.ts), the isolate's tally per operation (work-tally.ts) and
 * the price of a million operations at Cloudflare's published prices (pricing.ts).
 */
import { describe, it } from "vitest";
import {
  ONE_PUT_FLOOR,
  perOperation,
  PRICE_PER_MILLION,
  pricePerMillion,
  THREE_REPLICA_PUT_FLOOR,
} from "../../../src/common/pricing";
import { countWork, currentWork, nameOperation, noWork, runWithWork, Work } from "../../../src/common/work";
import { WorkTally } from "../../../src/common/work-tally";

describe("work counters", () => {
  it("countWork adds to the Work of the call running, and does nothing outside one", async ({ expect }) => {
    countWork("r2ClassA");
    expect(currentWork()).toBeUndefined();
    const a = new Work();
    const b = new Work();
    await Promise.all([
      runWithWork(a, async () => {
        countWork("objectRequests", 3);
        await Promise.resolve();
        countWork("r2ClassA");
      }),
      runWithWork(b, async () => {
        await Promise.resolve();
        countWork("r2ClassB", 2);
      }),
    ]);
    expect(a.counts).toEqual({ ...noWork(), objectRequests: 3, r2ClassA: 1 });
    expect(b.counts).toEqual({ ...noWork(), r2ClassB: 2 });
  });

  it("a replica's reply work adds all but its subrequests, which are the replica's own", ({ expect }) => {
    const work = new Work();
    work.add("subrequests", 1);
    work.addReplyWork({ ...noWork(), containerRequests: 1, rowsWritten: 17, subrequests: 1 });
    expect(work.counts).toEqual({ ...noWork(), containerRequests: 1, rowsWritten: 17, subrequests: 1 });
  });

  it("settle adds the rows of every cursor the call kept, as they stand when the call is over", ({ expect }) => {
    const work = new Work();
    const cursor = { rowsRead: 0, rowsWritten: 0 };
    work.keepCursor(cursor);
    work.keepCursor({ rowsRead: 2, rowsWritten: 3 });
    cursor.rowsRead = 5;
    expect(work.settle()).toEqual({ ...noWork(), rowsRead: 7, rowsWritten: 3 });
    expect(work.settle()).toEqual({ ...noWork(), rowsRead: 7, rowsWritten: 3 });
  });

  it("the first router to name a request's operation keeps it (S3's before Swift's subrequests)", ({ expect }) => {
    const work = new Work();
    runWithWork(work, () => {
      nameOperation("s3 object PUT");
      nameOperation("object PUT");
    });
    expect(work.operation).toBe("s3 object PUT");
  });
});

describe("WorkTally", () => {
  it("counts requests per operation and sums their counters", ({ expect }) => {
    const tally = new WorkTally();
    tally.record("object PUT", { ...noWork(), objectRequests: 3, r2ClassA: 3 });
    tally.record("object PUT", { ...noWork(), objectRequests: 3, r2ClassA: 2 });
    tally.record("object GET", { ...noWork(), objectRequests: 1, r2ClassB: 1 });
    expect(tally.snapshot()).toEqual({
      "object GET": { requests: 1, ...noWork(), objectRequests: 1, r2ClassB: 1 },
      "object PUT": { requests: 2, ...noWork(), objectRequests: 6, r2ClassA: 5 },
    });
  });

  it("work a request does after it was recorded (a body still streaming) goes to its entry", ({ expect }) => {
    const tally = new WorkTally();
    const work = new Work();
    work.add("objectRequests", 1);
    work.drainInto(tally.record("object GET", work.counts));
    work.add("r2ClassB", 2);
    expect(tally.snapshot()["object GET"]).toEqual({ requests: 1, ...noWork(), objectRequests: 1, r2ClassB: 2 });
  });

  it("reset empties it; a snapshot is a copy", ({ expect }) => {
    const tally = new WorkTally();
    tally.record("object PUT", noWork());
    const before = tally.snapshot();
    tally.reset();
    expect(tally.snapshot()).toEqual({});
    expect(before["object PUT"]?.requests).toBe(1);
  });
});

describe("price per million operations", () => {
  it("a PUT's counts priced at the published prices, line by line", ({ expect }) => {
    const price = pricePerMillion({ doRequests: 6, rowsWritten: 51, rowsRead: 57, r2ClassA: 3, r2ClassB: 0 });
    expect(price.workers).toBeCloseTo(0.3, 10);
    expect(price.doRequests).toBeCloseTo(6 * 0.15, 10);
    expect(price.rowsWritten).toBeCloseTo(51, 10);
    expect(price.rowsRead).toBeCloseTo(0.057, 10);
    expect(price.r2ClassA).toBeCloseTo(13.5, 10);
    expect(price.r2ClassB).toBe(0);
    expect(price.total).toBeCloseTo(0.3 + 0.9 + 51 + 0.057 + 13.5, 10);
  });

  it("Worker CPU ms are priced at $0.02 per million ms", ({ expect }) => {
    const none = { doRequests: 0, rowsWritten: 0, rowsRead: 0, r2ClassA: 0, r2ClassB: 0 };
    expect(pricePerMillion(none, 5).workers).toBeCloseTo(0.3 + 5 * 0.02, 10);
  });

  it("the floors: three R2 class A writes ($13.50 per million PUTs) and one ($4.50)", ({ expect }) => {
    expect(THREE_REPLICA_PUT_FLOOR).toBeCloseTo(13.5, 10);
    expect(ONE_PUT_FLOOR).toBe(PRICE_PER_MILLION.r2ClassA);
  });

  it("perOperation divides a tally's sums by its requests; no requests gives zeros", ({ expect }) => {
    expect(perOperation({ ...noWork(), r2ClassA: 6, rowsWritten: 9 }, 3)).toEqual({
      ...noWork(),
      r2ClassA: 2,
      rowsWritten: 3,
    });
    expect(perOperation({ ...noWork(), r2ClassA: 6 }, 0)).toEqual(noWork());
  });
});
