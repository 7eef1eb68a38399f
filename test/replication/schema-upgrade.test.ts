/**
 * @module
 * Replicas whose storage a first version of the schema wrote upgrade to the current one when they
 * wake: every migration after the first runs over the old rows (their backfills reading columns
 * later migrations add with those migrations' defaults), and the upgraded replica's partition hash
 * is the one a replica written since holds for the same rows.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { ACCOUNT_MIGRATIONS } from "../../src/durable/schema/account";
import { CONTAINER_MIGRATIONS } from "../../src/durable/schema/container";
import type { Migration } from "../../src/durable/schema/migrate";
import { OBJECT_MIGRATIONS } from "../../src/durable/schema/object";
import { loadRings } from "../../src/ring/load";
import { swift, text, unique } from "../helpers";

const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

/** A replica stub, as the test helpers of cloudflare:test take one. */
type Stub = Parameters<typeof evictDurableObject>[0];

/**
 * Rewrites a replica's storage as the first migration left it: only that migration's tables,
 * holding the rows `tables` held, in the columns that migration gave them.
 */
async function toFirstSchema(replica: Stub, migrations: readonly Migration[], tables: readonly string[]) {
  await runInDurableObject(replica, (_instance, state) => {
    const sql = state.storage.sql;
    const rows = tables.map(
      (table) => [table, sql.exec<Record<string, SqlStorageValue>>(`SELECT * FROM ${table}`).toArray()] as const,
    );
    const stored = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray();
    for (const { name } of stored) sql.exec(`DROP TABLE ${name}`);
    sql.exec("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    sql.exec(migrations[0]?.sql ?? "");
    sql.exec("INSERT INTO schema_migrations (id, applied_at) VALUES (1, 0)");
    for (const [table, tableRows] of rows) {
      const columns = sql
        .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
        .toArray()
        .map((column) => column.name);
      for (const row of tableRows) {
        sql.exec(
          `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
          ...columns.map((column) => row[column] ?? null),
        );
      }
    }
  });
  await evictDurableObject(replica);
}

/** The partition hash and row count a replica holds. */
async function hashOf(replica: { partitionHash(): Promise<{ value?: { hash: string; rows: number } }> }) {
  const { hash, rows } = (await replica.partitionHash()).value ?? {};
  return { hash, rows };
}

describe("replicas upgraded from the first schema", () => {
  const account = "AUTH_test";
  const container = unique("schema1");
  const zones = (ring: "account" | "container" | "object", partition: number) =>
    ["z1", "z2"].map((zone) => `${ring}/${partition}/${zone}`);

  it("a container and its object written, then the replicas holding them stored as the first schema", async ({
    expect,
  }) => {
    expect(await text(await swift("PUT", `/${account}/${container}`))).toBe("");
    const put = await swift("PUT", `/${account}/${container}/o`, { body: "hello" });
    expect(put.status).toBe(201);
  });

  it("an account replica upgrades its account and container rows and agrees with one written since", async ({
    expect,
  }) => {
    const [old, fresh] = zones("account", rings.account.partitionFor(account)).map((name) =>
      env.ACCOUNT_REPLICA.getByName(name),
    );
    if (!old || !fresh) throw new Error("no replicas");
    const written = await hashOf(fresh);
    await toFirstSchema(old, ACCOUNT_MIGRATIONS, ["account", "container"]);
    expect(await hashOf(old)).toEqual(written);
  });

  it("a container replica upgrades its container and listing rows and agrees with one written since", async ({
    expect,
  }) => {
    const [old, fresh] = zones("container", rings.container.partitionFor(account, container)).map((name) =>
      env.CONTAINER_REPLICA.getByName(name),
    );
    if (!old || !fresh) throw new Error("no replicas");
    const written = await hashOf(fresh);
    await toFirstSchema(old, CONTAINER_MIGRATIONS, ["container", "object"]);
    expect(await hashOf(old)).toEqual(written);
  });

  it("an object replica upgrades its object rows and agrees with one written since", async ({ expect }) => {
    const [old, fresh] = zones("object", rings.object.partitionFor(account, container, "o")).map((name) =>
      env.OBJECT_REPLICA.getByName(name),
    );
    if (!old || !fresh) throw new Error("no replicas");
    const written = await hashOf(fresh);
    await toFirstSchema(old, OBJECT_MIGRATIONS, ["object"]);
    expect(await hashOf(old)).toEqual(written);
  });
});
