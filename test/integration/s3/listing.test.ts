import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const bucket = bucketName("listing");
const KEYS = ["a/1", "a/2", "b/1", "c", "d e", "f+g"];

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
  for (const key of KEYS) await s3Sent("PUT", `/${bucket}/${encodeURIComponent(key)}`, { body: key });
});

describe("S3 ListObjects (V1)", () => {
  it("lists every key in order with its size, ETag, LastModified, owner and storage class", async ({ expect }) => {
    const sent = await s3Sent("GET", `/${bucket}`);
    expect(sent.status).toBe(200);
    expect(sent.headers.get("content-type")).toBe("application/xml");
    expect(xmlValues(sent.body, "Key")).toEqual(KEYS);
    expect(xmlValue(sent.body, "Name")).toBe(bucket);
    expect(xmlValue(sent.body, "MaxKeys")).toBe("1000");
    expect(xmlValue(sent.body, "IsTruncated")).toBe("false");
    expect(xmlValues(sent.body, "Size")[0]).toBe("3");
    expect(xmlValues(sent.body, "ETag")[0]).toMatch(/^"[0-9a-f]{32}"$/);
    expect(xmlValues(sent.body, "LastModified")[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(xmlValues(sent.body, "StorageClass")[0]).toBe("STANDARD");
    expect(xmlValues(sent.body, "ID")[0]).toBe("test:tester");
  });

  it("the listing's LastModified is the HEAD's Last-Modified, to the second", async ({ expect }) => {
    const listed = await s3Sent("GET", `/${bucket}?prefix=c`);
    const head = await s3Sent("HEAD", `/${bucket}/c`);
    expect(Date.parse(xmlValue(listed.body, "LastModified") ?? "")).toBe(
      Date.parse(head.headers.get("last-modified") ?? ""),
    );
  });

  it("delimiter gives CommonPrefixes, counted with Contents toward max-keys; NextMarker when truncated", async ({
    expect,
  }) => {
    const all = await s3Sent("GET", `/${bucket}?delimiter=/`);
    expect(xmlValues(all.body, "Key")).toEqual(["c", "d e", "f+g"]);
    expect(xmlValues(all.body, "Prefix")).toEqual(["a/", "b/"]);
    expect(all.body).toContain("<Prefix/>");
    const page = await s3Sent("GET", `/${bucket}?delimiter=/&max-keys=2`);
    expect(xmlValue(page.body, "IsTruncated")).toBe("true");
    expect(xmlValues(page.body, "Prefix")).toEqual(["a/", "b/"]);
    expect(xmlValue(page.body, "NextMarker")).toBe("b/");
    const next = await s3Sent("GET", `/${bucket}?delimiter=/&max-keys=2&marker=b/`);
    expect(xmlValues(next.body, "Key")).toEqual(["c", "d e"]);
  });

  it("prefix and marker narrow the listing", async ({ expect }) => {
    expect(xmlValues((await s3Sent("GET", `/${bucket}?prefix=a/`)).body, "Key")).toEqual(["a/1", "a/2"]);
    expect(xmlValues((await s3Sent("GET", `/${bucket}?marker=b/1`)).body, "Key")).toEqual(["c", "d e", "f+g"]);
  });

  it("max-keys=0 lists nothing; a max-keys that is not a number is InvalidArgument", async ({ expect }) => {
    const none = await s3Sent("GET", `/${bucket}?max-keys=0`);
    expect(xmlValues(none.body, "Key")).toEqual([]);
    expect(xmlValue(none.body, "IsTruncated")).toBe("false");
    const bad = await s3Sent("GET", `/${bucket}?max-keys=lots`);
    expect(bad.status).toBe(400);
    expect(xmlValue(bad.body, "Code")).toBe("InvalidArgument");
  });

  it("encoding-type=url encodes keys (a space as +, + as %2B); another encoding is InvalidArgument", async ({
    expect,
  }) => {
    const sent = await s3Sent("GET", `/${bucket}?encoding-type=url&prefix=d`);
    expect(xmlValues(sent.body, "Key")).toEqual(["d+e"]);
    expect(xmlValue(sent.body, "EncodingType")).toBe("url");
    const plus = await s3Sent("GET", `/${bucket}?encoding-type=url&prefix=f`);
    expect(xmlValues(plus.body, "Key")).toEqual(["f%2Bg"]);
    const bad = await s3Sent("GET", `/${bucket}?encoding-type=base64`);
    expect(xmlValue(bad.body, "Code")).toBe("InvalidArgument");
  });

  it("listing a missing bucket is NoSuchBucket", async ({ expect }) => {
    const sent = await s3Sent("GET", `/${bucketName("none")}`);
    expect(sent.status).toBe(404);
    expect(xmlValue(sent.body, "Code")).toBe("NoSuchBucket");
  });
});

describe("S3 ListObjectsV2", () => {
  it("pages with continuation tokens until every key is seen once, KeyCount per page", async ({ expect }) => {
    const seen: string[] = [];
    let token: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const query: string = token === null ? "" : `&continuation-token=${encodeURIComponent(token)}`;
      const page = await s3Sent("GET", `/${bucket}?list-type=2&max-keys=4${query}`);
      expect(page.status).toBe(200);
      const keys = xmlValues(page.body, "Key");
      expect(xmlValue(page.body, "KeyCount")).toBe(String(keys.length));
      seen.push(...keys);
      token = xmlValue(page.body, "NextContinuationToken");
      if (xmlValue(page.body, "IsTruncated") === "false") break;
    }
    expect(seen).toEqual(KEYS);
    expect(token).toBeNull();
  });

  it("start-after skips keys up to and including it; fetch-owner adds Owner, absent without it", async ({ expect }) => {
    const sent = await s3Sent("GET", `/${bucket}?list-type=2&start-after=c`);
    expect(xmlValues(sent.body, "Key")).toEqual(["d e", "f+g"]);
    expect(xmlValue(sent.body, "StartAfter")).toBe("c");
    expect(sent.body).not.toContain("<Owner>");
    const owned = await s3Sent("GET", `/${bucket}?list-type=2&fetch-owner=true&prefix=c`);
    expect(xmlValue(owned.body, "ID")).toBe("test:tester");
  });

  it("a continuation token edgeswift did not make is InvalidArgument", async ({ expect }) => {
    const sent = await s3Sent("GET", `/${bucket}?list-type=2&continuation-token=%%%`);
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("InvalidArgument");
  });
});

describe("S3 ListObjectVersions", () => {
  it("lists versions made through Swift's object versioning, delete markers apart, newest first per key", async ({
    expect,
  }) => {
    const versioned = bucketName("versions");
    await s3Sent("PUT", `/${versioned}`);
    await s3Sent("PUT", `/${versioned}?versioning`, {
      body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    });
    for (const body of ["one", "two"]) {
      const put = await swift("PUT", `/AUTH_test/${versioned}/k`, { body });
      await text(put);
    }
    await s3Sent("DELETE", `/${versioned}/k`);
    const sent = await s3Sent("GET", `/${versioned}?versions`);
    expect(sent.status).toBe(200);
    expect(xmlValues(sent.body, "Key")).toEqual(["k", "k", "k"]);
    expect(sent.body.match(/<DeleteMarker>/g)?.length).toBe(1);
    expect(sent.body.match(/<Version>/g)?.length).toBe(2);
    expect(xmlValues(sent.body, "IsLatest")).toEqual(["true", "false", "false"]);
    expect(new Set(xmlValues(sent.body, "VersionId")).size).toBe(3);
  });

  it("an unversioned bucket's objects are listed as version null", async ({ expect }) => {
    const sent = await s3Sent("GET", `/${bucket}?versions&prefix=c`);
    expect(xmlValues(sent.body, "VersionId")).toEqual(["null"]);
    expect(xmlValues(sent.body, "IsLatest")).toEqual(["true"]);
  });
});
