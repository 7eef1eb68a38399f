/**
 * @module
 * ReplicaClient: the only code that holds replica stubs. Every call goes through `call()`, which
 * turns runtime failures (an overloaded or unreachable object, a timeout) into `{ status: 503 }`,
 * so callers count replies the way Swift's proxy counts backend statuses.
 */

import type { Config } from "../config/config";
import type { ReplicaReply } from "../common/replies";
import { ringKind, type RingKind, type RingName } from "../ring/types";
import { currentWork, DO_REQUEST_COUNTER } from "../common/work";
import { within } from "../common/within";
import { requestMetrics } from "../common/request-metrics";
import { faults } from "./faults";
import { replicaName, slotZone } from "./identity";

/** The Durable Object class a namespace binding holds. */
type ClassOf<N> = N extends DurableObjectNamespace<infer T> ? T : never;

/**
 * The replica class of each kind of ring, read from the Worker's bindings (Env), so this module
 * needs no import of the classes that import it.
 */
export interface ReplicaClasses {
  account: ClassOf<Env["ACCOUNT_REPLICA"]>;
  container: ClassOf<Env["CONTAINER_REPLICA"]>;
  object: ClassOf<Env["OBJECT_REPLICA"]>;
}

/** The kind of ring R: a policy's object ring (`object-1`) is an object ring. */
export type KindOf<R extends RingName> = R extends "account" | "container" ? R : "object";

/** The stub of a replica of ring R. */
export type ReplicaStub<R extends RingName> = DurableObjectStub<ReplicaClasses[KindOf<R>]>;

/** The replica namespace of each kind of ring (Config.replicas). */
export type ReplicaNamespaces = { [K in RingKind]: DurableObjectNamespace<ReplicaClasses[K]> };

/**
 * The replication protocol every replica speaks, whatever its ring (ReplicaBase's RPC methods),
 * with `Row` the rows its ring exchanges. What the sweep, the auditor, the proxy's repair duties
 * and the replicas' own repair call; `ReplicaClient.protocol` gives a replica as this.
 */
export interface ReplicaProtocol<Row> {
  partitionHash(): Promise<ReplicaReply<import("./schema/hash-tree").TreeNode>>;
  peerPartitionHash(): Promise<ReplicaReply<import("./schema/hash-tree").TreeNode>>;
  bucketHashes(): Promise<ReplicaReply<Record<number, string>>>;
  leafHashes(buckets: number[]): Promise<ReplicaReply<Record<number, string>>>;
  rowsInLeaves(leaves: number[]): Promise<ReplicaReply<Row[]>>;
  mergeRows(rows: Row[], sourceZone?: string): Promise<ReplicaReply<number>>;
  reclaimTombstones(cutoff: string): Promise<ReplicaReply<number>>;
  markDirty(owed?: string[]): Promise<ReplicaReply>;
  audit(leaves: number): Promise<ReplicaReply<{ leavesChecked: number; drifted: number }>>;
  repair(): Promise<ReplicaReply<(import("./repair").RepairReport & { zone?: string })[]>>;
}

/**
 * What a call to one replica names: the replica (ring, partition, zone or slot), the method to
 * call on its stub `S`, and how long to wait for the reply.
 */
type ReplicaCall<R extends RingName, S, T> = [
  ring: R,
  partition: number,
  zone: string,
  method: (stub: S) => Promise<ReplicaReply<T>>,
  timeoutMs: number,
];

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
   * Calls one replica's replication protocol (any ring), as `call` does. `Row` is the caller's
   * word for the rows that ring exchanges: a replica asks its peers in its own ring.
   */
  protocol<Row, T>(...args: ReplicaCall<RingName, ReplicaProtocol<Row>, T>): Promise<ReplicaReply<T>> {
    const [ring, partition, zone, method, timeoutMs] = args;
    const stub: ReplicaProtocol<unknown> = this.stub(ring, partition, zone);
    return this.call(ring, partition, zone, () => method(stub as ReplicaProtocol<Row>), timeoutMs);
  }

  /**
   * Calls one replica. Runtime failures and timeouts become 503; a replica's own reply passes through.
   */
  async call<R extends RingName, T>(...args: ReplicaCall<R, ReplicaStub<R>, T>): Promise<ReplicaReply<T>> {
    const [ring, partition, zone, method, timeoutMs] = args;
    if (faults.enabled) {
      await faults.refresh();
      if (faults.isDown(zone)) return { status: 503 };
    }
    // One Durable Object request and one subrequest of this invocation; the reply's work is the replica's.
    const work = currentWork();
    work?.add(DO_REQUEST_COUNTER[ringKind(ring)], 1);
    work?.add("subrequests", 1);
    try {
      const stub = countingZoneCalls(this.stub(ring, partition, zone), slotZone(zone));
      const reply: ReplicaReply<T> = await within(method(stub), timeoutMs, { status: 503 });
      if (work && reply.work) work.addReplyWork(reply.work);
      return reply;
    } catch (error) {
      if (!isRuntimeFailure(error)) console.error(`replica ${replicaName(ring, partition, zone)} failed:`, error);
      return failureReply(error);
    }
  }
}

/**
 * The stub, counting the methods called on it as reads or writes of `zone` in this isolate's
 * request metrics (the zones' share of the traffic, common/request-metrics.ts).
 */
function countingZoneCalls<S extends object>(stub: S, zone: string): S {
  return new Proxy(stub, {
    get(target, property) {
      if (typeof property === "string") requestMetrics.replicaCall(zone, property);
      return Reflect.get(target, property);
    },
  });
}

/** The reply a thrown call stands for: 503, marked `overloaded` when the runtime said so. */
export function failureReply(error: unknown): { status: 503; overloaded?: true } {
  const overloaded = typeof error === "object" && error !== null && "overloaded" in error && error.overloaded === true;
  return overloaded ? { status: 503, overloaded: true } : { status: 503 };
}

function isRuntimeFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && ("retryable" in error || "overloaded" in error);
}
