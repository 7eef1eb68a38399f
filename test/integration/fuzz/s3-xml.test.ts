/**
 * @module
 * Fuzzing S3 XML request bodies through the Worker (fast-check), signed as an SDK signs them:
 * CompleteMultipartUpload, DeleteObjects, PutBucketLifecycleConfiguration, PutBucketCors,
 * PutObjectTagging, PutBucketTagging, PutBucketVersioning and PutBucketAcl, each with any text,
 * any XML of its elements (nested anyhow, odd values, attributes, entities, CDATA, a DOCTYPE)
 * and its valid document changed a little. Never a 5xx (a 501 NotImplemented aside); an error's body is well-formed XML with
 * a Code; on a 4xx nothing stored changes (the bucket's listing, versions, uploads, parts and
 * configurations as S3 reads them). A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, it } from "vitest";
import { bucketName, s3Sent, xmlValue } from "../s3/helpers";

const bucket = bucketName("fuzz-xml");
const encoder = new TextEncoder();
let uploadId = "";
let partEtag = "";

async function md5Base64(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("MD5", encoder.encode(body)));
  return btoa(String.fromCharCode(...digest));
}

async function newUpload(): Promise<void> {
  const created = await s3Sent("POST", `/${bucket}/mpu?uploads`);
  uploadId = xmlValue(created.body, "UploadId") ?? "";
  const part = await s3Sent("PUT", `/${bucket}/mpu?partNumber=1&uploadId=${uploadId}`, { body: "part one" });
  partEtag = part.headers.get("etag") ?? "";
  if (!uploadId || part.status !== 200) throw new Error(`upload: ${created.status} ${part.status}`);
}

beforeAll(async () => {
  const created = await s3Sent("PUT", `/${bucket}`);
  if (created.status !== 200) throw new Error(`bucket: ${created.status} ${created.body}`);
  for (const key of ["k", "a/b", "é"]) await s3Sent("PUT", `/${bucket}/${encodeURIComponent(key)}`, { body: key });
  await newUpload();
});

/** Everything an XML body may change, as S3 reads it (request ids left out). */
async function stored(): Promise<string> {
  const reads = [
    "",
    "?versions",
    "?uploads",
    `/mpu?uploadId=${uploadId}`,
    "?lifecycle",
    "?cors",
    "?tagging",
    "?versioning",
    "?acl",
    "/k?tagging",
    "/k?acl",
  ];
  const parts: string[] = [];
  for (const read of reads) {
    const path = read.startsWith("?") || read === "" ? `/${bucket}${read}` : `/${bucket}${read}`;
    const got = await s3Sent("GET", path);
    parts.push(`${read} ${got.status} ${got.body.replace(/<(RequestId|HostId)>[^<]*<\/\1>/g, "")}`);
  }
  return parts.join("\n");
}

// ---- XML --------------------------------------------------------------------------------------

interface Operation {
  name: string;
  method: "PUT" | "POST";
  /** The path and query, given the current upload. */
  path: () => string;
  root: string;
  elements: readonly string[];
  values: readonly string[];
  /** A valid document, given the current upload's part. */
  valid: () => string;
}

const XMLNS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const OPERATIONS: readonly Operation[] = [
  {
    name: "CompleteMultipartUpload",
    method: "POST",
    path: () => `/${bucket}/mpu?uploadId=${uploadId}`,
    root: "CompleteMultipartUpload",
    elements: ["Part", "PartNumber", "ETag", "ChecksumCRC32", "ChecksumSHA256"],
    values: ["1", "2", "0", "-1", "10001", "99999999999999999999", '"0123456789abcdef0123456789abcdef"'],
    valid: () =>
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${partEtag}</ETag></Part></CompleteMultipartUpload>`,
  },
  {
    name: "DeleteObjects",
    method: "POST",
    path: () => `/${bucket}?delete`,
    root: "Delete",
    elements: ["Object", "Key", "VersionId", "Quiet"],
    values: ["k", "a/b", "é", "missing", "", "true", "false", "null", "/", "../k"],
    valid: () => "<Delete><Quiet>true</Quiet><Object><Key>missing</Key></Object></Delete>",
  },
  {
    name: "PutBucketLifecycleConfiguration",
    method: "PUT",
    path: () => `/${bucket}?lifecycle`,
    root: "LifecycleConfiguration",
    elements: [
      "Rule",
      "ID",
      "Prefix",
      "Filter",
      "And",
      "Tag",
      "Key",
      "Value",
      "Status",
      "Expiration",
      "Days",
      "Date",
      "ExpiredObjectDeleteMarker",
      "NoncurrentVersionExpiration",
      "NoncurrentDays",
      "AbortIncompleteMultipartUpload",
      "DaysAfterInitiation",
      "Transition",
      "StorageClass",
      "ObjectSizeGreaterThan",
    ],
    values: [
      "Enabled",
      "Disabled",
      "1",
      "0",
      "-1",
      "2030-01-01T00:00:00.000Z",
      "2030-01-01",
      "true",
      "GLACIER",
      "logs/",
    ],
    valid: () =>
      "<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>" +
      "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>",
  },
  {
    name: "PutBucketCors",
    method: "PUT",
    path: () => `/${bucket}?cors`,
    root: "CORSConfiguration",
    elements: ["CORSRule", "ID", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader", "MaxAgeSeconds"],
    values: ["*", "http://example.com", "http://*.example.com", "GET", "PUT", "PATCH", "x-amz-*", "3000", "-1", "**"],
    valid: () =>
      "<CORSConfiguration><CORSRule><AllowedOrigin>http://example.com</AllowedOrigin>" +
      "<AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>",
  },
  {
    name: "PutObjectTagging",
    method: "PUT",
    path: () => `/${bucket}/k?tagging`,
    root: "Tagging",
    elements: ["TagSet", "Tag", "Key", "Value"],
    values: ["a", "", "aws:x", "k".repeat(129), "v".repeat(257), "=", "é"],
    valid: () => "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>",
  },
  {
    name: "PutBucketTagging",
    method: "PUT",
    path: () => `/${bucket}?tagging`,
    root: "Tagging",
    elements: ["TagSet", "Tag", "Key", "Value"],
    values: ["a", "", "aws:x", "k".repeat(129), "v".repeat(257), "=", "é"],
    valid: () => "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>",
  },
  {
    name: "PutBucketVersioning",
    method: "PUT",
    path: () => `/${bucket}?versioning`,
    root: "VersioningConfiguration",
    elements: ["Status", "MfaDelete"],
    values: ["Enabled", "Suspended", "Disabled", "enabled", ""],
    valid: () => "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
  },
  {
    name: "PutBucketAcl",
    method: "PUT",
    path: () => `/${bucket}?acl`,
    root: "AccessControlPolicy",
    elements: [
      "Owner",
      "ID",
      "DisplayName",
      "AccessControlList",
      "Grant",
      "Grantee",
      "URI",
      "EmailAddress",
      "Permission",
    ],
    values: [
      "test:tester",
      "test2:tester2",
      "FULL_CONTROL",
      "READ",
      "WRITE",
      "READ_ACP",
      "WRITE_ACP",
      "http://acs.amazonaws.com/groups/global/AllUsers",
      "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    ],
    valid: () =>
      '<AccessControlPolicy><Owner><ID>test:tester</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' +
      "<ID>test:tester</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>",
  },
];

const escapeXml = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Any XML of the operation's elements: a tree of them, odd texts and attributes now and then. */
function xmlArb(operation: Operation): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...operation.elements) },
    { weight: 1, arbitrary: fc.constantFrom(operation.root, "x", "a:b", "Key ", "_") },
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...operation.values).map(escapeXml) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map(escapeXml) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "&amp;",
        "&#0;",
        "&#x1F600;",
        "&bogus;",
        "<![CDATA[x]]>",
        "<!-- c -->",
        "&lt;",
        "&#65;",
      ),
    },
  );
  const attributes = fc.oneof(
    { weight: 6, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constantFrom(XMLNS, ' xmlns=""', ' a="1"', ' xsi:type="Group"', ' a="1" a="2"') },
  );
  const { tree } = fc.letrec<{ tree: string; node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      value,
      fc
        .tuple(name, attributes, fc.array(tie("node"), { maxLength: 4 }))
        .map(([element, attribute, children]) => `<${element}${attribute}>${children.join("")}</${element}>`),
    ),
    tree: fc
      .tuple(
        fc.oneof({ weight: 6, arbitrary: fc.constant(operation.root) }, { weight: 1, arbitrary: name }),
        attributes,
        fc.array(tie("node"), { maxLength: 5 }),
      )
      .map(([element, attribute, children]) => `<${element}${attribute}>${children.join("")}</${element}>`),
  }));
  const prolog = fc.constantFrom(
    "",
    "",
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.1"?>',
    '<!DOCTYPE x [<!ENTITY e "eeeeeeeeee">]>',
    "\ufeff",
  );
  return fc.tuple(prolog, tree).map(([head, body]) => head + body);
}

/** The operation's valid document changed a little: a character replaced, text inserted, or cut short. */
function nearArb(operation: Operation): fc.Arbitrary<() => string> {
  return fc
    .record({
      how: fc.constantFrom("replace", "insert", "cut"),
      at: fc.nat(),
      text: fc.constantFrom("<", ">", "&", "/", "x", "1", " ", "</Part>", "<Part>", "<!--", "]]>", '"', "\u0000", "é"),
    })
    .map(({ how, at, text }) => () => {
      const valid = operation.valid();
      const i = at % (valid.length + 1);
      if (how === "cut") return valid.slice(0, i);
      return `${valid.slice(0, i)}${text}${valid.slice(how === "replace" ? i + 1 : i)}`;
    });
}

function bodyArb(operation: Operation): fc.Arbitrary<() => string> {
  return fc.oneof(
    { weight: 3, arbitrary: xmlArb(operation).map((xml) => () => xml) },
    { weight: 3, arbitrary: nearArb(operation) },
    { weight: 1, arbitrary: fc.constant(() => operation.valid()) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 80 }).map((value) => () => value) },
  );
}

const caseArb = fc.constantFrom(...OPERATIONS).chain((operation) =>
  fc.record({
    operation: fc.constant(operation),
    body: bodyArb(operation),
    md5: fc.constantFrom("right", "right", "right", "none", "wrong", "junk"),
  }),
);

describe("fuzzing S3 XML bodies", () => {
  it("every XML body S3 takes, as any text, any XML of its elements or near its valid form: never a 5xx; an error is XML with a Code; a 4xx changes nothing", async ({
    expect,
  }) => {
    let before = await stored();
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ operation, body: bodyOf, md5 }) => {
        const body = bodyOf();
        const headers: Record<string, string> = {};
        if (md5 === "right") headers["Content-MD5"] = await md5Base64(body);
        if (md5 === "wrong") headers["Content-MD5"] = await md5Base64(`${body}x`);
        if (md5 === "junk") headers["Content-MD5"] = "not base64!";
        const path = operation.path();
        const sent = await s3Sent(operation.method, path, { body, headers });
        const what = `${operation.name} ${operation.method} ${path} ${JSON.stringify(headers)} ${JSON.stringify(body)}: ${sent.status} ${sent.body.slice(0, 300)}`;
        // A 501 is a deliberate refusal of what is not served (MfaDelete Enabled), never a fault.
        if (sent.status === 501) expect(xmlValue(sent.body, "Code"), what).toBe("NotImplemented");
        else expect(sent.status, what).toBeLessThan(500);
        const isError = sent.status >= 300 || /^(<\?xml[^>]*\?>\s*)?<Error>/.test(sent.body);
        if (isError) {
          expect(XMLValidator.validate(sent.body), what).toBe(true);
          expect(xmlValue(sent.body, "Code") ?? "", what).not.toBe("");
        }
        if (sent.status >= 400) {
          expect(await stored(), what).toBe(before);
          return;
        }
        // Taken: put things back as the next run expects them.
        if (operation.name === "CompleteMultipartUpload" && !isError) await newUpload();
        if (operation.name === "DeleteObjects")
          for (const key of ["k", "a/b", "é"])
            await s3Sent("PUT", `/${bucket}/${encodeURIComponent(key)}`, { body: key });
        before = await stored();
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
