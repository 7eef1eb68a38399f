/**
 * @module
 * A request for one pipeline stage run on its own in Node: no identity, the context and
 * subrequests the test gives, the path parsed as the router parses it.
 */
import { decodePath, parseSwiftPath } from "../../../../src/common/path";
import type { ServiceContext } from "../../../../src/proxy/services/context";
import type { SwiftRequest } from "../../../../src/proxy/swift/request";

export function stageRequest(
  request: Request,
  ctx: ServiceContext,
  environ: SwiftRequest["environ"],
  subrequest: SwiftRequest["subrequest"],
): SwiftRequest {
  const url = new URL(request.url);
  return {
    request,
    url,
    path: parseSwiftPath(decodePath(url.pathname)),
    identity: null,
    ctx,
    environ,
    waitUntil: () => undefined,
    subrequest,
  };
}
