/**
 * @module
 * What `edgeswift ring` prints and refuses: the builder file checked field by field, validate's
 * list of problems (Swift: RingBuilder.validate()), and show's summary, line for line (Swift:
 * swift-ring-builder <builder>).
 */
import { describe, it } from "vitest";
import { addZone, create, parseBuilderFile, removeZone, show, validate } from "../../../src/ring/builder.ts";
import { RingFileError } from "../../../src/ring/ring-file.ts";
import { base64ToUint16, uint16ToBase64 } from "../../../src/ring/table.ts";
import { BUILDER_FILE_FORMAT, type BuilderFile } from "../../../src/ring/types.ts";
import { built, T0, zone } from "./build.ts";

const SMALL = [
  zone("z1", 100, { locationHint: "enam", bucket: "BODIES_Z1" }),
  zone("z2", 50, { locationHint: "weur", bucket: "BODIES_Z2" }),
  zone("zone-three", 50, { bucket: "BODIES_Z3" }),
];

function refusal(json: unknown): string {
  try {
    parseBuilderFile(json);
  } catch (error) {
    if (error instanceof RingFileError) return error.message;
    throw error;
  }
  return "";
}

/** `builder` with every table entry of one replica set to `index`. */
function replicaAll(builder: BuilderFile, replica: number, index: number): BuilderFile {
  const tables = (builder.replica2Partition2Zone ?? []).map((text, r) =>
    uint16ToBase64(base64ToUint16(text).map((value) => (r === replica ? index : value))),
  );
  return { ...builder, replica2Partition2Zone: tables };
}

describe("parseBuilderFile", () => {
  it("something other than an object is refused", ({ expect }) => {
    expect(refusal([])).toBe("builder file is not a JSON object");
    expect(refusal(null)).toBe("builder file is not a JSON object");
  });

  it("a builder never rebalanced is read as it is", ({ expect }) => {
    const builder = addZone(create("account", 2, 1, 0), zone("z1"));
    expect(parseBuilderFile(JSON.parse(JSON.stringify(builder)))).toEqual(builder);
  });

  it("every wrong field is named, in one message", ({ expect }) => {
    const bad = {
      format: "x",
      ring: "r",
      partPower: -1,
      replicas: 1.5,
      minPartHours: "1",
      seed: null,
      version: -2,
      zones: [{ id: "z1", locationHint: null, weight: 1, bucket: null, removed: "no" }, 3],
      replica2Partition2Zone: ["AA==", 1],
      partitionMovedAt: 5,
      zonesChanged: "yes",
    };
    expect(refusal(bad)).toBe(
      `bad builder file: format is "x", expected "${BUILDER_FILE_FORMAT}"; ` +
        'ring is "r", expected account, container, object or object-<policy index>; ' +
        "partPower is not a whole number >= 0; replicas is not a whole number >= 0; " +
        "minPartHours is not a whole number >= 0; " +
        "seed is not a whole number >= 0; version is not a whole number >= 0; " +
        "zones[0].removed is not true or false; zones[1] is not an object; " +
        "replica2Partition2Zone is not null or a list of base64 strings; partitionMovedAt is not null or base64; " +
        "zonesChanged is not true or false",
    );
    expect(refusal({ ...built(SMALL, { partPower: 2, replicas: 2 }), replica2Partition2Zone: "AA==" })).toBe(
      "bad builder file: replica2Partition2Zone is not null or a list of base64 strings",
    );
    expect(
      refusal({ ...built(SMALL, { partPower: 2, replicas: 2 }), zones: [{ ...SMALL[0], removed: false, weight: -1 }] }),
    ).toBe("bad builder file: zones[0] has weight -1: expected a finite number >= 0");
  });
});

describe("validate (Swift: RingBuilder.validate)", () => {
  it("parameters out of range are reported alone, before anything else", ({ expect }) => {
    const builder = built(SMALL, { partPower: 2, replicas: 2 });
    expect(validate({ ...builder, partPower: 25, replicas: 0, minPartHours: 9000 })).toEqual([
      "part power 25 is not in 0..24",
      "replicas 0 is not in 1..255",
      "min_part_hours 9000 is not in 0..8760",
    ]);
    expect(validate({ ...builder, minPartHours: 8760 })).toEqual([]);
  });

  it("zones naming a bucket beside zones that do not are reported, up to five by name", ({ expect }) => {
    const ids = ["a", "b", "c", "d", "e", "f", "g"];
    let builder = create("object", 2, 1, 0);
    for (const id of ids) builder = addZone(builder, zone(id, 1, { bucket: "BODIES" }));
    builder = addZone(builder, zone("plain", 1));
    expect(validate(builder)).toContain(
      "zones a, b, c, d, e and 2 more name an R2 bucket and plain do not: name one for every zone or for none",
    );
  });

  it("a builder without weighted zones, or with too few, is reported", ({ expect }) => {
    expect(validate(addZone(create("object", 2, 1, 0), zone("z1", 0)))).toEqual([
      "no zone has weight > 0",
      "the ring has never been rebalanced",
    ]);
    expect(validate(addZone(create("object", 2, 2, 0), zone("z1", 1)))).toEqual([
      "2 replicas need 2 zones with weight > 0; there are 1",
      "the ring has never been rebalanced",
    ]);
  });

  it("a removed zone does not count among the zones with weight, nor among those naming buckets", ({ expect }) => {
    const builder = removeZone(
      built([zone("z1"), zone("z2", 100, { bucket: "B2" })], { partPower: 2, replicas: 1 }),
      "z2",
    );
    const problems = validate(builder);
    expect(problems.some((problem) => problem.includes("name an R2 bucket"))).toBe(false);
    expect(problems.some((problem) => problem.startsWith("removed zone z2 still holds"))).toBe(true);
  });

  it("a table naming the zone index just past the list is reported", ({ expect }) => {
    const builder = built(SMALL, { partPower: 2, replicas: 2 });
    expect(validate(replicaAll(builder, 1, 3))).toEqual([
      "partition/replica 0/1, 1/1, 2/1, 3/1 name a zone index past the zone list",
      "partitions 0, 1, 2, 3 have replicas in fewer than 2 distinct zones",
    ]);
  });

  it("a table that cannot be read is reported", ({ expect }) => {
    const builder = built(SMALL, { partPower: 2, replicas: 2 });
    const problems = validate({ ...builder, replica2Partition2Zone: ["AA=="] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^the table cannot be read: /);
  });
});

describe("show (Swift: swift-ring-builder <builder>)", () => {
  it("prints the parameters, balance, dispersion, time left and a table of zones", ({ expect }) => {
    const builder = built(SMALL, { partPower: 2, replicas: 2, minPartHours: 3 });
    expect(show(builder, T0 + 3 * 3600 - 3723)).toBe(
      [
        "object ring, version 1",
        "4 partitions (part power 2), 2 replicas, 3 zones",
        "balance 0.00, dispersion 0.00",
        "min_part_hours 3 (1:02:03 remaining)",
        "zones:",
        "  id          weight  partitions  balance  location hint  bucket     flags",
        "  z1          100     4           0.00     enam           BODIES_Z1",
        "  z2          50      2           0.00     weur           BODIES_Z2",
        "  zone-three  50      2           0.00     -              BODIES_Z3",
      ].join("\n"),
    );
    expect(show(builder, T0 + 4 * 3600)).toContain("min_part_hours 3 (0:00:00 remaining)\n");
  });

  it("marks removed zones and says the zones changed", ({ expect }) => {
    const builder = removeZone(
      addZone(built(SMALL, { partPower: 2, replicas: 2 }), zone("z4", 10, { bucket: "BODIES_Z4" })),
      "z2",
    );
    expect(show(builder)).toBe(
      [
        "object ring, version 1",
        "4 partitions (part power 2), 2 replicas, 4 zones",
        "balance 999.99, dispersion 0.00",
        "min_part_hours 1",
        "zones:",
        "  id          weight  partitions  balance  location hint  bucket     flags",
        "  z1          100     4           -20.00   enam           BODIES_Z1",
        "  z2          50      2           999.99   weur           BODIES_Z2  removed",
        "  zone-three  50      2           -20.00   -              BODIES_Z3",
        "  z4          10      0           -100.00  -              BODIES_Z4",
        "zones changed since the last rebalance: run rebalance",
      ].join("\n"),
    );
  });

  it("a builder never rebalanced, or whose table cannot be read, shows no balance", ({ expect }) => {
    const fresh = addZone(create("container", 1, 1, 0), zone("a", 1));
    expect(show(fresh, T0)).toBe(
      [
        "container ring, version 0",
        "2 partitions (part power 1), 1 replicas, 1 zones",
        "never rebalanced",
        "min_part_hours 0",
        "zones:",
        "  id  weight  partitions  balance  location hint  bucket  flags",
        "  a   1       0           -        -              -",
        "zones changed since the last rebalance: run rebalance",
      ].join("\n"),
    );
    const broken = { ...built(SMALL, { partPower: 2, replicas: 2 }), replica2Partition2Zone: ["AA=="] };
    expect(show(broken, T0)).toContain("never rebalanced\nmin_part_hours 1\n");
  });
});
