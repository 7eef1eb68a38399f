/**
 * @module
 * The rings bundled into the Worker: `rings/*.ring.json`, written by `edgeswift ring … rebalance`
 * and listed in `rings/index.ts` (which the ring CLI rewrites), turned into Ring objects once per
 * isolate. A ring change is a redeploy, as a ring push is in Swift. Beside the account, container
 * and object rings, each storage policy other than 0 has its object ring, `object-<index>`.
 */
import BUNDLED from "../../rings/index.ts";
import { Ring, type HashPathOptions } from "./ring.ts";
import { parseRingFile, RingFileError } from "./ring-file.ts";
import { isRingName, RING_NAMES, type ObjectRingName, type RingName } from "./types.ts";

/** Every ring of the cluster by name: the three rings as fields, the policies' object rings through `get`. */
export class RingSet {
  readonly account: Ring;
  readonly container: Ring;
  /** The object ring of storage policy 0. */
  readonly object: Ring;
  readonly #byName: ReadonlyMap<RingName, Ring>;

  constructor(rings: ReadonlyMap<RingName, Ring>) {
    const required = (name: "account" | "container" | "object"): Ring => {
      const ring = rings.get(name);
      if (!ring) throw new RingFileError(`rings/${name}.ring.json is missing`);
      return ring;
    };
    this.account = required("account");
    this.container = required("container");
    this.object = required("object");
    this.#byName = rings;
  }

  /** The named ring; a RingFileError when the cluster has none by that name. */
  get(name: RingName): Ring {
    const ring = this.#byName.get(name);
    if (!ring) throw new RingFileError(`rings/${name}.ring.json is missing`);
    return ring;
  }

  has(name: RingName): boolean {
    return this.#byName.has(name);
  }

  /** Every ring's name: account, container, object, then the policy rings by index. */
  names(): RingName[] {
    return [...this.#byName.keys()];
  }

  /** The object rings' names (policy 0's first). */
  objectRingNames(): ObjectRingName[] {
    return this.names().filter((name): name is ObjectRingName => name !== "account" && name !== "container");
  }
}

/** Ring names in the order RingSet lists them: Swift's three, then policy rings by index. */
function byRingOrder(a: RingName, b: RingName): number {
  const rank = (name: RingName) => {
    const core = RING_NAMES.indexOf(name);
    return core >= 0 ? core : RING_NAMES.length + Number(name.slice("object-".length));
  };
  return rank(a) - rank(b);
}

/**
 * Rings from ring files by name, for the cluster's hash prefix and suffix. Throws RingFileError
 * when a file is not the ring its name says, a name is not a ring's, or a ring does not hold together.
 */
export function ringsFrom(files: Readonly<Record<string, unknown>>, options: HashPathOptions): RingSet {
  const rings = new Map<RingName, Ring>();
  for (const name of Object.keys(files).filter(isRingName).sort(byRingOrder)) {
    const file = parseRingFile(files[name]);
    if (file.ring !== name) throw new RingFileError(`rings/${name}.ring.json holds the ${file.ring} ring`);
    rings.set(name, Ring.fromFile(file, options));
  }
  const stray = Object.keys(files).find((name) => !isRingName(name));
  if (stray !== undefined)
    throw new RingFileError(
      `rings/${stray}.ring.json is not a ring's name (account, container, object, object-<policy index>)`,
    );
  return new RingSet(rings);
}

let loaded: { key: string; rings: RingSet } | undefined;

/**
 * The bundled rings for the cluster's hash prefix and suffix, built on the first call and reused
 * afterwards (again only if the prefix or suffix differ).
 */
export function loadRings(options: HashPathOptions): RingSet {
  const key = JSON.stringify([options.hashPathPrefix, options.hashPathSuffix]);
  if (loaded?.key === key) return loaded.rings;
  const rings = ringsFrom(BUNDLED, options);
  loaded = { key, rings };
  return rings;
}
