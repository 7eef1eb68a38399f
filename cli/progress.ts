/**
 * @module
 * Progress bars with an ETA for the CLI's long tasks (dispersion, bench phases, seeding), drawn by
 * cli-progress on stderr, only when stderr is a terminal and the output is not `--json`: piped or
 * scripted runs print nothing extra.
 */
import { SingleBar } from "cli-progress";

/** A task's progress: `increment` as items finish, `stop` at the end (also after a failure). */
export interface Progress {
  increment(count?: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { increment: () => {}, stop: () => {} };

/** Where and whether to draw: stderr, unless it is no terminal or the command prints JSON. */
export interface ProgressOptions {
  json?: boolean;
  stream?: NodeJS.WriteStream;
}

/** Whether a bar would be drawn for these options. */
export function drawsProgress({ json = false, stream = process.stderr }: ProgressOptions = {}): boolean {
  return !json && stream.isTTY === true;
}

/** A bar "label [████░░░░] 12/40 30% | ETA 4s" for `total` items; nothing when not drawn. */
export function progress(label: string, total: number, options: ProgressOptions = {}): Progress {
  if (!drawsProgress(options) || total <= 0) return NO_PROGRESS;
  const bar = new SingleBar({
    stream: options.stream ?? process.stderr,
    format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted}`,
    barCompleteChar: "\u2588",
    barIncompleteChar: "\u2591",
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  bar.start(total, 0);
  let stopped = false;
  return {
    increment: (count = 1) => {
      if (!stopped) bar.increment(count);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/** Runs `task` with a bar of `total` items, stopping the bar however the task ends. */
export async function withProgress<T>(
  label: string,
  total: number,
  options: ProgressOptions,
  task: (progress: Progress) => Promise<T>,
): Promise<T> {
  const bar = progress(label, total, options);
  try {
    return await task(bar);
  } finally {
    bar.stop();
  }
}
