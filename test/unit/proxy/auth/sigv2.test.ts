/**
 * @module
 * SigV2 for S3 against the examples of AWS's "Signing and authenticating REST requests"
 * (RESTAuthentication.html: johnsmith, AKIAIOSFODNN7EXAMPLE), through verifyS3Request as the router
 * calls it, and its refusals.
 */
import { describe, it } from "vitest";
import {
  percentDecode,
  queryParameters,
  v2Resource,
  v2Signature,
  v2StringToSign,
  verifyV2,
} from "../../../../src/proxy/auth/sigv2";
import { EMPTY_SHA256, type S3Credentials, verifyS3Request } from "../../../../src/proxy/auth/sigv4";
import { S3Error } from "../../../../src/proxy/s3/errors";

const KEY = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const CREDENTIALS: S3Credentials = { secretOf: (key) => (key === KEY ? SECRET : null), region: "us-east-1" };
const JOHNSMITH = { hostBucket: "johnsmith" };

async function failure(run: () => unknown): Promise<S3Error> {
  try {
    await run();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3Error");
}

function at(date: string): number {
  return Date.parse(date);
}

describe("AWS's V2 examples", () => {
  it("Object GET, virtual-hosted style: the bucket from the host starts the resource", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 19:36:42 +0000";
    const request = new Request("https://johnsmith.s3.amazonaws.com/photos/puppy.jpg", {
      headers: { date, authorization: `AWS ${KEY}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` },
    });
    const url = new URL(request.url);
    const resource = v2Resource(url, queryParameters(url.search), "johnsmith");
    expect(v2StringToSign(request, date, resource)).toBe(`GET\n\n\n${date}\n/johnsmith/photos/puppy.jpg`);
    expect(await verifyS3Request(request, CREDENTIALS, at(date), JOHNSMITH)).toEqual({
      accessKey: KEY,
      payload: { mode: "unsigned" },
    });
  });

  it("Object GET, path style: the path already names the bucket", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 19:36:42 +0000";
    const request = new Request("https://s3.amazonaws.com/johnsmith/photos/puppy.jpg", {
      headers: { date, authorization: `AWS ${KEY}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(date)))?.accessKey).toBe(KEY);
  });

  it("Object PUT: Content-Type is signed", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 21:15:45 +0000";
    const request = new Request("https://johnsmith.s3.amazonaws.com/photos/puppy.jpg", {
      method: "PUT",
      body: "x",
      headers: {
        "content-type": "image/jpeg",
        "content-length": "94328",
        date,
        authorization: `AWS ${KEY}:MyyxeRY7whkBe+bq8fHCL/2kKUg=`,
      },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(date), JOHNSMITH))?.accessKey).toBe(KEY);
  });

  it("List: prefix, max-keys and marker are no sub-resources", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 19:42:41 +0000";
    const request = new Request("https://johnsmith.s3.amazonaws.com/?prefix=photos&max-keys=50&marker=puppy", {
      headers: { "user-agent": "Mozilla/5.0", date, authorization: `AWS ${KEY}:htDYFYduRNen8P9ZfE/s9SuKy0U=` },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(date), JOHNSMITH))?.accessKey).toBe(KEY);
  });

  it("Fetch (?acl): a value-less sub-resource signs as ?acl", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 19:44:46 +0000";
    const request = new Request("https://johnsmith.s3.amazonaws.com/?acl", {
      headers: { date, authorization: `AWS ${KEY}:c2WLPFtWHVgbEmeEG93a4cG37dM=` },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(date), JOHNSMITH))?.accessKey).toBe(KEY);
  });

  it("Upload: Content-MD5, Content-Type and the x-amz-* headers, lower-cased and sorted", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 21:06:08 +0000";
    const request = new Request("https://static.johnsmith.net/db-backup.dat.gz", {
      method: "PUT",
      body: "x",
      headers: {
        "User-Agent": "curl/7.15.5",
        Date: date,
        "x-amz-acl": "public-read",
        "content-type": "application/x-download",
        "Content-MD5": "4gJE4saaMU4BqNR0kLY+lw==",
        // The page sends X-Amz-Meta-ReviewedBy twice; the runtime would join them with ", " where
        // AWS joins with ",", so it is sent here as the one header AWS's canonical form makes of them.
        "X-Amz-Meta-ReviewedBy": "joe@johnsmith.net,jane@johnsmith.net",
        "X-Amz-Meta-FileChecksum": "0x02661779",
        "X-Amz-Meta-ChecksumAlgorithm": "crc32",
        "Content-Disposition": "attachment; filename=database.dat",
        "Content-Encoding": "gzip",
        authorization: `AWS ${KEY}:ilyl83RwaSoYIEdixDQcA4OnAnc=`,
      },
    });
    const url = new URL(request.url);
    expect(v2StringToSign(request, date, v2Resource(url, [], "static.johnsmith.net"))).toBe(
      `PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\n${date}\nx-amz-acl:public-read\n` +
        "x-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
        "x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n/static.johnsmith.net/db-backup.dat.gz",
    );
    const signed = await verifyS3Request(request, CREDENTIALS, at(date), { hostBucket: "static.johnsmith.net" });
    expect(signed?.accessKey).toBe(KEY);
  });

  it("Delete: the documented string to sign gives the documented signature", ({ expect }) => {
    // The page's request also sends x-amz-date, yet its StringToSign keeps the Date line and no
    // x-amz-date header, against its own rules; only the signing of that string is checked here.
    const toSign = "DELETE\n\n\nTue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg";
    expect(v2Signature(SECRET, toSign)).toBe("lx3byBScXR6KzyMaifNkardMwNk=");
  });

  it("Query string authentication: Expires stands in the Date line", async ({ expect }) => {
    const url =
      "https://johnsmith.s3.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620" +
      "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
    expect((await verifyS3Request(new Request(url), CREDENTIALS, 1175139620_000, JOHNSMITH))?.accessKey).toBe(KEY);
    // A `+` left unescaped is read as the `+` it was.
    const sloppy = url.replace("%2B", "+");
    expect((await verifyS3Request(new Request(sloppy), CREDENTIALS, 1175139000_000, JOHNSMITH))?.accessKey).toBe(KEY);
  });
});

describe("V2 signing rules", () => {
  it("with x-amz-date the Date line is empty and x-amz-date is signed among the x-amz-* headers", async ({
    expect,
  }) => {
    const amzDate = "Tue, 27 Mar 2007 21:20:26 +0000";
    const unsigned = new Request("https://s3.amazonaws.com/johnsmith/photos/puppy.jpg", {
      method: "DELETE",
      headers: { date: "Tue, 27 Mar 2007 21:20:27 +0000", "x-amz-date": amzDate },
    });
    const toSign = `DELETE\n\n\n\nx-amz-date:${amzDate}\n/johnsmith/photos/puppy.jpg`;
    const url = new URL(unsigned.url);
    expect(v2StringToSign(unsigned, "", v2Resource(url, []))).toBe(toSign);
    const request = new Request(unsigned, {
      headers: { ...Object.fromEntries(unsigned.headers), authorization: `AWS ${KEY}:${v2Signature(SECRET, toSign)}` },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(amzDate)))?.accessKey).toBe(KEY);
  });

  it("only the sub-resources sign, sorted, with their values decoded", ({ expect }) => {
    const url = new URL("https://h/b/k?versionId=3%2B1&foo=bar&acl&response-content-type=text%2Fplain&uploads=");
    expect(v2Resource(url, queryParameters(url.search))).toBe(
      "/b/k?acl&response-content-type=text/plain&uploads=&versionId=3+1",
    );
  });

  it("a V2 request with a sha256 in x-amz-content-sha256 has its body checked against it", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 21:15:45 +0000";
    const unsigned = new Request("https://s3.amazonaws.com/b/k", {
      method: "PUT",
      headers: { date, "x-amz-content-sha256": EMPTY_SHA256 },
    });
    const toSign = `PUT\n\n\n${date}\nx-amz-content-sha256:${EMPTY_SHA256}\n/b/k`;
    const request = new Request(unsigned, {
      headers: { ...Object.fromEntries(unsigned.headers), authorization: `AWS ${KEY}:${v2Signature(SECRET, toSign)}` },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(date)))?.payload).toEqual({
      mode: "sha256",
      sha256: EMPTY_SHA256,
    });
  });
});

describe("V2 refusals", () => {
  const date = "Tue, 27 Mar 2007 19:36:42 +0000";
  const request = (headers: Record<string, string>) =>
    new Request("https://s3.amazonaws.com/johnsmith/photos/puppy.jpg", { headers });

  it("a wrong signature is SignatureDoesNotMatch, with the string to sign", async ({ expect }) => {
    const error = await failure(() =>
      verifyS3Request(
        request({ date, authorization: `AWS ${KEY}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` }),
        CREDENTIALS,
        at(date),
      ),
    );
    expect(error.code).toBe("SignatureDoesNotMatch");
    expect(error.fields.StringToSign).toBe(`GET\n\n\n${date}\n/johnsmith/photos/puppy.jpg`);
    expect(error.fields.SignatureProvided).toBe("AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  });

  it("an unknown access key is InvalidAccessKeyId", async ({ expect }) => {
    const unknown = await failure(() =>
      verifyS3Request(
        request({ date, authorization: "AWS NOSUCHKEY:bWq2s1WEIj+Ydj0vQ697zp+IXMU=" }),
        CREDENTIALS,
        at(date),
      ),
    );
    expect([unknown.code, unknown.fields.AWSAccessKeyId]).toEqual(["InvalidAccessKeyId", "NOSUCHKEY"]);
  });

  it("a Date more than 15 minutes off is RequestTimeTooSkewed with the time as sent", async ({ expect }) => {
    const headers = { date, authorization: `AWS ${KEY}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` };
    expect((await verifyS3Request(request(headers), CREDENTIALS, at(date) - 15 * 60_000))?.accessKey).toBe(KEY);
    const error = await failure(() => verifyS3Request(request(headers), CREDENTIALS, at(date) + 16 * 60_000));
    expect(error.code).toBe("RequestTimeTooSkewed");
    expect(error.fields).toEqual({
      RequestTime: date,
      ServerTime: "2007-03-27T19:52:42Z",
      MaxAllowedSkewMilliseconds: "900000",
    });
  });

  it("no Date nor x-amz-date, or one that does not parse, is AccessDenied", async ({ expect }) => {
    for (const headers of [
      { authorization: `AWS ${KEY}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` } as Record<string, string>,
      { date: "yesterday", authorization: `AWS ${KEY}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` },
    ]) {
      const error = await failure(() => verifyS3Request(request(headers), CREDENTIALS, at(date)));
      expect([error.code, error.message]).toEqual([
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
      ]);
    }
  });

  it("an Authorization without key:signature is InvalidArgument", async ({ expect }) => {
    const error = await failure(() => verifyS3Request(request({ date, authorization: `AWS ${KEY}` }), CREDENTIALS, 0));
    expect([error.code, error.fields.ArgumentName]).toEqual(["InvalidArgument", "Authorization"]);
  });

  it("a presigned URL past Expires is AccessDenied 'Request has expired'", async ({ expect }) => {
    const url =
      "https://johnsmith.s3.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620" +
      "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
    const error = await failure(() => verifyS3Request(new Request(url), CREDENTIALS, 1175139621_000, JOHNSMITH));
    expect([error.code, error.message]).toEqual(["AccessDenied", "Request has expired"]);
    expect(error.fields).toEqual({ Expires: "2007-03-29T03:40:20Z", ServerTime: "2007-03-29T03:40:21Z" });
  });

  it("a presigned URL missing Expires or Signature is AccessDenied", async ({ expect }) => {
    const error = await failure(() =>
      verifyV2(new Request("https://h/b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1"), () => SECRET, 0),
    );
    expect(error.code).toBe("AccessDenied");
  });
});

/** AWS's StringToSignBytes / CanonicalRequestBytes: each UTF-8 byte as two hex digits, space-separated. */
function spacedBytes(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** A V2 header-signed request: `toSign` is written out by the test, so the signer's own rules are not trusted. */
function v2Request(url: string, toSign: string, headers: Record<string, string>, method = "GET"): Request {
  return new Request(url, {
    method,
    headers: { ...headers, authorization: `AWS ${KEY}:${v2Signature(SECRET, toSign)}` },
  });
}

describe("reading a query as sent", () => {
  const bytes = (text: string) => Array.from(new TextEncoder().encode(text));

  it("every hex digit of an escape decodes, in either case", ({ expect }) => {
    const [parameter] = queryParameters("?v=%00%09%0A%39%41%46%61%66%fF");
    expect(Array.from(parameter?.valueBytes ?? [])).toEqual([0x00, 0x09, 0x0a, 0x39, 0x41, 0x46, 0x61, 0x66, 0xff]);
  });

  it("a % not followed by two hex digits stays as sent", ({ expect }) => {
    for (const value of ["%zz", "%4z", "%z4", "%:0", "%@1", "%G0", "%g0", "%[0", "%`0", "%/0", "%", "%4", "a%"]) {
      const [parameter] = queryParameters(`?v=${value}`);
      expect(Array.from(parameter?.valueBytes ?? []), value).toEqual(bytes(value));
    }
  });

  it("a + is a space in names and values; the query reads the same with or without its ?", ({ expect }) => {
    const plain = (search: string) =>
      queryParameters(search).map(({ name, value, hasValue }) => [name, value, hasValue]);
    const expected = [
      ["a b", "c d", true],
      ["", "v", true],
      ["uploads", "", false],
    ];
    expect(plain("?a+b=c+d&=v&uploads")).toEqual(expected);
    expect(plain("a+b=c+d&=v&uploads")).toEqual(expected);
  });

  it("text beyond ASCII that a caller did not escape decodes as its UTF-8", ({ expect }) => {
    expect(Array.from(percentDecode("a\u0080ሴ😀b%41", false))).toEqual([
      0x61, 0xc2, 0x80, 0xe1, 0x88, 0xb4, 0xf0, 0x9f, 0x98, 0x80, 0x62, 0x41,
    ]);
  });
});

describe("V2 sub-resources and signing inputs", () => {
  it("two values of one sub-resource sign in the order sent (botocore's stable sort by name)", ({ expect }) => {
    const url = new URL("https://h/b/k?versionId=2&versionId=1&acl");
    expect(v2Resource(url, queryParameters(url.search))).toBe("/b/k?acl&versionId=2&versionId=1");
  });

  it("x-amz-date may be written in SigV4's basic form", async ({ expect }) => {
    const toSign = "GET\n\n\n\nx-amz-date:20070327T193642Z\n/johnsmith/photos/puppy.jpg";
    const request = v2Request("https://s3.amazonaws.com/johnsmith/photos/puppy.jpg", toSign, {
      "x-amz-date": "20070327T193642Z",
    });
    expect((await verifyS3Request(request, CREDENTIALS, Date.UTC(2007, 2, 27, 19, 36, 42)))?.accessKey).toBe(KEY);
  });

  it("a Date at the epoch is a date (too skewed here); one before it is no valid date, as Swift reads it", async ({
    expect,
  }) => {
    const now = at("Tue, 27 Mar 2007 19:36:42 +0000");
    const request = (date: string) =>
      new Request("https://s3.amazonaws.com/b/k", { headers: { date, authorization: `AWS ${KEY}:c2lnbmF0dXJl` } });
    const epoch = await failure(() => verifyS3Request(request("Thu, 01 Jan 1970 00:00:00 GMT"), CREDENTIALS, now));
    expect(epoch.code).toBe("RequestTimeTooSkewed");
    const before = await failure(() => verifyS3Request(request("Wed, 31 Dec 1969 23:59:59 GMT"), CREDENTIALS, now));
    expect([before.code, before.message]).toEqual([
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    ]);
  });

  it("spaces between AWS and the access key are not part of the key", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 19:36:42 +0000";
    const request = new Request("https://johnsmith.s3.amazonaws.com/photos/puppy.jpg", {
      headers: { date, authorization: `AWS   ${KEY}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=` },
    });
    expect((await verifyS3Request(request, CREDENTIALS, at(date), JOHNSMITH))?.accessKey).toBe(KEY);
  });
});

describe("V2 refusals, as AWS words them", () => {
  const date = "Tue, 27 Mar 2007 19:36:42 +0000";
  const url = "https://s3.amazonaws.com/johnsmith/photos/puppy.jpg";

  it("SignatureDoesNotMatch carries the string to sign's bytes as AWS writes them", async ({ expect }) => {
    const request = new Request(url, { headers: { date, authorization: `AWS ${KEY}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` } });
    const error = await failure(() => verifyS3Request(request, CREDENTIALS, at(date)));
    const toSign = `GET\n\n\n${date}\n/johnsmith/photos/puppy.jpg`;
    expect(error.fields.StringToSignBytes?.startsWith("47 45 54 0a 0a 0a 54 75 65 2c 20")).toBe(true);
    expect(error.fields.StringToSignBytes).toBe(spacedBytes(toSign));
  });

  it("an Authorization without a key, without a signature or without a colon is InvalidArgument", async ({
    expect,
  }) => {
    for (const authorization of [`AWS :bWq2s1WEIj+Ydj0vQ697zp+IXMU=`, `AWS ${KEY}:`, `AWS ${KEY}`]) {
      const error = await failure(() =>
        verifyS3Request(new Request(url, { headers: { date, authorization } }), CREDENTIALS, at(date)),
      );
      expect([error.code, error.message, error.fields]).toEqual([
        "InvalidArgument",
        "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
        { ArgumentName: "Authorization", ArgumentValue: authorization },
      ]);
    }
  });

  it("a presigned URL with an empty AWSAccessKeyId, or without Expires, is AccessDenied naming the three", async ({
    expect,
  }) => {
    for (const query of [
      "AWSAccessKeyId=&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
      "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
      "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620",
    ]) {
      const error = await failure(() => verifyS3Request(new Request(`${url}?${query}`), CREDENTIALS, 1175139000_000));
      expect([error.code, error.message]).toEqual([
        "AccessDenied",
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
      ]);
    }
  });

  it("an Expires that is not seconds since the epoch is AccessDenied 'Invalid date'", async ({ expect }) => {
    for (const expires of ["soon", "x1175139620", "1175139620x", "1175139620.5", "1175139620000"]) {
      const toSign = `GET\n\n\n${expires}\n/johnsmith/photos/puppy.jpg`;
      const signature = encodeURIComponent(v2Signature(SECRET, toSign));
      const query = `AWSAccessKeyId=${KEY}&Expires=${expires}&Signature=${signature}`;
      const error = await failure(() => verifyS3Request(new Request(`${url}?${query}`), CREDENTIALS, 1175139000_000));
      expect([error.code, error.message]).toEqual([
        "AccessDenied",
        `Invalid date (should be seconds since epoch): ${expires}`,
      ]);
    }
  });
});

describe("a V2 request's x-amz-content-sha256", () => {
  const date = "Tue, 27 Mar 2007 21:15:45 +0000";
  const signedWith = (value: string) =>
    v2Request(
      "https://s3.amazonaws.com/b/k",
      `PUT\n\n\n${date}\nx-amz-content-sha256:${value}\n/b/k`,
      { date, "x-amz-content-sha256": value },
      "PUT",
    );

  it("STREAMING-UNSIGNED-PAYLOAD-TRAILER: an unsigned aws-chunked body to decode", async ({ expect }) => {
    // x-amz-decoded-content-length is an x-amz-* header too, so it is in the string to sign.
    const value = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    const request = v2Request(
      "https://s3.amazonaws.com/b/k",
      `PUT\n\n\n${date}\nx-amz-content-sha256:${value}\nx-amz-decoded-content-length:5\n/b/k`,
      { date, "x-amz-content-sha256": value, "x-amz-decoded-content-length": "5" },
      "PUT",
    );
    expect((await verifyS3Request(request, CREDENTIALS, at(date)))?.payload).toEqual({
      mode: "chunked",
      signing: null,
      trailer: true,
      decodedLength: 5,
    });
  });

  it("a signed streaming variant is InvalidRequest: its chunks need a SigV4 seed", async ({ expect }) => {
    const value = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    const error = await failure(() => verifyS3Request(signedWith(value), CREDENTIALS, at(date)));
    expect([error.code, error.message]).toEqual([
      "InvalidRequest",
      "x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-PAYLOAD needs AWS Signature Version 4",
    ]);
  });

  it("UNSIGNED-PAYLOAD, or a value that is no digest, checks nothing", async ({ expect }) => {
    for (const value of ["UNSIGNED-PAYLOAD", "not-a-digest"]) {
      expect((await verifyS3Request(signedWith(value), CREDENTIALS, at(date)))?.payload).toEqual({ mode: "unsigned" });
    }
  });
});

describe("control characters at a header value's ends (S3 strips them all, Swift's _header_strip notes)", () => {
  it("Content-Type, an x-amz-* header and the Date sign without them", async ({ expect }) => {
    const date = "Tue, 27 Mar 2007 21:15:45 +0000";
    const request = v2Request(
      "https://s3.amazonaws.com/b/k",
      `PUT\n\ntext/plain\n${date}\nx-amz-meta-a:1\n/b/k`,
      { date: `${date}\u000c`, "content-type": "text/plain\u000c", "x-amz-meta-a": "1\u000b" },
      "PUT",
    );
    expect((await verifyS3Request(request, CREDENTIALS, at(date)))?.accessKey).toBe(KEY);
  });

  it("an x-amz-date in the basic form reads as its time", async ({ expect }) => {
    const request = v2Request("https://s3.amazonaws.com/b/k", "GET\n\n\n\nx-amz-date:20070327T193642Z\n/b/k", {
      "x-amz-date": "20070327T193642Z\u000b",
    });
    expect((await verifyS3Request(request, CREDENTIALS, Date.UTC(2007, 2, 27, 19, 36, 42)))?.accessKey).toBe(KEY);
  });
});
