/**
 * @module
 * A long answer kept alive as AWS keeps CompleteMultipartUpload's: when the work is not done
 * within a grace period, the client gets 200 at once with the XML declaration, then a space every
 * interval (so neither it nor a proxy between gives up on a silent connection), then the result
 * document, or, should the work fail after all, an Error document in that 200 (which the SDKs
 * read as the failure it is). Work done within the grace period answers as it would have, its
 * status included. AWS: CompleteMultipartUpload ("a 200 OK response can contain either a success
 * or an error"); Swift: s3api multi_upload.py (its 10 s grace, then SLO's heartbeat whitespace).
 */

import { H } from "../../common/headers";
import { within } from "../../common/within";
import { asS3Error, type ResourceKind, s3ErrorResponse } from "./errors";

/** How long work may take before the 200 is sent, and how often a space follows it. */
export interface HeartbeatTiming {
  graceMs: number;
  intervalMs: number;
}

export const COMPLETE_HEARTBEAT: HeartbeatTiming = { graceMs: 10_000, intervalMs: 5_000 };

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A document's text without its XML declaration (it was sent first). */
function withoutDeclaration(text: string): string {
  return text.startsWith("<?xml") ? text.slice(text.indexOf("?>") + 2).replace(/^\n/, "") : text;
}

/**
 * `work`'s answer when it comes within the grace period; else a 200 streamed as the module says.
 * An error of `work` in the stream is rendered as its S3 Error document (`about`, `resource` and
 * `requestId` name it as s3ErrorResponse does).
 */
export async function withHeartbeat(
  work: Promise<Response>,
  timing: HeartbeatTiming,
  failure: { about: ResourceKind; resource: string; requestId: string },
): Promise<Response> {
  const early = await within(work, timing.graceMs, null);
  if (early !== null) return early;
  const encoder = new TextEncoder();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const send = (text: string) => writer.write(encoder.encode(text)).catch(() => undefined);
  void send(XML_DECLARATION);
  const beat = setInterval(() => void send(" "), timing.intervalMs);
  void work
    .catch((error: unknown) =>
      s3ErrorResponse(asS3Error(error, failure.about), "POST", failure.resource, failure.requestId),
    )
    .then((response) => response.text())
    .then(async (text) => {
      clearInterval(beat);
      await send(withoutDeclaration(text));
      await writer.close();
    })
    .catch(async (error: unknown) => {
      clearInterval(beat);
      await writer.abort(error).catch(() => undefined);
    });
  return new Response(readable, { status: 200, headers: { [H.CONTENT_TYPE]: "application/xml" } });
}
