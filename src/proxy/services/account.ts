/**
 * @module
 * Account operations over the account ring: read one replica (or all for X-Newest), write to
 * every primary with quorum. Accounts are created on first write (Swift: account_autocreate).
 */

import { ACCOUNT_INFO_TTL_MS } from "../../common/constraints";
import type { ReplicaReply } from "../../common/replies";
import type { AccountListing } from "../../durable/account-replica";
import type { ListingParams } from "../../durable/listing";
import { stampMetadata } from "../../durable/merge";
import type { AccountRow } from "../../durable/rows";
import type { ReplicaStub } from "../../durable/client";
import { fanOut } from "../fan-out";
import { partitionReplicas, readValue, settleWrite, type ServiceContext } from "./context";
import { controlStub } from "../../durable/names";

function accountReplicas(ctx: ServiceContext, account: string) {
  const partition = ctx.config.rings.account.partitionFor(account);
  return { partition, ...partitionReplicas(ctx, "account", partition) };
}

async function read<T>(
  ctx: ServiceContext,
  account: string,
  newest: boolean,
  method: (stub: ReplicaStub<"account">) => Promise<ReplicaReply<T>>,
): Promise<T | null> {
  const found = await readValue(ctx, "account", ctx.config.rings.account.partitionFor(account), newest, method);
  return found?.reply.value ?? null;
}

/** The account's row, or null when no replica holds it. */
export function headAccount(ctx: ServiceContext, account: string, newest = false): Promise<AccountRow | null> {
  return read(ctx, account, newest, (stub) => stub.headAccount(account));
}

/** The account's row and one page of containers, or null when no replica holds it. */
export function listAccount(
  ctx: ServiceContext,
  account: string,
  params: ListingParams,
  newest = false,
): Promise<AccountListing | null> {
  return read(ctx, account, newest, (stub) => stub.listContainers(account, params));
}

/**
 * Swift: proxy/controllers/account.py POST. Metadata updates ("" removes) to every replica;
 * a missing account is created with them (account_autocreate). Returns the status to answer.
 */
export async function postAccount(
  ctx: ServiceContext,
  account: string,
  updates: Record<string, string>,
): Promise<number> {
  const timestamp = ctx.now().internal;
  const metadata = stampMetadata(updates, timestamp);
  const { partition, primaries, handoffs, call } = accountReplicas(ctx, account);
  const replies = await fanOut(
    primaries,
    handoffs,
    call((stub, standingFor) => stub.postAccount(account, metadata, standingFor)),
  );
  const status = await settleWrite(ctx, "account", partition, primaries, replies);
  ctx.cache.delete(infoKey(account));
  if (status !== 404) return status;
  const created = await fanOut(
    primaries,
    handoffs,
    call((stub, standingFor) => stub.putAccount(account, timestamp, metadata, standingFor)),
  );
  const createdStatus = await settleWrite(ctx, "account", partition, primaries, created);
  return createdStatus >= 200 && createdStatus < 300 ? 204 : createdStatus;
}

const infoKey = (account: string) => `account:${account}`;

/** The account's row from the isolate's cache or one replica; null when no replica holds it. */
export async function accountInfo(ctx: ServiceContext, account: string): Promise<AccountRow | null> {
  const key = infoKey(account);
  const now = Date.now();
  const cached = ctx.cache.get<AccountRow | null>(key, now);
  if (cached !== undefined) return cached;
  const row = await headAccount(ctx, account);
  ctx.cache.set(key, row, row ? ACCOUNT_INFO_TTL_MS : ACCOUNT_INFO_TTL_MS / 10, now);
  return row;
}

/** Swift: account.py PUT (reseller admin). 201 created, 202 existed; a PUT after a DELETE revives it. */
export async function putAccount(
  ctx: ServiceContext,
  account: string,
  updates: Record<string, string>,
): Promise<number> {
  const timestamp = ctx.now().internal;
  const { partition, primaries, handoffs, call } = accountReplicas(ctx, account);
  const replies = await fanOut(
    primaries,
    handoffs,
    call((stub, standingFor) => stub.putAccount(account, timestamp, stampMetadata(updates, timestamp), standingFor)),
  );
  const status = await settleWrite(ctx, "account", partition, primaries, replies);
  ctx.cache.delete(infoKey(account));
  return status;
}

/**
 * Swift: account.py DELETE (reseller admin). Marks the account deleted on every replica and
 * queues it for the reaper, which removes its objects, bodies and containers. 204; 404 when missing.
 */
export async function deleteAccount(ctx: ServiceContext, account: string): Promise<number> {
  const timestamp = ctx.now().internal;
  const { partition, primaries, handoffs, call } = accountReplicas(ctx, account);
  const replies = await fanOut(
    primaries,
    handoffs,
    call((stub, standingFor) => stub.deleteAccount(account, timestamp, standingFor)),
  );
  const status = await settleWrite(ctx, "account", partition, primaries, replies);
  ctx.cache.delete(infoKey(account));
  if (status === 204) await controlStub(ctx.config).queueReap(account);
  return status;
}
