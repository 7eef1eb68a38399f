/**
 * @module
 * What the ring tools refuse in a hand-edited ring file, each problem named; and the tables'
 * compact form (little-endian, base64), which must stay byte for byte what it is.
 */
import { describe, it } from "vitest";
import { isIntegerIn, parseRingFile, plainZone, RingFileError, zoneProblems } from "../../../src/ring/ring-file";
import {
  base64ToBytes,
  base64ToUint16,
  base64ToUint32,
  bytesToBase64,
  uint16ToBase64,
  uint32ToBase64,
} from "../../../src/ring/table";
import { RING_FILE_FORMAT } from "../../../src/ring/types";

const zone = { id: "z1", locationHint: "enam", weight: 1, bucket: "BODIES_Z1" };
const ringFile = {
  format: RING_FILE_FORMAT,
  ring: "object",
  version: 1,
  partPower: 1,
  replicaCount: 1,
  zones: [zone],
  zoneIndexBytes: 1,
  replica2Partition2Zone: ["AAA="],
};

function problemOf(json: unknown): string {
  try {
    parseRingFile(json);
  } catch (error) {
    if (error instanceof RingFileError) return error.message;
    throw error;
  }
  return "";
}

describe("zones", () => {
  it("a well-formed zone has no problems; null location hint and bucket are allowed", ({ expect }) => {
    expect(zoneProblems(zone, "zone")).toEqual([]);
    expect(zoneProblems({ ...zone, locationHint: null, bucket: null, weight: 0 }, "zone")).toEqual([]);
    expect(zoneProblems({ ...zone, id: `a${"b".repeat(31)}` }, "zone")).toEqual([]);
  });

  it("a location hint or bucket must be a string, not a list that prints as one", ({ expect }) => {
    expect(zoneProblems({ ...zone, locationHint: ["enam"] }, "zone")).toEqual([
      'zone has location hint ["enam"]: expected a lowercase word or null',
    ]);
    expect(zoneProblems({ ...zone, bucket: ["BODIES_Z1"] }, "zone")).toEqual([
      'zone has bucket ["BODIES_Z1"]: expected an R2 binding name or null',
    ]);
  });

  it("a ring file's errors are RingFileErrors by name; its zones are named by position; each table must be a string", ({
    expect,
  }) => {
    try {
      parseRingFile({ ...ringFile, zones: [zone, { ...zone, weight: -1 }] });
    } catch (error) {
      expect(error).toBeInstanceOf(RingFileError);
      expect((error as Error).name).toBe("RingFileError");
    }
    expect(problemOf({ ...ringFile, zones: [zone, { ...zone, weight: -1 }] })).toBe(
      "bad ring file: zones[1] has weight -1: expected a finite number >= 0",
    );
    expect(problemOf({ ...ringFile, replica2Partition2Zone: ["AAA=", 5] })).toBe(
      "bad ring file: replica2Partition2Zone is not a list of base64 strings",
    );
  });

  it("each bad field is named with what was expected", ({ expect }) => {
    expect(zoneProblems([], "zones[0]")).toEqual(["zones[0] is not an object"]);
    expect(zoneProblems(null, "zones[0]")).toEqual(["zones[0] is not an object"]);
    expect(zoneProblems({ id: "a/b", locationHint: "ENAM", weight: -1, bucket: "1X" }, "zones[2]")).toEqual([
      `zones[2] has id "a/b": expected 1-32 letters, digits, "_", "-" or "."`,
      `zones[2] has location hint "ENAM": expected a lowercase word or null`,
      "zones[2] has weight -1: expected a finite number >= 0",
      `zones[2] has bucket "1X": expected an R2 binding name or null`,
    ]);
  });

  it("ids, hints and bindings are checked whole, lengths included", ({ expect }) => {
    for (const id of ["", `a${"b".repeat(32)}`, ".z", 7, "z 1"])
      expect(zoneProblems({ ...zone, id }, "z"), String(id)).toHaveLength(1);
    for (const locationHint of ["", "1a", `a${"b".repeat(32)}`, "a_b", 5, "enam "])
      expect(zoneProblems({ ...zone, locationHint }, "z"), String(locationHint)).toHaveLength(1);
    for (const weight of ["1", Number.POSITIVE_INFINITY, Number.NaN])
      expect(zoneProblems({ ...zone, weight }, "z"), String(weight)).toHaveLength(1);
    for (const bucket of ["", `A${"B".repeat(64)}`, "a-b", 1, " A"])
      expect(zoneProblems({ ...zone, bucket }, "z"), String(bucket)).toHaveLength(1);
    expect(
      zoneProblems({ ...zone, locationHint: `a${"b".repeat(31)}`, bucket: `_${"B".repeat(63)}`, id: "Z9_.-a" }, "z"),
    ).toEqual([]);
  });

  it("a plain zone keeps exactly the ring file's zone fields", ({ expect }) => {
    expect(plainZone({ ...zone, removed: true } as typeof zone)).toEqual(zone);
  });

  it("isIntegerIn takes whole numbers within both bounds", ({ expect }) => {
    expect([
      isIntegerIn(0, 0, 2),
      isIntegerIn(2, 0, 2),
      isIntegerIn(3, 0, 2),
      isIntegerIn(-1, 0, 2),
      isIntegerIn(1.5, 0, 2),
      isIntegerIn("1", 0, 2),
    ]).toEqual([true, true, false, false, false, false]);
  });
});

describe("parseRingFile", () => {
  it("a well-formed ring file is returned as it is", ({ expect }) => {
    expect(parseRingFile(ringFile)).toBe(ringFile);
    expect(
      parseRingFile({ ...ringFile, zoneIndexBytes: 2, partPower: 24, replicaCount: 255, version: 0 }),
    ).toMatchObject({ zoneIndexBytes: 2 });
  });

  it("something other than an object is refused", ({ expect }) => {
    expect(problemOf([])).toBe("ring file is not a JSON object");
    expect(problemOf("x")).toBe("ring file is not a JSON object");
  });

  it("every wrong field is named, in one message", ({ expect }) => {
    expect(
      problemOf({
        format: "x",
        ring: "r",
        version: -1,
        partPower: 25,
        replicaCount: 0,
        zones: {},
        zoneIndexBytes: 3,
        replica2Partition2Zone: [1],
      }),
    ).toBe(
      `bad ring file: format is "x", expected "${RING_FILE_FORMAT}"; ` +
        'ring is "r", expected account, container, object or object-<policy index>; version is not a whole number; ' +
        "partPower is not a whole number in 0..24; replicaCount is not a whole number in 1..255; " +
        "zones is not a list; zoneIndexBytes is not 1 or 2; " +
        "replica2Partition2Zone is not a list of base64 strings",
    );
    expect(problemOf({ ...ringFile, replicaCount: 256 })).toBe(
      "bad ring file: replicaCount is not a whole number in 1..255",
    );
    expect(problemOf({ ...ringFile, replica2Partition2Zone: "AAA=" })).toBe(
      "bad ring file: replica2Partition2Zone is not a list of base64 strings",
    );
    expect(problemOf({ ...ringFile, zones: [zone, { ...zone, weight: -2 }] })).toBe(
      "bad ring file: zones[1] has weight -2: expected a finite number >= 0",
    );
  });
});

describe("tables", () => {
  it("uint16 and uint32 tables are little-endian base64", ({ expect }) => {
    expect(uint16ToBase64(new Uint16Array([1, 0x0102]))).toBe(bytesToBase64(new Uint8Array([1, 0, 2, 1])));
    expect(uint32ToBase64(new Uint32Array([1, 0x01020304]))).toBe(
      bytesToBase64(new Uint8Array([1, 0, 0, 0, 4, 3, 2, 1])),
    );
    expect([...base64ToUint16(uint16ToBase64(new Uint16Array([0, 65_535, 258])))]).toEqual([0, 65_535, 258]);
    expect([...base64ToUint32(uint32ToBase64(new Uint32Array([0, 4_294_967_295, 16_909_060])))]).toEqual([
      0, 4_294_967_295, 16_909_060,
    ]);
  });

  it("bytes round-trip through base64, also past one 32 KiB chunk", ({ expect }) => {
    const bytes = Uint8Array.from({ length: 0x8000 * 2 + 3 }, (_, i) => (i * 7) % 256);
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    expect(bytesToBase64(new Uint8Array([0xff, 0, 1]))).toBe("/wAB");
    expect(bytesToBase64(new Uint8Array([]))).toBe("");
  });

  it("a table of the wrong byte count is refused", ({ expect }) => {
    expect(() => base64ToUint16(bytesToBase64(new Uint8Array([1, 2, 3])))).toThrow(
      "uint16 table has an odd number of bytes",
    );
    expect(() => base64ToUint32(bytesToBase64(new Uint8Array([1, 2, 3, 4, 5, 6])))).toThrow(
      "uint32 table length is not a multiple of 4 bytes",
    );
  });
});
