/**
 * @module
 * The scripts that take only options (`npm start`, `npm run bench`, `npm run bench:replication`)
 * parse them with citty, as the `edgeswift` CLI does, but as strictly as node:util's `parseArgs`
 * with `strict: true`: citty accepts an option it does not know (and `--no-<option>`, and a
 * camelCase spelling) without a word, so a typo such as `--prot 8803` would quietly run with the
 * defaults. Here it is a mistake, said in one line under the script's usage.
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
 * What `parseArgs` with `strict: true` and no positionals would refuse in `rawArgs` for options
 * `args`, as one line; null when nothing. Refused: an option `args` does not declare (by its name
 * or an alias), a positional argument, a boolean option given a value, a string option with no
 * value or, as its value, what looks like an option (`--url --ops 10`; `--url=-x` says it is meant).
 */
export function argsProblem(args: ArgsDef, rawArgs: readonly string[]): string | null {
  const options = new Map<string, ArgsDef[string]>();
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
    if (arg === "--") return i + 1 < rawArgs.length ? `unexpected argument: ${rawArgs[i + 1]}` : null;
    if (!arg.startsWith("-") || arg === "-") return `unexpected argument: ${arg}`;
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

/**
 * Runs `command` (a citty command of options only) on `rawArgs` and gives the exit code: after
 * `--help` or `-h`, its usage on stdout and 0; after a mistake `argsProblem` finds, its usage and
 * the mistake on stderr and `usageExitCode` (likewise after a UsageError from `run`); else what
 * its `run` returns (0 if not a number). Other errors `run` throws are the caller's.
 */
export async function runStrict<T extends ArgsDef>(
  command: CommandDef<T>,
  rawArgs: string[],
  { prefix, usageExitCode }: StrictOptions,
): Promise<number> {
  if (wantsHelp(rawArgs)) {
    console.log(await renderUsage(command));
    return 0;
  }
  const args: ArgsDef = typeof command.args === "function" ? await command.args() : ((await command.args) ?? {});
  /** The usage, then the mistake, on stderr; gives `usageExitCode`. */
  const mistake = async (problem: string): Promise<number> => {
    console.error(await renderUsage(command));
    console.error(`${prefix}${problem}`);
    return usageExitCode;
  };
  const problem = argsProblem(args, rawArgs);
  if (problem !== null) return mistake(problem);
  try {
    const { result } = await runCommand(command, { rawArgs });
    return typeof result === "number" ? result : 0;
  } catch (error) {
    if (error instanceof UsageError) return mistake(error.message);
    throw error;
  }
}
