/**
 * @module
 * Which R2 bindings the rings' zones need: the rule the Worker (parseConfig) and the ring CLI
 * (validate, rebalance, check against wrangler.toml) both apply.
 */
import { describe, it } from "vitest";
import { describeUnboundBucket, SHARED_BUCKET_BINDING, unboundBuckets } from "../../../src/ring/zone-buckets.ts";
import type { Zone } from "../../../src/ring/types.ts";

const zone = (id: string, bucket: string | null): Zone => ({ id, locationHint: null, weight: 100, bucket });
const bound =
  (...names: string[]) =>
  (binding: string) =>
    names.includes(binding);

describe("unboundBuckets", () => {
  it("a zone naming a bucket that is not an R2 binding is reported with its binding and zone", ({ expect }) => {
    const zones = [zone("z1", "BODIES_Z1"), zone("z2", "BODIES_Z2"), zone("z4", "BODIES_Z4")];
    expect(unboundBuckets("object", zones, bound("BODIES_Z1", "BODIES_Z2"))).toEqual([
      { ring: "object", binding: "BODIES_Z4", zones: ["z4"], shared: false },
    ]);
  });

  it("every zone bound reports nothing", ({ expect }) => {
    const zones = [zone("z1", "BODIES_Z1"), zone("z2", "BODIES_Z2")];
    expect(unboundBuckets("object", zones, bound("BODIES_Z1", "BODIES_Z2"))).toEqual([]);
  });

  it("object ring zones without a bucket need the shared BODIES binding, once for all of them", ({ expect }) => {
    const zones = [zone("z1", null), zone("z2", null)];
    expect(unboundBuckets("object", zones, bound("BODIES_Z1"))).toEqual([
      { ring: "object", binding: SHARED_BUCKET_BINDING, zones: ["z1", "z2"], shared: true },
    ]);
    expect(unboundBuckets("object", zones, bound(SHARED_BUCKET_BINDING))).toEqual([]);
  });

  it("account and container ring zones without a bucket need none (those rings hold no bodies)", ({ expect }) => {
    expect(unboundBuckets("account", [zone("z1", null)], bound())).toEqual([]);
    expect(unboundBuckets("container", [zone("z1", null)], bound())).toEqual([]);
  });

  it("a bucket an account or container ring zone names must be bound too", ({ expect }) => {
    expect(unboundBuckets("container", [zone("z9", "BODIES_Z9")], bound())).toEqual([
      { ring: "container", binding: "BODIES_Z9", zones: ["z9"], shared: false },
    ]);
  });

  it("the description names the binding's zones and ring", ({ expect }) => {
    expect(describeUnboundBucket({ ring: "object", binding: "BODIES_Z4", zones: ["z4"], shared: false })).toBe(
      "is not an R2 bucket binding (zone z4 of the object ring names it)",
    );
    expect(describeUnboundBucket({ ring: "object", binding: "BODIES", zones: ["z1", "z2"], shared: true })).toBe(
      "is not an R2 bucket binding (zones z1, z2 of the object ring name no bucket of their own and share it)",
    );
  });
});
