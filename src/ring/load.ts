/**
 * @module
 * The rings bundled into the Worker: `rings/*.ring.json`, written by `edgeswift ring … rebalance`,
 * imported as JSON modules and turned into Ring objects once per isolate. A ring change is a
 * redeploy, as a ring push is in Swift.
 */
import accountRingJson from "../../rings/account.ring.json";
import containerRingJson from "../../rings/container.ring.json";
import objectRingJson from "../../rings/object.ring.json";
import { Ring, type HashPathOptions } from "./ring.ts";
import { parseRingFile, RingFileError } from "./ring-file.ts";
import type { RingName } from "./types.ts";

const BUNDLED: Record<RingName, unknown> = {
  account: accountRingJson,
  container: containerRingJson,
  object: objectRingJson,
};

let loaded: { key: string; rings: Record<RingName, Ring> } | undefined;

/**
 * Rings from ring files by name, for the cluster's hash prefix and suffix. Throws RingFileError
 * when a file is not the ring its name says or does not hold together.
 */
export function ringsFrom(files: Readonly<Record<RingName, unknown>>, options: HashPathOptions): Record<RingName, Ring> {
  const ring = (name: RingName): Ring => {
    const file = parseRingFile(files[name]);
    if (file.ring !== name) throw new RingFileError(`rings/${name}.ring.json holds the ${file.ring} ring`);
    return Ring.fromFile(file, options);
  };
  return { account: ring("account"), container: ring("container"), object: ring("object") };
}

/**
 * The three bundled rings for the cluster's hash prefix and suffix, built on the first call and
 * reused afterwards (again only if the prefix or suffix differ).
 */
export function loadRings(options: HashPathOptions): Record<RingName, Ring> {
  const key = JSON.stringify([options.hashPathPrefix, options.hashPathSuffix]);
  if (loaded?.key === key) return loaded.rings;
  const rings = ringsFrom(BUNDLED, options);
  loaded = { key, rings };
  return rings;
}
