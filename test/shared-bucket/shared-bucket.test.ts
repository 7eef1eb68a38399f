import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { swift, text } from "../helpers";

const bodies = (env as unknown as { BODIES: R2Bucket }).BODIES;

async function keys(bucket: R2Bucket): Promise<string[]> {
  return (await bucket.list()).objects.map((object) => object.key);
}

describe("one bucket shared by all zones", () => {
  it("writes a body once, serves it, and leaves the per-zone buckets unused", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/shared"));
    const put = await swift("PUT", "/AUTH_test/shared/o", { body: new TextEncoder().encode("one copy") });
    await text(put);
    expect(put.status).toBe(201);
    expect(await keys(bodies)).toHaveLength(1);
    expect(await keys(env.BODIES_Z1)).toEqual([]);
    expect(await text(await swift("GET", "/AUTH_test/shared/o"))).toBe("one copy");
    const ranged = await swift("GET", "/AUTH_test/shared/o", { headers: { Range: "bytes=4-" } });
    expect(await text(ranged)).toBe("copy");
  });

  it("a chunked body is stored once too", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/shared2"));
    const before = (await keys(bodies)).length;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("chunk"));
        controller.close();
      },
    });
    const put = await swift("PUT", "/AUTH_test/shared2/chunked", { body });
    await text(put);
    expect(put.status).toBe(201);
    expect((await keys(bodies)).length).toBe(before + 1);
    expect(await text(await swift("GET", "/AUTH_test/shared2/chunked"))).toBe("chunk");
  });
});
