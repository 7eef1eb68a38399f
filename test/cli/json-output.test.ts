/**
 * @module
 * One parser for every edgeswift command (cli/strict-args.ts walking sub-commands), and `--json`
 * on each: ring create, add, set-weight, remove, rebalance, validate and show, and check print
 * one JSON document on stdout with what the text says.
 */
import { describe, it } from "vitest";
import { argsProblem } from "../../cli/strict-args.ts";
import { edgeswift, useScratchCluster } from "./helpers.ts";

const scratch = useScratchCluster();

function json(run: { status: number | null; stdout: string; stderr: string }): Record<string, unknown> {
  if (run.status !== 0) throw new Error(`exit ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe("edgeswift ring … --json", () => {
  it("create, add, set-weight, rebalance and show print JSON with their figures", ({ expect }) => {
    const { rings, where } = scratch();
    const dir = ["--dir", rings, "--config", where[3] ?? ""];
    expect(json(edgeswift("ring", "account", "create", "6", "3", "0", "--force", "--json", "--dir", rings))).toEqual({
      ring: "account",
      builder: `${rings}/account.builder.json`,
      partitions: 64,
      replicas: 3,
      minPartHours: 0,
    });
    for (const zone of ["z1", "z2", "z3"]) {
      const added = json(edgeswift("ring", "account", "add", zone, "--weight", "100", "--json", ...dir));
      expect(added).toMatchObject({ ring: "account", added: { id: zone, weight: 100 } });
    }
    const rebalanced = json(edgeswift("ring", "account", "rebalance", "--json", ...dir));
    expect(rebalanced).toMatchObject({ ring: "account", moved: 192, movedPercent: 100, balance: expect.any(Number) });
    const again = json(edgeswift("ring", "account", "rebalance", "--json", ...dir));
    expect(again).toMatchObject({ ring: "account", moved: 0 });
    expect(json(edgeswift("ring", "account", "set-weight", "z3", "50", "--json", "--dir", rings))).toEqual({
      ring: "account",
      zone: "z3",
      weight: 50,
    });
    const shown = json(edgeswift("ring", "account", "show", "--json", "--dir", rings));
    expect(shown).toMatchObject({ ring: "account", partitions: 64, partPower: 6, replicas: 3, zonesChanged: true });
    expect((shown.zones as { id: string; partitions: number }[]).map((zone) => [zone.id, zone.partitions])).toEqual([
      ["z1", 64],
      ["z2", 64],
      ["z3", 64],
    ]);
    expect(json(edgeswift("ring", "account", "remove", "z3", "--json", "--dir", rings))).toEqual({
      ring: "account",
      removed: "z3",
    });
  });

  it("validate --json gives its problems and exits 1 when there are some", ({ expect }) => {
    const { where, editConfig } = scratch();
    expect(json(edgeswift("ring", "object", "validate", "--json", ...where))).toEqual({
      ring: "object",
      valid: true,
      problems: [],
    });
    editConfig((text) => text.replace(/binding = "BODIES_Z3"/, 'binding = "OTHER"'));
    const run = edgeswift("ring", "object", "validate", "--json", ...where);
    expect(run.status).toBe(1);
    const body = JSON.parse(run.stdout) as { valid: boolean; problems: string[] };
    expect(body.valid).toBe(false);
    expect(body.problems.join("\n")).toContain("BODIES_Z3");
  });

  it("check --json gives ok, the problems and the summary", ({ expect }) => {
    const { rings, config } = scratch();
    const body = json(edgeswift("check", "--json", "--dir", rings, "--config", config));
    expect(body).toMatchObject({ ok: true, problems: [], hint: null });
    expect(body.summary).toContain("rings and");
  });
});

describe("one strict parser for every edgeswift command", () => {
  it("refuses an option the command does not declare, and arguments past its positionals", ({ expect }) => {
    // On a scratch copy: a parser that let a mistake through must not change the repository's rings.
    const { rings } = scratch();
    for (const [args, message] of [
      [["check", "--dri", "rings"], "edgeswift: unknown option --dri"],
      [["ring", "object", "show", "--no-json", "--dir", rings], "edgeswift: unknown option --no-json"],
      [["ring", "object", "remove", "z1", "z2", "--dir", rings], "edgeswift: unexpected argument: z2"],
      [
        ["ring", "object", "create", "10", "3", "--dir", rings],
        "edgeswift: Missing required positional argument: MIN_PART_HOURS",
      ],
      [
        ["ring", "object"],
        "edgeswift: no command given: one of create, add, remove, set-weight, rebalance, validate, show",
      ],
      [["status", "extra"], "edgeswift: unexpected argument: extra"],
    ] as const) {
      const run = edgeswift(...args);
      expect(run.status, args.join(" ")).toBe(1);
      expect(run.stderr).toContain("USAGE");
      expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(message);
    }
  });

  it("takes declared positionals, and those after --", ({ expect }) => {
    const args = { zone: { type: "positional" }, dir: { type: "string" } } as const;
    expect(argsProblem(args, ["z1", "--dir", "rings"])).toBeNull();
    expect(argsProblem(args, ["--", "-z1"])).toBeNull();
    expect(argsProblem(args, ["z1", "z2"])).toBe("unexpected argument: z2");
    expect(argsProblem(args, ["--", "z1", "z2"])).toBe("unexpected argument: z2");
  });
});
