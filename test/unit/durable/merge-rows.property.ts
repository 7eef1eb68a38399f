/**
 * @module
 * Rows for the merge property tests (pure and over RPC): a write history, as the proxy makes it
 * (one timestamp is one write: a PUT, a POST, a POST that also sets the content type, or a
 * DELETE), and rows replicas could hold after some of it reached them.
 */
import fc from "fast-check";
import { objectTombstone, type ObjectRow } from "../../../src/durable/rows";

// ---- a write history and the rows replicas could hold after it ----

export type Kind = "put" | "post" | "postType" | "delete";
export interface Write {
  name: string;
  stamp: string;
  kind: Kind;
}

/** Swift's internal timestamp form; the offset form sorts after the plain one, as it must. */
export function stamp(second: number, offset: number): string {
  const base = `${1_900_000_000 + second}.${String((second * 7) % 100000).padStart(5, "0")}`;
  return offset ? `${base}_${offset.toString(16).padStart(16, "0")}` : base;
}

/**
 * A history of writes to `names`, in time order: distinct timestamps per name, except that a
 * DELETE may share its timestamp with another write (two proxies can stamp alike; the tombstone
 * wins the tie).
 */
export function writesArbFor(names: readonly string[]): fc.Arbitrary<Write[]> {
  return fc
    .uniqueArray(
      fc.record({
        name: fc.constantFrom(...names),
        second: fc.integer({ min: 0, max: 20 }),
        offset: fc.constantFrom(0, 0, 0, 1, 2),
        kind: fc.constantFrom<Kind>("put", "put", "post", "postType", "delete"),
      }),
      {
        selector: (w) => `${w.name}\u0000${stamp(w.second, w.offset)}\u0000${w.kind === "delete" ? "d" : "x"}`,
        minLength: 2,
        maxLength: 24,
      },
    )
    .map((writes): Write[] =>
      writes
        .map((w) => ({ name: w.name, stamp: stamp(w.second, w.offset), kind: w.kind }))
        .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0)),
    );
}

/** Which writes a row is made of: its data (PUT or DELETE), its newest metadata, its content type. */
const pickArb = fc.record({ data: fc.nat(), meta: fc.nat(), type: fc.nat() });
type Pick = { data: number; meta: number; type: number };

/**
 * What a write at `stamp` wrote: a function of the timestamp, as one timestamp is one request. A
 * PUT's data carries what describes it (system metadata, X-Static-Large-Object on some, its
 * content type's swift_bytes); a POST, made on whatever data a replica held, keeps that data's
 * (object-replica.ts postObject), so its row's metadata and content type depend on both.
 */
export const content = {
  size: (s: string) => Number(s.slice(8, 10)) * 3,
  etag: (s: string) => `etag-${s}`,
  dataParams: (data: string) => `;swift_bytes=${content.size(data)}`,
  putType: (s: string) => `put/${s}${content.dataParams(s)}`,
  postType: (s: string, data: string) => `post/${s}${content.dataParams(data)}`,
  dataMeta: (data: string): Record<string, string> => ({
    "x-object-sysmeta-data": data,
    ...(Number(data.slice(9, 10)) % 2 ? { "x-static-large-object": "True" } : {}),
  }),
  putUserMeta: (s: string) => ({ "x-object-meta-from": `put ${s}` }),
  postUserMeta: (s: string) => ({ "x-object-meta-from": `post ${s}`, "x-object-meta-n": s.slice(-3) }),
  putMeta: (s: string) => ({ ...content.putUserMeta(s), ...content.dataMeta(s) }),
  postMeta: (s: string, data: string) => ({ ...content.postUserMeta(s), ...content.dataMeta(data) }),
  deleteAt: (s: string) => (Number(s.slice(9, 10)) % 3 === 0 ? 2_000_000_000 + Number(s.slice(8, 10)) : null),
};

/** One row a replica could hold for `name` after some of `writes` reached it. */
export function objectRowOf(writes: readonly Write[], name: string, pick: Pick): ObjectRow | null {
  const mine = writes.filter((w) => w.name === name);
  const datas = mine.filter((w) => w.kind === "put" || w.kind === "delete");
  const data = datas[pick.data % Math.max(1, datas.length)];
  if (!data) return null;
  if (data.kind === "delete") return objectTombstone(name, data.stamp);
  const metas = [data, ...mine.filter((w) => (w.kind === "post" || w.kind === "postType") && w.stamp > data.stamp)];
  const meta = metas[pick.meta % metas.length] ?? data;
  const types = [data, ...mine.filter((w) => w.kind === "postType" && w.stamp > data.stamp && w.stamp <= meta.stamp)];
  const type = types[pick.type % types.length] ?? data;
  return {
    name,
    createdAt: data.stamp,
    deleted: 0,
    size: content.size(data.stamp),
    etag: content.etag(data.stamp),
    contentType: type === data ? content.putType(data.stamp) : content.postType(type.stamp, data.stamp),
    contentTypeTimestamp: type.stamp,
    metaTimestamp: meta.stamp,
    metadata: meta === data ? content.putMeta(data.stamp) : content.postMeta(meta.stamp, data.stamp),
    bodyKey: `body/${name}/${data.stamp}`,
    deleteAt: content.deleteAt(meta.stamp),
  };
}

/** A history and rows drawn from it (several per name, some the same). */
export function objectRowsArbFor(names: readonly string[], maxRows = 24): fc.Arbitrary<ObjectRow[]> {
  return writesArbFor(names).chain((writes) =>
    fc
      .array(fc.tuple(fc.constantFrom(...names), pickArb), { minLength: 1, maxLength: maxRows })
      .map((picks) =>
        picks.map(([name, pick]) => objectRowOf(writes, name, pick)).filter((row): row is ObjectRow => row !== null),
      ),
  );
}

/**
 * A POST newer than a tombstone newer than its data: PUT at t1 with a POST at t4 (one replica
 * holds both), DELETE at t2, PUT at t3 (another replica missed the POST). Swift keeps the t4 .meta
 * beside the t2 .ts and applies it to the t3 data in any order of replication. `bodies` gives the
 * two PUTs body keys (the pure merge reports them as garbage; replicas given rows hold none).
 */
export function postAcrossTombstone(
  name: string,
  bodies: boolean,
): { posted: ObjectRow; tombstone: ObjectRow; newer: ObjectRow } {
  const t = (n: number) => stamp(n, 0);
  const posted: ObjectRow = {
    name,
    createdAt: t(1),
    deleted: 0,
    size: 1,
    etag: "e1",
    contentType: "post/t4",
    contentTypeTimestamp: t(4),
    metaTimestamp: t(4),
    metadata: { "x-object-meta-from": "post t4" },
    bodyKey: bodies ? "k1" : null,
    deleteAt: null,
  };
  const newer: ObjectRow = {
    ...posted,
    createdAt: t(3),
    etag: "e3",
    bodyKey: bodies ? "k3" : null,
    contentType: "put/t3",
    contentTypeTimestamp: t(3),
    metaTimestamp: t(3),
    metadata: { "x-object-meta-from": "put t3" },
  };
  return { posted, tombstone: objectTombstone(name, t(2)), newer };
}
