import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, it } from "vitest";
import { objectRow } from "../rows";

const stubs = (partition: number) =>
  ["z1", "z2", "z3"].map((zone) => env.OBJECT_REPLICA.getByName(`object/${partition}/${zone}`));

describe("auditor", () => {
  it(
    "finds a row whose stored hash drifted from its content, repairs the tree in place, " +
      "and the replica agrees with its peers again",
    async ({ expect }) => {
      const replicas = stubs(400);
      const rows = Array.from({ length: 30 }, (_, i) => objectRow(`AUTH_a/c/o${i}`, "1700000001.00000"));
      for (const stub of replicas) await stub.mergeRows(rows);
      const good = (await replicas[1]!.partitionHash()).value?.hash;
      // Corrupt one replica: a row's stored hash and its leaf's hash no longer match the rows.
      await runInDurableObject(replicas[0]!, (_instance, state) => {
        const leaf = state.storage.sql.exec<{ leaf: number }>("SELECT leaf FROM object LIMIT 1").one().leaf;
        state.storage.sql.exec("UPDATE object SET hash = '00000000000000000000000000000001' WHERE leaf = ?", leaf);
        state.storage.sql.exec("UPDATE hash_leaf SET hash = 'ffffffffffffffffffffffffffffffff' WHERE leaf = ?", leaf);
      });
      expect((await replicas[0]!.partitionHash()).value?.hash).not.toBe(good);
      const report = await replicas[0]!.audit(1000);
      expect(report.value?.drifted).toBeGreaterThan(0);
      // Row hash and leaf are right again (buckets and root are computed from the leaves): the replica agrees with its peers.
      expect((await replicas[0]!.partitionHash()).value?.hash).toBe(good);
      expect((await replicas[0]!.audit(1000)).value?.drifted).toBe(0);
    },
  );

  it("an audit of an in-sync replica finds nothing and changes nothing", async ({ expect }) => {
    const replicas = stubs(401);
    for (const stub of replicas) await stub.mergeRows([objectRow("AUTH_a/c/x", "1700000001.00000")]);
    const before = (await replicas[0]!.partitionHash()).value?.hash;
    expect((await replicas[0]!.audit(100)).value).toEqual({ leavesChecked: 1, drifted: 0 });
    expect((await replicas[0]!.partitionHash()).value?.hash).toBe(before);
  });
});
