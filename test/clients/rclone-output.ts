/**
 * @module
 * What the rclone tests share, for either backend (swift, s3): reading what rclone printed, the
 * `lsjson` entry, and a tree written with whole-second mtimes of its own so rclone's and the file
 * system's times agree exactly.
 */

import { utimes } from "node:fs/promises";
import { join } from "node:path";
import { writeTree, type ClientRun, type FileTree } from "./helpers";

/** Mtimes are whole seconds from here. */
export const MTIME_BASE_SECONDS = Date.UTC(2023, 4, 6, 7, 8, 9) / 1000;

/** The lines a command printed on stdout, without empty ones. */
export function lines(run: ClientRun): string[] {
  return run.stdout.split("\n").filter((line) => line !== "");
}

/** What `rclone -v` said it did to each path: "Copied (new)", "Deleted", … (path → action). */
export function actions(run: ClientRun): Map<string, string> {
  const done = new Map<string, string>();
  const pattern =
    /INFO {2}: (.+): (Copied \(new\)|Copied \(replaced existing\)|Deleted|Updated modification time in destination)$/u;
  for (const line of run.stderr.split("\n")) {
    const match = pattern.exec(line);
    if (match?.[1] && match[2]) done.set(match[1], match[2]);
  }
  return done;
}

/** One entry of `rclone lsjson --hash`. */
export interface LsjsonEntry {
  Path: string;
  Name: string;
  Size: number;
  ModTime: string;
  IsDir: boolean;
  Hashes?: { md5?: string };
}

/** Writes `tree` below `root` and gives every file a whole-second mtime of its own. */
export async function writeTreeWithMtimes(root: string, tree: FileTree, offsetSeconds = 0): Promise<void> {
  await writeTree(root, tree);
  let index = 0;
  for (const path of Object.keys(tree)) {
    const when = new Date((MTIME_BASE_SECONDS + offsetSeconds + index) * 1000);
    await utimes(join(root, path), when, when);
    index += 1;
  }
}
