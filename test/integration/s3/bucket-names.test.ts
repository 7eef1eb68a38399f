/**
 * @module
 * S3's one namespace of bucket names across accounts, through the Worker: BucketAlreadyExists
 * for a name another account holds, the name free again once its bucket is deleted (by S3, or
 * by Swift: a stale claim is taken over), and requests that name no account (anonymous reads of
 * a public bucket) reaching the account that holds the name, as Swift's ACLs allow.
 */
import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, it } from "vitest";
import worker from "../../../src/index";
import { BASE, swift } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const OTHER: [string, string] = ["test2:tester2", "testing2"];

/** An unsigned request through the Worker. */
async function anonymous(method: string, path: string, init: RequestInit = {}) {
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, ...init }));
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe("S3 bucket names are one namespace across accounts", () => {
  it("CreateBucket of a name another account holds is BucketAlreadyExists (409), its bucket untouched", async ({
    expect,
  }) => {
    const bucket = bucketName("taken");
    expect((await s3Sent("PUT", `/${bucket}`)).status).toBe(200);
    await s3Sent("PUT", `/${bucket}/kept`, { body: "mine" });
    const other = await s3Sent("PUT", `/${bucket}`, { user: OTHER });
    expect(other.status).toBe(409);
    expect(xmlValue(other.body, "Code")).toBe("BucketAlreadyExists");
    expect(xmlValue(other.body, "BucketName")).toBe(bucket);
    expect((await swift("HEAD", `/AUTH_test2/${bucket}`, { user: ["test2:tester2", "testing2"] })).status).toBe(404);
    expect((await s3Sent("GET", `/${bucket}/kept`)).body).toBe("mine");
  });

  it("a name is free again once DeleteBucket removed its bucket", async ({ expect }) => {
    const bucket = bucketName("freed");
    await s3Sent("PUT", `/${bucket}`);
    expect((await s3Sent("DELETE", `/${bucket}`)).status).toBe(204);
    expect((await s3Sent("PUT", `/${bucket}`, { user: OTHER })).status).toBe(200);
    expect((await s3Sent("PUT", `/${bucket}`)).status).toBe(409);
  });

  it("a name whose container its owner deleted through Swift is taken over by the next account", async ({ expect }) => {
    const bucket = bucketName("stale");
    await s3Sent("PUT", `/${bucket}`);
    expect((await swift("DELETE", `/AUTH_test/${bucket}`)).status).toBe(204);
    const taken = await s3Sent("PUT", `/${bucket}`, { user: OTHER });
    expect(taken.status).toBe(200);
    const mine = await s3Sent("PUT", `/${bucket}`);
    expect(xmlValue(mine.body, "Code")).toBe("BucketAlreadyExists");
  });

  it("a Swift container of the same name in another account stays that account's own", async ({ expect }) => {
    const bucket = bucketName("swiftside");
    expect((await swift("PUT", `/AUTH_test2/${bucket}`, { user: ["test2:tester2", "testing2"] })).status).toBe(201);
    expect((await s3Sent("PUT", `/${bucket}`)).status).toBe(200);
    expect((await s3Sent("HEAD", `/${bucket}`, { user: OTHER })).status).toBe(200);
  });
});

describe("S3 requests that name no account", () => {
  it("an anonymous GET of a public-read bucket's object reads it; its listing is served", async ({ expect }) => {
    const bucket = bucketName("public");
    await s3Sent("PUT", `/${bucket}`, { headers: { "x-amz-acl": "public-read" } });
    await s3Sent("PUT", `/${bucket}/dir/file.txt`, { body: "for everyone", headers: { "x-amz-meta-a": "b" } });
    const read = await anonymous("GET", `/${bucket}/dir/file.txt`);
    expect(read.status).toBe(200);
    expect(read.body).toBe("for everyone");
    expect(read.headers.get("x-amz-meta-a")).toBe("b");
    expect(read.headers.get("x-amz-request-id")).toBeTruthy();
    const listed = await anonymous("GET", `/${bucket}?list-type=2`);
    expect(listed.status).toBe(200);
    expect(xmlValues(listed.body, "Key")).toEqual(["dir/file.txt"]);
    expect((await anonymous("HEAD", `/${bucket}/dir/file.txt`)).status).toBe(200);
  });

  it("an anonymous request to a private bucket is AccessDenied (403), and cannot write", async ({ expect }) => {
    const bucket = bucketName("private");
    await s3Sent("PUT", `/${bucket}`);
    await s3Sent("PUT", `/${bucket}/secret`, { body: "no" });
    const read = await anonymous("GET", `/${bucket}/secret`);
    expect(read.status).toBe(403);
    expect(xmlValue(read.body, "Code")).toBe("AccessDenied");
    expect((await anonymous("GET", `/${bucket}`)).status).toBe(403);
    const write = await anonymous("PUT", `/${bucket}/planted`, { body: "x" });
    expect(write.status).toBe(403);
    expect((await s3Sent("HEAD", `/${bucket}/planted`)).status).toBe(404);
    const remove = await anonymous("DELETE", `/${bucket}/secret`);
    expect(remove.status).toBe(403);
    expect((await s3Sent("GET", `/${bucket}/secret`)).body).toBe("no");
  });

  it("a public-read bucket takes no anonymous write; public-read-write is NotImplemented", async ({ expect }) => {
    const bucket = bucketName("pubwrite");
    await s3Sent("PUT", `/${bucket}`, { headers: { "x-amz-acl": "public-read" } });
    const sent = await anonymous("PUT", `/${bucket}/x`, { body: "dropped" });
    expect(sent.status).toBe(403);
    expect(xmlValue(sent.body, "Code")).toBe("AccessDenied");
    expect((await s3Sent("HEAD", `/${bucket}/x`)).status).toBe(404);
    const writable = await s3Sent("PUT", `/${bucketName("pubwrite")}`, {
      headers: { "x-amz-acl": "public-read-write" },
    });
    expect(writable.status).toBe(501);
  });

  it("an anonymous request never reaches another bucket of the account, nor one by `..`", async ({ expect }) => {
    const open = bucketName("open");
    const closed = bucketName("closed");
    await s3Sent("PUT", `/${open}`, { headers: { "x-amz-acl": "public-read" } });
    await s3Sent("PUT", `/${closed}`);
    await s3Sent("PUT", `/${closed}/secret`, { body: "no" });
    for (const path of [`/${open}/../${closed}/secret`, `/${open}/%2e%2e/${closed}/secret`, `/${closed}/secret`]) {
      const sent = await anonymous("GET", path);
      expect(sent.status, path).not.toBe(200);
      expect(sent.body).not.toBe("no");
    }
    expect((await anonymous("GET", `/${open}%2F..%2F${closed}/secret`)).status).not.toBe(200);
  });

  it("an unsigned request to a name nobody holds is still the Swift API's", async ({ expect }) => {
    const sent = await anonymous("GET", `/${bucketName("nobody")}/key`);
    expect(sent.headers.get("x-amz-request-id")).toBeNull();
    expect(sent.status).toBe(400);
  });

  it("under an S3 storage domain an anonymous request to an unknown bucket is NoSuchBucket", async ({ expect }) => {
    const bucket = bucketName("nohost");
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(`http://${bucket}.s3.example.test/key`),
      { ...env, S3_STORAGE_DOMAIN: "s3.example.test" } as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(404);
    expect(xmlValue(await response.text(), "Code")).toBe("NoSuchBucket");
  });
});
