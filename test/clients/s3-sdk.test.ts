/**
 * @module
 * The AWS SDK for JavaScript v3 (@aws-sdk/client-s3, lib-storage's Upload, s3-request-presigner)
 * against edgeswift's S3 API, in this Node process as an application would use it: path-style
 * addressing, region us-east-1, explicit credentials of test:tester, and the SDK's default checksum
 * settings (CRC32 on every upload: `x-amz-checksum-crc32` on a buffered body, an aws-chunked
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER` body with the checksum in a trailer on a streamed one).
 * AWS_* of the caller's shell is set aside for the file, and the SDK reads empty config files.
 * A browser-style POST upload is a form from @aws-sdk/s3-presigned-post's createPresignedPost,
 * posted with Node's fetch and FormData; its policy refusing a file that is too large is checked too.
 */

import { Readable } from "node:stream";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { md5, randomBody, uniqueName } from "./helpers";
import { failure, isolateSdkEnvironment, sdkClient } from "./s3/sdk";

const BASE_URL = inject("edgeswiftBaseUrl");
const MiB = 1024 * 1024;

isolateSdkEnvironment();
let s3: S3Client;
beforeAll(() => {
  s3 = sdkClient(BASE_URL);
});
afterAll(() => {
  s3?.destroy();
});

describe("@aws-sdk/client-s3", () => {
  const bucket = uniqueName("sdk");
  const body = randomBody(70_000);

  it("CreateBucket, then PutObject of a buffer (CRC32 header): its ETag is the body's md5", async ({ expect }) => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "dir/object.bin",
        Body: body,
        ContentType: "application/octet-stream",
        Metadata: { color: "blue" },
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
  });

  it("GetObject returns the bytes put; HeadObject the metadata, type, length and ETag", async ({ expect }) => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/object.bin" }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.equals(body)).toBe(true);
    expect(got.ETag).toBe(`"${md5(body)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/object.bin" }));
    expect(head.Metadata).toEqual({ color: "blue" });
    expect(head.ContentType).toBe("application/octet-stream");
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(`"${md5(body)}"`);
  });

  it(
    "PutObject of a stream (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer) " +
      "stores exactly the stream's bytes",
    async ({ expect }) => {
      const streamed = randomBody(300_000);
      const chunks = [0, 1, 2, 3, 4].map((index) => streamed.subarray(index * 64 * 1024, (index + 1) * 64 * 1024));
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: "streamed.bin",
          Body: Readable.from(chunks),
          ContentLength: streamed.length,
        }),
      );
      expect(put.ETag).toBe(`"${md5(streamed)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "streamed.bin" }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(streamed)).toBe(true);
    },
  );

  it("ListObjectsV2 with a delimiter, and paginateListObjectsV2 at page size 2, list every key", async ({ expect }) => {
    const keys = ["list/a", "list/b", "list/c", "list/d/1", "list/d/2"];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const delimited = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "list/", Delimiter: "/" }));
    expect(delimited.Contents?.map((entry) => entry.Key)).toEqual(["list/a", "list/b", "list/c"]);
    expect(delimited.CommonPrefixes).toEqual([{ Prefix: "list/d/" }]);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: bucket, Prefix: "list/" })) {
      pages += 1;
      seen.push(...(page.Contents ?? []).map((entry) => entry.Key ?? ""));
    }
    expect(seen).toEqual(keys);
    expect(pages).toBe(3);
  });

  it(
    "lib-storage Upload of a 12 MiB body in 5 MiB parts is a 3-part multipart upload " +
      "that GetObject returns byte for byte",
    async ({ expect }) => {
      const large = randomBody(12 * MiB);
      const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: "multipart.bin", Body: large },
        partSize: 5 * MiB,
        queueSize: 2,
      });
      const result = await upload.done();
      expect(result.ETag).toMatch(/^"[0-9a-f]{32}-3"$/u);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "multipart.bin" }));
      expect(head.ContentLength).toBe(large.length);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "multipart.bin" }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      expect(bytes.length).toBe(large.length);
      expect(md5(bytes)).toBe(md5(large));
    },
  );

  it("a presigned GET URL (getSignedUrl) fetched with plain fetch returns the object", async ({ expect }) => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "dir/object.bin" }), {
      expiresIn: 300,
    });
    expect(new URL(url).searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    const response = await fetch(url);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status, bytes.toString("utf8").slice(0, 2000)).toBe(200);
    expect(bytes.equals(body)).toBe(true);
  });

  it("CopyObject with MetadataDirective REPLACE gives the copy the new metadata and the same bytes", async ({
    expect,
  }) => {
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "dir/copy.bin",
        CopySource: `${bucket}/dir/object.bin`,
        MetadataDirective: "REPLACE",
        Metadata: { color: "red" },
      }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/copy.bin" }));
    expect(head.Metadata).toEqual({ color: "red" });
  });

  it(
    "errors: GetObject of a missing key is NoSuchKey (404), HeadObject NotFound (404), " +
      "a missing bucket NoSuchBucket",
    async ({ expect }) => {
      expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "no/such/key" })))).toEqual({
        name: "NoSuchKey",
        status: 404,
      });
      expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "no/such/key" })))).toEqual({
        name: "NotFound",
        status: 404,
      });
      expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: uniqueName("sdk-missing") })))).toEqual({
        name: "NoSuchBucket",
        status: 404,
      });
    },
  );

  it("DeleteObjects (CRC32 of its body) deletes every key, then DeleteBucket removes the bucket", async ({
    expect,
  }) => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
      keys.push(...(page.Contents ?? []).map((entry) => entry.Key ?? ""));
    }
    expect(keys).toHaveLength(9);
    const deleted = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    expect(deleted.Errors ?? []).toEqual([]);
    expect((deleted.Deleted ?? []).map((entry) => entry.Key).sort()).toEqual([...keys].sort());
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual({
      name: "NoSuchBucket",
      status: 404,
    });
  });
});

describe("@aws-sdk/s3-presigned-post (a browser-style POST upload)", () => {
  const bucket = uniqueName("sdk-post");
  /** The policy's content-length-range: 1 byte to 64 KiB. */
  const MAX_FILE_BYTES = 64 * 1024;

  /** A signed form for `uploads/${filename}`: size, key prefix and Content-Type held by the policy. */
  function presignedUpload() {
    return createPresignedPost(s3, {
      Bucket: bucket,
      Key: "uploads/${filename}",
      Conditions: [
        ["content-length-range", 1, MAX_FILE_BYTES],
        ["starts-with", "$key", "uploads/"],
        ["starts-with", "$Content-Type", "image/"],
      ],
      Fields: { "Content-Type": "image/png" },
      Expires: 300,
    });
  }

  /** POSTs the form as a browser does: every field, then the file. */
  async function postForm(file: Buffer, filename: string): Promise<Response> {
    const { url, fields } = await presignedUpload();
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob([file], { type: "image/png" }), filename);
    return fetch(url, { method: "POST", body: form });
  }

  it(
    "createPresignedPost's fields and a file, posted as multipart/form-data with fetch, store the file " +
      "(204, its md5 as ETag): GetObject returns it byte for byte with the form's Content-Type",
    async ({ expect }) => {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const file = randomBody(50_000);
      const response = await postForm(file, "photo.png");
      expect(response.status, await response.text()).toBe(204);
      expect(response.headers.get("etag")).toBe(`"${md5(file)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/photo.png" }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(file)).toBe(true);
      expect(got.ContentType).toBe("image/png");
    },
  );

  it(
    "a POST whose file is larger than the policy's content-length-range is refused 400 EntityTooLarge, " +
      "as AWS documents, and stores nothing",
    async ({ expect }) => {
      // AWS: ErrorResponses.html, EntityTooLarge "Your proposed upload exceeds the maximum allowed object size",
      // 400 Bad Request (AccessDenied, 403, is for the policy's other conditions).
      const response = await postForm(randomBody(MAX_FILE_BYTES + 1), "too-large.png");
      const text = await response.text();
      expect(response.status, text).toBe(400);
      expect(text).toContain("<Code>EntityTooLarge</Code>");
      expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "uploads/too-large.png" })))).toEqual({
        name: "NotFound",
        status: 404,
      });
    },
  );
});
