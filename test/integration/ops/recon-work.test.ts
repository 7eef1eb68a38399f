/**
 * @module
 * `GET /recon/work`: the isolate's work per operation (src/proxy/middleware/work.ts), for the
 * reseller admin only. The figures expected are the code's own path: services/object.ts (bodies
 * to the three primary zones' buckets, the row to three object replicas, a read from the first
 * replica holding the row) and object-replica.ts (each write delivers its container update
 * before it answers).
 */
import { exports } from "cloudflare:workers";
import { describe, it, type ExpectStatic } from "vitest";
import type { WorkEntry } from "../../../src/common/work-tally";
import { BASE, swift, text, tokenFor, unique } from "../../helpers";
import { s3 } from "../s3/helpers";

async function recon(method: "GET" | "POST", query = "", user = "admin:admin", key = "admin"): Promise<Response> {
  const headers = { "X-Auth-Token": await tokenFor(user, key) };
  return exports.default.fetch(`${BASE}/recon/work${query}`, { method, headers });
}

interface Tallies {
  operations: Record<string, WorkEntry>;
  objects: Record<string, WorkEntry>;
}

async function tallies(query = ""): Promise<Tallies> {
  const response = await recon("GET", query);
  if (response.status !== 200) throw new Error(`GET /recon/work answered ${response.status}`);
  return response.json();
}

/** The operations' tally. */
async function tally(query = ""): Promise<Record<string, WorkEntry>> {
  return (await tallies(query)).operations;
}

/**
 * The proxy's own read of the account's info (router.ts: a deleted account answers 410) is cached
 * per isolate for seconds, but for 0.5 s only while the account has no row yet (its container
 * replicas report to it after a delay): a request may add that one account request and subrequest.
 */
function accountInfoReads(expect: ExpectStatic, entry: WorkEntry | undefined): number {
  const reads = entry?.accountRequests ?? 0;
  expect(reads).toBeLessThanOrEqual(1);
  return reads;
}

/** A container whose info the proxy has cached (its HEAD), so an object request reads no container replica. */
async function freshContainer(): Promise<string> {
  const container = `/AUTH_test/${unique("work")}`;
  await text(await swift("PUT", container));
  await text(await swift("HEAD", container));
  return container;
}

describe("GET /recon/work", () => {
  it("an object PUT of 4 KiB costs three object replica writes, their three container updates and three R2 puts", async ({
    expect,
  }) => {
    const container = await freshContainer();
    await text(await recon("POST"));
    const put = await swift("PUT", `${container}/o`, { body: new Uint8Array(4096) });
    await text(put);
    expect(put.status).toBe(201);
    const entry = (await tally())["object PUT"];
    expect(entry).toMatchObject({
      requests: 1,
      objectRequests: 3,
      containerRequests: 3,
      controlRequests: 0,
      r2ClassA: 3,
      r2ClassB: 0,
    });
    // Three R2 puts and three replica calls; the container updates are the replicas' own subrequests.
    expect(entry?.subrequests).toBe(6 + accountInfoReads(expect, entry));
    // Each of the three replica pairs: the object row (one entry, keyed by leaf and name), its hash
    // leaf and the alarm set for its summary report (object replica); the listing row with its live
    // and leaf index entries, its hash leaf, the container's counts, the account report queued and
    // the alarm set earlier for it (container replica). No outbox row: every update landed.
    expect(entry?.rowsWritten).toBe(3 * (3 + 7));
    expect(entry?.rowsRead).toBeGreaterThan(0);
  });

  it("an object GET reads one replica's row and one R2 body (class B), and writes no row", async ({ expect }) => {
    const container = await freshContainer();
    await text(await swift("PUT", `${container}/o`, { body: new Uint8Array(4096) }));
    await text(await recon("POST"));
    const got = await swift("GET", `${container}/o`);
    expect((await got.arrayBuffer()).byteLength).toBe(4096);
    const entry = (await tally())["object GET"];
    expect(entry).toMatchObject({
      requests: 1,
      objectRequests: 1,
      containerRequests: 0,
      rowsWritten: 0,
      r2ClassA: 0,
      r2ClassB: 1,
    });
    expect(entry?.subrequests).toBe(2 + accountInfoReads(expect, entry));
    expect(entry?.rowsRead).toBeGreaterThanOrEqual(1);
  });

  it("an object DELETE writes three tombstones with their container updates and makes no R2 operation before answering", async ({
    expect,
  }) => {
    const container = await freshContainer();
    await text(await swift("PUT", `${container}/o`, { body: new Uint8Array(4096) }));
    await text(await recon("POST"));
    const deleted = await swift("DELETE", `${container}/o`);
    await text(deleted);
    expect(deleted.status).toBe(204);
    const entry = (await tally())["object DELETE"];
    expect(entry).toMatchObject({
      requests: 1,
      objectRequests: 3,
      containerRequests: 3,
      // The old body is garbage, deleted by the replica after it answered (free in R2 anyway).
      r2ClassA: 0,
      r2ClassB: 0,
    });
    expect(entry?.subrequests).toBe(3 + accountInfoReads(expect, entry));
    // Each pair at least: the tombstone (its row and tombstone index entry), its hash leaf and the
    // old body queued for deletion (object replica); the listing row and its live index entry
    // going to the tombstone index, its hash leaf, the counts and the account report queued
    // (container replica). At most one alarm set and the body's queue entry cleared beside.
    expect(entry?.rowsWritten).toBeGreaterThanOrEqual(3 * (4 + 5));
    expect(entry?.rowsWritten).toBeLessThanOrEqual(3 * (4 + 5 + 3));
  });

  it("a static large object GET counts its manifest's and every segment's row and body, read as the body streams", async ({
    expect,
  }) => {
    const container = await freshContainer();
    for (const n of [1, 2, 3]) await text(await swift("PUT", `${container}/s${n}`, { body: "x".repeat(10) }));
    const manifest = JSON.stringify([1, 2, 3].map((n) => ({ path: `${container.slice("/AUTH_test".length)}/s${n}` })));
    const put = await swift("PUT", `${container}/m?multipart-manifest=put`, { body: manifest });
    await text(put);
    expect(put.status).toBe(201);
    await text(await recon("POST"));
    const got = await swift("GET", `${container}/m`);
    expect(await got.text()).toBe("x".repeat(30));
    const entry = (await tally())["object GET"];
    expect(entry).toMatchObject({ requests: 1, objectRequests: 4, rowsWritten: 0, r2ClassA: 0, r2ClassB: 4 });
    expect(entry?.subrequests).toBe(8 + accountInfoReads(expect, entry));
  });

  it("an S3 PutObject is tallied under its own name, not under the Swift request it runs as", async ({ expect }) => {
    const bucket = unique("work-s3-");
    await text(await s3("PUT", `/${bucket}`));
    await text(await recon("POST"));
    const put = await s3("PUT", `/${bucket}/k`, { body: "x".repeat(4096) });
    await text(put);
    expect(put.status).toBe(200);
    const entries = await tally();
    expect(Object.keys(entries)).toEqual(["s3 object PUT"]);
    expect(entries["s3 object PUT"]).toMatchObject({ requests: 1, objectRequests: 3, r2ClassA: 3 });
  });

  it("sums requests of one operation, and ?reset answers the tally then zeroes it", async ({ expect }) => {
    const container = await freshContainer();
    await text(await recon("POST"));
    for (const name of ["a", "b"]) await text(await swift("PUT", `${container}/${name}`, { body: "x" }));
    await text(await swift("HEAD", `${container}/a`));
    const before = await tally("?reset");
    expect(before["object PUT"]).toMatchObject({ requests: 2, objectRequests: 6, r2ClassA: 6 });
    expect(before["object HEAD"]).toMatchObject({ requests: 1, objectRequests: 1, r2ClassB: 0 });
    expect(await tallies()).toEqual({ operations: {}, objects: {} });
  });

  it("POST /recon/work zeroes the tally: 204", async ({ expect }) => {
    const container = await freshContainer();
    await text(await swift("GET", container));
    const response = await recon("POST");
    await text(response);
    expect(response.status).toBe(204);
    expect(await tallies()).toEqual({ operations: {}, objects: {} });
  });

  it("a user who is no reseller admin gets 403 Forbidden", async ({ expect }) => {
    const response = await recon("GET", "", "test:tester", "testing");
    await text(response);
    expect(response.status).toBe(403);
  });

  it("an anonymous request gets 401 Unauthorized", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/recon/work`);
    await text(response);
    expect(response.status).toBe(401);
  });
});
