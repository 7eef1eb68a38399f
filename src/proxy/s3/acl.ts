/**
 * @module
 * S3 ACLs as far as S3's and Swift's models meet. A bucket's ACL is its container's ACLs:
 * X-Container-Read and X-Container-Write. A grant is said as a canned ACL (`x-amz-acl`), as grant
 * headers (`x-amz-grant-read: id="test2:tester2", uri="…/AllUsers"`) or as an AccessControlPolicy
 * document, and stored as Swift says it:
 * - the AllUsers group's READ: `.r:*,.rlistings` (anyone reads and lists);
 * - a user's READ or WRITE (its canonical ID is a Swift user, `account:user`, or a whole account):
 *   that name in the read or write ACL; FULL_CONTROL both;
 * - the owner's grants: nothing (an account's owner always has full control in Swift).
 * What Swift cannot keep is NotImplemented, never stored as something else: READ_ACP and
 * WRITE_ACP (only owners change Swift's ACLs), the AllUsers group's WRITE (Swift's ACLs grant
 * anonymous callers no write, so `public-read-write` too), AuthenticatedUsers, LogDelivery and
 * grantees by e-mail address. GetBucketAcl reads the grants back from the container's ACLs.
 * Objects have no ACL of their own in Swift: GetObjectAcl shows the owner's FULL_CONTROL and what
 * the bucket grants readers; PutObjectAcl (and a canned ACL on PutObject, ignored as s3api
 * ignores it) is accepted when it asks for what the object already has, NotImplemented otherwise.
 * AWS: "Access control list (ACL) overview", PutBucketAcl, GetBucketAcl, PutObjectAcl; Swift:
 * s3api acl_utils.py swift_acl_translate (without s3_acl).
 */

import { H } from "../../common/headers";
import { parseAcl } from "../auth/acl";
import { claimBucket } from "./bucket-names";
import { S3Error } from "./errors";
import { bucketOf, CONFIG_BODY_MAX, headBucket, keyOf, okOrThrow, type S3Request } from "./request";
import { childObjects, childText, el, elWith, parseXml, readBodyText, type XmlObject, xmlResponse } from "./xml";

/** The canned ACL header. */
export const X_AMZ_ACL = "x-amz-acl";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
/** Swift's read ACL that lets anyone read and list. */
const PUBLIC_READ = [".r:*", ".rlistings"];

type Permission = "READ" | "WRITE" | "FULL_CONTROL" | "READ_ACP" | "WRITE_ACP";
const PERMISSIONS: ReadonlySet<string> = new Set(["READ", "WRITE", "FULL_CONTROL", "READ_ACP", "WRITE_ACP"]);
/** The grant headers and the permission each gives. */
const GRANT_HEADERS: readonly [string, Permission][] = [
  ["x-amz-grant-read", "READ"],
  ["x-amz-grant-write", "WRITE"],
  ["x-amz-grant-full-control", "FULL_CONTROL"],
  ["x-amz-grant-read-acp", "READ_ACP"],
  ["x-amz-grant-write-acp", "WRITE_ACP"],
];

type Grantee = { kind: "user"; id: string } | { kind: "all-users" };

interface Grant {
  grantee: Grantee;
  permission: Permission;
}

function notImplemented(what: string): S3Error {
  return new S3Error("NotImplemented", `${what} cannot be kept in Swift's ACLs.`);
}

/** A grantee named by a URI (a group): only AllUsers has a Swift form. */
function groupGrantee(uri: string): Grantee {
  if (uri === ALL_USERS) return { kind: "all-users" };
  throw notImplemented(`A grant to the group ${uri}`);
}

/** A grantee named by a canonical ID: a Swift user (`account:user`) or account, as an ACL names it. */
function userGrantee(id: string): Grantee {
  if (id === "" || id.includes(",") || id.startsWith(".") || /\s/.test(id))
    throw new S3Error("InvalidArgument", "Invalid id", { ArgumentName: "CanonicalUser/ID", ArgumentValue: id });
  return { kind: "user", id };
}

/** The grants of a canned ACL. */
function cannedGrants(canned: string): Grant[] {
  switch (canned) {
    case "private":
    case "bucket-owner-read":
    case "bucket-owner-full-control":
      return [];
    case "public-read":
      return [{ grantee: { kind: "all-users" }, permission: "READ" }];
    case "public-read-write":
      throw notImplemented("The canned ACL public-read-write (anonymous writes)");
    case "authenticated-read":
    case "aws-exec-read":
    case "log-delivery-write":
      throw notImplemented(`The canned ACL ${canned}`);
    default:
      throw new S3Error("InvalidArgument", undefined, { ArgumentName: X_AMZ_ACL, ArgumentValue: canned });
  }
}

/** The grants of the grant headers (`id="…"`, `uri="…"`, `emailAddress="…"`, comma-separated); null when none. */
function headerGrants(headers: Headers): Grant[] | null {
  let grants: Grant[] | null = null;
  for (const [name, permission] of GRANT_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    grants ??= [];
    for (const item of value.split(",")) {
      const match = /^\s*(id|uri|emailAddress)\s*=\s*"?([^"]*)"?\s*$/i.exec(item);
      if (!match) throw new S3Error("InvalidArgument", undefined, { ArgumentName: name, ArgumentValue: value });
      const [, type = "", who = ""] = match;
      if (type.toLowerCase() === "emailaddress") throw notImplemented("A grant to an e-mail address");
      grants.push({ grantee: type.toLowerCase() === "uri" ? groupGrantee(who) : userGrantee(who), permission });
    }
  }
  return grants;
}

/** The grants of an AccessControlPolicy document. */
function documentGrants(text: string): Grant[] {
  const policy = parseXml(text, "AccessControlPolicy", ["Grant"]);
  const list = policy.AccessControlList;
  if (typeof list !== "object" || list === null || Array.isArray(list)) throw new S3Error("MalformedACLError");
  return childObjects(list as XmlObject, "Grant").map((grant) => {
    const permission = childText(grant, "Permission") ?? "";
    const grantee = grant.Grantee;
    if (!PERMISSIONS.has(permission) || typeof grantee !== "object" || grantee === null || Array.isArray(grantee))
      throw new S3Error("MalformedACLError");
    const who = grantee as XmlObject;
    const uri = childText(who, "URI");
    const id = childText(who, "ID");
    if (childText(who, "EmailAddress") !== null) throw notImplemented("A grant to an e-mail address");
    if (uri !== null) return { grantee: groupGrantee(uri), permission: permission as Permission };
    if (id !== null) return { grantee: userGrantee(id), permission: permission as Permission };
    throw new S3Error("MalformedACLError");
  });
}

/** Swift's container ACLs for `grants`: the read and write ACL values. */
function containerAcls(grants: readonly Grant[], owner: string): { read: string; write: string } {
  const read = new Set<string>();
  const write = new Set<string>();
  for (const { grantee, permission } of grants) {
    if (grantee.kind === "user" && grantee.id === owner) continue;
    if (permission === "READ_ACP" || permission === "WRITE_ACP")
      throw notImplemented(`The permission ${permission} (only owners change Swift's ACLs)`);
    if (grantee.kind === "all-users") {
      if (permission !== "READ") throw notImplemented(`The permission ${permission} for AllUsers (anonymous writes)`);
      for (const item of PUBLIC_READ) read.add(item);
      continue;
    }
    if (permission !== "WRITE") read.add(grantee.id);
    if (permission !== "READ") write.add(grantee.id);
  }
  return { read: [...read].join(","), write: [...write].join(",") };
}

/** The grants a container's ACLs give, the owner's FULL_CONTROL first. */
function containerGrants(headers: Headers, owner: string): Grant[] {
  const grants: Grant[] = [{ grantee: { kind: "user", id: owner }, permission: "FULL_CONTROL" }];
  const read = parseAcl(headers.get(H.X_CONTAINER_READ));
  if (read.referrers.includes("*")) grants.push({ grantee: { kind: "all-users" }, permission: "READ" });
  for (const group of read.groups)
    if (!group.startsWith(".")) grants.push({ grantee: { kind: "user", id: group }, permission: "READ" });
  for (const group of parseAcl(headers.get(H.X_CONTAINER_WRITE)).groups)
    if (!group.startsWith(".")) grants.push({ grantee: { kind: "user", id: group }, permission: "WRITE" });
  return grants;
}

/** An AccessControlPolicy document of `grants`. */
function policyResponse(owner: string, grants: readonly Grant[]): Response {
  const grantElement = ({ grantee, permission }: Grant) =>
    el(
      "Grant",
      grantee.kind === "all-users"
        ? elWith("Grantee", { "xmlns:xsi": XSI, "xsi:type": "Group" }, el("URI", ALL_USERS))
        : elWith(
            "Grantee",
            { "xmlns:xsi": XSI, "xsi:type": "CanonicalUser" },
            el("ID", grantee.id),
            el("DisplayName", grantee.id),
          ),
      el("Permission", permission),
    );
  return xmlResponse(
    el(
      "AccessControlPolicy",
      el("Owner", el("ID", owner), el("DisplayName", owner)),
      el("AccessControlList", ...grants.map(grantElement)),
    ),
  );
}

/** The grants a request's canned ACL or grant headers ask for (not both); null when it names none. */
function grantsOfHeaders(headers: Headers): Grant[] | null {
  const canned = headers.get(X_AMZ_ACL);
  const granted = headerGrants(headers);
  if (canned !== null && granted !== null)
    throw new S3Error("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed");
  return canned !== null ? cannedGrants(canned) : granted;
}

/** The container ACL headers for `grants`, and whether they let anyone read. */
function aclHeaders(grants: readonly Grant[], owner: string) {
  const { read, write } = containerAcls(grants, owner);
  return {
    headers: { [H.X_CONTAINER_READ]: read, [H.X_CONTAINER_WRITE]: write },
    public: grants.some((grant) => grant.grantee.kind === "all-users"),
  };
}

/** The container ACL headers a CreateBucket's canned ACL or grant headers ask for; null when it names none. */
export function requestedAcls(req: S3Request): { headers: Record<string, string>; public: boolean } | null {
  const grants = grantsOfHeaders(req.request.headers);
  return grants === null ? null : aclHeaders(grants, req.owner);
}

/** The grants a PutBucketAcl or PutObjectAcl asks for: its headers' or its document's (not both). */
async function askedGrants(req: S3Request): Promise<Grant[]> {
  const text = await readBodyText(req.body, CONFIG_BODY_MAX);
  const fromHeaders = grantsOfHeaders(req.request.headers);
  if (text.trim() !== "") {
    if (fromHeaders !== null) throw new S3Error("UnexpectedContent");
    return documentGrants(text);
  }
  if (fromHeaders === null) throw new S3Error("MissingSecurityHeader", undefined, { MissingHeaderName: X_AMZ_ACL });
  return fromHeaders;
}

/** The 200 an ACL write answers with. */
function done(): Response {
  return new Response(null, { status: 200, headers: { [H.CONTENT_LENGTH]: "0" } });
}

/** GetBucketAcl: the owner's FULL_CONTROL and what the container's ACLs grant. */
export async function getBucketAcl(req: S3Request): Promise<Response> {
  return policyResponse(req.owner, containerGrants(await headBucket(req), req.owner));
}

/**
 * PutBucketAcl: a canned ACL, grant headers or a document, set as the container's ACLs; a public
 * one claims the bucket's name (anonymous requests find the bucket by it: bucket-names.ts).
 */
export async function putBucketAcl(req: S3Request): Promise<Response> {
  const bucket = bucketOf(req);
  const { headers, public: open } = aclHeaders(await askedGrants(req), req.owner);
  await headBucket(req);
  if (open) await claimBucket(req.ctx, req.account, bucket);
  const response = await okOrThrow(await req.swift({ method: "POST", container: bucket, headers }), "bucket");
  await response.body?.cancel();
  return done();
}

/** The grants an object has: the owner's FULL_CONTROL and the bucket's readers' READ. */
async function objectGrants(req: S3Request): Promise<Grant[]> {
  const head = await okOrThrow(
    await req.swift({ method: "HEAD", container: bucketOf(req), object: keyOf(req) }),
    "object",
  );
  await head.body?.cancel();
  return containerGrants(await headBucket(req), req.owner).filter((grant) => grant.permission !== "WRITE");
}

/** GetObjectAcl: the owner's FULL_CONTROL and the readers the bucket grants (objects carry no ACL in Swift). */
export async function getObjectAcl(req: S3Request): Promise<Response> {
  return policyResponse(req.owner, await objectGrants(req));
}

/** The grants as a comparable set. */
function grantSet(grants: readonly Grant[], owner: string): Set<string> {
  return new Set(
    grants
      .filter((grant) => !(grant.grantee.kind === "user" && grant.grantee.id === owner))
      .map((grant) => `${grant.grantee.kind === "user" ? grant.grantee.id : "*"} ${grant.permission}`),
  );
}

/** PutObjectAcl: accepted when it asks for the grants the object has; NotImplemented otherwise. */
export async function putObjectAcl(req: S3Request): Promise<Response> {
  const wanted = grantSet(await askedGrants(req), req.owner);
  const has = grantSet(await objectGrants(req), req.owner);
  if (wanted.size !== has.size || [...wanted].some((grant) => !has.has(grant)))
    throw new S3Error("NotImplemented", "Objects have no ACL of their own in Swift: set the bucket's ACL.");
  return done();
}
