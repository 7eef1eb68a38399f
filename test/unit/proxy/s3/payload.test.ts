/**
 * @module
 * The S3 request body as the object store reads it: sha256-checked, or aws-chunked decoded with
 * its chunk and trailer signatures checked, against AWS's streaming examples (sigv4-streaming.html,
 * sigv4-streaming-trailers.html, and the S3 user guide's trailing-checksum example), fed whole, a byte
 * at a time and in odd pieces, and cut, tampered and padded.
 */
import { describe, it } from "vitest";
import {
  type ChunkSigning,
  EMPTY_SHA256,
  hmacHex,
  type PayloadCheck,
  sha256Hex,
  signingKey,
} from "../../../../src/proxy/auth/sigv4";
import { S3Error } from "../../../../src/proxy/s3/errors";
import {
  checkedBody,
  chunkStringToSign,
  MAX_HELD_CHUNK,
  MAX_LINE,
  MAX_TRAILERS,
  trailerStringToSign,
} from "../../../../src/proxy/s3/payload";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DATE = "20130524T000000Z";
const SCOPE = "20130524/us-east-1/s3/aws4_request";
const KEY = signingKey(SECRET, "20130524", "us-east-1");

const signing = (seedSignature: string): ChunkSigning => ({
  signingKey: KEY,
  seedSignature,
  amzDate: DATE,
  scope: SCOPE,
});

const SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SIGNATURES = [
  "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
  "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
  "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];
const TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const TRAILER_SIGNATURES = [
  "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
  "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
  "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
];
const TRAILER = "x-amz-checksum-crc32c:sOO8/Q==\r\n";
const TRAILER_SIGNATURE = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

const A_64K = "a".repeat(65536);
const A_1K = "a".repeat(1024);
const DECODED = A_64K + A_1K;

function chunked(signatures: readonly string[], tail = "\r\n"): string {
  return (
    `10000;chunk-signature=${signatures[0]}\r\n${A_64K}\r\n` +
    `400;chunk-signature=${signatures[1]}\r\n${A_1K}\r\n` +
    `0;chunk-signature=${signatures[2]}\r\n${tail}`
  );
}

/** AWS's sigv4-streaming example body (Content-Length 66824). */
const STREAMING_BODY = chunked(SIGNATURES);
/** AWS's sigv4-streaming-trailers example body (Content-Length 66946). */
const TRAILER_BODY = chunked(TRAILER_SIGNATURES, `${TRAILER}x-amz-trailer-signature:${TRAILER_SIGNATURE}\r\n\r\n`);

const STREAMING: PayloadCheck = { mode: "chunked", signing: signing(SEED), trailer: false, decodedLength: 66560 };
const SIGNED_TRAILER: PayloadCheck = {
  mode: "chunked",
  signing: signing(TRAILER_SEED),
  trailer: true,
  decodedLength: 66560,
};

/** `body` in pieces whose sizes cycle through `sizes`. */
function pieces(body: string | Uint8Array, ...sizes: number[]): ReadableStream<Uint8Array> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  let at = 0;
  let turn = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const size = sizes[turn++ % sizes.length] ?? bytes.length;
      controller.enqueue(bytes.slice(at, (at += size)));
    },
  });
}

async function read(stream: ReadableStream<Uint8Array> | null): Promise<string> {
  if (stream === null) return "";
  return decoder.decode(await new Response(stream).arrayBuffer());
}

/** What a stream gives before it fails, and the S3Error it fails with. */
async function failure(stream: ReadableStream<Uint8Array> | null): Promise<{ error: S3Error; received: number }> {
  if (stream === null) throw new Error("expected a stream");
  const reader = stream.getReader();
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
    }
  } catch (error) {
    if (error instanceof S3Error) return { error, received };
    throw error;
  }
  throw new Error("expected the stream to fail");
}

describe("unsigned and sha256 bodies", () => {
  it("an unsigned body passes as it is", ({ expect }) => {
    const body = pieces("hello", 2);
    expect(checkedBody(body, { mode: "unsigned" }).body).toBe(body);
    expect(checkedBody(null, { mode: "unsigned" }).body).toBeNull();
  });

  it("a body whose sha256 is the one signed passes unchanged", async ({ expect }) => {
    const check: PayloadCheck = { mode: "sha256", sha256: sha256Hex("Welcome to Amazon S3.") };
    expect(await read(checkedBody(pieces("Welcome to Amazon S3.", 1, 5), check).body)).toBe("Welcome to Amazon S3.");
  });

  it("a body whose sha256 differs errors the stream at its end with XAmzContentSHA256Mismatch", async ({ expect }) => {
    const signed = sha256Hex("Welcome to Amazon S3.");
    const check: PayloadCheck = { mode: "sha256", sha256: signed };
    const { error } = await failure(checkedBody(pieces("Welcome to Amazon S3!", 4), check).body);
    expect(error.code).toBe("XAmzContentSHA256Mismatch");
    expect(error.fields).toEqual({
      ClientComputedContentSHA256: signed,
      S3ComputedContentSHA256: sha256Hex("Welcome to Amazon S3!"),
    });
  });

  it("no body matches only the empty sha256", async ({ expect }) => {
    expect(checkedBody(null, { mode: "sha256", sha256: EMPTY_SHA256 }).body).toBeNull();
    const { error } = await failure(checkedBody(null, { mode: "sha256", sha256: sha256Hex("x") }).body);
    expect(error.code).toBe("XAmzContentSHA256Mismatch");
  });
});

describe("signed aws-chunked bodies (AWS's sigv4-streaming example)", () => {
  it("the chunk strings to sign are AWS's", ({ expect }) => {
    expect(sha256Hex(A_1K)).toBe("2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a");
    expect(chunkStringToSign(signing(SEED), SIGNATURES[0] as string, sha256Hex(A_1K))).toBe(
      `AWS4-HMAC-SHA256-PAYLOAD\n${DATE}\n${SCOPE}\n${SIGNATURES[0]}\n${EMPTY_SHA256}\n` +
        "2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a",
    );
  });

  it("decodes to its 66560 bytes, whole, a byte at a time, and in odd pieces", async ({ expect }) => {
    expect(encoder.encode(STREAMING_BODY).length).toBe(66824);
    for (const sizes of [[66824], [1], [7, 4093, 2, 65537], [86]]) {
      const { body, trailers } = checkedBody(pieces(STREAMING_BODY, ...sizes), STREAMING);
      expect(await read(body)).toBe(DECODED);
      expect(trailers.headers.size).toBe(0);
    }
  });

  it("a chunk's bytes pass on only once its signature holds, all at once", async ({ expect }) => {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const reader = (checkedBody(readable, STREAMING).body as ReadableStream<Uint8Array>).getReader();
    const writer = writable.getWriter();
    const body = encoder.encode(STREAMING_BODY);
    const header = STREAMING_BODY.indexOf("\r\n") + 2;
    void writer.write(body.slice(0, header + 65535));
    const first = reader.read();
    const waited = await Promise.race([first, new Promise((resolve) => setTimeout(() => resolve("waiting"), 50))]);
    expect(waited).toBe("waiting");
    void writer.write(body.slice(header + 65535, header + 65536));
    expect((await first).value?.length).toBe(65536);
    void writer.write(body.slice(header + 65536));
    void writer.close();
    expect((await reader.read()).value?.length).toBe(1024);
    expect((await reader.read()).done).toBe(true);
  });

  it("a tampered chunk, a wrong final-chunk signature or another seed is SignatureDoesNotMatch", async ({ expect }) => {
    const bodies = [
      STREAMING_BODY.replace(`\r\n${A_64K}`, `\r\n${A_64K.slice(1)}b`),
      chunked([SIGNATURES[0] as string, SIGNATURES[1] as string, SIGNATURES[1] as string]),
      chunked([SIGNATURES[1] as string, SIGNATURES[0] as string, SIGNATURES[2] as string]),
    ];
    for (const body of bodies) {
      expect((await failure(checkedBody(pieces(body, 4096), STREAMING).body)).error.code).toBe("SignatureDoesNotMatch");
    }
    const otherSeed: PayloadCheck = { ...STREAMING, signing: signing(TRAILER_SEED) };
    const { error, received } = await failure(checkedBody(pieces(STREAMING_BODY, 4096), otherSeed).body);
    expect([error.code, received]).toEqual(["SignatureDoesNotMatch", 0]);
  });

  it("a body cut short anywhere is IncompleteBody", async ({ expect }) => {
    for (const length of [0, 10, 90, 5000, 65626, 65627, 66812, STREAMING_BODY.length - 3]) {
      const { error } = await failure(checkedBody(pieces(STREAMING_BODY.slice(0, length), 333), STREAMING).body);
      expect(error.code).toBe("IncompleteBody");
    }
    // Only the final CRLF may be left out, as Swift allows.
    expect(await read(checkedBody(pieces(STREAMING_BODY.slice(0, -2), 333), STREAMING).body)).toBe(DECODED);
  });

  it("no body at all is IncompleteBody", async ({ expect }) => {
    expect((await failure(checkedBody(null, STREAMING).body)).error.code).toBe("IncompleteBody");
  });

  it("a decoded total other than x-amz-decoded-content-length is IncompleteBody", async ({ expect }) => {
    for (const decodedLength of [66559, 66561, 0]) {
      const { error } = await failure(checkedBody(pieces(STREAMING_BODY, 999), { ...STREAMING, decodedLength }).body);
      expect(error.code).toBe("IncompleteBody");
      expect(error.fields.NumberBytesExpected).toBe(String(decodedLength));
    }
    expect(await read(checkedBody(pieces(STREAMING_BODY, 999), { ...STREAMING, decodedLength: null }).body)).toBe(
      DECODED,
    );
  });

  it("malformed framing is IncompleteBody: a size not hex, no CRLF after a chunk, no chunk-signature", async ({
    expect,
  }) => {
    for (const body of [
      STREAMING_BODY.replace("10000;", "1000g;"),
      STREAMING_BODY.replace(`${A_64K}\r\n`, `${A_64K}\n\r`),
      STREAMING_BODY.replace(`;chunk-signature=${SIGNATURES[0]}`, ""),
      STREAMING_BODY.replace(`chunk-signature=${SIGNATURES[0]}\r\n`, `chunk-signature=${SIGNATURES[0]}\n`),
      `${STREAMING_BODY}junk`,
    ]) {
      expect((await failure(checkedBody(pieces(body, 5000), STREAMING).body)).error.code).toBe("IncompleteBody");
    }
  });

  it(`a chunk header longer than ${MAX_LINE} bytes is InvalidRequest, however it arrives`, async ({ expect }) => {
    const long = `10000;chunk-signature=${"0".repeat(MAX_LINE)}\r\n${A_64K}`;
    for (const size of [1, 100, 70000]) {
      const { error } = await failure(checkedBody(pieces(long, size), STREAMING).body);
      expect(error.code).toBe("InvalidRequest");
    }
  });
});

describe("signed trailers (AWS's sigv4-streaming-trailers example)", () => {
  it("the trailer string to sign hashes the trailers as `name:value\\n`", ({ expect }) => {
    expect(sha256Hex("x-amz-checksum-crc32c:sOO8/Q==\n")).toBe(
      "1e376db7e1a34a8ef1c4bcee131a2d60a1cb62503747488624e10995f448d774",
    );
    expect(trailerStringToSign(signing(TRAILER_SEED), TRAILER_SIGNATURES[2] as string, "1e37")).toBe(
      `AWS4-HMAC-SHA256-TRAILER\n${DATE}\n${SCOPE}\n${TRAILER_SIGNATURES[2]}\n1e37`,
    );
  });

  it("decodes its bytes and records the x-amz-checksum-crc32c trailer once the stream has ended", async ({
    expect,
  }) => {
    expect(encoder.encode(TRAILER_BODY).length).toBe(66946);
    for (const sizes of [[66946], [1], [3, 8191, 5]]) {
      const { body, trailers } = checkedBody(pieces(TRAILER_BODY, ...sizes), SIGNED_TRAILER);
      expect(trailers.headers.size).toBe(0);
      expect(await read(body)).toBe(DECODED);
      expect([...trailers.headers]).toEqual([["x-amz-checksum-crc32c", "sOO8/Q=="]]);
    }
  });

  it("a tampered trailer or trailer signature is SignatureDoesNotMatch, and no trailer is recorded", async ({
    expect,
  }) => {
    for (const body of [
      TRAILER_BODY.replace("sOO8/Q==", "sOO8/Q=A"),
      TRAILER_BODY.replace(TRAILER_SIGNATURE, TRAILER_SIGNATURE.replace("d81f", "d82f")),
    ]) {
      const { body: decoded, trailers } = checkedBody(pieces(body, 7000), SIGNED_TRAILER);
      expect((await failure(decoded)).error.code).toBe("SignatureDoesNotMatch");
      expect(trailers.headers.size).toBe(0);
    }
  });

  it("a signed trailer without x-amz-trailer-signature, or cut before its last CRLF, is IncompleteBody", async ({
    expect,
  }) => {
    for (const body of [chunked(TRAILER_SIGNATURES, `${TRAILER}\r\n`), TRAILER_BODY.slice(0, -2)]) {
      expect((await failure(checkedBody(pieces(body, 7000), SIGNED_TRAILER).body)).error.code).toBe("IncompleteBody");
    }
  });

  it("a trailer line that is no header is MalformedTrailerError", async ({ expect }) => {
    const body = chunked(TRAILER_SIGNATURES, `no colon here\r\n${TRAILER}\r\n`);
    expect((await failure(checkedBody(pieces(body, 7000), SIGNED_TRAILER).body)).error.code).toBe(
      "MalformedTrailerError",
    );
  });
});

describe("unsigned trailers (STREAMING-UNSIGNED-PAYLOAD-TRAILER)", () => {
  const UNSIGNED: PayloadCheck = { mode: "chunked", signing: null, trailer: true, decodedLength: 17408 };
  const eightK = "a".repeat(8192);
  const frames = `2000\r\n${eightK}\r\n2000\r\n${eightK}\r\n400\r\n${A_1K}\r\n0\r\n`;

  it("bare sizes decode, and the trailer is recorded: the SDKs' framing and the user guide's", async ({ expect }) => {
    for (const body of [
      `${frames}x-amz-checksum-crc32:s3SFCQ==\r\n\r\n`,
      `${frames}x-amz-checksum-crc32:s3SFCQ==\n\r\n\r\n`,
    ]) {
      for (const size of [1, 4099]) {
        const { body: decoded, trailers } = checkedBody(pieces(body, size), UNSIGNED);
        expect(await read(decoded)).toBe(eightK + eightK + A_1K);
        expect(trailers.headers.get("x-amz-checksum-crc32")).toBe("s3SFCQ==");
      }
    }
  });

  it("a body cut in its trailers is IncompleteBody", async ({ expect }) => {
    const body = `${frames}x-amz-checksum-crc32:s3SF`;
    expect((await failure(checkedBody(pieces(body, 4099), UNSIGNED).body)).error.code).toBe("IncompleteBody");
  });
});

// ---- The framing's edges: what Swift's StreamingInput reads, and what it refuses -----------------

/** A signed trailer section ending AWS's streaming-trailers example: `lines` then a signature over `canonical`. */
function signedTrailers(lines: string, canonical: string): string {
  const toSign = trailerStringToSign(signing(TRAILER_SEED), TRAILER_SIGNATURES[2] as string, sha256Hex(canonical));
  return chunked(TRAILER_SIGNATURES, `${lines}x-amz-trailer-signature:${hmacHex(KEY, toSign)}\r\n\r\n`);
}

/** Whether the stream has handed on any byte within 50 ms of the body so far. */
async function handsOnEarly(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  const waiting = new Promise((resolve) => setTimeout(() => resolve("waiting"), 50));
  return (await Promise.race([reader.read(), waiting])) !== "waiting";
}

describe("chunk framing, as Swift's StreamingInput reads it", () => {
  it("a body cut inside its framing says AWS's words: the request body terminated unexpectedly", async ({ expect }) => {
    const { error } = await failure(checkedBody(pieces(STREAMING_BODY.slice(0, 90), 50), STREAMING).body);
    expect([error.code, error.message]).toEqual(["IncompleteBody", "The request body terminated unexpectedly"]);
  });

  it("a body ending in a lone CR after its final chunk is IncompleteBody", async ({ expect }) => {
    const { error } = await failure(checkedBody(pieces(STREAMING_BODY.slice(0, -1), 999), STREAMING).body);
    expect(error.code).toBe("IncompleteBody");
  });

  it("a line after the final chunk of a variant without trailers is IncompleteBody", async ({ expect }) => {
    const { error } = await failure(checkedBody(pieces(chunked(SIGNATURES, "junk\r\n"), 999), STREAMING).body);
    expect(error.code).toBe("IncompleteBody");
  });

  it("white space around the size, the extension's name and the signature is no part of them", async ({ expect }) => {
    for (const body of [
      STREAMING_BODY.replace("10000;", "10000 ;"),
      STREAMING_BODY.replace(";chunk-signature=", "; chunk-signature="),
      STREAMING_BODY.replace(`=${SIGNATURES[1]}\r\n`, `= ${SIGNATURES[1]} \r\n`),
    ]) {
      expect(await read(checkedBody(pieces(body, 999), STREAMING).body)).toBe(DECODED);
    }
  });

  it("a size that is not bare hex digits (0x400) is IncompleteBody", async ({ expect }) => {
    const { error } = await failure(checkedBody(pieces(STREAMING_BODY.replace("400;", "0x400;"), 999), STREAMING).body);
    expect(error.code).toBe("IncompleteBody");
  });

  it("a chunk extension other than chunk-signature is SignatureDoesNotMatch, even with the right signature", async ({
    expect,
  }) => {
    for (const body of [
      STREAMING_BODY.replace("400;chunk-signature=", "400;chunk-signaturx="),
      STREAMING_BODY.replace(`400;chunk-signature=${SIGNATURES[1]}`, "400;chunk-signature"),
    ]) {
      const { error } = await failure(checkedBody(pieces(body, 999), STREAMING).body);
      expect(error.code).toBe("SignatureDoesNotMatch");
    }
  });

  it("an empty chunk-signature, or one with a ';' in it, is IncompleteBody", async ({ expect }) => {
    for (const body of [
      STREAMING_BODY.replace(`chunk-signature=${SIGNATURES[1]}`, "chunk-signature="),
      STREAMING_BODY.replace(`chunk-signature=${SIGNATURES[1]}`, `chunk-signature=${SIGNATURES[1]};x=y`),
    ]) {
      const { error } = await failure(checkedBody(pieces(body, 999), STREAMING).body);
      expect(error.code).toBe("IncompleteBody");
    }
  });

  it("a chunk announcing more than x-amz-decoded-content-length is refused at its header, before its data", async ({
    expect,
  }) => {
    const { error, received } = await failure(
      checkedBody(pieces(STREAMING_BODY, 999), { ...STREAMING, decodedLength: 1000 }).body,
    );
    expect([error.code, error.fields, received]).toEqual([
      "IncompleteBody",
      { NumberBytesExpected: "1000", NumberBytesProvided: "65536" },
      0,
    ]);
  });

  it(`a framing line of exactly ${MAX_LINE} bytes is read; one byte more is InvalidRequest`, async ({ expect }) => {
    const unsigned: PayloadCheck = { mode: "chunked", signing: null, trailer: true, decodedLength: 1 };
    const trailer = (length: number) => `x-amz-checksum-crc32:${"s3SFCQ==".padEnd(length - 21)}`;
    const body = (length: number) => `1\r\na\r\n0\r\n${trailer(length)}\r\n\r\n`;
    expect(trailer(MAX_LINE).length).toBe(MAX_LINE);
    const { body: decoded, trailers } = checkedBody(pieces(body(MAX_LINE), 1000), unsigned);
    expect(await read(decoded)).toBe("a");
    expect(trailers.headers.get("x-amz-checksum-crc32")).toBe("s3SFCQ==");
    const { error } = await failure(checkedBody(pieces(body(MAX_LINE + 1), 1000), unsigned).body);
    expect([error.code, error.message]).toEqual([
      "InvalidRequest",
      `An aws-chunked line is longer than ${MAX_LINE} bytes`,
    ]);
  });
});

describe("which chunks are held until their signature holds", () => {
  async function early(check: PayloadCheck, size: number): Promise<boolean> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const reader = (checkedBody(readable, check).body as ReadableStream<Uint8Array>).getReader();
    const writer = writable.getWriter();
    const header = check.mode === "chunked" && check.signing ? `;chunk-signature=${"0".repeat(64)}` : "";
    void writer.write(encoder.encode(`${size.toString(16)}${header}\r\n`));
    // A part of the chunk's bytes only: whether they pass on does not wait for the rest.
    void writer.write(new Uint8Array(1024));
    const passed = await handsOnEarly(reader);
    await reader.cancel();
    return passed;
  }

  it("an unsigned chunk passes on as it comes", async ({ expect }) => {
    expect(await early({ mode: "chunked", signing: null, trailer: true, decodedLength: null }, 4096)).toBe(true);
  });

  it(`a signed chunk of ${MAX_HELD_CHUNK} bytes is held; one of a byte more passes on as it comes`, async ({
    expect,
  }) => {
    const check: PayloadCheck = { ...STREAMING, decodedLength: null };
    expect(await early(check, MAX_HELD_CHUNK)).toBe(false);
    expect(await early(check, MAX_HELD_CHUNK + 1)).toBe(true);
  });
});

describe("trailers, as Swift reads and signs them", () => {
  const UNSIGNED: PayloadCheck = { mode: "chunked", signing: null, trailer: true, decodedLength: 1 };
  const framed = (trailers: string) => `1\r\na\r\n0\r\n${trailers}\r\n`;

  it("several signed trailers sign sorted by lower-case name, each as sent, and are all recorded", async ({
    expect,
  }) => {
    const lines = "x-amz-meta-b:2\r\nX-Amz-Checksum-Crc32c:sOO8/Q==\r\nx-amz-meta-a:1\r\n";
    const body = signedTrailers(lines, "X-Amz-Checksum-Crc32c:sOO8/Q==\nx-amz-meta-a:1\nx-amz-meta-b:2\n");
    const { body: decoded, trailers } = checkedBody(pieces(body, 7000), SIGNED_TRAILER);
    expect(await read(decoded)).toBe(DECODED);
    expect(Object.fromEntries(trailers.headers)).toEqual({
      "x-amz-checksum-crc32c": "sOO8/Q==",
      "x-amz-meta-a": "1",
      "x-amz-meta-b": "2",
    });
    const unsorted = signedTrailers(lines, "x-amz-meta-b:2\nX-Amz-Checksum-Crc32c:sOO8/Q==\nx-amz-meta-a:1\n");
    expect((await failure(checkedBody(pieces(unsorted, 7000), SIGNED_TRAILER).body)).error.code).toBe(
      "SignatureDoesNotMatch",
    );
  });

  it("a second x-amz-trailer-signature is MalformedTrailerError, even when it is the right one", async ({ expect }) => {
    const body = chunked(
      TRAILER_SIGNATURES,
      `${TRAILER}x-amz-trailer-signature:${"0".repeat(64)}\r\nx-amz-trailer-signature:${TRAILER_SIGNATURE}\r\n\r\n`,
    );
    expect((await failure(checkedBody(pieces(body, 7000), SIGNED_TRAILER).body)).error.code).toBe(
      "MalformedTrailerError",
    );
  });

  it("a trailer's name and value are read without the white space around them", async ({ expect }) => {
    const { body, trailers } = checkedBody(pieces(framed("x-amz-checksum-crc32 :  s3SFCQ==\r\n"), 3), UNSIGNED);
    expect(await read(body)).toBe("a");
    expect([...trailers.headers]).toEqual([["x-amz-checksum-crc32", "s3SFCQ=="]]);
  });

  it("a trailer's value is read as UTF-8", async ({ expect }) => {
    const { body, trailers } = checkedBody(pieces(framed("x-amz-meta-note:caf\u00e9\r\n"), 3), UNSIGNED);
    await read(body);
    expect(trailers.headers.get("x-amz-meta-note")).toBe("café");
  });

  it(`${MAX_TRAILERS} trailers are read; one more is MalformedTrailerError`, async ({ expect }) => {
    const lines = (count: number) => Array.from({ length: count }, (_, i) => `x-amz-meta-t${i}:${i}\r\n`).join("");
    const { body, trailers } = checkedBody(pieces(framed(lines(MAX_TRAILERS)), 500), UNSIGNED);
    await read(body);
    expect(trailers.headers.size).toBe(MAX_TRAILERS);
    const { error } = await failure(checkedBody(pieces(framed(lines(MAX_TRAILERS + 1)), 500), UNSIGNED).body);
    expect(error.code).toBe("MalformedTrailerError");
  });
});
