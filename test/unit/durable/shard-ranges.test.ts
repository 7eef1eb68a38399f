import { describe, it } from "vitest";
import {
  covers,
  inRange,
  mergeShardRange,
  rangeOf,
  rangesCutAt,
  rootOf,
  shardBoundsOf,
  shardName,
  shardRangeHash,
  shardRootOf,
  shrinkCandidate,
  unionOf,
  type ShardRange,
} from "../../../src/durable/shard-ranges";

const range = (
  name: string,
  lower: string,
  upper: string,
  objectCount = 0,
  extra: Partial<ShardRange> = {},
): ShardRange => ({
  name,
  lower,
  upper,
  state: "active",
  timestamp: "1.00000",
  stateTimestamp: "1.00000",
  objectCount,
  bytesUsed: objectCount,
  metaTimestamp: "1.00000",
  ...extra,
});

describe("shard ranges", () => {
  it("a range is (lower, upper]: its lower bound out, its upper bound in, '' unbounded", ({ expect }) => {
    expect(inRange({ lower: "b", upper: "d" }, "b")).toBe(false);
    expect(inRange({ lower: "b", upper: "d" }, "d")).toBe(true);
    expect(inRange({ lower: "", upper: "d" }, "")).toBe(true);
    expect(inRange({ lower: "d", upper: "" }, "\u{10FFFF}")).toBe(true);
  });

  it("cut points give ranges covering the namespace, or a shard's own range", ({ expect }) => {
    expect(rangesCutAt(["g", "p"])).toEqual([
      { lower: "", upper: "g" },
      { lower: "g", upper: "p" },
      { lower: "p", upper: "" },
    ]);
    expect(rangesCutAt(["m"], "f", "t")).toEqual([
      { lower: "f", upper: "m" },
      { lower: "m", upper: "t" },
    ]);
    expect(covers({ lower: "f", upper: "t" }, rangesCutAt(["m"], "f", "t"))).toBe(true);
    expect(covers({ lower: "", upper: "t" }, rangesCutAt(["m"], "f", "t"))).toBe(false);
    expect(
      covers({ lower: "f", upper: "t" }, [
        { lower: "f", upper: "j" },
        { lower: "m", upper: "t" },
      ]),
    ).toBe(false);
  });

  it("a merge takes the newer state with its bounds (an acceptor widened) and the newer counts", ({ expect }) => {
    const current = range("a", "m", "", 6, { metaTimestamp: "3.00000" });
    const widened = range("a", "", "", 2, { stateTimestamp: "2.00000", metaTimestamp: "2.00000" });
    expect(mergeShardRange(current, widened)).toMatchObject({
      lower: "",
      upper: "",
      stateTimestamp: "2.00000",
      objectCount: 6,
    });
    expect(mergeShardRange(widened, current)).toMatchObject({ lower: "", upper: "", objectCount: 6 });
  });

  it("a shard with at most 10% of the threshold shrinks into the neighbour above (else below) when both fit in 75%", ({
    expect,
  }) => {
    const low = range("low", "", "g", 1);
    const mid = range("mid", "g", "p", 6);
    const high = range("high", "p", "", 1);
    expect(shrinkCandidate([mid, low, high], 10)).toEqual({ donor: low, acceptor: mid });
    expect(shrinkCandidate([range("low", "", "g", 2), mid, high], 10)?.donor).toBe(high);
    expect(shrinkCandidate([range("low", "", "g", 2), range("mid", "g", "p", 6), high], 10)?.acceptor.name).toBe("mid");
    expect(shrinkCandidate([low, range("mid", "g", "", 7)], 10)).toBeNull();
    expect(shrinkCandidate([range("all", "", "", 0)], 10)).toBeNull();
    expect(unionOf(mid, low)).toEqual({ lower: "", upper: "p" });
    expect(unionOf(mid, high)).toEqual({ lower: "g", upper: "" });
  });

  it("a container is a shard of the root its sysmeta names only in that root's shards account", ({ expect }) => {
    const metadata = { "x-container-sysmeta-shard-root": { value: "AUTH_a/c", timestamp: "1" } };
    expect(shardRootOf({ account: ".shards_AUTH_a", metadata })).toEqual({ account: "AUTH_a", container: "c" });
    expect(shardRootOf({ account: "AUTH_b", metadata })).toBeNull();
    expect(shardRootOf({ account: ".shards_AUTH_b", metadata })).toBeNull();
    expect(shardRootOf({ account: ".shards_AUTH_a", metadata: {} })).toBeNull();
  });

  it("rangeOf finds the range holding a name (null for none); a shard's name and bounds; a root is its own root", ({
    expect,
  }) => {
    const ranges = [range("a", "", "g"), range("b", "g", "")];
    expect(rangeOf(ranges, "g")?.name).toBe("a");
    expect(rangeOf(ranges, "h")?.name).toBe("b");
    expect(rangeOf([range("a", "c", "g")], "b")).toBeNull();
    expect(shardName("c", "ab12", "1.00000", 3)).toBe("c-ab12-1.00000-3");
    const meta = (lower: string, upper: string) => ({
      "x-container-sysmeta-shard-lower": { value: lower },
      "x-container-sysmeta-shard-upper": { value: upper },
    });
    expect(shardBoundsOf(meta("f", "t"))).toEqual({ lower: "f", upper: "t" });
    expect(shardBoundsOf({})).toEqual({ lower: "", upper: "" });
    expect(rootOf({ account: "AUTH_a", container: "c", metadata: {} })).toEqual({ account: "AUTH_a", container: "c" });
    const shard = {
      account: ".shards_AUTH_a",
      container: "c-1",
      metadata: { "x-container-sysmeta-shard-root": { value: "AUTH_a/c" } },
    };
    expect(rootOf(shard)).toEqual({ account: "AUTH_a", container: "c" });
    // A root with no account part names no root.
    expect(
      shardRootOf({ account: ".shards_", metadata: { "x-container-sysmeta-shard-root": { value: "/c" } } }),
    ).toBeNull();
  });

  it("a range's hash follows its bounds, state, state time and counts, not when the counts were reported", ({
    expect,
  }) => {
    const base = range("a", "b", "m", 3);
    const hash = shardRangeHash("AUTH_a/c", base);
    for (const changed of [
      { lower: "c" },
      { upper: "n" },
      { state: "shrinking" as const },
      { stateTimestamp: "2.00000" },
      { timestamp: "2.00000" },
      { objectCount: 4 },
      { bytesUsed: 9 },
    ])
      expect(shardRangeHash("AUTH_a/c", { ...base, ...changed }), JSON.stringify(changed)).not.toBe(hash);
    expect(shardRangeHash("AUTH_a/c", { ...base, metaTimestamp: "9.00000" })).toBe(hash);
    expect(shardRangeHash("AUTH_a/d", base)).not.toBe(hash);
  });

  it("a merge with nothing takes the incoming range; of equal times it keeps the current one", ({ expect }) => {
    const current = range("a", "b", "m", 3, { state: "active" });
    expect(mergeShardRange(null, current)).toBe(current);
    const same = range("a", "x", "y", 9, { state: "shrunk" });
    expect(mergeShardRange(current, same)).toMatchObject({ lower: "b", upper: "m", state: "active", objectCount: 3 });
  });

  it("shrinking needs two serving ranges; a donor and acceptor exactly at 75% merge; bounds of either order unite", ({
    expect,
  }) => {
    expect(shrinkCandidate([range("a", "", "g", 0), range("b", "g", "", 8)], 10)).toBeNull();
    const fits = shrinkCandidate([range("a", "", "g", 1), range("b", "g", "", 6)], 10);
    expect(fits?.donor.name).toBe("a");
    expect(shrinkCandidate([range("a", "", "g", 1), range("b", "g", "", 6)], 20)?.acceptor.name).toBe("b");
    expect(shrinkCandidate([range("a", "", "g", 3), range("b", "g", "", 3)], 20)).toBeNull();
    expect(shrinkCandidate([range("a", "", "g", 2), range("b", "g", "", 13)], 20)?.acceptor.name).toBe("b");
    expect(unionOf(range("x", "m", "t"), range("y", "t", ""))).toEqual({ lower: "m", upper: "" });
    expect(unionOf(range("y", "t", ""), range("x", "m", "t"))).toEqual({ lower: "m", upper: "" });
    expect(unionOf(range("x", "", "m"), range("y", "m", "t"))).toEqual({ lower: "", upper: "t" });
  });
});
