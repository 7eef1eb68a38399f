/**
 * @module
 * S3 grants and Swift's container ACLs (src/proxy/s3/acl-grants.ts), pure: what canned ACLs,
 * grant headers and AccessControlPolicy documents ask for, their Swift form (and the refusals of
 * what Swift cannot keep), the grants a container's ACLs give back, and their document.
 */
import { describe, it } from "vitest";
import {
  aclHeaders,
  cannedGrants,
  containerAcls,
  containerGrants,
  documentGrants,
  type Grant,
  grantsOfHeaders,
  headerGrants,
  policyResponse,
  sameGrants,
} from "../../../../src/proxy/s3/acl-grants";
import { thrownS3Error } from "./thrown";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const OWNER = "test:tester";
const everyone = (permission: Grant["permission"]): Grant => ({ grantee: { kind: "all-users" }, permission });
const user = (id: string, permission: Grant["permission"]): Grant => ({ grantee: { kind: "user", id }, permission });

/** What `run` throws: its S3 code, message and fields. */
function refusal(run: () => unknown): { code: string; message: string; fields: Record<string, string> } {
  const { code, message, fields } = thrownS3Error(run);
  return { code, message, fields: { ...fields } };
}

const policy = (...grants: string[]) =>
  `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList>${grants.join("")}` +
  "</AccessControlList></AccessControlPolicy>";
const grantXml = (grantee: string, permission: string) =>
  `<Grant><Grantee>${grantee}</Grantee><Permission>${permission}</Permission></Grant>`;

describe("cannedGrants", () => {
  it("private and the bucket-owner ones grant nothing more; public-read lets everyone read", ({ expect }) => {
    for (const canned of ["private", "bucket-owner-read", "bucket-owner-full-control"])
      expect(cannedGrants(canned)).toEqual([]);
    expect(cannedGrants("public-read")).toEqual([everyone("READ")]);
  });

  it("what Swift cannot keep is NotImplemented; an unknown name InvalidArgument", ({ expect }) => {
    expect(refusal(() => cannedGrants("public-read-write"))).toEqual({
      code: "NotImplemented",
      message: "The canned ACL public-read-write (anonymous writes) cannot be kept in Swift's ACLs.",
      fields: {},
    });
    for (const canned of ["authenticated-read", "aws-exec-read", "log-delivery-write"])
      expect(refusal(() => cannedGrants(canned)).message).toBe(
        `The canned ACL ${canned} cannot be kept in Swift's ACLs.`,
      );
    expect(refusal(() => cannedGrants("Public-Read"))).toEqual({
      code: "InvalidArgument",
      message: "Invalid Argument",
      fields: { ArgumentName: "x-amz-acl", ArgumentValue: "Public-Read" },
    });
  });
});

describe("headerGrants", () => {
  it("each header's grantees with its permission, in the headers' order; none: null", ({ expect }) => {
    const headers = new Headers({
      "x-amz-grant-write": 'id="test2:tester2"',
      "x-amz-grant-read": ` id = "test2:tester2" , URI="${ALL_USERS}"`,
      "x-amz-grant-full-control": "id=test:tester3",
      "x-amz-grant-read-acp": 'id="a"',
      "x-amz-grant-write-acp": 'ID="b"',
    });
    expect(headerGrants(headers)).toEqual([
      user("test2:tester2", "READ"),
      everyone("READ"),
      user("test2:tester2", "WRITE"),
      user("test:tester3", "FULL_CONTROL"),
      user("a", "READ_ACP"),
      user("b", "WRITE_ACP"),
    ]);
    expect(headerGrants(new Headers({ "x-amz-acl": "private" }))).toBeNull();
  });

  it("an item that is no grantee is InvalidArgument naming the header; an e-mail NotImplemented", ({ expect }) => {
    expect(refusal(() => headerGrants(new Headers({ "x-amz-grant-read": "test2:tester2" })))).toEqual({
      code: "InvalidArgument",
      message: "Invalid Argument",
      fields: { ArgumentName: "x-amz-grant-read", ArgumentValue: "test2:tester2" },
    });
    expect(refusal(() => headerGrants(new Headers({ "x-amz-grant-read": 'name="x"' }))).code).toBe("InvalidArgument");
    expect(refusal(() => headerGrants(new Headers({ "x-amz-grant-read": 'xid="x"' }))).code).toBe("InvalidArgument");
    expect(refusal(() => headerGrants(new Headers({ "x-amz-grant-read": 'id="x"y' }))).code).toBe("InvalidArgument");
    expect(refusal(() => headerGrants(new Headers({ "x-amz-grant-write": 'emailAddress="a@b.test"' }))).message).toBe(
      "A grant to an e-mail address cannot be kept in Swift's ACLs.",
    );
  });

  it("a group other than AllUsers is NotImplemented; an ID Swift's ACLs cannot hold is InvalidArgument", ({
    expect,
  }) => {
    const group = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    expect(refusal(() => headerGrants(new Headers({ "x-amz-grant-read": `uri="${group}"` }))).message).toBe(
      `A grant to the group ${group} cannot be kept in Swift's ACLs.`,
    );
    for (const id of ["", ".r:*", "a b", "a\tb"])
      expect(
        refusal(() => headerGrants(new Headers({ "x-amz-grant-read": `id="${id}"` }))),
        id,
      ).toEqual({
        code: "InvalidArgument",
        message: "Invalid id",
        fields: { ArgumentName: "CanonicalUser/ID", ArgumentValue: id },
      });
  });
});

describe("grantsOfHeaders", () => {
  it("a canned ACL or grant headers, never both; neither: null", ({ expect }) => {
    expect(grantsOfHeaders(new Headers({ "x-amz-acl": "public-read" }))).toEqual([everyone("READ")]);
    expect(grantsOfHeaders(new Headers({ "x-amz-grant-read": 'id="x"' }))).toEqual([user("x", "READ")]);
    expect(grantsOfHeaders(new Headers())).toBeNull();
    expect(
      refusal(() => grantsOfHeaders(new Headers({ "x-amz-acl": "private", "x-amz-grant-read": 'id="x"' }))),
    ).toEqual({
      code: "InvalidRequest",
      message: "Specifying both Canned ACLs and Header Grants is not allowed",
      fields: {},
    });
  });
});

describe("documentGrants", () => {
  it("every grant of the AccessControlList, users by ID and groups by URI", ({ expect }) => {
    const text = policy(
      grantXml(`<ID>${OWNER}</ID><DisplayName>me</DisplayName>`, "FULL_CONTROL"),
      grantXml(`<URI>${ALL_USERS}</URI>`, "READ"),
      grantXml("<ID>test2:tester2</ID>", "WRITE"),
    );
    expect(documentGrants(text)).toEqual([
      user(OWNER, "FULL_CONTROL"),
      everyone("READ"),
      user("test2:tester2", "WRITE"),
    ]);
    expect(documentGrants(policy())).toEqual([]);
  });

  it("a document AWS's schema refuses is MalformedACLError", ({ expect }) => {
    const malformed = [
      "<AccessControlPolicy><Owner><ID>x</ID></Owner></AccessControlPolicy>",
      "<AccessControlPolicy><AccessControlList>text</AccessControlList></AccessControlPolicy>",
      policy(grantXml("<ID>x</ID>", "EVERYTHING")),
      policy("<Grant><Grantee><ID>x</ID></Grantee></Grant>"),
      policy("<Grant><Permission>READ</Permission></Grant>"),
      policy("<Grant><Grantee>text</Grantee><Permission>READ</Permission></Grant>"),
      policy(grantXml("<DisplayName>x</DisplayName>", "READ")),
    ];
    for (const text of malformed) expect(refusal(() => documentGrants(text)).code, text).toBe("MalformedACLError");
  });

  it("an e-mail grantee is NotImplemented", ({ expect }) => {
    expect(refusal(() => documentGrants(policy(grantXml("<EmailAddress>a@b.test</EmailAddress>", "READ"))))).toEqual({
      code: "NotImplemented",
      message: "A grant to an e-mail address cannot be kept in Swift's ACLs.",
      fields: {},
    });
  });
});

describe("containerAcls and aclHeaders", () => {
  it("READ, WRITE and FULL_CONTROL of users and AllUsers' READ, each name once, the owner's left out", ({ expect }) => {
    const grants = [
      user(OWNER, "FULL_CONTROL"),
      user(OWNER, "READ_ACP"),
      everyone("READ"),
      user("a:x", "READ"),
      user("b", "WRITE"),
      user("c:y", "FULL_CONTROL"),
      user("a:x", "READ"),
      everyone("READ"),
    ];
    expect(containerAcls(grants, OWNER)).toEqual({ read: ".r:*,.rlistings,a:x,c:y", write: "b,c:y" });
    expect(containerAcls([], OWNER)).toEqual({ read: "", write: "" });
  });

  it("ACP permissions and anything but READ for AllUsers are NotImplemented", ({ expect }) => {
    expect(refusal(() => containerAcls([user("a", "READ_ACP")], OWNER)).message).toBe(
      "The permission READ_ACP (only owners change Swift's ACLs) cannot be kept in Swift's ACLs.",
    );
    expect(refusal(() => containerAcls([user("a", "WRITE_ACP")], OWNER)).code).toBe("NotImplemented");
    for (const permission of ["WRITE", "FULL_CONTROL", "READ_ACP"] as const)
      expect(refusal(() => containerAcls([everyone(permission)], OWNER)).code, permission).toBe("NotImplemented");
    expect(refusal(() => containerAcls([everyone("WRITE")], OWNER)).message).toBe(
      "The permission WRITE for AllUsers (anonymous writes) cannot be kept in Swift's ACLs.",
    );
  });

  it("aclHeaders: both ACL headers (empty clears), and whether anyone may read", ({ expect }) => {
    expect(aclHeaders([everyone("READ")], OWNER)).toEqual({
      headers: { "x-container-read": ".r:*,.rlistings", "x-container-write": "" },
      public: true,
    });
    expect(aclHeaders([user("a", "READ"), everyone("READ")], OWNER).public).toBe(true);
    expect(aclHeaders([user("a", "WRITE")], OWNER)).toEqual({
      headers: { "x-container-read": "", "x-container-write": "a" },
      public: false,
    });
  });
});

describe("containerGrants", () => {
  it("the owner's FULL_CONTROL, AllUsers' READ for `.r:*`, then each user's READ and WRITE", ({ expect }) => {
    const headers = new Headers({
      "x-container-read": ".r:*,.rlistings,a:x,.r:-bad.test,b",
      "x-container-write": ".rlistings,b,c:y",
    });
    expect(containerGrants(headers, OWNER)).toEqual([
      user(OWNER, "FULL_CONTROL"),
      everyone("READ"),
      user("a:x", "READ"),
      user("b", "READ"),
      user("b", "WRITE"),
      user("c:y", "WRITE"),
    ]);
  });

  it("a referrer other than `*` grants AllUsers nothing; no ACLs: the owner alone", ({ expect }) => {
    expect(containerGrants(new Headers({ "x-container-read": ".r:.example.com" }), OWNER)).toEqual([
      user(OWNER, "FULL_CONTROL"),
    ]);
    expect(containerGrants(new Headers(), OWNER)).toEqual([user(OWNER, "FULL_CONTROL")]);
  });
});

describe("policyResponse", () => {
  it("the owner, then each grant: a CanonicalUser by ID and name, AllUsers as a Group by URI", async ({ expect }) => {
    const response = policyResponse(OWNER, [user(OWNER, "FULL_CONTROL"), everyone("READ")]);
    expect(response.headers.get("content-type")).toBe("application/xml");
    const body = await response.text();
    expect(body).toContain(
      `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${OWNER}</ID>` +
        `<DisplayName>${OWNER}</DisplayName></Owner><AccessControlList><Grant>`,
    );
    expect(body).toMatch(/<\/Grant><\/AccessControlList><\/AccessControlPolicy>$/);
    expect(body).toContain(
      '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' +
        `<ID>${OWNER}</ID><DisplayName>${OWNER}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>`,
    );
    expect(body).toContain(
      '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">' +
        `<URI>${ALL_USERS}</URI></Grantee><Permission>READ</Permission></Grant>`,
    );
  });
});

describe("sameGrants", () => {
  it("the same rights to the same grantees in any order, the owner's aside", ({ expect }) => {
    const has = [user(OWNER, "FULL_CONTROL"), everyone("READ"), user("a", "READ")];
    expect(sameGrants([user("a", "READ"), everyone("READ")], has, OWNER)).toBe(true);
    expect(sameGrants([everyone("READ")], has, OWNER)).toBe(false);
    expect(sameGrants([user("a", "READ"), everyone("READ"), user("b", "READ")], has, OWNER)).toBe(false);
    expect(sameGrants([user("a", "WRITE"), everyone("READ")], has, OWNER)).toBe(false);
    expect(sameGrants([user("b", "READ"), everyone("READ")], has, OWNER)).toBe(false);
    expect(sameGrants([user("a", "READ"), user("a", "READ"), everyone("READ")], has, OWNER)).toBe(true);
    expect(sameGrants([user("*", "READ"), user("a", "READ")], has, OWNER)).toBe(false);
    expect(sameGrants([user("undefined", "READ")], [everyone("READ")], OWNER)).toBe(false);
  });
});
