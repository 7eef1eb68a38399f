import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { BASE, bucketName, s3, s3Sent, xmlValue as rawXmlValue } from "./helpers";

const bucket = bucketName("post");
const TESTER: [string, string] = ["test:tester", "testing"];
const encoder = new TextEncoder();

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
});

async function hmac(hash: "SHA-1" | "SHA-256", key: Uint8Array | string, message: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

/** An element's text, its character references (`&#34;`) read. */
function xmlValue(body: string, name: string): string | null {
  return rawXmlValue(body, name)?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))) ?? null;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** SigV4's signature of a POST policy: HMAC-SHA256 with the key chained from the secret. */
async function v4Signature(secret: string, date: string, policy: string): Promise<string> {
  let key = encoder.encode(`AWS4${secret}`);
  for (const part of [date, "us-east-1", "s3", "aws4_request"]) key = await hmac("SHA-256", key, part);
  return hex(await hmac("SHA-256", key, policy));
}

interface Upload {
  version?: "v4" | "v2";
  user?: [string, string];
  key?: string;
  /** The policy's expiration; an hour from now by default. */
  expiration?: string;
  /** Fields sent before the file, each named by an eq condition unless listed in `unlisted`. */
  fields?: Record<string, string>;
  unlisted?: string[];
  /** Conditions besides those made for the fields. */
  conditions?: unknown[];
  /** The key's condition; `["starts-with", "$key", ""]` by default. */
  keyCondition?: unknown;
  file?: string | Uint8Array;
  filename?: string;
  fileType?: string;
  /** A signature sent instead of the right one. */
  signature?: string;
}

/** The form a browser sends: the fields, the policy and its signature, then the file. */
async function formOf(upload: Upload): Promise<FormData> {
  const [accessKey, secret] = upload.user ?? TESTER;
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const fields: Record<string, string> = { key: upload.key ?? "uploads/${filename}", ...upload.fields };
  const auth: Record<string, string> =
    upload.version === "v2"
      ? {}
      : {
          "x-amz-algorithm": "AWS4-HMAC-SHA256",
          "x-amz-credential": `${accessKey}/${date}/us-east-1/s3/aws4_request`,
          "x-amz-date": amzDate,
        };
  const unlisted = new Set(["key", ...(upload.unlisted ?? [])]);
  const conditions = [
    { bucket },
    upload.keyCondition ?? ["starts-with", "$key", ""],
    ...Object.entries({ ...fields, ...auth })
      .filter(([name]) => !unlisted.has(name))
      .map(([name, value]) => ({ [name]: value })),
    ...(upload.conditions ?? []),
  ];
  const expiration = upload.expiration ?? new Date(Date.now() + 3600_000).toISOString();
  const policy = btoa(JSON.stringify({ expiration, conditions }));
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (upload.version === "v2") {
    form.append("AWSAccessKeyId", accessKey);
    form.append("policy", policy);
    form.append("signature", upload.signature ?? base64(await hmac("SHA-1", secret, policy)));
  } else {
    for (const [name, value] of Object.entries(auth)) form.append(name, value);
    form.append("policy", policy);
    form.append("x-amz-signature", upload.signature ?? (await v4Signature(secret, date, policy)));
  }
  const type = upload.fileType === undefined ? {} : { type: upload.fileType };
  form.append("file", new Blob([upload.file ?? "hello, form"], type), upload.filename ?? "hello.txt");
  return form;
}

/** POSTs the form to the bucket as a browser would: no Authorization, a 303 not followed. */
async function post(upload: Upload, path = `/${bucket}`): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await exports.default.fetch(`${BASE}${path}`, {
    method: "POST",
    body: await formOf(upload),
    redirect: "manual",
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function stored(key: string): Promise<number> {
  return (await s3Sent("HEAD", `/${bucket}/${key}`)).status;
}

describe("S3 POST uploads", () => {
  it("a SigV4-signed form stores its file under the key, ${filename} replaced; 204 by default", async ({ expect }) => {
    const sent = await post({ key: "v4/${filename}", filename: "a.txt", file: "signed with v4" });
    expect(sent.status).toBe(204);
    expect(sent.body).toBe("");
    expect(sent.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(sent.headers.get("location")).toBe(`${BASE}/${bucket}/v4/a.txt`);
    const got = await s3Sent("GET", `/${bucket}/v4/a.txt`);
    expect(got.status).toBe(200);
    expect(got.body).toBe("signed with v4");
    expect(got.headers.get("etag")).toBe(sent.headers.get("etag"));
  });

  it("a SigV2-signed form (AWSAccessKeyId, signature) stores its file", async ({ expect }) => {
    const sent = await post({ version: "v2", key: "v2/object", file: "signed with v2" });
    expect(sent.status).toBe(204);
    const got = await s3Sent("GET", `/${bucket}/v2/object`);
    expect(got.body).toBe("signed with v2");
  });

  it("a file of several MiB streams into its object byte for byte", async ({ expect }) => {
    const file = new Uint8Array(3 * 1024 * 1024 + 123).map((_, i) => (i * 31) % 251);
    const sent = await post({ key: "big.bin", file, conditions: [["content-length-range", 1, 4 * 1024 * 1024]] });
    expect(sent.status).toBe(204);
    const read = await swift("GET", `/AUTH_test/${bucket}/big.bin`);
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(file);
  });

  it("metadata fields and Content-Type are stored with the object", async ({ expect }) => {
    const sent = await post({
      key: "meta.txt",
      fields: { "Content-Type": "text/x-form", "x-amz-meta-color": "blue", "Cache-Control": "max-age=5" },
    });
    expect(sent.status).toBe(204);
    const got = await s3Sent("GET", `/${bucket}/meta.txt`);
    expect(got.headers.get("content-type")).toBe("text/x-form");
    expect(got.headers.get("x-amz-meta-color")).toBe("blue");
    expect(got.headers.get("cache-control")).toBe("max-age=5");
  });

  it("without a Content-Type field the file part's type is the object's", async ({ expect }) => {
    expect((await post({ key: "typed.csv", fileType: "text/csv" })).status).toBe(204);
    expect((await s3Sent("HEAD", `/${bucket}/typed.csv`)).headers.get("content-type")).toBe("text/csv");
  });

  it("success_action_status 201 answers the PostResponse document; 200 an empty 200", async ({ expect }) => {
    const created = await post({
      key: "created/${filename}",
      filename: "c.txt",
      fields: { success_action_status: "201" },
    });
    expect(created.status).toBe(201);
    expect(xmlValue(created.body, "Location")).toBe(`${BASE}/${bucket}/created/c.txt`);
    expect(xmlValue(created.body, "Bucket")).toBe(bucket);
    expect(xmlValue(created.body, "Key")).toBe("created/c.txt");
    expect(xmlValue(created.body, "ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(created.body).toContain("<PostResponse");
    const ok = await post({ key: "ok.txt", fields: { success_action_status: "200" } });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe("");
  });

  it("success_action_redirect answers 303 to it with bucket, key and etag", async ({ expect }) => {
    const sent = await post({
      key: "redirected.txt",
      fields: { success_action_redirect: "https://app.example.org/done?from=form" },
    });
    expect(sent.status).toBe(303);
    const location = new URL(sent.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("https://app.example.org/done");
    expect(location.searchParams.get("from")).toBe("form");
    expect(location.searchParams.get("bucket")).toBe(bucket);
    expect(location.searchParams.get("key")).toBe("redirected.txt");
    expect(location.searchParams.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await stored("redirected.txt")).toBe(200);
  });

  it("an expired policy is AccessDenied and stores nothing", async ({ expect }) => {
    const sent = await post({ key: "expired.txt", expiration: new Date(Date.now() - 60_000).toISOString() });
    expect(sent.status).toBe(403);
    expect(xmlValue(sent.body, "Code")).toBe("AccessDenied");
    expect(xmlValue(sent.body, "Message")).toBe("Invalid according to Policy: Policy expired.");
    expect(await stored("expired.txt")).toBe(404);
  });

  it("a wrong signature is SignatureDoesNotMatch (V4 and V2) and stores nothing", async ({ expect }) => {
    const v4 = await post({ key: "badsig.txt", signature: "0".repeat(64) });
    expect(v4.status).toBe(403);
    expect(xmlValue(v4.body, "Code")).toBe("SignatureDoesNotMatch");
    const v2 = await post({ version: "v2", key: "badsig.txt", signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" });
    expect(v2.status).toBe(403);
    expect(xmlValue(v2.body, "Code")).toBe("SignatureDoesNotMatch");
    const otherSecret = await post({ key: "badsig.txt", user: ["test:tester", "not-the-key"] });
    expect(xmlValue(otherSecret.body, "Code")).toBe("SignatureDoesNotMatch");
    expect(await stored("badsig.txt")).toBe(404);
  });

  it("an unknown access key is InvalidAccessKeyId and stores nothing", async ({ expect }) => {
    const sent = await post({ key: "unknown.txt", user: ["nobody:none", "secret"] });
    expect(sent.status).toBe(403);
    expect(xmlValue(sent.body, "Code")).toBe("InvalidAccessKeyId");
    expect(await stored("unknown.txt")).toBe(404);
  });

  it("a key outside the policy's starts-with is AccessDenied naming the condition; nothing stored", async ({
    expect,
  }) => {
    const sent = await post({ key: "elsewhere/x.txt", keyCondition: ["starts-with", "$key", "user/alice/"] });
    expect(sent.status).toBe(403);
    expect(xmlValue(sent.body, "Code")).toBe("AccessDenied");
    expect(xmlValue(sent.body, "Message")).toBe(
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/alice/"]',
    );
    expect(await stored("elsewhere/x.txt")).toBe(404);
    const eq = await post({ key: "exact.txt", keyCondition: ["eq", "$key", "other.txt"] });
    expect(xmlValue(eq.body, "Message")).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "other.txt"]',
    );
    expect(await stored("exact.txt")).toBe(404);
  });

  it("a policy for another bucket is AccessDenied", async ({ expect }) => {
    const other = bucketName("other");
    await s3Sent("PUT", `/${other}`);
    const sent = await post({ key: "wrong-bucket.txt" }, `/${other}`);
    expect(sent.status).toBe(403);
    expect(xmlValue(sent.body, "Message")).toBe(
      `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "${bucket}"]`,
    );
    expect((await s3Sent("HEAD", `/${other}/wrong-bucket.txt`)).status).toBe(404);
  });

  it("content-length-range: a larger file is EntityTooLarge, a smaller one EntityTooSmall; nothing stored", async ({
    expect,
  }) => {
    const large = await post({
      key: "large.bin",
      file: new Uint8Array(200_000),
      conditions: [["content-length-range", 0, 100_000]],
    });
    expect(large.status).toBe(400);
    expect(xmlValue(large.body, "Code")).toBe("EntityTooLarge");
    expect(xmlValue(large.body, "MaxSizeAllowed")).toBe("100000");
    expect(await stored("large.bin")).toBe(404);
    const small = await post({ key: "small.bin", file: "tiny", conditions: [["content-length-range", 10, 100]] });
    expect(small.status).toBe(400);
    expect(xmlValue(small.body, "Code")).toBe("EntityTooSmall");
    expect(xmlValue(small.body, "ProposedSize")).toBe("4");
    expect(xmlValue(small.body, "MinSizeAllowed")).toBe("10");
    expect(await stored("small.bin")).toBe(404);
    const within = await post({
      key: "within.bin",
      file: "just right",
      conditions: [["content-length-range", 10, 10]],
    });
    expect(within.status).toBe(204);
  });

  it("a field no condition names is AccessDenied (Extra input fields); x-ignore-* fields need none", async ({
    expect,
  }) => {
    const sent = await post({
      key: "extra.txt",
      fields: { "x-amz-meta-sneaky": "1" },
      unlisted: ["x-amz-meta-sneaky"],
    });
    expect(sent.status).toBe(403);
    expect(xmlValue(sent.body, "Message")).toBe("Invalid according to Policy: Extra input fields: x-amz-meta-sneaky");
    expect(await stored("extra.txt")).toBe(404);
    const ignored = await post({
      key: "ignored.txt",
      fields: { "x-ignore-note": "anything" },
      unlisted: ["x-ignore-note"],
    });
    expect(ignored.status).toBe(204);
  });

  it("a condition on a field's value must hold (metadata eq, Content-Type starts-with)", async ({ expect }) => {
    const meta = await post({
      key: "meta-cond.txt",
      fields: { "x-amz-meta-color": "red" },
      unlisted: ["x-amz-meta-color"],
      conditions: [{ "x-amz-meta-color": "blue" }],
    });
    expect(meta.status).toBe(403);
    expect(xmlValue(meta.body, "Message")).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-color", "blue"]',
    );
    const type = await post({
      key: "type-cond.txt",
      fields: { "Content-Type": "text/plain" },
      unlisted: ["Content-Type"],
      conditions: [["starts-with", "$Content-Type", "image/"]],
    });
    expect(type.status).toBe(403);
    const image = await post({
      key: "type-ok.png",
      fields: { "Content-Type": "image/png" },
      unlisted: ["Content-Type"],
      conditions: [["starts-with", "$Content-Type", "image/"]],
    });
    expect(image.status).toBe(204);
    expect(await stored("meta-cond.txt")).toBe(404);
    expect(await stored("type-cond.txt")).toBe(404);
  });

  it("a form without a file, a key or a signature is refused", async ({ expect }) => {
    const noFile = new FormData();
    noFile.append("key", "nofile.txt");
    const withoutFile = await exports.default.fetch(`${BASE}/${bucket}`, { method: "POST", body: noFile });
    const withoutFileBody = await withoutFile.text();
    expect(withoutFile.status).toBe(400);
    expect(xmlValue(withoutFileBody, "Code")).toBe("IncorrectNumberOfFilesInPostRequest");
    const unsigned = new FormData();
    unsigned.append("key", "unsigned.txt");
    unsigned.append("file", new Blob(["x"]), "x.txt");
    const anonymous = await exports.default.fetch(`${BASE}/${bucket}`, { method: "POST", body: unsigned });
    expect(anonymous.status).toBe(403);
    expect(xmlValue(await anonymous.text(), "Code")).toBe("AccessDenied");
    const noKey = await formOf({});
    noKey.delete("key");
    const withoutKey = await exports.default.fetch(`${BASE}/${bucket}`, { method: "POST", body: noKey });
    expect(withoutKey.status).toBe(400);
    expect(xmlValue(await withoutKey.text(), "ArgumentName")).toBe("key");
    expect(await stored("nofile.txt")).toBe(404);
    expect(await stored("unsigned.txt")).toBe(404);
  });

  it("a form also signed in its headers is read the same; its form must be signed by the same user", async ({
    expect,
  }) => {
    const same = await s3("POST", `/${bucket}`, {
      body: await formOf({ key: "header-signed.txt" }),
      unsignedPayload: true,
    });
    expect(same.status).toBe(204);
    expect(await stored("header-signed.txt")).toBe(200);
    const other = await s3("POST", `/${bucket}`, {
      body: await formOf({ key: "other-user.txt" }),
      unsignedPayload: true,
      user: ["test2:tester2", "testing2"],
    });
    expect(other.status).toBe(403);
    await other.body?.cancel();
    expect(await stored("other-user.txt")).toBe(404);
  });

  it("a form POST to the Swift API is still Swift's FormPOST", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/v1/AUTH_test/${bucket}`, {
      method: "POST",
      body: await formOf({ key: "swift.txt" }),
    });
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await text(response)).toContain("FormPost");
  });

  it("a policy that is not base64 JSON is InvalidPolicyDocument; a body that is no form MalformedPOSTRequest", async ({
    expect,
  }) => {
    const form = await formOf({ key: "badpolicy.txt" });
    const policy = btoa("not json");
    form.set("policy", policy);
    form.set("x-amz-signature", await v4Signature("testing", String(form.get("x-amz-date")).slice(0, 8), policy));
    const bad = await exports.default.fetch(`${BASE}/${bucket}`, { method: "POST", body: form });
    const badBody = await bad.text();
    expect(bad.status).toBe(400);
    expect(xmlValue(badBody, "Code")).toBe("InvalidPolicyDocument");
    const garbage = await exports.default.fetch(`${BASE}/${bucket}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: "this is not a form",
    });
    expect(garbage.status).toBe(400);
    expect(xmlValue(await garbage.text(), "Code")).toBe("MalformedPOSTRequest");
    expect(await stored("badpolicy.txt")).toBe(404);
  });
});
