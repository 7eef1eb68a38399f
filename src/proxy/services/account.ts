/**
 * @module
 * Account operations over the account ring: read one replica (or all for X-Newest), write to
 * every primary with quorum. Accounts are created on first write (Swift: account_autocreate).
 */

import type { ReplicaReply } from "../../common/replies";
import type { AccountListing } from "../../durable/account-replica";
import type { ListingParams } from "../../durable/listing";
import { stampMetadata } from "../../durable/merge";
import type { AccountRow } from "../../durable/rows";
import type { ReplicaStubs } from "../../durable/client";
import { fanOut } from "../fan-out";
import { bestStatus } from "../quorum";
import { partitionReplicas, readValue, repairIfIncomplete, type ServiceContext } from "./context";

function accountReplicas(ctx: ServiceContext, account: string) {
  const partition = ctx.config.rings.account.partitionFor(account);
  return { partition, ...partitionReplicas(ctx, "account", partition) };
}

async function read<T>(ctx: ServiceContext, account: string, newest: boolean, method: (stub: ReplicaStubs["account"]) => Promise<ReplicaReply<T>>): Promise<T | null> {
  const found = await readValue(ctx, "account", ctx.config.rings.account.partitionFor(account), newest, method);
  return found?.reply.value ?? null;
}

/** The account's row, or null when no replica holds it. */
export function headAccount(ctx: ServiceContext, account: string, newest = false): Promise<AccountRow | null> {
  return read(ctx, account, newest, (stub) => stub.headAccount(account));
}

/** The account's row and one page of containers, or null when no replica holds it. */
export function listAccount(ctx: ServiceContext, account: string, params: ListingParams, newest = false): Promise<AccountListing | null> {
  return read(ctx, account, newest, (stub) => stub.listContainers(account, params));
}

/**
 * Swift: proxy/controllers/account.py POST. Metadata updates ("" removes) to every replica;
 * a missing account is created with them (account_autocreate). Returns the status to answer.
 */
export async function postAccount(ctx: ServiceContext, account: string, updates: Record<string, string>): Promise<number> {
  const timestamp = ctx.now().internal;
  const metadata = stampMetadata(updates, timestamp);
  const { partition, primaries, handoffs, call } = accountReplicas(ctx, account);
  const replies = await fanOut(primaries, handoffs, call((stub) => stub.postAccount(account, metadata)));
  const status = bestStatus(replies.map((r) => r.reply.status));
  if (status !== 404) {
    await repairIfIncomplete(ctx, "account", partition, primaries, replies);
    return status;
  }
  const created = await fanOut(primaries, handoffs, call((stub) => stub.putAccount(account, timestamp, metadata)));
  await repairIfIncomplete(ctx, "account", partition, primaries, created);
  const createdStatus = bestStatus(created.map((r) => r.reply.status));
  return createdStatus >= 200 && createdStatus < 300 ? 204 : createdStatus;
}
