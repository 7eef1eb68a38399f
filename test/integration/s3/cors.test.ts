/**
 * @module
 * Bucket CORS through the Worker: Put-, Get- and DeleteBucketCors with AWS's refusals, browsers'
 * preflights answered from the rules (as AWS answers them: origins with a wildcard, methods,
 * requested headers, the first matching rule, 400 without an Origin, 403 AccessForbidden
 * otherwise), and the CORS headers of actual requests, signed or anonymous, errors included.
 */
import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const cors = (...rules: string[]) => `<CORSConfiguration>${rules.join("")}</CORSConfiguration>`;
const corsRule = (...parts: string[]) => `<CORSRule>${parts.join("")}</CORSRule>`;
const origin = (value: string) => `<AllowedOrigin>${value}</AllowedOrigin>`;
const method = (value: string) => `<AllowedMethod>${value}</AllowedMethod>`;
const header = (value: string) => `<AllowedHeader>${value}</AllowedHeader>`;
const expose = (value: string) => `<ExposeHeader>${value}</ExposeHeader>`;
const maxAge = (seconds: number) => `<MaxAgeSeconds>${seconds}</MaxAgeSeconds>`;

/** An unsigned request (a browser's preflight, an anonymous read) through the Worker. */
async function unsigned(verb: string, path: string, headers: Record<string, string> = {}) {
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method: verb, headers }));
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function bucketWithCors(document: string, prefix = "cors"): Promise<string> {
  const bucket = bucketName(prefix);
  await s3Sent("PUT", `/${bucket}`);
  const put = await s3Sent("PUT", `/${bucket}?cors`, { body: document });
  if (put.status !== 200) throw new Error(`PutBucketCors: ${put.status} ${put.body}`);
  await s3Sent("PUT", `/${bucket}/key`, { body: "test-cors" });
  return bucket;
}

const APP = "https://localhost:4200";
const TWO_RULES = cors(
  corsRule(origin(APP), method("GET"), method("PUT"), header("x-amz-*"), header("content-type"), maxAge(3000)),
  corsRule(origin("http://*.example.com"), method("GET"), expose("ETag"), expose("x-amz-request-id")),
);

describe("Put-, Get- and DeleteBucketCors", () => {
  it("a configuration's round trip: GetBucketCors gives the rules back", async ({ expect }) => {
    const bucket = await bucketWithCors(
      cors(corsRule("<ID>first</ID>", origin(APP), method("GET"), method("HEAD"), header("X-Amz-Date"), maxAge(60))),
    );
    const got = await s3Sent("GET", `/${bucket}?cors`);
    expect(got.status).toBe(200);
    expect(xmlValue(got.body, "ID")).toBe("first");
    expect(xmlValues(got.body, "AllowedOrigin")).toEqual([APP]);
    expect(xmlValues(got.body, "AllowedMethod")).toEqual(["GET", "HEAD"]);
    expect(xmlValues(got.body, "AllowedHeader")).toEqual(["X-Amz-Date"]);
    expect(xmlValue(got.body, "MaxAgeSeconds")).toBe("60");
  });

  it("GetBucketCors without a configuration is NoSuchCORSConfiguration (404)", async ({ expect }) => {
    const bucket = bucketName("nocors");
    await s3Sent("PUT", `/${bucket}`);
    const got = await s3Sent("GET", `/${bucket}?cors`);
    expect(got.status).toBe(404);
    expect(xmlValue(got.body, "Code")).toBe("NoSuchCORSConfiguration");
    expect(xmlValue(got.body, "BucketName")).toBe(bucket);
  });

  it("DeleteBucketCors is 204 with or without a configuration, and removes it", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    expect((await s3Sent("DELETE", `/${bucket}?cors`)).status).toBe(204);
    expect((await s3Sent("GET", `/${bucket}?cors`)).status).toBe(404);
    expect((await s3Sent("DELETE", `/${bucket}?cors`)).status).toBe(204);
  });

  it("refusals: an unknown method is InvalidRequest, no rule or no origin MalformedXML; nothing stored", async ({
    expect,
  }) => {
    const bucket = bucketName("badcors");
    await s3Sent("PUT", `/${bucket}`);
    const refused: [string, string, string][] = [
      [cors(corsRule(origin("*"), method("MYMETHOD"))), "InvalidRequest", "Unsupported method is MYMETHOD"],
      [cors(), "MalformedXML", ""],
      [cors(corsRule(method("GET"))), "MalformedXML", ""],
      [cors(corsRule(origin("*"))), "MalformedXML", ""],
      [cors(corsRule(origin("http://*.*.com"), method("GET"))), "InvalidRequest", "more than one wildcard"],
      [cors(corsRule(origin("*"), method("GET"), maxAge(-1))), "MalformedXML", ""],
      ["<CORSConfiguration><CORSRule>", "MalformedXML", ""],
    ];
    for (const [body, code, message] of refused) {
      const sent = await s3Sent("PUT", `/${bucket}?cors`, { body });
      expect(sent.status, body).toBe(400);
      expect(xmlValue(sent.body, "Code"), body).toBe(code);
      expect(xmlValue(sent.body, "Message")).toContain(message);
    }
    const many = cors(...Array.from({ length: 101 }, () => corsRule(origin("*"), method("GET"))));
    expect(xmlValue((await s3Sent("PUT", `/${bucket}?cors`, { body: many })).body, "Code")).toBe("MalformedXML");
    expect((await s3Sent("GET", `/${bucket}?cors`)).status).toBe(404);
  });

  it("a Content-MD5 that does not match the document is BadDigest", async ({ expect }) => {
    const bucket = bucketName("md5cors");
    await s3Sent("PUT", `/${bucket}`);
    const sent = await s3Sent("PUT", `/${bucket}?cors`, {
      body: TWO_RULES,
      headers: { "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==" },
    });
    expect(xmlValue(sent.body, "Code")).toBe("BadDigest");
    expect((await s3Sent("GET", `/${bucket}?cors`)).status).toBe(404);
  });

  it("of a bucket the caller does not have: NoSuchBucket", async ({ expect }) => {
    const sent = await s3Sent("PUT", `/${bucketName("absent")}?cors`, { body: TWO_RULES });
    expect(sent.status).toBe(404);
    expect(xmlValue(sent.body, "Code")).toBe("NoSuchBucket");
  });

  it("Swift clients neither see nor set a bucket's CORS rules", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const head = await swift("HEAD", `/AUTH_test/${bucket}`);
    for (const name of head.headers.keys()) expect(name).not.toContain("sysmeta");
    const posted = await swift("POST", `/AUTH_test/${bucket}`, {
      headers: { "X-Container-Sysmeta-S3api-Cors": '{"v":1,"r":[]}' },
    });
    expect(posted.status).toBe(204);
    expect(xmlValues((await s3Sent("GET", `/${bucket}?cors`)).body, "AllowedOrigin")).toEqual([
      APP,
      "http://*.example.com",
    ]);
  });
});

describe("CORS preflight (OPTIONS) of a bucket with rules", () => {
  it("a matching origin and method: 200 with the rule's Access-Control headers and credentials", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const sent = await unsigned("OPTIONS", `/${bucket}/key`, {
      Origin: APP,
      "Access-Control-Request-Method": "PUT",
      "Access-Control-Request-Headers": "X-Amz-Date, Content-Type",
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toBe("");
    expect(sent.headers.get("access-control-allow-origin")).toBe(APP);
    expect(sent.headers.get("access-control-allow-credentials")).toBe("true");
    expect(sent.headers.get("access-control-allow-methods")).toBe("GET, PUT");
    expect(sent.headers.get("access-control-allow-headers")).toBe("x-amz-date, content-type");
    expect(sent.headers.get("access-control-max-age")).toBe("3000");
    expect(sent.headers.get("vary")).toBe("Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    expect(sent.headers.get("x-amz-request-id")).toBeTruthy();
  });

  it("an origin pattern with a wildcard matches any run of characters; the first matching rule answers", async ({
    expect,
  }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const sent = await unsigned("OPTIONS", `/${bucket}/key`, {
      Origin: "http://app.test.example.com",
      "Access-Control-Request-Method": "GET",
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("access-control-allow-origin")).toBe("http://app.test.example.com");
    expect(sent.headers.get("access-control-allow-methods")).toBe("GET");
    expect(sent.headers.get("access-control-expose-headers")).toBe("ETag, x-amz-request-id");
    expect(sent.headers.get("access-control-max-age")).toBeNull();
  });

  it("a rule allowing any origin (`*`) answers `*` and no credentials", async ({ expect }) => {
    const bucket = await bucketWithCors(cors(corsRule(origin("*"), method("GET"))));
    const sent = await unsigned("OPTIONS", `/${bucket}`, {
      Origin: "https://anywhere.test",
      "Access-Control-Request-Method": "GET",
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get("access-control-allow-origin")).toBe("*");
    expect(sent.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("no matching origin, method or header: 403 AccessForbidden naming the method and resource type", async ({
    expect,
  }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const cases: [Record<string, string>, string][] = [
      [{ Origin: "https://evil.test", "Access-Control-Request-Method": "GET" }, "GET"],
      [{ Origin: APP, "Access-Control-Request-Method": "DELETE" }, "DELETE"],
      [
        { Origin: APP, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
        "GET",
      ],
      [{ Origin: "http://example.com", "Access-Control-Request-Method": "GET" }, "GET"],
    ];
    for (const [headers, asked] of cases) {
      const sent = await unsigned("OPTIONS", `/${bucket}/key`, headers);
      expect(sent.status, JSON.stringify(headers)).toBe(403);
      expect(xmlValue(sent.body, "Code")).toBe("AccessForbidden");
      expect(xmlValue(sent.body, "Message")).toContain("This CORS request is not allowed");
      expect(xmlValue(sent.body, "Method")).toBe(asked);
      expect(xmlValue(sent.body, "ResourceType")).toBe("OBJECT");
      expect(sent.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("without an Origin: 400 BadRequest, whatever the bucket", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    for (const path of [`/${bucket}/key`, `/${bucketName("unknown")}`]) {
      const sent = await unsigned("OPTIONS", path, { "Access-Control-Request-Method": "GET" });
      expect(sent.status).toBe(400);
      expect(xmlValue(sent.body, "Code")).toBe("BadRequest");
      expect(xmlValue(sent.body, "Message")).toBe("Insufficient information. Origin request header needed.");
    }
  });

  it("a bucket without rules, or no bucket of that name: 403 AccessForbidden", async ({ expect }) => {
    const plain = bucketName("plain");
    await s3Sent("PUT", `/${plain}`);
    const none = await unsigned("OPTIONS", `/${plain}/key`, { Origin: APP, "Access-Control-Request-Method": "PUT" });
    expect(none.status).toBe(403);
    expect(xmlValue(none.body, "Message")).toBe("CORSResponse: CORS is not enabled for this bucket.");
    expect(xmlValue(none.body, "ResourceType")).toBe("BUCKET");
    const absent = await unsigned("OPTIONS", `/${bucketName("absent")}`, { Origin: APP });
    expect(absent.status).toBe(403);
    expect(xmlValue(absent.body, "Message")).toBe("CORSResponse: Bucket not found");
    expect(xmlValue(absent.body, "Method")).toBe("OPTIONS");
  });

  it("rules deleted: preflights are refused again", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    await s3Sent("DELETE", `/${bucket}?cors`);
    // The isolate's container info is invalidated by its own write.
    const sent = await unsigned("OPTIONS", `/${bucket}/key`, { Origin: APP, "Access-Control-Request-Method": "GET" });
    expect(sent.status).toBe(403);
  });

  it("Swift's own OPTIONS (/v1/…) is still Swift's", async ({ expect }) => {
    const sent = await unsigned("OPTIONS", "/v1/AUTH_test/any/key", { Origin: APP });
    expect(sent.headers.get("x-amz-request-id")).toBeNull();
    expect(sent.headers.get("allow")).toContain("GET");
  });
});

describe("CORS headers on actual requests", () => {
  it("a signed request with an allowed Origin gets the rule's headers; an unknown origin none", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const allowed = await s3Sent("GET", `/${bucket}/key`, { headers: { Origin: APP } });
    expect(allowed.body).toBe("test-cors");
    expect(allowed.headers.get("access-control-allow-origin")).toBe(APP);
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    expect(allowed.headers.get("access-control-allow-methods")).toBe("GET, PUT");
    expect(allowed.headers.get("vary")).toBe("Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    const other = await s3Sent("GET", `/${bucket}/key`, { headers: { Origin: "https://evil.test" } });
    expect(other.body).toBe("test-cors");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const plain = await s3Sent("GET", `/${bucket}/key`);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a method no rule allows for the origin gets no CORS headers", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const sent = await s3Sent("DELETE", `/${bucket}/key`, { headers: { Origin: APP } });
    expect(sent.status).toBe(204);
    expect(sent.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("an error answer carries them too (NoSuchKey to an allowed origin)", async ({ expect }) => {
    const bucket = await bucketWithCors(TWO_RULES);
    const sent = await s3Sent("GET", `/${bucket}/missing`, { headers: { Origin: APP } });
    expect(sent.status).toBe(404);
    expect(xmlValue(sent.body, "Code")).toBe("NoSuchKey");
    expect(sent.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("an anonymous read of a public bucket with rules gets them", async ({ expect }) => {
    const bucket = bucketName("pubcors");
    await s3Sent("PUT", `/${bucket}`, { headers: { "x-amz-acl": "public-read" } });
    await s3Sent("PUT", `/${bucket}?cors`, { body: cors(corsRule(origin("*"), method("GET"))) });
    await s3Sent("PUT", `/${bucket}/page.html`, { body: "<p>hi</p>" });
    const sent = await unsigned("GET", `/${bucket}/page.html`, { Origin: "https://site.test" });
    expect(sent.status).toBe(200);
    expect(sent.body).toBe("<p>hi</p>");
    expect(sent.headers.get("access-control-allow-origin")).toBe("*");
  });
});
