import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { BASE, bucketName, s3Sent, signed, xmlValue } from "./helpers";

const bucket = bucketName("auth");

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
  await s3Sent("PUT", `/${bucket}/k`, { body: "secret body" });
});

/** An x-amz-date `minutes` from now: `20261205T061500Z`. */
function amzDate(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

async function sent(request: Request): Promise<{ status: number; body: string }> {
  const response = await exports.default.fetch(request);
  return { status: response.status, body: await response.text() };
}

describe("S3 authentication", () => {
  it("an unknown access key is InvalidAccessKeyId (403)", async ({ expect }) => {
    const refused = await s3Sent("GET", `/${bucket}/k`, { user: ["nobody:none", "whatever"] });
    expect(refused.status).toBe(403);
    expect(xmlValue(refused.body, "Code")).toBe("InvalidAccessKeyId");
  });

  it("a wrong secret is SignatureDoesNotMatch (403) and reads nothing", async ({ expect }) => {
    const refused = await s3Sent("GET", `/${bucket}/k`, { user: ["test:tester", "wrong"] });
    expect(refused.status).toBe(403);
    expect(xmlValue(refused.body, "Code")).toBe("SignatureDoesNotMatch");
    expect(refused.body).not.toContain("secret body");
  });

  it("a request changed after signing (another key) is SignatureDoesNotMatch", async ({ expect }) => {
    const request = await signed("GET", `/${bucket}/k`);
    const tampered = new Request(request.url.replace("/k", "/other"), request);
    const refused = await sent(tampered);
    expect(refused.status).toBe(403);
    expect(xmlValue(refused.body, "Code")).toBe("SignatureDoesNotMatch");
  });

  it("a SignedHeaders naming a header no request can have (a tab in it) is SignatureDoesNotMatch (403), not a 500", async ({
    expect,
  }) => {
    const request = await signed("GET", `/${bucket}/k`);
    const authorization = (request.headers.get("authorization") ?? "").replace("x-amz-date", "x-amz-da\te");
    const headers = new Headers(request.headers);
    headers.set("authorization", authorization);
    const refused = await sent(new Request(request.url, { headers }));
    expect(refused.status).toBe(403);
    expect(xmlValue(refused.body, "Code")).toBe("SignatureDoesNotMatch");
  });

  it("a signature more than 15 minutes from the server's clock is RequestTimeTooSkewed", async ({ expect }) => {
    for (const minutes of [-20, 20]) {
      const refused = await s3Sent("GET", `/${bucket}/k`, { datetime: amzDate(minutes) });
      expect(refused.status, String(minutes)).toBe(403);
      expect(xmlValue(refused.body, "Code"), String(minutes)).toBe("RequestTimeTooSkewed");
    }
    expect((await s3Sent("GET", `/${bucket}/k`, { datetime: amzDate(-10) })).status).toBe(200);
  });

  it("a presigned URL reads the object without headers; once expired it is AccessDenied", async ({ expect }) => {
    const url = (await signed("GET", `/${bucket}/k`, { presign: true, expiresSeconds: 60 })).url;
    const plain = await exports.default.fetch(url);
    expect(await plain.text()).toBe("secret body");
    expect(plain.status).toBe(200);
    const old = (await signed("GET", `/${bucket}/k`, { presign: true, expiresSeconds: 60, datetime: amzDate(-5) })).url;
    const expired = await exports.default.fetch(old);
    const body = await expired.text();
    expect(expired.status).toBe(403);
    expect(xmlValue(body, "Code")).toBe("AccessDenied");
    expect(xmlValue(body, "Message")).toBe("Request has expired");
  });

  it("a presigned URL for one key does not read another", async ({ expect }) => {
    const url = (await signed("GET", `/${bucket}/k`, { presign: true, expiresSeconds: 60 })).url;
    const other = await exports.default.fetch(url.replace(`/${bucket}/k?`, `/${bucket}/j?`));
    const body = await other.text();
    expect(other.status).toBe(403);
    expect(xmlValue(body, "Code")).toBe("SignatureDoesNotMatch");
  });

  it("the same user's rights apply: test:tester3 (no .admin) is AccessDenied reading test's bucket", async ({
    expect,
  }) => {
    const refused = await s3Sent("GET", `/${bucket}/k`, { user: ["test:tester3", "testing3"] });
    expect(refused.status).toBe(403);
    expect(xmlValue(refused.body, "Code")).toBe("AccessDenied");
    const acl = await swift("POST", `/AUTH_test/${bucket}`, { headers: { "X-Container-Read": "test:tester3" } });
    await text(acl);
    expect((await s3Sent("GET", `/${bucket}/k`, { user: ["test:tester3", "testing3"] })).body).toBe("secret body");
  });

  it("a request without S3 authentication to a private bucket is S3's AccessDenied (an anonymous request)", async ({
    expect,
  }) => {
    const response = await exports.default.fetch(`${BASE}/${bucket}/k`);
    expect(response.status).toBe(403);
    expect(xmlValue(await response.text(), "Code")).toBe("AccessDenied");
    expect(response.headers.get("x-amz-request-id")).toBeTruthy();
  });
});

async function v2Signature(secret: string, stringToSign: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(stringToSign)));
  return btoa(String.fromCharCode(...mac));
}

describe("S3 signature version 2 (older tools)", () => {
  it("an Authorization: AWS key:signature header reads the object; a wrong one is SignatureDoesNotMatch", async ({
    expect,
  }) => {
    const date = new Date().toUTCString();
    const signature = await v2Signature("testing", `GET\n\n\n${date}\n/${bucket}/k`);
    const good = await exports.default.fetch(`${BASE}/${bucket}/k`, {
      headers: { date, authorization: `AWS test:tester:${signature}` },
    });
    expect(await good.text()).toBe("secret body");
    const bad = await exports.default.fetch(`${BASE}/${bucket}/k`, {
      headers: {
        date,
        authorization: `AWS test:tester:${await v2Signature("wrong", `GET\n\n\n${date}\n/${bucket}/k`)}`,
      },
    });
    const body = await bad.text();
    expect(bad.status).toBe(403);
    expect(xmlValue(body, "Code")).toBe("SignatureDoesNotMatch");
  });

  it("a V2 presigned URL (AWSAccessKeyId, Expires, Signature) reads until it expires", async ({ expect }) => {
    const url = async (expires: number) => {
      const signature = await v2Signature("testing", `GET\n\n\n${expires}\n/${bucket}/k`);
      const query = `AWSAccessKeyId=test%3Atester&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
      return `${BASE}/${bucket}/k?${query}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const good = await exports.default.fetch(await url(now + 60));
    expect(await good.text()).toBe("secret body");
    const expired = await exports.default.fetch(await url(now - 60));
    const body = await expired.text();
    expect(expired.status).toBe(403);
    expect(xmlValue(body, "Code")).toBe("AccessDenied");
  });
});

describe("S3 signatures over headers the runtime rewrites", () => {
  it("a signed Accept-Encoding: gzip still verifies when the runtime hands it on as br, gzip (rclone)", async ({
    expect,
  }) => {
    const request = await signed("GET", `/${bucket}/k`, { headers: { "accept-encoding": "gzip" } });
    const headers = new Headers(request.headers);
    headers.set("accept-encoding", "br, gzip");
    const response = await exports.default.fetch(new Request(request.url, { headers }));
    expect(await response.text()).toBe("secret body");
    expect(response.status).toBe(200);
  });
});

describe("S3 ETags of large objects made through Swift", () => {
  it("an SLO uploaded with the Swift API shows its ETag with -N, in HEAD and in listings (s3api)", async ({
    expect,
  }) => {
    const segment = await swift("PUT", `/AUTH_test/${bucket}/seg1`, { body: "segment one" });
    await text(segment);
    const manifest = JSON.stringify([{ path: `/${bucket}/seg1` }]);
    const put = await swift("PUT", `/AUTH_test/${bucket}/slo?multipart-manifest=put`, { body: manifest });
    await text(put);
    expect(put.status).toBe(201);
    const head = await s3Sent("HEAD", `/${bucket}/slo`);
    expect(head.headers.get("etag")).toMatch(/^"[0-9a-f]{32}-N"$/);
    const listed = await s3Sent("GET", `/${bucket}?prefix=slo`);
    expect(`"${xmlValue(listed.body, "ETag")?.replaceAll('"', "")}"`).toBe(head.headers.get("etag"));
  });
});
