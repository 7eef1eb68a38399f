/**
 * @module
 * An object body written to the zones' buckets (proxy/services/bodies.ts writeBody): a body of
 * known length up to 1 MiB is read whole and put from memory, a larger one streamed to every
 * bucket; either way it is stored byte-exact under its key with its MD5 as ETag, and a client
 * that sends fewer or more bytes than it declared, or whose upload fails, gets 499 with nothing
 * stored.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { SwiftError } from "../../../src/common/errors";
import { md5Hex } from "../../../src/common/digest";
import { writeBody, type BodyTarget } from "../../../src/proxy/services/bodies";

const targets: BodyTarget[] = [
  { name: "BODIES_Z1", bucket: env.BODIES_Z1 },
  { name: "BODIES_Z2", bucket: env.BODIES_Z2 },
];
const MAX = 5 * 1024 * 1024 * 1024;

/** `size` bytes that differ from one offset to the next. */
function bytes(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251);
}

/** A stream of `body` in chunks of 64 KiB, failing after them when `fail`. */
function streamOf(body: Uint8Array, fail = false): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= body.byteLength) {
        if (fail) controller.error(new Error("connection reset"));
        else controller.close();
        return;
      }
      controller.enqueue(body.slice(offset, offset + 65_536));
      offset += 65_536;
    },
  });
}

async function statusOf(write: Promise<unknown>): Promise<number | "stored"> {
  try {
    await write;
    return "stored";
  } catch (error) {
    if (error instanceof SwiftError) return error.status;
    throw error;
  }
}

describe("writeBody", () => {
  for (const size of [1, 4096, 1024 * 1024, 1024 * 1024 + 1]) {
    it(`a body of ${size} bytes of known length is stored byte-exact in every bucket, its MD5 the ETag`, async ({
      expect,
    }) => {
      const key = `write/${size}`;
      const body = bytes(size);
      const written = await writeBody(key, streamOf(body), size, targets, MAX);
      expect(written).toEqual({ etag: await md5Hex(body), size, written: new Set(["BODIES_Z1", "BODIES_Z2"]) });
      for (const { bucket } of targets)
        expect(new Uint8Array(await (await bucket.get(key))!.arrayBuffer())).toEqual(body);
    });
  }

  for (const size of [4096, 1024 * 1024 + 1]) {
    it(`a client that sends fewer or more bytes than the ${size} it declared, or fails, gets 499 and nothing is stored`, async ({
      expect,
    }) => {
      const cases = [
        ["short", streamOf(bytes(size - 1)), size],
        ["long", streamOf(bytes(size + 1)), size],
        ["failed", streamOf(bytes(size - 1), true), size],
      ] as const;
      for (const [name, stream, length] of cases) {
        const key = `write/${name}/${size}`;
        expect(await statusOf(writeBody(key, stream, length, targets, MAX))).toBe(499);
        for (const { bucket } of targets) expect(await bucket.head(key)).toBeNull();
      }
    });
  }
});
