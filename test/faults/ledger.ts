/**
 * @module
 * The chaos test's ledger of writes, pure: every request with its status and the state it asks
 * an object to be in, and the states an object may show at the end. An acknowledged write (2xx)
 * sets the expected state; a write answered otherwise (a 503, or a 404 or 409 that still wrote on
 * some replica) may have landed, so until the next acknowledged write of the name either state
 * is acceptable; a refused one (400, 404 of a copy's source) changed nothing.
 */

/** A body as a reader sees it: MD5 of the bytes a GET returns, the ETag a HEAD gives, its length. */
export interface Content {
  md5: string;
  /** The ETag header unquoted (a static large object's: the MD5 of its segments' ETags). */
  etag: string;
  size: number;
}

/** The state a write asks of its object. */
export type Effect =
  | {
      kind: "data";
      contents: Content[];
      contentType: string;
      meta: Record<string, string>;
      /** A static large object's segments (`container/object`). */
      segments?: string[];
    }
  | { kind: "delete" }
  /** A POST: its metadata, and the content type it set if it sent one. */
  | { kind: "meta"; meta: Record<string, string>; contentType?: string };

export type Outcome = "acked" | "maybe" | "refused";

export interface Entry {
  step: number;
  op: string;
  /** `container/object` */
  key: string;
  status: number;
  down: string[];
  outcome: Outcome;
  effect: Effect;
}

/** What a read shows of an object at the end. */
export type Seen =
  | { exists: false }
  | { exists: true; md5: string | null; etag: string; size: number; contentType: string; meta: Record<string, string> };

/** How a read disagrees with the ledger; null when it is an acceptable state. */
export type Verdict = "lost" | "stale" | "resurrected" | null;

/** A state an object may end in: absent, or one of some contents with one content type and metadata. */
type Candidate =
  | { exists: false }
  | { exists: true; contents: Content[]; contentType: string; meta: Record<string, string> };

/** The last acknowledged entry matching `test` and every entry after it that may have landed; all of them when none was acknowledged, with `null` for the state before any. */
function fromLastAcked(entries: readonly Entry[], test: (entry: Entry) => boolean): (Entry | null)[] {
  const matching = entries.filter((entry) => test(entry) && entry.outcome !== "refused");
  const last = matching.findLastIndex((entry) => entry.outcome === "acked");
  return last < 0 ? [null, ...matching] : matching.slice(last);
}

/**
 * The states an object may show after its history: the data (a PUT, copy, large object or
 * delete) of the last acknowledged data write or of one that may have landed after it; on that
 * data, the metadata of the last acknowledged POST newer than it, or of one that may have landed
 * after that, or the data's own (a POST newer than the data applies to it, as Swift merges .meta
 * files newer than the .data); and, chosen apart (Swift keeps a content type's own timestamp), the
 * content type of the last POST newer than the data that set one, or of one that may have landed
 * after it, or the data's own.
 */
export function candidates(history: readonly Entry[]): Candidate[] {
  const data = fromLastAcked(history, (entry) => entry.effect.kind !== "meta");
  const states: Candidate[] = [];
  for (const write of data) {
    if (write === null || write.effect.kind === "delete") {
      states.push({ exists: false });
      continue;
    }
    if (write.effect.kind !== "data") continue;
    const { contents, contentType, meta } = write.effect;
    const after = history.filter((entry) => entry.step > write.step);
    const posts = fromLastAcked(after, (entry) => entry.effect.kind === "meta");
    const retypes = fromLastAcked(
      after,
      (entry) => entry.effect.kind === "meta" && entry.effect.contentType !== undefined,
    );
    for (const post of posts) {
      const postMeta = post?.effect.kind === "meta" ? post.effect.meta : meta;
      for (const retype of retypes) {
        const type = retype?.effect.kind === "meta" ? (retype.effect.contentType ?? contentType) : contentType;
        states.push({ exists: true, contents, contentType: type, meta: postMeta });
      }
    }
  }
  return states;
}

const sameMeta = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

function matches(candidate: Candidate, seen: Seen): boolean {
  if (!candidate.exists || !seen.exists) return candidate.exists === seen.exists;
  return (
    candidate.contents.some(
      (content) =>
        content.etag === seen.etag && content.size === seen.size && (seen.md5 === null || content.md5 === seen.md5),
    ) &&
    candidate.contentType === seen.contentType &&
    sameMeta(candidate.meta, seen.meta)
  );
}

/**
 * Judges what a read shows: lost when an object that must exist is missing, resurrected when one
 * that must be gone is there, stale when it exists with contents or metadata of no acceptable state.
 */
export function verdict(history: readonly Entry[], seen: Seen): Verdict {
  const states = candidates(history);
  if (states.some((state) => matches(state, seen))) return null;
  if (!seen.exists) return "lost";
  return states.some((state) => state.exists) ? "stale" : "resurrected";
}

/** One line per entry of a history, for a failure's message. */
export function story(history: readonly Entry[]): string {
  return history
    .map((entry) => {
      const mark = entry.outcome === "acked" ? "✓" : entry.outcome === "maybe" ? "?" : "✗";
      const down = entry.down.length ? ` [${entry.down.join(",")} down]` : "";
      return `  ${entry.step} ${entry.op} ${entry.status}${mark}${down} ${JSON.stringify(entry.effect)}`;
    })
    .join("\n");
}
