/**
 * @module
 * Invariant checks. A failed assertion is a bug in edgeswift, never a client error.
 */

/** Throws when an invariant does not hold. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
