/**
 * @module
 * Copying a body between zone buckets (common/bodies.ts copyBody), as repair and a handoff's
 * revert do: byte-exact whichever way it goes, in one piece up to 1 MiB (a small body through
 * memory is far cheaper than a stream) and streamed beyond, and counted as one R2 get and one put.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { copyBody } from "../../../src/common/bodies";
import { runWithWork, Work } from "../../../src/common/work";

/** `size` bytes that differ from one offset to the next. */
function bytes(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251);
}

describe("copyBody", () => {
  for (const size of [0, 4096, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5]) {
    it(`a body of ${size} bytes arrives in the other bucket byte-exact, with the same MD5`, async ({ expect }) => {
      const key = `copy/${size}`;
      const body = bytes(size);
      const put = await env.BODIES_Z1.put(key, body);
      const work = new Work();
      expect(await runWithWork(work, () => copyBody(key, env.BODIES_Z1, env.BODIES_Z2))).toBe(true);
      const copied = await env.BODIES_Z2.get(key);
      expect(new Uint8Array(await copied!.arrayBuffer())).toEqual(body);
      expect(copied!.etag).toBe(put!.etag);
      expect(work.counts).toMatchObject({ r2ClassA: 1, r2ClassB: 1, subrequests: 2 });
    });
  }

  it("a body the source bucket lacks is not copied: false, one R2 get", async ({ expect }) => {
    const work = new Work();
    expect(await runWithWork(work, () => copyBody("copy/none", env.BODIES_Z1, env.BODIES_Z2))).toBe(false);
    expect(await env.BODIES_Z2.head("copy/none")).toBeNull();
    expect(work.counts).toMatchObject({ r2ClassA: 0, r2ClassB: 1 });
  });
});
