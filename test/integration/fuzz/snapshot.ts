/**
 * @module
 * What is stored, as the fuzz tests compare it before and after a request that was refused: an
 * account's, containers' and objects' HEAD headers (but those that change per request) and the
 * containers' JSON listings, read with the tester's token (or another user's).
 */
import { swift, text } from "../../helpers";

/** Headers that differ between two reads of the same stored state. */
const PER_REQUEST = new Set(["x-trans-id", "x-openstack-request-id", "date"]);
/**
 * An account's object counts and bytes, which its containers report from their alarm 0.5 s after
 * a write (README, "container → account reports"): they may still change after an earlier run's
 * writes. The containers' own counts and listings, updated at once, say what they would.
 */
const REPORTED_LATER = /^x-account-(?:storage-policy-.+-)?(?:object-count|bytes-used)$/;

async function headersOf(path: string, user?: [string, string]): Promise<string> {
  const response = await swift("HEAD", path, { user });
  await text(response);
  const kept = [...response.headers].filter(
    ([name]) => !PER_REQUEST.has(name.toLowerCase()) && !REPORTED_LATER.test(name.toLowerCase()),
  );
  return `${response.status} ${JSON.stringify(kept.sort())}`;
}

export interface Stored {
  /** `/AUTH_x` paths: account HEAD. */
  accounts?: readonly string[];
  /** `/AUTH_x/c` paths: container HEAD and its JSON listing (versions and all). */
  containers?: readonly string[];
  /** `/AUTH_x/c/o` paths: object HEAD. */
  objects?: readonly string[];
  /** Any paths: their HEAD only (a container's counts without its listing). */
  heads?: readonly string[];
  /** Who reads them; the tester by default. */
  user?: [string, string];
}

/** A text naming everything stored at `what`: equal before and after when nothing changed. */
export async function snapshot(what: Stored): Promise<string> {
  const parts: string[] = [];
  for (const path of what.accounts ?? []) parts.push(`${path} ${await headersOf(path, what.user)}`);
  for (const path of what.containers ?? []) {
    parts.push(`${path} ${await headersOf(path, what.user)}`);
    const listing = await swift("GET", `${path}?format=json`, { user: what.user });
    parts.push(`${path}?format=json ${listing.status} ${await text(listing)}`);
  }
  for (const path of [...(what.objects ?? []), ...(what.heads ?? [])])
    parts.push(`${path} ${await headersOf(path, what.user)}`);
  return parts.join("\n");
}
