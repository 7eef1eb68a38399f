/**
 * @module
 * S3 ACLs through the Worker, as far as S3's and Swift's models meet: canned ACLs, grant headers
 * and AccessControlPolicy documents stored as container ACLs (and read back by GetBucketAcl and
 * by Swift), the rights they give another user and anonymous callers, GetObjectAcl from the
 * bucket, and NotImplemented, with nothing stored, for what Swift's ACLs cannot say.
 */
import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const OTHER: [string, string] = ["test2:tester2", "testing2"];
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

const policy = (...grants: string[]) =>
  '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  "<Owner><ID>test:tester</ID></Owner>" +
  `<AccessControlList>${grants.join("")}</AccessControlList></AccessControlPolicy>`;
const userGrant = (id: string, permission: string) =>
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' +
  `<ID>${id}</ID></Grantee><Permission>${permission}</Permission></Grant>`;
const groupGrant = (uri: string, permission: string) =>
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">' +
  `<URI>${uri}</URI></Grantee><Permission>${permission}</Permission></Grant>`;

async function containerAcls(bucket: string): Promise<{ read: string | null; write: string | null }> {
  const head = await swift("HEAD", `/AUTH_test/${bucket}`);
  return { read: head.headers.get("x-container-read"), write: head.headers.get("x-container-write") };
}

async function newBucket(headers: Record<string, string> = {}): Promise<string> {
  const bucket = bucketName("acl");
  const created = await s3Sent("PUT", `/${bucket}`, { headers });
  if (created.status !== 200) throw new Error(`CreateBucket: ${created.status} ${created.body}`);
  return bucket;
}

describe("PutBucketAcl and GetBucketAcl", () => {
  it("a document granting another user READ lets that user list and read, not write", async ({ expect }) => {
    const bucket = await newBucket();
    await s3Sent("PUT", `/${bucket}/doc`, { body: "shared" });
    const put = await s3Sent("PUT", `/${bucket}?acl`, {
      body: policy(userGrant("test:tester", "FULL_CONTROL"), userGrant("test2:tester2", "READ")),
    });
    expect(put.status).toBe(200);
    expect(await containerAcls(bucket)).toEqual({ read: "test2:tester2", write: null });
    const got = await s3Sent("GET", `/${bucket}?acl`);
    expect(xmlValues(got.body, "ID")).toEqual(["test:tester", "test:tester", "test2:tester2"]);
    expect(xmlValues(got.body, "Permission")).toEqual(["FULL_CONTROL", "READ"]);
    const account = "AUTH_test";
    const read = await swift("GET", `/${account}/${bucket}/doc`, { user: ["test2:tester2", "testing2"] });
    expect(await read.text()).toBe("shared");
    const write = await swift("PUT", `/${account}/${bucket}/other`, {
      user: ["test2:tester2", "testing2"],
      body: "x",
    });
    expect(write.status).toBe(403);
  });

  it("grant headers: x-amz-grant-full-control gives a user read and write", async ({ expect }) => {
    const bucket = await newBucket();
    const put = await s3Sent("PUT", `/${bucket}?acl`, {
      headers: { "x-amz-grant-full-control": 'id="test2:tester2"', "x-amz-grant-read": `uri="${ALL_USERS}"` },
    });
    expect(put.status).toBe(200);
    expect(await containerAcls(bucket)).toEqual({ read: ".r:*,.rlistings,test2:tester2", write: "test2:tester2" });
    const got = (await s3Sent("GET", `/${bucket}?acl`)).body;
    expect(xmlValues(got, "URI")).toEqual([ALL_USERS]);
    expect(xmlValues(got, "Permission")).toEqual(["FULL_CONTROL", "READ", "READ", "WRITE"]);
  });

  it("CreateBucket takes grant headers too", async ({ expect }) => {
    const bucket = await newBucket({ "x-amz-grant-write": 'id="test2:tester2"' });
    expect(await containerAcls(bucket)).toEqual({ read: null, write: "test2:tester2" });
  });

  it("a canned ACL: public-read, then private clears it", async ({ expect }) => {
    const bucket = await newBucket();
    expect((await s3Sent("PUT", `/${bucket}?acl`, { headers: { "x-amz-acl": "public-read" } })).status).toBe(200);
    expect((await containerAcls(bucket)).read).toBe(".r:*,.rlistings");
    expect(xmlValues((await s3Sent("GET", `/${bucket}?acl`)).body, "URI")).toEqual([ALL_USERS]);
    expect((await s3Sent("PUT", `/${bucket}?acl`, { headers: { "x-amz-acl": "private" } })).status).toBe(200);
    expect(await containerAcls(bucket)).toEqual({ read: null, write: null });
    expect(xmlValues((await s3Sent("GET", `/${bucket}?acl`)).body, "Permission")).toEqual(["FULL_CONTROL"]);
  });

  it("a document making a bucket public lets anonymous callers read it by name", async ({ expect }) => {
    const bucket = await newBucket();
    await s3Sent("PUT", `/${bucket}/page`, { body: "public page" });
    await s3Sent("PUT", `/${bucket}?acl`, { body: policy(groupGrant(ALL_USERS, "READ")) });
    const response = await exports.default.fetch(`${BASE}/${bucket}/page`);
    expect(await response.text()).toBe("public page");
  });

  it("what Swift's ACLs cannot keep is NotImplemented and changes nothing", async ({ expect }) => {
    const bucket = await newBucket({ "x-amz-acl": "public-read" });
    const refused: [string, { body?: string; headers?: Record<string, string> }][] = [
      ["public-read-write", { headers: { "x-amz-acl": "public-read-write" } }],
      ["authenticated-read", { headers: { "x-amz-acl": "authenticated-read" } }],
      ["AllUsers WRITE", { body: policy(groupGrant(ALL_USERS, "WRITE")) }],
      ["WRITE_ACP", { body: policy(userGrant("test2:tester2", "WRITE_ACP")) }],
      [
        "AuthenticatedUsers",
        { body: policy(groupGrant("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ")) },
      ],
      ["e-mail", { headers: { "x-amz-grant-read": 'emailAddress="someone@example.com"' } }],
    ];
    for (const [what, init] of refused) {
      const sent = await s3Sent("PUT", `/${bucket}?acl`, init);
      expect(sent.status, what).toBe(501);
      expect(xmlValue(sent.body, "Code")).toBe("NotImplemented");
    }
    expect(await containerAcls(bucket)).toEqual({ read: ".r:*,.rlistings", write: null });
  });

  it("bad input: a malformed document, an unknown canned ACL, a bad grantee ID; nothing stored", async ({ expect }) => {
    const bucket = await newBucket();
    const cases: [{ body?: string; headers?: Record<string, string> }, number, string][] = [
      [{ body: "<AccessControlPolicy><AccessControlList>" }, 400, "MalformedXML"],
      [{ body: policy("<Grant><Permission>READ</Permission></Grant>") }, 400, "MalformedACLError"],
      [{ body: policy(userGrant("test2:tester2", "EVERYTHING")) }, 400, "MalformedACLError"],
      [{ headers: { "x-amz-acl": "world-writable" } }, 400, "InvalidArgument"],
      [{ body: policy(userGrant("a,.r:*", "READ")) }, 400, "InvalidArgument"],
      [{ headers: { "x-amz-acl": "private", "x-amz-grant-read": 'id="test2:tester2"' } }, 400, "InvalidRequest"],
      [{ headers: { "x-amz-acl": "private" }, body: policy() }, 400, "UnexpectedContent"],
      [{}, 400, "MissingSecurityHeader"],
    ];
    for (const [init, status, code] of cases) {
      const sent = await s3Sent("PUT", `/${bucket}?acl`, init);
      expect(sent.status, JSON.stringify(init)).toBe(status);
      expect(xmlValue(sent.body, "Code"), JSON.stringify(init)).toBe(code);
    }
    expect(await containerAcls(bucket)).toEqual({ read: null, write: null });
  });

  it("another user cannot change a bucket's ACL, even with write access", async ({ expect }) => {
    const bucket = await newBucket({ "x-amz-grant-full-control": 'id="test:tester3"' });
    const sent = await s3Sent("PUT", `/${bucket}?acl`, {
      headers: { "x-amz-acl": "public-read" },
      user: ["test:tester3", "testing3"],
    });
    expect(sent.status).toBe(403);
    expect((await containerAcls(bucket)).read).toBe("test:tester3");
  });

  it("of a bucket that does not exist: NoSuchBucket", async ({ expect }) => {
    const sent = await s3Sent("PUT", `/${bucketName("absent")}?acl`, { headers: { "x-amz-acl": "private" } });
    expect(xmlValue(sent.body, "Code")).toBe("NoSuchBucket");
    expect((await s3Sent("GET", `/${bucketName("absent")}?acl`, { user: OTHER })).status).toBe(404);
  });
});

describe("GetObjectAcl and PutObjectAcl", () => {
  it("an object's ACL is the owner's FULL_CONTROL and the readers its bucket grants", async ({ expect }) => {
    const bucket = await newBucket({ "x-amz-acl": "public-read" });
    await s3Sent("PUT", `/${bucket}/o`, { body: "x" });
    const got = await s3Sent("GET", `/${bucket}/o?acl`);
    expect(got.status).toBe(200);
    expect(xmlValues(got.body, "Permission")).toEqual(["FULL_CONTROL", "READ"]);
    expect(xmlValues(got.body, "URI")).toEqual([ALL_USERS]);
    expect((await s3Sent("GET", `/${bucket}/missing?acl`)).status).toBe(404);
  });

  it("PutObjectAcl asking for what the object has is accepted; anything else NotImplemented", async ({ expect }) => {
    const bucket = await newBucket({ "x-amz-acl": "public-read" });
    await s3Sent("PUT", `/${bucket}/o`, { body: "x" });
    expect((await s3Sent("PUT", `/${bucket}/o?acl`, { headers: { "x-amz-acl": "public-read" } })).status).toBe(200);
    const narrower = await s3Sent("PUT", `/${bucket}/o?acl`, { headers: { "x-amz-acl": "private" } });
    expect(narrower.status).toBe(501);
    const wider = await s3Sent("PUT", `/${bucket}/o?acl`, { headers: { "x-amz-grant-read": 'id="test2:tester2"' } });
    expect(wider.status).toBe(501);
    expect((await s3Sent("PUT", `/${bucket}/missing?acl`, { headers: { "x-amz-acl": "public-read" } })).status).toBe(
      404,
    );
  });
});
