/**
 * @module
 * The bench Worker (wrangler.bench.toml): the production Worker (src/index.ts) plus what only the
 * benchmarks use, which the production bundle never holds: the /bench/* routes, the BenchFloor
 * Durable Object, and replicas that also take seedRows. No logic lives here.
 */

import worker from "../../src/index";
import { app } from "../../src/proxy/app";
import { floorRoutes } from "./floor-routes";
import { replicationRoutes } from "./replication-routes";

// Added to the proxy's own app, before it serves any request: Hono runs a request through every
// matching handler in the order they were added, and /bench/* overlaps none of the proxy's routes,
// so these run after the same middleware (transaction id, domain remap) and errors thrown here
// are rendered by the same app.onError, as when app.ts mounted them.
app.route("/bench/replication", replicationRoutes);
app.route("/bench", floorRoutes);

export { Control, RingSummary } from "../../src/index";
export { AccountReplica, ContainerReplica, ObjectReplica } from "./replicas";
export { BenchFloor } from "./bench-floor";

export default worker;
