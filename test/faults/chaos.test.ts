/**
 * Chaos, seeded: writes of every kind under random zone outages (one or two zones down, changing
 * between writes). Every write acknowledged with 2xx must be held by replicas in at least two
 * distinct zones when the client hears of it; once every zone is back and the replicas' own alarms
 * ran (no cron sweep), every acknowledged write reads back, unless a later write (acknowledged or
 * not: a 503 may still have landed) replaced it. Same seed, same writes and outages.
 */

import { describe, it } from "vitest";
import { swift, text } from "../helpers";
import {
  ZONES,
  accountReplica,
  containerReplica,
  objectReplica,
  rings,
  runAlarmsUntilInSync,
  setDown,
  zonesHolding,
} from "./fault-helpers";
import type { RingName } from "../../src/ring/types";
import { seededRandom } from "../../src/ring/zone-targets";
import { md5Hex } from "../../src/common/digest";

const SEEDS = [11, 2024];
const WRITES = 100;
/** The account of the seed being run (one account per seed, so runs do not see each other's writes). */
let ACCOUNT = "";
const ADMIN: [string, string] = ["admin:admin", "admin"];
/** Containers that hold objects (never deleted), and containers written as containers only (never hold objects). */
const OBJECT_CONTAINERS = ["chaos-o0", "chaos-o1"];
const OBJECT_NAMES = ["a", "b", "c"];
const BARE_CONTAINERS = ["chaos-d0", "chaos-d1", "chaos-d2"];
const STEP = "x-object-meta-step";
const CONTAINER_STEP = "x-container-meta-step";
const ACCOUNT_STEP = "x-account-meta-step";

type Op =
  | "PUT object"
  | "POST object"
  | "DELETE object"
  | "PUT container"
  | "POST container"
  | "DELETE container"
  | "POST account";
const OPS: Op[] = [
  "PUT object",
  "PUT object",
  "POST object",
  "DELETE object",
  "PUT container",
  "POST container",
  "DELETE container",
  "POST account",
];

interface Write {
  step: number;
  op: Op;
  /** `container/object`, `container` or "" (the account). */
  key: string;
  down: string[];
  status: number;
  acked: boolean;
}

const bodyOf = (step: number) => `written at step ${step}`;

/** The newest timestamp any slot of an object's partition holds for it (row or tombstone). */
async function newestObjectStamp(container: string, object: string): Promise<string> {
  const partition = rings.object.partitionFor(ACCOUNT, container, object);
  let newest = "";
  for (const zone of ZONES) {
    for (const slot of [zone, `${zone}/handoff`]) {
      const reply = await objectReplica(partition, slot).getObject(`${ACCOUNT}/${container}/${object}`);
      const stamp = reply.value ? [reply.value.createdAt, reply.value.metaTimestamp].sort().at(-1) : reply.timestamp;
      if (stamp && stamp > newest) newest = stamp;
    }
  }
  return newest;
}

async function newestContainerStamp(container: string): Promise<string> {
  const partition = rings.container.partitionFor(ACCOUNT, container);
  let newest = "";
  for (const zone of ZONES) {
    for (const slot of [zone, `${zone}/handoff`]) {
      const reply = await containerReplica(partition, slot).headContainer(ACCOUNT, container);
      const stamp = reply.value
        ? [reply.value.putTimestamp, reply.value.deleteTimestamp].sort().at(-1)
        : reply.timestamp;
      if (stamp && stamp > newest) newest = stamp;
    }
  }
  return newest;
}

/**
 * The distinct zones whose replicas (primary or handoff slot) hold the write, read straight from them, past the
 * fault gate.
 */
async function zonesHoldingWrite(write: Write, before: string): Promise<string[]> {
  const [container = "", object = ""] = write.key.split("/");
  if (write.op.endsWith("object")) {
    const partition = rings.object.partitionFor(ACCOUNT, container, object);
    const etag = await md5Hex(bodyOf(write.step));
    return zonesHolding(async (slot) => {
      const reply = await objectReplica(partition, slot).getObject(`${ACCOUNT}/${container}/${object}`);
      if (write.op === "PUT object") return reply.value?.etag === etag;
      if (write.op === "POST object") return reply.value?.metadata[STEP] === String(write.step);
      return reply.status === 404 && (reply.timestamp ?? "") > before;
    });
  }
  if (write.op.endsWith("container")) {
    const partition = rings.container.partitionFor(ACCOUNT, container);
    return zonesHolding(async (slot) => {
      const reply = await containerReplica(partition, slot).headContainer(ACCOUNT, container);
      if (write.op === "DELETE container") return reply.status === 404 && (reply.timestamp ?? "") > before;
      return reply.value?.metadata[CONTAINER_STEP]?.value === String(write.step);
    });
  }
  const partition = rings.account.partitionFor(ACCOUNT);
  return zonesHolding(
    async (slot) =>
      (await accountReplica(partition, slot).headAccount(ACCOUNT)).value?.metadata[ACCOUNT_STEP]?.value ===
      String(write.step),
  );
}

async function send(write: Write): Promise<number> {
  const headers: Record<string, string> = {};
  const method = write.op.split(" ")[0] ?? "";
  let body: string | null = null;
  if (write.op === "PUT object") body = bodyOf(write.step);
  if (write.op === "POST object") headers["X-Object-Meta-Step"] = String(write.step);
  if (write.op === "PUT container" || write.op === "POST container")
    headers["X-Container-Meta-Step"] = String(write.step);
  if (write.op === "POST account") headers["X-Account-Meta-Step"] = String(write.step);
  const response = await swift(method, `/${ACCOUNT}${write.key ? `/${write.key}` : ""}`, {
    user: ADMIN,
    headers,
    body,
  });
  await text(response);
  return response.status;
}

/**
 * What a read shows of a key at the end: an object's body step and metadata step, a container's or the account's
 * metadata step.
 */
interface Seen {
  exists: boolean;
  data: number | null;
  meta: number | null;
}

async function read(key: string, newest: boolean): Promise<Seen> {
  const headers: Record<string, string> = newest ? { "X-Newest": "true" } : {};
  const [container = "", object] = key.split("/");
  if (object !== undefined) {
    const response = await swift("GET", `/${ACCOUNT}/${key}`, { user: ADMIN, headers });
    const body = await text(response);
    if (response.status === 404) return { exists: false, data: null, meta: null };
    if (response.status !== 200) throw new Error(`GET ${key}: ${response.status}`);
    const meta = response.headers.get(STEP);
    return {
      exists: true,
      data: Number(body.replace("written at step ", "")),
      meta: meta === null ? null : Number(meta),
    };
  }
  const response = await swift("HEAD", `/${ACCOUNT}${container ? `/${container}` : ""}`, { user: ADMIN, headers });
  await text(response);
  if (response.status === 404) return { exists: false, data: null, meta: null };
  if (response.status !== 204) throw new Error(`HEAD ${key}: ${response.status}`);
  const meta = response.headers.get(container ? CONTAINER_STEP : ACCOUNT_STEP);
  return { exists: true, data: null, meta: meta === null || meta === "" ? null : Number(meta) };
}

/**
 * Whether what a key shows at the end is allowed by its history: the effect of its last
 * acknowledged write, or of any write attempted after it (a 503 may have landed somewhere and
 * spread by repair). An object's data (PUT, DELETE) and metadata (POST) are checked apart, as
 * they merge apart; a container's and the account's PUT, POST and DELETE each write its state.
 */
function allowed(history: readonly Write[], seen: Seen): string | null {
  const acked = (w: Write) => w.acked;
  const lastIndex = (writes: readonly Write[], test: (w: Write) => boolean) =>
    writes.reduce((found, w, i) => (test(w) ? i : found), -1);
  const told = (w: Write) => `${w.step}:${w.op}${w.acked ? "✓" : `(${w.status})`}`;
  const story = () => `${JSON.stringify(seen)} after ${history.map(told).join(" ")}`;
  const [first] = history;
  if (!first) return null;
  if (first.op.endsWith("object")) {
    const dataWrites = history.filter((w) => w.op !== "POST object");
    const from = lastIndex(dataWrites, acked);
    const candidates = (from < 0 ? [null, ...dataWrites] : dataWrites.slice(from)).map((w) =>
      w === null || w.op === "DELETE object" ? null : w.step,
    );
    const data = seen.exists ? seen.data : null;
    if (!candidates.includes(data)) return `object data ${story()}`;
    if (data === null) return null;
    // Metadata of a POST after that data: the last acknowledged one, or one attempted after it.
    const posts = history.filter((w) => w.op === "POST object" && w.step > data);
    const fromPost = lastIndex(posts, acked);
    const metas = (fromPost < 0 ? [null, ...posts] : posts.slice(fromPost)).map((w) => (w === null ? null : w.step));
    return metas.includes(seen.meta) ? null : `object metadata ${story()}`;
  }
  const from = lastIndex(history, acked);
  // The account exists from the start (created with every zone up); the bare containers do not.
  const initial: Seen = { exists: first.key === "", data: null, meta: null };
  const effects = (from < 0 ? [null, ...history] : history.slice(from)).map((w): Seen => {
    if (w === null) return initial;
    if (w.op === "DELETE container") return { exists: false, data: null, meta: null };
    return { exists: true, data: null, meta: w.step };
  });
  return effects.some((effect) => effect.exists === seen.exists && (!seen.exists || effect.meta === seen.meta))
    ? null
    : `state ${story()}`;
}

describe("chaos: random zone outages between writes", () => {
  for (const seed of SEEDS)
    it(`with seed ${seed}, every acknowledged write is held by two zones when acknowledged ` +
      "and reads back once the zones return and the replicas repair themselves", {
      timeout: 30_000,
    }, async ({ expect }) => {
      ACCOUNT = `AUTH_chaos${seed}`;
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      await setDown([]);
      const created = await swift("PUT", `/${ACCOUNT}`, { user: ADMIN });
      await text(created);
      expect(created.status).toBeLessThan(300);
      for (const container of OBJECT_CONTAINERS) {
        const put = await swift("PUT", `/${ACCOUNT}/${container}`, { user: ADMIN });
        await text(put);
        expect(put.status).toBe(201);
      }

      const writes: Write[] = [];
      for (let step = 1; step <= WRITES; step++) {
        const one = pick(ZONES);
        const down = random() < 0.5 ? [one] : ZONES.filter((zone) => zone !== one);
        const op = pick(OPS);
        const key = op.endsWith("object")
          ? `${pick(OBJECT_CONTAINERS)}/${pick(OBJECT_NAMES)}`
          : op.endsWith("container")
            ? pick(BARE_CONTAINERS)
            : "";
        const write: Write = { step, op, key, down: down.sort(), status: 0, acked: false };
        await setDown(write.down);
        const [container = "", object = ""] = key.split("/");
        const before = op.endsWith("object")
          ? await newestObjectStamp(container, object)
          : op.endsWith("container")
            ? await newestContainerStamp(container)
            : "";
        write.status = await send(write);
        write.acked = write.status >= 200 && write.status < 300;
        writes.push(write);
        expect([201, 202, 204, 404, 409, 503], `step ${step} ${op} ${key} with ${down.join(",")} down`).toContain(
          write.status,
        );
        if (write.acked) {
          const zones = await zonesHoldingWrite(write, before);
          expect(
            zones.length,
            `step ${step} ${op} ${key} answered ${write.status} with ${down.join(",")} down, ` +
              `held in ${zones.join(",") || "no zone"}`,
          ).toBeGreaterThanOrEqual(2);
        }
      }
      const ackedCount = writes.filter((w) => w.acked).length;
      // The outages were real: some writes were refused, and many were acknowledged.
      expect(ackedCount).toBeGreaterThan(WRITES / 6);
      expect(writes.some((w) => w.status === 503)).toBe(true);

      await setDown([]);
      const partitions: { ring: RingName; partition: number }[] = [
        { ring: "account", partition: rings.account.partitionFor(ACCOUNT) },
        ...[...OBJECT_CONTAINERS, ...BARE_CONTAINERS].map((container) => ({
          ring: "container" as const,
          partition: rings.container.partitionFor(ACCOUNT, container),
        })),
        ...OBJECT_CONTAINERS.flatMap((container) =>
          OBJECT_NAMES.map((name) => ({
            ring: "object" as const,
            partition: rings.object.partitionFor(ACCOUNT, container, name),
          })),
        ),
      ];
      await runAlarmsUntilInSync(partitions);

      const keys = [...new Set(writes.map((w) => w.key))];
      for (const key of keys) {
        const history = writes.filter((w) => w.key === key);
        for (const newest of [false, true]) {
          const seen = await read(key, newest);
          expect(allowed(history, seen), `${key || ACCOUNT}${newest ? " (X-Newest)" : ""}`).toBeNull();
        }
      }
    });
});
