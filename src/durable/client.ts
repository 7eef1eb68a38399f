/**
 * @module
 * ReplicaClient: the only code that holds replica stubs. Every call goes through `call()`, which
 * turns runtime failures (an overloaded or unreachable object, a timeout) into `{ status: 503 }`,
 * so callers count replies the way Swift's proxy counts backend statuses.
 */

import type { Config } from "../common/config";
import type { ReplicaReply } from "../common/replies";
import { ringKind, type RingKind, type RingName } from "../ring/types";
import { faults } from "./faults";
import { replicaName, slotZone } from "./identity";
import type { AccountReplica } from "./account-replica";
import type { ContainerReplica } from "./container-replica";
import type { ObjectReplica } from "./object-replica";

/** The replica class of each kind of ring. */
export interface ReplicaClasses {
  account: AccountReplica;
  container: ContainerReplica;
  object: ObjectReplica;
}

/** The kind of ring R: a policy's object ring (`object-1`) is an object ring. */
export type KindOf<R extends RingName> = R extends "account" | "container" ? R : "object";

/** The stub of a replica of ring R. */
export type ReplicaStub<R extends RingName> = DurableObjectStub<ReplicaClasses[KindOf<R>]>;

/** The replica namespace of each kind of ring (Config.replicas). */
export type ReplicaNamespaces = { [K in RingKind]: DurableObjectNamespace<ReplicaClasses[K]> };

/** A replica failed at the runtime level: `retryable` may move on to a handoff, `overloaded` must not be retried. */
export interface ReplicaFailure {
  status: 503;
  overloaded?: boolean;
}

export class ReplicaClient {
  readonly #config: Config;

  constructor(config: Config) {
    this.#config = config;
    faults.configure(config.faultInjection, config.control);
  }

  /** The stub of one replica slot (`z1` or `z1/handoff`), with its zone's location hint. */
  stub<R extends RingName>(ring: R, partition: number, slot: string): ReplicaStub<R> {
    const hint = this.#config.rings.get(ring).zone(slotZone(slot))?.locationHint ?? undefined;
    const namespaces: ReplicaNamespaces = this.#config.replicas;
    const options = hint ? { locationHint: hint as DurableObjectLocationHint } : undefined;
    return namespaces[ringKind(ring) as KindOf<R>].getByName(replicaName(ring, partition, slot), options);
  }

  /**
   * Calls one replica. Runtime failures and timeouts become 503; a replica's own reply passes through.
   */
  async call<R extends RingName, T>(
    ring: R,
    partition: number,
    zone: string,
    method: (stub: ReplicaStub<R>) => Promise<ReplicaReply<T>>,
    timeoutMs: number,
  ): Promise<ReplicaReply<T>> {
    if (faults.enabled) {
      await faults.refresh();
      if (faults.isDown(zone)) return { status: 503 };
    }
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<ReplicaReply<T>>((resolve) => {
      timer = setTimeout(() => resolve({ status: 503 }), timeoutMs);
    });
    try {
      return await Promise.race([method(this.stub(ring, partition, zone)), timeout]);
    } catch (error) {
      if (!isRuntimeFailure(error)) console.error(`replica ${replicaName(ring, partition, zone)} failed:`, error);
      return { status: 503 };
    } finally {
      clearTimeout(timer);
    }
  }
}

function isRuntimeFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && ("retryable" in error || "overloaded" in error);
}
