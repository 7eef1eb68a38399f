/**
 * @module
 * Rebalance: assign every partition-replica to a zone, dispersion first, then weight, moving as few
 * as possible. Swift: common/ring/builder.py rebalance() — gather from removed zones (ignoring
 * min_part_hours), gather for dispersion, reassign to the zones that want the most, then gather
 * from zones over their share (a few passes); a partition moved within min_part_hours is left
 * alone, and at most one replica of a partition moves per rebalance (`_can_part_move`,
 * `_part_moved_bitmap`). Zones are our only failure-domain tier, which keeps each step a small
 * loop. Pure: the clock comes from the caller (`nowSeconds`), randomness from the builder's seed.
 */
import {
  balanceOf,
  decodeTables,
  dispersionOf,
  encodeTables,
  isAssignable,
  NO_ZONE,
  partitionsPerZone,
  RingBuilderError,
} from "./builder-state.ts";
import type { BuilderFile, BuilderZone } from "./types.ts";
import { seededRandom, shuffle, zoneTargets } from "./zone-targets.ts";

/** Swift: builder.py MAX_BALANCE_GATHER_COUNT. */
const MAX_BALANCE_GATHER_COUNT = 3;
const SECONDS_PER_HOUR = 3600;
/** Bound on the partitions examined while looking for two-step moves, so a hopeless case ends. */
const MAX_CHAIN_SCAN = 1 << 24;

/** What a rebalance did, as swift-ring-builder prints it. */
export interface RebalanceResult {
  /** The new builder (the input is not changed). */
  builder: BuilderFile;
  /** Partition-replicas now in a different zone than before (all of them on the first rebalance). */
  moved: number;
  /** Largest percentage by which a zone's partition count is off its weight's share. */
  balance: number;
  /** Percentage of partition-replicas sharing a zone with another replica of their partition. */
  dispersion: number;
}

/**
 * The table being rebalanced, with what the rules need: partition-replicas per zone, targets,
 * which partitions moved in this rebalance, and which slots already changed zone in it (a slot
 * that changed may change again: its data still moves once, from where it was to where it ends).
 */
class Assignment {
  readonly partitions: number;
  readonly replicas: number;
  readonly zones: readonly BuilderZone[];
  readonly assignable: readonly boolean[];
  readonly table: Uint16Array[];
  readonly partitionMovedAt: Uint32Array;
  readonly now: number;
  readonly minPartSeconds: number;
  readonly counts: number[];
  readonly target: readonly number[];
  readonly wanted: readonly number[];
  readonly movedNow: Uint8Array;
  readonly changed: Uint8Array;

  constructor(builder: BuilderFile, table: Uint16Array[], partitionMovedAt: Uint32Array, now: number) {
    this.partitions = 2 ** builder.partPower;
    this.replicas = builder.replicas;
    this.zones = builder.zones;
    this.assignable = builder.zones.map(isAssignable);
    this.table = table;
    this.partitionMovedAt = partitionMovedAt;
    this.now = now;
    this.minPartSeconds = builder.minPartHours * SECONDS_PER_HOUR;
    this.counts = partitionsPerZone(table, builder.zones.length);
    const { target, wanted } = zoneTargets(builder.zones, this.partitions, builder.replicas);
    this.target = target;
    this.wanted = wanted;
    this.movedNow = new Uint8Array(this.partitions);
    this.changed = new Uint8Array(this.partitions * builder.replicas);
  }

  zoneAt(p: number, r: number): number {
    return this.table[r]?.[p] ?? NO_ZONE;
  }

  holds(p: number, zone: number): boolean {
    return this.table.some((part2zone) => part2zone[p] === zone);
  }

  /** Partition-replicas `zone` holds beyond its target (negative: short of it). */
  excess(zone: number): number {
    return (this.counts[zone] ?? 0) - (this.target[zone] ?? 0);
  }

  /** Swift: _can_part_move(): not moved within min_part_hours, nor already in this rebalance. */
  canMove(p: number): boolean {
    if (this.movedNow[p] === 1) return false;
    const movedAt = this.partitionMovedAt[p] ?? 0;
    return movedAt === 0 || this.now - movedAt >= this.minPartSeconds;
  }

  /** A slot may change zone if it already did in this rebalance, or its partition may move. */
  movable(p: number, r: number): boolean {
    return this.changed[p * this.replicas + r] === 1 || this.canMove(p);
  }

  /** Swift: _set_part_moved(). */
  markMoved(p: number): void {
    this.partitionMovedAt[p] = this.now;
    this.movedNow[p] = 1;
  }

  unassign(p: number, r: number): void {
    const zone = this.zoneAt(p, r);
    if (zone !== NO_ZONE && zone < this.zones.length) this.counts[zone] = (this.counts[zone] ?? 0) - 1;
    const part2zone = this.table[r];
    if (part2zone) part2zone[p] = NO_ZONE;
    this.changed[p * this.replicas + r] = 1;
  }

  assign(p: number, r: number, zone: number): void {
    const from = this.zoneAt(p, r);
    if (from !== NO_ZONE) this.counts[from] = (this.counts[from] ?? 0) - 1;
    this.counts[zone] = (this.counts[zone] ?? 0) + 1;
    const part2zone = this.table[r];
    if (part2zone) part2zone[p] = zone;
    this.changed[p * this.replicas + r] = 1;
    this.markMoved(p);
  }

  /** Whether zone `a` wants partitions more than zone `b`: larger whole deficit, then exact, then lower index. */
  wantsMore(a: number, b: number): boolean {
    const deficitA = -this.excess(a);
    const deficitB = -this.excess(b);
    if (deficitA !== deficitB) return deficitA > deficitB;
    return (this.wanted[a] ?? 0) - (this.counts[a] ?? 0) > (this.wanted[b] ?? 0) - (this.counts[b] ?? 0);
  }

  /** The zone short of its target that wants `p` most and holds none of its replicas, or -1. */
  underZoneFor(p: number): number {
    let best = -1;
    for (let zone = 0; zone < this.zones.length; zone++) {
      if (!this.assignable[zone] || this.excess(zone) >= 0 || this.holds(p, zone)) continue;
      if (best < 0 || this.wantsMore(zone, best)) best = zone;
    }
    return best;
  }

  /** The movable replica of `p` in the zone furthest over its target, or -1. */
  overReplicaOf(p: number): number {
    let best = -1;
    let bestExcess = 0;
    for (let r = 0; r < this.replicas; r++) {
      const over = this.excess(this.zoneAt(p, r));
      if (over > bestExcess && this.movable(p, r)) {
        best = r;
        bestExcess = over;
      }
    }
    return best;
  }

  totalExcess(): number {
    return this.counts.reduce((sum, _, zone) => sum + Math.max(0, this.excess(zone)), 0);
  }
}

/**
 * Gather (Swift: _gather_parts_from_failed_devices, _gather_parts_for_dispersion): slots never
 * assigned; every slot on a removed zone, whatever min_part_hours says; and a second replica in
 * one zone, when its partition may move. Returns the gathered slots as `p * replicas + r`.
 */
function gather(a: Assignment): number[] {
  const gathered: number[] = [];
  for (let p = 0; p < a.partitions; p++) {
    for (let r = 0; r < a.replicas; r++) {
      const zone = a.zoneAt(p, r);
      if (zone !== NO_ZONE && zone < a.zones.length && !a.zones[zone]?.removed) continue;
      if (zone !== NO_ZONE && zone < a.zones.length) a.markMoved(p);
      a.unassign(p, r);
      gathered.push(p * a.replicas + r);
    }
  }
  for (let p = 0; p < a.partitions; p++) {
    if (!a.canMove(p)) continue;
    for (let r = 1; r < a.replicas; r++) {
      const zone = a.zoneAt(p, r);
      if (zone === NO_ZONE || !a.table.slice(0, r).some((part2zone) => part2zone[p] === zone)) continue;
      a.unassign(p, r);
      a.markMoved(p);
      gathered.push(p * a.replicas + r);
      break;
    }
  }
  return gathered;
}

/**
 * Reassign gathered slots, in shuffled order, each to the zone that most needs partitions and holds
 * no replica of its partition yet (Swift: _reassign_parts). "Most needs" is the zone's deficit over
 * the partitions it can still join, so a zone that must join every partition (capped at one
 * replica of each) is not squeezed out by zones that could go elsewhere.
 */
function place(a: Assignment, gathered: readonly number[], random: () => number): void {
  const toPlace = Uint32Array.from(gathered);
  shuffle(toPlace, random);
  const openSlots = new Uint8Array(a.partitions);
  for (const entry of toPlace) {
    const p = Math.floor(entry / a.replicas);
    openSlots[p] = (openSlots[p] ?? 0) + 1;
  }
  // available[zone]: partitions with an open slot and no replica in `zone`.
  const available = a.zones.map(() => 0);
  for (let p = 0; p < a.partitions; p++) {
    if (openSlots[p] === 0) continue;
    for (let zone = 0; zone < a.zones.length; zone++)
      if (!a.holds(p, zone)) available[zone] = (available[zone] ?? 0) + 1;
  }
  const urgency = (zone: number): number => -a.excess(zone) / Math.max(1, available[zone] ?? 0);
  for (const entry of toPlace) {
    const p = Math.floor(entry / a.replicas);
    const r = entry % a.replicas;
    let best = -1;
    let bestUrgency = 0;
    for (let zone = 0; zone < a.zones.length; zone++) {
      if (!a.assignable[zone] || a.holds(p, zone)) continue;
      const u = urgency(zone);
      if (best < 0 || u > bestUrgency || (u === bestUrgency && a.wantsMore(zone, best))) {
        best = zone;
        bestUrgency = u;
      }
    }
    if (best < 0) throw new RingBuilderError(`no zone can take partition ${p} replica ${r}`);
    a.assign(p, r, best);
    available[best] = (available[best] ?? 0) - 1;
    openSlots[p] = (openSlots[p] ?? 1) - 1;
    if (openSlots[p] === 0) {
      for (let zone = 0; zone < a.zones.length; zone++)
        if (!a.holds(p, zone)) available[zone] = (available[zone] ?? 0) - 1;
    }
  }
}

/**
 * Balance (Swift: _gather_parts_for_balance, up to MAX_BALANCE_GATHER_COUNT passes): move a
 * movable replica from the zone furthest over its target to the zone furthest under it. Where no
 * partition allows that directly, move in two steps through a zone at its target M: in p, M → under;
 * in another partition q, over → M. Every move brings one zone one step nearer its target, so
 * only needed moves are made.
 */
function balance(a: Assignment, random: () => number): void {
  let excess = a.totalExcess();
  const order = Uint32Array.from({ length: a.partitions }, (_, p) => p);
  for (let pass = 0; pass < MAX_BALANCE_GATHER_COUNT && excess > 0; pass++) {
    shuffle(order, random);
    for (const p of order) {
      if (excess === 0) break;
      const from = a.overReplicaOf(p);
      if (from < 0) continue;
      const to = a.underZoneFor(p);
      if (to < 0) continue;
      a.assign(p, from, to);
      excess--;
    }
  }
  // Partitions that could give a replica to the second step; rechecked when used.
  const donors = excess > 0 ? order.filter((q) => a.overReplicaOf(q) >= 0) : new Uint32Array(0);
  let scanned = 0;
  for (const p of donors.length > 0 ? order : []) {
    if (excess === 0 || scanned > MAX_CHAIN_SCAN) break;
    const to = a.underZoneFor(p);
    if (to < 0) continue;
    for (let r = 0; r < a.replicas; r++) {
      const via = a.zoneAt(p, r);
      if (!a.assignable[via] || a.excess(via) > 0 || !a.movable(p, r)) continue;
      let found = -1;
      let foundReplica = -1;
      for (const q of donors) {
        scanned++;
        if (q === p || a.holds(q, via)) continue;
        foundReplica = a.overReplicaOf(q);
        if (foundReplica >= 0) {
          found = q;
          break;
        }
      }
      if (found < 0) continue;
      a.assign(p, r, to);
      a.assign(found, foundReplica, via);
      excess--;
      break;
    }
  }
}

/**
 * Rebalances `builder` at `nowSeconds` (Unix seconds, from the caller's clock). Throws
 * RingBuilderError when fewer zones have weight than there are replicas (Swift: "Replica count
 * of 3 requires more than 2 devices").
 */
export function rebalance(builder: BuilderFile, nowSeconds: number): RebalanceResult {
  if (!Number.isFinite(nowSeconds) || nowSeconds < 1)
    throw new RingBuilderError(`now ${nowSeconds} is not a Unix time`);
  const { zones, replicas } = builder;
  const partitions = 2 ** builder.partPower;
  const assignableCount = zones.filter(isAssignable).length;
  if (assignableCount < replicas) {
    throw new RingBuilderError(
      `${replicas} replicas need at least ${replicas} zones with weight > 0, ` +
        `and the ${builder.ring} ring has ${assignableCount}`,
    );
  }
  if (zones.length >= NO_ZONE) throw new RingBuilderError(`a ring holds at most ${NO_ZONE - 1} zones`);

  const { table, partitionMovedAt } = decodeTables(builder);
  const before = table.map((part2zone) => part2zone.slice());
  const movedAtBefore = partitionMovedAt.slice();
  const now = Math.floor(nowSeconds);
  if (now > 0xffffffff) throw new RingBuilderError(`now ${nowSeconds} is past what a builder file can record`);

  const assignment = new Assignment(builder, table, partitionMovedAt, now);
  const random = seededRandom((builder.seed ^ Math.imul(builder.version + 1, 0x9e3779b1)) >>> 0);
  place(assignment, gather(assignment), random);
  balance(assignment, random);

  let moved = 0;
  for (let p = 0; p < partitions; p++) {
    let changed = 0;
    table.forEach((part2zone, r) => (changed += part2zone[p] === before[r]?.[p] ? 0 : 1));
    // A partition whose replicas all ended where they were did not move (a two-step move can do that).
    if (changed === 0) partitionMovedAt[p] = movedAtBefore[p] ?? 0;
    moved += changed;
  }

  // Removed zones hold nothing now: drop them and renumber the table (Swift fills the hole in devs).
  const newIndex = new Uint16Array(zones.length).fill(NO_ZONE);
  const kept: BuilderZone[] = [];
  zones.forEach((zone, index) => {
    if (zone.removed) return;
    newIndex[index] = kept.length;
    kept.push({ ...zone });
  });
  for (const part2zone of table) part2zone.forEach((zone, p) => (part2zone[p] = newIndex[zone] ?? NO_ZONE));

  const next: BuilderFile = {
    ...builder,
    zones: kept,
    ...encodeTables({ table, partitionMovedAt }),
    version: builder.version + 1,
    zonesChanged: false,
  };
  const partitionReplicas = partitions * replicas;
  return {
    builder: next,
    moved,
    balance: balanceOf(kept, partitionsPerZone(table, kept.length), partitionReplicas),
    dispersion: dispersionOf(table, kept.length, assignableCount),
  };
}
