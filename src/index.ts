/**
 * @module
 * The Worker: fetch → the proxy app; the replica Durable Object classes exported for their
 * bindings. No logic lives here.
 */

import { app } from "./proxy/app";

export { AccountReplica } from "./durable/account-replica";
export { ContainerReplica } from "./durable/container-replica";
export { ObjectReplica } from "./durable/object-replica";
export { Control } from "./durable/control";
export { RingSummary } from "./durable/ring-summary";
export { BenchFloor } from "./durable/bench-floor";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
