import { describe, it } from "vitest";
import { InfoCache } from "../../../src/proxy/services/info-cache";

describe("InfoCache", () => {
  it("serves an entry until its time to live passes, then forgets it", ({ expect }) => {
    const cache = new InfoCache();
    cache.set("k", { exists: true }, 1000, 0);
    expect(cache.get("k", 999)).toEqual({ exists: true });
    expect(cache.get("k", 1000)).toBeUndefined();
  });

  it("caches a negative answer (null) as an answer", ({ expect }) => {
    const cache = new InfoCache();
    cache.set("k", null, 100, 0);
    expect(cache.get("k", 50)).toBeNull();
  });

  it("stays bounded, dropping the oldest entry", ({ expect }) => {
    const cache = new InfoCache(2);
    cache.set("a", 1, 1000, 0);
    cache.set("b", 2, 1000, 0);
    cache.set("c", 3, 1000, 0);
    expect(cache.get("a", 1)).toBeUndefined();
    expect(cache.get("c", 1)).toBe(3);
  });
});
