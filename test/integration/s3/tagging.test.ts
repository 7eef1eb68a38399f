import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const bucket = bucketName("tagging");
const versioned = bucketName("tagging-versioned");

beforeAll(async () => {
  await s3Sent("PUT", `/${bucket}`);
  await s3Sent("PUT", `/${versioned}`);
  await s3Sent("PUT", `/${versioned}?versioning`, {
    body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
  });
});

function tagging(tags: [string, string][]): string {
  const items = tags.map(([key, value]) => `<Tag><Key>${key}</Key><Value>${value}</Value></Tag>`).join("");
  return `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${items}</TagSet></Tagging>`;
}

/** The tag set of a GetObjectTagging or GetBucketTagging body, as [key, value] pairs. */
function tagsOf(body: string): [string, string][] {
  const tags = body.matchAll(/<Tag><Key>([^<]*)<\/Key>(?:<Value>([^<]*)<\/Value>|<Value\/>)<\/Tag>/g);
  return [...tags].map((tag) => [tag[1] ?? "", tag[2] ?? ""]);
}

async function putObject(key: string, body = "body", headers: Record<string, string> = {}) {
  const put = await s3Sent("PUT", `/${bucket}/${key}`, { body, headers });
  if (put.status !== 200) throw new Error(`put ${key}: ${put.status} ${put.body}`);
  return put;
}

async function md5Base64(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("MD5", new TextEncoder().encode(body)));
  return btoa(String.fromCharCode(...digest));
}

async function multipartObject(key: string, headers: Record<string, string> = {}): Promise<string> {
  const created = await s3Sent("POST", `/${bucket}/${key}?uploads`, { headers });
  if (created.status !== 200) throw new Error(`create ${key}: ${created.status} ${created.body}`);
  const id = xmlValue(created.body, "UploadId") ?? "";
  const part = await s3Sent("PUT", `/${bucket}/${key}?partNumber=1&uploadId=${id}`, { body: "multipart body" });
  const etag = part.headers.get("etag") ?? "";
  const completed = await s3Sent("POST", `/${bucket}/${key}?uploadId=${id}`, {
    body:
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part>` +
      "</CompleteMultipartUpload>",
  });
  if (completed.status !== 200) throw new Error(`complete ${key}: ${completed.status} ${completed.body}`);
  return xmlValue(completed.body, "ETag") ?? "";
}

describe("S3 object tagging", () => {
  it("PutObjectTagging stores a tag set that GetObjectTagging returns; body, ETag and metadata stay", async ({
    expect,
  }) => {
    const put = await putObject("tagged", "tagged body", { "x-amz-meta-color": "blue", "content-type": "text/x-t" });
    const tagged = await s3Sent("PUT", `/${bucket}/tagged?tagging`, {
      body: tagging([
        ["project", "edge swift"],
        ["team", "storage"],
      ]),
    });
    expect(tagged.status).toBe(200);
    const got = await s3Sent("GET", `/${bucket}/tagged?tagging`);
    expect(got.status).toBe(200);
    expect(got.body).toContain('<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(tagsOf(got.body)).toEqual([
      ["project", "edge swift"],
      ["team", "storage"],
    ]);
    const object = await s3Sent("GET", `/${bucket}/tagged`);
    expect(object.body).toBe("tagged body");
    expect(object.headers.get("etag")).toBe(put.headers.get("etag"));
    expect(object.headers.get("x-amz-meta-color")).toBe("blue");
    expect(object.headers.get("content-type")).toBe("text/x-t");
  });

  it("PutObjectTagging replaces the whole tag set", async ({ expect }) => {
    await putObject("replaced");
    await s3Sent("PUT", `/${bucket}/replaced?tagging`, {
      body: tagging([
        ["a", "1"],
        ["b", "2"],
      ]),
    });
    await s3Sent("PUT", `/${bucket}/replaced?tagging`, { body: tagging([["c", "3"]]) });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/replaced?tagging`)).body)).toEqual([["c", "3"]]);
  });

  it("GetObjectTagging of an object without tags is an empty TagSet (200)", async ({ expect }) => {
    await putObject("untagged");
    const got = await s3Sent("GET", `/${bucket}/untagged?tagging`);
    expect(got.status).toBe(200);
    expect(got.body).toContain("<TagSet/>");
    expect(tagsOf(got.body)).toEqual([]);
  });

  it("DeleteObjectTagging removes the tag set (204); an empty TagSet put removes it too", async ({ expect }) => {
    await putObject("deleted-tags", "kept", { "x-amz-tagging": "a=1" });
    const deleted = await s3Sent("DELETE", `/${bucket}/deleted-tags?tagging`);
    expect(deleted.status).toBe(204);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/deleted-tags?tagging`)).body)).toEqual([]);
    const head = await s3Sent("HEAD", `/${bucket}/deleted-tags`);
    expect(head.headers.get("x-amz-tagging-count")).toBeNull();
    expect((await s3Sent("GET", `/${bucket}/deleted-tags`)).body).toBe("kept");
    await s3Sent("PUT", `/${bucket}/deleted-tags?tagging`, { body: tagging([["b", "2"]]) });
    const emptied = await s3Sent("PUT", `/${bucket}/deleted-tags?tagging`, { body: tagging([]) });
    expect(emptied.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/deleted-tags?tagging`)).body)).toEqual([]);
    expect((await s3Sent("DELETE", `/${bucket}/deleted-tags?tagging`)).status).toBe(204);
  });

  it("PutObject with x-amz-tagging stores its tags; GetObject and HeadObject answer x-amz-tagging-count", async ({
    expect,
  }) => {
    await putObject("with-header", "b", { "x-amz-tagging": "k1=v1&k2=v%202&empty=" });
    const got = await s3Sent("GET", `/${bucket}/with-header?tagging`);
    expect(tagsOf(got.body)).toEqual([
      ["empty", ""],
      ["k1", "v1"],
      ["k2", "v 2"],
    ]);
    expect((await s3Sent("GET", `/${bucket}/with-header`)).headers.get("x-amz-tagging-count")).toBe("3");
    expect((await s3Sent("HEAD", `/${bucket}/with-header`)).headers.get("x-amz-tagging-count")).toBe("3");
    await putObject("no-header");
    expect((await s3Sent("GET", `/${bucket}/no-header`)).headers.get("x-amz-tagging-count")).toBeNull();
  });

  it("tags keep spaces, +, =, /, : and @ and non-ASCII letters through the header and the document", async ({
    expect,
  }) => {
    await putObject("characters", "c", {
      "x-amz-tagging": `${encodeURIComponent("a/b:c")}=${encodeURIComponent("x=y+z@w")}&space+key=caf%C3%A9`,
    });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/characters?tagging`)).body)).toEqual([
      ["a/b:c", "x=y+z@w"],
      ["space key", "café"],
    ]);
    await s3Sent("PUT", `/${bucket}/characters?tagging`, { body: tagging([["日本 語", "値 + 1"]]) });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/characters?tagging`)).body)).toEqual([["日本 語", "値 + 1"]]);
  });

  it("x-amz-tagging that is not URL query parameters, or repeats a key, is InvalidArgument", async ({ expect }) => {
    for (const header of ["a=b=c", "a=%zz", "a=1&a=2"]) {
      const refused = await s3Sent("PUT", `/${bucket}/bad-header`, { body: "x", headers: { "x-amz-tagging": header } });
      expect(refused.status).toBe(400);
      expect(xmlValue(refused.body, "Code")).toBe("InvalidArgument");
      expect(xmlValue(refused.body, "ArgumentName")).toBe("x-amz-tagging");
    }
    expect((await s3Sent("GET", `/${bucket}/bad-header`)).status).toBe(404);
  });

  it("more than 10 object tags is BadRequest, through the document and the header", async ({ expect }) => {
    await putObject("eleven");
    const tags = Array.from({ length: 11 }, (_, i): [string, string] => [`k${i}`, "v"]);
    const refused = await s3Sent("PUT", `/${bucket}/eleven?tagging`, { body: tagging(tags) });
    expect(refused.status).toBe(400);
    expect(xmlValue(refused.body, "Code")).toBe("BadRequest");
    expect(xmlValue(refused.body, "Message")).toBe("Object tags cannot be greater than 10");
    const header = tags.map(([key, value]) => `${key}=${value}`).join("&");
    const put = await s3Sent("PUT", `/${bucket}/eleven`, { body: "x", headers: { "x-amz-tagging": header } });
    expect(put.status).toBe(400);
    expect(xmlValue(put.body, "Code")).toBe("BadRequest");
    const ten = await s3Sent("PUT", `/${bucket}/eleven?tagging`, { body: tagging(tags.slice(0, 10)) });
    expect(ten.status).toBe(200);
  });

  it("a key too long, a value too long, an aws: key, a bad character or a repeated key is InvalidTag", async ({
    expect,
  }) => {
    await putObject("invalid-tags", "kept", { "x-amz-tagging": "kept=yes" });
    const cases: [[string, string][], string][] = [
      [[["k".repeat(129), "v"]], "The TagKey you have provided is too long, max 128"],
      [[["k", "v".repeat(257)]], "The TagValue you have provided is too long, max 256"],
      [[["aws:name", "v"]], "Your TagKey cannot be prefixed with aws:"],
      [[["a#b", "v"]], "The TagKey you have provided is invalid"],
      [[["", "v"]], "The TagKey you have provided is invalid"],
      [[["k", "v,w"]], "The TagValue you have provided is invalid"],
      [
        [
          ["k", "1"],
          ["k", "2"],
        ],
        "Cannot provide multiple Tags with the same key",
      ],
    ];
    for (const [tags, message] of cases) {
      const refused = await s3Sent("PUT", `/${bucket}/invalid-tags?tagging`, { body: tagging(tags) });
      expect(refused.status).toBe(400);
      expect(xmlValue(refused.body, "Code")).toBe("InvalidTag");
      expect(xmlValue(refused.body, "Message")).toBe(message);
    }
    const limits = await s3Sent("PUT", `/${bucket}/invalid-tags?tagging`, {
      body: tagging([["k".repeat(128), "v".repeat(256)]]),
    });
    expect(limits.status).toBe(200);
    const header = await s3Sent("PUT", `/${bucket}/invalid-header-tag`, {
      body: "x",
      headers: { "x-amz-tagging": "aws%3Aname=v" },
    });
    expect(xmlValue(header.body, "Code")).toBe("InvalidTag");
  });

  it("a Tagging document that is not well formed or misses TagSet, Key or Value is MalformedXML", async ({
    expect,
  }) => {
    await putObject("malformed");
    for (const body of [
      "<Tagging><TagSet>",
      "<Tagging></Tagging>",
      "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
      "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
      "<Other><TagSet/></Other>",
      "",
    ]) {
      const refused = await s3Sent("PUT", `/${bucket}/malformed?tagging`, { body });
      expect(refused.status).toBe(400);
      expect(xmlValue(refused.body, "Code")).toBe("MalformedXML");
    }
    const indented = await s3Sent("PUT", `/${bucket}/malformed?tagging`, {
      body:
        "<Tagging>\n  <TagSet>\n    <Tag>\n      <Key>k</Key>\n      <Value>v</Value>\n    </Tag>\n  </TagSet>\n" +
        "</Tagging>",
    });
    expect(indented.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/malformed?tagging`)).body)).toEqual([["k", "v"]]);
  });

  it("a Content-MD5 that does not match the Tagging document is BadDigest", async ({ expect }) => {
    await putObject("digest");
    const body = tagging([["k", "v"]]);
    const wrong = await s3Sent("PUT", `/${bucket}/digest?tagging`, {
      body,
      headers: { "content-md5": await md5Base64("other") },
    });
    expect(wrong.status).toBe(400);
    expect(xmlValue(wrong.body, "Code")).toBe("BadDigest");
    const right = await s3Sent("PUT", `/${bucket}/digest?tagging`, {
      body,
      headers: { "content-md5": await md5Base64(body) },
    });
    expect(right.status).toBe(200);
  });

  it("object tagging of a missing key is NoSuchKey; of a missing bucket NoSuchBucket", async ({ expect }) => {
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", tagging([["k", "v"]])],
      ["DELETE", undefined],
    ] as const) {
      const missing = await s3Sent(method, `/${bucket}/not-there?tagging`, { body });
      expect(missing.status).toBe(404);
      expect(xmlValue(missing.body, "Code")).toBe("NoSuchKey");
      const noBucket = await s3Sent(method, `/${bucketName("absent")}/k?tagging`, { body });
      expect(noBucket.status).toBe(404);
      expect(xmlValue(noBucket.body, "Code")).toBe("NoSuchBucket");
    }
  });

  it("tags are system metadata: the Swift API neither shows them nor lets a client set them", async ({ expect }) => {
    await putObject("hidden", "h", { "x-amz-tagging": "secret=1" });
    const viaSwift = await swift("HEAD", `/AUTH_test/${bucket}/hidden`);
    await text(viaSwift);
    expect([...viaSwift.headers.keys()].filter((name) => /sysmeta|tagging/.test(name))).toEqual([]);
    const forged = await swift("PUT", `/AUTH_test/${bucket}/forged`, {
      body: "f",
      headers: { "X-Object-Sysmeta-S3api-Tagging": "forged=1" },
    });
    await text(forged);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/forged?tagging`)).body)).toEqual([]);
  });

  it("tagging changes neither the body nor Last-Modified: ETag, X-Timestamp and the listing's time stay", async ({
    expect,
  }) => {
    await putObject("in-place", "in place", { "x-amz-meta-color": "blue" });
    const state = async () => {
      const head = await s3Sent("HEAD", `/${bucket}/in-place`);
      const viaSwift = await swift("HEAD", `/AUTH_test/${bucket}/in-place`);
      await text(viaSwift);
      const listing = await s3Sent("GET", `/${bucket}?prefix=in-place`);
      return {
        etag: head.headers.get("etag"),
        lastModified: head.headers.get("last-modified"),
        color: head.headers.get("x-amz-meta-color"),
        timestamp: viaSwift.headers.get("x-timestamp"),
        listed: xmlValue(listing.body, "LastModified"),
        swiftHeaders: [...viaSwift.headers.keys()].filter((name) => /sysmeta|tagging/.test(name)),
      };
    };
    const before = await state();
    expect((await s3Sent("PUT", `/${bucket}/in-place?tagging`, { body: tagging([["k", "v"]]) })).status).toBe(200);
    expect(await state()).toEqual(before);
    expect((await s3Sent("HEAD", `/${bucket}/in-place`)).headers.get("x-amz-tagging-count")).toBe("1");
    expect((await s3Sent("DELETE", `/${bucket}/in-place?tagging`)).status).toBe(204);
    expect(await state()).toEqual(before);
    expect((await s3Sent("GET", `/${bucket}/in-place`)).body).toBe("in place");
  });

  it("a Swift POST afterwards replaces the user metadata, moves Last-Modified and keeps the tags", async ({
    expect,
  }) => {
    await putObject("posted", "p", { "x-amz-meta-color": "blue" });
    await s3Sent("PUT", `/${bucket}/posted?tagging`, { body: tagging([["kept", "yes"]]) });
    const timestamp = async () => {
      const head = await swift("HEAD", `/AUTH_test/${bucket}/posted`);
      await text(head);
      return head.headers.get("x-timestamp");
    };
    const before = await timestamp();
    const post = await swift("POST", `/AUTH_test/${bucket}/posted`, { headers: { "X-Object-Meta-Shape": "round" } });
    await text(post);
    expect(post.status).toBe(202);
    expect(await timestamp()).not.toBe(before);
    const head = await s3Sent("HEAD", `/${bucket}/posted`);
    expect(head.headers.get("x-amz-meta-color")).toBeNull();
    expect(head.headers.get("x-amz-meta-shape")).toBe("round");
    expect(tagsOf((await s3Sent("GET", `/${bucket}/posted?tagging`)).body)).toEqual([["kept", "yes"]]);
  });

  it("a tag set longer than one header holds is stored whole", async ({ expect }) => {
    await putObject("long-tags");
    const tags = Array.from({ length: 10 }, (_, i): [string, string] => [`${i}${"鍵".repeat(127)}`, "値".repeat(256)]);
    const put = await s3Sent("PUT", `/${bucket}/long-tags?tagging`, { body: tagging(tags) });
    expect(put.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/long-tags?tagging`)).body)).toEqual(tags);
    const shorter = await s3Sent("PUT", `/${bucket}/long-tags?tagging`, { body: tagging([["short", "1"]]) });
    expect(shorter.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/long-tags?tagging`)).body)).toEqual([["short", "1"]]);
  });
});

describe("S3 tags of multipart uploads and copies", () => {
  it("CreateMultipartUpload's x-amz-tagging ends up on the completed object", async ({ expect }) => {
    const bad = await s3Sent("POST", `/${bucket}/mpu-bad?uploads`, { headers: { "x-amz-tagging": "aws%3Ax=1" } });
    expect(xmlValue(bad.body, "Code")).toBe("InvalidTag");
    await multipartObject("mpu-tagged", { "x-amz-tagging": "stage=upload" });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/mpu-tagged?tagging`)).body)).toEqual([["stage", "upload"]]);
    expect((await s3Sent("HEAD", `/${bucket}/mpu-tagged`)).headers.get("x-amz-tagging-count")).toBe("1");
  });

  it("PutObjectTagging of a completed multipart upload keeps it a multipart object (its ETag and body)", async ({
    expect,
  }) => {
    const etag = await multipartObject("mpu-retagged");
    const manifest = async () => {
      const got = await swift("GET", `/AUTH_test/${bucket}/mpu-retagged?multipart-manifest=get`);
      return {
        body: await text(got),
        slo: got.headers.get("x-static-large-object"),
        at: got.headers.get("x-timestamp"),
      };
    };
    const stored = await manifest();
    expect(stored.slo).toMatch(/true/i);
    const put = await s3Sent("PUT", `/${bucket}/mpu-retagged?tagging`, { body: tagging([["k", "v"]]) });
    expect(put.status).toBe(200);
    const got = await s3Sent("GET", `/${bucket}/mpu-retagged`);
    expect(got.body).toBe("multipart body");
    expect(got.headers.get("etag")).toBe(etag);
    expect(etag).toMatch(/-1"$/);
    expect(got.headers.get("x-amz-tagging-count")).toBe("1");
    expect(await manifest()).toEqual(stored);
    expect((await s3Sent("DELETE", `/${bucket}/mpu-retagged?tagging`)).status).toBe(204);
    expect((await s3Sent("GET", `/${bucket}/mpu-retagged`)).headers.get("etag")).toBe(etag);
    expect(await manifest()).toEqual(stored);
  });

  it("CopyObject copies the source's tags by default, with x-amz-metadata-directive REPLACE too", async ({
    expect,
  }) => {
    await putObject("copy-source", "s", { "x-amz-tagging": "from=source" });
    const copied = await s3Sent("PUT", `/${bucket}/copy-default`, {
      headers: { "x-amz-copy-source": `/${bucket}/copy-source` },
    });
    expect(copied.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/copy-default?tagging`)).body)).toEqual([["from", "source"]]);
    await s3Sent("PUT", `/${bucket}/copy-replaced-meta`, {
      headers: {
        "x-amz-copy-source": `/${bucket}/copy-source`,
        "x-amz-metadata-directive": "REPLACE",
        "x-amz-meta-new": "1",
      },
    });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/copy-replaced-meta?tagging`)).body)).toEqual([["from", "source"]]);
    await multipartObject("copy-mpu-source", { "x-amz-tagging": "from=mpu" });
    await s3Sent("PUT", `/${bucket}/copy-of-mpu`, { headers: { "x-amz-copy-source": `/${bucket}/copy-mpu-source` } });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/copy-of-mpu?tagging`)).body)).toEqual([["from", "mpu"]]);
  });

  it("CopyObject with x-amz-tagging-directive REPLACE takes the request's x-amz-tagging (none: no tags)", async ({
    expect,
  }) => {
    await putObject("replace-source", "s", { "x-amz-tagging": "from=source" });
    const replaced = await s3Sent("PUT", `/${bucket}/replace-tags`, {
      headers: {
        "x-amz-copy-source": `/${bucket}/replace-source`,
        "x-amz-tagging-directive": "REPLACE",
        "x-amz-tagging": "from=request",
      },
    });
    expect(replaced.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${bucket}/replace-tags?tagging`)).body)).toEqual([["from", "request"]]);
    await s3Sent("PUT", `/${bucket}/replace-none`, {
      headers: { "x-amz-copy-source": `/${bucket}/replace-source`, "x-amz-tagging-directive": "REPLACE" },
    });
    expect(tagsOf((await s3Sent("GET", `/${bucket}/replace-none?tagging`)).body)).toEqual([]);
    expect((await s3Sent("HEAD", `/${bucket}/replace-none`)).headers.get("x-amz-tagging-count")).toBeNull();
  });

  it("an unknown x-amz-tagging-directive is InvalidArgument", async ({ expect }) => {
    await putObject("directive-source");
    const refused = await s3Sent("PUT", `/${bucket}/directive-copy`, {
      headers: { "x-amz-copy-source": `/${bucket}/directive-source`, "x-amz-tagging-directive": "MERGE" },
    });
    expect(refused.status).toBe(400);
    expect(xmlValue(refused.body, "Code")).toBe("InvalidArgument");
    expect(xmlValue(refused.body, "ArgumentName")).toBe("x-amz-tagging-directive");
  });
});

describe("S3 object tagging in a versioned bucket", () => {
  it("GetObjectTagging with versionId reads the tags of that version", async ({ expect }) => {
    const first = await s3Sent("PUT", `/${versioned}/doc`, { body: "1", headers: { "x-amz-tagging": "v=one" } });
    await s3Sent("PUT", `/${versioned}/doc`, { body: "2", headers: { "x-amz-tagging": "v=two" } });
    const version = first.headers.get("x-amz-version-id") ?? "";
    const old = await s3Sent("GET", `/${versioned}/doc?tagging&versionId=${version}`);
    expect(old.status).toBe(200);
    expect(old.headers.get("x-amz-version-id")).toBe(version);
    expect(tagsOf(old.body)).toEqual([["v", "one"]]);
    expect(tagsOf((await s3Sent("GET", `/${versioned}/doc?tagging`)).body)).toEqual([["v", "two"]]);
    const missing = await s3Sent("GET", `/${versioned}/doc?tagging&versionId=1234567890.12345`);
    expect(missing.status).toBe(404);
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchVersion");
  });

  it("PutObjectTagging without versionId tags the current version in place: no version is added", async ({
    expect,
  }) => {
    const first = await s3Sent("PUT", `/${versioned}/current`, { body: "1", headers: { "x-amz-tagging": "v=one" } });
    const second = await s3Sent("PUT", `/${versioned}/current`, { body: "2", headers: { "x-amz-tagging": "v=two" } });
    const before = await s3Sent("GET", `/${versioned}?versions&prefix=current`);
    const put = await s3Sent("PUT", `/${versioned}/current?tagging`, { body: tagging([["v", "new"]]) });
    expect(put.status).toBe(200);
    expect(put.headers.get("x-amz-version-id")).toBe(second.headers.get("x-amz-version-id"));
    expect((await s3Sent("GET", `/${versioned}?versions&prefix=current`)).body).toBe(before.body);
    expect(tagsOf((await s3Sent("GET", `/${versioned}/current?tagging`)).body)).toEqual([["v", "new"]]);
    const old = first.headers.get("x-amz-version-id") ?? "";
    expect(tagsOf((await s3Sent("GET", `/${versioned}/current?tagging&versionId=${old}`)).body)).toEqual([
      ["v", "one"],
    ]);
    const got = await s3Sent("GET", `/${versioned}/current`);
    expect(got.body).toBe("2");
    expect(got.headers.get("etag")).toBe(second.headers.get("etag"));
    expect(got.headers.get("x-amz-tagging-count")).toBe("1");
    const deleted = await s3Sent("DELETE", `/${versioned}/current?tagging`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get("x-amz-version-id")).toBe(second.headers.get("x-amz-version-id"));
    expect(tagsOf((await s3Sent("GET", `/${versioned}/current?tagging`)).body)).toEqual([]);
    expect((await s3Sent("GET", `/${versioned}?versions&prefix=current`)).body).toBe(before.body);
  });

  it("PutObjectTagging and DeleteObjectTagging with versionId change that version only", async ({ expect }) => {
    const first = await s3Sent("PUT", `/${versioned}/older`, { body: "1", headers: { "x-amz-tagging": "v=one" } });
    await s3Sent("PUT", `/${versioned}/older`, { body: "2", headers: { "x-amz-tagging": "v=two" } });
    const version = first.headers.get("x-amz-version-id") ?? "";
    const before = await s3Sent("GET", `/${versioned}?versions&prefix=older`);
    const put = await s3Sent("PUT", `/${versioned}/older?tagging&versionId=${version}`, {
      body: tagging([["v", "retagged"]]),
    });
    expect(put.status).toBe(200);
    expect(put.headers.get("x-amz-version-id")).toBe(version);
    const read = () => s3Sent("GET", `/${versioned}/older?tagging&versionId=${version}`);
    expect(tagsOf((await read()).body)).toEqual([["v", "retagged"]]);
    expect(tagsOf((await s3Sent("GET", `/${versioned}/older?tagging`)).body)).toEqual([["v", "two"]]);
    const deleted = await s3Sent("DELETE", `/${versioned}/older?tagging&versionId=${version}`);
    expect(deleted.status).toBe(204);
    expect(tagsOf((await read()).body)).toEqual([]);
    expect(tagsOf((await s3Sent("GET", `/${versioned}/older?tagging`)).body)).toEqual([["v", "two"]]);
    expect((await s3Sent("GET", `/${versioned}/older?versionId=${version}`)).body).toBe("1");
    expect((await s3Sent("GET", `/${versioned}?versions&prefix=older`)).body).toBe(before.body);
  });

  it("tagging a delete marker by versionId is MethodNotAllowed (405); a deleted object's NoSuchKey", async ({
    expect,
  }) => {
    await s3Sent("PUT", `/${versioned}/marked`, { body: "1" });
    const marker = (await s3Sent("DELETE", `/${versioned}/marked`)).headers.get("x-amz-version-id") ?? "";
    for (const [method, body] of [
      ["PUT", tagging([["k", "v"]])],
      ["DELETE", undefined],
    ] as const) {
      const onMarker = await s3Sent(method, `/${versioned}/marked?tagging&versionId=${marker}`, { body });
      expect(onMarker.status).toBe(405);
      expect(xmlValue(onMarker.body, "Code")).toBe("MethodNotAllowed");
      const current = await s3Sent(method, `/${versioned}/marked?tagging`, { body });
      expect(current.status).toBe(404);
      expect(xmlValue(current.body, "Code")).toBe("NoSuchKey");
    }
    expect(xmlValues((await s3Sent("GET", `/${versioned}?versions&prefix=marked`)).body, "VersionId")).toHaveLength(2);
  });

  it("tagging an unknown versionId is NoSuchVersion (404); one that is no version id InvalidArgument (400)", async ({
    expect,
  }) => {
    await s3Sent("PUT", `/${versioned}/known`, { body: "1" });
    for (const [method, body] of [
      ["PUT", tagging([["k", "v"]])],
      ["DELETE", undefined],
    ] as const) {
      const unknown = await s3Sent(method, `/${versioned}/known?tagging&versionId=1000000000.00000`, { body });
      expect(unknown.status).toBe(404);
      expect(xmlValue(unknown.body, "Code")).toBe("NoSuchVersion");
      const bad = await s3Sent(method, `/${versioned}/known?tagging&versionId=not-a-version`, { body });
      expect(bad.status).toBe(400);
      expect(xmlValue(bad.body, "Code")).toBe("InvalidArgument");
    }
  });

  it("with versioning suspended the null version and older versions are tagged in place", async ({ expect }) => {
    const suspended = bucketName("tagging-suspended");
    await s3Sent("PUT", `/${suspended}`);
    const status = (value: string) => ({
      body: `<VersioningConfiguration><Status>${value}</Status></VersioningConfiguration>`,
    });
    await s3Sent("PUT", `/${suspended}?versioning`, status("Enabled"));
    const kept = await s3Sent("PUT", `/${suspended}/doc`, { body: "1", headers: { "x-amz-tagging": "v=one" } });
    await s3Sent("PUT", `/${suspended}?versioning`, status("Suspended"));
    await s3Sent("PUT", `/${suspended}/doc`, { body: "2", headers: { "x-amz-tagging": "v=two" } });
    const before = await s3Sent("GET", `/${suspended}?versions`);
    const put = await s3Sent("PUT", `/${suspended}/doc?tagging`, { body: tagging([["v", "null"]]) });
    expect(put.status).toBe(200);
    expect(put.headers.get("x-amz-version-id")).toBe("null");
    expect(tagsOf((await s3Sent("GET", `/${suspended}/doc?tagging`)).body)).toEqual([["v", "null"]]);
    expect(tagsOf((await s3Sent("GET", `/${suspended}/doc?tagging&versionId=null`)).body)).toEqual([["v", "null"]]);
    const version = kept.headers.get("x-amz-version-id") ?? "";
    const older = await s3Sent("PUT", `/${suspended}/doc?tagging&versionId=${version}`, {
      body: tagging([["v", "older"]]),
    });
    expect(older.status).toBe(200);
    expect(tagsOf((await s3Sent("GET", `/${suspended}/doc?tagging&versionId=${version}`)).body)).toEqual([
      ["v", "older"],
    ]);
    expect(tagsOf((await s3Sent("GET", `/${suspended}/doc?tagging`)).body)).toEqual([["v", "null"]]);
    expect((await s3Sent("GET", `/${suspended}/doc`)).body).toBe("2");
    expect((await s3Sent("GET", `/${suspended}?versions`)).body).toBe(before.body);
  });
});

describe("S3 bucket tagging", () => {
  it("PutBucketTagging stores a tag set (204) that GetBucketTagging returns", async ({ expect }) => {
    const tagged = bucketName("tagged");
    await s3Sent("PUT", `/${tagged}`);
    const put = await s3Sent("PUT", `/${tagged}?tagging`, {
      body: tagging([
        ["cost-center", "42"],
        ["env", "prod"],
      ]),
    });
    expect(put.status).toBe(204);
    const got = await s3Sent("GET", `/${tagged}?tagging`);
    expect(got.status).toBe(200);
    expect(tagsOf(got.body)).toEqual([
      ["cost-center", "42"],
      ["env", "prod"],
    ]);
    await s3Sent("PUT", `/${tagged}?tagging`, { body: tagging([["env", "dev"]]) });
    expect(tagsOf((await s3Sent("GET", `/${tagged}?tagging`)).body)).toEqual([["env", "dev"]]);
  });

  it("GetBucketTagging of a bucket without tags is NoSuchTagSet (404), so again after DeleteBucketTagging", async ({
    expect,
  }) => {
    const plain = bucketName("untagged");
    await s3Sent("PUT", `/${plain}`);
    const none = await s3Sent("GET", `/${plain}?tagging`);
    expect(none.status).toBe(404);
    expect(xmlValue(none.body, "Code")).toBe("NoSuchTagSet");
    await s3Sent("PUT", `/${plain}?tagging`, { body: tagging([["k", "v"]]) });
    const deleted = await s3Sent("DELETE", `/${plain}?tagging`);
    expect(deleted.status).toBe(204);
    expect(xmlValue((await s3Sent("GET", `/${plain}?tagging`)).body, "Code")).toBe("NoSuchTagSet");
    await s3Sent("PUT", `/${plain}?tagging`, { body: tagging([["k", "v"]]) });
    expect((await s3Sent("PUT", `/${plain}?tagging`, { body: tagging([]) })).status).toBe(204);
    expect(xmlValue((await s3Sent("GET", `/${plain}?tagging`)).body, "Code")).toBe("NoSuchTagSet");
  });

  it("up to 50 bucket tags, however long, are kept; 51 is BadRequest", async ({ expect }) => {
    const many = bucketName("many-tags");
    await s3Sent("PUT", `/${many}`);
    const tags = Array.from({ length: 50 }, (_, i): [string, string] => [
      `${String(i).padStart(2, "0")}${"k".repeat(126)}`,
      "v".repeat(256),
    ]);
    expect((await s3Sent("PUT", `/${many}?tagging`, { body: tagging(tags) })).status).toBe(204);
    expect(tagsOf((await s3Sent("GET", `/${many}?tagging`)).body)).toEqual(tags);
    const refused = await s3Sent("PUT", `/${many}?tagging`, { body: tagging([...tags, ["extra", "1"]]) });
    expect(refused.status).toBe(400);
    expect(xmlValue(refused.body, "Code")).toBe("BadRequest");
    expect(xmlValue(refused.body, "Message")).toBe("Bucket tag count cannot be greater than 50");
    expect((await s3Sent("PUT", `/${many}?tagging`, { body: tagging([["one", "1"]]) })).status).toBe(204);
    expect(tagsOf((await s3Sent("GET", `/${many}?tagging`)).body)).toEqual([["one", "1"]]);
    const invalid = await s3Sent("PUT", `/${many}?tagging`, { body: tagging([["aws:x", "1"]]) });
    expect(xmlValue(invalid.body, "Code")).toBe("InvalidTag");
  });

  it("bucket tagging of a missing bucket is NoSuchBucket; bucket tags stay hidden from Swift", async ({ expect }) => {
    const absent = bucketName("absent");
    for (const method of ["GET", "PUT", "DELETE"] as const) {
      const sent = await s3Sent(method, `/${absent}?tagging`, method === "PUT" ? { body: tagging([]) } : {});
      expect(sent.status).toBe(404);
      expect(xmlValue(sent.body, "Code")).toBe("NoSuchBucket");
    }
    const hidden = bucketName("hidden");
    await s3Sent("PUT", `/${hidden}`);
    await s3Sent("PUT", `/${hidden}?tagging`, { body: tagging([["k", "v"]]) });
    const viaSwift = await swift("HEAD", `/AUTH_test/${hidden}`);
    await text(viaSwift);
    expect([...viaSwift.headers.keys()].filter((name) => /sysmeta|tagging/.test(name))).toEqual([]);
  });
});
