/**
 * @module
 * Setup for the workers project: every fast-check property (the fuzzing under
 * test/integration/fuzz/ and the property tests) starts from one seed, so `npm test` and CI run
 * the same cases each time and a failure is the code's, never the draw's. `FUZZ_SEED=<n> npm test`
 * runs another fixed draw; `FUZZ_SEED=random` a new one each run (explore with it, then fix what
 * it finds with a regression test). A failure prints its seed and path, which replay it.
 */
import fc from "fast-check";
import { inject } from "vitest";

declare module "vitest" {
  interface ProvidedContext {
    fuzzSeed: string;
  }
}

/** The draw `npm test` and CI run. */
const DEFAULT_SEED = 20261205;

const asked = inject("fuzzSeed");
const seed =
  asked === "random" ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : asked ? Number(asked) : DEFAULT_SEED;
if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random", got "${asked}"`);
fc.configureGlobal({ seed });
