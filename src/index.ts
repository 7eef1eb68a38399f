/**
 * @module
 * The Worker: fetch → the proxy app, scheduled → the replicator's jobs; the Durable Object
 * classes exported for their bindings. No logic lives here.
 */

import { parseConfig } from "./config/config";
import { app } from "./proxy/app";
import { runJobs } from "./replicator/jobs";

export { AccountReplica } from "./durable/account-replica";
export { ContainerReplica } from "./durable/container-replica";
export { ObjectReplica } from "./durable/object-replica";
export { Control } from "./durable/control";
export { RingSummary } from "./durable/ring-summary";

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runJobs(parseConfig(env), controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
