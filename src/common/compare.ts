/**
 * @module
 * Comparing secrets (signatures, keys) without leaking where they differ. Swift: utils
 * streq_const_time.
 */

const encoder = new TextEncoder();

/**
 * Whether two strings are equal, in a time that depends on their lengths alone: the runtime's
 * `crypto.subtle.timingSafeEqual` over their UTF-8 bytes (a length that differs is no secret).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.byteLength === right.byteLength && crypto.subtle.timingSafeEqual(left, right);
}
