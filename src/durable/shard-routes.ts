/**
 * @module
 * Where an object replica sends a sharded container's updates: the shards its root's replica
 * named in a redirect (container-replica.ts UpdateRedirect), kept in memory for ROUTE_TTL_MS, so
 * after the first update of a container through its root the rest go to the shard that owns each
 * name, and a hot container's writes spread over its shards instead of all landing on its root.
 * A shard that split again says so (the route is dropped, the next update asks the root); a
 * shard that is gone answers 404 (the update goes back to the root). Swift: the object server
 * following X-Backend-Container-Path and the container server's redirects.
 */

import { containerKey } from "../common/path";
import type { UpdateRedirect } from "./container-replica";
import { rangeOf, type ShardRange } from "./shard-ranges";

/** How long a learnt route is used before the root is asked again (a split it missed costs a forward). */
export const ROUTE_TTL_MS = 300_000;
/** Containers whose routes one replica keeps; the oldest learnt goes first. */
const ROUTES_MAX = 1_000;

export class ShardRoutes {
  readonly #byRoot = new Map<string, { shards: ShardRange[]; until: number }>();

  /** Takes in what a container replica's reply said (nothing: no change). */
  learn(redirect: UpdateRedirect | undefined, now: number): void {
    if (!redirect) return;
    for (const root of redirect.stale ?? []) this.#byRoot.delete(root);
    for (const [root, shards] of Object.entries(redirect.shards ?? {})) {
      this.#byRoot.delete(root);
      if (shards.length) this.#byRoot.set(root, { shards, until: now + ROUTE_TTL_MS });
    }
    while (this.#byRoot.size > ROUTES_MAX) {
      const oldest = this.#byRoot.keys().next().value;
      if (oldest === undefined) break;
      this.#byRoot.delete(oldest);
    }
  }

  forget(account: string, container: string): void {
    this.#byRoot.delete(containerKey(account, container));
  }

  /** The shard of the container that owns `name`, or null (not sharded as far as this replica knows). */
  shardFor(account: string, container: string, name: string, now: number): ShardRange | null {
    const key = containerKey(account, container);
    const route = this.#byRoot.get(key);
    if (!route) return null;
    if (route.until <= now) {
      this.#byRoot.delete(key);
      return null;
    }
    return rangeOf(route.shards, name);
  }
}
