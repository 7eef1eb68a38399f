/**
 * @module
 * The bench Worker's replica classes: the production ones, under the same names (so the bindings
 * and the Durable Objects' storage are the same), with one more RPC method, seedRows, through
 * which bench/worker/replication-routes.ts seeds rows straight into every replica.
 */

import type { ReplicaReply } from "../../src/common/replies";
import { AccountReplica as ProductionAccountReplica } from "../../src/durable/account-replica";
import { ContainerReplica as ProductionContainerReplica } from "../../src/durable/container-replica";
import { ObjectReplica as ProductionObjectReplica } from "../../src/durable/object-replica";
import type { ObjectRow } from "../../src/durable/rows";
import type { AccountReplicaRow } from "../../src/durable/schema/account";
import type { ContainerReplicaRow } from "../../src/durable/schema/container";

// Each seedRows stores rows as a replication merge does, but sends no container update or account
// report: the seeder stores those rows itself, in the other rings' replicas.

export class AccountReplica extends ProductionAccountReplica {
  /** Stores seeded rows; an account replica owes no other ring anything. */
  async seedRows(rows: AccountReplicaRow[]): Promise<ReplicaReply<number>> {
    this.ensureSchema();
    return { status: 200, value: await this.merge(rows, null) };
  }
}

export class ContainerReplica extends ProductionContainerReplica {
  /** Stores seeded rows without queueing their account reports. */
  async seedRows(rows: ContainerReplicaRow[]): Promise<ReplicaReply<number>> {
    this.ensureSchema();
    return { status: 200, value: await this.merge(rows, null, false) };
  }
}

export class ObjectReplica extends ProductionObjectReplica {
  /** Stores seeded rows without queueing their container updates. */
  async seedRows(rows: ObjectRow[]): Promise<ReplicaReply<number>> {
    this.ensureSchema();
    return { status: 200, value: await this.merge(rows, null, false) };
  }
}
