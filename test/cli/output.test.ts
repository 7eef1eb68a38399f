/**
 * @module
 * cli/output.ts: aligned tables, durations for people, and the bench scripts' `name=value`
 * figures as the one JSON object their `--json` prints (`npm run model -- --json` run here; the
 * bench runs need a Worker).
 */
import { describe, it } from "vitest";
import { duration, namedValues, table } from "../../cli/output.ts";
import { runScript } from "./helpers.ts";

describe("CLI output", () => {
  it("pads table columns to their widest cell, two spaces apart, no trailing blanks", ({ expect }) => {
    expect(
      table([
        ["ring", "zones"],
        ["container", "z1,z2"],
        ["object", ""],
      ]),
    ).toBe("ring       zones\ncontainer  z1,z2\nobject");
  });

  it("says durations in seconds, minutes, hours and days", ({ expect }) => {
    expect([duration(4.4), duration(252), duration(7500), duration(273_600)]).toEqual([
      "4 s",
      "4 min 12 s",
      "2 h 5 min",
      "3 d 4 h",
    ]);
  });

  it("reads name=value lines into one object, numbers as numbers, other lines skipped", ({ expect }) => {
    expect(namedValues(["ops=2000\nedgeswift.put.ops_per_s=58.10", "", "a table | row", "api=s3", "=x"])).toEqual({
      ops: 2000,
      "edgeswift.put.ops_per_s": 58.1,
      api: "s3",
    });
  });

  it("npm run model -- --json prints its figures as one JSON object instead of the report", ({ expect }) => {
    const run = runScript("bench/model.ts", ["--json"]);
    expect(run.status).toBe(0);
    const figures = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(typeof figures["model.sweep.usd_per_month"]).toBe("number");
    expect(run.stdout).not.toContain("Deployment:");
  });
});
