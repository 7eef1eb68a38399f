import { beforeAll, describe, it } from "vitest";
import { bucketName, s3Sent, xmlValue } from "./helpers";

const bucket = bucketName("attributes");

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
});

describe("S3 GetObjectAttributes", () => {
  it("answers the attributes x-amz-object-attributes names: ETag (unquoted), size, storage class, checksum", async ({
    expect,
  }) => {
    const put = await s3Sent("PUT", `/${bucket}/plain`, {
      body: "attributes",
      headers: {
        "x-amz-checksum-sha256": btoa(
          String.fromCharCode(
            ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("attributes"))),
          ),
        ),
      },
    });
    const sent = await s3Sent("GET", `/${bucket}/plain?attributes`, {
      headers: { "x-amz-object-attributes": "ETag,ObjectSize,StorageClass,Checksum" },
    });
    expect(sent.status).toBe(200);
    expect(xmlValue(sent.body, "ETag")).toBe(put.headers.get("etag")?.replaceAll('"', ""));
    expect(xmlValue(sent.body, "ObjectSize")).toBe("10");
    expect(xmlValue(sent.body, "StorageClass")).toBe("STANDARD");
    expect(xmlValue(sent.body, "ChecksumSHA256")).toBe(put.headers.get("x-amz-checksum-sha256"));
    expect(sent.headers.get("last-modified")).toMatch(/GMT$/);
    const some = await s3Sent("GET", `/${bucket}/plain?attributes`, {
      headers: { "x-amz-object-attributes": "ObjectSize" },
    });
    expect(xmlValue(some.body, "ETag")).toBeNull();
    expect(xmlValue(some.body, "ObjectSize")).toBe("10");
  });

  it("counts a completed multipart upload's parts (ObjectParts)", async ({ expect }) => {
    const created = await s3Sent("POST", `/${bucket}/mpu?uploads`);
    const id = xmlValue(created.body, "UploadId") ?? "";
    const part = await s3Sent("PUT", `/${bucket}/mpu?partNumber=1&uploadId=${id}`, { body: "only part" });
    await s3Sent("POST", `/${bucket}/mpu?uploadId=${id}`, {
      body:
        `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.get("etag")}</ETag>` +
        "</Part></CompleteMultipartUpload>",
    });
    const sent = await s3Sent("GET", `/${bucket}/mpu?attributes`, {
      headers: { "x-amz-object-attributes": "ObjectParts,ETag" },
    });
    expect(xmlValue(sent.body, "TotalPartsCount")).toBe("1");
    expect(xmlValue(sent.body, "ETag")).toMatch(/^[0-9a-f]{32}-1$/);
  });

  it("no attribute, or one S3 does not know, is InvalidArgument; a missing key NoSuchKey", async ({ expect }) => {
    const none = await s3Sent("GET", `/${bucket}/plain?attributes`);
    expect(none.status).toBe(400);
    expect(xmlValue(none.body, "Code")).toBe("InvalidArgument");
    const unknown = await s3Sent("GET", `/${bucket}/plain?attributes`, {
      headers: { "x-amz-object-attributes": "Color" },
    });
    expect(xmlValue(unknown.body, "Code")).toBe("InvalidArgument");
    const missing = await s3Sent("GET", `/${bucket}/absent?attributes`, {
      headers: { "x-amz-object-attributes": "ETag" },
    });
    expect(missing.status).toBe(404);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchKey");
  });
});
