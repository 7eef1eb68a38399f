import { describe, it } from "vitest";
import {
  accountAclError,
  cleanAcl,
  denied,
  formatAccountAcl,
  isOwner,
  isResellerAdmin,
  parseAccountAcl,
  parseAcl,
  referrerAllowed,
  requireOwner,
} from "../../../../src/proxy/auth/acl";
import { SwiftError } from "../../../../src/common/errors";
import { pythonRepr } from "../../../../src/common/python";
import { tempauthVerdict, type TempauthInput } from "../../../../src/proxy/auth/authorize";
import { requestGroups, type Identity } from "../../../../src/proxy/auth/swift-v1";
import { DEFAULT_RESELLER_PREFIXES, type Role } from "../../../../src/config/config";

/** Tempauth's default settings: the AUTH_ prefix alone, no required groups. */
const PREFIXES = { resellerPrefixes: DEFAULT_RESELLER_PREFIXES, requireGroups: new Map<string, string>() };

const user = (account: string, name: string, ...roles: Role[]): Identity => ({
  account,
  user: name,
  roles: new Set(roles),
});
const tester = user("test", "tester", ".admin");
const tester3 = user("test", "tester3");
const admin = user("admin", "admin", ".admin", ".reseller_admin");

function errorOf(run: () => unknown): SwiftError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof SwiftError) return error;
    throw error;
  }
}

describe("owners (Swift: tempauth swift_owner)", () => {
  it("a .admin user owns its own storage account, not another", ({ expect }) => {
    expect(isOwner(tester, "AUTH_test")).toBe(true);
    expect(isOwner(tester, "AUTH_test2")).toBe(false);
    expect(isOwner(tester3, "AUTH_test")).toBe(false);
    expect(isOwner(null, "AUTH_test")).toBe(false);
  });

  it("the reseller admin owns every account under the reseller prefix, and none outside it", ({ expect }) => {
    expect(isOwner(admin, "AUTH_test")).toBe(true);
    expect(isOwner(admin, "OTHER_test")).toBe(false);
    expect(isResellerAdmin(admin)).toBe(true);
    expect(isResellerAdmin(tester)).toBe(false);
    expect(isResellerAdmin(null)).toBe(false);
  });

  it("a refusal is 403 for an authenticated user and 401 with Www-Authenticate for an anonymous one", ({ expect }) => {
    expect(denied(tester3, "AUTH_test").kind).toBe("Forbidden");
    const anonymous = denied(null, "AUTH_test");
    expect(anonymous.kind).toBe("Unauthorized");
    expect(anonymous.headers).toEqual({ "www-authenticate": `Swift realm="AUTH_test"` });
    expect(errorOf(() => requireOwner(tester3, "AUTH_test"))?.kind).toBe("Forbidden");
    expect(errorOf(() => requireOwner(tester, "AUTH_test"))).toBeNull();
  });

  it(
    "a user's groups are its account, account:user, its other groups, " +
      "then its storage account if .admin (Swift: _get_user_groups)",
    ({ expect }) => {
      expect(requestGroups(PREFIXES, null)).toEqual([]);
      expect(requestGroups(PREFIXES, tester3)).toEqual(["test", "test:tester3"]);
      expect(requestGroups(PREFIXES, tester)).toEqual(["test", "test:tester", "AUTH_test"]);
      expect(requestGroups(PREFIXES, admin)).toEqual(["admin", "admin:admin", ".reseller_admin", "AUTH_admin"]);
    },
  );
});

describe("pythonRepr", () => {
  it("quotes as Python's repr of a str does", ({ expect }) => {
    expect(pythonRepr("abc")).toBe("'abc'");
    expect(pythonRepr("it's")).toBe(`"it's"`);
    expect(pythonRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pythonRepr("a\\b")).toBe("'a\\\\b'");
    expect(pythonRepr("\n\r\t\u0001\u007f")).toBe("'\\n\\r\\t\\x01\\x7f'");
    expect(pythonRepr(" ~é")).toBe("' ~é'");
  });
});

describe("X-Container-Read and -Write values (Swift: acl.py clean_acl)", () => {
  it("referrer designations are written .r:, with spaces and a leading * of a domain dropped", ({ expect }) => {
    expect(cleanAcl("X-Container-Read", ".ref:*.example.com, .referer : - .bad.com ,.referrer:*,.r:host")).toBe(
      ".r:.example.com,.r:-.bad.com,.r:*,.r:host",
    );
  });

  it("a referrer's leading * and the spaces after it are dropped", ({ expect }) => {
    expect(cleanAcl("X-Container-Read", ".r:* .example.com")).toBe(".r:.example.com");
  });

  it("groups, users and other designator-less items are kept as given; empty items dropped", ({ expect }) => {
    expect(cleanAcl("X-Container-Read", " test:tester , ,AUTH_test,.rlistings,a:b:c")).toBe(
      "test:tester,AUTH_test,.rlistings,a:b:c",
    );
  });

  it("a referrer in a write ACL is 400 Bad Request", ({ expect }) => {
    const error = errorOf(() => cleanAcl("X-Container-Write", ".r:*"));
    expect(error?.kind).toBe("BadRequest");
    expect(error?.message).toBe("Referrers not allowed in write ACL: '.r:*'");
    expect(error?.detailType).toBe("text/html; charset=UTF-8");
  });

  it("a referrer without a host or domain is 400 Bad Request", ({ expect }) => {
    for (const raw of [".r:", ".r:-", ".r:.", ".r: ", ".r:- ."]) {
      const error = errorOf(() => cleanAcl("X-Container-Read", raw));
      expect(error?.kind, raw).toBe("BadRequest");
      expect(error?.message, raw).toBe(`No host/domain value after referrer designation in ACL: '${raw.trim()}'`);
      expect(error?.detailType, raw).toBe("text/html; charset=UTF-8");
    }
    expect(cleanAcl("X-Container-Read", ".r:**.a")).toBe(".r:*.a");
  });

  it("an unknown designator is 400 Bad Request", ({ expect }) => {
    const error = errorOf(() => cleanAcl("X-Container-Read", ".x:y"));
    expect(error?.kind).toBe("BadRequest");
    expect(error?.message).toBe("Unknown designator '.x' in ACL: '.x:y'");
    expect(error?.detailType).toBe("text/html; charset=UTF-8");
  });
});

describe("parseAcl (Swift: acl.py parse_acl_v1)", () => {
  it("splits referrers from groups, groups percent-decoded, malformed escapes kept", ({ expect }) => {
    expect(parseAcl(".r:*,.r:-.bad.com,test%3Atester,a%ZZb,%E2%82%AC,%FF")).toEqual({
      referrers: ["*", "-.bad.com"],
      groups: ["test:tester", "a%ZZb", "€", "%FF"],
    });
    expect(parseAcl(null)).toEqual({ referrers: [], groups: [] });
    expect(parseAcl("")).toEqual({ referrers: [], groups: [] });
  });
});

describe("referrerAllowed (Swift: acl.py referrer_allowed)", () => {
  it("no referrer designation allows nothing", ({ expect }) => {
    expect(referrerAllowed("http://a.com/", [])).toBe(false);
  });

  it("* allows any referrer, also none", ({ expect }) => {
    expect(referrerAllowed(null, ["*"])).toBe(true);
    expect(referrerAllowed("http://a.com/", ["*"])).toBe(true);
  });

  it("a host allows that host; a .domain allows hosts ending in it", ({ expect }) => {
    expect(referrerAllowed("http://a.com/x", ["a.com"])).toBe(true);
    expect(referrerAllowed("http://b.com/x", ["a.com"])).toBe(false);
    expect(referrerAllowed("https://www.a.com:8080/x", [".a.com"])).toBe(true);
    expect(referrerAllowed("https://wwwa.com/", [".a.com"])).toBe(false);
    expect(referrerAllowed("https://www.a.com/", ["a.com"])).toBe(false);
  });

  it("designations apply in order: a later -host or -.domain denies again", ({ expect }) => {
    expect(referrerAllowed("http://bad.a.com/", ["*", "-bad.a.com"])).toBe(false);
    expect(referrerAllowed("http://x.bad.com/", ["*", "-.bad.com"])).toBe(false);
    expect(referrerAllowed("http://good.com/", ["*", "-.bad.com", "-bad.com"])).toBe(true);
    expect(referrerAllowed("http://bad.com/", ["-bad.com", "*"])).toBe(true);
  });

  it("a -host denies that host only; a -.domain the hosts under it", ({ expect }) => {
    expect(referrerAllowed("http://notbad.com/", ["*", "-bad.com"])).toBe(true);
    expect(referrerAllowed("http://bad.com/", ["*", "-.bad.com"])).toBe(true);
  });

  it("a referrer without // before its host has no host", ({ expect }) => {
    expect(referrerAllowed("x//b.com/", ["b.com"])).toBe(false);
    expect(referrerAllowed("http://[::1/", ["unknown"])).toBe(true);
  });

  it("the host is read as urlparse does: userinfo, port and case dropped, IPv6 unbracketed", ({ expect }) => {
    expect(referrerAllowed("http://user:pw@A.COM:80/x", ["a.com"])).toBe(true);
    expect(referrerAllowed("//a.com/x", ["a.com"])).toBe(true);
    expect(referrerAllowed("http://[::1]:80/", ["::1"])).toBe(true);
    expect(referrerAllowed("http://[::1/", ["::1"])).toBe(false);
    expect(referrerAllowed("a.com/x", ["a.com"])).toBe(false);
    expect(referrerAllowed("a.com/x", ["unknown"])).toBe(true);
    expect(referrerAllowed(null, ["unknown"])).toBe(true);
    expect(referrerAllowed("http:///x", ["unknown"])).toBe(true);
    expect(referrerAllowed("http://a.com?q", ["a.com"])).toBe(true);
    expect(referrerAllowed("http://a.com#f", ["a.com"])).toBe(true);
  });
});

describe("X-Account-Access-Control (Swift: tempauth extract_acl_and_report_errors)", () => {
  it("a valid ACL, or an empty one, has no error", ({ expect }) => {
    expect(accountAclError(`{"admin":["a"],"read-write":[],"read-only":["b","c"]}`)).toBeNull();
    expect(accountAclError("")).toBeNull();
    expect(accountAclError("{}")).toBeNull();
  });

  it("a value that is not a JSON object is 400 Syntax error", ({ expect }) => {
    for (const value of ["[", "[]", "null", "1", `"x"`]) {
      expect(accountAclError(value), value).toBe(
        `X-Account-Access-Control invalid: Syntax error in input (${pythonRepr(value)})\n\nInput: ${value}\n`,
      );
    }
  });

  it("an unknown key, a value that is not a list, or a list of non-strings is 400 naming it", ({ expect }) => {
    expect(accountAclError(`{"owner":["a"]}`)).toBe(
      `X-Account-Access-Control invalid: Key "owner" not recognized\n\nInput: {"owner":["a"]}\n`,
    );
    expect(accountAclError(`{"admin":"a"}`)).toBe(
      `X-Account-Access-Control invalid: Value for key "admin" must be a list\n\nInput: {"admin":"a"}\n`,
    );
    expect(accountAclError(`{"read-only":["a",1]}`)).toBe(
      `X-Account-Access-Control invalid: Elements of "read-only" list must be strings\n\n` +
        `Input: {"read-only":["a",1]}\n`,
    );
    expect(accountAclError(`{"é":[]}`)).toContain(`Key "\\u00e9" not recognized`);
  });

  it("the stored ACL grants its lists, strings only; an ACL granting nobody anything is none", ({ expect }) => {
    expect(parseAccountAcl(`{"admin":["a",1],"read-only":["b"]}`)).toEqual({
      admin: ["a"],
      "read-write": [],
      "read-only": ["b"],
    });
    expect(parseAccountAcl(`{"read-write":["c"]}`)).toEqual({ admin: [], "read-write": ["c"], "read-only": [] });
    expect(parseAccountAcl(`{"admin":"a"}`)).toBeNull();
    expect(parseAccountAcl(`{"admin":[]}`)).toBeNull();
    expect(parseAccountAcl("nonsense")).toBeNull();
    expect(parseAccountAcl(undefined)).toBeNull();
  });

  it("an owner sees the stored ACL as compact JSON with sorted keys; an empty one not at all", ({ expect }) => {
    expect(formatAccountAcl(`{ "read-only": ["b"], "admin": ["é", {"z": 1, "a": [2]}] }`)).toBe(
      `{"admin":["\\u00e9",{"a":[2],"z":1}],"read-only":["b"]}`,
    );
    expect(formatAccountAcl(`{"admin":[null, true, 1.5]}`)).toBe(`{"admin":[null,true,1.5]}`);
    for (const order of [
      ["read-only", "admin", "read-write"],
      ["read-write", "read-only", "admin"],
      ["admin", "read-write", "read-only"],
    ]) {
      const acl = `{${order.map((key) => `"${key}":["${key}-user"]`).join(",")}}`;
      expect(formatAccountAcl(acl), acl).toBe(
        `{"admin":["admin-user"],"read-only":["read-only-user"],"read-write":["read-write-user"]}`,
      );
    }
    expect(formatAccountAcl("{}")).toBeNull();
    expect(formatAccountAcl("")).toBeNull();
    expect(formatAccountAcl("[1]")).toBeNull();
  });
});

describe("authorize (Swift: tempauth authorize)", () => {
  type Input = Omit<TempauthInput, "groups"> & { identity: Identity | null };
  const request = (input: Partial<Input>): Input => ({
    identity: null,
    method: "GET",
    account: "AUTH_test",
    container: "c",
    object: "o",
    referer: null,
    containerAcl: null,
    accountAcl: null,
    ...input,
  });
  const verdict = (input: Partial<Input>) => {
    const { identity, ...rest } = request(input);
    return tempauthVerdict(PREFIXES, { ...rest, groups: requestGroups(PREFIXES, identity) });
  };

  it("an account outside the reseller prefix is refused to everybody", ({ expect }) => {
    expect(verdict({ identity: admin, account: "OTHER_test" })).toBe("denied");
  });

  it("the reseller admin owns every account but the bare prefix and .-accounts", ({ expect }) => {
    expect(verdict({ identity: admin })).toBe("owner");
    expect(verdict({ identity: admin, account: "AUTH_", container: null, object: null })).toBe("denied");
    expect(verdict({ identity: admin, account: "AUTH_.hidden" })).toBe("denied");
  });

  it("a .admin user owns its account but may not PUT or DELETE the account itself", ({ expect }) => {
    expect(verdict({ identity: tester })).toBe("owner");
    expect(verdict({ identity: tester, method: "POST", container: null, object: null })).toBe("owner");
    expect(verdict({ identity: tester, method: "PUT", container: null, object: null })).toBe("denied");
    expect(verdict({ identity: tester, method: "DELETE", container: null, object: null })).toBe("denied");
    expect(verdict({ identity: tester, method: "DELETE", object: null })).toBe("owner");
  });

  it("OPTIONS is allowed to anybody", ({ expect }) => {
    expect(verdict({ method: "OPTIONS" })).toBe("allowed");
  });

  it("a referrer ACL allows objects, and listings only with .rlistings", ({ expect }) => {
    expect(verdict({ containerAcl: ".r:*" })).toBe("allowed");
    expect(verdict({ containerAcl: ".r:*", object: null })).toBe("denied");
    expect(verdict({ containerAcl: ".r:*,.rlistings", object: null })).toBe("allowed");
    expect(verdict({ containerAcl: ".r:a.com", referer: "http://b.com/" })).toBe("denied");
  });

  it("a container ACL naming one of the user's groups allows the request", ({ expect }) => {
    expect(verdict({ identity: tester3, containerAcl: "test:tester3" })).toBe("allowed");
    expect(verdict({ identity: tester3, containerAcl: "test" })).toBe("allowed");
    expect(verdict({ identity: tester3, containerAcl: "test:tester" })).toBe("denied");
  });

  it("an account ACL: admin owns, read-write writes in containers, read-only reads", ({ expect }) => {
    const accountAcl = { admin: ["test2:admin"], "read-write": ["test2:rw"], "read-only": ["test2:ro"] };
    const as = (name: string) => user("test2", name);
    expect(verdict({ identity: as("admin"), accountAcl, method: "PUT", container: null, object: null })).toBe("owner");
    expect(verdict({ identity: as("rw"), accountAcl, method: "PUT" })).toBe("allowed");
    expect(verdict({ identity: as("rw"), accountAcl, method: "POST", container: null, object: null })).toBe("denied");
    expect(verdict({ identity: as("rw"), accountAcl, method: "HEAD", container: null, object: null })).toBe("allowed");
    expect(verdict({ identity: as("ro"), accountAcl, method: "GET" })).toBe("allowed");
    expect(verdict({ identity: as("ro"), accountAcl, method: "HEAD" })).toBe("allowed");
    expect(verdict({ identity: as("ro"), accountAcl, method: "PUT" })).toBe("denied");
    expect(verdict({ identity: as("other"), accountAcl })).toBe("denied");
  });
});
