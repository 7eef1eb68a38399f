/**
 * @module
 * The bench Worker's floor routes, under /bench/* and for the reseller admin alone (they write
 * into real accounts' replicas' partitions). Each floor route does only what the design cannot
 * avoid for one Swift operation — the replica row reads and writes the rings ask for and the R2
 * body reads and writes, on BenchFloor Durable Objects with no edgeswift logic — and
 * `GET /bench/fixed` returns a fixed 4 KiB body, the runtime's ceiling. `npm run bench`
 * (bench/run.ts) times them beside the Swift API.
 */

import { Hono } from "hono";
import { CONTAINER_LISTING_LIMIT } from "../../src/common/constraints";
import { SwiftError } from "../../src/common/errors";
import { H } from "../../src/common/headers";
import { xmlText } from "../../src/common/markup";
import { resellerAdminOnly } from "../../src/proxy/middleware/reseller-admin";
import type { RingName } from "../../src/ring/types";
import type { BenchFloor } from "./bench-floor";
import { benchConfig, type BenchConfig, type BenchEnv } from "./config";

/** The account and container the floor routes' object names hash under. */
const BENCH_ACCOUNT = "AUTH_bench";
const BENCH_CONTAINER = "bench";
/** The container whose (one) replica holds the seeded listing rows. */
const BENCH_LISTING_CONTAINER = "bench-listing";
const FIXED_BODY_BYTES = 4096;
const FIXED_BODY = new Uint8Array(FIXED_BODY_BYTES).fill(0x78);

export const floorRoutes = new Hono<{ Bindings: BenchEnv }>();

floorRoutes.use("*", resellerAdminOnly);

/** The runtime's ceiling: a fixed 4 KiB body, no storage touched. */
floorRoutes.get(
  "/fixed",
  () => new Response(FIXED_BODY, { status: 200, headers: { [H.CONTENT_TYPE]: "application/octet-stream" } }),
);

/**
 * PUT floor, all in parallel: the body to the bucket of each of the object's primary zones, one
 * row write in each primary replica of the object's partition (object ring) and one in each
 * primary replica of its container's partition (container ring).
 */
floorRoutes.put("/floor/put/:n", async (c) => {
  const config = benchConfig(c.env);
  const name = c.req.param("n");
  const length = Number(c.req.header(H.CONTENT_LENGTH));
  const source = c.req.raw.body;
  if (source === null || !Number.isSafeInteger(length) || length <= 0) throw new SwiftError("LengthRequired");
  const partition = config.rings.object.partitionFor(BENCH_ACCOUNT, BENCH_CONTAINER, name);
  const key = floorBodyKey(name);
  const value = rowValue(name, length, key, 0);
  await Promise.all([
    writeBodies(source, length, key, bodyBuckets(config, partition)),
    ...rowWrites(config, name, value),
  ]);
  return new Response(null, { status: 201 });
});

/** GET floor: one row read from one primary replica, then that zone's body read from R2 (the row names the body). */
floorRoutes.get("/floor/get/:n", async (c) => {
  const config = benchConfig(c.env);
  const name = c.req.param("n");
  const { floor, zone } = firstPrimary(
    config,
    "object",
    config.rings.object.partitionFor(BENCH_ACCOUNT, BENCH_CONTAINER, name),
  );
  const row = await floor.read(name);
  if (row === null) throw new SwiftError("NotFound");
  const body = await config.zoneBuckets.get(zone)?.get(floorBodyKey(name));
  if (!body) throw new SwiftError("NotFound");
  return new Response(body.body, {
    status: 200,
    headers: { [H.CONTENT_LENGTH]: String(body.size), [H.CONTENT_TYPE]: "application/octet-stream" },
  });
});

/** HEAD floor: one row read from one primary replica. (Hono serves HEAD with the GET handler.) */
floorRoutes.get("/floor/head/:n", async (c) => {
  const config = benchConfig(c.env);
  const name = c.req.param("n");
  const { floor } = firstPrimary(
    config,
    "object",
    config.rings.object.partitionFor(BENCH_ACCOUNT, BENCH_CONTAINER, name),
  );
  const row = await floor.read(name);
  if (row === null) throw new SwiftError("NotFound");
  return new Response(null, {
    status: 200,
    headers: { [H.CONTENT_LENGTH]: String(FIXED_BODY_BYTES), [H.CONTENT_TYPE]: "application/octet-stream" },
  });
});

/**
 * POST floor, in parallel: a row write in each primary replica of the object's partition and of its
 * container's (a POST moves the listing's last_modified and, with a Content-Type, its content type:
 * Swift's fast-POST sends the container update a PUT does).
 */
floorRoutes.post("/floor/post/:n", async (c) => {
  const config = benchConfig(c.env);
  const name = c.req.param("n");
  await Promise.all(rowWrites(config, name, rowValue(name, FIXED_BODY_BYTES, floorBodyKey(name), 0)));
  return new Response(null, { status: 202 });
});

/**
 * DELETE floor, in parallel: a tombstone row write in each primary replica of the object's and of its container's
 * partition.
 */
floorRoutes.delete("/floor/delete/:n", async (c) => {
  const config = benchConfig(c.env);
  const name = c.req.param("n");
  await Promise.all(rowWrites(config, name, rowValue(name, 0, "", 1)));
  return new Response(null, { status: 204 });
});

/** Seeds the listing replica with `count` rows (default a full listing page); not timed. */
floorRoutes.put("/floor/list", async (c) => {
  const count = Number(c.req.query("count") ?? CONTAINER_LISTING_LIMIT);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new SwiftError("BadRequest", "count must be a non-negative integer");
  const rows = await listingFloor(benchConfig(c.env)).seed(count);
  return new Response(`${rows}\n`, { status: 201, headers: { [H.CONTENT_TYPE]: "text/plain; charset=utf-8" } });
});

/**
 * LIST floor: `limit` rows (default 10,000) read from one replica, rendered as a Swift listing in
 * `format` (json, the default; plain: the names; xml: each row's elements, names escaped).
 */
floorRoutes.get("/floor/list", async (c) => {
  const limit = Number(c.req.query("limit") ?? CONTAINER_LISTING_LIMIT);
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new SwiftError("BadRequest", "limit must be a non-negative integer");
  const format = c.req.query("format") ?? "json";
  const rows = await listingFloor(benchConfig(c.env)).list(limit);
  if (format === "plain") {
    const body = rows.map((row) => `${row.name}\n`).join("");
    return new Response(body, { status: 200, headers: { [H.CONTENT_TYPE]: "text/plain; charset=utf-8" } });
  }
  if (format === "xml") {
    const objects = rows.map(
      (row) =>
        `<object><name>${xmlText(row.name)}</name><hash>${row.etag}</hash><bytes>${row.bytes}</bytes>` +
        `<content_type>${xmlText(row.content_type)}</content_type><last_modified>${row.created_at}</last_modified></object>`,
    );
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<container name="c">${objects.join("")}</container>`;
    return new Response(body, { status: 200, headers: { [H.CONTENT_TYPE]: "application/xml; charset=utf-8" } });
  }
  const body = JSON.stringify(
    rows.map((row) => ({
      bytes: row.bytes,
      hash: row.etag,
      name: row.name,
      content_type: row.content_type,
      last_modified: row.created_at,
    })),
  );
  return new Response(body, { status: 200, headers: { [H.CONTENT_TYPE]: "application/json; charset=utf-8" } });
});

function floorBodyKey(name: string): string {
  return `${BENCH_ACCOUNT}/${BENCH_CONTAINER}/${name}`;
}

/** A row about the size of an object row: name, timestamp, size, etag, content type, body key. */
function rowValue(name: string, size: number, bodyKey: string, deleted: 0 | 1): string {
  return JSON.stringify({
    name,
    created_at: (Date.now() / 1000).toFixed(5),
    deleted,
    size,
    etag: "",
    content_type: "application/octet-stream",
    body_key: bodyKey,
  });
}

function floorOf(config: BenchConfig, ring: RingName, partition: number, zone: string): DurableObjectStub<BenchFloor> {
  return config.benchFloor.getByName(`${ring}/${partition}/${zone}`);
}

function firstPrimary(config: BenchConfig, ring: RingName, partition: number) {
  const zone = config.rings.get(ring).primaryZones(partition)[0];
  if (!zone) throw new SwiftError("ServiceUnavailable");
  return { zone: zone.id, floor: floorOf(config, ring, partition, zone.id) };
}

/** One row write in each primary replica of the object's partition and of its container's partition. */
function rowWrites(config: BenchConfig, name: string, value: string): Promise<void>[] {
  const objectPartition = config.rings.object.partitionFor(BENCH_ACCOUNT, BENCH_CONTAINER, name);
  const containerPartition = config.rings.container.partitionFor(BENCH_ACCOUNT, BENCH_CONTAINER);
  return [
    ...config.rings.object
      .primaryZones(objectPartition)
      .map((zone) => floorOf(config, "object", objectPartition, zone.id).write(name, value)),
    ...config.rings.container
      .primaryZones(containerPartition)
      .map((zone) => floorOf(config, "container", containerPartition, zone.id).write(name, value)),
  ];
}

/** The distinct buckets of the object partition's primary zones. */
function bodyBuckets(config: BenchConfig, partition: number): R2Bucket[] {
  const buckets = new Map<string, R2Bucket>();
  for (const zone of config.rings.object.primaryZones(partition)) {
    const bucket = config.zoneBuckets.get(zone.id);
    const name = config.zoneBucketNames.get(zone.id);
    if (bucket && name) buckets.set(name, bucket);
  }
  return [...buckets.values()];
}

/**
 * Streams one body of known length into every bucket at once, one FixedLengthStream each (as services/bodies.ts does).
 */
async function writeBodies(
  source: ReadableStream<Uint8Array>,
  length: number,
  key: string,
  buckets: readonly R2Bucket[],
): Promise<void> {
  const sinks = buckets.map((bucket) => {
    const stream = new FixedLengthStream(length);
    return { put: bucket.put(key, stream.readable), writer: stream.writable.getWriter() };
  });
  const reader = source.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await Promise.all(sinks.map((sink) => sink.writer.write(value)));
  }
  await Promise.all(sinks.map((sink) => sink.writer.close()));
  await Promise.all(sinks.map((sink) => sink.put));
}

/** The one replica holding the seeded listing: the bench listing container's first primary. */
function listingFloor(config: BenchConfig): DurableObjectStub<BenchFloor> {
  return firstPrimary(config, "container", config.rings.container.partitionFor(BENCH_ACCOUNT, BENCH_LISTING_CONTAINER))
    .floor;
}
