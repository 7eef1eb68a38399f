/**
 * @module
 * This isolate's requests per operation and status, and their latencies as a histogram, for
 * `GET /metrics` (proxy/metrics.ts). Latency runs from the request's arrival to its response's
 * headers (a body still streaming is not in it); the runtime's clock moves on I/O, so it is the
 * time spent waiting on replicas and buckets more than CPU. Also the replica reads and writes this
 * isolate's ReplicaClient sent each zone (durable/client.ts), the zones' share of the traffic.
 */

/** Upper bounds of the latency buckets, in seconds (Prometheus's default buckets). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** One operation's latencies: requests per bucket (not cumulative; the last is over every bound), count and sum. */
export interface LatencyEntry {
  buckets: number[];
  count: number;
  sumSeconds: number;
}

/** A replica call's kind, from its method: Swift's verbs, read (GET, HEAD) or write (PUT, POST, DELETE). */
export type ReplicaCallKind = "reads" | "writes";

/**
 * Whether a replica RPC method reads or writes (`getObject`, `headAccount`, `listObjects`;
 * `putObject`, `postContainer`, `deleteObjects`); null for replication's and the updaters'
 * (`mergeRows`, `updateObjects`, `partitionHash`…), which are not a client's traffic.
 */
export function replicaCallKind(method: string): ReplicaCallKind | null {
  if (/^(get|head|list)[A-Z]/.test(method)) return "reads";
  if (/^(put|post|delete)[A-Z]/.test(method)) return "writes";
  return null;
}

/** Replica reads and writes sent to one zone. */
export type ZoneCalls = Record<ReplicaCallKind, number>;

export class RequestMetrics {
  /** Requests by operation, then by status. */
  readonly #requests = new Map<string, Map<number, number>>();
  readonly #latency = new Map<string, LatencyEntry>();
  readonly #zones = new Map<string, ZoneCalls>();

  /** One request of `operation` answered `status` after `seconds`. */
  record(operation: string, status: number, seconds: number): void {
    const statuses = this.#requests.get(operation) ?? new Map<number, number>();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    this.#requests.set(operation, statuses);
    let entry = this.#latency.get(operation);
    if (!entry) {
      entry = { buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), count: 0, sumSeconds: 0 };
      this.#latency.set(operation, entry);
    }
    const index = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    const bucket = index < 0 ? LATENCY_BUCKETS.length : index;
    entry.buckets[bucket] = (entry.buckets[bucket] ?? 0) + 1;
    entry.count += 1;
    entry.sumSeconds += seconds;
  }

  /** One replica call to `zone` by `method` (a replica RPC method's name); not counted unless it reads or writes. */
  replicaCall(zone: string, method: string): void {
    const kind = replicaCallKind(method);
    if (kind === null) return;
    const calls = this.#zones.get(zone) ?? { reads: 0, writes: 0 };
    calls[kind] += 1;
    this.#zones.set(zone, calls);
  }

  /** Replica reads and writes per zone, sorted by zone (copies). */
  zoneCalls(): { zone: string; calls: ZoneCalls }[] {
    return [...this.#zones]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([zone, calls]) => ({ zone, calls: { ...calls } }));
  }

  /** Requests by operation and status, sorted by both. */
  requests(): { operation: string; status: number; count: number }[] {
    return [...this.#requests]
      .flatMap(([operation, statuses]) => [...statuses].map(([status, count]) => ({ operation, status, count })))
      .sort((a, b) => (a.operation < b.operation ? -1 : a.operation > b.operation ? 1 : a.status - b.status));
  }

  /** Each operation's latencies, sorted by operation (copies). */
  latencies(): { operation: string; entry: LatencyEntry }[] {
    return [...this.#latency]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([operation, entry]) => ({ operation, entry: { ...entry, buckets: [...entry.buckets] } }));
  }
}

/** This isolate's requests (middleware/work.ts records each one a router named). */
export const requestMetrics = new RequestMetrics();
