/**
 * @module
 * Where rows live, for `edgeswift status` and `edgeswift dispersion` (reseller admin only):
 * `GET /recon/rings` (each ring's partitions, replicas and zones, and each storage policy's object
 * ring) and `POST /recon/dispersion` (for a batch of accounts, containers or objects, each one's
 * partition in the ring named, its primary zones, and, unless only placement is asked for, which
 * of those primaries hold the row). Swift's swift-dispersion-report asks each storage node
 * directly (direct_client.direct_head_container/object); here the replica client does, as the
 * services call it, so a zone taken down answers as it does to a client.
 */

import { Hono } from "hono";
import { parseConfig, type Config } from "../config/config";
import { SwiftError } from "../common/errors";
import { H } from "../common/headers";
import { objectKey } from "../common/path";
import type { ReplicaReply } from "../common/replies";
import { NODE_TIMEOUT_MS } from "../common/constraints";
import type { ReplicaClient, ReplicaStub } from "../durable/client";
import { isRingName, ringKind, type RingName } from "../ring/types";
import { resellerAdminOnly } from "./middleware/reseller-admin";
import { placement, serviceContext } from "./services/context";

/**
 * The most items one `POST /recon/dispersion` takes: each checked item calls every primary of its
 * partition (3 replicas: 300 Durable Object subrequests), within a Worker's subrequest limit.
 */
export const MAX_DISPERSION_ITEMS = 100;

/** One row to look for: `ring` and the name its kind of ring places (account; container; object). */
export interface DispersionItem {
  ring: RingName;
  account: string;
  container?: string;
  object?: string;
}

/** Where one item lives: its partition, its primaries and, when checked, those holding the row. */
export interface DispersionPlacement {
  partition: number;
  primaries: string[];
  found?: string[];
}

export const dispersion = new Hono<{ Bindings: Env }>();

dispersion.use("/recon/rings", resellerAdminOnly);
dispersion.use("/recon/dispersion", resellerAdminOnly);

const json = (value: unknown): Response =>
  new Response(JSON.stringify(value), {
    status: 200,
    headers: { [H.CONTENT_TYPE]: "application/json; charset=utf-8" },
  });

dispersion.get("/recon/rings", (c) => {
  const config = parseConfig(c.env);
  const rings = Object.fromEntries(
    config.rings.names().map((name) => {
      const ring = config.rings.get(name);
      return [
        name,
        {
          partitionCount: ring.partitionCount,
          replicaCount: ring.replicaCount,
          zones: ring.zones.map((zone) => ({ id: zone.id, weight: zone.weight, locationHint: zone.locationHint })),
        },
      ];
    }),
  );
  const policies = config.policies.all.map((policy) => ({
    index: policy.index,
    name: policy.name,
    ring: policy.ring,
    default: policy.isDefault,
    deprecated: policy.deprecated,
  }));
  return json({ rings, policies, maxDispersionItems: MAX_DISPERSION_ITEMS });
});

/**
 * Body `{"items": [{"ring": "container", "account": "AUTH_a", "container": "c"}, …], "check": true}`;
 * answers `{"placements": [{"partition", "primaries", "found"}, …]}` in the items' order
 * (`check: false`: placement alone, no replica called). 400 for a body that is not that, a ring
 * the cluster does not have, names that do not fit the ring's kind, or over MAX_DISPERSION_ITEMS.
 */
dispersion.post("/recon/dispersion", async (c) => {
  const config = parseConfig(c.env);
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new SwiftError("BadRequest", 'Body must be JSON: {"items": [{"ring", "account", …}], "check": true}');
  }
  const { items, check } = parseRequest(config, body);
  const { client } = serviceContext(config);
  const placements = await Promise.all(items.map((item) => placementOf(config, client, item, check)));
  return json({ placements });
});

function parseRequest(config: Config, body: unknown): { items: DispersionItem[]; check: boolean } {
  if (typeof body !== "object" || body === null || !("items" in body) || !Array.isArray(body.items))
    throw new SwiftError("BadRequest", '"items" must be an array');
  const check = "check" in body ? body.check : true;
  if (typeof check !== "boolean") throw new SwiftError("BadRequest", '"check" must be true or false');
  if (body.items.length > MAX_DISPERSION_ITEMS)
    throw new SwiftError("BadRequest", `at most ${MAX_DISPERSION_ITEMS} items a request, not ${body.items.length}`);
  return { items: body.items.map((item, index) => parseItem(config, item, index)), check };
}

/** One item, checked: a ring of this cluster and exactly the names its kind places. */
function parseItem(config: Config, item: unknown, index: number): DispersionItem {
  const bad = (why: string): SwiftError => new SwiftError("BadRequest", `items[${index}]: ${why}`);
  if (typeof item !== "object" || item === null) throw bad("must be an object");
  const { ring, account, container, object } = item as Record<string, unknown>;
  if (!isRingName(ring) || !config.rings.has(ring))
    throw bad(`"ring" must be one of ${config.rings.names().join(", ")}`);
  const names = { account, container, object };
  const wanted = {
    account: ["account"],
    container: ["account", "container"],
    object: ["account", "container", "object"],
  }[ringKind(ring)];
  for (const [key, value] of Object.entries(names)) {
    if (wanted.includes(key) ? typeof value !== "string" || value === "" : value !== undefined)
      throw bad(
        `the ${ring} ring places ${wanted.join(", ")}: "${key}" ${wanted.includes(key) ? "is missing" : "does not belong"}`,
      );
  }
  return { ring, account: account as string, container: container as string, object: object as string };
}

async function placementOf(
  config: Config,
  client: ReplicaClient,
  item: DispersionItem,
  check: boolean,
): Promise<DispersionPlacement> {
  const partition = config.rings.get(item.ring).partitionFor(item.account, item.container, item.object);
  const { primaries } = placement(config, item.ring, partition);
  if (!check) return { partition, primaries };
  const held = await Promise.all(
    primaries.map(async (zone) => {
      const reply = await client.call(item.ring, partition, zone, (stub) => headRow(item, stub), NODE_TIMEOUT_MS);
      // Swift's report counts a copy found when the node answers 2xx (404 and 507 are copies missing).
      return reply.status === 200;
    }),
  );
  return { partition, primaries, found: primaries.filter((_, i) => held[i]) };
}

/** The replica's HEAD of the item's row: 200 when it holds it (not deleted). */
function headRow(item: DispersionItem, stub: ReplicaStub<RingName>): Promise<ReplicaReply<unknown>> {
  const kind = ringKind(item.ring);
  if (kind === "account") return (stub as ReplicaStub<"account">).headAccount(item.account);
  const container = item.container ?? "";
  if (kind === "container") return (stub as ReplicaStub<"container">).headContainer(item.account, container);
  return (stub as ReplicaStub<"object">).getObject(objectKey(item.account, container, item.object ?? ""));
}
