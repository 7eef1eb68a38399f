/**
 * @module
 * How the proxy reads replica replies: Swift's best_response per status class, counted over
 * zones for writes; which slots a write calls and who stands in for whom; X-Newest and
 * first-found reads; the read order. Swift: proxy/controllers/base.py best_response,
 * GetOrHeadHandler; obj.py _get_put_connections.
 */
import { describe, it } from "vitest";
import type { ReplicaReply, ReplicaStatus } from "../../../src/common/replies";
import { failureReply } from "../../../src/durable/client";
import { fanOut, readFirst, readNewest, readOrder, repairDuties, type ZoneReply } from "../../../src/proxy/fan-out";
import { quorumSize } from "../../../src/common/quorum";
import { bestStatus, hasQuorum, writeStatus, zonesAnswering } from "../../../src/proxy/quorum";

const replies = (...pairs: [string, number][]) => pairs.map(([zone, status]) => ({ zone, reply: { status } }));
const zoneReplies = (...pairs: [string, ReplicaStatus][]): ZoneReply<unknown>[] =>
  pairs.map(([zone, status]) => ({ zone, reply: { status } }));

describe("best_response", () => {
  it("3xx and 4xx classes reach a quorum as 2xx does, checked in the order 2xx, 3xx, 4xx", ({ expect }) => {
    expect(bestStatus([304, 304, 503])).toBe(304);
    expect(bestStatus([412, 404, 503])).toBe(412);
    expect(bestStatus([201, 201, 404, 404])).toBe(201);
    expect(bestStatus([299, 200, 300])).toBe(299);
    expect(bestStatus([399, 300, 400])).toBe(399);
    expect(bestStatus([499, 400, 500])).toBe(499);
    expect(bestStatus([500, 500, 500])).toBe(503);
    expect(bestStatus([199, 199, 199])).toBe(503);
  });

  it("a class runs from its hundred up to the next: 200 is a success, 300 is not", ({ expect }) => {
    expect(bestStatus([200, 200, 503])).toBe(200);
    expect(bestStatus([200, 300, 503])).toBe(503);
    expect(bestStatus([300, 400, 503])).toBe(503);
    expect(writeStatus(replies(["z1", 200], ["z2", 200], ["z3", 503]), 3)).toBe(200);
    expect(writeStatus(replies(["z1", 200], ["z2", 300], ["z3", 503]), 3)).toBe(503);
    expect(writeStatus(replies(["z1", 300], ["z2", 400], ["z3", 503]), 3)).toBe(503);
    expect(hasQuorum(replies(["z1", 200], ["z2", 200]), 3)).toBe(true);
    expect(hasQuorum(replies(["z1", 300], ["z2", 300]), 3)).toBe(false);
  });

  it("counts the quorum of the ring's replica count, not of the replies received", ({ expect }) => {
    expect(bestStatus([201], 3)).toBe(503);
    expect(bestStatus([201, 201], 3)).toBe(201);
    expect(bestStatus([201], 1)).toBe(201);
  });

  it("a write's status counts zones in every class; no class of a quorum of zones is 503", ({ expect }) => {
    expect(writeStatus(replies(["z1", 304], ["z2", 304], ["z3", 503]), 3)).toBe(304);
    expect(writeStatus(replies(["z1", 404], ["z2", 409], ["z3", 503]), 3)).toBe(409);
    expect(writeStatus(replies(["z1", 500], ["z2", 500], ["z3", 500]), 3)).toBe(503);
    expect(writeStatus(replies(["z1", 201], ["z1/handoff", 202], ["z2", 503]), 3)).toBe(503);
    expect(writeStatus(replies(["z1", 201], ["z2/handoff", 202], ["z3", 503]), 3)).toBe(202);
    expect(writeStatus(replies(["z1", 201]), 1)).toBe(201);
    expect(writeStatus(replies(["z1", 299], ["z2", 300]), 2)).toBe(299);
  });

  it("a quorum of 2xx zones is success; a quorum of 4xx zones is not", ({ expect }) => {
    expect(hasQuorum(replies(["z1", 201], ["z2", 204], ["z3", 503]), 3)).toBe(true);
    expect(hasQuorum(replies(["z1", 404], ["z2", 404], ["z3", 201]), 3)).toBe(false);
    expect(hasQuorum(replies(["z1", 300], ["z2", 300]), 2)).toBe(false);
    expect(hasQuorum(replies(["z1", 299]), 1)).toBe(true);
    expect(hasQuorum(replies(["z1", 199]), 1)).toBe(false);
  });

  it("zonesAnswering counts distinct zones whose status is accepted", ({ expect }) => {
    const all = replies(["z1", 201], ["z1/handoff", 201], ["z2", 404], ["z3/handoff", 201]);
    expect(zonesAnswering(all, (status) => status === 201)).toBe(2);
    expect(zonesAnswering(all, () => true)).toBe(3);
    expect(zonesAnswering([], () => true)).toBe(0);
    expect(quorumSize(0)).toBe(0);
  });
});

describe("fanOut: which slots a write calls", () => {
  it("a handoff is told the primary it stands in for; a primary stands for itself", async ({ expect }) => {
    const calls: [string, string | null][] = [];
    const call = async (zone: string, standingFor: string | null): Promise<ReplicaReply> => {
      calls.push([zone, standingFor]);
      return { status: zone === "z2" || zone === "z4" ? 503 : 201 };
    };
    const result = await fanOut(["z1", "z2", "z3"], ["z4", "z5"], call);
    expect(calls).toContainEqual(["z1", null]);
    expect(calls).toContainEqual(["z4", "z2"]);
    expect(calls).toContainEqual(["z5", "z2"]);
    expect(result.map((r) => [r.zone, r.reply.status])).toEqual([
      ["z1", 201],
      ["z5", 201],
      ["z3", 201],
    ]);
  });

  it("an overloaded primary is not covered by a handoff: its load is never moved onto another replica", async ({
    expect,
  }) => {
    const calls: string[] = [];
    const result = await fanOut(
      ["z1", "z2", "z3"],
      ["z1/handoff", "z2/handoff"],
      async (zone): Promise<ReplicaReply> => {
        calls.push(zone);
        return zone === "z2" ? { status: 503, overloaded: true } : { status: 201 };
      },
    );
    expect(calls.sort()).toEqual(["z1", "z2", "z3"]);
    expect(result[1]).toEqual({ zone: "z2", reply: { status: 503, overloaded: true } });
  });

  it("failureReply: a call the runtime refused as overloaded is a 503 marked overloaded; other failures a plain 503", ({
    expect,
  }) => {
    expect(failureReply(Object.assign(new Error("Durable Object is overloaded"), { overloaded: true }))).toEqual({
      status: 503,
      overloaded: true,
    });
    expect(failureReply(Object.assign(new Error("network"), { retryable: true }))).toEqual({ status: 503 });
    expect(failureReply(new Error("bug"))).toEqual({ status: 503 });
    expect(failureReply("text")).toEqual({ status: 503 });
  });

  it("a primary whose handoffs are all used up keeps its own 503", async ({ expect }) => {
    const result = await fanOut(["z1", "z2"], [], async (zone) => ({ status: zone === "z1" ? 503 : 201 }));
    expect(result).toEqual([
      { zone: "z1", reply: { status: 503 } },
      { zone: "z2", reply: { status: 201 } },
    ]);
  });

  it("a 4xx from a primary is its answer: no handoff is called for it", async ({ expect }) => {
    const zones: string[] = [];
    await fanOut(["z1", "z2", "z3"], ["z4"], async (zone) => {
      zones.push(zone);
      return { status: zone === "z1" ? 404 : 201 };
    });
    expect(zones.sort()).toEqual(["z1", "z2", "z3"]);
  });

  it("every reply is waited for when no quorum of successes comes", async ({ expect }) => {
    let release: () => void = () => undefined;
    const late = new Promise<void>((resolve) => {
      release = resolve;
    });
    setTimeout(release, 20);
    const result = await fanOut(
      ["z1", "z2", "z3"],
      [],
      async (zone) => {
        if (zone === "z3") {
          await late;
          return { status: 404 };
        }
        return { status: zone === "z1" ? 201 : 404 };
      },
      0,
    );
    expect(result.map((r) => r.reply.status)).toEqual([201, 404, 404]);
  });

  it("a replica that answers after the quorum but within the post-quorum timeout is counted as it answered", async ({
    expect,
  }) => {
    const result = await fanOut(
      ["z1", "z2", "z3"],
      [],
      async (zone) => {
        if (zone === "z3") await new Promise((resolve) => setTimeout(resolve, 20));
        return { status: 201 };
      },
      10_000,
    );
    expect(result).toEqual([
      { zone: "z1", reply: { status: 201 } },
      { zone: "z2", reply: { status: 201 } },
      { zone: "z3", reply: { status: 201 } },
    ]);
  });
});

describe("repair duties after a write", () => {
  it("a primary nobody answered for, with no primary answering, is owed by the handoffs", ({ expect }) => {
    const result = zoneReplies(["z4", 201], ["z5", 201], ["z3", 503]);
    expect(repairDuties(["z1", "z2", "z3"], result)).toEqual([
      { slot: "z4", owed: ["z3"] },
      { slot: "z5", owed: ["z3"] },
    ]);
  });

  it("a reply missing for a primary counts as unanswered", ({ expect }) => {
    expect(repairDuties(["z1", "z2", "z3"], zoneReplies(["z1", 201], ["z2", 201]))).toEqual([
      { slot: "z1", owed: [] },
      { slot: "z2", owed: [] },
    ]);
  });

  it("when every reply is 503 nobody can repair", ({ expect }) => {
    expect(repairDuties(["z1", "z2"], zoneReplies(["z1", 503], ["z2", 503]))).toEqual([]);
  });

  it("disagreeing primaries all repair, owing nothing more", ({ expect }) => {
    expect(repairDuties(["z1", "z2", "z3"], zoneReplies(["z1", 204], ["z2", 404], ["z3", 503]))).toEqual([
      { slot: "z1", owed: [] },
      { slot: "z2", owed: [] },
    ]);
  });
});

describe("reads", () => {
  const scripted = (script: Record<string, ReplicaReply<string>>) => async (zone: string) =>
    script[zone] ?? { status: 503 as const };

  it("readFirst with no replica holding the row returns every reply", async ({ expect }) => {
    const { found, replies: all } = await readFirst(["z1", "z2"], scripted({ z1: { status: 404 } }));
    expect(found).toBeNull();
    expect(all.map((r) => [r.zone, r.reply.status])).toEqual([
      ["z1", 404],
      ["z2", 503],
    ]);
  });

  it("readFirst takes any 2xx, and nothing below 200 or from 300", async ({ expect }) => {
    expect((await readFirst(["z1", "z2"], scripted({ z1: { status: 204 }, z2: { status: 200 } }))).found?.zone).toBe(
      "z1",
    );
    expect((await readFirst(["z1", "z2"], scripted({ z1: { status: 412 }, z2: { status: 202 } }))).found?.zone).toBe(
      "z2",
    );
  });

  it("readNewest: a tombstone beats a row of the same timestamp, whichever answered first, as in the merge", async ({
    expect,
  }) => {
    const rowFirst = await readNewest(
      ["z1", "z2"],
      scripted({ z1: { status: 200, timestamp: "2", value: "row" }, z2: { status: 404, timestamp: "2" } }),
    );
    expect(rowFirst.found).toBeNull();
    const tombstoneFirst = await readNewest(
      ["z1", "z2"],
      scripted({ z1: { status: 404, timestamp: "2" }, z2: { status: 200, timestamp: "2", value: "row" } }),
    );
    expect(tombstoneFirst.found).toBeNull();
    const newerRow = await readNewest(
      ["z1", "z2"],
      scripted({ z1: { status: 404, timestamp: "2" }, z2: { status: 200, timestamp: "3", value: "row" } }),
    );
    expect(newerRow.found?.reply.value).toBe("row");
  });

  it(
    "readNewest: of two rows with the same timestamp the first stays; " +
      "a 404 without a timestamp or a 503 is ignored",
    async ({ expect }) => {
      const same = await readNewest(
        ["z1", "z2", "z3"],
        scripted({
          z1: { status: 200, timestamp: "2", value: "a" },
          z2: { status: 200, timestamp: "2", value: "b" },
          z3: { status: 404 },
        }),
      );
      expect(same.found?.reply.value).toBe("a");
      expect(same.replies).toHaveLength(3);
      const older = await readNewest(
        ["z1", "z2"],
        scripted({
          z1: { status: 200, timestamp: "3", value: "new" },
          z2: { status: 200, timestamp: "2", value: "old" },
        }),
      );
      expect(older.found?.reply.value).toBe("new");
      expect((await readNewest(["z1"], scripted({}))).found).toBeNull();
      const untimed = await readNewest(
        ["z1", "z2"],
        scripted({ z1: { status: 200, value: "untimed" }, z2: { status: 412, timestamp: "9" } }),
      );
      expect(untimed.found?.reply.value).toBe("untimed");
    },
  );

  it("readNewest: a reply that carries a timestamp is newer than one that carries none, in either order", async ({
    expect,
  }) => {
    const timedLast = await readNewest(
      ["z1", "z2"],
      scripted({
        z1: { status: 200, value: "untimed" },
        z2: { status: 200, timestamp: "1700000000.00000", value: "timed" },
      }),
    );
    expect(timedLast.found?.reply.value).toBe("timed");
    const timedFirst = await readNewest(
      ["z1", "z2"],
      scripted({
        z1: { status: 200, timestamp: "1700000000.00000", value: "timed" },
        z2: { status: 200, value: "untimed" },
      }),
    );
    expect(timedFirst.found?.reply.value).toBe("timed");
  });

  it(
    "readNewest: a 404 without a timestamp (a replica that never held the row) is passed over, " +
      "even before a reply without one",
    async ({ expect }) => {
      const { found } = await readNewest(
        ["z1", "z2"],
        scripted({ z1: { status: 404 }, z2: { status: 200, value: "row" } }),
      );
      expect(found?.zone).toBe("z2");
    },
  );

  it(
    "readOrder maps the random draws one to one onto the orders of the primaries: " +
      "each of the 3! orders comes from one pair of draws",
    ({ expect }) => {
      const orders = new Set<string>();
      for (const first of [0.1, 0.5, 0.9]) {
        for (const second of [0.2, 0.8]) {
          const draws = [first, second];
          orders.add(readOrder(["z1", "z2", "z3"], ["z4"], () => draws.shift() ?? 0).join(","));
        }
      }
      expect([...orders].sort()).toEqual([
        "z1,z2,z3,z4",
        "z1,z3,z2,z4",
        "z2,z1,z3,z4",
        "z2,z3,z1,z4",
        "z3,z1,z2,z4",
        "z3,z2,z1,z4",
      ]);
    },
  );

  it("readOrder is a Fisher-Yates shuffle of the primaries by the random source given", ({ expect }) => {
    expect(readOrder(["z1", "z2", "z3"], ["z4", "z5"], () => 0)).toEqual(["z2", "z3", "z1", "z4", "z5"]);
    expect(readOrder(["z1", "z2", "z3"], [], () => 0.999)).toEqual(["z1", "z2", "z3"]);
    expect(readOrder(["z1", "z2", "z3"], [], () => 0.5)).toEqual(["z1", "z3", "z2"]);
    expect(readOrder([], ["z4"], () => 0)).toEqual(["z4"]);
  });
});
