#!/usr/bin/env node
/**
 * @module
 * The edgeswift CLI (`npx edgeswift …`). Runs under Node 22's type stripping, so this folder uses
 * only erasable TypeScript and imports with `.ts` extensions. Every command parses its arguments
 * through cli/strict-args.ts (as `npm start` and the bench scripts do) and takes `--json`. Errors
 * an operator can fix print as one line and exit 1; a wrong command prints its usage.
 */
import { defineCommand, renderUsage, type CommandDef } from "citty";
import { RingBuilderError } from "../src/ring/builder.ts";
import { RingFileError } from "../src/ring/ring-file.ts";
import { isRingName, RING_NAMES } from "../src/ring/types.ts";
import { checkCommand } from "./check.ts";
import { ringCommand } from "./ring.ts";
import { CliError } from "./ring-files.ts";
import { ClusterError } from "./cluster.ts";
import { dispersionCommand } from "./dispersion.ts";
import { statusCommand } from "./status.ts";
import { runStrict } from "./strict-args.ts";

/** The CLI for these arguments: `edgeswift ring object-2 …` adds the ring of storage policy 2. */
function mainCommand(rawArgs: readonly string[]): CommandDef {
  const [first, ringName] = rawArgs;
  const policyRing = first === "ring" && isRingName(ringName) ? ringName : null;
  return defineCommand({
    meta: { name: "edgeswift", description: "edgeswift tools" },
    subCommands: {
      ring: ringCommand(policyRing),
      check: checkCommand,
      status: statusCommand,
      dispersion: dispersionCommand,
    },
  });
}

async function run(rawArgs: string[]): Promise<number> {
  const main = mainCommand(rawArgs);
  if (rawArgs.length === 0) {
    console.log(await renderUsage(main));
    return 1;
  }
  const [first, ringName] = rawArgs;
  if (first === "ring" && ringName !== undefined && !ringName.startsWith("-") && !isRingName(ringName)) {
    console.error(
      `edgeswift: unknown ring ${JSON.stringify(ringName)}: expected ${RING_NAMES.join(", ")} or object-<policy index>`,
    );
    return 1;
  }
  try {
    return await runStrict(main, rawArgs, { prefix: "edgeswift: ", usageExitCode: 1 });
  } catch (error) {
    if (
      error instanceof CliError ||
      error instanceof RingBuilderError ||
      error instanceof RingFileError ||
      error instanceof ClusterError
    ) {
      console.error(`edgeswift: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await run(process.argv.slice(2));
