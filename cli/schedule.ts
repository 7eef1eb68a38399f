/**
 * @module
 * When a cron trigger fires: five fields, UTC, as Cloudflare runs them. Parsing and matching are
 * croner's; `npm start` (cli/start.ts) uses this to fire wrangler.toml's crons locally, where
 * `wrangler dev` fires none on its own.
 */
import { Cron } from "croner";
import { CliError } from "./ring-files.ts";

/** The parsed cron trigger `expression`, or a CliError naming it. */
export function cronOf(expression: string): Cron {
  try {
    return new Cron(expression, { timezone: "Etc/UTC", mode: "5-part" });
  } catch (error) {
    throw new CliError(
      `${JSON.stringify(expression)} is not a cron trigger (five fields, UTC): ` +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Milliseconds since the epoch when `expression` fires next, strictly after `afterMs`. */
export function nextFireTime(expression: string, afterMs: number): number {
  const next = cronOf(expression).nextRun(new Date(afterMs));
  if (next === null) throw new CliError(`cron trigger ${JSON.stringify(expression)} never fires`);
  return next.getTime();
}
