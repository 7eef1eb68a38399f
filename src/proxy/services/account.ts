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
import { EVENTUAL, readAgreed, readValue, writePartition, type ReadPreference, type ServiceContext } from "./context";
import { controlStub } from "../../durable/names";

/**
 * One write to every primary of the account's partition, settled (writePartition); the cached
 * account info is dropped. The status to answer.
 */
async function writeAccount(
  ctx: ServiceContext,
  account: string,
  method: (stub: ReplicaStub<"account">, standingFor: string | null) => Promise<ReplicaReply>,
): Promise<number> {
  const status = await writePartition(ctx, "account", ctx.config.rings.account.partitionFor(account), method);
  ctx.cache.delete(infoKey(account));
  return status;
}

async function readWith<T>(
  ctx: ServiceContext,
  account: string,
  read: ReadPreference,
  method: (stub: ReplicaStub<"account">) => Promise<ReplicaReply<T>>,
): Promise<T | null> {
  const partition = ctx.config.rings.account.partitionFor(account);
  const found =
    read.consistency === "quorum"
      ? await readAgreed(ctx, "account", partition, read.near, method)
      : await readValue(ctx, "account", partition, read, method);
  return found?.reply.value ?? null;
}

/** The account's row, or null when no replica holds it. */
export function headAccount(
  ctx: ServiceContext,
  account: string,
  read: ReadPreference = EVENTUAL,
): Promise<AccountRow | null> {
  return readWith(ctx, account, read, (stub) => stub.headAccount(account));
}

/** The account's row and one page of containers, or null when no replica holds it. */
export function listAccount(
  ctx: ServiceContext,
  account: string,
  params: ListingParams,
  read: ReadPreference = EVENTUAL,
): Promise<AccountListing | null> {
  return readWith(ctx, account, read, (stub) => stub.listContainers(account, params));
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
  const status = await writeAccount(ctx, account, (stub, standingFor) =>
    stub.postAccount(account, metadata, standingFor),
  );
  if (status !== 404) return status;
  const created = await writeAccount(ctx, account, (stub, standingFor) =>
    stub.putAccount(account, timestamp, metadata, standingFor),
  );
  return created >= 200 && created < 300 ? 204 : created;
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
  return writeAccount(ctx, account, (stub, standingFor) =>
    stub.putAccount(account, timestamp, stampMetadata(updates, timestamp), standingFor),
  );
}

/**
 * Swift: account.py DELETE (reseller admin). Marks the account deleted on every replica and
 * queues it for the reaper, which removes its objects, bodies and containers. 204; 404 when missing.
 */
export async function deleteAccount(ctx: ServiceContext, account: string): Promise<number> {
  const timestamp = ctx.now().internal;
  const status = await writeAccount(ctx, account, (stub, standingFor) =>
    stub.deleteAccount(account, timestamp, standingFor),
  );
  if (status === 204) await controlStub(ctx.config).queueReap(account);
  return status;
}
