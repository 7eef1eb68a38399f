/**
 * @module
 * The figures the operators' dashboard draws and `GET /metrics` exposes, computed here once for
 * both: the ring maps, each ring's sweep history, the backlogs (container updates pending and
 * objects past X-Delete-At on the object replicas the summaries list, the reaper's queue), the
 * accounts' usage, the zones' share of replica reads and writes, and the price of a million of
 * each operation from this isolate's work tally. Every enumeration is capped and says so.
 */

import type { Config } from "../../config/config";
import { NODE_TIMEOUT_MS } from "../../common/constraints";
import { perOperation, pricePerMillion, type MillionPrice } from "../../common/pricing";
import { requestMetrics, type ZoneCalls } from "../../common/request-metrics";
import { doRequestsOf } from "../../common/work";
import { operationWork } from "../../common/work-tally";
import { ReplicaClient } from "../../durable/client";
import type { SweepRecord } from "../../durable/control";
import { controlStub } from "../../durable/names";
import type { AccountUsage } from "../../durable/schema/account";
import type { ControlRows } from "../../durable/schema/control";
import { ringKind } from "../../ring/types";
import { storageAccount, tokenResellerPrefix } from "../auth/swift-v1";
import { ringMap, type RingMap } from "./ring-map";

/** Object replicas asked for their backlog per refresh (the first the summaries list). */
export const BACKLOG_REPLICAS_MAX = 64;

/** Account-ring partitions whose accounts are listed per refresh, and accounts shown. */
export const ACCOUNT_PARTITIONS_MAX = 16;
export const ACCOUNTS_MAX = 32;

/** What the object replicas' duties have yet to do, over the replicas asked. */
export interface Backlog {
  /** Container updates not yet delivered (Swift's async_pendings). */
  updatesPending: number;
  /** Objects past their X-Delete-At the expirer has yet to delete (up to a batch per replica). */
  expired: number;
  /** Replicas asked, and those of them that did not answer (a zone down). */
  replicasAsked: number;
  unreachable: number;
  /** Replicas the summaries list as holding rows (some may not have been asked: BACKLOG_REPLICAS_MAX). */
  replicasHolding: number;
}

/** One operation's average work priced (common/pricing.ts), with the requests it averages. */
export interface OperationPrice {
  operation: string;
  requests: number;
  perMillion: MillionPrice;
}

export type ShardingFigures = ReturnType<ControlRows["sharding"]>;

const NO_SHARDING: ShardingFigures = { sharded: 0, sharding: 0, shards: 0, containers: [] };

export interface DashboardFigures {
  generatedAt: string;
  faultInjection: boolean;
  down: string[];
  maps: Omit<RingMap, "holders">[];
  /** Each ring's recent sweep reports, oldest first. */
  sweeps: Record<string, SweepRecord[]>;
  backlog: Backlog;
  reaperQueue: { account: string; queuedAt: number }[];
  /** Containers being sharded (splits in progress) and sharded, as their leaders told the control record. */
  sharding: ShardingFigures;
  accounts: { usage: AccountUsage[]; capped: boolean };
  zones: { zone: string; calls: ZoneCalls }[];
  prices: OperationPrice[];
}

/** Every figure of the dashboard, read now. */
export async function dashboardFigures(config: Config): Promise<DashboardFigures> {
  const control = controlStub(config);
  const [downReply, historyReply, reapReply, shardingReply] = await Promise.all([
    config.faultInjection ? control.downZones() : Promise.resolve({ value: [] as string[] }),
    control.sweepHistory(),
    control.reapQueue(),
    control.sharding(),
  ]);
  const down = downReply.value ?? [];
  const client = new ReplicaClient(config);
  const maps = await Promise.all(config.rings.names().map((ring) => ringMap(config, client, ring, new Set(down))));
  const [backlog, accounts] = await Promise.all([
    replicaBacklog(client, maps),
    accountUsage(
      config,
      client,
      maps.find((map) => map.ring === "account"),
    ),
  ]);
  return {
    generatedAt: new Date().toISOString(),
    faultInjection: config.faultInjection,
    down,
    maps: maps.map(({ holders: _holders, ...map }) => map),
    sweeps: historyReply.value ?? {},
    backlog,
    reaperQueue: reapReply.value ?? [],
    sharding: shardingReply.value ?? NO_SHARDING,
    accounts,
    zones: requestMetrics.zoneCalls(),
    prices: operationPrices(),
  };
}

/** The object replicas' backlog, asked of the first BACKLOG_REPLICAS_MAX replicas the object rings' maps list. */
export async function replicaBacklog(client: ReplicaClient, maps: readonly RingMap[]): Promise<Backlog> {
  const replicas = maps
    .filter((map) => ringKind(map.ring) === "object")
    .flatMap((map) => map.holders.flatMap(({ partition, slots }) => slots.map((slot) => ({ map, partition, slot }))));
  const asked = replicas.slice(0, BACKLOG_REPLICAS_MAX);
  const replies = await Promise.all(
    asked.map(({ map, partition, slot }) =>
      client.call(map.ring as "object", partition, slot, (stub) => stub.backlog(), NODE_TIMEOUT_MS),
    ),
  );
  const backlog: Backlog = {
    updatesPending: 0,
    expired: 0,
    replicasAsked: asked.length,
    unreachable: 0,
    replicasHolding: replicas.length,
  };
  for (const reply of replies) {
    if (reply.status !== 200 || !reply.value) backlog.unreachable += 1;
    else {
      backlog.updatesPending += reply.value.updatesPending;
      backlog.expired += reply.value.expired;
    }
  }
  return backlog;
}

/**
 * The accounts' usage as one answering replica of each holds it: the accounts of the configured
 * users, and those held by the first ACCOUNT_PARTITIONS_MAX account-ring partitions the map lists
 * (accounts created by the reseller admin, known once their replicas reported); at most
 * ACCOUNTS_MAX, by name.
 */
export async function accountUsage(
  config: Config,
  client: ReplicaClient,
  map: RingMap | undefined,
): Promise<{ usage: AccountUsage[]; capped: boolean }> {
  const ring = config.rings.account;
  const prefix = tokenResellerPrefix(config);
  const named = new Map<number, string[]>();
  for (const user of config.users.values()) {
    const account = storageAccount(user.account, prefix);
    const partition = ring.partitionFor(account);
    const accounts = named.get(partition) ?? [];
    if (!accounts.includes(account)) accounts.push(account);
    named.set(partition, accounts);
  }
  const listed = (map?.holders ?? []).slice(0, ACCOUNT_PARTITIONS_MAX).map(({ partition }) => partition);
  const asks = [
    ...[...named].map(([partition, accounts]) => ({ partition, accounts })),
    ...listed.map((partition) => ({ partition, accounts: null })),
  ];
  const found = new Map<string, AccountUsage>();
  await Promise.all(
    asks.map(async ({ partition, accounts }) => {
      for (const zone of ring.primaryZones(partition)) {
        const reply = await client.call(
          "account",
          partition,
          zone.id,
          (stub) => stub.accountUsage(accounts, ACCOUNTS_MAX + 1),
          NODE_TIMEOUT_MS,
        );
        if (reply.status !== 200) continue;
        for (const usage of reply.value ?? []) found.set(usage.account, usage);
        return;
      }
    }),
  );
  const usage = [...found.values()].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  return {
    usage: usage.slice(0, ACCOUNTS_MAX),
    capped: usage.length > ACCOUNTS_MAX || map?.capped === true || (map?.holders.length ?? 0) > ACCOUNT_PARTITIONS_MAX,
  };
}

/** The price of a million of each operation this isolate served, from its average work (`/recon/work`'s tally). */
export function operationPrices(): OperationPrice[] {
  return Object.entries(operationWork.snapshot()).map(([operation, entry]) => {
    const average = perOperation({ ...entry, doRequests: doRequestsOf(entry) }, entry.requests);
    return { operation, requests: entry.requests, perMillion: pricePerMillion(average) };
  });
}
