/**
 * @module
 * CompleteMultipartUpload of more parts than one SLO manifest holds (1000), up to AWS's 10,000:
 * the object's manifest holds its first parts and sub-manifests of the rest (multipart.ts
 * layoutOf); it reads as one object (whole, in ranges, by part number, through Swift too), its
 * ETag counts every part, and deleting, replacing, aborting or reclaiming it leaves nothing in
 * `<bucket>+segments`. Its own vitest project (vitest.config.ts) sets S3_MIN_PART_SIZE to 1 byte,
 * so that a thousand tiny parts make an upload, and makes the one-replica policy the default, so
 * that they upload quickly.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, it, vi } from "vitest";
import { SLO_MAX_MANIFEST_SEGMENTS } from "../../../src/common/constraints";
import { parseConfig } from "../../../src/config/config";
import { runS3Housekeeping } from "../../../src/proxy/s3/housekeeping";
import { BASE, swift, text } from "../../helpers";
import { bucketName, s3, s3Sent, xmlValue, xmlValues } from "./helpers";

const bucket = bucketName("many-parts");
const segments = `${bucket}+segments`;
/** Parts of the uploads: the most one manifest holds and three more (a sub-manifest of four). */
const PARTS = SLO_MAX_MANIFEST_SEGMENTS + 3;
/** Parts uploaded at once. */
const UPLOAD_CONCURRENCY = 16;
const DAY = 86_400_000;

beforeAll(async () => {
  const created = await s3Sent("PUT", `/${bucket}`);
  if (created.status !== 200) throw new Error(`bucket: ${created.status} ${created.body}`);
});

const encoder = new TextEncoder();

/** Part n's bytes: 2 to 6 of them, each part different. */
const partBody = (n: number) => `p${n}`;

/** The bytes of parts 1..count in order: the completed object's body. */
const wholeBody = (count: number) => Array.from({ length: count }, (_, index) => partBody(index + 1)).join("");

async function md5Bytes(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("MD5", data));
}

const hex = (data: Uint8Array) => [...data].map((b) => b.toString(16).padStart(2, "0")).join("");

/** S3's multipart ETag of parts 1..count: the md5 of their binary md5s, then `-count`. */
async function multipartEtag(count: number): Promise<string> {
  const joined = new Uint8Array(count * 16);
  for (let n = 1; n <= count; n++) joined.set(await md5Bytes(encoder.encode(partBody(n))), (n - 1) * 16);
  return `"${hex(await md5Bytes(joined))}-${count}"`;
}

async function createUpload(key: string, target = bucket): Promise<string> {
  const sent = await s3Sent("POST", `/${target}/${key}?uploads`);
  if (sent.status !== 200) throw new Error(`create ${key}: ${sent.status} ${sent.body}`);
  return xmlValue(sent.body, "UploadId") ?? "";
}

/** Uploads parts 1..count of an upload, UPLOAD_CONCURRENCY at a time; their ETags in part order. */
async function uploadParts(key: string, id: string, count: number, target = bucket): Promise<string[]> {
  const etags: string[] = [];
  let next = 1;
  const worker = async () => {
    for (let n = next++; n <= count; n = next++) {
      const sent = await s3Sent("PUT", `/${target}/${key}?partNumber=${n}&uploadId=${id}`, { body: partBody(n) });
      if (sent.status !== 200) throw new Error(`part ${n} of ${key}: ${sent.status} ${sent.body}`);
      etags[n - 1] = sent.headers.get("etag") ?? "";
    }
  };
  await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker));
  return etags;
}

function completeXml(etags: readonly string[]): string {
  const items = etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`);
  return `<CompleteMultipartUpload>${items.join("")}</CompleteMultipartUpload>`;
}

function complete(
  key: string,
  id: string,
  etags: readonly string[],
  headers: Record<string, string> = {},
  target = bucket,
) {
  return s3Sent("POST", `/${target}/${key}?uploadId=${id}`, { body: completeXml(etags), headers });
}

/** An upload of `count` parts at `key`, completed; its upload id. */
async function completedUpload(key: string, count: number, target = bucket): Promise<string> {
  const id = await createUpload(key, target);
  const done = await complete(key, id, await uploadParts(key, id, count, target), {}, target);
  if (done.status !== 200) throw new Error(`complete ${key}: ${done.status} ${done.body}`);
  return id;
}

/** The names in a segments container under `prefix`, through the Swift API. */
async function segmentNames(prefix: string, container = segments): Promise<string[]> {
  const query = `format=json&prefix=${encodeURIComponent(prefix)}`;
  const response = await swift("GET", `/AUTH_test/${encodeURIComponent(container)}?${query}`);
  if (response.status !== 200) {
    await text(response);
    return [];
  }
  return ((await response.json()) as { name: string }[]).map((entry) => entry.name);
}

/**
 * A large object's body, read whole. Swift reads segments under 1 MiB past the tenth at one a
 * second (segments.ts RateLimiter: rate_limit_after_segment, rate_limit_segments_per_sec), which
 * would make a thousand tiny parts take a thousand seconds: while the body streams, each look at
 * the clock finds a second more gone, so the limiter never waits.
 */
async function readWhole(response: Response): Promise<string> {
  const realNow = Date.now.bind(Date);
  let ahead = 0;
  const clock = vi.spyOn(Date, "now").mockImplementation(() => realNow() + (ahead += 1001));
  try {
    return new TextDecoder().decode(await response.arrayBuffer());
  } finally {
    clock.mockRestore();
  }
}

/** The object's stored manifest, through the Swift API. */
async function storedManifest(key: string): Promise<{ name: string; bytes: number; sub_slo?: boolean }[]> {
  const response = await swift("GET", `/AUTH_test/${bucket}/${key}?multipart-manifest=get`);
  if (response.status !== 200) throw new Error(`manifest of ${key}: ${response.status} ${await text(response)}`);
  return response.json();
}

describe("S3 CompleteMultipartUpload of more parts than one SLO manifest holds", () => {
  const key = "nested/object";
  let id = "";
  let etags: string[] = [];
  const body = wholeBody(PARTS);

  beforeAll(async () => {
    id = await createUpload(key);
    etags = await uploadParts(key, id, PARTS);
  }, 300_000);

  it(
    "a Complete that fails after storing its sub-manifest leaves the upload open; " +
      "ListParts and ListMultipartUploads show its parts only",
    async ({ expect }) => {
      expect((await s3Sent("PUT", `/${bucket}/${key}`, { body: "plain" })).status).toBe(200);
      const refused = await complete(key, id, etags, { "if-none-match": "*" });
      expect(refused.status).toBe(412);
      expect(xmlValue(refused.body, "Code")).toBe("PreconditionFailed");
      expect(await segmentNames(`${key}/${id}/0`)).toEqual([`${key}/${id}/01`]);
      expect((await s3Sent("GET", `/${bucket}/${key}`)).body).toBe("plain");

      const first = await s3Sent("GET", `/${bucket}/${key}?uploadId=${id}`);
      expect(first.status).toBe(200);
      const firstNumbers = xmlValues(first.body, "PartNumber").map(Number);
      expect(firstNumbers).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));
      expect(xmlValue(first.body, "IsTruncated")).toBe("true");
      const rest = await s3Sent("GET", `/${bucket}/${key}?uploadId=${id}&part-number-marker=1000`);
      expect(xmlValues(rest.body, "PartNumber")).toEqual(["1001", "1002", "1003"]);
      expect(xmlValue(rest.body, "IsTruncated")).toBe("false");

      const uploads = await s3Sent("GET", `/${bucket}?uploads&prefix=nested/`);
      expect(xmlValues(uploads.body, "Key")).toEqual([key]);
      expect(xmlValues(uploads.body, "UploadId")).toEqual([id]);
    },
  );

  it(
    "Complete stores the first parts in the object's manifest, the rest in a sub-manifest; " +
      "the ETag, ListObjects and GetObjectAttributes count every part",
    async ({ expect }) => {
      const done = await complete(key, id, etags);
      expect(done.status).toBe(200);
      const etag = await multipartEtag(PARTS);
      expect(xmlValue(done.body, "ETag")).toBe(etag);
      // The marker is gone; the stale sub-manifest of the failed Complete was written again and is used.
      expect(xmlValues((await s3Sent("GET", `/${bucket}?uploads&prefix=nested/`)).body, "Key")).toEqual([]);

      const manifest = await storedManifest(key);
      expect(manifest.length).toBe(SLO_MAX_MANIFEST_SEGMENTS);
      expect(manifest.filter((segment) => segment.sub_slo).map((segment) => segment.name)).toEqual([
        `/${segments}/${key}/${id}/01`,
      ]);
      expect(manifest[0]?.name).toBe(`/${segments}/${key}/${id}/1`);

      const head = await s3Sent("HEAD", `/${bucket}/${key}`);
      expect(head.status).toBe(200);
      expect(head.headers.get("etag")).toBe(etag);
      expect(head.headers.get("content-length")).toBe(String(body.length));

      const listed = await s3Sent("GET", `/${bucket}?prefix=nested/`);
      expect(xmlValues(listed.body, "ETag")).toEqual([etag]);
      expect(xmlValues(listed.body, "Size")).toEqual([String(body.length)]);
      const json = await swift("GET", `/AUTH_test/${bucket}?format=json&prefix=nested/`);
      const [entry] = (await json.json()) as { hash: string; bytes: number }[];
      expect(entry?.hash).toMatch(new RegExp(`^[0-9a-f]{32}; s3_etag=${etag.replace(/"/g, "")}$`));
      expect(entry?.bytes).toBe(body.length);

      const attributes = await s3Sent("GET", `/${bucket}/${key}?attributes`, {
        headers: { "x-amz-object-attributes": "ETag,ObjectParts,ObjectSize" },
      });
      expect(attributes.status).toBe(200);
      expect(xmlValue(attributes.body, "TotalPartsCount")).toBe(String(PARTS));
      expect(xmlValue(attributes.body, "ObjectSize")).toBe(String(body.length));
    },
  );

  it("GetObject and a Swift GET read the whole body; a range across the sub-manifest's start reads both sides", async ({
    expect,
  }) => {
    const got = await s3("GET", `/${bucket}/${key}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-length")).toBe(String(body.length));
    expect(await readWhole(got)).toBe(body);
    const viaSwift = await swift("GET", `/AUTH_test/${bucket}/${key}`);
    expect(viaSwift.status).toBe(200);
    expect(viaSwift.headers.get("content-length")).toBe(String(body.length));
    expect(await readWhole(viaSwift)).toBe(body);

    // Parts 1..999 are in the object's manifest; part 1000 is the sub-manifest's first.
    const boundary = wholeBody(SLO_MAX_MANIFEST_SEGMENTS - 1).length;
    const across = await s3Sent("GET", `/${bucket}/${key}`, {
      headers: { range: `bytes=${boundary - 3}-${boundary + 6}` },
    });
    expect(across.status).toBe(206);
    expect(across.body).toBe(body.slice(boundary - 3, boundary + 7));
    expect(across.body).toBe("999p1000p1");
    expect(across.headers.get("content-range")).toBe(`bytes ${boundary - 3}-${boundary + 6}/${body.length}`);
    const tail = await s3Sent("GET", `/${bucket}/${key}`, { headers: { range: "bytes=-12" } });
    expect(tail.body).toBe("01p1002p1003");
  });

  it("?partNumber=N reads part N from either manifest; x-amz-mp-parts-count counts every part", async ({ expect }) => {
    for (const n of [1, 999, 1000, 1002, PARTS]) {
      const part = await s3Sent("GET", `/${bucket}/${key}?partNumber=${n}`);
      expect(part.status).toBe(206);
      expect(part.body).toBe(partBody(n));
      expect(part.headers.get("x-amz-mp-parts-count")).toBe(String(PARTS));
      const first = wholeBody(n - 1).length;
      const last = first + partBody(n).length - 1;
      expect(part.headers.get("content-range")).toBe(`bytes ${first}-${last}/${body.length}`);
    }
    const head = await s3Sent("HEAD", `/${bucket}/${key}?partNumber=1001`);
    expect(head.status).toBe(206);
    expect(head.headers.get("content-length")).toBe(String(partBody(1001).length));
    expect(head.headers.get("x-amz-mp-parts-count")).toBe(String(PARTS));
    const past = await s3Sent("GET", `/${bucket}/${key}?partNumber=${PARTS + 1}`);
    expect(past.status).toBe(416);
    expect(xmlValue(past.body, "Code")).toBe("InvalidPartNumber");
  });

  it("a Complete retried answers the same ETag; another part list is NoSuchUpload", async ({ expect }) => {
    const again = await complete(key, id, etags);
    expect(again.status).toBe(200);
    expect(xmlValue(again.body, "ETag")).toBe(await multipartEtag(PARTS));
    const fewer = await complete(key, id, etags.slice(0, -1));
    expect(fewer.status).toBe(404);
    expect(xmlValue(fewer.body, "Code")).toBe("NoSuchUpload");
  });

  it("DeleteObject deletes the manifest, the sub-manifest and every part", async ({ expect }) => {
    expect((await segmentNames(`${key}/`)).length).toBe(PARTS + 1);
    expect((await s3Sent("DELETE", `/${bucket}/${key}`)).status).toBe(204);
    expect((await s3Sent("HEAD", `/${bucket}/${key}`)).status).toBe(404);
    expect(await segmentNames(`${key}/`)).toEqual([]);
  }, 300_000);
});

describe("nothing of a nested upload is left behind", () => {
  it("a Complete over a completed upload deletes the replaced upload's parts and sub-manifest", async ({ expect }) => {
    const replaced = await completedUpload("replaced/key", PARTS);
    expect((await segmentNames(`replaced/key/${replaced}/`)).length).toBe(PARTS + 1);
    const id = await createUpload("replaced/key");
    const [etag = ""] = await uploadParts("replaced/key", id, 1);
    expect((await complete("replaced/key", id, [etag])).status).toBe(200);
    expect(await segmentNames("replaced/key/")).toEqual([`replaced/key/${id}/1`]);
    expect((await s3Sent("GET", `/${bucket}/replaced/key`)).body).toBe(partBody(1));
  }, 300_000);

  it("a Swift DELETE ?multipart-manifest=delete deletes the sub-manifest and every part", async ({ expect }) => {
    await completedUpload("swift/deleted", PARTS);
    const deleted = await swift("DELETE", `/AUTH_test/${bucket}/swift/deleted?multipart-manifest=delete`, {
      headers: { accept: "application/json" },
    });
    expect(deleted.status).toBe(200);
    const report = (await deleted.json()) as Record<string, unknown>;
    expect(report["Response Status"]).toBe("200 OK");
    expect(report["Number Deleted"]).toBe(PARTS + 2);
    expect(await segmentNames("swift/deleted/")).toEqual([]);
  }, 300_000);

  it("AbortMultipartUpload deletes the sub-manifests a failed Complete left with the parts", async ({ expect }) => {
    const id = await createUpload("aborted/key");
    const etags = await uploadParts("aborted/key", id, 2);
    // What a Complete that failed after storing its sub-manifest leaves (as the first test shows one does).
    await storeSubManifest(bucket, "aborted/key", id, etags);
    expect((await s3Sent("DELETE", `/${bucket}/aborted/key?uploadId=${id}`)).status).toBe(204);
    expect(await segmentNames("aborted/key/")).toEqual([]);
  });

  it("the housekeeping job's lifecycle expiration and abandoned-upload reclaim leave no sub-manifest or part", async ({
    expect,
  }) => {
    const target = bucketName("many-parts-lc");
    expect((await s3Sent("PUT", `/${target}`)).status).toBe(200);
    const rule = "<ID>all</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>";
    const expiration = "<Expiration><Days>1</Days></Expiration>";
    const lifecycle = await s3Sent("PUT", `/${target}?lifecycle`, {
      body: `<LifecycleConfiguration><Rule>${rule}${expiration}</Rule></LifecycleConfiguration>`,
    });
    expect(lifecycle.status).toBe(200);
    await completedUpload("expired", PARTS, target);
    const abandoned = await createUpload("abandoned", target);
    await storeSubManifest(target, "abandoned", abandoned, await uploadParts("abandoned", abandoned, 2, target));
    expect((await segmentNames("", `${target}+segments`)).length).toBe(PARTS + 1 + 4);

    const config = parseConfig(env);
    const pending: Promise<unknown>[] = [];
    const report = await runS3Housekeeping(config, Date.now() + 8 * DAY, {
      waitUntil: (promise) => pending.push(promise),
      requestBudget: 10_000,
    });
    await Promise.allSettled(pending);
    expect(report.expired).toBe(1);
    expect(report.uploadsAborted).toBeGreaterThanOrEqual(1);
    expect((await s3Sent("HEAD", `/${target}/expired`)).status).toBe(404);
    expect(await segmentNames("", `${target}+segments`)).toEqual([]);
  }, 300_000);
});

/**
 * Stores the sub-manifest a Complete that failed after storing it leaves (`<key>/<uploadId>/01`,
 * an SLO manifest of the parts), through the Swift API.
 */
async function storeSubManifest(target: string, key: string, id: string, etags: readonly string[]): Promise<void> {
  const manifest = etags.map((etag, index) => ({
    path: `/${target}+segments/${key}/${id}/${index + 1}`,
    etag: etag.replace(/"/g, ""),
  }));
  const put = await swift("PUT", `/AUTH_test/${target}+segments/${key}/${id}/01?multipart-manifest=put`, {
    body: JSON.stringify(manifest),
  });
  await text(put);
  if (put.status !== 201) throw new Error(`sub-manifest of ${key}: ${put.status}`);
}

describe("Complete's bounds", () => {
  it("a Complete naming more than 10,000 parts is InvalidArgument at part 10001; nothing is stored", async ({
    expect,
  }) => {
    const id = await createUpload("too/many");
    const [etag = ""] = await uploadParts("too/many", id, 1);
    const parts = Array.from({ length: 10_001 }, () => etag);
    const sent = await complete("too/many", id, parts);
    expect(sent.status).toBe(400);
    expect(xmlValue(sent.body, "Code")).toBe("InvalidArgument");
    expect(xmlValue(sent.body, "Message")).toBe("Part number must be an integer between 1 and 10000, inclusive");
    expect(xmlValue(sent.body, "ArgumentName")).toBe("PartNumber");
    expect(xmlValue(sent.body, "ArgumentValue")).toBe("10001");
    expect((await s3Sent("HEAD", `/${bucket}/too/many`)).status).toBe(404);
    expect(await segmentNames("too/many/")).toEqual([`too/many/${id}`, `too/many/${id}/1`]);
  });

  it("every part but the last must have S3_MIN_PART_SIZE bytes (here 1): an empty one is EntityTooSmall", async ({
    expect,
  }) => {
    const id = await createUpload("small/parts");
    const empty = await s3Sent("PUT", `/${bucket}/small/parts?partNumber=1&uploadId=${id}`, { body: "" });
    const last = await s3Sent("PUT", `/${bucket}/small/parts?partNumber=2&uploadId=${id}`, { body: "" });
    const refused = await complete("small/parts", id, [
      empty.headers.get("etag") ?? "",
      last.headers.get("etag") ?? "",
    ]);
    expect(refused.status).toBe(400);
    expect(xmlValue(refused.body, "Code")).toBe("EntityTooSmall");
    expect(xmlValue(refused.body, "MinSizeAllowed")).toBe("1");
    const [one = "", two = ""] = await uploadParts("small/parts", id, 2);
    expect((await complete("small/parts", id, [one, two])).status).toBe(200);
  });

  it("/info's s3api min_segment_size is S3_MIN_PART_SIZE", async ({ expect }) => {
    const info = (await (await exports.default.fetch(`${BASE}/info`)).json()) as { s3api?: Record<string, unknown> };
    expect(info.s3api?.min_segment_size).toBe(1);
  });
});
