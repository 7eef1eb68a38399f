/**
 * @module
 * A completed multipart upload's parts go away when an S3 write replaces its object (PutObject,
 * CopyObject, a POST upload is the same path), as S3 frees them: deleted in the background once
 * the write succeeded. A bucket that keeps versions keeps them (an older version reads them), and
 * nothing else in the segments container is touched. Runs with S3_MIN_PART_SIZE at 1 byte.
 */
import { describe, it } from "vitest";
import { swift } from "../../helpers";
import { bucketName, s3Sent, xmlValue } from "./helpers";

/** Completes an upload of `key` from two small parts; its upload id. */
async function completedUpload(bucket: string, key: string): Promise<string> {
  const id = xmlValue((await s3Sent("POST", `/${bucket}/${key}?uploads`)).body, "UploadId") ?? "";
  const etags: string[] = [];
  for (const [index, body] of ["first part ", "second part"].entries()) {
    const part = await s3Sent("PUT", `/${bucket}/${key}?partNumber=${index + 1}&uploadId=${id}`, { body });
    etags.push(part.headers.get("etag") ?? "");
  }
  const parts = etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`);
  const done = await s3Sent("POST", `/${bucket}/${key}?uploadId=${id}`, {
    body: `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`,
  });
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.body}`);
  return id;
}

/** The names in the bucket's segments container under `prefix`. */
async function segmentNames(bucket: string, prefix: string): Promise<string[]> {
  const response = await swift("GET", `/AUTH_test/${bucket}+segments?format=json&prefix=${encodeURIComponent(prefix)}`);
  if (response.status === 404) return [];
  return ((await response.json()) as { name: string }[]).map((entry) => entry.name);
}

/** The names under `prefix` once background deletion has had its chance (polled, 100 times at most). */
async function settledNames(bucket: string, prefix: string): Promise<string[]> {
  let names = await segmentNames(bucket, prefix);
  for (let attempt = 0; attempt < 100 && names.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    names = await segmentNames(bucket, prefix);
  }
  return names;
}

async function newBucket(): Promise<string> {
  const bucket = bucketName("replaced");
  await s3Sent("PUT", `/${bucket}`);
  return bucket;
}

describe("S3 writes that replace a completed multipart upload's object", () => {
  it("PutObject over it: the upload's parts are deleted, the new object reads back", async ({ expect }) => {
    const bucket = await newBucket();
    const id = await completedUpload(bucket, "big");
    expect(await segmentNames(bucket, `big/${id}/`)).toEqual([`big/${id}/1`, `big/${id}/2`]);
    expect((await s3Sent("PUT", `/${bucket}/big`, { body: "small now" })).status).toBe(200);
    expect(await settledNames(bucket, `big/${id}/`)).toEqual([]);
    expect((await s3Sent("GET", `/${bucket}/big`)).body).toBe("small now");
  });

  it("CopyObject onto it (from itself, new metadata): the copy holds the bytes, the parts go", async ({ expect }) => {
    const bucket = await newBucket();
    const id = await completedUpload(bucket, "big");
    const copied = await s3Sent("PUT", `/${bucket}/big`, {
      headers: { "x-amz-copy-source": `/${bucket}/big`, "x-amz-metadata-directive": "REPLACE", "x-amz-meta-a": "b" },
    });
    expect(copied.status).toBe(200);
    expect(await settledNames(bucket, `big/${id}/`)).toEqual([]);
    const read = await s3Sent("GET", `/${bucket}/big`);
    expect(read.body).toBe("first part second part");
    expect(read.headers.get("x-amz-meta-a")).toBe("b");
  });

  it("only that upload's parts go: another key's upload, completed or open, stays", async ({ expect }) => {
    const bucket = await newBucket();
    const replacedId = await completedUpload(bucket, "a");
    const keptId = await completedUpload(bucket, "b");
    const open = xmlValue((await s3Sent("POST", `/${bucket}/a?uploads`)).body, "UploadId") ?? "";
    await s3Sent("PUT", `/${bucket}/a?partNumber=1&uploadId=${open}`, { body: "pending" });
    await s3Sent("PUT", `/${bucket}/a`, { body: "replaced" });
    expect(await settledNames(bucket, `a/${replacedId}/`)).toEqual([]);
    expect(await segmentNames(bucket, `b/${keptId}/`)).toHaveLength(2);
    expect(await segmentNames(bucket, `a/${open}`)).toEqual([`a/${open}`, `a/${open}/1`]);
    expect((await s3Sent("GET", `/${bucket}/b`)).body).toBe("first part second part");
  });

  it("in a bucket that keeps versions the parts stay: the older version still reads them", async ({ expect }) => {
    const bucket = await newBucket();
    const versioning = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    await s3Sent("PUT", `/${bucket}?versioning`, { body: versioning });
    const id = await completedUpload(bucket, "big");
    const older = (await s3Sent("HEAD", `/${bucket}/big`)).headers.get("x-amz-version-id") ?? "";
    await s3Sent("PUT", `/${bucket}/big`, { body: "newer" });
    // Give any background deletion its chance, then the parts must still be there.
    await settledNames(bucket, "no-such-prefix/");
    expect(await segmentNames(bucket, `big/${id}/`)).toHaveLength(2);
    expect((await s3Sent("GET", `/${bucket}/big?versionId=${older}`)).body).toBe("first part second part");
  });

  it("a write that fails (a refused condition) deletes nothing", async ({ expect }) => {
    const bucket = await newBucket();
    const id = await completedUpload(bucket, "big");
    const refused = await s3Sent("PUT", `/${bucket}/big`, { body: "x", headers: { "if-none-match": "*" } });
    expect(refused.status).toBe(412);
    await settledNames(bucket, "no-such-prefix/");
    expect(await segmentNames(bucket, `big/${id}/`)).toHaveLength(2);
    expect((await s3Sent("GET", `/${bucket}/big`)).body).toBe("first part second part");
  });
});
