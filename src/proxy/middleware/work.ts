/**
 * @module
 * The first stage of the app: each request runs counting its work (common/work.ts: Durable Object
 * requests by class, rows the replicas read and wrote, R2 operations by class, subrequests), and a
 * request a router named (`object PUT`, `s3 object PUT`) is added to this isolate's tally, which
 * `GET /recon/work` serves (admin.ts), and to its requests by status and latency, which
 * `GET /metrics` serves (metrics.ts). One tally per isolate: `wrangler dev` runs one; on
 * Cloudflare each isolate keeps its own.
 */

import type { MiddlewareHandler } from "hono";
import { runWithWork, Work } from "../../common/work";
import { operationWork } from "../../common/work-tally";
import { requestMetrics } from "../../common/request-metrics";

export const countedWork: MiddlewareHandler = async (c, next) => {
  const work = new Work();
  const started = Date.now();
  await runWithWork(work, next);
  if (work.operation === null) return;
  requestMetrics.record(work.operation, c.res.status, (Date.now() - started) / 1000);
  // What the request still does while its body streams (segments of a large object) goes to its entry too.
  work.drainInto(operationWork.record(work.operation, work.counts));
};
