/**
 * @module
 * The one concurrency limiter: work over a stream of items with at most `limit` in flight, a
 * finished one making room for the next, results as they finish. Swift's StreamingPile
 * (asyncstarmap over a GreenAsyncPile), which its bulk and slo middlewares use.
 */

import { assert } from "./assert";

/** One finished item: its position among the items, the item, and what its work returned. */
export interface Finished<T, R> {
  index: number;
  item: T;
  value: R;
}

/**
 * Runs `work` over `items` (taken lazily, so a consumer can stop the source between results),
 * at most `limit` at once, yielding each as it finishes. A work that throws ends the iteration
 * with its error; nothing more is started, and what is still in flight is left to finish unread.
 */
export async function* pile<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): AsyncGenerator<Finished<T, R>> {
  assert(Number.isInteger(limit) && limit >= 1, "a concurrency limit is at least 1");
  const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const inFlight = new Map<number, Promise<Finished<T, R>>>();
  let count = 0;
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && inFlight.size < limit) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const index = count++;
      const item = next.value;
      let started: Promise<R>;
      try {
        started = work(item, index);
      } catch (error) {
        started = Promise.reject(error);
      }
      const finished = started.then((value) => ({ index, item, value }));
      finished.catch(() => undefined); // read by Promise.race below, or abandoned after an error
      inFlight.set(index, finished);
    }
  };
  try {
    await fill();
    while (inFlight.size) {
      const finished = await Promise.race(inFlight.values());
      inFlight.delete(finished.index);
      yield finished;
      await fill();
    }
  } finally {
    if (!exhausted) await source.return?.();
  }
}

/** Runs `work` over `items`, at most `limit` at once; the results in the items' order, or the first error. */
export async function mapConcurrent<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for await (const { index, value } of pile(items, limit, work)) results[index] = value;
  return results;
}
