import { describe, it } from "vitest";
import {
  fanOut,
  readFirst,
  readNewest,
  readOrder,
  readQuorum,
  repairDuties,
  type ZoneReply,
} from "../../../src/proxy/fan-out";
import { quorumSize } from "../../../src/common/quorum";
import { bestStatus, writeStatus, zonesAnswering } from "../../../src/proxy/quorum";
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

  it("best status is the highest within the first class reaching quorum, else 503 (Swift best_response)", ({
    expect,
  }) => {
    expect(bestStatus([201, 201, 503])).toBe(201);
    expect(bestStatus([201, 503, 503])).toBe(503);
    expect(bestStatus([204, 404, 404])).toBe(404);
    expect(bestStatus([201, 202, 404])).toBe(202);
    expect(bestStatus([409, 409, 201])).toBe(409);
  });
});

/** Replies as fanOut returns them: one per primary, in the primaries' order, from the slot that answered. */
const replies = (...answers: [slot: string, status: number][]): ZoneReply<unknown>[] =>
  answers.map(([zone, status]) => ({ zone, reply: { status: status as 201 } }));

describe("write quorum counts zones, not replica slots", () => {
  it("a primary and a handoff in the same zone count once", ({ expect }) => {
    expect(zonesAnswering(replies(["z3", 204], ["z3/handoff", 204], ["z2", 503]), (status) => status === 204)).toBe(1);
    expect(writeStatus(replies(["z3", 204], ["z3/handoff", 204], ["z2", 503]), 3)).toBe(503);
  });

  it("DELETE answered 204 by one zone's primary and its handoff slot, with two zones down, returns 503", ({
    expect,
  }) => {
    expect(writeStatus(replies(["z3/handoff", 204], ["z2", 503], ["z3", 204]), 3)).toBe(503);
  });

  it("container PUT answered 201 by one zone's primary and its handoff slot returns 503", ({ expect }) => {
    expect(writeStatus(replies(["z3", 201], ["z3/handoff", 201], ["z2", 503]), 3)).toBe(503);
  });

  it("a handoff in a zone that holds no other replica of the write makes up the quorum", ({ expect }) => {
    expect(writeStatus(replies(["z1", 201], ["z2", 201], ["z1/handoff", 201]), 3)).toBe(201);
    expect(writeStatus(replies(["z1/handoff", 201], ["z2", 201], ["z3", 503]), 3)).toBe(201);
  });

  it("in the first class whose replies came from a quorum of zones, the highest status wins (Swift best_response)", ({
    expect,
  }) => {
    expect(writeStatus(replies(["z1", 201], ["z2", 202], ["z3", 404]), 3)).toBe(202);
    expect(writeStatus(replies(["z1", 204], ["z2", 404], ["z3", 404]), 3)).toBe(404);
    expect(writeStatus(replies(["z1", 409], ["z2", 409], ["z3", 201]), 3)).toBe(409);
  });

  it(
    "two slots of one zone count once, the handoff slot listed first too; " +
      "a handoff zone that holds no primary of the write counts as a zone of its own",
    ({ expect }) => {
      expect(writeStatus(replies(["z1/handoff", 201], ["z2", 503], ["z1", 201]), 3)).toBe(503);
      expect(writeStatus(replies(["z4/handoff", 201], ["z4", 201], ["z3", 503]), 3)).toBe(503);
      expect(writeStatus(replies(["z4/handoff", 201], ["z4", 201], ["z3", 201]), 3)).toBe(201);
    },
  );

  it("client errors count zones too: a 404 from one zone's primary and its handoff slot is no quorum", ({ expect }) => {
    expect(writeStatus(replies(["z3", 404], ["z3/handoff", 404], ["z2", 503]), 3)).toBe(503);
  });
});

describe("repair after a write", () => {
  it("a write every primary took alike leaves nothing to repair", ({ expect }) => {
    expect(repairDuties(["z1", "z2", "z3"], replies(["z1", 201], ["z2", 201], ["z3", 201]))).toEqual([]);
  });

  it("a primary a handoff stood in for is left to that handoff, which reverts by itself", ({ expect }) => {
    expect(repairDuties(["z1", "z2", "z3"], replies(["z1", 201], ["z2", 201], ["z1/handoff", 201]))).toEqual([]);
  });

  it("a primary no handoff stood in for is repaired by every primary that took the write", ({ expect }) => {
    // z1 and z2 down: z3 took the write, z3's handoff slot stood in for z1, nothing for z2.
    expect(repairDuties(["z1", "z2", "z3"], replies(["z3/handoff", 204], ["z2", 503], ["z3", 204]))).toEqual([
      { slot: "z3", owed: [] },
    ]);
  });

  it("when no primary took the write, the handoffs that did owe every primary it missed", ({ expect }) => {
    expect(repairDuties(["z1", "z2", "z3"], replies(["z4", 201], ["z2", 503], ["z3", 503]))).toEqual([
      { slot: "z4", owed: ["z2", "z3"] },
    ]);
  });

  it(
    "replies that disagree mark every replica that answered, " +
      "and a handoff among them owes every primary, not only the one it stood in for",
    ({ expect }) => {
      expect(repairDuties(["z1", "z2", "z3"], replies(["z1", 202], ["z2", 202], ["z3", 404]))).toEqual([
        { slot: "z1", owed: [] },
        { slot: "z2", owed: [] },
        { slot: "z3", owed: [] },
      ]);
      // z1 and z3 down; z2 had the container deleted (404) while z2's handoff slot still held it and
      // took the POST: z2 may repair before the handoff reverts to z1, so the handoff owes z2 and z3 too.
      expect(repairDuties(["z1", "z2", "z3"], replies(["z2/handoff", 204], ["z2", 404], ["z3", 503]))).toEqual([
        { slot: "z2/handoff", owed: ["z1", "z2", "z3"] },
        { slot: "z2", owed: [] },
      ]);
    },
  );
});

describe("fanOut", () => {
  it("PUT with one primary unavailable returns quorum and covers it with the next handoff", async ({ expect }) => {
    const replicas = scriptedReplicas({
      z1: { status: 201 },
      z2: { status: 201 },
      z3: { status: 503 },
      z4: { status: 201 },
    });
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

  it(
    "a handoff in the zone of a primary that answered does not make the quorum: " +
      "the other primary is still waited for",
    async ({ expect }) => {
      let release: () => void = () => undefined;
      const late = new Promise<void>((resolve) => {
        release = resolve;
      });
      const call = async (zone: string): Promise<ReplicaReply> => {
        if (zone === "z1") return { status: 503 };
        if (zone === "z2") {
          await late;
          return { status: 201 };
        }
        return { status: 201 };
      };
      setTimeout(release, 30);
      const replies = await fanOut(["z1", "z2", "z3"], ["z3/handoff"], call, 0);
      expect(replies.map((r) => [r.zone, r.reply.status])).toEqual([
        ["z3/handoff", 201],
        ["z2", 201],
        ["z3", 201],
      ]);
    },
  );

  it(
    "replies from one zone's primary and its handoff slot start no post-quorum wait: " +
      "fanOut answers only once a second zone replied",
    async ({ expect }) => {
      let release: () => void = () => undefined;
      const z2Answers = new Promise<void>((resolve) => {
        release = resolve;
      });
      const call = async (zone: string): Promise<ReplicaReply> => {
        if (zone === "z1") return { status: 503 };
        if (zone === "z2") await z2Answers;
        return { status: 201 };
      };
      let answered = false;
      const replies = fanOut(["z1", "z2", "z3"], ["z3/handoff"], call, 0).then((result) => {
        answered = true;
        return result;
      });
      // Event-loop turns, not time: with z3 and z3/handoff counted as two zones, the post-quorum
      // wait of 0 ms would have ended within them.
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
      expect(answered).toBe(false);
      release();
      expect((await replies).map((r) => [r.zone, r.reply.status])).toEqual([
        ["z3/handoff", 201],
        ["z2", 201],
        ["z3", 201],
      ]);
    },
  );

  it("does not wait for a straggler past the post-quorum timeout", async ({ expect }) => {
    const call = (zone: string) =>
      zone === "z3" ? new Promise<ReplicaReply>(() => undefined) : Promise.resolve<ReplicaReply>({ status: 201 });
    const replies = await fanOut(["z1", "z2", "z3"], [], call, 10);
    expect(replies.map((r) => r.reply.status)).toEqual([201, 201, 503]);
  });
});

describe("reads", () => {
  it("readFirst stops at the first replica holding the row and reads on past 404s", async ({ expect }) => {
    const replicas = scriptedReplicas({
      z1: { status: 404 },
      z2: { status: 200, value: "row" },
      z3: { status: 200, value: "other" },
    });
    const { found } = await readFirst(["z1", "z2", "z3"], replicas.call);
    expect(found?.zone).toBe("z2");
    expect(replicas.zonesCalled).toEqual(["z1", "z2"]);
  });

  it("readNewest asks every replica and keeps the newest timestamp (X-Newest)", async ({ expect }) => {
    const replicas = scriptedReplicas({
      z1: { status: 200, timestamp: "1", value: "old" },
      z2: { status: 200, timestamp: "3", value: "new" },
      z3: { status: 404, timestamp: "2" },
    });
    const { found } = await readNewest(["z1", "z2", "z3"], replicas.call);
    expect(found?.reply.value).toBe("new");
  });

  it("readNewest answers not found when the newest replica holds a tombstone (X-Newest after a DELETE)", async ({
    expect,
  }) => {
    const replicas = scriptedReplicas({
      z1: { status: 200, timestamp: "1", value: "old" },
      z2: { status: 404, timestamp: "2" },
      z3: { status: 404 },
    });
    const { found } = await readNewest(["z1", "z2", "z3"], replicas.call);
    expect(found).toBeNull();
  });

  it("readQuorum keeps the newest of a quorum of zones and does not wait for a primary that never answers", async ({
    expect,
  }) => {
    const call = (zone: string): Promise<ReplicaReply<string>> => {
      if (zone === "z1") return Promise.resolve({ status: 200, timestamp: "1", value: "old" });
      if (zone === "z2") return Promise.resolve({ status: 404, timestamp: "2" });
      return new Promise(() => undefined);
    };
    const { found, replies } = await readQuorum(["z1", "z2", "z3"], [], call);
    expect(found).toBeNull(); // the newest of the quorum is a tombstone
    expect(replies.map((r) => r.reply.status)).toEqual([200, 404, 503]);
  });

  it("readQuorum finds nothing when fewer than a quorum of zones answered, even if one that did holds the row", async ({
    expect,
  }) => {
    const replicas = scriptedReplicas({ z1: { status: 200, timestamp: "1", value: "row" } });
    const { found, replies } = await readQuorum(["z1", "z2", "z3"], [], replicas.call);
    expect(found).toBeNull();
    expect(replies.map((r) => r.reply.status)).toEqual([200, 503, 503]);
  });

  it("readQuorum covers a failed primary with a handoff and counts a 404 as an answer", async ({ expect }) => {
    const replicas = scriptedReplicas({
      z1: { status: 503 },
      "z2/handoff": { status: 404 },
      z2: { status: 404 },
      z3: { status: 200, timestamp: "5", value: "row" },
    });
    const { found } = await readQuorum(["z1", "z2", "z3"], ["z1/handoff", "z2/handoff"], replicas.call);
    expect(found?.reply.value).toBe("row");
    expect(replicas.zonesCalled).toContain("z2/handoff");
  });

  it("readOrder puts the nearest primary first and the others in ring order (read affinity)", ({ expect }) => {
    expect(readOrder(["z1", "z2", "z3"], ["z4"], () => 0, "z2")).toEqual(["z2", "z1", "z3", "z4"]);
    // A nearest zone that is not a primary of the partition changes nothing: the primaries are shuffled.
    expect(
      readOrder(["z1", "z2", "z3"], ["z4"], () => 0.99, "z4")
        .slice(0, 3)
        .sort(),
    ).toEqual(["z1", "z2", "z3"]);
  });

  it("readOrder shuffles the primaries and keeps handoffs last", ({ expect }) => {
    let seed = 0;
    const order = readOrder(["z1", "z2", "z3"], ["z4"], () => (seed = (seed * 9301 + 49297) % 233280) / 233280);
    expect(order.slice(0, 3).sort()).toEqual(["z1", "z2", "z3"]);
    expect(order[3]).toBe("z4");
  });
});
