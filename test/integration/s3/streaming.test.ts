import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { hmacHex, sha256Hex, signingKey } from "../../../src/proxy/auth/sigv4";
import { chunkStringToSign } from "../../../src/proxy/s3/payload";
import { bucketName, s3Sent, signed, xmlValue } from "./helpers";

const bucket = bucketName("streaming");
const encoder = new TextEncoder();

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * A PUT with a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, as the aws CLI and SDKs send one: the
 * headers signed (the seed signature), then each chunk signed, chained from the seed.
 */
async function streamingPut(
  key: string,
  chunks: Uint8Array[],
  tamper?: (body: Uint8Array) => void,
  declared?: number,
): Promise<Request> {
  const total = declared ?? chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const request = await signed("PUT", `/${bucket}/${key}`, {
    headers: {
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(total),
    },
  });
  const amzDate = request.headers.get("x-amz-date") ?? "";
  const seed = /Signature=([0-9a-f]{64})/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  const signing = {
    signingKey: signingKey("testing", amzDate.slice(0, 8), "us-east-1", "s3"),
    seedSignature: seed,
    amzDate,
    scope: `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
  };
  let previous = seed;
  const framed: Uint8Array[] = [];
  for (const chunk of [...chunks, new Uint8Array(0)]) {
    const signature = hmacHex(signing.signingKey, chunkStringToSign(signing, previous, sha256Hex(chunk)));
    previous = signature;
    framed.push(encoder.encode(`${chunk.byteLength.toString(16)};chunk-signature=${signature}\r\n`), chunk);
    framed.push(encoder.encode("\r\n"));
  }
  const body = concat(framed);
  tamper?.(body);
  return new Request(request.url, { method: "PUT", headers: request.headers, body });
}

describe("S3 streaming uploads (aws-chunked)", () => {
  it("a body in signed chunks is stored decoded, byte for byte", async ({ expect }) => {
    const chunks = [new Uint8Array(8192).fill(97), encoder.encode("tail of the body")];
    const response = await exports.default.fetch(await streamingPut("chunked", chunks));
    await response.text();
    expect(response.status).toBe(200);
    const got = await s3Sent("GET", `/${bucket}/chunked`);
    expect(got.body).toBe(`${"a".repeat(8192)}tail of the body`);
  });

  it("a chunk changed on the way is SignatureDoesNotMatch and nothing is stored", async ({ expect }) => {
    const chunks = [new Uint8Array(8192).fill(98), encoder.encode("end")];
    const request = await streamingPut("tampered", chunks, (body) => {
      body[200] = 99;
    });
    const response = await exports.default.fetch(request);
    const body = await response.text();
    expect(response.status).toBe(403);
    expect(xmlValue(body, "Code")).toBe("SignatureDoesNotMatch");
    expect((await s3Sent("HEAD", `/${bucket}/tampered`)).status).toBe(404);
  });

  it("a chunked body shorter than x-amz-decoded-content-length is IncompleteBody and nothing is stored", async ({
    expect,
  }) => {
    const request = await streamingPut("short", [encoder.encode("12345")], undefined, 6);
    const response = await exports.default.fetch(request);
    const body = await response.text();
    expect(response.status).toBe(400);
    expect(xmlValue(body, "Code")).toBe("IncompleteBody");
    expect((await s3Sent("HEAD", `/${bucket}/short`)).status).toBe(404);
  });

  it("STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies (current SDKs' default) are stored decoded", async ({ expect }) => {
    const text = "unsigned trailer body";
    const request = await signed("PUT", `/${bucket}/trailer`, {
      headers: {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": String(text.length),
        "x-amz-trailer": "x-amz-checksum-crc32",
      },
    });
    const crc = await checksumOf("crc32", text);
    const framed = `${text.length.toString(16)}\r\n${text}\r\n0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`;
    const response = await exports.default.fetch(
      new Request(request.url, { method: "PUT", headers: request.headers, body: framed }),
    );
    await response.text();
    expect(response.status).toBe(200);
    expect((await s3Sent("GET", `/${bucket}/trailer`)).body).toBe(text);
  });
});

async function checksumOf(algorithm: "crc32" | "crc32c" | "crc64nvme" | "sha1" | "sha256", text: string) {
  const { AwsCrc32 } = await import("@aws-crypto/crc32");
  const { AwsCrc32c } = await import("@aws-crypto/crc32c");
  const { Crc64Nvme } = await import("@aws-sdk/crc64-nvme");
  const data = encoder.encode(text);
  let digest: Uint8Array;
  if (algorithm === "sha1" || algorithm === "sha256") {
    digest = new Uint8Array(await crypto.subtle.digest(algorithm === "sha1" ? "SHA-1" : "SHA-256", data));
  } else {
    const hasher = algorithm === "crc32" ? new AwsCrc32() : algorithm === "crc32c" ? new AwsCrc32c() : new Crc64Nvme();
    hasher.update(data);
    digest = await hasher.digest();
  }
  return btoa(String.fromCharCode(...digest));
}

describe("S3 additional checksums", () => {
  it("each algorithm's checksum header is verified, stored and returned with x-amz-checksum-mode: ENABLED", async ({
    expect,
  }) => {
    for (const algorithm of ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const) {
      const text = `checksummed with ${algorithm}`;
      const value = await checksumOf(algorithm, text);
      const put = await s3Sent("PUT", `/${bucket}/sum-${algorithm}`, {
        body: text,
        headers: { [`x-amz-checksum-${algorithm}`]: value },
      });
      expect(put.status, algorithm).toBe(200);
      expect(put.headers.get(`x-amz-checksum-${algorithm}`), algorithm).toBe(value);
      const plain = await s3Sent("HEAD", `/${bucket}/sum-${algorithm}`);
      expect(plain.headers.get(`x-amz-checksum-${algorithm}`), algorithm).toBeNull();
      const head = await s3Sent("HEAD", `/${bucket}/sum-${algorithm}`, {
        headers: { "x-amz-checksum-mode": "ENABLED" },
      });
      expect(head.headers.get(`x-amz-checksum-${algorithm}`), algorithm).toBe(value);
    }
  });

  it("a checksum header that does not match the body is BadDigest and nothing is stored", async ({ expect }) => {
    const sent = await s3Sent("PUT", `/${bucket}/sum-bad`, {
      body: "the real body",
      headers: { "x-amz-checksum-crc32": await checksumOf("crc32", "another body") },
    });
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("BadDigest");
    expect((await s3Sent("HEAD", `/${bucket}/sum-bad`)).status).toBe(404);
  });

  it("a trailing checksum is verified at the end of an aws-chunked body, stored, and a wrong one refused", async ({
    expect,
  }) => {
    const put = async (key: string, text: string, checksum: string) => {
      const request = await signed("PUT", `/${bucket}/${key}`, {
        headers: {
          "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          "content-encoding": "aws-chunked",
          "x-amz-decoded-content-length": String(text.length),
          "x-amz-trailer": "x-amz-checksum-crc32c",
        },
      });
      const framed = `${text.length.toString(16)}\r\n${text}\r\n0\r\nx-amz-checksum-crc32c:${checksum}\r\n\r\n`;
      const response = await exports.default.fetch(
        new Request(request.url, { method: "PUT", headers: request.headers, body: framed }),
      );
      return { status: response.status, body: await response.text(), headers: response.headers };
    };
    const good = await put("trailed", "trailed body", await checksumOf("crc32c", "trailed body"));
    expect(good.status).toBe(200);
    const head = await s3Sent("HEAD", `/${bucket}/trailed`, { headers: { "x-amz-checksum-mode": "ENABLED" } });
    expect(head.headers.get("x-amz-checksum-crc32c")).toBe(await checksumOf("crc32c", "trailed body"));
    const bad = await put("trailed-bad", "trailed body", await checksumOf("crc32c", "other"));
    expect(bad.status).toBe(400);
    expect(xmlValue(bad.body, "Code")).toBe("BadDigest");
    expect((await s3Sent("HEAD", `/${bucket}/trailed-bad`)).status).toBe(404);
  });
});
