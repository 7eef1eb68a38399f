/**
 * @module
 * cli/progress.ts: a bar with an ETA on stderr only when it is a terminal and the command does not
 * print JSON, so scripts and pipes see nothing extra.
 */
import { PassThrough } from "node:stream";
import { describe, it } from "vitest";
import { drawsProgress, progress, withProgress } from "../../cli/progress.ts";

/** A stream that says it is a terminal, keeping what is written. */
function terminal(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  const chunks: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & Record<string, unknown>;
  Object.assign(stream, {
    isTTY,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    clearScreenDown: () => true,
  });
  (stream as unknown as PassThrough).on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  return { stream, written: () => chunks.join("") };
}

describe("progress bars", () => {
  it("are drawn on a terminal, with the count and an ETA", async ({ expect }) => {
    const { stream, written } = terminal(true);
    expect(drawsProgress({ stream })).toBe(true);
    await withProgress("placing containers", 4, { stream }, async (bar) => {
      bar.increment();
      bar.increment(3);
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toContain("placing containers [");
    expect(written()).toMatch(/\d+\/4 \d+% \| ETA /);
  });

  it("are not drawn with --json, nor when stderr is no terminal", async ({ expect }) => {
    for (const [isTTY, json] of [
      [true, true],
      [false, false],
    ] as const) {
      const { stream, written } = terminal(isTTY);
      expect(drawsProgress({ stream, json })).toBe(false);
      const bar = progress("querying objects", 10, { stream, json });
      bar.increment(10);
      bar.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(written()).toBe("");
    }
  });
});
