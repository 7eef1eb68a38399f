/**
 * @module
 * The one concurrency limiter (Swift's StreamingPile): how many run at once, in what order
 * results come, what an error does, and that the source is read lazily.
 */
import { describe, it } from "vitest";
import { mapConcurrent, pile } from "../../../src/common/concurrency";

/** A promise settled from outside, so a test decides the order in which work finishes. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (the limiter's bookkeeping is a few hops deep); no timers. */
async function settle(): Promise<void> {
  for (let hop = 0; hop < 20; hop++) await Promise.resolve();
}

describe("mapConcurrent", () => {
  it("never has more than `limit` works in flight, and starts the next as soon as one finishes", async ({ expect }) => {
    const gates = Array.from({ length: 7 }, () => deferred<number>());
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const run = mapConcurrent([0, 1, 2, 3, 4, 5, 6], 3, async (item) => {
      started.push(item);
      inFlight += 1;
      most = Math.max(most, inFlight);
      const value = await (gates[item] ?? deferred<number>()).promise;
      inFlight -= 1;
      return value;
    });
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve(1);
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const [index, gate] of gates.entries()) gate.resolve(index);
    await run;
    expect(most).toBe(3);
  });

  it("returns the results in the items' order, whatever order the works finish in", async ({ expect }) => {
    const gates = Array.from({ length: 4 }, () => deferred<string>());
    const run = mapConcurrent(
      ["a", "b", "c", "d"],
      4,
      async (item, index) => `${item}${await (gates[index] ?? deferred<string>()).promise}`,
    );
    for (const index of [3, 1, 0, 2]) {
      gates[index]?.resolve(String(index));
      await settle();
    }
    expect(await run).toEqual(["a0", "b1", "c2", "d3"]);
  });

  it("rejects with the first error to happen, and starts nothing after it", async ({ expect }) => {
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => deferred<number>());
    const run = mapConcurrent([0, 1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      return (gates[item] ?? deferred<number>()).promise;
    });
    await settle();
    gates[1]?.reject(new Error("second failed"));
    gates[0]?.reject(new Error("first failed later"));
    await expect(run).rejects.toThrow("second failed");
    await settle();
    expect(started).toEqual([0, 1]);
  });

  it("a work that throws before its first await is that item's error", async ({ expect }) => {
    const work = (item: number): Promise<number> => {
      if (item === 1) throw new Error("thrown at once");
      return Promise.resolve(item);
    };
    await expect(mapConcurrent([0, 1, 2], 2, work)).rejects.toThrow("thrown at once");
  });

  it("no items make no calls and an empty result; a limit below 1 is a bug", async ({ expect }) => {
    expect(await mapConcurrent([], 2, () => Promise.reject(new Error("never called")))).toEqual([]);
    await expect(mapConcurrent([1], 0, async (item) => item)).rejects.toThrow("assertion failed");
  });
});

describe("pile", () => {
  it("yields each result as its work finishes, with its item and index (Swift's StreamingPile order)", async ({
    expect,
  }) => {
    const gates = Array.from({ length: 3 }, () => deferred<string>());
    const seen: [number, string, string][] = [];
    const run = (async () => {
      for await (const { index, item, value } of pile(
        ["x", "y", "z"],
        3,
        (_item, index) => (gates[index] ?? deferred<string>()).promise,
      ))
        seen.push([index, item, value]);
    })();
    for (const index of [2, 0, 1]) {
      gates[index]?.resolve(`v${index}`);
      await settle();
    }
    await run;
    expect(seen).toEqual([
      [2, "z", "v2"],
      [0, "x", "v0"],
      [1, "y", "v1"],
    ]);
  });

  it("reads its source lazily, so the consumer can stop it between results and still drain what is in flight", async ({
    expect,
  }) => {
    let stop = false;
    const pulled: number[] = [];
    function* source(): Generator<number> {
      for (let item = 0; item < 100; item++) {
        if (stop) return;
        pulled.push(item);
        yield item;
      }
    }
    const finished: number[] = [];
    for await (const { item } of pile(source(), 2, async (value) => value)) {
      finished.push(item);
      if (item === 3) stop = true;
    }
    expect(pulled.length).toBeLessThanOrEqual(6);
    expect(finished.sort((a, b) => a - b)).toEqual(pulled);
  });

  it("takes an async source, and an error from the source ends the iteration with it", async ({ expect }) => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error("manifest unreadable");
    }
    const finished: number[] = [];
    const run = async () => {
      for await (const { value } of pile(source(), 1, async (item) => item * 10)) finished.push(value);
    };
    await expect(run()).rejects.toThrow("manifest unreadable");
    expect(finished).toEqual([10, 20]);
  });
});
