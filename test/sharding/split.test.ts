/**
 * Container sharding (CONTAINER_SHARD_ROWS 10): a container past 10 objects splits into shards
 * of 5, placed on their own container replicas; listings with every parameter, in every format,
 * through Swift and S3, are byte for byte what the container listed before it split; HEAD's
 * counts are the shards'; writes after the split go to the shards.
 */

import { describe, expect, it } from "vitest";
import { s3Sent } from "../integration/s3/helpers";
import { containerReplica, rings, setDown, ZONES } from "../faults/fault-helpers";
import { exports } from "cloudflare:workers";
import { BASE, dashboardData, send, swift, text, tokenFor, unique } from "../helpers";
import {
  ACCOUNT,
  SHARDS,
  alarmsOf,
  heldBy,
  type ListedRange,
  leaderOf,
  repairRoot,
  rootPartition,
  shardPartition,
  shardRanges,
  shardUntilSettled,
} from "./helpers";

/** 24 names: pseudo-directories, a name that is its own directory, names past U+FFFF, a space. */
const NAMES = [
  "a",
  "a/",
  "a/1",
  "a/2",
  "a/b/1",
  "a/b/2",
  "a/c",
  "b",
  "b/1",
  "b/2",
  "b/3",
  "c d",
  "c/x",
  "d",
  "e/1",
  "e/2",
  "f",
  "g/h/i",
  "é",
  "é/1",
  "\u{1F600}",
  "\u{1F600}/1",
  "\uE000",
  "z",
];

/** Query strings a listing is compared under: every parameter, alone and together, each format. */
const QUERIES = [
  "",
  "format=json",
  "format=xml",
  "limit=3",
  "limit=7&format=json",
  "marker=a/2",
  "marker=b&limit=4",
  "end_marker=e",
  "marker=a&end_marker=f&format=json",
  "prefix=a/",
  "prefix=a/&delimiter=/",
  "delimiter=/",
  "delimiter=/&format=json",
  "delimiter=/&limit=4",
  "delimiter=/&marker=a/",
  "delimiter=/&marker=a/b/",
  "reverse=on",
  "reverse=on&limit=5",
  "reverse=on&delimiter=/",
  "reverse=on&marker=e&end_marker=a/2",
  "reverse=on&delimiter=/&prefix=a/",
  "path=a",
  "path=",
  "path=a&reverse=on",
  "prefix=%C3%A9",
  "delimiter=%2F&prefix=%F0%9F%98%80",
  "marker=%EE%80%80",
  "end_marker=%F0%9F%98%80",
];

const S3_QUERIES = [
  "",
  "list-type=2",
  "list-type=2&max-keys=4",
  "list-type=2&delimiter=/",
  "list-type=2&prefix=a/&delimiter=/",
  "list-type=2&start-after=b",
  "max-keys=3&marker=a/b/2",
  "delimiter=/&max-keys=2",
];

async function listing(container: string, query: string): Promise<string> {
  const response = await swift("GET", `/${ACCOUNT}/${encodeURIComponent(container)}?${query}`);
  const body = await text(response);
  // The listing's own headers, without the ones that differ between any two responses.
  const headers = ["content-type", "x-container-object-count", "x-container-bytes-used"].map(
    (name) => `${name}: ${response.headers.get(name)}`,
  );
  return `${response.status}\n${headers.join("\n")}\n${body}`;
}

async function s3Listing(bucket: string, query: string): Promise<string> {
  const sent = await s3Sent("GET", `/${bucket}?${query}`);
  return `${sent.status}\n${sent.body}`;
}

/** Every listing of the container (Swift and S3), keyed by its query. */
async function listings(container: string): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const query of QUERIES) seen[query] = await listing(container, query);
  for (const query of S3_QUERIES) seen[`s3 ${query}`] = await s3Listing(container, query);
  return seen;
}

describe("container sharding", () => {
  it("a container past CONTAINER_SHARD_ROWS splits into shards, and lists as it did before, with every parameter, in every format, through Swift and S3", async () => {
    const container = unique("shard").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    // The leader's zone down: the container fills past the threshold without splitting, and its
    // listings are taken as they are unsharded (read from the other two zones).
    let before: Record<string, string> = {};
    await setDown([leaderOf(container)]);
    try {
      for (const name of NAMES) {
        const put = await send("PUT", `/${ACCOUNT}/${container}/${encodeURIComponent(name)}`, {
          body: `body of ${name}`,
        });
        expect(put.status, name).toBe(201);
      }
      expect((await shardRanges(container)).state).toBe("unsharded");
      before = await listings(container);
    } finally {
      await setDown([]);
    }
    await repairRoot(container);
    const ranges = await shardUntilSettled(container, NAMES.length);
    expect(ranges.length).toBeGreaterThanOrEqual(2);
    expect(ranges.every((range) => range.state === "active")).toBe(true);
    expect(ranges[0]?.lower).toBe("");
    expect(ranges[ranges.length - 1]?.upper).toBe("");
    const after = await listings(container);
    for (const query of Object.keys(before)) expect(after[query], query).toBe(before[query]);
  });

  it("after the split, PUT, POST and DELETE reach the shard that owns the name: listings and HEAD's counts follow", async () => {
    const container = unique("shardw").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    const names = Array.from({ length: 12 }, (_, index) => `o${String(index).padStart(2, "0")}`);
    for (const name of names)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "12345" })).status).toBe(201);
    await shardUntilSettled(container, names.length);
    // New names at both ends and between, an overwrite, a delete and a content-type change.
    for (const name of ["a-first", "o05x", "z-last"])
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: "123" })).status).toBe(201);
    expect((await send("PUT", `/${ACCOUNT}/${container}/o00`, { body: "1234567890" })).status).toBe(201);
    expect((await send("DELETE", `/${ACCOUNT}/${container}/o11`)).status).toBe(204);
    const post = await send("POST", `/${ACCOUNT}/${container}/o06`, { headers: { "Content-Type": "text/x-new" } });
    expect(post.status).toBe(202);
    const expected = ["a-first", ...names.slice(0, 6), "o05x", ...names.slice(6, 11), "z-last"];
    const listed = JSON.parse((await send("GET", `/${ACCOUNT}/${container}?format=json`)).body) as {
      name: string;
      bytes: number;
      content_type: string;
    }[];
    expect(listed.map((item) => item.name)).toEqual(expected);
    expect(listed.find((item) => item.name === "o00")?.bytes).toBe(10);
    expect(listed.find((item) => item.name === "o06")?.content_type).toBe("text/x-new");
    // The shards report their counts to the root; HEAD shows their sum.
    await shardUntilSettled(container, expected.length);
    const head = await send("HEAD", `/${ACCOUNT}/${container}`);
    expect(head.headers.get("x-container-object-count")).toBe(String(expected.length));
    expect(head.headers.get("x-container-bytes-used")).toBe(String(3 * 3 + 10 + 5 * 10));
  });

  it("the owner lists the shard ranges (X-Backend-Record-Type: shard); anyone else's header is ignored, and the shards' account is no user's", async () => {
    const container = unique("shardr").toLowerCase();
    expect(
      (await send("PUT", `/${ACCOUNT}/${container}`, { headers: { "X-Container-Read": "test:tester3" } })).status,
    ).toBe(201);
    expect((await shardRanges(container)).state).toBe("unsharded");
    expect((await shardRanges(container)).ranges).toEqual([]);
    for (let index = 0; index < 11; index++)
      expect((await send("PUT", `/${ACCOUNT}/${container}/o${index}`, { body: "x" })).status).toBe(201);
    const ranges = await shardUntilSettled(container, 11);
    expect(
      ranges.map((range) => [range.lower, range.upper, range.state, range.object_count, range.bytes_used]),
    ).toEqual([
      ["", "o3", "active", 5, 5],
      ["o3", "", "active", 6, 6],
    ]);
    expect(ranges.every((range) => range.name.startsWith(`.shards_${ACCOUNT}/${container}-`))).toBe(true);
    // Recon, the metrics and the dashboard's figures list it (its leader told the control record).
    const admin: [string, string] = ["admin:admin", "admin"];
    const recon = await exports.default.fetch(`${BASE}/recon/sharding`, {
      headers: { "X-Auth-Token": await tokenFor(...admin) },
    });
    const sharding = (await recon.json()) as {
      sharded: number;
      containers: { container: string; state: string; shards: number; foundAt: number; changedAt: number }[];
    };
    expect(sharding.sharded).toBeGreaterThanOrEqual(1);
    expect(sharding.containers).toContainEqual(
      expect.objectContaining({ container: `${ACCOUNT}/${container}`, state: "sharded", shards: 2, objects: 11 }),
    );
    const entry = sharding.containers.find((listed) => listed.container === `${ACCOUNT}/${container}`);
    expect(entry && entry.changedAt >= entry.foundAt).toBe(true);
    const metrics = await exports.default.fetch(`${BASE}/metrics`, {
      headers: { "X-Auth-Token": await tokenFor(...admin) },
    });
    expect(await metrics.text()).toMatch(/^edgeswift_sharded_containers [1-9]/m);
    expect((await dashboardData()).sharding.containers.map((entry) => entry.container)).toContain(
      `${ACCOUNT}/${container}`,
    );
    // A reader by ACL sends the header and gets the object listing.
    const reader = await send("GET", `/${ACCOUNT}/${container}`, {
      user: ["test:tester3", "testing3"],
      headers: { "X-Backend-Record-Type": "shard" },
    });
    expect(reader.status).toBe(200);
    expect(reader.headers.get("x-backend-record-type")).toBeNull();
    expect(reader.body.split("\n").filter(Boolean).length).toBe(11);
    // The shards' account and containers are reseller admin's alone.
    const shard = ranges[0]?.name ?? "";
    for (const path of [`/.shards_${ACCOUNT}`, `/${shard}`, `/${shard}/o0`])
      expect([401, 403], path).toContain((await send("GET", path)).status);
  });

  it("a sharded container with objects cannot be deleted (409); once they are deleted and the shards reported, it can, and its shards go with it", async () => {
    const container = unique("shardd").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    for (let index = 0; index < 11; index++)
      expect((await send("PUT", `/${ACCOUNT}/${container}/o${index}`, { body: "x" })).status).toBe(201);
    await shardUntilSettled(container, 11);
    expect((await send("DELETE", `/${ACCOUNT}/${container}`)).status).toBe(409);
    for (let index = 0; index < 11; index++)
      expect((await send("DELETE", `/${ACCOUNT}/${container}/o${index}`)).status).toBe(204);
    await shardUntilSettled(container, 0);
    expect((await send("GET", `/${ACCOUNT}/${container}`)).status).toBe(204);
    const { ranges } = await shardRanges(container);
    expect((await send("DELETE", `/${ACCOUNT}/${container}`)).status).toBe(204);
    expect((await send("HEAD", `/${ACCOUNT}/${container}`)).status).toBe(404);
    // Its shards go with it, and a container made again under its name starts unsharded.
    await alarmsOf([rootPartition(container), ...ranges.map(shardPartition)]);
    for (const range of ranges)
      for (const zone of ZONES) {
        const shard = range.name.slice(SHARDS.length + 1);
        const head = await containerReplica(shardPartition(range), zone).headContainer(SHARDS, shard);
        expect(head.status, `${range.name} in ${zone}`).toBe(404);
      }
    const recon = await exports.default.fetch(`${BASE}/recon/sharding`, {
      headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
    });
    const listed = ((await recon.json()) as { containers: { container: string }[] }).containers;
    expect(listed.map((entry) => entry.container)).not.toContain(`${ACCOUNT}/${container}`);
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    expect(await shardRanges(container)).toEqual({ state: "unsharded", ranges: [] });
    expect((await send("PUT", `/${ACCOUNT}/${container}/again`, { body: "x" })).status).toBe(201);
    expect((await send("GET", `/${ACCOUNT}/${container}`)).body).toBe("again\n");
  });

  it("a shard past CONTAINER_SHARD_ROWS splits again: its children take its place in the root, and the container lists as it did before, through Swift and S3", async () => {
    const container = unique("shard2").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    for (const name of NAMES.slice(0, 11))
      expect((await send("PUT", `/${ACCOUNT}/${container}/${encodeURIComponent(name)}`, { body: name })).status).toBe(
        201,
      );
    const first = await shardUntilSettled(container, 11);
    expect(first.map((range) => range.upper)).toEqual(["a/b/1", ""]);
    // The upper shard fills past the threshold with its leader's zone down: it cannot split yet,
    // and the listings are taken as they are with one split.
    const upper = first[1] as ListedRange;
    const upperName = upper.name.slice(SHARDS.length + 1);
    const upperLeader = rings.container.primaryZones(shardPartition(upper))[0]?.id ?? "";
    let before: Record<string, string> = {};
    await setDown([upperLeader]);
    try {
      for (const name of NAMES.slice(11))
        expect((await send("PUT", `/${ACCOUNT}/${container}/${encodeURIComponent(name)}`, { body: name })).status).toBe(
          201,
        );
      // The shards' counts reach the root (HEAD's), from the replicas that are up.
      for (let round = 0; round < 3; round++) await alarmsOf([rootPartition(container), ...first.map(shardPartition)]);
      before = await listings(container);
      expect(before[""]).toContain(`x-container-object-count: ${NAMES.length}\n`);
    } finally {
      await setDown([]);
    }
    for (const zone of ZONES) await containerReplica(shardPartition(upper), zone).repair();
    const ranges = await shardUntilSettled(container, NAMES.length);
    const states = ranges.map((range) => range.state);
    expect(states.filter((state) => state === "sharded")).toHaveLength(1);
    expect(states.filter((state) => state === "active").length).toBeGreaterThanOrEqual(3);
    expect(ranges.find((range) => range.state === "sharded")?.name).toBe(upper.name);
    // The children cover the upper shard's range and are the root's shards.
    const children = ranges.filter((range) => range.state === "active" && range.lower >= "a/b/1");
    expect(children[0]?.lower).toBe("a/b/1");
    expect(children[children.length - 1]?.upper).toBe("");
    expect(children.every((range) => range.name.startsWith(`${SHARDS}/${container}-`))).toBe(true);
    // The split shard moved every row to its children.
    const partition = shardPartition(upper);
    await alarmsOf([partition]);
    for (const zone of ZONES)
      expect(await heldBy(partition, `${SHARDS}/${upperName}`, zone)).toEqual({ rows: 0, queued: 0 });
    const after = await listings(container);
    for (const query of Object.keys(before)) expect(`${query}\n${after[query]}`).toBe(`${query}\n${before[query]}`);
    const head = await send("HEAD", `/${ACCOUNT}/${container}`);
    expect(head.headers.get("x-container-object-count")).toBe(String(NAMES.length));
    // Recon lists roots only: the shard that split again is in its root's ranges, not among them.
    const recon = await exports.default.fetch(`${BASE}/recon/sharding`, {
      headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
    });
    const listed = ((await recon.json()) as { containers: { container: string }[] }).containers;
    expect(listed.filter((entry) => entry.container.startsWith(".shards_"))).toEqual([]);
  });
});

describe("container sharding: shrinking", () => {
  it("a shard almost empty merges into its neighbour: the neighbour takes its range, its rows move, and the container lists as before", async () => {
    const container = unique("shrink").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`)).status).toBe(201);
    const all = Array.from({ length: 11 }, (_, index) => `o${String(index).padStart(3, "0")}`);
    for (const name of all)
      expect((await send("PUT", `/${ACCOUNT}/${container}/${name}`, { body: name })).status).toBe(201);
    const split = await shardUntilSettled(container, 11);
    expect(split.map((range) => [range.lower, range.upper])).toEqual([
      ["", "o004"],
      ["o004", ""],
    ]);
    // The lower shard keeps one object (at most 10% of the threshold): with the upper one's 6 it fits in 75%.
    for (const name of all.slice(0, 4))
      expect((await send("DELETE", `/${ACCOUNT}/${container}/${name}`)).status).toBe(204);
    const before: Record<string, string> = {};
    for (const query of ["format=json", "reverse=on", "marker=o004", "prefix=o00&delimiter=0"])
      before[query] = (await send("GET", `/${ACCOUNT}/${container}?${query}`)).body;
    const [donor, acceptor] = split as [ListedRange, ListedRange];
    let ranges: ListedRange[] = [];
    for (let round = 0; round < 40; round++) {
      ranges = (await shardRanges(container)).ranges;
      if (ranges.find((range) => range.name === donor.name)?.state === "shrunk") break;
      await alarmsOf([rootPartition(container), shardPartition(donor), shardPartition(acceptor)]);
      for (const query of Object.keys(before))
        expect((await send("GET", `/${ACCOUNT}/${container}?${query}`)).body, `${query} while shrinking`).toBe(
          before[query],
        );
    }
    expect(ranges.map((range) => [range.name, range.lower, range.upper, range.state])).toEqual([
      [donor.name, "", "o004", "shrunk"],
      [acceptor.name, "", "", "active"],
    ]);
    // The donor's replicas move what they hold to the acceptor; the container lists as before.
    await shardUntilSettled(container, 7);
    await alarmsOf([shardPartition(donor)]);
    for (const zone of ZONES)
      expect(await heldBy(shardPartition(donor), `${SHARDS}/${donor.name.slice(SHARDS.length + 1)}`, zone)).toEqual({
        rows: 0,
        queued: 0,
      });
    for (const query of Object.keys(before))
      expect((await send("GET", `/${ACCOUNT}/${container}?${query}`)).body, query).toBe(before[query]);
    // A write in the donor's old range lands in the acceptor.
    expect((await send("PUT", `/${ACCOUNT}/${container}/a-first`, { body: "x" })).status).toBe(201);
    await shardUntilSettled(container, 8);
    expect(
      JSON.parse((await send("GET", `/${ACCOUNT}/${container}?format=json`)).body).map(
        (item: { name: string }) => item.name,
      ),
    ).toEqual(["a-first", ...all.slice(4)]);
    expect((await send("HEAD", `/${ACCOUNT}/${container}`)).headers.get("x-container-object-count")).toBe("8");
  });
});

describe("container sharding: object versioning", () => {
  it("a versioned container whose hidden versions container split lists every version, newest first, and reads each back", async () => {
    const container = unique("shardv").toLowerCase();
    expect((await send("PUT", `/${ACCOUNT}/${container}`, { headers: { "X-Versions-Enabled": "true" } })).status).toBe(
      201,
    );
    const ids: string[] = [];
    for (let index = 0; index < 14; index++) {
      const put = await send("PUT", `/${ACCOUNT}/${container}/o`, { body: `v${index}` });
      expect(put.status).toBe(201);
      ids.push(put.headers.get("x-object-version-id") ?? "");
    }
    // The hidden versions container (\0versions\0<container>) passes the threshold and splits.
    const hidden = `\u0000versions\u0000${container}`;
    const partition = rings.container.partitionFor(ACCOUNT, hidden);
    let state = "";
    for (let round = 0; round < 20 && state !== "active"; round++) {
      await alarmsOf([partition]);
      const ranges = (await containerReplica(partition, leaderOf(hidden)).shardRanges(ACCOUNT, hidden)).value ?? [];
      state = ranges.length && ranges.every((range) => range.state === "active") ? "active" : "";
    }
    expect(state).toBe("active");
    const listed = JSON.parse((await send("GET", `/${ACCOUNT}/${container}?versions&format=json`)).body) as {
      version_id: string;
      is_latest: boolean;
    }[];
    expect(listed.map((item) => item.version_id)).toEqual([...ids].reverse());
    expect(listed[0]?.is_latest).toBe(true);
    for (const [index, id] of ids.entries())
      expect((await send("GET", `/${ACCOUNT}/${container}/o?version-id=${id}`)).body).toBe(`v${index}`);
  });
});

describe("container sharding: what a client cannot do", () => {
  it("a client's X-Container-Sysmeta-Shard-* headers (Swift or S3) are dropped: no container of theirs passes for a shard of another's", async () => {
    const container = unique("shardx").toLowerCase();
    const forged = {
      "X-Container-Sysmeta-Shard-Root": "AUTH_test2/victim",
      "X-Container-Sysmeta-Shard-Lower": "a",
      "X-Container-Sysmeta-Shard-Upper": "z",
    };
    expect((await send("PUT", `/${ACCOUNT}/${container}`, { headers: forged })).status).toBe(201);
    expect((await send("POST", `/${ACCOUNT}/${container}`, { headers: forged })).status).toBe(204);
    const bucket = unique("shardxs3").toLowerCase();
    expect((await s3Sent("PUT", `/${bucket}`, { headers: forged })).status).toBe(200);
    for (const name of [container, bucket]) {
      const partition = rings.container.partitionFor(ACCOUNT, name);
      for (const zone of ZONES) {
        const head = await containerReplica(partition, zone).headContainer(ACCOUNT, name);
        expect(
          Object.keys(head.value?.metadata ?? {}).filter((key) => key.includes("shard")),
          `${name} in ${zone}`,
        ).toEqual([]);
      }
    }
  });
});
