/**
 * @module
 * Where the ring CLI keeps its files: `<dir>/<ring>.builder.json` (the builder's whole state) and
 * `<dir>/<ring>.ring.json` (what the Worker bundles). Writes go through a temporary file and a
 * rename, so an interrupted command never leaves half a ring behind.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseBuilderFile } from "../src/ring/builder.ts";
import { parseRingFile } from "../src/ring/ring-file.ts";
import { isRingName, type BuilderFile, type RingFile, type RingName } from "../src/ring/types.ts";

/** An operator mistake the CLI reports in one line before exiting 1. */
export class CliError extends Error {
  override name = "CliError";
}

/** Path of the builder file of `ring` in `dir`. */
export function builderPath(dir: string, ring: RingName): string {
  return join(dir, `${ring}.builder.json`);
}

/** Path of the ring file of `ring` in `dir`. */
export function ringPath(dir: string, ring: RingName): string {
  return join(dir, `${ring}.ring.json`);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function writeText(path: string, text: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function writeJson(path: string, value: unknown): void {
  writeText(path, JSON.stringify(value, null, 1) + "\n");
}

/** True when `ring` already has a builder file in `dir`. */
export function builderExists(dir: string, ring: RingName): boolean {
  return existsSync(builderPath(dir, ring));
}

/** The builder of `ring` in `dir`; a CliError when it is missing or malformed. */
export function readBuilder(dir: string, ring: RingName): BuilderFile {
  const path = builderPath(dir, ring);
  if (!existsSync(path)) throw new CliError(`${path} does not exist: run "edgeswift ring ${ring} create" first`);
  const builder = parseBuilderFile(readJson(path));
  if (builder.ring !== ring) throw new CliError(`${path} holds the ${builder.ring} ring, not the ${ring} ring`);
  return builder;
}

/** The ring file of `ring` in `dir`, or null when there is none yet. */
export function readRing(dir: string, ring: RingName): RingFile | null {
  const path = ringPath(dir, ring);
  return existsSync(path) ? parseRingFile(readJson(path)) : null;
}

/** Writes the builder file (creating `dir` when needed). */
export function writeBuilder(dir: string, builder: BuilderFile): void {
  mkdirSync(dir, { recursive: true });
  writeJson(builderPath(dir, builder.ring), builder);
}

/** Writes the ring file (creating `dir` when needed), and the index the Worker bundles them by. */
export function writeRing(dir: string, ring: RingFile): void {
  mkdirSync(dir, { recursive: true });
  writeJson(ringPath(dir, ring.ring), ring);
  writeRingIndex(dir);
}

/** Rewrites `rings/index.ts` to list the ring files in `dir`. */
export function writeRingIndex(dir: string): void {
  writeText(ringIndexPath(dir), ringIndex(ringFileNames(dir)));
}

/** Path of the module listing the ring files of `dir` (what src/ring/load.ts imports). */
export function ringIndexPath(dir: string): string {
  return join(dir, "index.ts");
}

/** The rings that have a ring file in `dir`, in name order. */
export function ringFileNames(dir: string): RingName[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(".ring.json"))
    .map((file) => file.slice(0, -".ring.json".length))
    .filter(isRingName)
    .sort();
}

/**
 * The text of `rings/index.ts` for these rings: a static import of each ring file, so the
 * bundler includes every one (a Worker cannot read files at run time).
 */
export function ringIndex(rings: readonly RingName[]): string {
  const identifier = (ring: RingName) => ring.replace("-", "_");
  const imports = rings.map((ring) => `import ${identifier(ring)} from "./${ring}.ring.json";\n`).join("");
  const entries = rings.map((ring) => (identifier(ring) === ring ? ring : `"${ring}": ${identifier(ring)}`)).join(", ");
  return (
    "// Written by `edgeswift ring`: every ring file in this directory, as the Worker bundles them.\n" +
    `${imports}\nexport default { ${entries} } as Record<string, unknown>;\n`
  );
}
