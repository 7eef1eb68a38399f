/**
 * @module
 * The Worker: fetch → the proxy app, scheduled → the replicator's jobs and the S3 housekeeping
 * job (lifecycle rules, abandoned multipart uploads: the proxy's, as it deletes through the Swift
 * pipeline); the Durable Object classes exported for their bindings. No logic lives here.
 */

import { parseConfig } from "./config/config";
import { app } from "./proxy/app";
import { runS3Housekeeping } from "./proxy/s3/housekeeping";
import { runJobs } from "./replicator/jobs";

export { AccountReplica } from "./durable/account-replica";
export { ContainerReplica } from "./durable/container-replica";
export { ObjectReplica } from "./durable/object-replica";
export { Control } from "./durable/control";
export { RingSummary } from "./durable/ring-summary";

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    const config = parseConfig(env);
    ctx.waitUntil(runJobs(config, controller.scheduledTime));
    ctx.waitUntil(
      runS3Housekeeping(config, controller.scheduledTime, { waitUntil: (promise) => ctx.waitUntil(promise) }),
    );
  },
} satisfies ExportedHandler<Env>;
