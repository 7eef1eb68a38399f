/**
 * @module
 * How a GET or HEAD reads (beyond Swift): `X-Newest: true` reads every replica and serves the
 * newest (Swift); `X-Consistency: quorum` reads a quorum of zones and serves the newest, so a read
 * after an acknowledged write or delete always sees it, as does every read of a container whose
 * `X-Container-Meta-Consistency` is `quorum`; `X-Consistency: eventual` reads the first replica
 * holding the row (Swift's default) even there. Any other value of either is refused (400) and
 * nothing is stored. With READ_AFFINITY on, the primary zone nearest the caller (`request.cf`) is
 * read first. The container's setting comes from its cached info (Swift's container info
 * cache), so a change reaches every isolate within CONTAINER_INFO_TTL_MS.
 */

import { SwiftError } from "../../common/errors";
import { H, metaPrefix } from "../../common/headers";
import { liveMetadata } from "../../durable/merge";
import { callerPlace } from "../affinity";
import { containerInfo } from "../services/container";
import type { ReadPreference } from "../services/context";
import type { Middleware } from "./pipeline";
import type { SwiftRequest } from "./request";

const CONTAINER_CONSISTENCY = `${metaPrefix("container")}consistency`;
const CONSISTENCIES = ["quorum", "eventual"];

/** The request's X-Consistency, lowercased; null when absent. */
const askedConsistency = (req: SwiftRequest): string | null =>
  req.request.headers.get(H.X_CONSISTENCY)?.trim().toLowerCase() ?? null;

/** The stage: refuses an X-Consistency, or a container's X-Container-Meta-Consistency, that is neither quorum nor eventual. */
export const consistency: Middleware = (req, next) => {
  const asked = askedConsistency(req);
  if (asked !== null && !CONSISTENCIES.includes(asked)) {
    throw new SwiftError("BadRequest", "X-Consistency must be quorum or eventual");
  }
  const method = req.request.method;
  if (req.path.container !== null && req.path.object === null && (method === "PUT" || method === "POST")) {
    const setting = req.request.headers.get(CONTAINER_CONSISTENCY)?.trim().toLowerCase();
    // An empty value removes the setting.
    if (setting && !CONSISTENCIES.includes(setting)) {
      throw new SwiftError("BadRequest", "X-Container-Meta-Consistency must be quorum or eventual");
    }
  }
  return next(req);
};

/** How this request's GET or HEAD reads: X-Newest, X-Consistency, else the container's setting; read affinity. */
export async function readPreference(req: SwiftRequest): Promise<ReadPreference> {
  const near = req.ctx.config.readAffinity ? callerPlace(req.request.cf) : null;
  if (req.request.headers.get(H.X_NEWEST)?.toLowerCase() === "true") return { consistency: "newest", near };
  const asked = askedConsistency(req);
  if (asked !== null) return { consistency: asked === "quorum" ? "quorum" : "first", near };
  const { account, container } = req.path;
  if (container === null) return { consistency: "first", near };
  const info = await containerInfo(req.ctx, account, container);
  const setting = info ? liveMetadata(info.metadata)[CONTAINER_CONSISTENCY] : undefined;
  return { consistency: setting?.trim().toLowerCase() === "quorum" ? "quorum" : "first", near };
}
