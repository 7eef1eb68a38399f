/**
 * @module
 * SigV4 for S3: the signer's building blocks against AWS's SigV4 test suite (service "service",
 * which normalizes nothing S3 would not), the S3 examples of AWS's documentation verified end to end
 * (header auth, a presigned URL, the aws-chunked seeds), and every refusal verifyS3Request makes.
 * AWS: aws-sig-v4-test-suite (signature-v4-test-suite.html), sig-v4-header-based-auth.html,
 * sigv4-query-string-auth.html, sigv4-streaming.html, sigv4-streaming-trailers.html.
 */
import { describe, it } from "vitest";
import {
  amzDateOf,
  canonicalHeaderValue,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  EMPTY_SHA256,
  hasS3Authentication,
  hmacHex,
  type S3Credentials,
  sha256Hex,
  signingKey,
  stringToSign,
  verifyS3Request,
} from "../../../../src/proxy/auth/sigv4";
import { queryParameters } from "../../../../src/proxy/auth/sigv2";
import { S3Error } from "../../../../src/proxy/s3/errors";

async function failure(run: Promise<unknown>): Promise<S3Error> {
  try {
    await run;
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3Error");
}

// ---- AWS's SigV4 test suite (AKIDEXAMPLE, service "service", 2015-08-30) ------------------------

const SUITE_DATE = "20150830T123600Z";
const SUITE_SCOPE = "20150830/us-east-1/service/aws4_request";
const SUITE_KEY = signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service");

function suiteRequest(method: string, target: string, headers: Record<string, string> = {}): Request {
  return new Request(`https://example.amazonaws.com${target}`, {
    method,
    headers: { host: "example.amazonaws.com", "x-amz-date": SUITE_DATE, ...headers },
  });
}

function suiteSignature(request: Request, signedHeaders: string[], payloadHash = EMPTY_SHA256): string {
  return hmacHex(
    SUITE_KEY,
    stringToSign(SUITE_DATE, SUITE_SCOPE, canonicalRequest(request, signedHeaders, payloadHash)),
  );
}

const HOST_DATE = ["host", "x-amz-date"];

describe("the signer against AWS's SigV4 test suite", () => {
  it("get-vanilla: the canonical request, the string to sign and the signature", ({ expect }) => {
    const canonical = canonicalRequest(suiteRequest("GET", "/"), HOST_DATE, EMPTY_SHA256);
    expect(canonical).toBe(
      `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY_SHA256}`,
    );
    expect(stringToSign(SUITE_DATE, SUITE_SCOPE, canonical)).toBe(
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
    );
    expect(suiteSignature(suiteRequest("GET", "/"), HOST_DATE)).toBe(
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  const vectors: [name: string, request: () => Request, signed: string[], payload: string, signature: string][] = [
    [
      "get-vanilla-query",
      () => suiteRequest("GET", "/"),
      HOST_DATE,
      EMPTY_SHA256,
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ],
    [
      "get-vanilla-empty-query-key",
      () => suiteRequest("GET", "/?Param1=value1"),
      HOST_DATE,
      EMPTY_SHA256,
      "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    ],
    [
      "get-vanilla-query-order-key-case",
      () => suiteRequest("GET", "/?Param2=value2&Param1=value1"),
      HOST_DATE,
      EMPTY_SHA256,
      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ],
    [
      "get-vanilla-query-unreserved",
      () =>
        suiteRequest(
          "GET",
          "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=" +
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        ),
      HOST_DATE,
      EMPTY_SHA256,
      "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    ],
    [
      "get-vanilla-utf8-query",
      () => suiteRequest("GET", "/?ሴ=bar"),
      HOST_DATE,
      EMPTY_SHA256,
      "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    ],
    [
      "get-unreserved",
      () => suiteRequest("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
      HOST_DATE,
      EMPTY_SHA256,
      "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    ],
    [
      "get-utf8",
      () => suiteRequest("GET", "/ሴ"),
      HOST_DATE,
      EMPTY_SHA256,
      "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    ],
    [
      "get-space (unnormalized)",
      () => suiteRequest("GET", "/example space/"),
      HOST_DATE,
      EMPTY_SHA256,
      "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    ],
    [
      "get-header-value-trim",
      () => suiteRequest("GET", "/", { "my-header1": " value1", "my-header2": ' "a   b   c"' }),
      ["host", "my-header1", "my-header2", "x-amz-date"],
      EMPTY_SHA256,
      "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ],
    [
      "post-vanilla",
      () => suiteRequest("POST", "/"),
      HOST_DATE,
      EMPTY_SHA256,
      "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ],
    [
      "post-vanilla-query",
      () => suiteRequest("POST", "/?Param1=value1"),
      HOST_DATE,
      EMPTY_SHA256,
      "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    ],
    [
      "post-vanilla-query-nonunreserved",
      () => suiteRequest("POST", "/?%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D"),
      HOST_DATE,
      EMPTY_SHA256,
      "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e",
    ],
    [
      "post-header-key-sort",
      () => suiteRequest("POST", "/", { "My-Header1": "value1" }),
      ["host", "my-header1", "x-amz-date"],
      EMPTY_SHA256,
      "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    ],
    [
      "post-header-value-case",
      () => suiteRequest("POST", "/", { "My-Header1": "VALUE1" }),
      ["host", "my-header1", "x-amz-date"],
      EMPTY_SHA256,
      "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    ],
    [
      "post-x-www-form-urlencoded",
      () => suiteRequest("POST", "/", { "Content-Type": "application/x-www-form-urlencoded" }),
      ["content-type", "host", "x-amz-date"],
      sha256Hex("Param1=value1"),
      "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ],
    [
      "post-x-www-form-urlencoded-parameters",
      () => suiteRequest("POST", "/", { "Content-Type": "application/x-www-form-urlencoded; charset=utf8" }),
      ["content-type", "host", "x-amz-date"],
      sha256Hex("Param1=value1"),
      "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
    ],
  ];

  for (const [name, request, signed, payload, signature] of vectors) {
    it(`${name}: the published signature`, ({ expect }) => {
      expect(suiteSignature(request(), signed, payload)).toBe(signature);
    });
  }

  it("get-utf8 and get-space: the path is encoded once, as UTF-8, a space as %20", ({ expect }) => {
    expect(canonicalRequest(suiteRequest("GET", "/ሴ"), HOST_DATE, EMPTY_SHA256).split("\n")[1]).toBe("/%E1%88%B4");
    expect(canonicalRequest(suiteRequest("GET", "/example space/"), HOST_DATE, EMPTY_SHA256).split("\n")[1]).toBe(
      "/example%20space/",
    );
  });
});

// ---- The canonical request's parts -------------------------------------------------------------

describe("the canonical URI and query", () => {
  it("a path is decoded and encoded again the one way, so %2a and * both sign as %2A", ({ expect }) => {
    expect(canonicalUri(new URL("https://h/b/a*b").pathname)).toBe("/b/a%2Ab");
    expect(canonicalUri(new URL("https://h/b/a%2ab").pathname)).toBe("/b/a%2Ab");
    expect(canonicalUri(new URL("https://h/b/test$file.text").pathname)).toBe("/b/test%24file.text");
    expect(canonicalUri(new URL("https://h/b/a%7Eb+c").pathname)).toBe("/b/a~b%2Bc");
  });

  it("a path keeps its slashes, an escaped slash stays escaped, and nothing is normalized", ({ expect }) => {
    expect(canonicalUri("/b//a/./k")).toBe("/b//a/./k");
    expect(canonicalUri("/b/a%2fk")).toBe("/b/a%2Fk");
  });

  it("a query is sorted by encoded name then value, encoded with / and space escaped", ({ expect }) => {
    expect(canonicalQuery(queryParameters("?prefix=a/b c&list-type=2&uploads"))).toBe(
      "list-type=2&prefix=a%2Fb%20c&uploads=",
    );
    expect(canonicalQuery(queryParameters("?b=2&a=2&a=1&prefix=x+y"))).toBe("a=1&a=2&b=2&prefix=x%20y");
  });

  it("a presigned query leaves out X-Amz-Signature alone", ({ expect }) => {
    expect(canonicalQuery(queryParameters("?X-Amz-Signature=00&Signature=1&a=%2A"), "X-Amz-Signature")).toBe(
      "Signature=1&a=%2A",
    );
  });
});

// ---- S3's documented examples (examplebucket, AKIAIOSFODNN7EXAMPLE, 2013-05-24) ------------------

const KEY = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const CREDENTIALS: S3Credentials = { secretOf: (key) => (key === KEY ? SECRET : null), region: "us-east-1" };
const NOW = Date.UTC(2013, 4, 24);
const DATE = "20130524T000000Z";
const SCOPE = "20130524/us-east-1/s3/aws4_request";
const BUCKET = "https://examplebucket.s3.amazonaws.com";

function v4Authorization(signedHeaders: string, signature: string, credential = `${KEY}/${SCOPE}`): string {
  return `AWS4-HMAC-SHA256 Credential=${credential},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

describe("S3's header-auth examples", () => {
  it("GET Object with Range: the canonical request and the documented signature", async ({ expect }) => {
    const request = new Request(`${BUCKET}/test.txt`, {
      headers: {
        range: "bytes=0-9",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": DATE,
        authorization: v4Authorization(
          "host;range;x-amz-content-sha256;x-amz-date",
          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
      },
    });
    const canonical = canonicalRequest(request, ["host", "range", "x-amz-content-sha256", "x-amz-date"], EMPTY_SHA256);
    expect(sha256Hex(canonical)).toBe("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    expect(await verifyS3Request(request, CREDENTIALS, NOW)).toEqual({
      accessKey: KEY,
      payload: { mode: "sha256", sha256: EMPTY_SHA256 },
    });
  });

  it("PUT Object: a $ in the key signs as %24 and the body's sha256 is what must be checked", async ({ expect }) => {
    const bodySha = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    expect(sha256Hex("Welcome to Amazon S3.")).toBe(bodySha);
    const request = new Request(`${BUCKET}/test$file.text`, {
      method: "PUT",
      body: "Welcome to Amazon S3.",
      headers: {
        date: "Fri, 24 May 2013 00:00:00 GMT",
        "x-amz-date": DATE,
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "x-amz-content-sha256": bodySha,
        authorization: v4Authorization(
          "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
          "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
      },
    });
    expect(await verifyS3Request(request, CREDENTIALS, NOW)).toEqual({
      accessKey: KEY,
      payload: { mode: "sha256", sha256: bodySha },
    });
  });

  it("GET Bucket Lifecycle: a value-less ?lifecycle signs as lifecycle=", async ({ expect }) => {
    const request = new Request(`${BUCKET}/?lifecycle`, {
      headers: {
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": DATE,
        authorization: v4Authorization(
          "host;x-amz-content-sha256;x-amz-date",
          "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
      },
    });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });

  it("GET Bucket (List Objects): the query signs sorted", async ({ expect }) => {
    const request = new Request(`${BUCKET}/?prefix=J&max-keys=2`, {
      headers: {
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": DATE,
        authorization: v4Authorization(
          "host;x-amz-content-sha256;x-amz-date",
          "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
      },
    });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });
});

const PRESIGNED =
  `${BUCKET}/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F` +
  "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
  "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

describe("S3's presigned URL example", () => {
  it("the canonical request signs UNSIGNED-PAYLOAD and hashes as documented", ({ expect }) => {
    const canonical = canonicalRequest(new Request(PRESIGNED), ["host"], "UNSIGNED-PAYLOAD", "X-Amz-Signature");
    expect(canonical).toBe(
      "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F" +
        "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n" +
        "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD",
    );
    expect(stringToSign(DATE, SCOPE, canonical)).toBe(
      `AWS4-HMAC-SHA256\n${DATE}\n${SCOPE}\n3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04`,
    );
  });

  it("verifies until X-Amz-Date + X-Amz-Expires, with an unsigned payload", async ({ expect }) => {
    const signed = { accessKey: KEY, payload: { mode: "unsigned" } };
    expect(await verifyS3Request(new Request(PRESIGNED), CREDENTIALS, NOW)).toEqual(signed);
    expect(await verifyS3Request(new Request(PRESIGNED), CREDENTIALS, NOW + 86400_000)).toEqual(signed);
    // A clock a little behind the client's still accepts it.
    expect(await verifyS3Request(new Request(PRESIGNED), CREDENTIALS, NOW - 10 * 60_000)).toEqual(signed);
  });

  it("past its expiry it is AccessDenied 'Request has expired' with AWS's fields", async ({ expect }) => {
    const error = await failure(verifyS3Request(new Request(PRESIGNED), CREDENTIALS, NOW + 86400_000 + 1000));
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toBe("Request has expired");
    expect(error.fields).toEqual({
      "X-Amz-Expires": "86400",
      Expires: "2013-05-25T00:00:00Z",
      ServerTime: "2013-05-25T00:00:01Z",
    });
  });

  it("signed more than 15 minutes in the future it is not valid yet", async ({ expect }) => {
    const error = await failure(verifyS3Request(new Request(PRESIGNED), CREDENTIALS, NOW - 16 * 60_000));
    expect([error.code, error.message]).toEqual(["AccessDenied", "Request is not valid yet"]);
  });

  it("a changed path or parameter no longer matches", async ({ expect }) => {
    const moved = PRESIGNED.replace("/test.txt", "/test2.txt");
    expect((await failure(verifyS3Request(new Request(moved), CREDENTIALS, NOW))).code).toBe("SignatureDoesNotMatch");
    const added = `${PRESIGNED}&versionId=1`;
    expect((await failure(verifyS3Request(new Request(added), CREDENTIALS, NOW))).code).toBe("SignatureDoesNotMatch");
  });

  it("X-Amz-Expires over a week is AuthorizationQueryParametersError", async ({ expect }) => {
    const long = PRESIGNED.replace("X-Amz-Expires=86400", "X-Amz-Expires=604801");
    const error = await failure(verifyS3Request(new Request(long), CREDENTIALS, NOW));
    expect(error.code).toBe("AuthorizationQueryParametersError");
    expect(error.message).toContain("604800");
    const negative = PRESIGNED.replace("X-Amz-Expires=86400", "X-Amz-Expires=-1");
    expect((await failure(verifyS3Request(new Request(negative), CREDENTIALS, NOW))).message).toBe(
      "X-Amz-Expires must be non-negative",
    );
  });

  it("a missing parameter, another algorithm or a bad X-Amz-Date is AuthorizationQueryParametersError", async ({
    expect,
  }) => {
    for (const url of [
      PRESIGNED.replace("&X-Amz-SignedHeaders=host", ""),
      PRESIGNED.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
      PRESIGNED.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"),
    ]) {
      expect((await failure(verifyS3Request(new Request(url), CREDENTIALS, NOW))).code).toBe(
        "AuthorizationQueryParametersError",
      );
    }
  });

  it("a credential for another region names the expected one", async ({ expect }) => {
    const west = PRESIGNED.replace("us-east-1", "us-west-2");
    const error = await failure(verifyS3Request(new Request(west), CREDENTIALS, NOW));
    expect(error.code).toBe("AuthorizationQueryParametersError");
    expect(error.message).toBe(
      "Error parsing the X-Amz-Credential parameter; the region 'us-west-2' is wrong; expecting 'us-east-1'",
    );
    expect(error.fields).toEqual({ Region: "us-east-1" });
  });
});

// ---- aws-chunked seeds ---------------------------------------------------------------------------

describe("S3's streaming examples: the seed signature and what the chunks chain from", () => {
  const streamingHeaders = {
    "content-encoding": "aws-chunked",
    "x-amz-date": DATE,
    "x-amz-decoded-content-length": "66560",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
  };

  it("STREAMING-AWS4-HMAC-SHA256-PAYLOAD: chunked, signed from the seed", async ({ expect }) => {
    const request = new Request("https://s3.amazonaws.com/examplebucket/chunkObject.txt", {
      method: "PUT",
      headers: {
        ...streamingHeaders,
        "content-length": "66824",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        authorization: v4Authorization(
          "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;" +
            "x-amz-storage-class",
          "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        ),
      },
    });
    const signed = await verifyS3Request(request, CREDENTIALS, NOW);
    expect(signed?.payload).toEqual({
      mode: "chunked",
      signing: {
        signingKey: signingKey(SECRET, "20130524", "us-east-1"),
        seedSignature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        amzDate: DATE,
        scope: SCOPE,
      },
      trailer: false,
      decodedLength: 66560,
    });
  });

  it("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: chunked, signed, with trailers", async ({ expect }) => {
    const request = new Request("https://s3.amazonaws.com/examplebucket/chunkObject.txt", {
      method: "PUT",
      headers: {
        ...streamingHeaders,
        "x-amz-trailer": "x-amz-checksum-crc32c",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        authorization: v4Authorization(
          "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;" +
            "x-amz-storage-class;x-amz-trailer",
          "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
        ),
      },
    });
    const payload = (await verifyS3Request(request, CREDENTIALS, NOW))?.payload;
    expect(payload).toMatchObject({ mode: "chunked", trailer: true, decodedLength: 66560 });
    expect(payload?.mode === "chunked" && payload.signing?.seedSignature).toBe(
      "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    );
  });

  it("STREAMING-UNSIGNED-PAYLOAD-TRAILER (the S3 user guide's trailing-checksum example): unsigned chunks", async ({
    expect,
  }) => {
    const request = new Request("https://amzn-s3-demo-bucket.s3.amazonaws.com/Key+", {
      method: "PUT",
      headers: {
        "content-encoding": "aws-chunked",
        "x-amz-date": DATE,
        "x-amz-decoded-content-length": "17408",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32",
        authorization: v4Authorization(
          "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer",
          "8fdf2b7a7005b82789d2a9cec832705457298e8a6a908f8c85f17e44c707aa64",
        ),
      },
    });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.payload).toEqual({
      mode: "chunked",
      signing: null,
      trailer: true,
      decodedLength: 17408,
    });
  });
});

// ---- Refusals ------------------------------------------------------------------------------------

interface SignOptions {
  method?: string;
  headers?: Record<string, string>;
  signedHeaders?: string[];
  payloadHash?: string | null;
  amzDate?: string;
  scope?: string;
  accessKey?: string;
  secret?: string;
}

/** A request signed as an SDK signs it (the signer's parts are what the vectors above check). */
function signed(url: string, options: SignOptions = {}): Request {
  const amzDate = options.amzDate ?? DATE;
  const scope = options.scope ?? `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const payloadHash = options.payloadHash === undefined ? EMPTY_SHA256 : options.payloadHash;
  const headers: Record<string, string> = { "x-amz-date": amzDate, ...options.headers };
  if (payloadHash !== null) headers["x-amz-content-sha256"] = payloadHash;
  const signedHeaders = options.signedHeaders ?? ["host", ...Object.keys(headers).sort()];
  const unsigned = new Request(url, { method: options.method ?? "GET", headers });
  const [date, region, service] = scope.split("/") as [string, string, string];
  const key = signingKey(options.secret ?? SECRET, date, region, service);
  const canonical = canonicalRequest(unsigned, signedHeaders, payloadHash ?? "UNSIGNED-PAYLOAD");
  const signature = hmacHex(key, stringToSign(amzDate, scope, canonical));
  const authorization = v4Authorization(signedHeaders.join(";"), signature, `${options.accessKey ?? KEY}/${scope}`);
  return new Request(unsigned, { headers: { ...headers, authorization } });
}

describe("header-auth refusals", () => {
  it("a request signed the way SDKs sign verifies, and answers its access key", async ({ expect }) => {
    const request = signed(`${BUCKET}/a%20b/c*d?uploads&prefix=x%2Fy`, { headers: { "x-amz-meta-a": "1" } });
    expect(await verifyS3Request(request, CREDENTIALS, NOW)).toEqual({
      accessKey: KEY,
      payload: { mode: "sha256", sha256: EMPTY_SHA256 },
    });
  });

  it("a request without any S3 signature is not S3 authenticated: null", async ({ expect }) => {
    expect(await verifyS3Request(new Request(`${BUCKET}/k`), CREDENTIALS, NOW)).toBeNull();
    const bearer = new Request(`${BUCKET}/k`, { headers: { authorization: "Bearer x" } });
    expect(await verifyS3Request(bearer, CREDENTIALS, NOW)).toBeNull();
  });

  it("an unknown access key is InvalidAccessKeyId", async ({ expect }) => {
    const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { accessKey: "NOSUCHKEY" }), CREDENTIALS, NOW));
    expect([error.code, error.fields.AWSAccessKeyId]).toEqual(["InvalidAccessKeyId", "NOSUCHKEY"]);
  });

  it("a wrong secret, or a signed header changed on the way, is SignatureDoesNotMatch with AWS's fields", async ({
    expect,
  }) => {
    const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { secret: "other" }), CREDENTIALS, NOW));
    expect(error.code).toBe("SignatureDoesNotMatch");
    expect(Object.keys(error.fields)).toEqual([
      "AWSAccessKeyId",
      "StringToSign",
      "SignatureProvided",
      "StringToSignBytes",
      "CanonicalRequest",
      "CanonicalRequestBytes",
    ]);
    expect(error.fields.CanonicalRequest).toContain("GET\n/k\n");
    const original = signed(`${BUCKET}/k`, { headers: { range: "bytes=0-9" } });
    const changed = new Request(original, {
      headers: { ...Object.fromEntries(original.headers), range: "bytes=0-99" },
    });
    expect((await failure(verifyS3Request(changed, CREDENTIALS, NOW))).code).toBe("SignatureDoesNotMatch");
  });

  it("headers the runtime adds (cf-*, x-forwarded-*) count only when the client signed them", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`);
    const withRuntime = new Request(request, {
      headers: { ...Object.fromEntries(request.headers), "cf-connecting-ip": "192.0.2.1", "x-forwarded-for": "x" },
    });
    expect((await verifyS3Request(withRuntime, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });

  it("x-amz-date more than 15 minutes from the server's clock is RequestTimeTooSkewed", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`);
    expect((await verifyS3Request(request, CREDENTIALS, NOW + 15 * 60_000))?.accessKey).toBe(KEY);
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW - 15 * 60_000 - 1000));
    expect(error.code).toBe("RequestTimeTooSkewed");
    expect(error.fields).toEqual({
      RequestTime: DATE,
      ServerTime: "2013-05-23T23:44:59Z",
      MaxAllowedSkewMilliseconds: "900000",
    });
  });

  it("the Date header stands in for a missing x-amz-date", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`, {
      headers: { date: "Fri, 24 May 2013 00:00:00 GMT" },
      signedHeaders: ["date", "host", "x-amz-content-sha256"],
    });
    const withoutAmzDate = new Request(request, {
      headers: { ...Object.fromEntries([...request.headers].filter(([name]) => name !== "x-amz-date")) },
    });
    expect((await verifyS3Request(withoutAmzDate, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });

  it("neither x-amz-date nor Date is AccessDenied", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`);
    const dateless = new Request(request, {
      headers: { ...Object.fromEntries([...request.headers].filter(([name]) => name !== "x-amz-date")) },
    });
    const error = await failure(verifyS3Request(dateless, CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual([
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    ]);
    const garbled = signed(`${BUCKET}/k`, { amzDate: "2013-05-24T00:00:00Z", scope: SCOPE });
    expect((await failure(verifyS3Request(garbled, CREDENTIALS, NOW))).code).toBe("AccessDenied");
  });

  it("no x-amz-content-sha256 is InvalidRequest; an unknown one is InvalidArgument", async ({ expect }) => {
    const missing = await failure(verifyS3Request(signed(`${BUCKET}/k`, { payloadHash: null }), CREDENTIALS, NOW));
    expect([missing.code, missing.message]).toEqual([
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    ]);
    const bad = await failure(verifyS3Request(signed(`${BUCKET}/k`, { payloadHash: "abc" }), CREDENTIALS, NOW));
    expect([bad.code, bad.fields.ArgumentName, bad.fields.ArgumentValue]).toEqual([
      "InvalidArgument",
      "x-amz-content-sha256",
      "abc",
    ]);
  });

  it("UNSIGNED-PAYLOAD is unsigned; an upper-case sha256 is checked lower-cased", async ({ expect }) => {
    const unsigned = signed(`${BUCKET}/k`, { method: "PUT", payloadHash: "UNSIGNED-PAYLOAD" });
    expect((await verifyS3Request(unsigned, CREDENTIALS, NOW))?.payload).toEqual({ mode: "unsigned" });
    const upper = signed(`${BUCKET}/k`, { method: "PUT", payloadHash: EMPTY_SHA256.toUpperCase() });
    expect((await verifyS3Request(upper, CREDENTIALS, NOW))?.payload).toEqual({ mode: "sha256", sha256: EMPTY_SHA256 });
  });

  it("a credential for another region is AuthorizationHeaderMalformed naming the expected region", async ({
    expect,
  }) => {
    const request = signed(`${BUCKET}/k`, { scope: "20130524/eu-west-1/s3/aws4_request" });
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
    expect(error.code).toBe("AuthorizationHeaderMalformed");
    expect(error.message).toBe(
      "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
    );
    expect(error.fields).toEqual({ Region: "us-east-1" });
  });

  it("another service, another terminal or another day than x-amz-date's is AuthorizationHeaderMalformed", async ({
    expect,
  }) => {
    for (const scope of [
      "20130524/us-east-1/iam/aws4_request",
      "20130524/us-east-1/s3/aws3_request",
      "20130523/us-east-1/s3/aws4_request",
    ]) {
      const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { scope }), CREDENTIALS, NOW));
      expect(error.code).toBe("AuthorizationHeaderMalformed");
    }
  });

  it("an Authorization header missing a component or with a mal-formed credential is malformed", async ({ expect }) => {
    for (const authorization of [
      `AWS4-HMAC-SHA256 Credential=${KEY}/${SCOPE}, SignedHeaders=host`,
      `AWS4-HMAC-SHA256 Credential=${KEY}/20130524/us-east-1, SignedHeaders=host, Signature=00`,
      `AWS4-HMAC-SHA256 Credential=${KEY}/${SCOPE}, SignedHeaders=host, Signature=00, Extra=1`,
    ]) {
      const request = new Request(`${BUCKET}/k`, {
        headers: { authorization, "x-amz-date": DATE, "x-amz-content-sha256": EMPTY_SHA256 },
      });
      expect((await failure(verifyS3Request(request, CREDENTIALS, NOW))).code).toBe("AuthorizationHeaderMalformed");
    }
  });

  it("another algorithm in the Authorization header is InvalidArgument", async ({ expect }) => {
    const request = new Request(`${BUCKET}/k`, { headers: { authorization: "AWS4-ECDSA-P256-SHA256 Credential=x" } });
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual(["InvalidArgument", "Unsupported Authorization Type"]);
  });

  it("host unsigned, or an x-amz-meta-* header unsigned, is AccessDenied naming the headers", async ({ expect }) => {
    const hostless = signed(`${BUCKET}/k`, { signedHeaders: ["x-amz-content-sha256", "x-amz-date"] });
    const error = await failure(verifyS3Request(hostless, CREDENTIALS, NOW));
    expect([error.code, error.fields.HeadersNotSigned]).toEqual(["AccessDenied", "host"]);
    const request = signed(`${BUCKET}/k`, { method: "PUT" });
    const smuggled = new Request(request, {
      headers: { ...Object.fromEntries(request.headers), "x-amz-meta-owner": "mallory", "x-amz-acl": "public-read" },
    });
    const unsignedMeta = await failure(verifyS3Request(smuggled, CREDENTIALS, NOW));
    expect(unsignedMeta.fields.HeadersNotSigned).toBe("x-amz-acl, x-amz-meta-owner");
  });

  it("both an Authorization header and a presigned query is InvalidArgument", async ({ expect }) => {
    const request = signed(`${PRESIGNED}`);
    expect((await failure(verifyS3Request(request, CREDENTIALS, NOW))).code).toBe("InvalidArgument");
  });
});

describe("detection", () => {
  it("hasS3Authentication: V4 or V2, header or query, and nothing else", ({ expect }) => {
    expect(hasS3Authentication(new Request(PRESIGNED))).toBe(true);
    expect(hasS3Authentication(new Request(`${BUCKET}/k?AWSAccessKeyId=a&Expires=1&Signature=s`))).toBe(true);
    expect(hasS3Authentication(signed(`${BUCKET}/k`))).toBe(true);
    expect(hasS3Authentication(new Request(`${BUCKET}/k`, { headers: { authorization: "AWS a:b" } }))).toBe(true);
    expect(hasS3Authentication(new Request(`${BUCKET}/k`))).toBe(false);
    expect(hasS3Authentication(new Request(`${BUCKET}/k?temp_url_sig=x&temp_url_expires=1`))).toBe(false);
    expect(hasS3Authentication(new Request(`${BUCKET}/k`, { headers: { "x-auth-token": "AUTH_tk" } }))).toBe(false);
  });

  it("amzDateOf writes SigV4's basic ISO form", ({ expect }) => {
    expect(amzDateOf(NOW)).toBe(DATE);
  });
});

// ---- Beyond the examples: the canonical form's edges, and every refusal AWS words -----------------

const encoder = new TextEncoder();

function spacedBytes(text: string): string {
  return Array.from(encoder.encode(text), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** `request` with its headers changed: `set` added or replaced, `drop` removed. */
function withHeaders(request: Request, set: Record<string, string>, drop: string[] = []): Request {
  const headers = Object.fromEntries([...request.headers].filter(([name]) => !drop.includes(name)));
  return new Request(request, { headers: { ...headers, ...set } });
}

/** The same request with its Authorization header's text rewritten. */
function reauthorized(request: Request, rewrite: (authorization: string) => string): Request {
  return withHeaders(request, { authorization: rewrite(request.headers.get("authorization") ?? "") });
}

interface PresignOptions {
  amzDate?: string;
  scope?: string;
  expires?: string;
  signedHeaders?: string[];
  headers?: Record<string, string>;
  /** More query parameters, signed with the rest. */
  extra?: string;
  /** Parameters to leave out of the URL (the signature is computed without them). */
  omit?: string[];
  payloadHash?: string;
}

/** A presigned URL as SDKs presign it, signed over the URL it ends up as. */
function presigned(path: string, options: PresignOptions = {}): Request {
  const amzDate = options.amzDate ?? DATE;
  const scope = options.scope ?? `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const signedHeaders = options.signedHeaders ?? ["host"];
  const parameters: [string, string][] = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${KEY}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", options.expires ?? "86400"],
    ["X-Amz-SignedHeaders", signedHeaders.join(";")],
  ];
  const query = parameters
    .filter(([name]) => !options.omit?.includes(name))
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .concat(options.extra ? [options.extra] : [])
    .join("&");
  const unsigned = new Request(`${BUCKET}${path}?${query}`, { headers: options.headers ?? {} });
  const [date, region, service] = scope.split("/") as [string, string, string];
  const canonical = canonicalRequest(unsigned, signedHeaders, options.payloadHash ?? "UNSIGNED-PAYLOAD");
  const signature = hmacHex(signingKey(SECRET, date, region, service), stringToSign(amzDate, scope, canonical));
  return new Request(`${unsigned.url}&X-Amz-Signature=${signature}`, { headers: options.headers ?? {} });
}

describe("the canonical request's edges", () => {
  it("two values of one parameter sort by value whatever order they came in", ({ expect }) => {
    expect(canonicalQuery(queryParameters("?a=1&a=2"))).toBe("a=1&a=2");
    expect(canonicalQuery(queryParameters("?a=2&a=1"))).toBe("a=1&a=2");
  });

  it("a signed header that did not arrive signs empty; only host falls back to the URL's", ({ expect }) => {
    const canonical = canonicalRequest(new Request(`${BUCKET}/k`), ["content-md5", "host"], EMPTY_SHA256);
    expect(canonical.split("\n").slice(3, 5)).toEqual(["content-md5:", "host:examplebucket.s3.amazonaws.com"]);
  });

  it("a header value is trimmed of any white space AWS trims, vertical tab and form feed too", ({ expect }) => {
    const request = new Request(`${BUCKET}/k`, { headers: { "x-amz-meta-a": "\u000ba \t b\u000c" } });
    expect(canonicalHeaderValue(request, "x-amz-meta-a")).toBe("a b");
  });

  it("a path not escaped by a URL parser signs its UTF-8 bytes escaped", ({ expect }) => {
    expect(canonicalUri("/b/ሴ😀")).toBe("/b/%E1%88%B4%F0%9F%98%80");
  });

  it("sha256Hex of bytes hashes the bytes (AWS's 1 KiB chunk of 'a')", ({ expect }) => {
    expect(sha256Hex(encoder.encode("a".repeat(1024)))).toBe(
      "2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a",
    );
  });
});

describe("the Authorization header as AWS documents it", () => {
  it("components separated by ', ' as in AWS's own example verify", async ({ expect }) => {
    const request = new Request(`${BUCKET}/test.txt`, {
      headers: {
        range: "bytes=0-9",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": DATE,
        authorization:
          `AWS4-HMAC-SHA256 Credential=${KEY}/${SCOPE}, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ` +
          "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
      },
    });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });

  it("a trailing comma is skipped; spaces around a value or a signed header name are not part of it", async ({
    expect,
  }) => {
    const request = signed(`${BUCKET}/k`);
    for (const rewrite of [
      (authorization: string) => `${authorization},`,
      (authorization: string) => authorization.replace("Signature=", "Signature=  "),
      (authorization: string) => authorization.replace(";x-amz-date", "; x-amz-date"),
    ]) {
      expect((await verifyS3Request(reauthorized(request, rewrite), CREDENTIALS, NOW))?.accessKey).toBe(KEY);
    }
  });

  it("a component without '=' is AuthorizationHeaderMalformed naming it", async ({ expect }) => {
    const request = reauthorized(signed(`${BUCKET}/k`), (authorization) =>
      authorization.replace(/Signature=[0-9a-f]+/, "Signature"),
    );
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual([
      "AuthorizationHeaderMalformed",
      'The authorization header is malformed; the authorization component "Signature" is malformed.',
    ]);
  });

  it("without Credential or without SignedHeaders it is AuthorizationHeaderMalformed asking for all three", async ({
    expect,
  }) => {
    const request = signed(`${BUCKET}/k`);
    for (const rewrite of [
      (authorization: string) => authorization.replace(/Credential=[^,]*,/, ""),
      (authorization: string) => authorization.replace(/SignedHeaders=[^,]*,/, ""),
      (authorization: string) => authorization.replace(/Credential=[^,]*,/, "Credential=,"),
    ]) {
      const error = await failure(verifyS3Request(reauthorized(request, rewrite), CREDENTIALS, NOW));
      expect([error.code, error.message]).toEqual([
        "AuthorizationHeaderMalformed",
        "The authorization header is malformed; the authorization header requires three components: Credential, " +
          "SignedHeaders, and Signature.",
      ]);
    }
  });

  it("an empty name among SignedHeaders is AuthorizationHeaderMalformed", async ({ expect }) => {
    const request = reauthorized(signed(`${BUCKET}/k`), (authorization) => authorization.replace("host;", "host;;"));
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual([
      "AuthorizationHeaderMalformed",
      "The authorization header is malformed; the SignedHeaders are malformed.",
    ]);
  });

  it("another algorithm is InvalidArgument naming the Authorization header", async ({ expect }) => {
    const authorization = "AWS4-ECDSA-P256-SHA256 Credential=x";
    const error = await failure(
      verifyS3Request(new Request(`${BUCKET}/k`, { headers: { authorization } }), CREDENTIALS, NOW),
    );
    expect(error.fields).toEqual({ ArgumentName: "Authorization", ArgumentValue: authorization });
  });
});

describe("the credential scope", () => {
  it("an access key holding a slash is read up to the scope's four parts", async ({ expect }) => {
    const credentials: S3Credentials = {
      secretOf: (key) => (key === "team/alice" ? SECRET : null),
      region: "us-east-1",
    };
    const request = signed(`${BUCKET}/k`, { accessKey: "team/alice" });
    expect((await verifyS3Request(request, credentials, NOW))?.accessKey).toBe("team/alice");
  });

  it("an empty access key is AuthorizationHeaderMalformed: the Credential is mal-formed", async ({ expect }) => {
    const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { accessKey: "" }), CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual([
      "AuthorizationHeaderMalformed",
      'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/' +
        'SERVICE/aws4_request".',
    ]);
  });

  it("another day, service or terminal is refused in AWS's words", async ({ expect }) => {
    const cases: [scope: string, message: string][] = [
      [
        "20130523/us-east-1/s3/aws4_request",
        'Invalid credential date "20130523". This date is not the same as X-Amz-Date: "20130524".',
      ],
      [
        "20130524/us-east-1/iam/aws4_request",
        'The authorization header is malformed; incorrect service "iam". This endpoint belongs to "s3".',
      ],
      [
        "20130524/us-east-1/s3/aws3_request",
        'The authorization header is malformed; incorrect terminal "aws3_request". This endpoint uses "aws4_request".',
      ],
    ];
    for (const [scope, message] of cases) {
      const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { scope }), CREDENTIALS, NOW));
      expect([error.code, error.message]).toEqual(["AuthorizationHeaderMalformed", message]);
    }
  });

  it("a region configured with capitals takes a credential scoped to it as written or lower-cased", async ({
    expect,
  }) => {
    const credentials: S3Credentials = { ...CREDENTIALS, region: "Lab-East-1" };
    for (const region of ["Lab-East-1", "lab-east-1"]) {
      const request = signed(`${BUCKET}/k`, { scope: `20130524/${region}/s3/aws4_request` });
      expect((await verifyS3Request(request, credentials, NOW))?.accessKey, region).toBe(KEY);
    }
    const upper = signed(`${BUCKET}/k`, { scope: "20130524/LAB-EAST-1/s3/aws4_request" });
    expect((await failure(verifyS3Request(upper, credentials, NOW))).code).toBe("AuthorizationHeaderMalformed");
  });
});

describe("x-amz-date and Date in header auth", () => {
  it("an x-amz-date with anything before or after the basic form is AccessDenied", async ({ expect }) => {
    for (const amzDate of ["20130524T000000Zx", "x20130524T000000Z", "120130524T000000Z"]) {
      const request = signed(`${BUCKET}/k`, { amzDate, scope: SCOPE });
      const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
      expect([error.code, error.message], amzDate).toEqual([
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
      ]);
    }
  });

  it("RequestTimeTooSkewed names the time as sent: x-amz-date when both are sent, else the Date", async ({
    expect,
  }) => {
    const date = "Fri, 24 May 2013 00:00:00 GMT";
    const both = signed(`${BUCKET}/k`, { headers: { date } });
    const skewed = NOW + 16 * 60_000;
    expect((await failure(verifyS3Request(both, CREDENTIALS, skewed))).fields.RequestTime).toBe(DATE);
    const dateOnly = withHeaders(
      signed(`${BUCKET}/k`, { headers: { date }, signedHeaders: ["date", "host", "x-amz-content-sha256"] }),
      {},
      ["x-amz-date"],
    );
    expect((await failure(verifyS3Request(dateOnly, CREDENTIALS, skewed))).fields.RequestTime).toBe(date);
  });
});

describe("x-amz-content-sha256 and the body it asks for", () => {
  it("a SigV4a streaming variant is NotImplemented", async ({ expect }) => {
    const value = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
    const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { payloadHash: value }), CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual(["NotImplemented", `Don't know how to validate ${value} streams`]);
  });

  it("an unknown value is InvalidArgument listing the accepted ones", async ({ expect }) => {
    const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { payloadHash: "abc" }), CREDENTIALS, NOW));
    expect(error.message).toBe(
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, " +
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
    );
  });

  it("a streaming body without x-amz-decoded-content-length has no length to check", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`, { method: "PUT", payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER" });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.payload).toEqual({
      mode: "chunked",
      signing: null,
      trailer: true,
      decodedLength: null,
    });
  });

  it("an x-amz-decoded-content-length that is not a count of bytes is InvalidArgument", async ({ expect }) => {
    for (const length of ["abc", "12abc", "abc12", "-1", "1234567890123456"]) {
      const request = signed(`${BUCKET}/k`, {
        method: "PUT",
        payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        headers: { "x-amz-decoded-content-length": length },
      });
      const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
      expect([error.code, error.fields], length).toEqual([
        "InvalidArgument",
        { ArgumentName: "x-amz-decoded-content-length", ArgumentValue: length },
      ]);
    }
  });
});

describe("what the signature covers", () => {
  it("SignatureDoesNotMatch carries the string to sign and canonical request as AWS's spaced hex bytes", async ({
    expect,
  }) => {
    const error = await failure(verifyS3Request(signed(`${BUCKET}/k`, { secret: "other" }), CREDENTIALS, NOW));
    const { StringToSign, CanonicalRequest } = error.fields as Record<string, string>;
    expect(error.fields.StringToSignBytes?.startsWith("41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a")).toBe(true);
    expect(error.fields.StringToSignBytes).toBe(spacedBytes(StringToSign ?? "x"));
    expect(error.fields.CanonicalRequestBytes).toBe(spacedBytes(CanonicalRequest ?? "x"));
  });

  it("an unsigned x-amz-* header that must be signed is AccessDenied in AWS's words", async ({ expect }) => {
    const request = withHeaders(signed(`${BUCKET}/k`, { method: "PUT" }), { "x-amz-acl": "public-read" });
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual([
      "AccessDenied",
      "There were headers present in the request which were not signed",
    ]);
  });

  it("a key whose / is sent as %2F verifies signed as sent and signed with the slash decoded", async ({ expect }) => {
    const asSent = signed(`${BUCKET}/dir%2Ffile`);
    expect((await verifyS3Request(asSent, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
    const decoded = signed(`${BUCKET}/dir/file`);
    const sentEscaped = new Request(`${BUCKET}/dir%2Ffile`, { headers: decoded.headers });
    expect((await verifyS3Request(sentEscaped, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
    const elsewhere = new Request(`${BUCKET}/dir%2Fother`, { headers: decoded.headers });
    expect((await failure(verifyS3Request(elsewhere, CREDENTIALS, NOW))).code).toBe("SignatureDoesNotMatch");
  });

  it("a signed Accept-Encoding the runtime rewrote verifies as the client signed it", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`, { headers: { "accept-encoding": "gzip" } });
    const rewritten = withHeaders(request, { "accept-encoding": "br, gzip" });
    expect((await verifyS3Request(rewritten, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });

  it("only the Accept-Encoding header is tried with other encodings, not a value that reads like one", async ({
    expect,
  }) => {
    const request = signed(`${BUCKET}/k`, { headers: { "x-amz-meta-note": "accept-encoding:gzip" } });
    const changed = withHeaders(request, { "x-amz-meta-note": "accept-encoding:br" });
    expect((await failure(verifyS3Request(changed, CREDENTIALS, NOW))).code).toBe("SignatureDoesNotMatch");
  });

  it("a V2 header with a presigned query too is InvalidArgument: one auth mechanism only", async ({ expect }) => {
    const authorization = "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=";
    for (const query of ["X-Amz-Algorithm=AWS4-HMAC-SHA256", "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE"]) {
      const request = new Request(`${BUCKET}/k?${query}`, { headers: { authorization, date: "x" } });
      const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
      expect([error.code, error.message, error.fields]).toEqual([
        "InvalidArgument",
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string " +
          "parameter or the Authorization header should be specified",
        { ArgumentName: "Authorization", ArgumentValue: authorization },
      ]);
    }
  });
});

describe("presigned URLs: every parameter and its bounds", () => {
  const MISSING =
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, " +
    "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

  it("a presigned URL signed as SDKs sign it verifies", async ({ expect }) => {
    expect(await verifyS3Request(presigned("/k"), CREDENTIALS, NOW)).toEqual({
      accessKey: KEY,
      payload: { mode: "unsigned" },
    });
  });

  it("each missing parameter is AuthorizationQueryParametersError listing the six", async ({ expect }) => {
    for (const name of ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"]) {
      const error = await failure(verifyS3Request(presigned("/k", { omit: [name] }), CREDENTIALS, NOW));
      expect([error.code, error.message], name).toEqual(["AuthorizationQueryParametersError", MISSING]);
    }
    const unsigned = new Request(presigned("/k").url.replace(/&X-Amz-Signature=[0-9a-f]+/, ""));
    expect((await failure(verifyS3Request(unsigned, CREDENTIALS, NOW))).message).toBe(MISSING);
  });

  it("another algorithm is refused naming the one supported", async ({ expect }) => {
    const request = new Request(presigned("/k").url.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"));
    expect((await failure(verifyS3Request(request, CREDENTIALS, NOW))).message).toBe(
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  });

  it("an X-Amz-Date that is no real time in the basic form is refused as not ISO 8601", async ({ expect }) => {
    for (const amzDate of [
      "2013-05-24",
      "20130231T000000Z",
      "20131324T000000Z",
      "20130524T240000Z",
      "20130524T006000Z",
      "20130524T000060Z",
      "x20130524T000000Z",
      "20130524T000000Zx",
    ]) {
      const request = presigned("/k", { amzDate, scope: `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request` });
      const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
      expect([error.code, error.message], amzDate).toEqual([
        "AuthorizationQueryParametersError",
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
      ]);
    }
  });

  it("the last second of a day is a real time", async ({ expect }) => {
    const request = presigned("/k", { amzDate: "20130524T235959Z" });
    expect((await verifyS3Request(request, CREDENTIALS, Date.UTC(2013, 4, 24, 23, 59, 59)))?.accessKey).toBe(KEY);
  });

  it("an X-Amz-Expires that is no whole number is AuthorizationQueryParametersError", async ({ expect }) => {
    for (const expires of ["abc", "60x", "x60", "1.5", "1234567890123456"]) {
      const error = await failure(verifyS3Request(presigned("/k", { expires }), CREDENTIALS, NOW));
      expect([error.code, error.message], expires).toEqual([
        "AuthorizationQueryParametersError",
        "X-Amz-Expires should be a number",
      ]);
    }
  });

  it("a presigned URL whose X-Amz-Expires is 604800 (a week) verifies; 604801 is refused in AWS's words", async ({
    expect,
  }) => {
    expect((await verifyS3Request(presigned("/k", { expires: "604800" }), CREDENTIALS, NOW))?.accessKey).toBe(KEY);
    const error = await failure(verifyS3Request(presigned("/k", { expires: "604801" }), CREDENTIALS, NOW));
    expect([error.code, error.message]).toEqual([
      "AuthorizationQueryParametersError",
      "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than " +
        "604800 seconds",
    ]);
  });

  it("an X-Amz-Date 15 minutes ahead of the server's clock is still valid", async ({ expect }) => {
    expect((await verifyS3Request(presigned("/k"), CREDENTIALS, NOW - 15 * 60_000))?.accessKey).toBe(KEY);
  });

  it("an x-amz-* header that must be signed and was not is AccessDenied", async ({ expect }) => {
    const request = withHeaders(presigned("/k"), { "x-amz-acl": "public-read" });
    const error = await failure(verifyS3Request(request, CREDENTIALS, NOW));
    expect([error.code, error.fields.HeadersNotSigned]).toEqual(["AccessDenied", "x-amz-acl"]);
  });

  it("X-Amz-Content-Sha256 in the query, or a signed x-amz-content-sha256 header, names the body's sha256", async ({
    expect,
  }) => {
    const digest = sha256Hex("Welcome to Amazon S3.");
    const inQuery = presigned("/k", { extra: `X-Amz-Content-Sha256=${digest}`, payloadHash: digest });
    expect((await verifyS3Request(inQuery, CREDENTIALS, NOW))?.payload).toEqual({ mode: "sha256", sha256: digest });
    const inHeader = presigned("/k", {
      signedHeaders: ["host", "x-amz-content-sha256"],
      headers: { "x-amz-content-sha256": digest },
      payloadHash: digest,
    });
    expect((await verifyS3Request(inHeader, CREDENTIALS, NOW))?.payload).toEqual({ mode: "sha256", sha256: digest });
  });

  it("a presigned aws-chunked upload chains its chunks from X-Amz-Signature", async ({ expect }) => {
    const streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    const request = presigned("/k", { extra: `X-Amz-Content-Sha256=${streaming}`, payloadHash: streaming });
    const seed = new URL(request.url).searchParams.get("X-Amz-Signature");
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.payload).toEqual({
      mode: "chunked",
      signing: {
        signingKey: signingKey(SECRET, "20130524", "us-east-1"),
        seedSignature: seed,
        amzDate: DATE,
        scope: SCOPE,
      },
      trailer: false,
      decodedLength: null,
    });
  });
});

describe("control characters at a header value's ends (S3 strips them all, Swift's _header_strip notes)", () => {
  it("an x-amz-date ending in one reads, and signs, as the time it holds", async ({ expect }) => {
    const request = withHeaders(signed(`${BUCKET}/k`), { "x-amz-date": `${DATE}\u000b` });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.accessKey).toBe(KEY);
  });

  it("an x-amz-decoded-content-length ending in one is still its count", async ({ expect }) => {
    const request = signed(`${BUCKET}/k`, {
      method: "PUT",
      payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      headers: { "x-amz-decoded-content-length": "5\u000c" },
    });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.payload).toMatchObject({ decodedLength: 5 });
  });

  it("a presigned URL's signed x-amz-content-sha256 ending in one is still the digest", async ({ expect }) => {
    const digest = sha256Hex("Welcome to Amazon S3.");
    const request = presigned("/k", {
      signedHeaders: ["host", "x-amz-content-sha256"],
      headers: { "x-amz-content-sha256": `${digest}\u000b` },
      payloadHash: digest,
    });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.payload).toEqual({ mode: "sha256", sha256: digest });
  });
});

describe("presigned URLs: Swift's and AWS's edges", () => {
  it("an X-Amz-Expires of 0 is valid for the second it was signed in: only a negative one is refused", async ({
    expect,
  }) => {
    expect((await verifyS3Request(presigned("/k", { expires: "0" }), CREDENTIALS, NOW))?.accessKey).toBe(KEY);
    const error = await failure(verifyS3Request(presigned("/k", { expires: "0" }), CREDENTIALS, NOW + 1000));
    expect([error.code, error.message]).toEqual(["AccessDenied", "Request has expired"]);
  });

  it("a presigned URL that signs an x-amz-content-sha256 header it does not send signs UNSIGNED-PAYLOAD", async ({
    expect,
  }) => {
    const request = presigned("/k", { signedHeaders: ["host", "x-amz-content-sha256"] });
    expect((await verifyS3Request(request, CREDENTIALS, NOW))?.payload).toEqual({ mode: "unsigned" });
  });
});
