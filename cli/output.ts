/**
 * @module
 * How commands print: aligned text tables for people, and JSON (two-space indented, one document
 * on stdout) for scripts.
 */

/** Rows as columns padded to their widest cell, two spaces apart; a header row first. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Prints `value` as the command's one JSON document. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "3 s", "4 min 12 s", "2 h 5 min", "3 d 4 h": an age or a duration, for people. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/**
 * `name=value` lines (the bench scripts' figures) as one object, numbers as numbers: what their
 * `--json` prints. Lines without a name before "=" are skipped.
 */
export function namedValues(blocks: readonly string[]): Record<string, number | string> {
  const figures: Record<string, number | string> = {};
  for (const line of blocks.flatMap((block) => block.split("\n"))) {
    const equals = line.indexOf("=");
    if (equals <= 0) continue;
    const value = line.slice(equals + 1);
    figures[line.slice(0, equals)] = value !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return figures;
}
