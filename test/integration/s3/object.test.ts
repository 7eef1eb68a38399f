import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { bucketName, s3, s3Sent, xmlValue, xmlValues } from "./helpers";

const bucket = bucketName("objects");

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
});

function md5Base64(hex: string): string {
  return btoa(String.fromCharCode(...(hex.match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16))));
}

describe("S3 objects", () => {
  it("PutObject stores the body byte for byte with its metadata; GetObject and HeadObject show them as S3", async ({
    expect,
  }) => {
    const body = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const put = await s3Sent("PUT", `/${bucket}/dir/obj.bin`, {
      body,
      headers: {
        "content-type": "application/x-test",
        "x-amz-meta-color": "blue",
        "cache-control": "max-age=60",
        "content-disposition": "attachment",
      },
    });
    expect(put.status).toBe(200);
    const etag = put.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3("GET", `/${bucket}/dir/obj.bin`);
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(body);
    expect(got.headers.get("etag")).toBe(etag);
    expect(got.headers.get("content-type")).toBe("application/x-test");
    expect(got.headers.get("x-amz-meta-color")).toBe("blue");
    expect(got.headers.get("cache-control")).toBe("max-age=60");
    expect(got.headers.get("content-disposition")).toBe("attachment");
    expect(got.headers.get("x-object-meta-color")).toBeNull();
    expect(got.headers.get("x-timestamp")).toBeNull();
    const head = await s3Sent("HEAD", `/${bucket}/dir/obj.bin`);
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("70000");
    expect(head.headers.get("last-modified")).toMatch(/GMT$/);
    const viaSwift = await swift("GET", `/AUTH_test/${bucket}/dir/obj.bin`);
    expect(new Uint8Array(await viaSwift.arrayBuffer())).toEqual(body);
    expect(viaSwift.headers.get("x-object-meta-color")).toBe("blue");
  });

  it("an object put through Swift is read through S3 with its metadata as x-amz-meta-*", async ({ expect }) => {
    const put = await swift("PUT", `/AUTH_test/${bucket}/from-swift`, {
      body: "swift body",
      headers: { "X-Object-Meta-Shape": "round" },
    });
    await text(put);
    const got = await s3Sent("GET", `/${bucket}/from-swift`);
    expect(got.body).toBe("swift body");
    expect(got.headers.get("x-amz-meta-shape")).toBe("round");
  });

  it("GetObject with Range answers 206 with Content-Range; a range past the end is InvalidRange (416)", async ({
    expect,
  }) => {
    await s3Sent("PUT", `/${bucket}/ranged`, { body: "0123456789" });
    const part = await s3Sent("GET", `/${bucket}/ranged`, { headers: { range: "bytes=2-5" } });
    expect(part.status).toBe(206);
    expect(part.body).toBe("2345");
    expect(part.headers.get("content-range")).toBe("bytes 2-5/10");
    const past = await s3Sent("GET", `/${bucket}/ranged`, { headers: { range: "bytes=20-30" } });
    expect(past.status).toBe(416);
    expect(xmlValue(past.body, "Code")).toBe("InvalidRange");
    expect(xmlValue(past.body, "ActualObjectSize")).toBe("10");
  });

  it("If-Match and If-None-Match on GET: 412 PreconditionFailed and 304 Not Modified", async ({ expect }) => {
    const put = await s3Sent("PUT", `/${bucket}/conditional`, { body: "c" });
    const etag = put.headers.get("etag") ?? "";
    expect((await s3Sent("GET", `/${bucket}/conditional`, { headers: { "if-match": etag } })).status).toBe(200);
    const failed = await s3Sent("GET", `/${bucket}/conditional`, { headers: { "if-match": '"nope"' } });
    expect(failed.status).toBe(412);
    expect(xmlValue(failed.body, "Code")).toBe("PreconditionFailed");
    const notModified = await s3Sent("GET", `/${bucket}/conditional`, { headers: { "if-none-match": etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("etag")).toBe(etag);
  });

  it("response-* query parameters override the GET's headers", async ({ expect }) => {
    await s3Sent("PUT", `/${bucket}/override`, { body: "o", headers: { "content-type": "text/plain" } });
    const got = await s3Sent(
      "GET",
      `/${bucket}/override?response-content-type=application%2Fjson&response-content-disposition=inline&` +
        "response-cache-control=no-cache",
    );
    expect(got.headers.get("content-type")).toBe("application/json");
    expect(got.headers.get("content-disposition")).toBe("inline");
    expect(got.headers.get("cache-control")).toBe("no-cache");
  });

  it("GetObject of a missing key is NoSuchKey (404); of a missing bucket NoSuchBucket; HEAD 404 with no body", async ({
    expect,
  }) => {
    const missing = await s3Sent("GET", `/${bucket}/not-there`);
    expect(missing.status).toBe(404);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchKey");
    const head = await s3Sent("HEAD", `/${bucket}/not-there`);
    expect(head.status).toBe(404);
    expect(head.body).toBe("");
    const noBucket = await s3Sent("GET", `/${bucketName("absent")}/k`);
    expect(noBucket.status).toBe(404);
    expect(xmlValue(noBucket.body, "Code")).toBe("NoSuchBucket");
  });

  it("Content-MD5 is checked: a wrong digest is BadDigest, nothing stored; a malformed one InvalidDigest", async ({
    expect,
  }) => {
    const good = await s3Sent("PUT", `/${bucket}/md5`, {
      body: "abc",
      headers: { "content-md5": md5Base64("900150983cd24fb0d6963f7d28e17f72") },
    });
    expect(good.status).toBe(200);
    const bad = await s3Sent("PUT", `/${bucket}/md5-bad`, {
      body: "abc",
      headers: { "content-md5": md5Base64("00000000000000000000000000000000") },
    });
    expect(bad.status).toBe(400);
    expect(xmlValue(bad.body, "Code")).toBe("BadDigest");
    expect((await s3Sent("HEAD", `/${bucket}/md5-bad`)).status).toBe(404);
    const malformed = await s3Sent("PUT", `/${bucket}/md5-bad`, { body: "abc", headers: { "content-md5": "xyz" } });
    expect(xmlValue(malformed.body, "Code")).toBe("InvalidDigest");
  });

  it("a body whose SHA-256 differs from x-amz-content-sha256 is XAmzContentSHA256Mismatch, nothing stored", async ({
    expect,
  }) => {
    const sent = await s3Sent("PUT", `/${bucket}/sha-bad`, {
      body: "the body",
      headers: { "x-amz-content-sha256": "0".repeat(64) },
    });
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("XAmzContentSHA256Mismatch");
    expect((await s3Sent("HEAD", `/${bucket}/sha-bad`)).status).toBe(404);
  });

  it("UNSIGNED-PAYLOAD bodies are stored as sent", async ({ expect }) => {
    const put = await s3Sent("PUT", `/${bucket}/unsigned`, { body: "no digest", unsignedPayload: true });
    expect(put.status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/unsigned`)).body).toBe("no digest");
  });

  it("If-None-Match: * writes only a new key (412 PreconditionFailed otherwise); If-Match checks the ETag", async ({
    expect,
  }) => {
    const first = await s3Sent("PUT", `/${bucket}/once`, { body: "1", headers: { "if-none-match": "*" } });
    expect(first.status).toBe(200);
    const second = await s3Sent("PUT", `/${bucket}/once`, { body: "2", headers: { "if-none-match": "*" } });
    expect(second.status).toBe(412);
    expect(xmlValue(second.body, "Code")).toBe("PreconditionFailed");
    expect((await s3Sent("GET", `/${bucket}/once`)).body).toBe("1");
    const etag = first.headers.get("etag") ?? "";
    const wrong = await s3Sent("PUT", `/${bucket}/once`, { body: "3", headers: { "if-match": '"abc"' } });
    expect(wrong.status).toBe(412);
    expect((await s3Sent("PUT", `/${bucket}/once`, { body: "4", headers: { "if-match": etag } })).status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/once`)).body).toBe("4");
    const none = await s3Sent("PUT", `/${bucket}/never`, { body: "5", headers: { "if-match": etag } });
    expect(none.status).toBe(404);
    expect(xmlValue(none.body, "Code")).toBe("NoSuchKey");
  });

  it("a key over 1024 bytes is KeyTooLongError", async ({ expect }) => {
    const sent = await s3Sent("PUT", `/${bucket}/${"k".repeat(1025)}`, { body: "x" });
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("KeyTooLongError");
  });

  it("a key is an opaque string: ../ and // are kept, never resolved", async ({ expect }) => {
    const put = await s3Sent("PUT", `/${bucket}/a%2F..%2F..%2Fescape`, { body: "kept" });
    expect(put.status).toBe(200);
    const listed = await s3Sent("GET", `/${bucket}?prefix=a/`);
    expect(xmlValues(listed.body, "Key")).toEqual(["a/../../escape"]);
    expect((await s3Sent("GET", `/${bucket}/a%2F..%2F..%2Fescape`)).body).toBe("kept");
  });

  it("DeleteObject answers 204, also for a key that is not there", async ({ expect }) => {
    await s3Sent("PUT", `/${bucket}/doomed`, { body: "x" });
    expect((await s3Sent("DELETE", `/${bucket}/doomed`)).status).toBe(204);
    expect((await s3Sent("HEAD", `/${bucket}/doomed`)).status).toBe(404);
    expect((await s3Sent("DELETE", `/${bucket}/doomed`)).status).toBe(204);
  });

  it("CopyObject copies body and metadata (COPY), or replaces the metadata (REPLACE)", async ({ expect }) => {
    await s3Sent("PUT", `/${bucket}/src`, {
      body: "copied body",
      headers: { "x-amz-meta-a": "1", "content-type": "text/x-src" },
    });
    const copied = await s3Sent("PUT", `/${bucket}/dst`, { headers: { "x-amz-copy-source": `/${bucket}/src` } });
    expect(copied.status).toBe(200);
    expect(xmlValue(copied.body, "ETag")).toBe('"69bd1a47333e4a88ad686ceb51fbab0e"');
    const got = await s3Sent("GET", `/${bucket}/dst`);
    expect(got.body).toBe("copied body");
    expect(got.headers.get("x-amz-meta-a")).toBe("1");
    expect(got.headers.get("content-type")).toBe("text/x-src");
    const replaced = await s3Sent("PUT", `/${bucket}/dst2`, {
      headers: {
        "x-amz-copy-source": `${bucket}/src`,
        "x-amz-metadata-directive": "REPLACE",
        "x-amz-meta-b": "2",
        "content-type": "text/x-new",
      },
    });
    expect(replaced.status).toBe(200);
    const got2 = await s3Sent("HEAD", `/${bucket}/dst2`);
    expect(got2.headers.get("x-amz-meta-a")).toBeNull();
    expect(got2.headers.get("x-amz-meta-b")).toBe("2");
    expect(got2.headers.get("content-type")).toBe("text/x-new");
  });

  it("CopyObject onto itself needs REPLACE (InvalidRequest otherwise), which changes its metadata", async ({
    expect,
  }) => {
    await s3Sent("PUT", `/${bucket}/self`, { body: "me", headers: { "x-amz-meta-v": "1" } });
    const refused = await s3Sent("PUT", `/${bucket}/self`, { headers: { "x-amz-copy-source": `/${bucket}/self` } });
    expect(refused.status).toBe(400);
    expect(xmlValue(refused.body, "Code")).toBe("InvalidRequest");
    const replaced = await s3Sent("PUT", `/${bucket}/self`, {
      headers: { "x-amz-copy-source": `/${bucket}/self`, "x-amz-metadata-directive": "REPLACE", "x-amz-meta-v": "2" },
    });
    expect(replaced.status).toBe(200);
    const head = await s3Sent("HEAD", `/${bucket}/self`);
    expect(head.headers.get("x-amz-meta-v")).toBe("2");
    expect((await s3Sent("GET", `/${bucket}/self`)).body).toBe("me");
  });

  it("CopyObject's copy-source conditions: a failed one is PreconditionFailed; a missing source NoSuchKey", async ({
    expect,
  }) => {
    const put = await s3Sent("PUT", `/${bucket}/csrc`, { body: "s" });
    const etag = put.headers.get("etag") ?? "";
    const ok = await s3Sent("PUT", `/${bucket}/cdst`, {
      headers: { "x-amz-copy-source": `/${bucket}/csrc`, "x-amz-copy-source-if-match": etag },
    });
    expect(ok.status).toBe(200);
    for (const [name, value] of [
      ["x-amz-copy-source-if-match", '"other"'],
      ["x-amz-copy-source-if-none-match", etag],
    ]) {
      const failed = await s3Sent("PUT", `/${bucket}/cdst2`, {
        headers: { "x-amz-copy-source": `/${bucket}/csrc`, [name as string]: value as string },
      });
      expect(failed.status, name).toBe(412);
      expect(xmlValue(failed.body, "Code"), name).toBe("PreconditionFailed");
    }
    expect((await s3Sent("HEAD", `/${bucket}/cdst2`)).status).toBe(404);
    const missing = await s3Sent("PUT", `/${bucket}/cdst3`, { headers: { "x-amz-copy-source": `/${bucket}/nope` } });
    expect(missing.status).toBe(404);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchKey");
  });

  it("DeleteObjects deletes each key and reports them (verbose), or only the errors (quiet)", async ({ expect }) => {
    for (const key of ["m1", "m2", "m3"]) await s3Sent("PUT", `/${bucket}/${key}`, { body: key });
    const doc = (quiet: boolean, keys: string[]) =>
      `<Delete>${quiet ? "<Quiet>true</Quiet>" : ""}${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")}` +
      "</Delete>";
    const verbose = await s3Sent("POST", `/${bucket}?delete`, { body: doc(false, ["m1", "m2", "absent"]) });
    expect(verbose.status).toBe(200);
    expect(xmlValues(verbose.body, "Key")).toEqual(["m1", "m2", "absent"]);
    expect(verbose.body).not.toContain("<Error>");
    expect((await s3Sent("HEAD", `/${bucket}/m1`)).status).toBe(404);
    const quiet = await s3Sent("POST", `/${bucket}?delete`, { body: doc(true, ["m3"]) });
    expect(quiet.status).toBe(200);
    expect(xmlValues(quiet.body, "Key")).toEqual([]);
    expect((await s3Sent("HEAD", `/${bucket}/m3`)).status).toBe(404);
    const malformed = await s3Sent("POST", `/${bucket}?delete`, { body: "<Delete><Object>" });
    expect(xmlValue(malformed.body, "Code")).toBe("MalformedXML");
    const tooMany = await s3Sent("POST", `/${bucket}?delete`, {
      body: doc(
        true,
        Array.from({ length: 1001 }, (_, i) => `k${i}`),
      ),
    });
    expect(tooMany.status).toBe(400);
    expect(xmlValue(tooMany.body, "Code")).toBe("MalformedXML");
  });

  it("a client cannot set or see object system metadata through Swift", async ({ expect }) => {
    const put = await swift("PUT", `/AUTH_test/${bucket}/sysmeta`, {
      body: "x",
      headers: { "X-Object-Sysmeta-S3api-Etag": "forged-1" },
    });
    await text(put);
    const head = await s3Sent("HEAD", `/${bucket}/sysmeta`);
    expect(head.headers.get("etag")).toBe('"9dd4e461268c8034f5c8564e155c67a6"');
    const viaSwift = await swift("HEAD", `/AUTH_test/${bucket}/sysmeta`);
    await text(viaSwift);
    expect([...viaSwift.headers.keys()].filter((name) => name.includes("sysmeta"))).toEqual([]);
  });
});
