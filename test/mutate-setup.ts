/**
 * @module
 * Setup for the unit tests Stryker runs in Node (vitest.mutate.config.ts): the one Workers API
 * the pure modules use that Node lacks, `crypto.subtle.timingSafeEqual` (a Cloudflare extension
 * of Web Crypto), given by Node's own `crypto.timingSafeEqual`.
 */
import { timingSafeEqual } from "node:crypto";

const bytes = (value: ArrayBuffer | ArrayBufferView): Uint8Array =>
  value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);

if (!("timingSafeEqual" in crypto.subtle)) {
  Object.defineProperty(crypto.subtle, "timingSafeEqual", {
    value: (a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean =>
      timingSafeEqual(bytes(a), bytes(b)),
  });
}
