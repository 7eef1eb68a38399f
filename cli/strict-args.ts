/**
 * @module
 * The one command-line parser of every script: the `edgeswift` CLI (its commands and
 * sub-commands), `npm start`, `npm run bench`, `npm run bench:replication` and `npm run model`
 * parse with citty, but as strictly as node:util's `parseArgs` with `strict: true`: citty accepts
 * an option it does not know (and `--no-<option>`, and a camelCase spelling) and positionals past
 * the declared ones without a word, so a typo such as `--prot 8803` would quietly run with the
 * defaults. Here it is a mistake, said in one line under the usage of the command it was meant for.
 */
import { renderUsage, runCommand, type ArgsDef, type CommandDef } from "citty";

/** How a script reports a mistake in its arguments. */
export interface StrictOptions {
  /** Put before the one-line message, e.g. "edgeswift: ". */
  prefix: string;
  /** What the script exits with after a mistake in its arguments. */
  usageExitCode: number;
}

/**
 * A mistake in the arguments that only the command's `run` can see, such as a number option that
 * is no number; `runStrict` reports it as it reports an unknown option.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `--help` or `-h` before any `--`: citty's own help flags. */
function wantsHelp(rawArgs: readonly string[]): boolean {
  const end = rawArgs.indexOf("--");
  return (end === -1 ? rawArgs : rawArgs.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/**
 * What `parseArgs` with `strict: true` would refuse in `rawArgs` for the options and positionals
 * `args` declares, as one line; null when nothing. Refused: an option `args` does not declare (by
 * its name or an alias), a positional argument past those declared, a boolean option given a
 * value, a string option with no value or, as its value, what looks like an option (`--url --ops
 * 10`; `--url=-x` says it is meant).
 */
export function argsProblem(args: ArgsDef, rawArgs: readonly string[]): string | null {
  const options = new Map<string, ArgsDef[string]>();
  const positionals = Object.values(args).filter((def) => def.type === "positional").length;
  let seen = 0;
  /** A positional argument: one of those declared, or a mistake. */
  const positional = (arg: string): string | null => (++seen > positionals ? `unexpected argument: ${arg}` : null);
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    options.set(`--${name}`, def);
    const aliases = "alias" in def && def.alias !== undefined ? [def.alias].flat() : [];
    for (const alias of aliases) options.set(alias.length === 1 ? `-${alias}` : `--${alias}`, def);
  }
  /** Whether the option takes a value (the next argument, or after "="). */
  const takesValue = (def: ArgsDef[string]): boolean => def.type === "string" || def.type === "enum";
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] ?? "";
    if (arg === "--") {
      for (const rest of rawArgs.slice(i + 1)) {
        const problem = positional(rest);
        if (problem !== null) return problem;
      }
      return null;
    }
    if (!arg.startsWith("-") || arg === "-") {
      const problem = positional(arg);
      if (problem !== null) return problem;
      continue;
    }
    const long = arg.startsWith("--");
    const equals = long ? arg.indexOf("=") : -1;
    // `--name=value`, or a short option with its value attached (`-cwrangler.toml`).
    const flag = equals > 0 ? arg.slice(0, equals) : long ? arg : arg.slice(0, 2);
    const def = options.get(flag);
    if (def === undefined) return `unknown option ${flag}`;
    const attached = flag !== arg;
    if (!takesValue(def)) {
      if (attached) return `${flag} takes no value`;
      continue;
    }
    if (attached) continue;
    const value = rawArgs[i + 1];
    if (value === undefined) return `${flag} needs a value`;
    if (value.startsWith("-")) return `${flag} needs a value (for one that starts with "-", write ${flag}=${value})`;
    i++;
  }
  return null;
}

/** A citty value that may be given as itself, a promise or a function giving either. */
type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>);

async function resolved<T>(value: Resolvable<T>): Promise<T> {
  return typeof value === "function" ? (value as () => T | Promise<T>)() : value;
}

/** The command `rawArgs` names under `root`, with its parent (for the usage) and its own arguments. */
export interface NamedCommand {
  command: CommandDef;
  parent: CommandDef | undefined;
  rawArgs: string[];
  /** What is wrong with the command named (an unknown or missing sub-command), or null. */
  problem: string | null;
}

/**
 * Walks from `root` down the sub-commands `rawArgs` names (a command with sub-commands takes no
 * options of its own; without a name, its `default` sub-command, if any, takes the arguments), as
 * citty's runCommand does, to the command that runs.
 */
export async function namedCommand(
  root: CommandDef,
  rawArgs: readonly string[],
  { followDefault = true }: { followDefault?: boolean } = {},
): Promise<NamedCommand> {
  let named: NamedCommand = { command: root, parent: undefined, rawArgs: [...rawArgs], problem: null };
  // Each step takes a name off the arguments or goes to a default: bounded by both.
  for (let depth = 0; depth <= rawArgs.length + 8; depth++) {
    const { command, rawArgs: rest } = named;
    const subCommands = command.subCommands === undefined ? undefined : await resolved(command.subCommands);
    if (subCommands === undefined || Object.keys(subCommands).length === 0) return named;
    const names = Object.keys(subCommands);
    const [first] = rest;
    const fallback = command.default === undefined || !followDefault ? undefined : await resolved(command.default);
    const name = first !== undefined && !first.startsWith("-") ? first : fallback;
    if (name === undefined)
      return {
        ...named,
        problem: first === undefined ? `no command given: one of ${names.join(", ")}` : `unknown option ${first}`,
      };
    const next = subCommands[name];
    if (next === undefined) return { ...named, problem: `unknown command ${name}: one of ${names.join(", ")}` };
    named = {
      command: await resolved(next),
      parent: command,
      rawArgs: name === first ? rest.slice(1) : rest,
      problem: null,
    };
  }
  return named;
}

/**
 * Runs the command `rawArgs` names under `command` (sub-commands included) and gives the exit code:
 * after `--help` or `-h`, its usage on stdout and 0; after a mistake `argsProblem` or
 * `namedCommand` finds, its usage and the mistake on stderr and `usageExitCode` (likewise after a
 * UsageError from `run`, or citty's own refusal, such as a required positional missing); else
 * what its `run` returns (0 if not a number). Other errors `run` throws are the caller's.
 */
export async function runStrict<T extends ArgsDef>(
  command: CommandDef<T>,
  rawArgs: string[],
  { prefix, usageExitCode }: StrictOptions,
): Promise<number> {
  if (wantsHelp(rawArgs)) {
    // The usage of the command named, not of a default sub-command: `dispersion --help` lists its commands.
    const named = await namedCommand(command as CommandDef, rawArgs, { followDefault: false });
    console.log(await renderUsage(named.command, named.parent));
    return 0;
  }
  const named = await namedCommand(command as CommandDef, rawArgs);
  const usage = (): Promise<string> => renderUsage(named.command, named.parent);
  /** The usage, then the mistake, on stderr; gives `usageExitCode`. */
  const mistake = async (problem: string): Promise<number> => {
    console.error(await usage());
    console.error(`${prefix}${problem}`);
    return usageExitCode;
  };
  if (named.problem !== null) return mistake(named.problem);
  const args: ArgsDef = named.command.args === undefined ? {} : await resolved(named.command.args);
  const problem = argsProblem(args, named.rawArgs);
  if (problem !== null) return mistake(problem);
  try {
    const { result } = await runCommand(named.command, { rawArgs: named.rawArgs });
    return typeof result === "number" ? result : 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === "CLIError"))
      return mistake(error.message);
    throw error;
  }
}
