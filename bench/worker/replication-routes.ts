/**
 * @module
 * The bench Worker's routes for the replication benchmark (bench/replication.ts), under
 * /bench/replication/* and for the reseller admin alone: seed accounts, containers and objects
 * straight into every replica (identical everywhere, as after replication), tell whether
 * partitions' replicas agree, and measure one repair of a partition with a few differing rows.
 */

import { Hono } from "hono";
import { parseConfig, type Config } from "../../src/config/config";
import { NODE_TIMEOUT_MS, ROWS_PER_RPC_MAX } from "../../src/common/constraints";
import { SwiftError } from "../../src/common/errors";
import { H } from "../../src/common/headers";
import type { ReplicaReply } from "../../src/common/replies";
import { Timestamp } from "../../src/common/timestamp";
import { ReplicaClient } from "../../src/durable/client";
import { handoffSlot } from "../../src/durable/identity";
import type { ContainerRow, ListingRow, ObjectRow } from "../../src/durable/rows";
import type { ContainerReplicaRow } from "../../src/durable/schema/container";
import type { AccountReplicaRow } from "../../src/durable/schema/account";
import { resellerAdminOnly } from "../../src/proxy/middleware/reseller-admin";
import type { RingName } from "../../src/ring/types";
import { isRingName } from "../../src/ring/types";
import type { BenchEnv } from "./config";

export const replicationRoutes = new Hono<{ Bindings: BenchEnv }>();

replicationRoutes.use("*", resellerAdminOnly);

const json = (value: unknown): Response =>
  new Response(JSON.stringify(value), { headers: { [H.CONTENT_TYPE]: "application/json" } });

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new SwiftError("BadRequest", `${name} must be a non-negative integer`);
  return number;
}

/** How many seeding calls are in flight at once: all at once, calls queued behind the rest would time out. */
const SEED_CALLS_IN_FLIGHT = 64;

/**
 * Sends rows to every primary replica of each partition, in batches of one RPC's worth, through
 * seedRows (no container updates or account reports: the seeder stores those rows itself);
 * fails on any refusal.
 */
async function seed<R extends RingName, Row>(
  config: Config,
  client: ReplicaClient,
  ring: R,
  rowsByPartition: Map<number, Row[]>,
): Promise<void> {
  const calls: (() => Promise<{ status: number }>)[] = [];
  for (const [partition, rows] of rowsByPartition) {
    for (const zone of config.rings.get(ring).primaryZones(partition)) {
      for (let offset = 0; offset < rows.length; offset += ROWS_PER_RPC_MAX) {
        const batch = rows.slice(offset, offset + ROWS_PER_RPC_MAX);
        calls.push(() =>
          client.call(
            ring,
            partition,
            zone.id,
            (stub) => (stub as unknown as { seedRows(rows: Row[]): Promise<ReplicaReply<number>> }).seedRows(batch),
            NODE_TIMEOUT_MS * 6,
          ),
        );
      }
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      const call = calls[next++];
      const reply = await call?.();
      if (reply && reply.status !== 200)
        throw new SwiftError("ServiceUnavailable", `seeding ${ring} got ${reply.status}`);
    }
  };
  await Promise.all(Array.from({ length: SEED_CALLS_IN_FLIGHT }, worker));
}

/** `shard=i/n`: only partitions p with p % n === i (default 0/1, all of them). */
function shardOf(value: string | undefined): { index: number; count: number } {
  if (value === undefined) return { index: 0, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1) || !(index < count))
    throw new SwiftError("BadRequest", "shard must be i/n with 0 <= i < n");
  return { index, count };
}

function push<Row>(map: Map<number, Row[]>, partition: number, row: Row): void {
  const rows = map.get(partition);
  if (rows) rows.push(row);
  else map.set(partition, [row]);
}

/**
 * Seeds `containers` containers (from `offset`) of `account`, each with `objects` objects: the
 * account row, container rows and listing rows, and object rows (no bodies), on every replica.
 * `container=NAME` names the one container seeded (with `containers=1`); `dirs=N` spreads the
 * object names over N pseudo-directories (`d000/o0000000`, for delimiter listings);
 * `listing-only=1` leaves out the object rows (a listing never reads them); `first=N` numbers the
 * objects from N (a large container seeded in chunks); `shard=i/n` seeds only
 * the partitions p with p % n === i, so that n requests seed many containers with one call per
 * replica each (a call costs far more than a row).
 */
replicationRoutes.post("/seed", async (c) => {
  const config = parseConfig(c.env);
  const client = new ReplicaClient(config);
  const account = c.req.query("account") ?? "AUTH_bench";
  const containers = integer(c.req.query("containers"), "containers", 100);
  const objects = integer(c.req.query("objects"), "objects", 3);
  const offset = integer(c.req.query("offset"), "offset", 0);
  // The first object's number: one container is seeded in chunks, each request its own share of names.
  const first = integer(c.req.query("first"), "first", 0);
  const named = c.req.query("container") ?? null;
  const dirs = integer(c.req.query("dirs"), "dirs", 0);
  const listingOnly = c.req.query("listing-only") === "1";
  const shard = shardOf(c.req.query("shard"));
  const mine = (partition: number): boolean => partition % shard.count === shard.index;
  if (named !== null && containers !== 1) throw new SwiftError("BadRequest", "container= seeds exactly one container");
  const objectName = (j: number): string =>
    dirs ? `d${String(j % dirs).padStart(3, "0")}/o${String(j).padStart(7, "0")}` : `o${String(j).padStart(5, "0")}`;
  const stamp = Timestamp.fromSeconds(1_700_000_000).internal;
  const rings = config.rings;
  const accountRows = new Map<number, AccountReplicaRow[]>();
  const containerRows = new Map<number, ContainerReplicaRow[]>();
  const objectRows = new Map<number, ObjectRow[]>();
  const accountPartition = rings.account.partitionFor(account);
  for (let i = offset; i < offset + containers; i++) {
    const container = named ?? `c${String(i).padStart(7, "0")}`;
    const key = `${account}/${container}`;
    const containerPartition = rings.container.partitionFor(account, container);
    const row: ContainerRow = {
      account,
      container,
      createdAt: stamp,
      putTimestamp: stamp,
      deleteTimestamp: "0",
      statusChangedAt: stamp,
      objectCount: objects,
      bytesUsed: objects,
      metadata: {},
      storagePolicyIndex: 0,
    };
    if (mine(containerPartition)) push(containerRows, containerPartition, { kind: "container", key, row });
    for (let j = first; j < first + objects; j++) {
      const name = objectName(j);
      const listing: ListingRow = {
        name,
        createdAt: stamp,
        deleted: 0,
        size: 1,
        etag: "0cc175b9c0f1b6a831c399e269772661",
        contentType: "application/octet-stream",
        contentTypeTimestamp: stamp,
        metaTimestamp: stamp,
      };
      if (mine(containerPartition)) push(containerRows, containerPartition, { kind: "object", key, row: listing });
      if (listingOnly) continue;
      const objectPartition = rings.object.partitionFor(account, container, name);
      if (mine(objectPartition))
        push(objectRows, objectPartition, {
          ...listing,
          name: `${key}/${name}`,
          metadata: {},
          bodyKey: null,
          deleteAt: null,
        });
    }
    if (!mine(accountPartition)) continue;
    push(accountRows, accountPartition, {
      kind: "container",
      row: {
        account,
        container,
        putTimestamp: stamp,
        deleteTimestamp: "0",
        objectCount: objects,
        bytesUsed: objects,
        reportedAt: stamp,
        deleted: 0,
        storagePolicyIndex: 0,
      },
    });
  }
  if (mine(accountPartition))
    push(accountRows, accountPartition, {
      kind: "account",
      row: {
        account,
        createdAt: stamp,
        putTimestamp: stamp,
        deleteTimestamp: "0",
        status: "",
        metadata: {},
        containerCount: 0,
        objectCount: 0,
        bytesUsed: 0,
        policyStats: {},
      },
    });
  await seed(config, client, "account", accountRows);
  await seed(config, client, "container", containerRows);
  await seed(config, client, "object", objectRows);
  return json({ containers, objects: containers * objects });
});

/**
 * Which of the given partitions have every primary equal and every handoff slot empty. Cheap to
 * call while repair runs (it shares local workerd's one thread): `handoffs` names, per partition,
 * the handoff slots known to hold rows (default: all of them), which are checked first; the
 * primaries are compared only once those are empty. Returns the partitions still pending, each
 * with the handoff slots found holding rows (none, when only its primaries differ), and for each
 * of the others when (epoch ms) its last primary changed, which is when it came into sync: a
 * check can take a while on a busy runtime, and does not stretch the figure.
 */
replicationRoutes.post("/in-sync", async (c) => {
  const config = parseConfig(c.env);
  const client = new ReplicaClient(config);
  const body = (await c.req.json()) as {
    ring?: unknown;
    partitions?: unknown;
    handoffs?: unknown;
    timeoutMs?: unknown;
  };
  if (!isRingName(body.ring) || !Array.isArray(body.partitions))
    throw new SwiftError("BadRequest", "want {ring, partitions, handoffs?}");
  const ring = body.ring;
  const known = (typeof body.handoffs === "object" && body.handoffs !== null ? body.handoffs : {}) as Record<
    string,
    unknown
  >;
  const partitions = body.partitions.filter((p): p is number => Number.isSafeInteger(p));
  // A replica that does not answer within `timeoutMs` counts as not in sync (a busy one would hold up the whole
  // answer).
  const timeoutMs =
    typeof body.timeoutMs === "number" && body.timeoutMs > 0
      ? Math.min(body.timeoutMs, NODE_TIMEOUT_MS)
      : NODE_TIMEOUT_MS;
  const root = (partition: number, slot: string) =>
    client.call(
      ring,
      partition,
      slot,
      (stub) =>
        (
          stub as unknown as {
            partitionHash(): Promise<{ status: 200; value?: { hash: string; rows: number; changedAt?: number } }>;
          }
        ).partitionHash(),
      timeoutMs,
    );
  const handoffs: Record<number, string[]> = {};
  const pending: number[] = [];
  const inSyncAt: Record<number, number> = {};
  await Promise.all(
    partitions.map(async (partition) => {
      const primaries = config.rings
        .get(ring)
        .primaryZones(partition)
        .map((zone) => zone.id);
      const listed = known[String(partition)];
      const slots = Array.isArray(listed)
        ? listed.filter((slot): slot is string => typeof slot === "string")
        : primaries.map(handoffSlot);
      const replies = await Promise.all(slots.map((slot) => root(partition, slot)));
      const held = slots.filter((_slot, i) => replies[i]?.status !== 200 || (replies[i]?.value?.rows ?? 0) > 0);
      if (!held.length) {
        const hashes = await Promise.all(primaries.map((zone) => root(partition, zone)));
        if (
          hashes.every((reply) => reply.status === 200) &&
          new Set(hashes.map((reply) => reply.value?.hash)).size === 1
        ) {
          inSyncAt[partition] = Math.max(...hashes.map((reply) => reply.value?.changedAt ?? 0));
          return;
        }
      }
      handoffs[partition] = held;
      pending.push(partition);
    }),
  );
  return json({
    inSync: partitions.length - pending.length,
    total: partitions.length,
    pending: pending.sort((a, b) => a - b),
    handoffs,
    inSyncAt,
  });
});

/**
 * Seeds object partition `partition` with `rows` identical rows on its three replicas, gives the
 * first replica `diff` more, and repairs: returns the rows read and sent for the first pair.
 */
replicationRoutes.post("/repair-rows", async (c) => {
  const config = parseConfig(c.env);
  const client = new ReplicaClient(config);
  const rows = integer(c.req.query("rows"), "rows", 10_000);
  const diff = integer(c.req.query("diff"), "diff", 10);
  const partition = integer(c.req.query("partition"), "partition", 7);
  const stamp = Timestamp.fromSeconds(1_700_000_000).internal;
  const make = (name: string): ObjectRow => ({
    name,
    createdAt: stamp,
    deleted: 0,
    size: 1,
    etag: "e",
    contentType: "t",
    contentTypeTimestamp: stamp,
    metaTimestamp: stamp,
    metadata: {},
    bodyKey: null,
    deleteAt: null,
  });
  const base = Array.from({ length: rows }, (_, i) => make(`AUTH_repair/c${partition}/base-${i}`));
  await seed(config, client, "object", new Map([[partition, base]]));
  const [first] = config.rings.object.primaryZones(partition);
  if (!first) throw new SwiftError("InternalServerError", "no primary");
  const extra = Array.from({ length: diff }, (_, i) => make(`AUTH_repair/c${partition}/diff-${i}`));
  await client.call("object", partition, first.id, (stub) => stub.mergeRows(extra), NODE_TIMEOUT_MS);
  const started = Date.now();
  const reply = await client.call("object", partition, first.id, (stub) => stub.repair(), NODE_TIMEOUT_MS * 6);
  return json({ durationMs: Date.now() - started, reports: reply.value ?? [] });
});

/**
 * The rows each primary replica of a container's partition holds (its partition hash's count;
 * -1 for one that did not answer): bench:sharding waits until a sharded root's replicas have moved
 * their listing rows to its shards.
 */
replicationRoutes.post("/container-rows", async (c) => {
  const config = parseConfig(c.env);
  const client = new ReplicaClient(config);
  const body = (await c.req.json()) as { account?: unknown; container?: unknown };
  if (typeof body.account !== "string" || typeof body.container !== "string")
    throw new SwiftError("BadRequest", "want {account, container}");
  const partition = config.rings.container.partitionFor(body.account, body.container);
  const zones = config.rings.container.primaryZones(partition).map((zone) => zone.id);
  const replies = await Promise.all(
    zones.map((zone) => client.call("container", partition, zone, (stub) => stub.partitionHash(), NODE_TIMEOUT_MS)),
  );
  return json(
    Object.fromEntries(
      zones.map((zone, i) => [zone, replies[i]?.status === 200 ? (replies[i]?.value?.rows ?? 0) : -1]),
    ),
  );
});

/** The object-ring partitions of some objects (so the bench can watch just those). */
replicationRoutes.post("/partitions", async (c) => {
  const config = parseConfig(c.env);
  const body = (await c.req.json()) as { account?: unknown; container?: unknown; objects?: unknown };
  if (typeof body.account !== "string" || typeof body.container !== "string" || !Array.isArray(body.objects))
    throw new SwiftError("BadRequest", "want {account, container, objects}");
  const { account, container } = body;
  const partitions = new Set(
    body.objects
      .filter((o): o is string => typeof o === "string")
      .map((object) => config.rings.object.partitionFor(account, container, object)),
  );
  return json([...partitions].sort((a, b) => a - b));
});
