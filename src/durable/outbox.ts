/**
 * @module
 * Delivery of a replica's outbox: one batch per target replica, sent at once after the write
 * that queued it and waited for up to a timeout (Swift: container_update_timeout), then retried
 * by the replica's alarm until it lands (Swift: async_pending and the updater).
 */

import { ROWS_PER_RPC_MAX, UPDATE_RETRY_MAX_MS, UPDATE_RETRY_MS } from "../common/constraints";

const BACKOFF = "outbox.backoffMs";
import type { OutboxItem, OutboxRows } from "./schema/outbox";
import { countedKv } from "./replica/counted-storage";
import { within } from "../common/within";

/** Sends one batch to one target replica; true when it landed. */
export type OutboxSend<T> = (partition: number, zone: string, payloads: T[]) => Promise<boolean>;

export class Outbox<T> {
  readonly #storage: DurableObjectStorage;
  /** The storage's KV, counted (replica/counted-storage.ts). */
  readonly #kv: SyncKvStorage;
  readonly #rows: OutboxRows<T>;
  readonly #send: OutboxSend<T>;
  #chain: Promise<void> = Promise.resolve();

  readonly #maxAgeMs: number;

  constructor(storage: DurableObjectStorage, rows: OutboxRows<T>, send: OutboxSend<T>, maxAgeMs: number) {
    this.#storage = storage;
    this.#kv = countedKv(storage.kv);
    this.#rows = rows;
    this.#send = send;
    this.#maxAgeMs = maxAgeMs;
  }

  /** Queues `payload` for each target replica, replacing what was queued for it under `key`. */
  queue(targets: readonly { partition: number; zone: string }[], key: string, payload: T): void {
    for (const { partition, zone } of targets) this.#rows.put({ partition, zone, key, payload });
  }

  /**
   * Sends `payload` to each target replica at once, waiting at most `timeoutMs`, and queues it
   * only for the targets it did not reach (Swift: the object server's container update, with an
   * async_pending only when that fails); true when every target took it. Call once the write it
   * reports is stored: the runtime holds the send until that write is durable, and a replica lost
   * between the two leaves a listing row its peers' updates and the container ring's repair give.
   */
  async sendOrQueue(
    targets: readonly { partition: number; zone: string }[],
    key: string,
    payload: T,
    timeoutMs: number,
  ): Promise<boolean> {
    const landed = await Promise.all(
      targets.map(async ({ partition, zone }) => {
        const ok = await within(
          this.#send(partition, zone, [payload]).catch(() => false),
          timeoutMs,
          false,
        );
        if (!ok) this.#rows.put({ partition, zone, key, payload });
        return ok;
      }),
    );
    return landed.every(Boolean);
  }

  /** Delivers what is queued, waiting at most `timeoutMs`; true when nothing is left to deliver. */
  async deliverWithin(timeoutMs: number): Promise<boolean> {
    this.#chain = this.#chain.then(() => this.deliver());
    await within(this.#chain, timeoutMs, undefined);
    return this.#rows.count() === 0;
  }

  /**
   * When to try again: UPDATE_RETRY_MS after a round that delivered everything it tried, else
   * twice the last delay, up to UPDATE_RETRY_MAX_MS (Swift's updater retries on its interval).
   */
  retryAt(now: number): number {
    return now + (this.#kv.get<number>(BACKOFF) ?? UPDATE_RETRY_MS);
  }

  /** Sends one bounded round of pending items, one batch per target. */
  async deliver(): Promise<void> {
    // Swift keeps an undeliverable async_pending forever; after reclaim_age its target container
    // is gone for good (or was never made), so the update is dropped instead.
    const dropped = this.#rows.dropQueuedBefore(Date.now() - this.#maxAgeMs);
    if (dropped) console.warn(`outbox: dropped ${dropped} updates older than reclaim_age`);
    const pending = this.#rows.pending(ROWS_PER_RPC_MAX);
    if (!pending.length) return;
    const byTarget = new Map<string, OutboxItem<T>[]>();
    for (const item of pending) {
      const key = `${item.partition}/${item.zone}`;
      const batch = byTarget.get(key);
      if (batch) batch.push(item);
      else byTarget.set(key, [item]);
    }
    let failed = false;
    await Promise.all(
      [...byTarget.values()].map(async (batch) => {
        const [first] = batch;
        if (!first) return;
        if (
          await this.#send(
            first.partition,
            first.zone,
            batch.map((item) => item.payload),
          )
        ) {
          this.#storage.transactionSync(() => this.#rows.clear(batch));
        } else {
          failed = true;
        }
      }),
    );
    if (failed)
      this.#kv.put(BACKOFF, Math.min(UPDATE_RETRY_MAX_MS, (this.#kv.get<number>(BACKOFF) ?? UPDATE_RETRY_MS / 2) * 2));
    else if (this.#kv.get<number>(BACKOFF) !== undefined) this.#kv.delete(BACKOFF);
  }

  get pendingCount(): number {
    return this.#rows.count();
  }
}
