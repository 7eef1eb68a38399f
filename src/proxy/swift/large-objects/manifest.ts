/**
 * @module
 * SLO manifests: the client's manifest checked as Swift checks it (with Swift's messages, one
 * line per bad segment), the stored form (`name, bytes, hash, content_type, last_modified`
 * [`range`, `sub_slo`] or `data`), each segment's length, the large object's ETag (md5 of the
 * segments' etags, `etag:range;` for a ranged one), and the `format=raw` form.
 * Swift: common/middleware/slo.py parse_and_validate_input, _annotate_segments,
 * RespAttrs.update_from_segments, convert_segment_listing.
 */

import { SwiftError } from "../../../common/errors";
import { H } from "../../../common/headers";
import { parseRange, rangesForLength, type RangeSpec } from "../../../common/ranges";
import { md5Hex } from "../../../common/digest";
import { pythonInt, pythonJson } from "../../../common/python";

/** One object-backed segment of a client's manifest, checked. */
export interface PathInput {
  kind: "path";
  path: string;
  etag: string | null;
  sizeBytes: number | null;
  range: RangeSpec | null;
}

/** One inline data segment of a client's manifest, decoded. */
export interface DataInput {
  kind: "data";
  /** Base64 re-encoded with normal padding, as Swift stores it. */
  data: string;
  bytes: Uint8Array;
}

export type InputSegment = PathInput | DataInput;

/** A stored object-backed segment, keys in Swift's order. */
export interface StoredObjectSegment {
  name: string;
  bytes: number;
  hash: string;
  content_type: string;
  last_modified: string;
  range?: string;
  sub_slo?: true;
}

export interface StoredDataSegment {
  data: string;
}

export type StoredSegment = StoredObjectSegment | StoredDataSegment;

/** A stored segment with its length in the large object and, for data, its bytes. */
export type Segment =
  | (StoredObjectSegment & { length: number; rangeStart: number; rangeEnd: number })
  | (StoredDataSegment & { length: number; raw: Uint8Array });

/** Python's int() of a JSON value: integers, floats truncated, booleans, integer strings; null when it would raise. */
function pythonIntOfJson(value: unknown): number | null {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === "string") return pythonInt(value);
  return null;
}

/** Swift: utils.strict_b64decode — base64 alphabet only, padding as Python's b64decode wants it. */
export function strictBase64(value: unknown): Uint8Array | null {
  if (typeof value !== "string" || !/^=*[A-Za-z0-9+/]*=*$/.test(value)) return null;
  const core = value.replace(/^=+/, "").replace(/=+$/, "");
  const padding = value.length - value.replace(/=+$/, "").length;
  const rest = core.length % 4;
  if (rest === 1 || (rest > 0 && padding < 4 - rest)) return null;
  const text = atob(core);
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Parses and checks a client's manifest. 400 "Manifest must be valid JSON." / "must be a list."
 * (swob's text/html), or 400 text/plain with one `Index N: …` line per bad segment.
 * `self` is the manifest's own `/container/object`.
 */
export function parseManifestInput(text: string, self: string): InputSegment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw SwiftError.html("BadRequest", "Manifest must be valid JSON.\n");
  }
  if (!Array.isArray(parsed)) throw SwiftError.html("BadRequest", "Manifest must be a list.\n");
  const errors: string[] = [];
  const segments: InputSegment[] = [];
  const last = parsed.length - 1;
  parsed.forEach((entry: unknown, index) => {
    const error = (message: string): void => void errors.push(`Index ${index}: ${message}`);
    if (!isRecord(entry)) return error("not a JSON object");
    const kind = "data" in entry ? "data" : "path" in entry ? "path" : null;
    if (kind === null) return error("expected keys to include one of 'data' or 'path'");
    const allowed = kind === "data" ? ["data"] : ["path", "range", "etag", "size_bytes"];
    const extraneous = Object.keys(entry)
      .filter((key) => !allowed.includes(key))
      .sort();
    if (extraneous.length) return error(`extraneous keys ${extraneous.map((key) => pythonJson(key)).join(", ")}`);
    if (kind === "data") {
      const bytes = strictBase64(entry.data);
      if (bytes === null) return error("data must be valid base64");
      if (bytes.length < 1) return error("too small; each segment must be at least 1 byte.");
      segments.push({ kind: "data", data: base64(bytes), bytes });
      return;
    }
    const { path, etag } = entry;
    if (typeof path !== "string") return error('"path" must be a string');
    if (!(etag === undefined || etag === null || typeof etag === "string"))
      return error('"etag" must be a string or null (if provided)');
    if (!path.replace(/^\/+|\/+$/g, "").includes("/"))
      return error("path does not refer to an object. Path must be of the form /container/object.");
    let sizeBytes: number | null = null;
    if (entry.size_bytes !== undefined && entry.size_bytes !== null) {
      sizeBytes = pythonIntOfJson(entry.size_bytes);
      if (sizeBytes === null) return error("invalid size_bytes");
      if (sizeBytes < 1 && index !== last) return error("too small; each segment must be at least 1 byte.");
    }
    if (`/${path.replace(/^\/+/, "")}` === self) return error("manifest must not include itself as a segment");
    let range: RangeSpec | null = null;
    if (
      entry.range !== undefined &&
      entry.range !== null &&
      entry.range !== "" &&
      entry.range !== 0 &&
      entry.range !== false
    ) {
      const specs = parseRange(`bytes=${String(entry.range)}`);
      if (specs === null) return error("invalid range");
      const [spec] = specs;
      if (specs.length > 1 || !spec) return error("multiple ranges (only one allowed)");
      if (sizeBytes !== null && rangesForLength([spec], sizeBytes).length !== 1) return error("unsatisfiable range");
      range = spec;
    }
    segments.push({ kind: "path", path, etag: typeof etag === "string" ? etag : null, sizeBytes, range });
  });
  if (parsed.length && segments.length === parsed.length && segments.every((segment) => segment.kind === "data")) {
    errors.push("Inline data segments require at least one object-backed segment.");
  }
  if (errors.length) throw new SwiftError("BadRequest", errors.map((line) => `${line}\n`).join(""));
  return segments;
}

/** A stored manifest's segments; 500 "Unable to load SLO manifest" when it is not one. */
export function parseStoredManifest(text: string): StoredSegment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw SwiftError.html("InternalServerError", "Unable to load SLO manifest");
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (entry: unknown) =>
        isRecord(entry) &&
        (typeof entry.data === "string" ||
          (typeof entry.name === "string" && typeof entry.bytes === "number" && typeof entry.hash === "string")),
    );
  if (!valid) throw SwiftError.html("InternalServerError", "Unable to load SLO manifest");
  return parsed as StoredSegment[];
}

/** Each segment's length in the large object (a range's, data's, or the whole object's). Swift: _annotate_segments. */
export function annotate(stored: readonly StoredSegment[]): Segment[] {
  return stored.map((segment): Segment => {
    if ("data" in segment) {
      const raw = strictBase64(segment.data) ?? new Uint8Array(0);
      return { ...segment, raw, length: raw.length };
    }
    const [start, end] = (segment.range ?? `0-${segment.bytes - 1}`).split("-").map(Number);
    const rangeStart = start ?? 0;
    const rangeEnd = end ?? segment.bytes - 1;
    return { ...segment, rangeStart, rangeEnd, length: rangeEnd - rangeStart + 1 };
  });
}

/** The large object's ETag: md5 of each segment's etag (`etag:range;` when ranged, md5 of inline data). */
export async function sloEtag(segments: readonly (StoredSegment | Segment)[]): Promise<string> {
  const parts: string[] = [];
  for (const segment of segments) {
    if ("data" in segment) parts.push(await md5Hex(strictBase64(segment.data) ?? new Uint8Array(0)));
    else parts.push(segment.range ? `${segment.hash}:${segment.range};` : segment.hash);
  }
  return md5Hex(parts.join(""));
}

/**
 * The manifest as the client sent it (`path, etag, size_bytes, range`, keys sorted). Swift: convert_segment_listing.
 */
export function rawManifest(stored: readonly StoredSegment[]): string {
  return pythonJson(
    stored.map((segment) => {
      if ("data" in segment) return { data: segment.data };
      const raw: Record<string, unknown> = { etag: segment.hash, path: segment.name };
      if (segment.range !== undefined) raw.range = segment.range;
      raw.size_bytes = segment.bytes;
      return raw;
    }),
  );
}
