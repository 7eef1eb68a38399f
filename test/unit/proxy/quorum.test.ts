import { describe, it } from "vitest";
import { fanOut, readFirst, readNewest, readOrder } from "../../../src/proxy/fan-out";
import { bestStatus, quorumSize } from "../../../src/proxy/quorum";
import type { ReplicaReply } from "../../../src/common/replies";

/** Replicas that answer in order, as Swift's mocked_http_conn(201, 201, 503) does. */
function scriptedReplicas(script: Record<string, ReplicaReply<string>>) {
  const zonesCalled: string[] = [];
  const call = async (zone: string): Promise<ReplicaReply<string>> => {
    zonesCalled.push(zone);
    return script[zone] ?? { status: 503 };
  };
  return { call, zonesCalled };
}

describe("quorum", () => {
  it("is (n + 1) // 2 of n", ({ expect }) => {
    expect([1, 2, 3, 4, 5].map(quorumSize)).toEqual([1, 1, 2, 2, 3]);
  });

  it("best status is the highest within the first class reaching quorum, else 503 (Swift best_response)", ({ expect }) => {
    expect(bestStatus([201, 201, 503])).toBe(201);
    expect(bestStatus([201, 503, 503])).toBe(503);
    expect(bestStatus([204, 404, 404])).toBe(404);
    expect(bestStatus([201, 202, 404])).toBe(202);
    expect(bestStatus([409, 409, 201])).toBe(409);
  });
});

describe("fanOut", () => {
  it("PUT with one primary unavailable returns quorum and covers it with the next handoff", async ({ expect }) => {
    const replicas = scriptedReplicas({ z1: { status: 201 }, z2: { status: 201 }, z3: { status: 503 }, z4: { status: 201 } });
    const replies = await fanOut(["z1", "z2", "z3"], ["z4", "z5"], replicas.call);
    expect(bestStatus(replies.map((r) => r.reply.status))).toBe(201);
    expect(replies.map((r) => r.zone)).toEqual(["z1", "z2", "z4"]);
    expect(replicas.zonesCalled).toEqual(["z1", "z2", "z3", "z4"]);
  });

  it("with two primaries and every handoff unavailable returns 503", async ({ expect }) => {
    const replicas = scriptedReplicas({ z1: { status: 201 } });
    const replies = await fanOut(["z1", "z2", "z3"], ["z4"], replicas.call);
    expect(bestStatus(replies.map((r) => r.reply.status))).toBe(503);
  });

  it("does not wait for a straggler past the post-quorum timeout", async ({ expect }) => {
    const call = (zone: string) =>
      zone === "z3" ? new Promise<ReplicaReply>(() => undefined) : Promise.resolve<ReplicaReply>({ status: 201 });
    const replies = await fanOut(["z1", "z2", "z3"], [], call, 10);
    expect(replies.map((r) => r.reply.status)).toEqual([201, 201, 503]);
  });
});

describe("reads", () => {
  it("readFirst stops at the first replica holding the row and reads on past 404s", async ({ expect }) => {
    const replicas = scriptedReplicas({ z1: { status: 404 }, z2: { status: 200, value: "row" }, z3: { status: 200, value: "other" } });
    const { found } = await readFirst(["z1", "z2", "z3"], replicas.call);
    expect(found?.zone).toBe("z2");
    expect(replicas.zonesCalled).toEqual(["z1", "z2"]);
  });

  it("readNewest asks every replica and keeps the newest timestamp (X-Newest)", async ({ expect }) => {
    const replicas = scriptedReplicas({ z1: { status: 200, timestamp: "1", value: "old" }, z2: { status: 200, timestamp: "3", value: "new" }, z3: { status: 404, timestamp: "2" } });
    const { found } = await readNewest(["z1", "z2", "z3"], replicas.call);
    expect(found?.reply.value).toBe("new");
  });

  it("readOrder shuffles the primaries and keeps handoffs last", ({ expect }) => {
    let seed = 0;
    const order = readOrder(["z1", "z2", "z3"], ["z4"], () => ((seed = (seed * 9301 + 49297) % 233280) / 233280));
    expect(order.slice(0, 3).sort()).toEqual(["z1", "z2", "z3"]);
    expect(order[3]).toBe("z4");
  });
});
