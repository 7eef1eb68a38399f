/**
 * @module
 * Checks for what comes out of JSON: ring files bundled into the Worker, builder files read by the
 * CLI, and the zones in both. Each check names the field that is wrong, so a hand-edited file
 * fails with a sentence rather than a TypeError at request time.
 */
import { isRingName, RING_FILE_FORMAT, type RingFile, type Zone } from "./types.ts";

/** Zone ids become part of Durable Object names (`object/17/z1`): no `/`, short. */
export const ZONE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** Location hints are lowercase words such as "enam" or "apac-ne". */
export const LOCATION_HINT_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** R2 binding names are identifiers, as wrangler.toml spells them ("BODIES_Z1"). */
export const BUCKET_BINDING_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Largest part power the ring tools accept: 2^24 partitions per replica is already 16 M rows. */
export const MAX_PART_POWER = 24;

/** A thrown ring or builder file that does not hold together; the message says why. */
export class RingFileError extends Error {
  override name = "RingFileError";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Problems with one zone's fields (empty when it is well formed); `where` prefixes each. */
export function zoneProblems(value: unknown, where: string): string[] {
  if (!isRecord(value)) return [`${where} is not an object`];
  const problems: string[] = [];
  const { id, locationHint, weight, bucket } = value;
  if (typeof id !== "string" || !ZONE_ID_PATTERN.test(id)) {
    problems.push(`${where} has id ${JSON.stringify(id)}: expected 1-32 letters, digits, "_", "-" or "."`);
  }
  if (locationHint !== null && (typeof locationHint !== "string" || !LOCATION_HINT_PATTERN.test(locationHint))) {
    problems.push(`${where} has location hint ${JSON.stringify(locationHint)}: expected a lowercase word or null`);
  }
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
    problems.push(`${where} has weight ${JSON.stringify(weight)}: expected a finite number >= 0`);
  }
  if (bucket !== null && (typeof bucket !== "string" || !BUCKET_BINDING_PATTERN.test(bucket))) {
    problems.push(`${where} has bucket ${JSON.stringify(bucket)}: expected an R2 binding name or null`);
  }
  return problems;
}

/** A copy of a zone with exactly the `Zone` fields (drops builder-only fields such as `removed`). */
export function plainZone(zone: Zone): Zone {
  return { id: zone.id, locationHint: zone.locationHint, weight: zone.weight, bucket: zone.bucket };
}

/** True for an integer in [min, max]. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * The ring file in `json`, checked field by field (table contents are checked by Ring.fromFile).
 * Throws RingFileError naming the first fields that are wrong.
 */
export function parseRingFile(json: unknown): RingFile {
  const input = json;
  if (!isRecord(json)) throw new RingFileError("ring file is not a JSON object");
  const problems: string[] = [];
  const { format, ring, version, partPower, replicaCount, zones, zoneIndexBytes, replica2Partition2Zone } = json;
  if (format !== RING_FILE_FORMAT) problems.push(`format is ${JSON.stringify(format)}, expected "${RING_FILE_FORMAT}"`);
  if (!isRingName(ring))
    problems.push(`ring is ${JSON.stringify(ring)}, expected account, container, object or object-<policy index>`);
  if (!isIntegerIn(version, 0, Number.MAX_SAFE_INTEGER)) problems.push("version is not a whole number");
  if (!isIntegerIn(partPower, 0, MAX_PART_POWER))
    problems.push(`partPower is not a whole number in 0..${MAX_PART_POWER}`);
  if (!isIntegerIn(replicaCount, 1, 255)) problems.push("replicaCount is not a whole number in 1..255");
  if (!Array.isArray(zones)) problems.push("zones is not a list");
  else zones.forEach((zone: unknown, i) => problems.push(...zoneProblems(zone, `zones[${i}]`)));
  if (zoneIndexBytes !== 1 && zoneIndexBytes !== 2) problems.push("zoneIndexBytes is not 1 or 2");
  if (!Array.isArray(replica2Partition2Zone) || !replica2Partition2Zone.every((t) => typeof t === "string")) {
    problems.push("replica2Partition2Zone is not a list of base64 strings");
  }
  if (problems.length > 0) throw new RingFileError(`bad ring file: ${problems.join("; ")}`);
  // Every field was checked above; this object is the narrowed result.
  return input as RingFile;
}
