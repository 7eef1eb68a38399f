/**
 * @module
 * Object and bucket tagging. An object's tags are its system metadata
 * `x-object-sysmeta-s3api-tagging`, a bucket's its container's `x-container-sysmeta-s3api-tagging`,
 * both in the form of `x-amz-tagging` (`k1=v1&k2=v2`, URL-encoded, sorted by key), so Swift's
 * clients neither see nor set them. A form longer than one header value (MAX_HEADER_SIZE) goes on
 * in `…-tagging-2`, `…-tagging-3`, …: every chunk but the last is full, so a reader stops at the
 * first short one and a longer, older set's chunks left behind are never read.
 *
 * Changing an object's tags (PutObjectTagging, DeleteObjectTagging) changes only them, as AWS's
 * does: a HEAD finds the object, or the version `versionId` names, then a Swift POST marked as a
 * sysmeta update (Environ.sysmetaUpdate, which only translated requests carry: a client's POST
 * keeps sysmeta and cannot set any) sets the tagging sysmeta on the object as stored and keeps
 * everything else: data, user metadata, content type, ETag, a multipart upload's manifest (an
 * SLO stays one). It names the version the HEAD found (`version-id`), so in a bucket that keeps
 * versions (enabled or suspended) the version itself changes, never the link to the current one,
 * and no version is added. Replicas take it as newer metadata by its meta timestamp's offset, so
 * Last-Modified (S3's and Swift's) stays (durable/merge.ts sysmetaUpdatedAt). Two requests: the
 * HEAD and the POST. A PUT of the object between them ends with the new tags when it reaches a
 * replica before the POST does, else with its own; a null version that a PUT between them turns
 * into a link (versioning enabled) gets them on the link, where no read finds them. A Swift
 * client's POST afterwards replaces user metadata and keeps the tags. Swift's s3api 2.30 answers
 * GET with an empty TagSet and PUT and DELETE with NotImplemented.
 *
 * PutObject, CreateMultipartUpload and CopyObject (`x-amz-tagging-directive`) take tags too
 * (object.ts, multipart.ts call taggingOfHeader and copiedTagging), and GetObject and HeadObject
 * answer `x-amz-tagging-count` (taggingCount).
 * AWS: PutObjectTagging, GetObjectTagging, DeleteObjectTagging, PutBucketTagging,
 * GetBucketTagging, DeleteBucketTagging, PutObject (x-amz-tagging), CopyObject, "Categorizing
 * your storage using tags"; Swift: s3api controllers/tagging.py.
 */

import { MAX_HEADER_SIZE } from "../../common/constraints";
import { H, isTrue } from "../../common/headers";
import { bucketOf, CONFIG_BODY_MAX, headBucket } from "./bucket";
import { S3Error } from "./errors";
import { s3Sysmeta } from "./headers";
import { DELETE_MARKER_TYPE } from "./listing";
import { emptyOk, keyOf, okOrThrow, type S3Request } from "./request";
import { childObjects, childText, el, parseXml, readDocument, type XmlObject, xmlResponse } from "./xml";

/** One tag. */
export interface Tag {
  key: string;
  value: string;
}

/** Where an object's and a bucket's tags are kept (the first chunk; see the module's note). */
export const OBJECT_TAGGING = s3Sysmeta("tagging");
export const BUCKET_TAGGING = "x-container-sysmeta-s3api-tagging";

export const X_AMZ_TAGGING = "x-amz-tagging";
export const X_AMZ_TAGGING_COUNT = "x-amz-tagging-count";
const X_AMZ_TAGGING_DIRECTIVE = "x-amz-tagging-directive";
const X_AMZ_VERSION_ID = "x-amz-version-id";

/** AWS's limits: tags per object and per bucket, a key's and a value's length in UTF-16 code units. */
const MAX_OBJECT_TAGS = 10;
const MAX_BUCKET_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** What a key or value may hold: letters, numbers, spaces and `_ . : / = + - @`. AWS: tag restrictions. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const RESERVED_PREFIX = "aws:";

/** The longest chunk of a stored form: one header value Swift accepts. */
const CHUNK = MAX_HEADER_SIZE;
/** Chunks read at most: a bucket's largest tag set, percent-encoded, takes 22. */
const MAX_CHUNKS = 64;

type Kind = "object" | "bucket";

function invalidTag(message: string): S3Error {
  return new S3Error("InvalidTag", message);
}

/**
 * A tag set as AWS checks it: how many (BadRequest past the limit), then each key and value
 * (InvalidTag, with AWS's words), then repeated keys.
 */
function checkTags(tags: readonly Tag[], kind: Kind): void {
  if (kind === "object" && tags.length > MAX_OBJECT_TAGS)
    throw new S3Error("BadRequest", `Object tags cannot be greater than ${MAX_OBJECT_TAGS}`);
  if (kind === "bucket" && tags.length > MAX_BUCKET_TAGS)
    throw new S3Error("BadRequest", `Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`);
  const keys = new Set<string>();
  for (const { key, value } of tags) {
    if (key.length > MAX_KEY_LENGTH)
      throw invalidTag(`The TagKey you have provided is too long, max ${MAX_KEY_LENGTH}`);
    if (key === "" || !TAG_TEXT.test(key)) throw invalidTag("The TagKey you have provided is invalid");
    if (key.toLowerCase().startsWith(RESERVED_PREFIX))
      throw invalidTag(`Your TagKey cannot be prefixed with ${RESERVED_PREFIX}`);
    if (value.length > MAX_VALUE_LENGTH)
      throw invalidTag(`The TagValue you have provided is too long, max ${MAX_VALUE_LENGTH}`);
    if (!TAG_TEXT.test(value)) throw invalidTag("The TagValue you have provided is invalid");
    if (keys.has(key)) throw invalidTag("Cannot provide multiple Tags with the same key");
    keys.add(key);
  }
}

/** A tag set in the x-amz-tagging form edgeswift stores: URL-encoded pairs, sorted by key ("" for none). */
function encodeTags(tags: readonly Tag[]): string {
  return [...tags]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, value }) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join("&");
}

/** A stored form's tags (edgeswift wrote it: a pair it cannot read is left out). */
function decodeTags(form: string): Tag[] {
  const tags: Tag[] = [];
  for (const pair of form.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    try {
      tags.push(
        equals < 0
          ? { key: decodeURIComponent(pair), value: "" }
          : { key: decodeURIComponent(pair.slice(0, equals)), value: decodeURIComponent(pair.slice(equals + 1)) },
      );
    } catch {}
  }
  return tags;
}

function chunkName(base: string, index: number): string {
  return index === 1 ? base : `${base}-${index}`;
}

/** The stored form of a tag set: its chunks, up to the first that is not full ("" for none). */
function storedForm(headers: Headers, base: string): string {
  let form = "";
  for (let index = 1; index <= MAX_CHUNKS; index++) {
    const chunk = headers.get(chunkName(base, index));
    if (chunk === null) break;
    form += chunk;
    if (chunk.length < CHUNK) break;
  }
  return form.endsWith("&") ? form.slice(0, -1) : form;
}

/**
 * The headers that store a form: its chunks, the last one short (a form that fills its chunks
 * exactly gets an empty pair, `&`, which readers skip). An empty form is an empty first chunk.
 */
function formHeaders(base: string, form: string): Record<string, string> {
  const text = form.length > 0 && form.length % CHUNK === 0 ? `${form}&` : form;
  const headers: Record<string, string> = { [base]: text.slice(0, CHUNK) };
  for (let index = 2; (index - 1) * CHUNK < text.length; index++)
    headers[chunkName(base, index)] = text.slice((index - 1) * CHUNK, index * CHUNK);
  return headers;
}

/**
 * The sysmeta headers that give a stored tag set the form `form`: its chunks (for no tags, an
 * empty first one), and the stored chunks past them emptied. An empty value removes a name (a
 * container POST's metadata, an object's sysmeta update), so the sysmeta left is the form's own.
 */
function taggingHeaders(stored: Headers, base: string, form: string): Record<string, string> {
  const headers = formHeaders(base, form);
  for (const [name, value] of stored) {
    if ((name === base || name.startsWith(`${base}-`)) && value !== "" && !(name in headers)) headers[name] = "";
  }
  return headers;
}

function invalidTaggingHeader(value: string): S3Error {
  return new S3Error(
    "InvalidArgument",
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name " +
      "duplicates.",
    { ArgumentName: X_AMZ_TAGGING, ArgumentValue: value },
  );
}

/** One side of an x-amz-tagging pair: form-decoded (`+` is a space); InvalidArgument when it cannot be. */
function decodeFormPart(part: string, header: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    throw invalidTaggingHeader(header);
  }
}

/**
 * The tags of an x-amz-tagging header: URL query parameters (`k1=v1&k2=v2`, a key without `=`
 * holds the empty value). A pair with a second `=`, bad percent-encoding or a repeated key is
 * InvalidArgument; the tags are then checked as any object's.
 */
function tagsOfHeader(header: string): Tag[] {
  const tags: Tag[] = [];
  const keys = new Set<string>();
  for (const pair of header.split("&")) {
    if (pair === "") continue;
    const parts = pair.split("=");
    if (parts.length > 2) throw invalidTaggingHeader(header);
    const key = decodeFormPart(parts[0] ?? "", header);
    if (keys.has(key)) throw invalidTaggingHeader(header);
    keys.add(key);
    tags.push({ key, value: decodeFormPart(parts[1] ?? "", header) });
  }
  checkTags(tags, "object");
  return tags;
}

/**
 * The sysmeta headers of a write's x-amz-tagging (PutObject, CreateMultipartUpload): none
 * without the header or with an empty one. AWS: PutObject x-amz-tagging.
 */
export function taggingOfHeader(headers: Headers): Record<string, string> {
  const header = headers.get(X_AMZ_TAGGING);
  if (header === null) return {};
  const form = encodeTags(tagsOfHeader(header));
  return form === "" ? {} : formHeaders(OBJECT_TAGGING, form);
}

/** Whether a header is one of an object's tagging sysmeta (a completed upload takes them from its marker). */
export function isTaggingHeader(name: string): boolean {
  return name === OBJECT_TAGGING || name.startsWith(`${OBJECT_TAGGING}-`);
}

/** x-amz-tagging-count of GetObject and HeadObject: the number of the object's tags, when it has any. */
export function taggingCount(headers: Headers): Record<string, string> {
  const count = decodeTags(storedForm(headers, OBJECT_TAGGING)).length;
  return count === 0 ? {} : { [X_AMZ_TAGGING_COUNT]: String(count) };
}

/**
 * The tagging sysmeta a CopyObject sends with Swift's copy, by x-amz-tagging-directive: REPLACE,
 * the request's x-amz-tagging (none: an empty form, so the source's are not kept); COPY (the
 * default), the source's tags, which Swift's copy keeps by itself unless the metadata is fresh
 * (x-amz-metadata-directive REPLACE) or the source is a large object read whole (its sysmeta is
 * dropped): then they are read from the source (a HEAD) and sent again. A source that cannot be
 * read sends nothing: the copy answers for it. AWS: CopyObject x-amz-tagging-directive.
 */
export async function copiedTagging(
  req: S3Request,
  source: { bucket: string; key: string; versionId: string | null },
  freshMetadata: boolean,
): Promise<Record<string, string>> {
  const headers = req.request.headers;
  const directive = headers.get(X_AMZ_TAGGING_DIRECTIVE) ?? "COPY";
  if (directive !== "COPY" && directive !== "REPLACE")
    throw new S3Error("InvalidArgument", "Unknown tagging directive.", {
      ArgumentName: X_AMZ_TAGGING_DIRECTIVE,
      ArgumentValue: directive,
    });
  if (directive === "REPLACE")
    return formHeaders(OBJECT_TAGGING, encodeTags(tagsOfHeader(headers.get(X_AMZ_TAGGING) ?? "")));
  const query: Record<string, string> = { "multipart-manifest": "get" };
  if (source.versionId !== null) query["version-id"] = source.versionId;
  const head = await req.swift({ method: "HEAD", container: source.bucket, object: source.key, query });
  await head.body?.cancel();
  if (!head.ok) return {};
  if (!freshMetadata && !isTrue(head.headers.get(H.X_STATIC_LARGE_OBJECT))) return {};
  const form = storedForm(head.headers, OBJECT_TAGGING);
  return form === "" ? {} : formHeaders(OBJECT_TAGGING, form);
}

/** The Tagging document of a request body, checked as AWS checks an object's or a bucket's tag set. */
async function tagSetOfBody(req: S3Request, kind: Kind): Promise<Tag[]> {
  const text = await readDocument(req, CONFIG_BODY_MAX);
  const document = parseXml(text, "Tagging", ["TagSet", "Tag"]);
  onlyChildren(document, ["TagSet"]);
  const sets = document.TagSet;
  if (!Array.isArray(sets) || sets.length !== 1) throw new S3Error("MalformedXML");
  const set = sets[0];
  const tags: Tag[] = [];
  if (typeof set === "string") {
    if (set.trim() !== "") throw new S3Error("MalformedXML");
  } else if (set !== undefined) {
    onlyChildren(set, ["Tag"]);
    for (const tag of childObjects(set, "Tag")) {
      onlyChildren(tag, ["Key", "Value"]);
      const key = childText(tag, "Key");
      const value = childText(tag, "Value");
      if (key === null || value === null) throw new S3Error("MalformedXML");
      tags.push({ key, value });
    }
  }
  checkTags(tags, kind);
  return tags;
}

/** An element holding only the children named (and the white space between them); MalformedXML otherwise. */
function onlyChildren(element: XmlObject, names: readonly string[]): void {
  for (const [name, value] of Object.entries(element)) {
    if (names.includes(name)) continue;
    if (name === "#text" && typeof value === "string" && value.trim() === "") continue;
    throw new S3Error("MalformedXML");
  }
}

/** The Tagging document of a tag set (`<TagSet/>` when empty). */
function taggingResponse(tags: readonly Tag[], headers: Record<string, string> = {}): Response {
  return xmlResponse(
    el(
      "Tagging",
      el(
        "TagSet",
        tags.map(({ key, value }) => el("Tag", el("Key", key), el("Value", value))),
      ),
    ),
    headers,
  );
}

/** An object's 404: NoSuchBucket when the bucket is missing, else NoSuchKey (NoSuchVersion for `versionId`). */
async function missing(req: S3Request, container: string, object: string, versionId: string | null): Promise<S3Error> {
  const head = await req.swift({ method: "HEAD", container });
  await head.body?.cancel();
  if (head.status === 404) return new S3Error("NoSuchBucket", undefined, { BucketName: container });
  if (versionId !== null) return new S3Error("NoSuchVersion", undefined, { Key: object, VersionId: versionId });
  return new S3Error("NoSuchKey", undefined, { Key: object });
}

/**
 * The object's headers (`versionId`: that version's; `manifest`: a large object's manifest
 * itself), or what S3 says when there is none: NoSuchBucket, NoSuchKey, NoSuchVersion, a delete
 * marker's MethodNotAllowed, an unreadable version id's InvalidArgument.
 */
async function objectHead(
  req: S3Request,
  container: string,
  object: string,
  versionId: string | null,
  manifest: boolean,
): Promise<Headers> {
  const query: Record<string, string> = manifest ? { "multipart-manifest": "get" } : {};
  if (versionId !== null) query["version-id"] = versionId;
  const response = await req.swift({ method: "HEAD", container, object, query });
  await response.body?.cancel();
  if (response.status === 400 && versionId !== null)
    throw new S3Error("InvalidArgument", "Invalid version id specified", {
      ArgumentName: "versionId",
      ArgumentValue: versionId,
    });
  if (response.status === 404) {
    if (versionId !== null && response.headers.get(H.CONTENT_TYPE)?.startsWith(DELETE_MARKER_TYPE))
      throw new S3Error("MethodNotAllowed", undefined, { Method: req.method, ResourceType: "DeleteMarker" });
    throw await missing(req, container, object, versionId);
  }
  await okOrThrow(response, "object");
  return response.headers;
}

/** The x-amz-version-id of a tagging answer: the version the object's headers name (a versioned bucket's). */
function versionHeader(headers: Headers): Record<string, string> {
  const version = headers.get(H.X_OBJECT_VERSION_ID);
  return version === null ? {} : { [X_AMZ_VERSION_ID]: version };
}

/** GetObjectTagging: the object's (or version's) tags; an empty TagSet when it has none. */
export async function getObjectTagging(req: S3Request): Promise<Response> {
  const container = bucketOf(req);
  const object = keyOf(req);
  const headers = await objectHead(req, container, object, req.url.searchParams.get("versionId"), false);
  return taggingResponse(decodeTags(storedForm(headers, OBJECT_TAGGING)), versionHeader(headers));
}

/**
 * Gives the object (or the version `versionId` names) the tag set `form` by a sysmeta update of
 * what its HEAD found, named by its version id when it has one: a versioned object's current
 * version itself, not the link to it object versioning keeps in the bucket. Nothing else changes:
 * not its data, metadata, ETag or Last-Modified, nor its bucket's versions (see the module's
 * note). Answers AWS's x-amz-version-id.
 */
async function retag(req: S3Request, form: string): Promise<Record<string, string>> {
  const container = bucketOf(req);
  const object = keyOf(req);
  const versionId = req.url.searchParams.get("versionId");
  const stored = await objectHead(req, container, object, versionId, true);
  const version = stored.get(H.X_OBJECT_VERSION_ID);
  const query: Record<string, string> = version === null ? {} : { "version-id": version };
  const response = await req.swift({
    method: "POST",
    container,
    object,
    query,
    headers: taggingHeaders(stored, OBJECT_TAGGING, form),
    sysmetaUpdate: true,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    throw await missing(req, container, object, versionId);
  }
  await (await okOrThrow(response, "object")).body?.cancel();
  return versionHeader(stored);
}

/** PutObjectTagging: the object's (or version's) tag set replaced (an empty one removes it). 200. */
export async function putObjectTagging(req: S3Request): Promise<Response> {
  const tags = await tagSetOfBody(req, "object");
  const version = await retag(req, encodeTags(tags));
  return emptyOk(version);
}

/** DeleteObjectTagging: the object's (or version's) tag set removed. 204. */
export async function deleteObjectTagging(req: S3Request): Promise<Response> {
  return new Response(null, { status: 204, headers: await retag(req, "") });
}

/** Sets (or, with an empty form, removes) the bucket's tagging sysmeta, its older chunks removed. */
async function setBucketTagging(req: S3Request, stored: Headers, form: string): Promise<void> {
  const headers = taggingHeaders(stored, BUCKET_TAGGING, form);
  const response = await okOrThrow(await req.swift({ method: "POST", container: bucketOf(req), headers }), "bucket");
  await response.body?.cancel();
}

/** GetBucketTagging: the bucket's tags; NoSuchTagSet (404) when it has none. */
export async function getBucketTagging(req: S3Request): Promise<Response> {
  const tags = decodeTags(storedForm(await headBucket(req), BUCKET_TAGGING));
  if (tags.length === 0) throw new S3Error("NoSuchTagSet", undefined, { BucketName: bucketOf(req) });
  return taggingResponse(tags);
}

/** PutBucketTagging: the bucket's tag set replaced (an empty one removes it). 204, as AWS answers. */
export async function putBucketTagging(req: S3Request): Promise<Response> {
  const tags = await tagSetOfBody(req, "bucket");
  await setBucketTagging(req, await headBucket(req), encodeTags(tags));
  return new Response(null, { status: 204 });
}

/** DeleteBucketTagging: the bucket's tag set removed. 204. */
export async function deleteBucketTagging(req: S3Request): Promise<Response> {
  await setBucketTagging(req, await headBucket(req), "");
  return new Response(null, { status: 204 });
}

/** An object's stored tags (a GET or HEAD's headers), key to value; none when it has none. */
export function storedObjectTags(headers: Headers): Map<string, string> {
  return new Map(new URLSearchParams(storedForm(headers, OBJECT_TAGGING)));
}
