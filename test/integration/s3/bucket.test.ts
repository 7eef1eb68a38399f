import { describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import worker from "../../../src/index";
import { BASE, bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

describe("S3 buckets", () => {
  it("CreateBucket makes the container, answers 200 with Location, and HeadBucket then finds it", async ({
    expect,
  }) => {
    const bucket = bucketName();
    const created = await s3Sent("PUT", `/${bucket}`);
    expect(created.status).toBe(200);
    expect(created.headers.get("location")).toBe(`/${bucket}`);
    expect(created.headers.get("x-amz-request-id")).toMatch(/^tx/);
    const head = await s3Sent("HEAD", `/${bucket}`);
    expect(head.status).toBe(200);
    expect(head.headers.get("x-amz-bucket-region")).toBe("us-east-1");
    const container = await swift("HEAD", `/AUTH_test/${bucket}`);
    await text(container);
    expect(container.status).toBe(204);
  });

  it("CreateBucket of a bucket the caller has is BucketAlreadyOwnedByYou (409)", async ({ expect }) => {
    const bucket = bucketName();
    expect((await s3Sent("PUT", `/${bucket}`)).status).toBe(200);
    const again = await s3Sent("PUT", `/${bucket}`);
    expect(again.status).toBe(409);
    expect(xmlValue(again.body, "Code")).toBe("BucketAlreadyOwnedByYou");
    expect(xmlValue(again.body, "BucketName")).toBe(bucket);
  });

  it("CreateBucket with a name S3 refuses is InvalidBucketName (400), and nothing is made", async ({ expect }) => {
    for (const name of ["ab", "Upper-case", "under_score", "a..b", "192.168.1.1", "-start", `${"a".repeat(64)}`]) {
      const sent = await s3Sent("PUT", `/${name}`);
      expect(sent.status, name).toBe(400);
      expect(xmlValue(sent.body, "Code"), name).toBe("InvalidBucketName");
      const container = await swift("HEAD", `/AUTH_test/${name}`);
      await text(container);
      expect(container.status, name).toBe(404);
    }
  });

  it("CreateBucket with this region's LocationConstraint succeeds; another is InvalidLocationConstraint", async ({
    expect,
  }) => {
    const config = (region: string) =>
      `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${region}` +
      "</LocationConstraint></CreateBucketConfiguration>";
    const good = bucketName();
    expect((await s3Sent("PUT", `/${good}`, { body: config("us-east-1") })).status).toBe(200);
    const bad = bucketName();
    const refused = await s3Sent("PUT", `/${bad}`, { body: config("eu-west-1") });
    expect(refused.status).toBe(400);
    expect(xmlValue(refused.body, "Code")).toBe("InvalidLocationConstraint");
    expect((await s3Sent("HEAD", `/${bad}`)).status).toBe(404);
    const malformed = await s3Sent("PUT", `/${bad}`, { body: "<CreateBucketConfiguration>" });
    expect(malformed.status).toBe(400);
    expect(xmlValue(malformed.body, "Code")).toBe("MalformedXML");
  });

  it("HeadBucket of a missing bucket is 404 with no body; GetBucketLocation of one is NoSuchBucket", async ({
    expect,
  }) => {
    const bucket = bucketName();
    const head = await s3Sent("HEAD", `/${bucket}`);
    expect(head.status).toBe(404);
    expect(head.body).toBe("");
    const location = await s3Sent("GET", `/${bucket}?location`);
    expect(location.status).toBe(404);
    expect(xmlValue(location.body, "Code")).toBe("NoSuchBucket");
    expect(xmlValue(location.body, "Resource")).toBe(`/${bucket}`);
    expect(xmlValue(location.body, "RequestId")).toBe(location.headers.get("x-amz-request-id"));
  });

  it("GetBucketLocation of a us-east-1 bucket is an empty LocationConstraint", async ({ expect }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    const location = await s3Sent("GET", `/${bucket}?location`);
    expect(location.status).toBe(200);
    expect(location.body).toContain('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
  });

  it("DeleteBucket of an empty bucket is 204; of one holding objects BucketNotEmpty (409)", async ({ expect }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    await s3Sent("PUT", `/${bucket}/k`, { body: "x" });
    const refused = await s3Sent("DELETE", `/${bucket}`);
    expect(refused.status).toBe(409);
    expect(xmlValue(refused.body, "Code")).toBe("BucketNotEmpty");
    expect((await s3Sent("DELETE", `/${bucket}/k`)).status).toBe(204);
    expect((await s3Sent("DELETE", `/${bucket}`)).status).toBe(204);
    expect((await s3Sent("HEAD", `/${bucket}`)).status).toBe(404);
    const missing = await s3Sent("DELETE", `/${bucket}`);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchBucket");
  });

  it("ListBuckets lists the caller's containers that are bucket names, with the owner, paged by max-buckets", async ({
    expect,
  }) => {
    const prefix = bucketName("lb");
    for (const suffix of ["a", "b", "c"]) await s3Sent("PUT", `/${prefix}-${suffix}`);
    const odd = await swift("PUT", `/AUTH_test/${prefix}_Not_A_Bucket`);
    await text(odd);
    const all = await s3Sent("GET", `/?prefix=${prefix}`);
    expect(all.status).toBe(200);
    expect(xmlValues(all.body, "Name")).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    expect(xmlValue(all.body, "ID")).toBe("test:tester");
    expect(xmlValue(all.body, "CreationDate")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const first = await s3Sent("GET", `/?prefix=${prefix}&max-buckets=2`);
    expect(xmlValues(first.body, "Name")).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const token = xmlValue(first.body, "ContinuationToken");
    expect(token).not.toBeNull();
    const second = await s3Sent("GET", `/?prefix=${prefix}&max-buckets=2&continuation-token=${token}`);
    expect(xmlValues(second.body, "Name")).toEqual([`${prefix}-c`]);
    expect(xmlValue(second.body, "ContinuationToken")).toBeNull();
  });

  it("another user's buckets are its own account's: test2:tester2 does not see test's", async ({ expect }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    const other = await s3Sent("GET", `/?prefix=${bucket}`, { user: ["test2:tester2", "testing2"] });
    expect(other.status).toBe(200);
    expect(xmlValues(other.body, "Name")).toEqual([]);
    const head = await s3Sent("HEAD", `/${bucket}`, { user: ["test2:tester2", "testing2"] });
    expect(head.status).toBe(404);
  });

  it("a user without rights on the account (test:tester3) is AccessDenied creating a bucket", async ({ expect }) => {
    const bucket = bucketName();
    const refused = await s3Sent("PUT", `/${bucket}`, { user: ["test:tester3", "testing3"] });
    expect(refused.status).toBe(403);
    expect(xmlValue(refused.body, "Code")).toBe("AccessDenied");
  });

  it("Put/GetBucketVersioning are Swift's X-Versions-Enabled: Enabled, Suspended, and never set", async ({
    expect,
  }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    const never = await s3Sent("GET", `/${bucket}?versioning`);
    expect(never.status).toBe(200);
    expect(xmlValue(never.body, "Status")).toBeNull();
    const doc = (status: string) => `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`;
    expect((await s3Sent("PUT", `/${bucket}?versioning`, { body: doc("Enabled") })).status).toBe(200);
    expect(xmlValue((await s3Sent("GET", `/${bucket}?versioning`)).body, "Status")).toBe("Enabled");
    const container = await swift("HEAD", `/AUTH_test/${bucket}`);
    await text(container);
    expect(container.headers.get("x-versions-enabled")).toBe("True");
    expect((await s3Sent("PUT", `/${bucket}?versioning`, { body: doc("Suspended") })).status).toBe(200);
    expect(xmlValue((await s3Sent("GET", `/${bucket}?versioning`)).body, "Status")).toBe("Suspended");
    const bad = await s3Sent("PUT", `/${bucket}?versioning`, { body: doc("Maybe") });
    expect(bad.status).toBe(400);
    expect(xmlValue(bad.body, "Code")).toBe("IllegalVersioningConfigurationException");
  });

  it("PutBucketVersioning checks its Status before MfaDelete: no Status is IllegalVersioningConfigurationException (400), a valid one with MfaDelete Enabled is NotImplemented (501); neither changes the bucket", async ({
    expect,
  }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    const mfaOnly = await s3Sent("PUT", `/${bucket}?versioning`, {
      body: "<VersioningConfiguration><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>",
    });
    expect(mfaOnly.status).toBe(400);
    expect(xmlValue(mfaOnly.body, "Code")).toBe("IllegalVersioningConfigurationException");
    const mfa = await s3Sent("PUT", `/${bucket}?versioning`, {
      body: "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>",
    });
    expect(mfa.status).toBe(501);
    expect(xmlValue(mfa.body, "Code")).toBe("NotImplemented");
    expect(xmlValue((await s3Sent("GET", `/${bucket}?versioning`)).body, "Status")).toBeNull();
  });

  it("a canned public-read ACL lets anyone read through Swift, and GetBucketAcl shows the AllUsers grant", async ({
    expect,
  }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`, { headers: { "x-amz-acl": "public-read" } });
    await s3Sent("PUT", `/${bucket}/open`, { body: "hello" });
    const anonymous = await swift("GET", `/AUTH_test/${bucket}/open`, { user: null });
    expect(await text(anonymous)).toBe("hello");
    const acl = await s3Sent("GET", `/${bucket}?acl`);
    expect(acl.status).toBe(200);
    expect(acl.body).toContain("http://acs.amazonaws.com/groups/global/AllUsers");
    expect(xmlValues(acl.body, "Permission")).toEqual(["FULL_CONTROL", "READ"]);
    expect((await s3Sent("PUT", `/${bucket}?acl`, { headers: { "x-amz-acl": "private" } })).status).toBe(200);
    const closed = await swift("GET", `/AUTH_test/${bucket}/open`, { user: null });
    await text(closed);
    expect(closed.status).toBe(401);
    expect(xmlValues((await s3Sent("GET", `/${bucket}?acl`)).body, "Permission")).toEqual(["FULL_CONTROL"]);
  });

  it("a sub-resource edgeswift does not serve is NotImplemented (501)", async ({ expect }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    for (const sub of ["policy", "website", "logging", "replication"]) {
      const sent = await s3Sent("GET", `/${bucket}?${sub}`);
      expect(sent.status, sub).toBe(501);
      expect(xmlValue(sent.body, "Code"), sub).toBe("NotImplemented");
    }
  });
});

describe("S3 bucket names reach one container", () => {
  it("a bucket holding an encoded / is InvalidBucketName, even for a read, and reads nothing", async ({ expect }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    await s3Sent("PUT", `/${bucket}/inner/k`, { body: "inner" });
    const sent = await s3Sent("GET", `/${bucket}%2Finner/k`);
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("InvalidBucketName");
    expect(xmlValue(sent.body, "BucketName")).toBe(`${bucket}/inner`);
  });
});

describe("/info", () => {
  it("lists the s3api section as Swift registers it, with AWS's limits and the region", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = (await response.json()) as { s3api?: Record<string, unknown> };
    expect(info.s3api).toMatchObject({
      max_bucket_listing: 1000,
      max_multi_delete_objects: 1000,
      max_upload_part_num: 10000,
      min_segment_size: 5 * 1024 * 1024,
      allow_multipart_uploads: true,
      location: "us-east-1",
    });
  });
});

describe("S3 virtual-hosted-style addressing (S3_STORAGE_DOMAIN)", () => {
  /** A signed request to `<bucket>.s3.example.test` through a Worker configured with that storage domain. */
  async function virtualHosted(method: string, host: string, path: string, body?: string): Promise<Response> {
    const client = new AwsClient({
      accessKeyId: "test:tester",
      secretAccessKey: "testing",
      service: "s3",
      region: "us-east-1",
    });
    const headers: Record<string, string> = body === undefined ? {} : { "content-length": String(body.length) };
    const hosted = await client.sign(`http://${host}${path}`, { method, headers, body: body ?? null });
    const ctx = createExecutionContext();
    const response = await worker.fetch(hosted, { ...env, S3_STORAGE_DOMAIN: "s3.example.test" } as Env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }

  it("a host <bucket>.<domain> names the bucket: the key is the whole path", async ({ expect }) => {
    const bucket = bucketName("vhost");
    await s3Sent("PUT", `/${bucket}`);
    const put = await virtualHosted("PUT", `${bucket}.s3.example.test`, "/dir/key", "hosted body");
    await put.text();
    expect(put.status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/dir/key`)).body).toBe("hosted body");
    const listed = await virtualHosted("GET", `${bucket}.s3.example.test`, "/?prefix=dir/");
    expect(xmlValues(await listed.text(), "Key")).toEqual(["dir/key"]);
  });
});

describe("S3 request documents", () => {
  it("a document declaring entities (an entity bomb, an external entity) is MalformedXML and changes nothing", async ({
    expect,
  }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
      "<VersioningConfiguration><Status>&b;</Status></VersioningConfiguration>";
    const external =
      '<?xml version="1.0"?><!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
      "<VersioningConfiguration><Status>&x;</Status></VersioningConfiguration>";
    for (const body of [bomb, external]) {
      const sent = await s3Sent("PUT", `/${bucket}?versioning`, { body });
      expect(sent.status).toBe(400);
      expect(xmlValue(sent.body, "Code")).toBe("MalformedXML");
    }
    expect(xmlValue((await s3Sent("GET", `/${bucket}?versioning`)).body, "Status")).toBeNull();
  });

  it("a configuration document over 64 KiB is MaxMessageLengthExceeded and changes nothing", async ({ expect }) => {
    const bucket = bucketName();
    await s3Sent("PUT", `/${bucket}`);
    const body = `<VersioningConfiguration><Status>Enabled</Status>${" ".repeat(70_000)}</VersioningConfiguration>`;
    const sent = await s3Sent("PUT", `/${bucket}?versioning`, { body });
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("MaxMessageLengthExceeded");
    expect(xmlValue((await s3Sent("GET", `/${bucket}?versioning`)).body, "Status")).toBeNull();
  });
});
