/**
 * @module
 * A body as a stream of small chunks, so that what a streaming parser looks for (a tar header,
 * a multipart delimiter) straddles reads.
 */

/** A stream of `body` (text as UTF-8) in chunks of `size` bytes. */
export function chunkedStream(body: string | Uint8Array, size: number): ReadableStream<Uint8Array> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(at, (at += size)));
    },
  });
}
