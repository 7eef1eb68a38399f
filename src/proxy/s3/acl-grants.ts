/**
 * @module
 * S3 grants and Swift's container ACLs, pure (acl.ts serves the operations): the grants a canned
 * ACL, grant headers or an AccessControlPolicy document ask for, checked; the read and write ACLs
 * they are in Swift (NotImplemented for what Swift cannot keep, never something else); the grants
 * a container's ACLs give back; the AccessControlPolicy document of grants. AWS: "Access control
 * list (ACL) overview"; Swift: s3api acl_utils.py swift_acl_translate (without s3_acl).
 */

import { H } from "../../common/headers";
import { parseAcl } from "../auth/acl";
import { S3Error } from "./errors";
import { childObjects, childText, el, elWith, parseXml, type XmlObject, xmlResponse } from "./xml";

/** The canned ACL header. */
export const X_AMZ_ACL = "x-amz-acl";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
/** Swift's read ACL that lets anyone read and list. */
const PUBLIC_READ = [".r:*", ".rlistings"];

export type Permission = "READ" | "WRITE" | "FULL_CONTROL" | "READ_ACP" | "WRITE_ACP";
const PERMISSIONS: ReadonlySet<string> = new Set(["READ", "WRITE", "FULL_CONTROL", "READ_ACP", "WRITE_ACP"]);
/** The grant headers and the permission each gives. */
const GRANT_HEADERS: readonly [string, Permission][] = [
  ["x-amz-grant-read", "READ"],
  ["x-amz-grant-write", "WRITE"],
  ["x-amz-grant-full-control", "FULL_CONTROL"],
  ["x-amz-grant-read-acp", "READ_ACP"],
  ["x-amz-grant-write-acp", "WRITE_ACP"],
];

export type Grantee = { kind: "user"; id: string } | { kind: "all-users" };

export interface Grant {
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
export function cannedGrants(canned: string): Grant[] {
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
export function headerGrants(headers: Headers): Grant[] | null {
  let grants: Grant[] | null = null;
  for (const [name, permission] of GRANT_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    grants ??= [];
    for (const item of value.split(",")) {
      const match = /^\s*(id|uri|emailAddress)\s*=\s*"?([^"]*)"?\s*$/i.exec(item);
      if (!match) throw new S3Error("InvalidArgument", undefined, { ArgumentName: name, ArgumentValue: value });
      const [type, who] = match.slice(1) as [string, string];
      if (type.toLowerCase() === "emailaddress") throw notImplemented("A grant to an e-mail address");
      grants.push({ grantee: type.toLowerCase() === "uri" ? groupGrantee(who) : userGrantee(who), permission });
    }
  }
  return grants;
}

/** A child element that holds elements (empty: none); MalformedACLError when it is missing or text. */
function elementOf(parent: XmlObject, name: string): XmlObject {
  const value = parent[name];
  if (value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new S3Error("MalformedACLError");
  return value;
}

/** The grants of an AccessControlPolicy document. */
export function documentGrants(text: string): Grant[] {
  const list = elementOf(parseXml(text, "AccessControlPolicy"), "AccessControlList");
  return childObjects(list, "Grant").map((grant) => {
    const permission = childText(grant, "Permission") ?? "";
    if (!PERMISSIONS.has(permission)) throw new S3Error("MalformedACLError");
    const who = elementOf(grant, "Grantee");
    const uri = childText(who, "URI");
    const id = childText(who, "ID");
    if (childText(who, "EmailAddress") !== null) throw notImplemented("A grant to an e-mail address");
    if (uri !== null) return { grantee: groupGrantee(uri), permission: permission as Permission };
    if (id !== null) return { grantee: userGrantee(id), permission: permission as Permission };
    throw new S3Error("MalformedACLError");
  });
}

/** Swift's container ACLs for `grants`: the read and write ACL values. */
export function containerAcls(grants: readonly Grant[], owner: string): { read: string; write: string } {
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
export function containerGrants(headers: Headers, owner: string): Grant[] {
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
export function policyResponse(owner: string, grants: readonly Grant[]): Response {
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
export function grantsOfHeaders(headers: Headers): Grant[] | null {
  const canned = headers.get(X_AMZ_ACL);
  const granted = headerGrants(headers);
  if (canned !== null && granted !== null)
    throw new S3Error("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed");
  return canned !== null ? cannedGrants(canned) : granted;
}

/** The container ACL headers for `grants`, and whether they let anyone read. */
export function aclHeaders(grants: readonly Grant[], owner: string) {
  const { read, write } = containerAcls(grants, owner);
  return {
    headers: { [H.X_CONTAINER_READ]: read, [H.X_CONTAINER_WRITE]: write },
    public: grants.some((grant) => grant.grantee.kind === "all-users"),
  };
}

/** The grants as a comparable set, the owner's left out (an owner has every right in Swift). */
function grantSet(grants: readonly Grant[], owner: string): Set<string> {
  return new Set(
    grants
      .filter((grant) => !(grant.grantee.kind === "user" && grant.grantee.id === owner))
      .map((grant) => `${grant.permission} ${grant.grantee.kind === "user" ? `id ${grant.grantee.id}` : "AllUsers"}`),
  );
}

/** Whether two lists grant the same rights to the same grantees, the owner's aside. */
export function sameGrants(a: readonly Grant[], b: readonly Grant[], owner: string): boolean {
  const first = grantSet(a, owner);
  const second = grantSet(b, owner);
  return first.size === second.size && [...first].every((grant) => second.has(grant));
}
