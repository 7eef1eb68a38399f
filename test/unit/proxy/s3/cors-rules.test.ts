/**
 * @module
 * Bucket CORS rules (src/proxy/s3/cors-rules.ts), pure: a CORSConfiguration checked as AWS
 * checks it, its stored form read back, the first rule matching an origin, a method and requested
 * headers, and a preflight's headers or AWS's refusal for each case.
 */
import { describe, it } from "vitest";
import {
  type CorsRule,
  decodeCors,
  parseCors,
  preflightHeaders,
  ruleFor,
  ruleHeaders,
  SYSMETA_CORS,
} from "../../../../src/proxy/s3/cors-rules";
import { S3Error } from "../../../../src/proxy/s3/errors";
import { encodeDocument } from "../../../../src/proxy/s3/sysmeta-document";
import { thrownS3Error } from "./thrown";

const doc = (...rules: string[]) => `<CORSConfiguration>${rules.join("")}</CORSConfiguration>`;
const rule = (...parts: string[]) => `<CORSRule>${parts.join("")}</CORSRule>`;
const tag = (name: string) => (value: string | number) => `<${name}>${value}</${name}>`;
const origin = tag("AllowedOrigin");
const method = tag("AllowedMethod");
const header = tag("AllowedHeader");
const expose = tag("ExposeHeader");

/** The S3Error parseCors throws for a document (fails when it accepts it). */
function refusal(text: string): { code: string; message: string } {
  const { code, message } = thrownS3Error(() => parseCors(text));
  return { code, message };
}

const base: CorsRule = { id: null, origins: [], methods: [], headers: [], expose: [], maxAge: null };
const rules = (...partial: Partial<CorsRule>[]): CorsRule[] => partial.map((part) => ({ ...base, ...part }));

describe("parseCors", () => {
  it("reads every element of every rule, in order, lists kept as lists", ({ expect }) => {
    const parsed = parseCors(
      doc(
        rule(
          tag("ID")("first"),
          origin("https://a.test"),
          origin("https://b.test"),
          method("GET"),
          method("PUT"),
          header("x-amz-*"),
          expose("ETag"),
          expose("x-amz-request-id"),
          tag("MaxAgeSeconds")(" 3000 "),
        ),
        rule(origin("*"), method("HEAD")),
      ),
    );
    expect(parsed).toEqual([
      {
        id: "first",
        origins: ["https://a.test", "https://b.test"],
        methods: ["GET", "PUT"],
        headers: ["x-amz-*"],
        expose: ["ETag", "x-amz-request-id"],
        maxAge: 3000,
      },
      { id: null, origins: ["*"], methods: ["HEAD"], headers: [], expose: [], maxAge: null },
    ]);
  });

  it("an empty AllowedOrigin is kept as the empty string, as AWS keeps it", ({ expect }) => {
    expect(parseCors(doc(rule("<AllowedOrigin></AllowedOrigin>", method("GET"))))[0]?.origins).toEqual([""]);
  });

  it("takes every method AWS allows and refuses any other with AWS's words", ({ expect }) => {
    for (const verb of ["GET", "PUT", "HEAD", "POST", "DELETE"])
      expect(parseCors(doc(rule(origin("*"), method(verb))))[0]?.methods).toEqual([verb]);
    expect(refusal(doc(rule(origin("*"), method("GET"), method("PATCH"))))).toEqual({
      code: "InvalidRequest",
      message: "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
    });
    expect(refusal(doc(rule(origin("*"), method("get")))).code).toBe("InvalidRequest");
  });

  it("no rule, more than 100, a rule without origin or method are MalformedXML; 100 are taken", ({ expect }) => {
    const one = rule(origin("*"), method("GET"));
    expect(parseCors(doc(...Array.from({ length: 100 }, () => one)))).toHaveLength(100);
    expect(refusal(doc(...Array.from({ length: 101 }, () => one))).code).toBe("MalformedXML");
    expect(refusal(doc()).code).toBe("MalformedXML");
    expect(refusal(doc(rule(method("GET")))).code).toBe("MalformedXML");
    expect(refusal(doc(rule(origin("*")))).code).toBe("MalformedXML");
    expect(refusal(doc("<CORSRule>text</CORSRule>")).code).toBe("MalformedXML");
    expect(refusal(doc(rule("<AllowedOrigin><b>x</b></AllowedOrigin>", method("GET")))).code).toBe("MalformedXML");
  });

  it("one wildcard at most in an origin or a header", ({ expect }) => {
    expect(parseCors(doc(rule(origin("http://*.a.test"), method("GET"), header("x-*"))))).toHaveLength(1);
    expect(refusal(doc(rule(origin("http://*.*.test"), method("GET"))))).toEqual({
      code: "InvalidRequest",
      message: 'AllowedOrigin "http://*.*.test" can not have more than one wildcard.',
    });
    expect(refusal(doc(rule(origin("*"), method("GET"), header("**"))))).toEqual({
      code: "InvalidRequest",
      message: 'AllowedHeader "**" can not have more than one wildcard.',
    });
  });

  it("MaxAgeSeconds must be a whole number; an ID at most 255 characters", ({ expect }) => {
    for (const age of ["-1", "1.5", "soon", "", "1234567890"])
      expect(refusal(doc(rule(origin("*"), method("GET"), tag("MaxAgeSeconds")(age)))).code, age).toBe("MalformedXML");
    expect(parseCors(doc(rule(origin("*"), method("GET"), tag("MaxAgeSeconds")("0"))))[0]?.maxAge).toBe(0);
    expect(parseCors(doc(rule(tag("ID")("i".repeat(255)), origin("*"), method("GET"))))[0]?.id).toHaveLength(255);
    expect(refusal(doc(rule(tag("ID")("i".repeat(256)), origin("*"), method("GET"))))).toEqual({
      code: "InvalidArgument",
      message: "The ID is too long.",
    });
  });
});

describe("decodeCors", () => {
  it("reads back what encodeDocument stored; nothing stored is null; another form throws", ({ expect }) => {
    const stored = rules({ origins: ["*"], methods: ["GET"], maxAge: 5 });
    const headers = encodeDocument(SYSMETA_CORS, { v: 1, r: stored }) ?? new Headers();
    expect(decodeCors(headers)).toEqual(stored);
    expect(decodeCors(new Headers())).toBeNull();
    expect(() => decodeCors(new Headers({ [SYSMETA_CORS]: '{"v":2,"r":[]}' }))).toThrow("unreadable");
    expect(() => decodeCors(new Headers({ [SYSMETA_CORS]: '{"v":1}' }))).toThrow("unreadable");
  });
});

describe("ruleFor", () => {
  const set = rules(
    { origins: ["https://app.test"], methods: ["GET"], headers: ["X-Amz-*", "content-type"] },
    { origins: ["http://*.example.com"], methods: ["GET", "PUT"] },
    { origins: ["*"], methods: ["DELETE"] },
  );

  it("the first rule whose origin, method and every requested header match", ({ expect }) => {
    expect(ruleFor(set, "https://app.test", "GET", ["x-amz-date", "content-type"])).toEqual({
      rule: set[0],
      anyOrigin: false,
    });
    expect(ruleFor(set, "http://a.example.com", "PUT")?.rule).toBe(set[1]);
    expect(ruleFor(set, "https://other.test", "DELETE")).toEqual({ rule: set[2], anyOrigin: true });
  });

  it("a header the rule does not allow, a method or an origin it does not name: the next rule or none", ({
    expect,
  }) => {
    expect(ruleFor(set, "https://app.test", "GET", ["authorization"])).toBeNull();
    expect(ruleFor(set, "https://app.test", "PUT")).toBeNull();
    expect(ruleFor(set, "https://app.test.evil", "GET")).toBeNull();
    expect(ruleFor(set, "https://app.test", "DELETE")?.rule).toBe(set[2]);
  });

  it("a wildcard matches any run of characters, the empty one too; the rest must match exactly", ({ expect }) => {
    const prefix = rules({ origins: ["http://*.example.com"], methods: ["GET"] });
    expect(ruleFor(prefix, "http://.example.com", "GET")).not.toBeNull();
    expect(ruleFor(prefix, "http://a.b.example.com", "GET")).not.toBeNull();
    expect(ruleFor(prefix, "https://a.example.com", "GET")).toBeNull();
    expect(ruleFor(prefix, "http://a.example.com.evil", "GET")).toBeNull();
    expect(ruleFor(prefix, "http://example.com", "GET")).toBeNull();
    const overlap = rules({ origins: ["ab*ba"], methods: ["GET"] });
    expect(ruleFor(overlap, "aba", "GET")).toBeNull();
    expect(ruleFor(overlap, "abba", "GET")).not.toBeNull();
    const exact = rules({ origins: ["https://app.test"], methods: ["GET"] });
    expect(ruleFor(exact, "https://app.tes", "GET")).toBeNull();
  });

  it("an origin matched by a pattern other than `*` is not any origin", ({ expect }) => {
    expect(ruleFor(rules({ origins: ["https://*"], methods: ["GET"] }), "https://x", "GET")?.anyOrigin).toBe(false);
  });
});

describe("ruleHeaders", () => {
  it("a named origin: itself with credentials, the methods, exposed headers, max age and Vary", ({ expect }) => {
    const matched = {
      rule: { ...base, methods: ["GET", "PUT"], expose: ["ETag", "x-a"], maxAge: 0 },
      anyOrigin: false,
    };
    expect(Object.fromEntries(ruleHeaders(matched, "https://app.test"))).toEqual({
      "access-control-allow-origin": "https://app.test",
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET, PUT",
      "access-control-expose-headers": "ETag, x-a",
      "access-control-max-age": "0",
      vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    });
  });

  it("any origin: `*`, no credentials; no exposed headers or max age when the rule has none", ({ expect }) => {
    const headers = ruleHeaders({ rule: { ...base, methods: ["GET"] }, anyOrigin: true }, "https://x.test");
    expect(headers.get("access-control-allow-origin")).toBe("*");
    expect(headers.has("access-control-allow-credentials")).toBe(false);
    expect(headers.has("access-control-expose-headers")).toBe(false);
    expect(headers.has("access-control-max-age")).toBe(false);
  });
});

describe("preflightHeaders", () => {
  const set = rules({ origins: ["https://app.test"], methods: ["PUT"], headers: ["*"] });
  /** A preflight's answer; `found` as preflightHeaders takes it (undefined: no bucket, given explicitly). */
  const ask = (headers: Record<string, string>, found: CorsRule[] | null | undefined, type = "OBJECT") => {
    try {
      return { headers: Object.fromEntries(preflightHeaders(new Headers(headers), found, type as "OBJECT")) };
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      return { code: error.code, message: error.message, fields: error.fields };
    }
  };

  it("a match: the rule's headers, the requested headers lower-case and trimmed, no body", ({ expect }) => {
    const answer = ask(
      {
        Origin: "https://app.test",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": " Content-Type ,X-Amz-Date,, ",
      },
      set,
    );
    expect(answer.headers).toMatchObject({
      "access-control-allow-origin": "https://app.test",
      "access-control-allow-headers": "content-type, x-amz-date",
      "content-length": "0",
    });
    const plain = ask({ Origin: "https://app.test", "Access-Control-Request-Method": "PUT" }, set);
    expect(plain.headers?.["access-control-allow-headers"]).toBeUndefined();
  });

  it("without an Origin: BadRequest, before anything else", ({ expect }) => {
    for (const found of [set, null, undefined])
      expect(ask({ "Access-Control-Request-Method": "PUT" }, found)).toEqual({
        code: "BadRequest",
        message: "Insufficient information. Origin request header needed.",
        fields: {},
      });
  });

  it("no bucket, no rules, no match: AccessForbidden naming the method asked (OPTIONS when none)", ({ expect }) => {
    expect(ask({ Origin: "https://app.test", "Access-Control-Request-Method": "PUT" }, undefined)).toEqual({
      code: "AccessForbidden",
      message: "CORSResponse: Bucket not found",
      fields: { Method: "PUT", ResourceType: "BUCKET" },
    });
    expect(ask({ Origin: "https://app.test" }, null)).toEqual({
      code: "AccessForbidden",
      message: "CORSResponse: CORS is not enabled for this bucket.",
      fields: { Method: "OPTIONS", ResourceType: "BUCKET" },
    });
    const refused = ask({ Origin: "https://app.test", "Access-Control-Request-Method": "GET" }, set, "OBJECT");
    expect(refused.code).toBe("AccessForbidden");
    expect(refused.message).toContain("This CORS request is not allowed");
    expect(refused.fields).toEqual({ Method: "GET", ResourceType: "OBJECT" });
    expect(ask({ Origin: "https://app.test" }, set, "BUCKET").fields).toEqual({
      Method: "OPTIONS",
      ResourceType: "BUCKET",
    });
  });
});
