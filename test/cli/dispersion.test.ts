/**
 * @module
 * cli/dispersion.ts: how many partitions `--coverage` asks for, which rings a run covers, and the
 * report in Swift's words and --json fields (swift-dispersion-report), from the placements the
 * Worker answers. Against a running Worker: test/clients/cli-status.test.ts.
 */
import { describe, it } from "vitest";
import {
  dispersionOptions,
  missingString,
  partitionsToCover,
  renderRingReport,
  ringReport,
  targetsOf,
  type Layout,
  type Target,
} from "../../cli/dispersion.ts";
import { UsageError } from "../../cli/strict-args.ts";
import { edgeswift } from "./helpers.ts";

const OBJECT: Target = { ring: "object", kind: "object", policy: { index: 0, name: "gold" }, partitionCount: 1024 };
const CONTAINER: Target = { ring: "container", kind: "container", policy: null, partitionCount: 1024 };
const all = ["z1", "z2", "z3"];

const LAYOUT: Layout = {
  rings: {
    container: { partitionCount: 1024, replicaCount: 3, zones: [] },
    object: { partitionCount: 1024, replicaCount: 3, zones: [] },
    "object-1": { partitionCount: 256, replicaCount: 2, zones: [] },
    "object-2": { partitionCount: 1024, replicaCount: 1, zones: [] },
  },
  policies: [
    { index: 0, name: "gold", ring: "object", default: true, deprecated: false },
    { index: 1, name: "silver", ring: "object-1", default: false, deprecated: false },
    { index: 2, name: "old", ring: "object-2", default: false, deprecated: true },
  ],
  maxDispersionItems: 100,
};
const OPTIONS = { policies: null, containers: true, objects: true };

describe("dispersion coverage", () => {
  it("is Swift's dispersion_coverage percent of the ring's partitions, rounded down, at least one", ({ expect }) => {
    expect(partitionsToCover(1, 1024)).toBe(10);
    expect(partitionsToCover(1, 2 ** 18)).toBe(2621);
    expect(partitionsToCover(1, 16)).toBe(1);
    expect(partitionsToCover(100, 1024)).toBe(1024);
    expect(partitionsToCover(0.5, 1024)).toBe(5);
  });

  it("covers the container ring and every policy not deprecated, or the policies named", ({ expect }) => {
    expect(targetsOf(LAYOUT, OPTIONS).map((target) => target.ring)).toEqual(["container", "object", "object-1"]);
    expect(targetsOf(LAYOUT, { ...OPTIONS, policies: ["old"] }).map((target) => target.ring)).toEqual([
      "container",
      "object-2",
    ]);
    expect(targetsOf(LAYOUT, { ...OPTIONS, containers: false }).map((target) => target.ring)).toEqual([
      "object",
      "object-1",
    ]);
    expect(targetsOf(LAYOUT, { ...OPTIONS, objects: false }).map((target) => target.ring)).toEqual(["container"]);
    expect(() => targetsOf(LAYOUT, { ...OPTIONS, policies: ["bronze"] })).toThrow(
      "--policy bronze: the cluster's policies are gold, silver, old",
    );
  });

  it("refuses a coverage, concurrency or retries that is not one, and both --…-only", ({ expect }) => {
    for (const [args, message] of [
      [{ coverage: "0" }, '--coverage must be a percentage above 0 and at most 100, not "0"'],
      [{ coverage: "101" }, "--coverage must be a percentage above 0 and at most 100"],
      [{ coverage: "1%" }, "--coverage must be a percentage"],
      [{ concurrency: "0" }, "--concurrency must be a whole number >= 1"],
      [{ retries: "-1" }, "--retries must be a whole number >= 0"],
      [{ "container-only": true, "object-only": true }, "--container-only and --object-only exclude each other"],
    ] as const) {
      expect(() => dispersionOptions(args)).toThrow(UsageError);
      expect(() => dispersionOptions(args)).toThrow(message);
    }
    expect(dispersionOptions({ policy: "gold, silver" })).toMatchObject({
      coverage: 1,
      concurrency: 8,
      retries: 5,
      policies: ["gold", "silver"],
    });
  });
});

describe("the dispersion report", () => {
  it("counts each partition once, its copies found on its primaries, and partitions by copies missing", ({
    expect,
  }) => {
    const report = ringReport(
      OBJECT,
      [
        { partition: 1, primaries: all, found: all },
        { partition: 1, primaries: all, found: [] }, // overlapping: partition 1 counted once
        { partition: 2, primaries: all, found: ["z1", "z2"] },
        { partition: 3, primaries: all, found: ["z1"] },
        { partition: 4, primaries: all, found: ["z2"] },
        { partition: 5, primaries: all, found: [] },
      ],
      2,
      1.2,
    );
    expect(report).toMatchObject({
      queried: 6,
      partitions: 5,
      overlapping: 1,
      retries: 2,
      copies_found: 7,
      copies_expected: 15,
      missing_1: 1,
      missing_2: 2,
      missing_3: 1,
    });
    expect(report.pct_found).toBeCloseTo(46.667, 3);
    expect(report.pct_partition_space).toBeCloseTo((100 * 5) / 1024, 6);
    expect("missing_0" in report).toBe(false);
  });

  it("prints Swift's lines: queried, missing copies, percent found, sample size", ({ expect }) => {
    const report = ringReport(
      OBJECT,
      [
        { partition: 1, primaries: all, found: all },
        { partition: 2, primaries: all, found: ["z1", "z2"] },
      ],
      0,
      3.4,
    );
    expect(renderRingReport(report, 3)).toBe(
      [
        "Using storage policy: gold (ring object)",
        "Queried 2 objects for dispersion reporting, 3s, 0 retries",
        "There was 1 partition missing 1 copy.",
        "83.33% of object copies found (5 of 6)",
        "Sample represents 0.20% of the object partition space",
      ].join("\n"),
    );
    const containers = ringReport(CONTAINER, [{ partition: 9, primaries: all, found: all }], 0, 0);
    expect(renderRingReport(containers, 3)).toContain("100.00% of container copies found (3 of 3)");
    expect(renderRingReport(ringReport(CONTAINER, [], 0, 0), 3)).toBe(
      'No containers to query. Has "edgeswift dispersion populate" been run?',
    );
  });

  it("words missing copies as Swift's missing_string: one copy left is '! ', none '!!! … all'", ({ expect }) => {
    expect(missingString(2, 1, 3)).toBe("There were 2 partitions missing 1 copy.");
    expect(missingString(1, 2, 3)).toBe("! There was 1 partition missing 2 copies.");
    expect(missingString(4, 3, 3)).toBe("!!! There were 4 partitions missing all copies.");
    expect(missingString(1, 1, 2)).toBe("! There was 1 partition missing 1 copy.");
  });
});

describe("edgeswift dispersion on the command line", () => {
  it("--help lists populate, report and run", ({ expect }) => {
    const run = edgeswift("dispersion", "--help");
    expect(run.status).toBe(0);
    for (const command of ["populate", "report", "run"]) expect(run.stdout).toContain(command);
  });

  it("refuses a coverage that is no percentage under its usage, before asking anything", ({ expect }) => {
    const run = edgeswift("dispersion", "populate", "--coverage", "0", "--url", "http://127.0.0.1:9");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--coverage=<percent>");
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      'edgeswift: --coverage must be a percentage above 0 and at most 100, not "0"',
    );
  });

  it("refuses an unknown sub-command, naming the ones there are", ({ expect }) => {
    const run = edgeswift("dispersion", "reprot");
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      "edgeswift: unknown command reprot: one of populate, report, run",
    );
  });
});
