/**
 * @module
 * Processes the CLI and the client tests start: a free loopback port for wrangler dev, and
 * signals to the whole process group wrangler leads (wrangler, esbuild, workerd).
 */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A port nobody listens on now on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port from the OS"));
      });
    });
  });
}

/** Signals the process group led by `child`, ignoring a group that is already gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
