/**
 * @module
 * What the builder says about itself: the structural check of a builder file read from JSON,
 * `validate` (Swift: RingBuilder.validate(), a list of problems instead of the first exception),
 * and `show` (Swift: swift-ring-builder <builder> default command).
 */
import {
  balanceOf,
  balancePerZone,
  decodeTables,
  dispersionOf,
  isAssignable,
  MAX_MIN_PART_HOURS,
  NO_ZONE,
  partitionsPerZone,
  type BuilderTables,
} from "./builder-state.ts";
import { isIntegerIn, MAX_PART_POWER, RingFileError, zoneProblems } from "./ring-file.ts";
import { BUILDER_FILE_FORMAT, isRingName, type BuilderFile } from "./types.ts";

/** How many examples a problem about many partitions lists before summing up the rest. */
const MAX_LISTED = 5;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function listed(items: readonly (string | number)[]): string {
  const shown = items.slice(0, MAX_LISTED).join(", ");
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}

/**
 * The builder file in `json`, with every field of the right type (whether the values hold
 * together is `validate`'s job). Throws RingFileError naming the fields that are wrong.
 */
export function parseBuilderFile(json: unknown): BuilderFile {
  const input = json;
  if (!isRecord(json)) throw new RingFileError("builder file is not a JSON object");
  const problems: string[] = [];
  const f = json;
  if (f.format !== BUILDER_FILE_FORMAT)
    problems.push(`format is ${JSON.stringify(f.format)}, expected "${BUILDER_FILE_FORMAT}"`);
  if (!isRingName(f.ring))
    problems.push(`ring is ${JSON.stringify(f.ring)}, expected account, container, object or object-<policy index>`);
  for (const key of ["partPower", "replicas", "minPartHours", "seed", "version"] as const) {
    if (!isIntegerIn(f[key], 0, Number.MAX_SAFE_INTEGER)) problems.push(`${key} is not a whole number >= 0`);
  }
  if (!Array.isArray(f.zones)) problems.push("zones is not a list");
  else {
    f.zones.forEach((zone: unknown, i) => {
      problems.push(...zoneProblems(zone, `zones[${i}]`));
      if (isRecord(zone) && typeof zone.removed !== "boolean")
        problems.push(`zones[${i}].removed is not true or false`);
    });
  }
  const tables = f.replica2Partition2Zone;
  if (tables !== null && (!Array.isArray(tables) || !tables.every((t) => typeof t === "string"))) {
    problems.push("replica2Partition2Zone is not null or a list of base64 strings");
  }
  if (f.partitionMovedAt !== null && typeof f.partitionMovedAt !== "string")
    problems.push("partitionMovedAt is not null or base64");
  if (typeof f.zonesChanged !== "boolean") problems.push("zonesChanged is not true or false");
  if (problems.length > 0) throw new RingFileError(`bad builder file: ${problems.join("; ")}`);
  // Every field was checked above; this object is the narrowed result.
  return input as BuilderFile;
}

/**
 * Everything wrong with `builder`, empty when it can be written as a ring file: parameters out of
 * range, malformed or duplicate zones, too few zones with weight, a table never built, a
 * partition-replica with no zone or on a removed zone, a partition without `replicas` distinct
 * zones while there are that many zones. Swift: RingBuilder.validate().
 */
export function validate(builder: BuilderFile): string[] {
  const problems: string[] = [];
  if (!isIntegerIn(builder.partPower, 0, MAX_PART_POWER))
    problems.push(`part power ${builder.partPower} is not in 0..${MAX_PART_POWER}`);
  if (!isIntegerIn(builder.replicas, 1, 255)) problems.push(`replicas ${builder.replicas} is not in 1..255`);
  if (!isIntegerIn(builder.minPartHours, 0, MAX_MIN_PART_HOURS)) {
    problems.push(`min_part_hours ${builder.minPartHours} is not in 0..${MAX_MIN_PART_HOURS}`);
  }
  if (problems.length > 0) return problems;

  const ids = new Set<string>();
  builder.zones.forEach((zone, i) => {
    problems.push(...zoneProblems(zone, `zones[${i}]`));
    if (ids.has(zone.id)) problems.push(`zone id ${zone.id} is used twice`);
    ids.add(zone.id);
  });
  const live = builder.zones.filter((zone) => !zone.removed);
  const withBucket = live.filter((zone) => zone.bucket !== null).map((zone) => zone.id);
  if (withBucket.length > 0 && withBucket.length < live.length) {
    const without = live.filter((zone) => zone.bucket === null).map((zone) => zone.id);
    problems.push(
      `zones ${listed(withBucket)} name an R2 bucket and ${listed(without)} do not: ` +
        "name one for every zone or for none",
    );
  }
  const assignable = builder.zones.filter(isAssignable).length;
  if (assignable === 0) problems.push("no zone has weight > 0");
  else if (assignable < builder.replicas) {
    problems.push(
      `${builder.replicas} replicas need ${builder.replicas} zones with weight > 0; there are ${assignable}`,
    );
  }
  if (builder.replica2Partition2Zone === null) {
    problems.push("the ring has never been rebalanced");
    return problems;
  }
  let tables: BuilderTables;
  try {
    tables = decodeTables(builder);
  } catch (error) {
    problems.push(`the table cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    return problems;
  }
  return [...problems, ...tableProblems(builder, tables.table, live.length)];
}

function tableProblems(builder: BuilderFile, table: readonly Uint16Array[], liveZones: number): string[] {
  const problems: string[] = [];
  const partitions = 2 ** builder.partPower;
  const zoneCount = builder.zones.length;
  const distinctWanted = Math.min(builder.replicas, liveZones);
  const unassigned: string[] = [];
  const noSuchZone: string[] = [];
  const onRemoved = new Map<string, number>();
  const undispersed: number[] = [];
  const zonesOfPartition = new Set<number>();
  for (let p = 0; p < partitions; p++) {
    zonesOfPartition.clear();
    table.forEach((part2zone, r) => {
      const index = part2zone[p] ?? NO_ZONE;
      if (index === NO_ZONE) unassigned.push(`${p}/${r}`);
      else if (index >= zoneCount) noSuchZone.push(`${p}/${r}`);
      else {
        zonesOfPartition.add(index);
        const zone = builder.zones[index];
        if (zone?.removed) onRemoved.set(zone.id, (onRemoved.get(zone.id) ?? 0) + 1);
      }
    });
    if (zonesOfPartition.size < distinctWanted) undispersed.push(p);
  }
  if (unassigned.length > 0) problems.push(`partition/replica ${listed(unassigned)} have no zone`);
  if (noSuchZone.length > 0)
    problems.push(`partition/replica ${listed(noSuchZone)} name a zone index past the zone list`);
  for (const [id, count] of onRemoved)
    problems.push(`removed zone ${id} still holds ${count} partition-replicas: rebalance`);
  if (undispersed.length > 0) {
    problems.push(`partitions ${listed(undispersed)} have replicas in fewer than ${distinctWanted} distinct zones`);
  }
  return problems;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd();
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** What `show` prints, as data (`edgeswift ring … show --json`). */
export interface BuilderSummary {
  ring: string;
  version: number;
  partitions: number;
  partPower: number;
  replicas: number;
  /** Null until the first rebalance. */
  balance: number | null;
  dispersion: number | null;
  minPartHours: number;
  /** Seconds before a partition may move again (given `nowSeconds` and a rebalanced builder); else null. */
  minPartSecondsLeft: number | null;
  zones: {
    id: string;
    weight: number;
    partitions: number;
    balance: number | null;
    locationHint: string | null;
    bucket: string | null;
    removed: boolean;
  }[];
  zonesChanged: boolean;
}

/**
 * The builder's parameters, balance, dispersion, min_part_hours (with the time left when
 * `nowSeconds` is given) and, per zone, its weight, partitions and balance.
 */
export function summarize(builder: BuilderFile, nowSeconds?: number): BuilderSummary {
  const partitions = 2 ** builder.partPower;
  const partitionReplicas = partitions * builder.replicas;
  let tables: BuilderTables | null = null;
  if (builder.replica2Partition2Zone !== null) {
    try {
      tables = decodeTables(builder);
    } catch {
      tables = null;
    }
  }
  const table = tables?.table ?? null;
  const counts = table ? partitionsPerZone(table, builder.zones.length) : builder.zones.map(() => 0);
  let minPartSecondsLeft: number | null = null;
  if (nowSeconds !== undefined && tables) {
    // Swift: min_part_seconds_left, counted from the latest move.
    const lastMove = tables.partitionMovedAt.reduce((latest, at) => Math.max(latest, at), 0);
    minPartSecondsLeft = Math.max(0, lastMove + builder.minPartHours * 3600 - nowSeconds);
  }
  const balances = balancePerZone(builder.zones, counts, partitionReplicas);
  return {
    ring: builder.ring,
    version: builder.version,
    partitions,
    partPower: builder.partPower,
    replicas: builder.replicas,
    balance: table ? balanceOf(builder.zones, counts, partitionReplicas) : null,
    dispersion: table ? dispersionOf(table, builder.zones.length, builder.zones.filter(isAssignable).length) : null,
    minPartHours: builder.minPartHours,
    minPartSecondsLeft,
    zones: builder.zones.map((zone, i) => ({
      id: zone.id,
      weight: zone.weight,
      partitions: counts[i] ?? 0,
      balance: table ? (balances[i] ?? 0) : null,
      locationHint: zone.locationHint,
      bucket: zone.bucket,
      removed: zone.removed,
    })),
    zonesChanged: builder.zonesChanged,
  };
}

/** A printable summary: what `summarize` gives, one line per zone. */
export function show(builder: BuilderFile, nowSeconds?: number): string {
  const summary = summarize(builder, nowSeconds);
  const lines = [
    `${summary.ring} ring, version ${summary.version}`,
    `${summary.partitions} partitions (part power ${summary.partPower}), ` +
      `${summary.replicas} replicas, ${summary.zones.length} zones`,
    summary.balance === null || summary.dispersion === null
      ? "never rebalanced"
      : `balance ${summary.balance.toFixed(2)}, dispersion ${summary.dispersion.toFixed(2)}`,
    `min_part_hours ${summary.minPartHours}` +
      (summary.minPartSecondsLeft === null ? "" : ` (${duration(summary.minPartSecondsLeft)} remaining)`),
  ];
  const rows = [
    ["id", "weight", "partitions", "balance", "location hint", "bucket", "flags"],
    ...summary.zones.map((zone) => [
      zone.id,
      String(zone.weight),
      String(zone.partitions),
      zone.balance === null ? "-" : zone.balance.toFixed(2),
      zone.locationHint ?? "-",
      zone.bucket ?? "-",
      zone.removed ? "removed" : "",
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  lines.push("zones:", ...rows.map((row) => "  " + pad(row, widths)));
  if (summary.zonesChanged) lines.push("zones changed since the last rebalance: run rebalance");
  return lines.join("\n");
}
