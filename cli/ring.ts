/**
 * @module
 * `edgeswift ring <account|container|object> <command>`: swift-ring-builder for edgeswift. Each
 * command reads `<dir>/<ring>.builder.json`, applies one pure operation from src/ring/builder.ts
 * and writes the builder back; `rebalance` also writes `<dir>/<ring>.ring.json`, the file the
 * Worker bundles. This module owns the clock (rebalance) and the file system; src/ring has neither.
 * The zones' buckets are checked against wrangler.toml's `[[r2_buckets]]` (the rule the Worker
 * applies at start): `add` warns, `rebalance` refuses to write a ring the Worker could not serve
 * with, `validate` exits 1.
 */
import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import {
  addZone,
  create,
  rebalance,
  removeZone,
  setWeight,
  show,
  summarize,
  toRingFile,
  validate,
} from "../src/ring/builder.ts";
import { RING_NAMES, type RingName, type Zone } from "../src/ring/types.ts";
import { bindingHint, CONFIG_ARG, describeUnbound, unboundInConfig } from "./check.ts";
import {
  builderExists,
  builderPath,
  CliError,
  readBuilder,
  readRing,
  ringPath,
  writeBuilder,
  writeRing,
  writeRingIndex,
} from "./ring-files.ts";
import { JSON_ARG } from "./cluster.ts";
import { printJson } from "./output.ts";
import { progress } from "./progress.ts";
import { readWranglerConfig } from "./wrangler-config.ts";

/** From this part power a rebalance takes seconds (3 at 20, 20 at 22 measured): it draws a progress bar. */
const REBALANCE_BAR_PART_POWER = 18;
/** The bar's shares of the work: rebalance() about 70%, encoding the ring file 25%, writing the rest. */
const REBALANCE_SHARE = 70;
const RING_FILE_SHARE = 25;

/** Location hints Cloudflare documents; another lowercase word is accepted with a warning. */
const KNOWN_LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "apac-ne", "apac-se", "oc", "afr", "me"];

const DIR_ARG = {
  dir: { type: "string", description: "folder of the ring and builder files", default: "rings", valueHint: "folder" },
  ...JSON_ARG,
} as const satisfies ArgsDef;

/** Prints the outcome: `value` as JSON with --json, else `text`'s lines. */
function say(json: boolean | undefined, value: unknown, ...text: string[]): void {
  if (json) printJson(value);
  else for (const line of text) console.log(line);
}

/** Lines saying which of `zones`' bucket bindings wrangler.toml lacks, and what to add; empty when none. */
function unboundLines(ring: RingName, zones: readonly Zone[], configPath: string): string[] {
  const config = readWranglerConfig(configPath);
  const unbound = unboundInConfig(ring, zones, config);
  return unbound.length === 0
    ? []
    : [...unbound.map((problem) => describeUnbound(problem, config)), "", bindingHint(unbound, config)];
}

function nowSeconds(): number {
  return Date.now() / 1000;
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${what} must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

function weightOf(text: string | undefined): number {
  if (text === undefined || text === "") throw new CliError("--weight is required: a number >= 0, e.g. --weight 100");
  if (!/^\d+(\.\d+)?$/.test(text)) throw new CliError(`weight must be a number >= 0, not ${JSON.stringify(text)}`);
  return Number(text);
}

function ringCommands(ring: RingName): CommandDef {
  const createCommand = defineCommand({
    meta: { name: "create", description: `create ${ring}.builder.json (Swift: swift-ring-builder create)` },
    args: {
      part_power: {
        type: "positional",
        required: true,
        description: "log2 of the partition count, 0..24",
        valueHint: "part_power",
      },
      replicas: {
        type: "positional",
        required: true,
        description: "replicas of every partition, >= 1",
        valueHint: "replicas",
      },
      min_part_hours: {
        type: "positional",
        required: true,
        description: "hours before a moved partition may move again, 0..255",
        valueHint: "min_part_hours",
      },
      force: { type: "boolean", description: "replace an existing builder file" },
      ...DIR_ARG,
    },
    run({ args }) {
      if (builderExists(args.dir, ring) && !args.force) {
        throw new CliError(`${builderPath(args.dir, ring)} already exists (use --force to start over)`);
      }
      const builder = create(
        ring,
        wholeNumber(args.part_power, "part_power"),
        wholeNumber(args.replicas, "replicas"),
        wholeNumber(args.min_part_hours, "min_part_hours"),
      );
      writeBuilder(args.dir, builder);
      const path = builderPath(args.dir, ring);
      const partitions = 2 ** builder.partPower;
      say(
        args.json,
        { ring, builder: path, partitions, replicas: builder.replicas, minPartHours: builder.minPartHours },
        `created ${path}: ${partitions} partitions, ${builder.replicas} replicas`,
      );
    },
  });

  const addCommand = defineCommand({
    meta: { name: "add", description: "add a zone (Swift: swift-ring-builder add)" },
    args: {
      zone: { type: "positional", required: true, description: "zone id, e.g. z4", valueHint: "zone-id" },
      weight: { type: "string", description: "share of partitions, >= 0", valueHint: "W" },
      "location-hint": { type: "string", description: "Durable Object location hint, e.g. enam", valueHint: "H" },
      bucket: { type: "string", description: "R2 binding of the zone's bodies, e.g. BODIES_Z4", valueHint: "BINDING" },
      ...DIR_ARG,
      ...CONFIG_ARG,
    },
    run({ args }) {
      const hint = args["location-hint"] ?? null;
      if (hint !== null && !KNOWN_LOCATION_HINTS.includes(hint)) {
        console.warn(
          `warning: ${JSON.stringify(hint)} is not a location hint Cloudflare documents ` +
            `(${KNOWN_LOCATION_HINTS.join(", ")})`,
        );
      }
      const zone = { id: args.zone, locationHint: hint, weight: weightOf(args.weight), bucket: args.bucket ?? null };
      writeBuilder(args.dir, addZone(readBuilder(args.dir, ring), zone));
      say(
        args.json,
        { ring, added: zone },
        `zone ${zone.id} added to the ${ring} ring with weight ${zone.weight}; run rebalance to give it partitions`,
      );
      // A warning, not a refusal: the binding may be added after the zone; rebalance refuses.
      try {
        const config = readWranglerConfig(args.config);
        const [unbound] = unboundInConfig(ring, [zone], config);
        if (unbound) {
          const problem = describeUnbound(unbound, config).replace(/^\w+: /, "");
          console.warn(`warning: ${problem}; rebalance refuses until it is bound\n\n${bindingHint([unbound], config)}`);
        }
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        console.warn(`warning: the zone's bucket binding is not checked: ${error.message}`);
      }
    },
  });

  const removeCommand = defineCommand({
    meta: { name: "remove", description: "remove a zone at the next rebalance (Swift: swift-ring-builder remove)" },
    args: { zone: { type: "positional", required: true, description: "zone id", valueHint: "zone-id" }, ...DIR_ARG },
    run({ args }) {
      writeBuilder(args.dir, removeZone(readBuilder(args.dir, ring), args.zone));
      say(
        args.json,
        { ring, removed: args.zone },
        `zone ${args.zone} marked for removal from the ${ring} ring; run rebalance to move its partitions away`,
      );
    },
  });

  const setWeightCommand = defineCommand({
    meta: { name: "set-weight", description: "change a zone's weight (Swift: swift-ring-builder set_weight)" },
    args: {
      zone: { type: "positional", required: true, description: "zone id", valueHint: "zone-id" },
      weight: { type: "positional", required: true, description: "new weight, >= 0", valueHint: "W" },
      ...DIR_ARG,
    },
    run({ args }) {
      const weight = weightOf(args.weight);
      writeBuilder(args.dir, setWeight(readBuilder(args.dir, ring), args.zone, weight));
      say(
        args.json,
        { ring, zone: args.zone, weight },
        `zone ${args.zone} of the ${ring} ring now has weight ${weight}; run rebalance to apply it`,
      );
    },
  });

  const rebalanceCommand = defineCommand({
    meta: {
      name: "rebalance",
      description: `reassign partitions and write ${ring}.ring.json (Swift: swift-ring-builder rebalance)`,
    },
    args: { ...DIR_ARG, ...CONFIG_ARG },
    run({ args }) {
      const builder = readBuilder(args.dir, ring);
      // Seconds at part power 20 and above (20 s at 22): a bar on a terminal, by the steps' usual shares.
      const bar =
        builder.partPower >= REBALANCE_BAR_PART_POWER
          ? progress(`rebalancing the ${ring} ring`, 100, { json: args.json })
          : null;
      try {
        return rebalanced(args, builder, (step) => bar?.increment(step));
      } finally {
        bar?.stop();
      }
    },
  });

  /** Rebalances `builder` and writes it and the ring file, `advance`-ing the bar past each step. */
  function rebalanced(
    args: { dir: string; config: string; json?: boolean },
    builder: ReturnType<typeof readBuilder>,
    advance: (step: number) => void,
  ): number {
    const result = rebalance(builder, nowSeconds());
    advance(REBALANCE_SHARE);
    if (result.moved === 0) {
      // Swift: "No partitions could be reassigned." and the builder is not saved.
      const message =
        "No partitions could be reassigned. " +
        `Either none need to be or none can be due to min_part_hours [${builder.minPartHours}].`;
      say(args.json, { ring, moved: 0, message }, message);
      // The index of ring files is still brought up to date (edgeswift check asks for this after a ring file was
      // copied in).
      writeRingIndex(args.dir);
      return 0;
    }
    const ringFile = toRingFile(result.builder);
    advance(RING_FILE_SHARE);
    // The Worker bundles this file: one naming a bucket it has no binding for would answer 503 to everything.
    const unbound = unboundLines(ring, ringFile.zones, args.config);
    if (unbound.length > 0) {
      for (const line of unbound) console.error(line);
      throw new CliError(
        `not rebalanced: nothing written, the ${ring} ring's zones need bucket bindings ${args.config} does not have`,
      );
    }
    writeBuilder(args.dir, result.builder);
    writeRing(args.dir, ringFile);
    advance(100 - REBALANCE_SHARE - RING_FILE_SHARE);
    const total = 2 ** builder.partPower * builder.replicas;
    const movedPercent = (100 * result.moved) / total;
    say(
      args.json,
      {
        ring,
        moved: result.moved,
        movedPercent,
        balance: result.balance,
        dispersion: result.dispersion,
        ringFile: ringPath(args.dir, ring),
        version: ringFile.version,
      },
      `Reassigned ${result.moved} (${movedPercent.toFixed(2)}%) partition-replicas. ` +
        `Balance is now ${result.balance.toFixed(2)}. Dispersion is now ${result.dispersion.toFixed(2)}.`,
      `wrote ${ringPath(args.dir, ring)} (version ${ringFile.version})`,
    );
    return 0;
  }

  const validateCommand = defineCommand({
    meta: {
      name: "validate",
      description:
        "check the builder, and the zones' buckets against wrangler.toml; " +
        "exit 1 on problems (Swift: swift-ring-builder validate)",
    },
    args: { ...DIR_ARG, ...CONFIG_ARG },
    run({ args }) {
      const builder = readBuilder(args.dir, ring);
      const problems = validate(builder).map((problem) => `${ring}: ${problem}`);
      // The zones of the ring file the Worker bundles now, and of the one the next rebalance writes.
      const zones = [...(readRing(args.dir, ring)?.zones ?? []), ...builder.zones.filter((zone) => !zone.removed)];
      try {
        problems.push(...unboundLines(ring, zones, args.config));
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        problems.push(`${ring}: the zones' bucket bindings cannot be checked: ${error.message}`);
      }
      if (args.json) printJson({ ring, valid: problems.length === 0, problems });
      else if (problems.length > 0) for (const problem of problems) console.error(problem);
      else console.log(`the ${ring} ring is valid`);
      return problems.length > 0 ? 1 : 0;
    },
  });

  const showCommand = defineCommand({
    meta: { name: "show", description: "print the ring's zones, balance and dispersion" },
    args: { ...DIR_ARG },
    run({ args }) {
      const builder = readBuilder(args.dir, ring);
      const ringFile = readRing(args.dir, ring);
      const path = ringPath(args.dir, ring);
      const file =
        ringFile === null
          ? `ring file ${path} not written yet: run rebalance`
          : ringFile.version === builder.version
            ? `ring file ${path} is up to date`
            : `ring file ${path} is version ${ringFile.version}, the builder ${builder.version}: run rebalance`;
      say(
        args.json,
        { ...summarize(builder, nowSeconds()), ringFile: path, ringFileVersion: ringFile?.version ?? null },
        show(builder, nowSeconds()),
        file,
      );
    },
  });

  return defineCommand({
    meta: { name: ring, description: `the ${ring} ring` },
    subCommands: {
      create: createCommand,
      add: addCommand,
      remove: removeCommand,
      "set-weight": setWeightCommand,
      rebalance: rebalanceCommand,
      validate: validateCommand,
      show: showCommand,
    },
  });
}

/**
 * `edgeswift ring …`: one sub-command per ring, each with the builder commands: account,
 * container, object (storage policy 0) and `policyRing` when given (`object-1`, the object ring
 * of storage policy 1, and so on).
 */
export function ringCommand(policyRing: RingName | null = null): CommandDef {
  const rings = policyRing === null || RING_NAMES.includes(policyRing) ? RING_NAMES : [...RING_NAMES, policyRing];
  return defineCommand({
    meta: {
      name: "ring",
      description:
        "build the account, container and object rings, and object-<N> for storage policy N (like swift-ring-builder)",
    },
    subCommands: Object.fromEntries(rings.map((ring) => [ring, ringCommands(ring)])),
  });
}
