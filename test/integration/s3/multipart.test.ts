import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { bucketName, s3, s3Sent, xmlValue, xmlValues } from "./helpers";

const bucket = bucketName("multipart");
const segments = `${bucket}+segments`;
const MIB = 1024 * 1024;

beforeAll(async () => {
  const created = await s3Sent("PUT", `/${bucket}`);
  if (created.status !== 200) throw new Error(`bucket: ${created.status} ${created.body}`);
});

const bytes = (s: string) => new TextEncoder().encode(s);

async function md5Bytes(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("MD5", data));
}

const hex = (data: Uint8Array) => [...data].map((b) => b.toString(16).padStart(2, "0")).join("");

async function md5Hex(data: Uint8Array | string): Promise<string> {
  return hex(await md5Bytes(typeof data === "string" ? bytes(data) : data));
}

/** S3's multipart ETag: the md5 of the parts' binary md5s, then `-N`. */
async function multipartEtag(parts: (Uint8Array | string)[]): Promise<string> {
  const digests = await Promise.all(parts.map((part) => md5Bytes(typeof part === "string" ? bytes(part) : part)));
  const joined = new Uint8Array(digests.length * 16);
  digests.forEach((digest, index) => joined.set(digest, index * 16));
  return `${await md5Hex(joined)}-${parts.length}`;
}

function md5Base64(hexDigest: string): string {
  return btoa(String.fromCharCode(...(hexDigest.match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16))));
}

async function createUpload(key: string, headers: Record<string, string> = {}): Promise<string> {
  const sent = await s3Sent("POST", `/${bucket}/${key}?uploads`, { headers });
  if (sent.status !== 200) throw new Error(`create ${key}: ${sent.status} ${sent.body}`);
  return xmlValue(sent.body, "UploadId") ?? "";
}

async function uploadPart(
  key: string,
  uploadId: string,
  partNumber: number,
  body: Uint8Array | string,
): Promise<string> {
  const sent = await s3Sent("PUT", `/${bucket}/${key}?partNumber=${partNumber}&uploadId=${uploadId}`, { body });
  if (sent.status !== 200) throw new Error(`part ${partNumber} of ${key}: ${sent.status} ${sent.body}`);
  return sent.headers.get("etag") ?? "";
}

function completeXml(parts: [number, string][]): string {
  const items = parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`).join("");
  return `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${items}</CompleteMultipartUpload>`;
}

function complete(key: string, uploadId: string, parts: [number, string][], headers: Record<string, string> = {}) {
  return s3Sent("POST", `/${bucket}/${key}?uploadId=${uploadId}`, { body: completeXml(parts), headers });
}

/** The names in the bucket's segments container under `prefix`, through the Swift API. */
async function segmentNames(prefix: string): Promise<string[]> {
  const response = await swift("GET", `/AUTH_test/${segments}?format=json&prefix=${encodeURIComponent(prefix)}`);
  if (response.status === 204) {
    await text(response);
    return [];
  }
  return ((await response.json()) as { name: string }[]).map((entry) => entry.name);
}

/** A completed one-part upload of `body` at `key`; its ETag as S3 shows it. */
async function oneObject(key: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const id = await createUpload(key, headers);
  const etag = await uploadPart(key, id, 1, body);
  const done = await complete(key, id, [[1, etag]]);
  if (done.status !== 200) throw new Error(`complete ${key}: ${done.status} ${done.body}`);
  return xmlValue(done.body, "ETag") ?? "";
}

describe("S3 multipart uploads", () => {
  it("CreateMultipartUpload answers a URL-safe upload id and keeps a marker in <bucket>+segments", async ({
    expect,
  }) => {
    const sent = await s3Sent("POST", `/${bucket}/created/key?uploads`);
    expect(sent.status).toBe(200);
    expect(xmlValue(sent.body, "Bucket")).toBe(bucket);
    expect(xmlValue(sent.body, "Key")).toBe("created/key");
    const id = xmlValue(sent.body, "UploadId") ?? "";
    expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(await createUpload("created/key")).not.toBe(id);
    expect(await segmentNames("created/key/")).toContain(`created/key/${id}`);
    const container = await swift("HEAD", `/AUTH_test/${segments}`);
    await text(container);
    expect(container.status).toBe(204);
  });

  it("a 5 MiB part and a small last one complete as one object: multipart ETag, same bytes via Swift", async ({
    expect,
  }) => {
    const first = new Uint8Array(5 * MIB).map((_, i) => (i * 31) % 251);
    const last = bytes("the last part, small");
    const id = await createUpload("big/object");
    const etag1 = await uploadPart("big/object", id, 1, first);
    const etag2 = await uploadPart("big/object", id, 2, last);
    expect(etag1).toBe(`"${await md5Hex(first)}"`);
    expect(etag2).toBe(`"${await md5Hex(last)}"`);
    const done = await complete("big/object", id, [
      [1, etag1],
      [2, etag2.replace(/"/g, "")],
    ]);
    expect(done.status).toBe(200);
    const expected = `"${await multipartEtag([first, last])}"`;
    expect(xmlValue(done.body, "ETag")).toBe(expected);
    expect(xmlValue(done.body, "Bucket")).toBe(bucket);
    expect(xmlValue(done.body, "Key")).toBe("big/object");
    expect(xmlValue(done.body, "Location")).toMatch(new RegExp(`/${bucket}/big/object$`));

    const head = await s3Sent("HEAD", `/${bucket}/big/object`);
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(expected);
    expect(head.headers.get("content-length")).toBe(String(5 * MIB + last.length));
    const ranged = await s3Sent("GET", `/${bucket}/big/object`, { headers: { range: `bytes=${5 * MIB}-` } });
    expect(ranged.status).toBe(206);
    expect(ranged.body).toBe("the last part, small");
    const viaSwift = await swift("GET", `/AUTH_test/${bucket}/big/object`);
    expect(viaSwift.status).toBe(200);
    const whole = new Uint8Array(await viaSwift.arrayBuffer());
    expect(whole.length).toBe(5 * MIB + last.length);
    expect(await md5Hex(whole)).toBe(await md5Hex(new Uint8Array([...first, ...last])));
    expect(viaSwift.headers.get("x-object-sysmeta-s3api-etag")).toBeNull();
    // The upload is done: its marker is gone, its parts stay as the object's segments.
    expect(await segmentNames(`big/object/${id}`)).toEqual([`big/object/${id}/1`, `big/object/${id}/2`]);
  });

  it("ListObjects shows the multipart ETag; Swift's JSON listing shows it as s3_etag in the hash", async ({
    expect,
  }) => {
    const etag = await oneObject("listed/one", "listed body");
    expect(etag).toBe(`"${await multipartEtag(["listed body"])}"`);
    const listed = await s3Sent("GET", `/${bucket}?prefix=listed/`);
    expect(xmlValues(listed.body, "Key")).toEqual(["listed/one"]);
    expect(xmlValues(listed.body, "ETag")).toEqual([etag]);
    expect(xmlValues(listed.body, "Size")).toEqual(["11"]);
    const v2 = await s3Sent("GET", `/${bucket}?list-type=2&prefix=listed/`);
    expect(xmlValues(v2.body, "ETag")).toEqual([etag]);
    const json = await swift("GET", `/AUTH_test/${bucket}?format=json&prefix=listed/`);
    const [entry] = (await json.json()) as { hash: string; bytes: number; slo_etag?: string }[];
    expect(entry?.bytes).toBe(11);
    expect(entry?.hash).toMatch(new RegExp(`^[0-9a-f]{32}; s3_etag=${etag.replace(/"/g, "")}$`));
    expect(entry?.slo_etag).toBe(`"${await md5Hex(await md5Hex("listed body"))}"`);
  });

  it("the content type, metadata and headers given to CreateMultipartUpload are the completed object's", async ({
    expect,
  }) => {
    await oneObject("meta/typed", "typed body", {
      "content-type": "text/x-multipart",
      "x-amz-meta-color": "green",
      "content-disposition": "attachment",
      "cache-control": "max-age=5",
    });
    const got = await s3Sent("GET", `/${bucket}/meta/typed`);
    expect(got.status).toBe(200);
    expect(got.body).toBe("typed body");
    expect(got.headers.get("content-type")).toBe("text/x-multipart");
    expect(got.headers.get("x-amz-meta-color")).toBe("green");
    expect(got.headers.get("content-disposition")).toBe("attachment");
    expect(got.headers.get("cache-control")).toBe("max-age=5");
    const viaSwift = await swift("HEAD", `/AUTH_test/${bucket}/meta/typed`);
    await text(viaSwift);
    expect(viaSwift.headers.get("x-object-meta-color")).toBe("green");
    expect(viaSwift.headers.get("content-type")).toBe("text/x-multipart");
  });

  it("every part but the last must be at least 5 MiB: EntityTooSmall, and the upload stays open", async ({
    expect,
  }) => {
    const id = await createUpload("small/parts");
    const etag1 = await uploadPart("small/parts", id, 1, "one");
    const etag2 = await uploadPart("small/parts", id, 2, "two");
    const done = await complete("small/parts", id, [
      [1, etag1],
      [2, etag2],
    ]);
    expect(done.status).toBe(400);
    expect(xmlValue(done.body, "Code")).toBe("EntityTooSmall");
    const parts = await s3Sent("GET", `/${bucket}/small/parts?uploadId=${id}`);
    expect(parts.status).toBe(200);
    expect(xmlValues(parts.body, "PartNumber")).toEqual(["1", "2"]);
    expect((await s3Sent("HEAD", `/${bucket}/small/parts`)).status).toBe(404);
  });

  it("parts out of order are InvalidPartOrder; a part never uploaded or with another ETag is InvalidPart", async ({
    expect,
  }) => {
    const id = await createUpload("bad/complete");
    const etag1 = await uploadPart("bad/complete", id, 1, "one");
    const etag2 = await uploadPart("bad/complete", id, 2, "two");
    const disorder = await complete("bad/complete", id, [
      [2, etag2],
      [1, etag1],
    ]);
    expect(disorder.status).toBe(400);
    expect(xmlValue(disorder.body, "Code")).toBe("InvalidPartOrder");
    const repeated = await complete("bad/complete", id, [
      [1, etag1],
      [1, etag1],
    ]);
    expect(xmlValue(repeated.body, "Code")).toBe("InvalidPartOrder");
    const missing = await complete("bad/complete", id, [
      [1, etag1],
      [3, etag2],
    ]);
    expect(missing.status).toBe(400);
    expect(xmlValue(missing.body, "Code")).toBe("InvalidPart");
    const wrongEtag = await complete("bad/complete", id, [[1, etag2]]);
    expect(xmlValue(wrongEtag.body, "Code")).toBe("InvalidPart");
    const notHex = await complete("bad/complete", id, [[1, "nope"]]);
    expect(xmlValue(notHex.body, "Code")).toBe("InvalidPart");
  });

  it("a Complete body that is not a CompleteMultipartUpload with parts is MalformedXML", async ({ expect }) => {
    const id = await createUpload("bad/xml");
    await uploadPart("bad/xml", id, 1, "one");
    for (const body of ["<CompleteMultipartUpload>", "<CompleteMultipartUpload/>", "<Other><Part/></Other>"]) {
      const sent = await s3Sent("POST", `/${bucket}/bad/xml?uploadId=${id}`, { body });
      expect(sent.status).toBe(400);
      expect(xmlValue(sent.body, "Code")).toBe("MalformedXML");
    }
    const noNumber = await s3Sent("POST", `/${bucket}/bad/xml?uploadId=${id}`, {
      body: "<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
    });
    expect(xmlValue(noNumber.body, "Code")).toBe("MalformedXML");
  });

  it(
    "UploadPart: a part number outside 1..10000 is InvalidArgument, " +
      "an unknown upload NoSuchUpload, a wrong Content-MD5 BadDigest",
    async ({ expect }) => {
      const id = await createUpload("part/checks");
      for (const number of ["0", "10001", "x"]) {
        const sent = await s3Sent("PUT", `/${bucket}/part/checks?partNumber=${number}&uploadId=${id}`, { body: "a" });
        expect(sent.status).toBe(400);
        expect(xmlValue(sent.body, "Code")).toBe("InvalidArgument");
        expect(xmlValue(sent.body, "Message")).toBe("Part number must be an integer between 1 and 10000, inclusive");
      }
      const unknown = await s3Sent("PUT", `/${bucket}/part/checks?partNumber=1&uploadId=no-such-upload`, { body: "a" });
      expect(unknown.status).toBe(404);
      expect(xmlValue(unknown.body, "Code")).toBe("NoSuchUpload");
      const otherKey = await s3Sent("PUT", `/${bucket}/part/other?partNumber=1&uploadId=${id}`, { body: "a" });
      expect(xmlValue(otherKey.body, "Code")).toBe("NoSuchUpload");
      const digest = await s3Sent("PUT", `/${bucket}/part/checks?partNumber=1&uploadId=${id}`, {
        body: "body",
        headers: { "content-md5": md5Base64(await md5Hex("other")) },
      });
      expect(digest.status).toBe(400);
      expect(xmlValue(digest.body, "Code")).toBe("BadDigest");
      const good = await s3Sent("PUT", `/${bucket}/part/checks?partNumber=1&uploadId=${id}`, {
        body: "body",
        headers: { "content-md5": md5Base64(await md5Hex("body")) },
      });
      expect(good.status).toBe(200);
      expect(good.headers.get("etag")).toBe(`"${await md5Hex("body")}"`);
      const noBucket = await s3Sent("PUT", `/${bucketName("missing")}/k?partNumber=1&uploadId=${id}`, { body: "a" });
      expect(xmlValue(noBucket.body, "Code")).toBe("NoSuchBucket");
    },
  );

  it("UploadPart checks an x-amz-checksum-sha256 header and returns it; one that does not match is BadDigest", async ({
    expect,
  }) => {
    const id = await createUpload("part/checksum");
    const sha256 = async (text: string) =>
      btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes(text)))));
    const good = await s3Sent("PUT", `/${bucket}/part/checksum?partNumber=1&uploadId=${id}`, {
      body: "checked part",
      headers: { "x-amz-checksum-sha256": await sha256("checked part") },
    });
    expect(good.status).toBe(200);
    expect(good.headers.get("x-amz-checksum-sha256")).toBe(await sha256("checked part"));
    const bad = await s3Sent("PUT", `/${bucket}/part/checksum?partNumber=2&uploadId=${id}`, {
      body: "checked part",
      headers: { "x-amz-checksum-sha256": await sha256("another part") },
    });
    expect(bad.status).toBe(400);
    expect(xmlValue(bad.body, "Code")).toBe("BadDigest");
    const parts = await s3Sent("GET", `/${bucket}/part/checksum?uploadId=${id}`);
    expect(xmlValues(parts.body, "PartNumber")).toEqual(["1"]);
  });

  it("an uploaded part replaces the part of the same number", async ({ expect }) => {
    const id = await createUpload("part/again");
    await uploadPart("part/again", id, 1, "first try");
    const etag = await uploadPart("part/again", id, 1, "second");
    const done = await complete("part/again", id, [[1, etag]]);
    expect(done.status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/part/again`)).body).toBe("second");
  });

  it("AbortMultipartUpload deletes the marker and every part (204); the upload is then NoSuchUpload", async ({
    expect,
  }) => {
    const id = await createUpload("aborted/key");
    await uploadPart("aborted/key", id, 1, "one");
    await uploadPart("aborted/key", id, 2, "two");
    expect(await segmentNames(`aborted/key/${id}`)).toHaveLength(3);
    const aborted = await s3Sent("DELETE", `/${bucket}/aborted/key?uploadId=${id}`);
    expect(aborted.status).toBe(204);
    expect(await segmentNames(`aborted/key/${id}`)).toEqual([]);
    const again = await s3Sent("DELETE", `/${bucket}/aborted/key?uploadId=${id}`);
    expect(again.status).toBe(404);
    expect(xmlValue(again.body, "Code")).toBe("NoSuchUpload");
    const part = await s3Sent("PUT", `/${bucket}/aborted/key?partNumber=1&uploadId=${id}`, { body: "x" });
    expect(xmlValue(part.body, "Code")).toBe("NoSuchUpload");
    const parts = await s3Sent("GET", `/${bucket}/aborted/key?uploadId=${id}`);
    expect(xmlValue(parts.body, "Code")).toBe("NoSuchUpload");
    const done = await complete("aborted/key", id, [[1, `"${await md5Hex("one")}"`]]);
    expect(done.status).toBe(404);
    expect(xmlValue(done.body, "Code")).toBe("NoSuchUpload");
  });

  it("ListParts lists parts in numeric order, paged by max-parts and part-number-marker", async ({ expect }) => {
    const id = await createUpload("listed/parts");
    const etags = new Map<number, string>();
    for (const n of [10, 2, 1, 3]) etags.set(n, await uploadPart("listed/parts", id, n, `part ${n}`));
    const all = await s3Sent("GET", `/${bucket}/listed/parts?uploadId=${id}`);
    expect(all.status).toBe(200);
    expect(xmlValue(all.body, "Bucket")).toBe(bucket);
    expect(xmlValue(all.body, "Key")).toBe("listed/parts");
    expect(xmlValue(all.body, "UploadId")).toBe(id);
    expect(xmlValue(all.body, "StorageClass")).toBe("STANDARD");
    expect(xmlValue(all.body, "ID")).toBe("test:tester");
    expect(xmlValue(all.body, "IsTruncated")).toBe("false");
    expect(xmlValue(all.body, "MaxParts")).toBe("1000");
    expect(xmlValues(all.body, "PartNumber")).toEqual(["1", "2", "3", "10"]);
    expect(xmlValues(all.body, "ETag")).toEqual([1, 2, 3, 10].map((n) => etags.get(n)));
    expect(xmlValues(all.body, "Size")).toEqual(["6", "6", "6", "7"]);
    expect(xmlValues(all.body, "LastModified")[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const first = await s3Sent("GET", `/${bucket}/listed/parts?uploadId=${id}&max-parts=2`);
    expect(xmlValues(first.body, "PartNumber")).toEqual(["1", "2"]);
    expect(xmlValue(first.body, "IsTruncated")).toBe("true");
    expect(xmlValue(first.body, "NextPartNumberMarker")).toBe("2");
    const second = await s3Sent("GET", `/${bucket}/listed/parts?uploadId=${id}&max-parts=2&part-number-marker=2`);
    expect(xmlValues(second.body, "PartNumber")).toEqual(["3", "10"]);
    expect(xmlValue(second.body, "PartNumberMarker")).toBe("2");
    expect(xmlValue(second.body, "IsTruncated")).toBe("false");
    const bad = await s3Sent("GET", `/${bucket}/listed/parts?uploadId=${id}&max-parts=many`);
    expect(xmlValue(bad.body, "Code")).toBe("InvalidArgument");
  });

  it(
    "ListMultipartUploads pages with max-uploads, key-marker and upload-id-marker; " +
      "prefix and delimiter group keys",
    async ({ expect }) => {
      const a1 = await createUpload("uploads/a");
      const a2 = await createUpload("uploads/a");
      const b = await createUpload("uploads/b");
      await uploadPart("uploads/a", a1, 1, "parts are not uploads");
      await uploadPart("uploads/a", a1, 2, "parts are not uploads");
      const c = await createUpload("uploads/dir/c");
      const aIds = [a1, a2].sort();
      const all = await s3Sent("GET", `/${bucket}?uploads&prefix=uploads/`);
      expect(all.status).toBe(200);
      expect(xmlValue(all.body, "Bucket")).toBe(bucket);
      expect(xmlValue(all.body, "Prefix")).toBe("uploads/");
      expect(xmlValue(all.body, "IsTruncated")).toBe("false");
      expect(xmlValues(all.body, "Key")).toEqual(["uploads/a", "uploads/a", "uploads/b", "uploads/dir/c"]);
      expect(xmlValues(all.body, "UploadId")).toEqual([...aIds, b, c]);
      expect(xmlValues(all.body, "StorageClass")).toEqual(["STANDARD", "STANDARD", "STANDARD", "STANDARD"]);
      expect(xmlValues(all.body, "Initiated")[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect(all.body).toContain("<Initiator><ID>test:tester</ID><DisplayName>test:tester</DisplayName></Initiator>");
      const first = await s3Sent("GET", `/${bucket}?uploads&prefix=uploads/&max-uploads=2`);
      expect(xmlValues(first.body, "UploadId")).toEqual(aIds);
      expect(xmlValue(first.body, "IsTruncated")).toBe("true");
      expect(xmlValue(first.body, "NextKeyMarker")).toBe("uploads/a");
      expect(xmlValue(first.body, "NextUploadIdMarker")).toBe(aIds[1]);
      const second = await s3Sent(
        "GET",
        `/${bucket}?uploads&prefix=uploads/&max-uploads=2&key-marker=uploads/a&upload-id-marker=${aIds[1]}`,
      );
      expect(xmlValues(second.body, "UploadId")).toEqual([b, c]);
      expect(xmlValue(second.body, "IsTruncated")).toBe("false");
      const afterKey = await s3Sent("GET", `/${bucket}?uploads&prefix=uploads/&key-marker=uploads/a`);
      expect(xmlValues(afterKey.body, "Key")).toEqual(["uploads/b", "uploads/dir/c"]);
      const grouped = await s3Sent("GET", `/${bucket}?uploads&prefix=uploads/&delimiter=/`);
      expect(xmlValues(grouped.body, "Key")).toEqual(["uploads/a", "uploads/a", "uploads/b"]);
      expect(xmlValues(grouped.body, "Prefix")).toEqual(["uploads/", "uploads/dir/"]);
      expect(xmlValue(grouped.body, "Delimiter")).toBe("/");
      const tooMany = await s3Sent("GET", `/${bucket}?uploads&max-uploads=-1`);
      expect(xmlValue(tooMany.body, "Code")).toBe("InvalidArgument");
    },
  );

  it("ListMultipartUploads counts common prefixes toward max-uploads and continues past a key-marker one", async ({
    expect,
  }) => {
    const a = await createUpload("grouped/a");
    await createUpload("grouped/d1/x");
    await createUpload("grouped/d1/y");
    const e = await createUpload("grouped/e");
    const first = await s3Sent("GET", `/${bucket}?uploads&prefix=grouped/&delimiter=/&max-uploads=2`);
    expect(xmlValues(first.body, "UploadId")).toEqual([a]);
    expect(xmlValues(first.body, "Prefix")).toEqual(["grouped/", "grouped/d1/"]);
    expect(xmlValue(first.body, "IsTruncated")).toBe("true");
    expect(xmlValue(first.body, "NextKeyMarker")).toBe("grouped/d1/");
    expect(first.body).toContain("<NextUploadIdMarker/>");
    const next = await s3Sent(
      "GET",
      `/${bucket}?uploads&prefix=grouped/&delimiter=/&max-uploads=2&key-marker=grouped/d1/`,
    );
    expect(xmlValues(next.body, "UploadId")).toEqual([e]);
    expect(xmlValues(next.body, "Prefix")).toEqual(["grouped/"]);
    expect(xmlValue(next.body, "IsTruncated")).toBe("false");
  });

  it("ListMultipartUploads with encoding-type=url encodes keys; without uploads the list is empty", async ({
    expect,
  }) => {
    const id = await createUpload("encoded/a%20b%2Bc");
    const listed = await s3Sent("GET", `/${bucket}?uploads&prefix=encoded/&encoding-type=url`);
    expect(xmlValues(listed.body, "Key")).toEqual(["encoded/a+b%2Bc"]);
    expect(xmlValue(listed.body, "EncodingType")).toBe("url");
    expect(xmlValues(listed.body, "UploadId")).toEqual([id]);
    const other = bucketName("no-uploads");
    await s3Sent("PUT", `/${other}`);
    const empty = await s3Sent("GET", `/${other}?uploads`);
    expect(empty.status).toBe(200);
    expect(xmlValues(empty.body, "Upload")).toEqual([]);
    expect(xmlValue(empty.body, "IsTruncated")).toBe("false");
    const missing = await s3Sent("GET", `/${bucketName("missing")}?uploads`);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchBucket");
  });

  it(
    "UploadPartCopy copies a byte range of an object as a part; " +
      "a malformed range is InvalidArgument, one past the end InvalidRange",
    async ({ expect }) => {
      await s3Sent("PUT", `/${bucket}/copy/source`, { body: "0123456789abcdef" });
      const id = await createUpload("copy/target");
      const copied = await s3Sent("PUT", `/${bucket}/copy/target?partNumber=1&uploadId=${id}`, {
        headers: { "x-amz-copy-source": `/${bucket}/copy/source`, "x-amz-copy-source-range": "bytes=2-11" },
      });
      expect(copied.status).toBe(200);
      expect(copied.body).toContain("<CopyPartResult");
      const etag = xmlValue(copied.body, "ETag") ?? "";
      expect(etag).toBe(`"${await md5Hex("23456789ab")}"`);
      expect(xmlValue(copied.body, "LastModified")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const whole = await s3Sent("PUT", `/${bucket}/copy/target?partNumber=2&uploadId=${id}`, {
        headers: { "x-amz-copy-source": `${bucket}/copy/source` },
      });
      expect(xmlValue(whole.body, "ETag")).toBe(`"${await md5Hex("0123456789abcdef")}"`);
      for (const range of ["bytes=5-2", "bytes=0-", "bytes=-3", "bytes=1-2,4-5", "items=1-2"]) {
        const bad = await s3Sent("PUT", `/${bucket}/copy/target?partNumber=3&uploadId=${id}`, {
          headers: { "x-amz-copy-source": `/${bucket}/copy/source`, "x-amz-copy-source-range": range },
        });
        expect(bad.status, range).toBe(400);
        expect(xmlValue(bad.body, "Code"), range).toBe("InvalidArgument");
      }
      const past = await s3Sent("PUT", `/${bucket}/copy/target?partNumber=3&uploadId=${id}`, {
        headers: { "x-amz-copy-source": `/${bucket}/copy/source`, "x-amz-copy-source-range": "bytes=10-16" },
      });
      expect(past.status).toBe(416);
      expect(xmlValue(past.body, "Code")).toBe("InvalidRange");
      const failed = await s3Sent("PUT", `/${bucket}/copy/target?partNumber=3&uploadId=${id}`, {
        headers: { "x-amz-copy-source": `/${bucket}/copy/source`, "x-amz-copy-source-if-match": '"other"' },
      });
      expect(failed.status).toBe(412);
      expect(xmlValue(failed.body, "Code")).toBe("PreconditionFailed");
      const noSource = await s3Sent("PUT", `/${bucket}/copy/target?partNumber=3&uploadId=${id}`, {
        headers: { "x-amz-copy-source": `/${bucket}/copy/nothing` },
      });
      expect(xmlValue(noSource.body, "Code")).toBe("NoSuchKey");
      const done = await complete("copy/target", id, [[1, etag]]);
      expect(done.status).toBe(200);
      expect((await s3Sent("GET", `/${bucket}/copy/target`)).body).toBe("23456789ab");
      // Part 2 was not named: it went with the marker.
      expect(await segmentNames(`copy/target/${id}`)).toEqual([`copy/target/${id}/1`]);
    },
  );

  it("a Complete again with the same parts answers the same ETag; once the object changed, NoSuchUpload", async ({
    expect,
  }) => {
    const id = await createUpload("twice/key");
    const etag = await uploadPart("twice/key", id, 1, "only part");
    const first = await complete("twice/key", id, [[1, etag]]);
    expect(first.status).toBe(200);
    const again = await complete("twice/key", id, [[1, etag]]);
    expect(again.status).toBe(200);
    expect(xmlValue(again.body, "ETag")).toBe(xmlValue(first.body, "ETag"));
    const otherParts = await complete("twice/key", id, [[1, `"${await md5Hex("other")}"`]]);
    expect(otherParts.status).toBe(404);
    expect(xmlValue(otherParts.body, "Code")).toBe("NoSuchUpload");
    await s3Sent("PUT", `/${bucket}/twice/key`, { body: "replaced" });
    const afterPut = await complete("twice/key", id, [[1, etag]]);
    expect(afterPut.status).toBe(404);
    expect(xmlValue(afterPut.body, "Code")).toBe("NoSuchUpload");
  });

  it("Complete with If-None-Match: * fails on an existing key; If-Match needs the current ETag, and an object", async ({
    expect,
  }) => {
    const existing = await oneObject("conditional/key", "first version");
    const id = await createUpload("conditional/key");
    const etag = await uploadPart("conditional/key", id, 1, "second version");
    const exists = await complete("conditional/key", id, [[1, etag]], { "if-none-match": "*" });
    expect(exists.status).toBe(412);
    expect(xmlValue(exists.body, "Code")).toBe("PreconditionFailed");
    const other = await complete("conditional/key", id, [[1, etag]], {
      "if-match": '"0123456789abcdef0123456789abcdef"',
    });
    expect(other.status).toBe(412);
    const matched = await complete("conditional/key", id, [[1, etag]], { "if-match": existing });
    expect(matched.status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/conditional/key`)).body).toBe("second version");

    const freshId = await createUpload("conditional/fresh");
    const freshEtag = await uploadPart("conditional/fresh", freshId, 1, "fresh");
    const noObject = await complete("conditional/fresh", freshId, [[1, freshEtag]], { "if-match": existing });
    expect(noObject.status).toBe(404);
    expect(xmlValue(noObject.body, "Code")).toBe("NoSuchKey");
    const created = await complete("conditional/fresh", freshId, [[1, freshEtag]], { "if-none-match": "*" });
    expect(created.status).toBe(200);
  });

  it("a part copied from a completed upload is plain bytes, with the part's own ETag", async ({ expect }) => {
    await oneObject("copy/mpu-source", "from an upload");
    const id = await createUpload("copy/mpu-target");
    const copied = await s3Sent("PUT", `/${bucket}/copy/mpu-target?partNumber=1&uploadId=${id}`, {
      headers: { "x-amz-copy-source": `/${bucket}/copy/mpu-source` },
    });
    expect(copied.status).toBe(200);
    const etag = xmlValue(copied.body, "ETag") ?? "";
    expect(etag).toBe(`"${await md5Hex("from an upload")}"`);
    const parts = await s3Sent("GET", `/${bucket}/copy/mpu-target?uploadId=${id}`);
    expect(xmlValues(parts.body, "ETag")).toEqual([etag]);
    await s3(`DELETE`, `/${bucket}/copy/mpu-target?uploadId=${id}`).then(text);
  });
});

describe("S3 multipart objects as clients use them", () => {
  it("If-Match and If-None-Match on GET are judged against the multipart ETag (aws CLI downloads)", async ({
    expect,
  }) => {
    const etag = await oneObject("conditions/key", "conditional parts");
    const matched = await s3Sent("GET", `/${bucket}/conditions/key`, {
      headers: { "if-match": etag, range: "bytes=0-3" },
    });
    expect(matched.status).toBe(206);
    expect(matched.body).toBe("cond");
    const notModified = await s3Sent("GET", `/${bucket}/conditions/key`, { headers: { "if-none-match": etag } });
    expect(notModified.status).toBe(304);
    const failed = await s3Sent("GET", `/${bucket}/conditions/key`, { headers: { "if-match": '"other-1"' } });
    expect(failed.status).toBe(412);
    expect(xmlValue(failed.body, "Code")).toBe("PreconditionFailed");
  });

  it("Complete reads ETags written as numeric character references (Go's encoder, rclone)", async ({ expect }) => {
    const id = await createUpload("entities/key");
    const etag = await uploadPart("entities/key", id, 1, "entity body");
    const done = await complete("entities/key", id, [[1, etag.replaceAll('"', "&#34;")]]);
    expect(done.status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/entities/key`)).body).toBe("entity body");
  });

  it("DeleteObject of a completed upload deletes its parts too", async ({ expect }) => {
    await oneObject("deleted/key", "to be deleted");
    expect((await segmentNames("deleted/key/")).length).toBe(1);
    expect((await s3Sent("DELETE", `/${bucket}/deleted/key`)).status).toBe(204);
    expect(await segmentNames("deleted/key/")).toEqual([]);
  });
});

describe("S3 GetObject and HeadObject ?partNumber", () => {
  it("reads one part of a completed upload (206, x-amz-mp-parts-count), or part 1 of a plain object", async ({
    expect,
  }) => {
    const first = new Uint8Array(5 * MIB).fill(97);
    const id = await createUpload("parts/read");
    const one = await uploadPart("parts/read", id, 1, first);
    const two = await uploadPart("parts/read", id, 2, "second part");
    const done = await complete("parts/read", id, [
      [1, one],
      [2, two],
    ]);
    expect(done.status).toBe(200);
    const second = await s3Sent("GET", `/${bucket}/parts/read?partNumber=2`);
    expect(second.status).toBe(206);
    expect(second.body).toBe("second part");
    expect(second.headers.get("x-amz-mp-parts-count")).toBe("2");
    expect(second.headers.get("content-range")).toBe(`bytes ${5 * MIB}-${5 * MIB + 10}/${5 * MIB + 11}`);
    const head = await s3Sent("HEAD", `/${bucket}/parts/read?partNumber=1`);
    expect(head.headers.get("content-length")).toBe(String(5 * MIB));
    expect(head.headers.get("x-amz-mp-parts-count")).toBe("2");
    const past = await s3Sent("GET", `/${bucket}/parts/read?partNumber=3`);
    expect(past.status).toBe(416);
    expect(xmlValue(past.body, "Code")).toBe("InvalidPartNumber");
    await s3Sent("PUT", `/${bucket}/parts/plain`, { body: "plain" });
    expect((await s3Sent("GET", `/${bucket}/parts/plain?partNumber=1`)).body).toBe("plain");
    expect((await s3Sent("GET", `/${bucket}/parts/plain?partNumber=2`)).status).toBe(416);
    const both = await s3Sent("GET", `/${bucket}/parts/plain?partNumber=1`, { headers: { range: "bytes=0-1" } });
    expect(xmlValue(both.body, "Code")).toBe("InvalidRequest");
    const bad = await s3Sent("GET", `/${bucket}/parts/plain?partNumber=0`);
    expect(xmlValue(bad.body, "Code")).toBe("InvalidArgument");
  });
});
