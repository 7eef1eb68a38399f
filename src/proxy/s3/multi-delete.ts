/**
 * @module
 * DeleteObjects: up to 1,000 keys in one `<Delete>` document, each deleted as DeleteObject
 * deletes it (a few at a time), answered with every key Deleted or its Error (quiet: the errors
 * alone). A Content-MD5 given must match the document. AWS: DeleteObjects; Swift: s3api
 * controllers/multi_delete.py.
 */

import { mapConcurrent } from "../../common/concurrency";
import { bucketOf, CONFIG_BODY_MAX } from "./bucket";
import { asS3Error, S3Error } from "./errors";
import { deleteKey } from "./object";
import { okOrThrow, type S3Request } from "./request";
import { childObjects, childText, el, parseXml, readDocument, xmlResponse } from "./xml";

/** AWS's most keys in one request. */
export const MAX_DELETE_KEYS = 1000;

/** Keys deleted at once. */
const DELETES_IN_FLIGHT = 8;

/** The largest Delete document: 1,000 keys of 1,024 bytes and their markup (AWS allows about 2 MiB). */
const DELETE_BODY_MAX = 2 * 1024 * 1024;

export async function deleteObjects(req: S3Request): Promise<Response> {
  const container = bucketOf(req);
  const text = await readDocument(req, Math.max(DELETE_BODY_MAX, CONFIG_BODY_MAX));
  const document = parseXml(text, "Delete", ["Object"]);
  const quiet = (childText(document, "Quiet") ?? "false").toLowerCase() === "true";
  const objects = childObjects(document, "Object");
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new S3Error("MalformedXML");
  const keys = objects.map((object) => {
    const key = childText(object, "Key");
    if (key === null) throw new S3Error("MalformedXML");
    return { key, versionId: childText(object, "VersionId") };
  });
  await okOrThrow(await req.swift({ method: "HEAD", container }), "bucket");
  const results = await mapConcurrent(keys, DELETES_IN_FLIGHT, async ({ key, versionId }) => {
    try {
      const deleted = await deleteKey(req, container, key, versionId);
      return el(
        "Deleted",
        el("Key", key),
        versionId === null ? null : el("VersionId", versionId),
        deleted.deleteMarker ? [el("DeleteMarker", true), el("DeleteMarkerVersionId", deleted.versionId ?? "")] : null,
      );
    } catch (error) {
      const failure = asS3Error(error, "object", `DeleteObjects ${container}/${key}`);
      return el("Error", el("Key", key), el("Code", failure.code), el("Message", failure.message));
    }
  });
  return xmlResponse(el("DeleteResult", quiet ? results.filter((result) => result.name === "Error") : results));
}
