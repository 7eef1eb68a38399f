/**
 * @module
 * How bulk answers, as Swift's bulk.py does: the result format chosen by swob's Accept matching
 * (text, JSON or XML), the result rendered as get_response_body writes it, and a 200 whose body
 * is streamed as the work goes, with whitespace while it runs. Swift: common/middleware/bulk.py
 * get_response_body, the app_iter generators; common/swob.py Accept.
 */

import { H } from "../../../common/headers";
import { xmlText } from "../../../common/markup";
import { pythonJson } from "../../../common/python";
import type { SwiftRequest } from "../request";

export const ACCEPTABLE_FORMATS = ["text/plain", "application/json", "application/xml", "text/xml"] as const;
export type OutFormat = (typeof ACCEPTABLE_FORMATS)[number];

/** Whitespace is sent when a run has been quiet this long (Swift: yield_frequency, 10 s). */
const YIELD_FREQUENCY_MS = 10_000;

const encoder = new TextEncoder();

// Accept parsing as swob's Accept does it (RFC 2616 tokens; case-sensitive matching).
const TOKEN = String.raw`[^()<>@,;:\\"/\[\]?={}\x00-\x20\x7f]+`;
const QUOTED = String.raw`"(?:[^"\\]|(?:\\.))*"`;
const EXTENSION = String.raw`(?:\s*;\s*(?:${TOKEN})\s*=\s*(?:${TOKEN}|${QUOTED}))`;
const ACCEPT_ENTRY = new RegExp(String.raw`^\s*(${TOKEN})/(${TOKEN})(${EXTENSION}*?\s*)$`);

/** swob's `req.accept.best_match(options)`; null when nothing fits or the header is malformed. */
export function bestMatch<T extends string>(header: string | null, options: readonly T[]): T | null {
  if (!header) return options[0] ?? null;
  const types: { pattern: RegExp; quality: number; exact: boolean }[] = [];
  for (const part of header.split(",")) {
    const match = ACCEPT_ENTRY.exec(part);
    if (!match) return null;
    const [, type = "", subtype = "", params = ""] = match;
    let quality = 1;
    let seenQ = false;
    for (const param of params
      .split(";")
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [name = "", value = ""] = param.split("=").map((p) => p.trim());
      if (name !== "q") continue;
      if (seenQ || !/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return null;
      seenQ = true;
      quality = Number(value);
    }
    const glob = (text: string) => (text === "*" ? TOKEN : text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    types.push({
      pattern: new RegExp(`^${glob(type)}/${glob(subtype)}$`),
      quality,
      exact: type !== "*" && subtype !== "*",
    });
  }
  types.sort((a, b) => b.quality - a.quality || Number(b.exact) - Number(a.exact));
  for (const { pattern } of types) {
    const found = options.find((option) => pattern.test(option));
    if (found) return found;
  }
  return null;
}

/** What a bulk operation reports: Swift's resp_dict and the failed names. */
export interface Outcome {
  fields: Record<string, string | number>;
  errors: [string, string][];
}

/** Swift: bulk.py get_response_body. JSON as Python's json.dumps writes it; XML without declaration. */
export function renderOutcome(
  format: OutFormat | null,
  outcome: Outcome,
  root: "delete" | "extract" | "upload",
): string {
  const { fields, errors } = outcome;
  if (format === "application/json") return pythonJson({ ...fields, Errors: errors });
  const keys = Object.keys(fields).sort();
  if (format?.endsWith("/xml")) {
    let out = `<${root}>\n`;
    for (const key of keys) {
      const tag = key.replace(/ /g, "_").toLowerCase();
      out += `<${tag}>${xmlText(String(fields[key]))}</${tag}>\n`;
    }
    out += "<errors>\n";
    for (const [name, status] of errors)
      out += `<object><name>${xmlText(name)}</name><status>${xmlText(status)}</status></object>\n`;
    return `${out}</errors>\n</${root}>\n`;
  }
  let out = "";
  for (const key of keys) out += `${key}: ${fields[key]}\n`;
  out += "Errors:\n";
  for (const [name, status] of errors) out += `${name}, ${status}\n`;
  return out;
}

/**
 * A 200 whose body is written as the work goes: whitespace (first the XML declaration for XML)
 * when the run has been quiet for YIELD_FREQUENCY_MS, then the result. `tick` is called by the
 * work between subrequests. Swift: the app_iter generators of bulk.py.
 */
export function streamedResult(
  req: SwiftRequest,
  format: OutFormat | null,
  work: (tick: () => void) => Promise<string>,
): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let lastYield = Date.now();
  let toYield = format?.endsWith("/xml") ? '<?xml version="1.0" encoding="UTF-8"?>\n' : " ";
  let separator = "";
  let writes: Promise<void> = Promise.resolve();
  const write = (text: string) => {
    writes = writes.then(() => writer.write(encoder.encode(text)));
  };
  const tick = () => {
    if (lastYield + YIELD_FREQUENCY_MS >= Date.now()) return;
    lastYield = Date.now();
    write(toYield);
    toYield = " ";
    separator = "\r\n\r\n";
  };
  const run = async (): Promise<void> => {
    try {
      const body = await work(tick);
      write(separator + body);
      await writes;
      await writer.close();
    } catch (error) {
      await writer.abort(error).catch(() => undefined);
    }
  };
  req.waitUntil(run());
  // swob: a format that matched becomes the content type; otherwise its default stays.
  return new Response(readable, { status: 200, headers: { [H.CONTENT_TYPE]: format ?? "text/html; charset=UTF-8" } });
}
