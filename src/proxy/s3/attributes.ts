/**
 * @module
 * GetObjectAttributes: what `x-amz-object-attributes` names (ETag, Checksum, ObjectParts,
 * StorageClass, ObjectSize) of an object or one of its versions, from one HEAD, without its
 * body. A completed multipart upload counts its parts from its multipart ETag.
 * AWS: GetObjectAttributes.
 */

import { H } from "../../common/headers";
import { bucketOf } from "./bucket";
import { ALGORITHMS, checksumSysmeta } from "./checksums";
import { S3Error } from "./errors";
import { s3EtagOf } from "./headers";
import { missing, X_AMZ_VERSION_ID } from "./object";
import { keyOf, okOrThrow, type S3Request } from "./request";
import { el, type XmlElement, xmlResponse } from "./xml";

const ATTRIBUTES = new Set(["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]);

/** Each checksum's element name (`ChecksumCRC32`). */
const CHECKSUM_ELEMENTS: Record<(typeof ALGORITHMS)[number], string> = {
  crc32: "ChecksumCRC32",
  crc32c: "ChecksumCRC32C",
  crc64nvme: "ChecksumCRC64NVME",
  sha1: "ChecksumSHA1",
  sha256: "ChecksumSHA256",
};

/** The attributes asked for; InvalidArgument for none or one S3 does not know. */
function attributesOf(req: S3Request): Set<string> {
  const header = req.request.headers.get("x-amz-object-attributes") ?? "";
  const names = header
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.find((name) => !ATTRIBUTES.has(name));
  if (names.length === 0 || unknown !== undefined)
    throw new S3Error("InvalidArgument", "Invalid attribute name specified.", {
      ArgumentName: "x-amz-object-attributes",
      ArgumentValue: header,
    });
  return new Set(names);
}

export async function getObjectAttributes(req: S3Request): Promise<Response> {
  const container = bucketOf(req);
  const object = keyOf(req);
  const wanted = attributesOf(req);
  const versionId = req.url.searchParams.get("versionId");
  const query: Record<string, string> = versionId === null ? {} : { "version-id": versionId };
  const head = await req.swift({ method: "HEAD", container, object, query });
  if (head.status === 404) {
    await head.body?.cancel();
    throw await missing(req, [container]);
  }
  await okOrThrow(head, "object");
  await head.body?.cancel();
  const headers = head.headers;
  const etag = (s3EtagOf(headers) ?? "").replace(/^"(.*)"$/, "$1");
  const parts = /-(\d+)$/.exec(etag)?.[1];
  const checksums: XmlElement[] = [];
  for (const algorithm of ALGORITHMS) {
    const value = headers.get(checksumSysmeta(algorithm));
    if (value !== null) checksums.push(el(CHECKSUM_ELEMENTS[algorithm], value));
  }
  const out: Record<string, string> = { [H.LAST_MODIFIED]: headers.get(H.LAST_MODIFIED) ?? "" };
  const version = headers.get(H.X_OBJECT_VERSION_ID);
  if (version !== null) out[X_AMZ_VERSION_ID] = version;
  return xmlResponse(
    el(
      "GetObjectAttributesResponse",
      wanted.has("ETag") ? el("ETag", etag) : null,
      wanted.has("Checksum") && checksums.length ? el("Checksum", checksums) : null,
      wanted.has("ObjectParts") && parts !== undefined ? el("ObjectParts", el("TotalPartsCount", parts)) : null,
      wanted.has("StorageClass") ? el("StorageClass", "STANDARD") : null,
      wanted.has("ObjectSize") ? el("ObjectSize", headers.get(H.CONTENT_LENGTH) ?? "0") : null,
    ),
    out,
  );
}
