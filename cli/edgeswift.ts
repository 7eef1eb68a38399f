#!/usr/bin/env node
/**
 * @module
 * The edgeswift CLI (`npx edgeswift …`). Runs under Node 22's type stripping, so this folder uses
 * only erasable TypeScript and imports with `.ts` extensions. Errors an operator can fix print as
 * one line and exit 1; a wrong command prints its usage.
 */
import { defineCommand, renderUsage, runCommand, type CommandDef } from "citty";
import { RingBuilderError } from "../src/ring/builder.ts";
import { RingFileError } from "../src/ring/ring-file.ts";
import { isRingName, RING_NAMES } from "../src/ring/types.ts";
import { checkCommand } from "./check.ts";
import { ringCommand } from "./ring.ts";
import { CliError } from "./ring-files.ts";

/** The CLI for these arguments: `edgeswift ring object-2 …` adds the ring of storage policy 2. */
function mainCommand(rawArgs: readonly string[]): CommandDef {
  const [first, ringName] = rawArgs;
  const policyRing = first === "ring" && isRingName(ringName) ? ringName : null;
  return defineCommand({
    meta: { name: "edgeswift", description: "edgeswift tools" },
    subCommands: { ring: ringCommand(policyRing), check: checkCommand },
  });
}

/** The deepest command `rawArgs` names and its parent, for printing usage after a mistake. */
async function commandNamed(rawArgs: readonly string[]): Promise<[CommandDef, CommandDef | undefined]> {
  let command: CommandDef = mainCommand(rawArgs);
  let parent: CommandDef | undefined;
  for (const arg of rawArgs) {
    if (arg.startsWith("-")) break;
    const subCommands =
      typeof command.subCommands === "function" ? await command.subCommands() : await command.subCommands;
    const next = subCommands?.[arg];
    if (next === undefined) break;
    parent = command;
    command = typeof next === "function" ? await next() : await next;
  }
  return [command, parent];
}

async function run(rawArgs: string[]): Promise<number> {
  const main = mainCommand(rawArgs);
  if (rawArgs.length === 0 || rawArgs[0] === "--help" || rawArgs[0] === "-h") {
    console.log(await renderUsage(main));
    return rawArgs.length === 0 ? 1 : 0;
  }
  if (rawArgs.includes("--help") || rawArgs.includes("-h")) {
    console.log(await renderUsage(...(await commandNamed(rawArgs))));
    return 0;
  }
  const [first, ringName] = rawArgs;
  if (first === "ring" && ringName !== undefined && !ringName.startsWith("-") && !isRingName(ringName)) {
    console.error(
      `edgeswift: unknown ring ${JSON.stringify(ringName)}: expected ${RING_NAMES.join(", ")} or object-<policy index>`,
    );
    return 1;
  }
  try {
    await runCommand(main, { rawArgs });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CliError || error instanceof RingBuilderError || error instanceof RingFileError) {
      console.error(`edgeswift: ${error.message}`);
      return 1;
    }
    if (error instanceof Error && error.name === "CLIError") {
      console.error(await renderUsage(...(await commandNamed(rawArgs))));
      console.error(`edgeswift: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await run(process.argv.slice(2));
