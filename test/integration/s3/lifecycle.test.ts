/**
 * @module
 * Bucket lifecycle through the Worker: the configuration's round trip and every refusal AWS
 * gives, then what the S3 housekeeping job does with it, run at a chosen time (its `now`, days
 * ahead: never a sleep): objects past Expiration deleted (a delete marker where versions are
 * kept), prefix, tag and size filters, noncurrent versions and lone delete markers removed,
 * incomplete uploads aborted by a rule or reclaimed after S3_MULTIPART_MAX_AGE, the registry of
 * buckets it visits, its budget and resumption, and the operator's route and cron that run it.
 */
import { env, exports } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, it } from "vitest";
import worker from "../../../src/index";
import { ConfigError, parseConfig } from "../../../src/config/config";
import { controlStub } from "../../../src/durable/names";
import { type HousekeepingReport, runS3Housekeeping } from "../../../src/proxy/s3/housekeeping";
import { BASE, swift, text, tokenFor } from "../../helpers";
import { bucketName, s3Sent, xmlValue, xmlValues } from "./helpers";

const DAY = 86_400_000;
const config = parseConfig(env);

const doc = (...rules: string[]) =>
  `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules.join("")}</LifecycleConfiguration>`;
const rule = (id: string, body: string) => `<Rule><ID>${id}</ID>${body}</Rule>`;
const expireDays = (days: number | string) => `<Expiration><Days>${days}</Days></Expiration>`;
const prefixFilter = (prefix: string) => `<Filter><Prefix>${prefix}</Prefix></Filter>`;
const enabled = "<Status>Enabled</Status>";

async function newBucket(prefix: string, versioned = false): Promise<string> {
  const bucket = bucketName(prefix);
  const created = await s3Sent("PUT", `/${bucket}`);
  if (created.status !== 200) throw new Error(`bucket ${bucket}: ${created.status} ${created.body}`);
  if (versioned) {
    const body = `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`;
    const set = await s3Sent("PUT", `/${bucket}?versioning`, { body });
    if (set.status !== 200) throw new Error(`versioning ${bucket}: ${set.status} ${set.body}`);
  }
  return bucket;
}

async function putLifecycle(bucket: string, body: string, headers: Record<string, string> = {}) {
  return s3Sent("PUT", `/${bucket}?lifecycle`, { body, headers });
}

async function configure(bucket: string, ...rules: string[]): Promise<void> {
  const put = await putLifecycle(bucket, doc(...rules));
  if (put.status !== 200) throw new Error(`lifecycle of ${bucket}: ${put.status} ${put.body}`);
}

async function putObject(bucket: string, key: string, body = "data", headers: Record<string, string> = {}) {
  const put = await s3Sent("PUT", `/${bucket}/${key}`, { body, headers });
  if (put.status !== 200) throw new Error(`put ${key}: ${put.status} ${put.body}`);
  return put.headers.get("x-amz-version-id");
}

async function keys(bucket: string): Promise<string[]> {
  const listed = await s3Sent("GET", `/${bucket}`);
  return xmlValues(listed.body, "Key");
}

/** ListObjectVersions as [key, version id, kind] in listing order. */
async function versions(bucket: string): Promise<[string, string, "Version" | "DeleteMarker"][]> {
  const listed = await s3Sent("GET", `/${bucket}?versions`);
  return [...listed.body.matchAll(/<(Version|DeleteMarker)>(.*?)<\/\1>/g)].map((match) => [
    xmlValue(match[2] ?? "", "Key") ?? "",
    xmlValue(match[2] ?? "", "VersionId") ?? "",
    match[1] as "Version" | "DeleteMarker",
  ]);
}

/** The job run as if `days` days from now, its background work waited for. */
async function runAt(
  days: number,
  options: { config?: typeof config; requestBudget?: number; pageSize?: number } = {},
) {
  const pending: Promise<unknown>[] = [];
  const report = await runS3Housekeeping(options.config ?? config, Date.now() + days * DAY, {
    waitUntil: (promise) => pending.push(promise),
    requestBudget: options.requestBudget,
    pageSize: options.pageSize,
  });
  await Promise.allSettled(pending);
  return report;
}

/** The registry's rows for a bucket (kinds), whenever they are due. */
async function registered(bucket: string): Promise<string[]> {
  const rows = (await controlStub(config).dueS3Housekeeping(Number.MAX_SAFE_INTEGER, 100_000)).value ?? [];
  return rows.filter((row) => row.bucket === bucket).map((row) => row.kind);
}

async function createUpload(bucket: string, key: string): Promise<string> {
  const sent = await s3Sent("POST", `/${bucket}/${key}?uploads`);
  if (sent.status !== 200) throw new Error(`create ${key}: ${sent.status} ${sent.body}`);
  return xmlValue(sent.body, "UploadId") ?? "";
}

async function uploadPart(bucket: string, key: string, id: string, part: number, body: string): Promise<string> {
  const sent = await s3Sent("PUT", `/${bucket}/${key}?partNumber=${part}&uploadId=${id}`, { body });
  if (sent.status !== 200) throw new Error(`part ${part} of ${key}: ${sent.status} ${sent.body}`);
  return sent.headers.get("etag") ?? "";
}

/** The names in a bucket's segments container (markers and parts), through the Swift API. */
async function segmentNames(bucket: string): Promise<string[]> {
  const response = await swift("GET", `/AUTH_test/${bucket}+segments?format=json`);
  if (response.status !== 200) {
    await text(response);
    return [];
  }
  return ((await response.json()) as { name: string }[]).map((entry) => entry.name);
}

/** XML text with its character references read (`&#39;` is `'`). */
function unescaped(text: string | null): string | null {
  return text?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))) ?? null;
}

async function md5Base64(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("MD5", new TextEncoder().encode(body)));
  return btoa(String.fromCharCode(...digest));
}

describe("lifecycle configuration", () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await newBucket("lc-config");
  });

  it("a bucket never configured: NoSuchLifecycleConfiguration (404) naming it; a missing bucket: NoSuchBucket", async ({
    expect,
  }) => {
    const got = await s3Sent("GET", `/${bucket}?lifecycle`);
    expect(got.status).toBe(404);
    expect(xmlValue(got.body, "Code")).toBe("NoSuchLifecycleConfiguration");
    expect(xmlValue(got.body, "Message")).toBe("The lifecycle configuration does not exist");
    expect(xmlValue(got.body, "BucketName")).toBe(bucket);
    const missing = await s3Sent("GET", "/no-such-lifecycle-bucket?lifecycle");
    expect(xmlValue(missing.body, "Code")).toBe("NoSuchBucket");
    const put = await putLifecycle("no-such-lifecycle-bucket", doc(rule("r", `<Filter/>${enabled}${expireDays(1)}`)));
    expect(xmlValue(put.body, "Code")).toBe("NoSuchBucket");
  });

  it("Put stores the rules, Get gives them back, Delete removes them (204): then NoSuchLifecycleConfiguration", async ({
    expect,
  }) => {
    const body = doc(
      rule("logs", `${prefixFilter("logs/")}${enabled}${expireDays(30)}`),
      rule(
        "old",
        "<Filter><And><Prefix>tmp/</Prefix><Tag><Key>a</Key><Value>b</Value></Tag></And></Filter>" +
          "<Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>",
      ),
      rule(
        "versions",
        `<Filter/>${enabled}<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>` +
          "<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>" +
          "<AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation>" +
          "</AbortIncompleteMultipartUpload>",
      ),
    );
    const put = await putLifecycle(bucket, body, { "content-md5": await md5Base64(body) });
    expect(put.status).toBe(200);
    const got = await s3Sent("GET", `/${bucket}?lifecycle`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/xml");
    expect(xmlValues(got.body, "ID")).toEqual(["logs", "old", "versions"]);
    expect(xmlValues(got.body, "Status")).toEqual(["Enabled", "Disabled", "Enabled"]);
    expect(xmlValues(got.body, "Prefix")).toEqual(["logs/", "tmp/"]);
    expect(got.body).toContain("<Expiration><Days>30</Days></Expiration>");
    expect(got.body).toContain("<Date>2030-01-01T00:00:00.000Z</Date>");
    expect(got.body).toContain("<Tag><Key>a</Key><Value>b</Value></Tag>");
    expect(got.body).toContain(
      "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>2" +
        "</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
    );
    expect(got.body).toContain("<DaysAfterInitiation>3</DaysAfterInitiation>");
    // Replacing it replaces every rule.
    await configure(bucket, rule("only", `<Prefix>x</Prefix>${enabled}${expireDays(1)}`));
    expect(xmlValues((await s3Sent("GET", `/${bucket}?lifecycle`)).body, "ID")).toEqual(["only"]);
    const deleted = await s3Sent("DELETE", `/${bucket}?lifecycle`);
    expect(deleted.status).toBe(204);
    const after = await s3Sent("GET", `/${bucket}?lifecycle`);
    expect(after.status).toBe(404);
    expect(xmlValue(after.body, "Code")).toBe("NoSuchLifecycleConfiguration");
    expect((await s3Sent("DELETE", `/${bucket}?lifecycle`)).status).toBe(204);
  });

  it("1000 rules (more than one header value of system metadata) round-trip whole", async ({ expect }) => {
    const rules = Array.from({ length: 1000 }, (_, i) =>
      rule(`rule-number-${i}`, `${prefixFilter(`some/longer/prefix/${i}/`)}${enabled}${expireDays(i + 1)}`),
    );
    expect((await putLifecycle(bucket, doc(...rules))).status).toBe(200);
    const got = await s3Sent("GET", `/${bucket}?lifecycle`);
    expect(xmlValues(got.body, "ID")).toHaveLength(1000);
    expect(xmlValues(got.body, "Days").at(-1)).toBe("1000");
    await configure(bucket, rule("small", `<Filter/>${enabled}${expireDays(2)}`));
    expect(xmlValues((await s3Sent("GET", `/${bucket}?lifecycle`)).body, "ID")).toEqual(["small"]);
  });

  it("neither Swift client nor S3 client sees the stored configuration in the bucket's headers", async ({ expect }) => {
    await configure(bucket, rule("hidden", `<Filter/>${enabled}${expireDays(2)}`));
    const head = await swift("HEAD", `/AUTH_test/${bucket}`);
    await text(head);
    expect([...head.headers.keys()].filter((name) => name.includes("sysmeta") || name.includes("lifecycle"))).toEqual(
      [],
    );
    const s3Head = await s3Sent("HEAD", `/${bucket}`);
    expect([...s3Head.headers.keys()].filter((name) => name.includes("lifecycle"))).toEqual([]);
  });

  it("PutBucketLifecycleConfiguration registers the bucket for the housekeeping job", async ({ expect }) => {
    const other = await newBucket("lc-registered");
    expect(await registered(other)).toEqual([]);
    await configure(other, rule("r", `<Filter/>${enabled}${expireDays(2)}`));
    expect(await registered(other)).toEqual(["lifecycle"]);
  });

  it("a Content-MD5 that does not match the document: BadDigest", async ({ expect }) => {
    const body = doc(rule("r", `<Filter/>${enabled}${expireDays(1)}`));
    const put = await putLifecycle(bucket, body, { "content-md5": await md5Base64(`${body} `) });
    expect(put.status).toBe(400);
    expect(xmlValue(put.body, "Code")).toBe("BadDigest");
  });

  const ok = `<Filter/>${enabled}`;
  const refusals: [string, string, number, string, string?][] = [
    ["an ill-formed document", "<LifecycleConfiguration><Rule>", 400, "MalformedXML"],
    ["no rule", doc(), 400, "MalformedXML"],
    [
      "1001 rules",
      doc(...Array.from({ length: 1001 }, (_, i) => rule(`r${i}`, `${ok}${expireDays(1)}`))),
      400,
      "MalformedXML",
    ],
    ["an unknown element", doc(rule("r", `${ok}${expireDays(1)}<Colour/>`)), 400, "MalformedXML"],
    ["no Status", doc(rule("r", `<Filter/>${expireDays(1)}`)), 400, "MalformedXML"],
    [
      "a Status neither Enabled nor Disabled",
      doc(rule("r", `<Filter/><Status>on</Status>${expireDays(1)}`)),
      400,
      "MalformedXML",
    ],
    ["neither Filter nor Prefix", doc(rule("r", `${enabled}${expireDays(1)}`)), 400, "MalformedXML"],
    ["both Filter and Prefix", doc(rule("r", `<Prefix>a</Prefix>${ok}${expireDays(1)}`)), 400, "MalformedXML"],
    [
      "a Filter with two conditions outside And",
      doc(
        rule(
          "r",
          `<Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>${enabled}${expireDays(1)}`,
        ),
      ),
      400,
      "MalformedXML",
    ],
    ["Days that are no integer", doc(rule("r", `${ok}${expireDays("1.5")}`)), 400, "MalformedXML"],
    [
      "Days and Date",
      doc(rule("r", `${ok}<Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration>`)),
      400,
      "MalformedXML",
    ],
    ["an empty Expiration", doc(rule("r", `${ok}<Expiration/>`)), 400, "MalformedXML"],
    [
      "a Date that is no date",
      doc(rule("r", `${ok}<Expiration><Date>tomorrow</Date></Expiration>`)),
      400,
      "MalformedXML",
    ],
    [
      "NoncurrentVersionExpiration without NoncurrentDays",
      doc(rule("r", `${ok}<NoncurrentVersionExpiration/>`)),
      400,
      "MalformedXML",
    ],
    [
      "AbortIncompleteMultipartUpload without DaysAfterInitiation",
      doc(rule("r", `${ok}<AbortIncompleteMultipartUpload/>`)),
      400,
      "MalformedXML",
    ],
    [
      "Expiration Days 0",
      doc(rule("r", `${ok}${expireDays(0)}`)),
      400,
      "InvalidArgument",
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      "NoncurrentDays -1",
      doc(
        rule(
          "r",
          `${ok}<NoncurrentVersionExpiration><NoncurrentDays>-1</NoncurrentDays></NoncurrentVersionExpiration>`,
        ),
      ),
      400,
      "InvalidArgument",
      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      "DaysAfterInitiation 0",
      doc(
        rule(
          "r",
          `${ok}<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation>` +
            "</AbortIncompleteMultipartUpload>",
        ),
      ),
      400,
      "InvalidArgument",
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    ],
    [
      "NewerNoncurrentVersions 0",
      doc(
        rule(
          "r",
          `${ok}<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>` +
            "<NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        ),
      ),
      400,
      "InvalidArgument",
    ],
    [
      "a Date not at midnight GMT",
      doc(rule("r", `${ok}<Expiration><Date>2030-01-01T06:00:00Z</Date></Expiration>`)),
      400,
      "InvalidArgument",
      "'Date' must be at midnight GMT",
    ],
    [
      "an ID of 256 characters",
      doc(rule("x".repeat(256), `${ok}${expireDays(1)}`)),
      400,
      "InvalidArgument",
      "ID length should not exceed allowed limit of 255",
    ],
    [
      "two rules with one ID",
      doc(rule("same", `${ok}${expireDays(1)}`), rule("same", `${ok}${expireDays(2)}`)),
      400,
      "InvalidArgument",
      "Rule ID must be unique. Found same ID for more than one rule",
    ],
    [
      "a rule with no action",
      doc(rule("r", ok)),
      400,
      "InvalidRequest",
      "At least one action needs to be specified in a rule",
    ],
    [
      "AbortIncompleteMultipartUpload with a Tag filter",
      doc(
        rule(
          "r",
          `<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${enabled}` +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>" +
            "</AbortIncompleteMultipartUpload>",
        ),
      ),
      400,
      "InvalidRequest",
      "Tag-based filter cannot be used with AbortIncompleteMultipartUpload action",
    ],
    [
      "ExpiredObjectDeleteMarker with a Tag filter",
      doc(
        rule(
          "r",
          `<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${enabled}` +
            "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
        ),
      ),
      400,
      "InvalidRequest",
      "Tag-based filter cannot be used with ExpiredObjectDeleteMarker action",
    ],
    [
      "one tag key twice in And",
      doc(
        rule(
          "r",
          "<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>" +
            `${enabled}${expireDays(1)}`,
        ),
      ),
      400,
      "InvalidRequest",
      "Duplicate Tag Keys are not allowed.",
    ],
    [
      "a Transition (edgeswift has one storage class)",
      doc(rule("r", `${ok}<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>`)),
      501,
      "NotImplemented",
    ],
  ];
  for (const [what, body, status, code, message] of refusals) {
    it(`${what}: ${status} ${code}, and the configuration in place stays`, async ({ expect }) => {
      await configure(bucket, rule("kept", `<Filter/>${enabled}${expireDays(9)}`));
      const put = await putLifecycle(bucket, body);
      expect(put.status).toBe(status);
      expect(xmlValue(put.body, "Code")).toBe(code);
      if (message !== undefined) expect(unescaped(xmlValue(put.body, "Message"))).toBe(message);
      expect(xmlValues((await s3Sent("GET", `/${bucket}?lifecycle`)).body, "ID")).toEqual(["kept"]);
    });
  }
});

describe("the housekeeping job enforces lifecycle rules", () => {
  it("a run cut short by its budget saves where it stopped; the next runs go on from there", async ({ expect }) => {
    const bucket = await newBucket("lc-budget");
    for (const key of ["a", "b", "c", "d", "e", "f"]) await putObject(bucket, `old/${key}`);
    await configure(bucket, rule("all", `<Filter/>${enabled}${expireDays(1)}`));
    const reports: HousekeepingReport[] = [];
    for (let run = 0; run < 30 && (await keys(bucket)).length > 0; run++)
      reports.push(await runAt(2.5, { requestBudget: 8 }));
    expect(await keys(bucket)).toEqual([]);
    const working = reports.filter((report) => report.expired > 0);
    expect(working.length).toBeGreaterThan(1);
    expect(working.reduce((sum, report) => sum + report.expired, 0)).toBe(6);
    // Each run stopped at its budget (one object's requests over at most), but the last, which finished.
    for (const report of working) expect(report.requests).toBeLessThanOrEqual(8 + 3);
    for (const report of working.slice(0, -1)) expect(report.budgetSpent).toBe(true);
  });

  it("objects past Expiration Days under the rule's prefix are deleted; younger ones and others are kept", async ({
    expect,
  }) => {
    const bucket = await newBucket("lc-days");
    await putObject(bucket, "logs/one");
    await putObject(bucket, "logs/two");
    await putObject(bucket, "keep/three");
    await configure(bucket, rule("logs", `${prefixFilter("logs/")}${enabled}${expireDays(10)}`));
    await runAt(5);
    expect(await keys(bucket)).toEqual(["keep/three", "logs/one", "logs/two"]);
    const report = await runAt(12);
    expect(report.expired).toBeGreaterThanOrEqual(2);
    expect(await keys(bucket)).toEqual(["keep/three"]);
    // Gone as a DELETE leaves them: not found through either API.
    expect((await s3Sent("GET", `/${bucket}/logs/one`)).status).toBe(404);
    const viaSwift = await swift("GET", `/AUTH_test/${bucket}/logs/two`);
    await text(viaSwift);
    expect(viaSwift.status).toBe(404);
    expect((await s3Sent("GET", `/${bucket}/keep/three`)).body).toBe("data");
  });

  it("an Expiration Date expires every matching object once it has passed; a Disabled rule does nothing", async ({
    expect,
  }) => {
    const bucket = await newBucket("lc-date");
    await putObject(bucket, "dated/a");
    await putObject(bucket, "paused/b");
    const date = new Date(Math.ceil(Date.now() / DAY) * DAY + 2 * DAY).toISOString();
    await configure(
      bucket,
      rule("dated", `${prefixFilter("dated/")}${enabled}<Expiration><Date>${date}</Date></Expiration>`),
      rule("paused", `${prefixFilter("paused/")}<Status>Disabled</Status>${expireDays(1)}`),
    );
    await runAt(1);
    expect(await keys(bucket)).toEqual(["dated/a", "paused/b"]);
    await runAt(4);
    expect(await keys(bucket)).toEqual(["paused/b"]);
  });

  it("size filters: only objects strictly larger than ObjectSizeGreaterThan expire", async ({ expect }) => {
    const bucket = await newBucket("lc-size");
    await putObject(bucket, "big", "x".repeat(100));
    await putObject(bucket, "edge", "x".repeat(10));
    await putObject(bucket, "small", "x");
    await configure(
      bucket,
      rule("big", `<Filter><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>${enabled}${expireDays(1)}`),
    );
    await runAt(3);
    expect(await keys(bucket)).toEqual(["edge", "small"]);
  });

  it("tag filters: an object expires only with every tag of the rule, with its value", async ({ expect, skip }) => {
    const bucket = await newBucket("lc-tags");
    await putObject(bucket, "t/temp", "data", { "x-amz-tagging": "class=temp&team=a" });
    await putObject(bucket, "t/other", "data", { "x-amz-tagging": "class=keep&team=a" });
    await putObject(bucket, "t/none");
    await putObject(bucket, "u/temp", "data", { "x-amz-tagging": "class=temp" });
    const tagging = await s3Sent("GET", `/${bucket}/t/temp?tagging`);
    if (tagging.status !== 200 || !tagging.body.includes("<Value>temp</Value>"))
      skip("PutObject does not keep x-amz-tagging yet (tagging.ts in progress): object tags cannot be set");
    await configure(
      bucket,
      rule("tag", `<Filter><Tag><Key>class</Key><Value>temp</Value></Tag></Filter>${enabled}${expireDays(1)}`),
      rule(
        "and",
        "<Filter><And><Prefix>u/</Prefix><Tag><Key>class</Key><Value>temp</Value></Tag>" +
          `<Tag><Key>team</Key><Value>b</Value></Tag></And></Filter>${enabled}${expireDays(1)}`,
      ),
    );
    await runAt(3);
    // t/temp has class=temp; u/temp too (the first rule has no prefix); t/other and t/none do not.
    expect(await keys(bucket)).toEqual(["t/none", "t/other"]);
  });

  it(
    "in a bucket keeping versions: a noncurrent version goes NoncurrentDays after it was replaced, an expired " +
      "object gets a delete marker, and a lone delete marker goes last",
    async ({ expect }) => {
      const bucket = await newBucket("lc-versions", true);
      const v1 = await putObject(bucket, "doc", "one");
      const v2 = await putObject(bucket, "doc", "two");
      expect(v1).not.toBe(v2);
      await configure(
        bucket,
        rule(
          "all",
          `<Filter/>${enabled}${expireDays(10)}` +
            "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>",
        ),
      );
      await runAt(7);
      expect(await versions(bucket)).toEqual([["doc", v2, "Version"]]);
      expect((await s3Sent("GET", `/${bucket}/doc`)).body).toBe("two");
      await runAt(12);
      const marked = await versions(bucket);
      expect(marked.map(([, , kind]) => kind)).toEqual(["DeleteMarker", "Version"]);
      expect(marked[1]?.[1]).toBe(v2);
      expect((await s3Sent("GET", `/${bucket}/doc`)).status).toBe(404);
      expect((await s3Sent("GET", `/${bucket}/doc?versionId=${v2}`)).body).toBe("two");
      const report = await runAt(20);
      expect(report.noncurrentDeleted).toBeGreaterThanOrEqual(1);
      expect(report.deleteMarkersRemoved).toBeGreaterThanOrEqual(1);
      expect(await versions(bucket)).toEqual([]);
    },
  );

  it("NewerNoncurrentVersions keeps that many newest noncurrent versions, however old", async ({ expect }) => {
    const bucket = await newBucket("lc-newer", true);
    const ids: (string | null)[] = [];
    for (const body of ["1", "2", "3", "4"]) ids.push(await putObject(bucket, "k", body));
    await putObject(bucket, "other", "x");
    await configure(
      bucket,
      rule(
        "nc",
        `<Filter/>${enabled}<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>` +
          "<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
      ),
    );
    await runAt(30);
    expect((await versions(bucket)).filter(([key]) => key === "k").map(([, id]) => id)).toEqual([
      ids[3],
      ids[2],
      ids[1],
    ]);
  });

  it("versions are walked across listing pages, a key's null version (versioning suspended) included", async ({
    expect,
  }) => {
    const bucket = await newBucket("lc-pages", true);
    const older = [await putObject(bucket, "k", "1"), await putObject(bucket, "k", "2")];
    await putObject(bucket, "j", "j1");
    const suspend = `<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>`;
    expect((await s3Sent("PUT", `/${bucket}?versioning`, { body: suspend })).status).toBe(200);
    await putObject(bucket, "k", "null version");
    await putObject(bucket, "m", "only");
    await putObject(bucket, "n", "only");
    const before = await versions(bucket);
    expect(before.filter(([key]) => key === "k").map(([, id]) => id)).toEqual(["null", older[1], older[0]]);
    await configure(
      bucket,
      rule(
        "nc",
        `<Filter/>${enabled}<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>` +
          "</NoncurrentVersionExpiration>",
      ),
    );
    await runAt(3, { pageSize: 2 });
    expect(await versions(bucket)).toEqual([
      ["j", before.find(([key]) => key === "j")?.[1] ?? "", "Version"],
      ["k", "null", "Version"],
      ["m", "null", "Version"],
      ["n", "null", "Version"],
    ]);
    expect((await s3Sent("GET", `/${bucket}/k`)).body).toBe("null version");
  });

  it("ExpiredObjectDeleteMarker removes a delete marker once no version is left beside it", async ({ expect }) => {
    const bucket = await newBucket("lc-marker", true);
    await putObject(bucket, "gone", "x");
    await putObject(bucket, "stays", "x");
    expect((await s3Sent("DELETE", `/${bucket}/gone`)).status).toBe(204);
    await configure(
      bucket,
      rule(
        "m",
        `<Filter/>${enabled}<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>` +
          "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>",
      ),
    );
    await runAt(3);
    expect((await versions(bucket)).map(([key, , kind]) => [key, kind])).toEqual([["stays", "Version"]]);
  });
});

describe("the housekeeping job and incomplete multipart uploads", () => {
  it(
    "a rule's AbortIncompleteMultipartUpload aborts uploads under its prefix (marker and parts); completed " +
      "ones keep theirs",
    async ({ expect }) => {
      const bucket = await newBucket("lc-abort");
      const tmp = await createUpload(bucket, "tmp/a");
      await uploadPart(bucket, "tmp/a", tmp, 1, "part one");
      await uploadPart(bucket, "tmp/a", tmp, 2, "part two");
      const kept = await createUpload(bucket, "keep/b");
      await uploadPart(bucket, "keep/b", kept, 1, "kept part");
      const done = await createUpload(bucket, "tmp/done");
      const etag = await uploadPart(bucket, "tmp/done", done, 1, "finished");
      const complete = await s3Sent("POST", `/${bucket}/tmp/done?uploadId=${done}`, {
        body:
          `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part>` +
          "</CompleteMultipartUpload>",
      });
      expect(complete.status).toBe(200);
      await configure(
        bucket,
        rule(
          "abort",
          `${prefixFilter("tmp/")}${enabled}<AbortIncompleteMultipartUpload><DaysAfterInitiation>2` +
            "</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
        ),
      );
      await runAt(1);
      expect(await segmentNames(bucket)).toContain(`tmp/a/${tmp}`);
      // Pages of two entries: the walk and the abort cross page ends.
      const report = await runAt(3.5, { pageSize: 2 });
      expect(report.uploadsAborted).toBeGreaterThanOrEqual(1);
      expect((await segmentNames(bucket)).sort()).toEqual(
        [`keep/b/${kept}`, `keep/b/${kept}/1`, `tmp/done/${done}/1`].sort(),
      );
      const uploads = await s3Sent("GET", `/${bucket}?uploads`);
      expect(xmlValues(uploads.body, "Key")).toEqual(["keep/b"]);
      expect((await s3Sent("GET", `/${bucket}/tmp/done`)).body).toBe("finished");
      expect(xmlValue((await s3Sent("GET", `/${bucket}/tmp/a?uploadId=${tmp}`)).body, "Code")).toBe("NoSuchUpload");
    },
  );

  it(
    "S3_MULTIPART_MAX_AGE reclaims an abandoned upload without any lifecycle rule; the registry then forgets " +
      "the bucket",
    async ({ expect }) => {
      const bucket = await newBucket("lc-maxage");
      const id = await createUpload(bucket, "abandoned");
      await uploadPart(bucket, "abandoned", id, 1, "first");
      await uploadPart(bucket, "abandoned", id, 2, "second");
      expect(await registered(bucket)).toEqual(["uploads"]);
      expect(config.s3.multipartMaxAgeSeconds).toBe(604_800);
      await runAt(6);
      expect(await segmentNames(bucket)).toEqual([`abandoned/${id}`, `abandoned/${id}/1`, `abandoned/${id}/2`]);
      const report = await runAt(8, { pageSize: 2 });
      expect(report.uploadsAborted).toBeGreaterThanOrEqual(1);
      expect(report.partsDeleted).toBeGreaterThanOrEqual(2);
      expect(await segmentNames(bucket)).toEqual([]);
      expect(xmlValues((await s3Sent("GET", `/${bucket}?uploads`)).body, "Key")).toEqual([]);
      // No upload is left open: the registry forgets the bucket.
      expect(report.forgotten).toBeGreaterThanOrEqual(1);
      expect(await registered(bucket)).toEqual([]);
    },
  );

  it('S3_MULTIPART_MAX_AGE "0" never reclaims an upload', async ({ expect }) => {
    const bucket = await newBucket("lc-maxage-off");
    const id = await createUpload(bucket, "forever");
    await uploadPart(bucket, "forever", id, 1, "part");
    const never = parseConfig({ ...env, S3_MULTIPART_MAX_AGE: "0" } as Env);
    expect(never.s3.multipartMaxAgeSeconds).toBe(0);
    await runAt(400, { config: never });
    expect(await segmentNames(bucket)).toEqual([`forever/${id}`, `forever/${id}/1`]);
  });

  it("cron's scheduled() runs the job at its scheduled time", async ({ expect }) => {
    const bucket = await newBucket("lc-cron");
    const id = await createUpload(bucket, "by/cron");
    await uploadPart(bucket, "by/cron", id, 1, "part");
    const ctx = createExecutionContext();
    const controller = createScheduledController({ scheduledTime: Date.now() + 500 * DAY, cron: "*/5 * * * *" });
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await segmentNames(bucket)).toEqual([]);
  });
});

describe("operating the job", () => {
  it("POST /recon/sweep?only=s3 runs it now for the reseller admin and answers its report; others are refused", async ({
    expect,
  }) => {
    const response = await exports.default.fetch(`${BASE}/recon/sweep?only=s3`, {
      method: "POST",
      headers: { "X-Auth-Token": await tokenFor("admin:admin", "admin") },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { s3: HousekeepingReport };
    expect(Object.keys(body)).toEqual(["s3"]);
    expect(body.s3).toMatchObject({ errors: 0, budgetSpent: false });
    expect(typeof body.s3.visited).toBe("number");
    const refused = await exports.default.fetch(`${BASE}/recon/sweep?only=s3`, {
      method: "POST",
      headers: { "X-Auth-Token": await tokenFor() },
    });
    await refused.text();
    expect(refused.status).toBe(403);
  });

  it("the registry drops a row only if it was not registered again since the visit read it", async ({ expect }) => {
    const control = controlStub(config);
    const row = async () =>
      ((await control.dueS3Housekeeping(Number.MAX_SAFE_INTEGER, 100_000)).value ?? []).find(
        (entry) => entry.bucket === "lc-raced" && entry.kind === "uploads",
      );
    await control.registerS3Housekeeping("AUTH_test", "lc-raced", "uploads");
    const seen = (await row())?.touchedAt ?? 0;
    await control.registerS3Housekeeping("AUTH_test", "lc-raced", "uploads");
    const now = (await row())?.touchedAt ?? 0;
    expect(now).toBeGreaterThan(seen);
    expect((await control.forgetS3Housekeeping("AUTH_test", "lc-raced", "uploads", seen)).value).toBe(false);
    expect(await row()).toBeDefined();
    expect((await control.forgetS3Housekeeping("AUTH_test", "lc-raced", "uploads", now)).value).toBe(true);
    expect(await row()).toBeUndefined();
  });

  it("S3_MULTIPART_MAX_AGE: a week unless set, seconds, 0 for never; anything else is a 503 naming it", ({
    expect,
  }) => {
    const withAge = (value: string | undefined) => ({ ...env, S3_MULTIPART_MAX_AGE: value }) as unknown as Env;
    expect(parseConfig(withAge(undefined)).s3.multipartMaxAgeSeconds).toBe(604_800);
    expect(parseConfig(withAge("")).s3.multipartMaxAgeSeconds).toBe(604_800);
    expect(parseConfig(withAge("3600")).s3.multipartMaxAgeSeconds).toBe(3600);
    expect(parseConfig(withAge("0")).s3.multipartMaxAgeSeconds).toBe(0);
    for (const bad of ["-1", "1h", "1.5", "1e6"]) {
      let error: unknown;
      try {
        parseConfig(withAge(bad));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).status).toBe(503);
      expect((error as ConfigError).message).toBe(
        `configuration: S3_MULTIPART_MAX_AGE must be a number of seconds (0: never), got "${bad}"`,
      );
    }
  });
});
