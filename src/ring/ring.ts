/**
 * @module
 * A loaded ring: path → partition → primary zones, then handoff zones in a fixed order per
 * partition. Swift: common/ring/ring.py `Ring` (get_part, get_part_nodes, get_more_nodes). The
 * table is precomputed by the builder, so a lookup hashes once and reads one entry per replica.
 */
import { md5 } from "@noble/hashes/legacy.js";
import { hashPath, partitionOf } from "./hash-path.ts";
import { RingFileError } from "./ring-file.ts";
import { base64ToBytes } from "./table.ts";
import type { RingFile, RingName, Zone } from "./types.ts";

/** The cluster's `[swift-hash]` secrets; they decide every partition and must never change. */
export interface HashPathOptions {
  hashPathPrefix: string;
  hashPathSuffix: string;
}

type ZoneTable = Uint8Array | Uint16Array;

const UTF8 = new TextEncoder();

function decodeTable(text: string, zoneIndexBytes: 1 | 2, where: string): ZoneTable {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(text);
  } catch {
    throw new RingFileError(`${where} is not base64`);
  }
  if (zoneIndexBytes === 1) return bytes;
  if (bytes.length % 2 !== 0) throw new RingFileError(`${where} has an odd number of bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < table.length; i++) table[i] = view.getUint16(i * 2, true);
  return table;
}

/** A ring ready for lookups. Build it with `Ring.fromFile`; it never changes afterwards. */
export class Ring {
  readonly name: RingName;
  readonly version: number;
  readonly partPower: number;
  readonly partitionCount: number;
  readonly replicaCount: number;
  readonly zones: readonly Zone[];
  readonly #tables: readonly ZoneTable[];
  readonly #zonesById: ReadonlyMap<string, Zone>;
  readonly #prefix: string;
  readonly #suffix: string;
  /** Zones that hold at least one partition-replica: the handoff walk can stop once it has seen them all. */
  readonly #zonesInTable: number;
  /** Zones the table never names (weight 0), offered last, in file order. */
  readonly #zonesNotInTable: readonly number[];

  private constructor(file: RingFile, tables: ZoneTable[], options: HashPathOptions) {
    this.name = file.ring;
    this.version = file.version;
    this.partPower = file.partPower;
    this.partitionCount = 2 ** file.partPower;
    this.replicaCount = file.replicaCount;
    this.zones = Object.freeze(file.zones.map((zone) => Object.freeze({ ...zone })));
    this.#zonesById = new Map(this.zones.map((zone) => [zone.id, zone]));
    this.#tables = tables;
    this.#prefix = options.hashPathPrefix;
    this.#suffix = options.hashPathSuffix;
    const used = new Uint8Array(this.zones.length);
    for (const table of tables) for (const index of table) used[index] = 1;
    this.#zonesInTable = used.reduce((sum, u) => sum + u, 0);
    this.#zonesNotInTable = [...used.keys()].filter((index) => used[index] === 0);
  }

  /**
   * A ring from a checked ring file (see `parseRingFile`) and the cluster's hash prefix and suffix.
   * Throws RingFileError when the table does not fit the file's part power, replicas and zones.
   */
  static fromFile(file: RingFile, options: HashPathOptions): Ring {
    const partitionCount = 2 ** file.partPower;
    if (file.replica2Partition2Zone.length !== file.replicaCount) {
      throw new RingFileError(
        `ring ${file.ring}: ${file.replica2Partition2Zone.length} tables for ${file.replicaCount} replicas`,
      );
    }
    const ids = new Set(file.zones.map((zone) => zone.id));
    if (ids.size !== file.zones.length) throw new RingFileError(`ring ${file.ring}: two zones share an id`);
    const tables = file.replica2Partition2Zone.map((text, replica) => {
      const where = `ring ${file.ring} replica ${replica}`;
      const table = decodeTable(text, file.zoneIndexBytes, where);
      if (table.length !== partitionCount) {
        throw new RingFileError(`${where}: ${table.length} partitions, expected ${partitionCount}`);
      }
      for (const index of table) {
        if (index >= file.zones.length) throw new RingFileError(`${where}: zone index ${index} has no zone`);
      }
      return table;
    });
    return new Ring(file, tables, options);
  }

  /** The partition of `/account[/container[/object]]`. Swift: ring.py get_part(). */
  partitionFor(account: string, container?: string | null, object?: string | null): number {
    return partitionOf(hashPath(this.#prefix, this.#suffix, account, container, object), this.partPower);
  }

  /**
   * The zones holding `partition`, in replica order, without repeats: `replicaCount` distinct zones
   * whenever the ring has that many zones with weight. Swift: ring.py get_part_nodes().
   */
  primaryZones(partition: number): Zone[] {
    this.#checkPartition(partition);
    const zones: Zone[] = [];
    for (const table of this.#tables) {
      const zone = this.zones[table[partition] ?? 0];
      if (zone && !zones.includes(zone)) zones.push(zone);
    }
    return zones;
  }

  /**
   * Every zone that is not a primary of `partition`, in the order to try them. Swift: ring.py
   * get_more_nodes(), its last pass (zones are our only tier): start at the partition given by
   * md5 of the partition number, walk the table partition by partition, wrapping, and take each
   * zone the first time it appears. The order depends only on the table, so it is the same on
   * every call and every isolate, and moves little when the table changes a little. Zones the
   * table never names (weight 0) come last, in file order.
   */
  handoffZones(partition: number): Zone[] {
    const primaries = this.primaryZones(partition);
    const used = new Uint8Array(this.zones.length);
    let usedCount = 0;
    for (const zone of primaries) {
      used[this.zones.indexOf(zone)] = 1;
      usedCount++;
    }
    const handoffs: Zone[] = [];
    const partitions = this.partitionCount;
    // Swift: part_hash = md5(str(part)); start = unpack('>I', part_hash)[0] >> part_shift
    const start = partitionOf(md5(UTF8.encode(String(partition))), this.partPower);
    // Swift: inc = int(parts / 65536) or 1, walking range(start, parts, inc) then the wrapped part.
    const increment = Math.max(1, Math.floor(partitions / 65536));
    const wrapFrom = increment - ((partitions - start) % increment);
    const walk = (from: number, to: number): boolean => {
      for (let p = from; p < to; p += increment) {
        for (const table of this.#tables) {
          const index = table[p] ?? 0;
          if (used[index]) continue;
          used[index] = 1;
          usedCount++;
          const zone = this.zones[index];
          if (zone) handoffs.push(zone);
          if (usedCount >= this.#zonesInTable) return true;
        }
      }
      return false;
    };
    if (usedCount < this.#zonesInTable && !walk(start, partitions)) walk(wrapFrom, start);
    for (const index of this.#zonesNotInTable) {
      const zone = this.zones[index];
      if (zone && !used[index]) handoffs.push(zone);
    }
    return handoffs;
  }

  /** The Durable Object name of one replica: `{ring}/{partition}/{zone}`. */
  replicaName(partition: number, zone: Zone): string {
    return `${this.name}/${partition}/${zone.id}`;
  }

  /** The zone with this id, or undefined when the ring has none. */
  zone(id: string): Zone | undefined {
    return this.#zonesById.get(id);
  }

  #checkPartition(partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitionCount) {
      throw new RangeError(`partition ${partition} is outside ring ${this.name} (0..${this.partitionCount - 1})`);
    }
  }
}
