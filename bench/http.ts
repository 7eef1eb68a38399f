/**
 * @module
 * The bench's HTTP client and timer: `node:http` over one keep-alive agent per target (sockets up
 * to the concurrency), which costs the shared CPU less than fetch; a phase runs a fixed number of
 * operations from `concurrency` workers and reports ops/s, p50 and p99 and the failures it saw;
 * and the Markdown tables the reports print.
 */

import { Agent, request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { performance } from "node:perf_hooks";
import { withProgress, type Progress } from "../cli/progress.ts";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes of body received. */
  bytes: number;
  /** The body, decoded only when asked for or when the status is an error. */
  text: string;
}

export interface Call {
  method: string;
  /** Absolute URL. */
  url: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer;
  keepBody?: boolean;
}

const REQUEST_TIMEOUT_MS = 60_000;

/** A keep-alive HTTP client with at most `sockets` connections. */
export class Client {
  readonly #http: Agent;
  readonly #https: HttpsAgent;
  readonly #timeoutMs: number;
  /** Whether a phase draws its progress bar (on a terminal): not when the script prints JSON. */
  progressBars = true;

  /** `timeoutMs`: how long one request may go unanswered before it fails. */
  constructor(sockets: number, timeoutMs = REQUEST_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
    this.#http = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
    this.#https = new HttpsAgent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** Sends `call` and gives its answer (the body only as a byte count unless `keepBody`). */
  send(call: Call): Promise<Reply> {
    return this.#request(call, null);
  }

  /** Like send, but hands each chunk of the body to `onChunk` instead of keeping it. */
  stream(call: Call, onChunk: (chunk: Buffer) => void): Promise<Reply> {
    return this.#request(call, onChunk);
  }

  /** Sends `call`; the body goes to `onChunk` when given, else is kept for `text`. */
  #request(call: Call, onChunk: ((chunk: Buffer) => void) | null): Promise<Reply> {
    const url = new URL(call.url);
    const secure = url.protocol === "https:";
    const headers: OutgoingHttpHeaders = { ...call.headers };
    if (call.body) headers["content-length"] = call.body.byteLength;
    else if (call.method === "PUT" || call.method === "POST") headers["content-length"] = 0;
    return new Promise<Reply>((resolve, reject) => {
      const timeout = this.#timeoutMs;
      const options = { method: call.method, headers, agent: secure ? this.#https : this.#http, timeout };
      /** Counts (and keeps or hands on) the body, then resolves with the reply. */
      const onResponse = (response: import("node:http").IncomingMessage): void => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => {
          bytes += chunk.byteLength;
          if (onChunk) onChunk(chunk);
          else chunks.push(chunk);
        });
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          // The body is decoded only when asked for or when it explains a failure.
          const text = call.keepBody || status >= 400 ? Buffer.concat(chunks).toString("utf8") : "";
          resolve({ status, headers: response.headers, bytes, text });
        });
        response.on("error", reject);
      };
      const req = secure ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
      req.on("timeout", () => req.destroy(new Error(`${call.method} ${call.url}: no answer in ${timeout} ms`)));
      req.on("error", reject);
      req.end(call.body);
    });
  }

  /** Closes every connection. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

export interface PhaseResult {
  name: string;
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** Mean body bytes received per operation. */
  bytesPerOp: number;
  /** The first few failures: request and what came back. */
  examples: string[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

const EXAMPLES_MAX = 5;

/** One timed phase: `ops` operations, `concurrency` at a time. */
export interface Phase {
  name: string;
  ops: number;
  concurrency: number;
  /** Operation `i`; a promise when it is made first (signed): outside its latency, inside the phase's ops/s. */
  callOf: (index: number) => Call | Promise<Call>;
  /** The status of a success. */
  expect: number;
  /** When given, how long a success's body is. */
  expectBytes?: number;
}

/**
 * Runs `phase`'s operations, `concurrency` at a time; operation `i` is `callOf(i)`, a success when
 * its status is `expect` (and, when given, its body is `expectBytes` long).
 */
export async function runPhase(
  client: Client,
  { name, ops, concurrency, callOf, expect, expectBytes }: Phase,
): Promise<PhaseResult> {
  const latencies = new Float64Array(ops);
  const examples: string[] = [];
  let failures = 0;
  let bytes = 0;
  let next = 0;
  /** The phase's progress bar (cli-progress redraws it a few times a second, off the operations' timing). */
  let bar: Progress | null = null;
  /** Takes the next operation until none are left, timing each. */
  const worker = async (): Promise<void> => {
    for (let index = next++; index < ops; index = next++) {
      const made = callOf(index);
      const call = made instanceof Promise ? await made : made;
      const started = performance.now();
      let problem: string | null = null;
      try {
        const reply = await client.send(call);
        bytes += reply.bytes;
        if (reply.status !== expect) problem = `${reply.status}${reply.text ? `: ${reply.text.slice(0, 200)}` : ""}`;
        else if (expectBytes !== undefined && reply.bytes !== expectBytes)
          problem = `${reply.bytes} bytes, expected ${expectBytes}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      latencies[index] = performance.now() - started;
      bar?.increment();
      if (problem !== null) {
        failures += 1;
        if (examples.length < EXAMPLES_MAX) examples.push(`${call.method} ${call.url} → ${problem}`);
      }
    }
  };
  const started = performance.now();
  await withProgress(name, ops, { json: !client.progressBars }, async (progress) => {
    bar = progress;
    await Promise.all(Array.from({ length: Math.min(concurrency, ops) }, worker));
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  return {
    name,
    ops,
    seconds,
    opsPerSecond: ops / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failures,
    bytesPerOp: bytes / ops,
    examples,
  };
}

/** Adds what failed in `result`, with its first examples, to `failures` (nothing when none did). */
export function keepFailures(result: PhaseResult, failures: string[]): void {
  if (result.failures)
    failures.push(
      `${result.name}: ${result.failures} of ${result.ops} failed, e.g.\n    ${result.examples.join("\n    ")}`,
    );
}

/** A number with one decimal; "n/a" when not finite. */
export const fixed1 = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : "n/a");

/** A Markdown table: the first column left-aligned, the others right-aligned, cells padded to their column. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  /** A cell padded to its column: the first to the left, the others to the right. */
  const pad = (cell: string, column: number): string =>
    column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0);
  /** One row of cells. */
  const line = (cells: string[]): string => `| ${cells.map(pad).join(" | ")} |`;
  /** The rule under the header's cell in `column` (right-aligned columns end in ":"). */
  const ruleCell = (width: number, column: number): string =>
    column === 0 ? ` ${"-".repeat(width)} ` : ` ${"-".repeat(width - 1)}: `;
  const rule = `|${widths.map(ruleCell).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
