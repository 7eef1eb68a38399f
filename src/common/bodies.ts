/**
 * @module
 * Moving an object body between zone buckets, for the proxy (a handoff zone's copy) and for the
 * replicas (a body a repaired row points at but the zone's bucket lacks); reading a small
 * request body whole, within a cap; and cancelling one nobody read.
 */

import { IN_MEMORY_BODY_MAX } from "./constraints";
import { countWork } from "./work";

/**
 * Copies a body between buckets (a handoff zone, or a zone whose bucket missed the write): an R2
 * get (class B) and a put (class A), counted as work (common/work.ts).
 */
export async function copyBody(key: string, from: R2Bucket, to: R2Bucket): Promise<boolean> {
  countWork("r2ClassB");
  countWork("subrequests");
  const source = await from.get(key);
  if (!source) return false;
  countWork("r2ClassA");
  countWork("subrequests");
  if (source.size <= IN_MEMORY_BODY_MAX) return (await to.put(key, await source.arrayBuffer())) !== null;
  const stream = new FixedLengthStream(source.size);
  const [put] = await Promise.all([to.put(key, stream.readable), source.body.pipeTo(stream.writable)]);
  return put !== null;
}

/**
 * A whole (small) body read into memory, at most `maxBytes` of it: past that the stream is
 * cancelled and `tooLarge()` thrown, so a document body (a manifest, an XML configuration) can
 * never fill the Worker's memory.
 */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * A request body nobody read is cancelled once the answer is known: the runtime sends no response
 * before a body it was given is read or cancelled, and an error (413 from the Content-Length,
 * 401, 404) is answered without waiting for the upload.
 */
export function cancelUnreadBody(request: Request): void {
  const body = request.body;
  if (body === null || request.bodyUsed || body.locked) return;
  body.cancel().catch(() => undefined);
}
