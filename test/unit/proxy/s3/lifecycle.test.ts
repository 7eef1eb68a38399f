/**
 * @module
 * Lifecycle configurations as AWS checks them (parseLifecycle): the forms a rule's filter and
 * actions take, and each document AWS refuses, with its code and words; the document GET gives
 * back; the stored form (one header value or several, ASCII only); and the times rules fall due.
 */
import { describe, it } from "vitest";
import { MAX_HEADER_SIZE } from "../../../../src/common/constraints";
import {
  currentExpires,
  decodeLifecycle,
  deleteMarkerExpires,
  dueAfter,
  encodeLifecycle,
  keyAndSizeMatch,
  type LifecycleConfiguration,
  lifecycleDocument,
  noncurrentExpires,
  parseLifecycle,
  SYSMETA_LIFECYCLE,
  tagsMatch,
  uploadExpires,
} from "../../../../src/proxy/s3/lifecycle";
import { removalHeaders } from "../../../../src/proxy/s3/sysmeta-document";
import { xmlDocument } from "../../../../src/proxy/s3/xml";
import { thrownS3Error } from "./thrown";

const doc = (...rules: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
  `${rules.join("")}</LifecycleConfiguration>`;

const rule = (body: string, id = "r") => `<Rule>${id === "" ? "" : `<ID>${id}</ID>`}${body}</Rule>`;

const expireDays = (days: string | number) => `<Expiration><Days>${days}</Days></Expiration>`;

/** The S3Error parseLifecycle throws for a document (fails when it accepts it). */
function refusal(text: string): { code: string; message: string } {
  const { code, message } = thrownS3Error(() => parseLifecycle(text));
  return { code, message };
}

const DAY = 86_400_000;
const MIDNIGHT = Date.UTC(2026, 0, 10);

describe("parseLifecycle: what a rule may say", () => {
  it("a rule-level Prefix (the legacy form), with Expiration Days", ({ expect }) => {
    const config = parseLifecycle(doc(rule(`<Prefix>logs/</Prefix><Status>Enabled</Status>${expireDays(30)}`)));
    expect(config.rules).toEqual([
      {
        id: "r",
        enabled: true,
        filter: { form: "legacy", prefix: "logs/", tags: [], sizeGreaterThan: null, sizeLessThan: null },
        expiration: { days: 30, date: null, expiredObjectDeleteMarker: null },
        noncurrent: null,
        abortDays: null,
      },
    ]);
  });

  it("Filter with a Prefix, a Tag, a size, or nothing; Disabled kept as such", ({ expect }) => {
    const config = parseLifecycle(
      doc(
        rule(`<Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>${expireDays(1)}`, "p"),
        rule(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>${expireDays(1)}`, "t"),
        rule(
          `<Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter><Status>Disabled</Status>` +
            expireDays(1),
          "g",
        ),
        rule(`<Filter></Filter><Status>Enabled</Status>${expireDays(1)}`, "all"),
        rule(`<Filter/><Status>Enabled</Status>${expireDays(1)}`, "all2"),
      ),
    );
    const filters = config.rules.map((r) => r.filter);
    expect(filters[0]).toMatchObject({ form: "filter", prefix: "a/", tags: [] });
    expect(filters[1]).toMatchObject({ form: "filter", prefix: null, tags: [{ key: "k", value: "v" }] });
    expect(filters[2]).toMatchObject({ form: "filter", sizeGreaterThan: 100, sizeLessThan: null });
    expect(config.rules[2]?.enabled).toBe(false);
    expect(filters[3]).toEqual({ form: "filter", prefix: null, tags: [], sizeGreaterThan: null, sizeLessThan: null });
    expect(filters[4]).toEqual(filters[3]);
  });

  it("Filter/And of a prefix, tags and sizes", ({ expect }) => {
    const config = parseLifecycle(
      doc(
        rule(
          "<Filter><And><Prefix>x/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag>" +
            "<Tag><Key>b</Key><Value></Value></Tag><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan>" +
            "<ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>" +
            expireDays(2),
        ),
      ),
    );
    expect(config.rules[0]?.filter).toEqual({
      form: "and",
      prefix: "x/",
      tags: [
        { key: "a", value: "1" },
        { key: "b", value: "" },
      ],
      sizeGreaterThan: 1,
      sizeLessThan: 10,
    });
  });

  it("Expiration Date at midnight UTC, ExpiredObjectDeleteMarker, noncurrent expiration and upload abort", ({
    expect,
  }) => {
    const config = parseLifecycle(
      doc(
        rule(`<Filter/><Status>Enabled</Status><Expiration><Date>2026-01-10T00:00:00.000Z</Date></Expiration>`, "d"),
        rule(
          "<Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>" +
            "</Expiration><NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>" +
            "<NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>" +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>" +
            "</AbortIncompleteMultipartUpload>",
          "m",
        ),
        rule(`<Filter/><Status>Enabled</Status><Expiration><Date>2026-01-10</Date></Expiration>`, "plain-date"),
      ),
    );
    expect(config.rules[0]?.expiration).toEqual({ days: null, date: MIDNIGHT, expiredObjectDeleteMarker: null });
    expect(config.rules[1]).toMatchObject({
      expiration: { days: null, date: null, expiredObjectDeleteMarker: true },
      noncurrent: { days: 7, newerVersions: 3 },
      abortDays: 2,
    });
    expect(config.rules[2]?.expiration?.date).toBe(MIDNIGHT);
  });

  it("a rule without an ID gets one (48 characters, as AWS makes them); whitespace between elements is no text", ({
    expect,
  }) => {
    const config = parseLifecycle(
      doc(
        `\n  <Rule>\n    <Filter>\n      <Prefix>p</Prefix>\n    </Filter>\n    <Status>Enabled</Status>\n` +
          `    <Expiration>\n      <Days> 3 </Days>\n    </Expiration>\n  </Rule>\n`,
      ),
    );
    expect(config.rules[0]?.id).toMatch(/^[A-Za-z0-9+/=]{48}$/);
    expect(config.rules[0]?.expiration?.days).toBe(3);
  });

  it("1000 rules are accepted", ({ expect }) => {
    const rules = Array.from({ length: 1000 }, (_, i) =>
      rule(`<Filter><Prefix>p${i}/</Prefix></Filter><Status>Enabled</Status>${expireDays(1)}`, `r${i}`),
    );
    expect(parseLifecycle(doc(...rules)).rules).toHaveLength(1000);
  });
});

describe("parseLifecycle: what AWS refuses", () => {
  const ok = `<Filter/><Status>Enabled</Status>`;
  const cases: [string, string, string, string?][] = [
    ["not XML", "<LifecycleConfiguration><Rule>", "MalformedXML"],
    ["another root", "<VersioningConfiguration/>", "MalformedXML"],
    ["no rule", doc(), "MalformedXML"],
    ["an unknown element", doc(rule(`${ok}${expireDays(1)}<Colour>red</Colour>`)), "MalformedXML"],
    ["no Status", doc(rule(`<Filter/>${expireDays(1)}`)), "MalformedXML"],
    ["a Status but Enabled or Disabled", doc(rule(`<Filter/><Status>On</Status>${expireDays(1)}`)), "MalformedXML"],
    ["neither Filter nor Prefix", doc(rule(`<Status>Enabled</Status>${expireDays(1)}`)), "MalformedXML"],
    [
      "both Filter and Prefix",
      doc(rule(`<Prefix>a</Prefix><Filter/><Status>Enabled</Status>${expireDays(1)}`)),
      "MalformedXML",
    ],
    [
      "a Filter with a Prefix and a Tag (not in And)",
      doc(
        rule(
          `<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>` +
            expireDays(1),
        ),
      ),
      "MalformedXML",
    ],
    ["an empty And", doc(rule(`<Filter><And></And></Filter><Status>Enabled</Status>${expireDays(1)}`)), "MalformedXML"],
    ["Days that are no number", doc(rule(`${ok}${expireDays("ten")}`)), "MalformedXML"],
    [
      "Days and a Date",
      doc(rule(`${ok}<Expiration><Days>1</Days><Date>2026-01-10</Date></Expiration>`)),
      "MalformedXML",
    ],
    [
      "Days and ExpiredObjectDeleteMarker",
      doc(
        rule(`${ok}<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`),
      ),
      "MalformedXML",
    ],
    ["an empty Expiration", doc(rule(`${ok}<Expiration></Expiration>`)), "MalformedXML"],
    ["a Date that is no date", doc(rule(`${ok}<Expiration><Date>soon</Date></Expiration>`)), "MalformedXML"],
    [
      "NoncurrentVersionExpiration without NoncurrentDays",
      doc(rule(`${ok}<NoncurrentVersionExpiration></NoncurrentVersionExpiration>`)),
      "MalformedXML",
    ],
    [
      "ExpiredObjectDeleteMarker neither true nor false",
      doc(rule(`${ok}<Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>`)),
      "MalformedXML",
    ],
    [
      "1001 rules",
      doc(...Array.from({ length: 1001 }, (_, i) => rule(`${ok}${expireDays(1)}`, `r${i}`))),
      "MalformedXML",
    ],
    [
      "Days 0",
      doc(rule(`${ok}${expireDays(0)}`)),
      "InvalidArgument",
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      "negative Days",
      doc(rule(`${ok}${expireDays(-5)}`)),
      "InvalidArgument",
      "'Days' for Expiration action must be a positive integer",
    ],
    [
      "NoncurrentDays 0",
      doc(rule(`${ok}<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>`)),
      "InvalidArgument",
      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    ],
    [
      "DaysAfterInitiation 0",
      doc(
        rule(
          `${ok}<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation>` +
            "</AbortIncompleteMultipartUpload>",
        ),
      ),
      "InvalidArgument",
      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    ],
    [
      "a Date not at midnight UTC",
      doc(rule(`${ok}<Expiration><Date>2026-01-10T12:00:00Z</Date></Expiration>`)),
      "InvalidArgument",
      "'Date' must be at midnight GMT",
    ],
    [
      "a Date at midnight of another zone",
      doc(rule(`${ok}<Expiration><Date>2026-01-10T00:00:00+01:00</Date></Expiration>`)),
      "InvalidArgument",
      "'Date' must be at midnight GMT",
    ],
    [
      "an ID longer than 255",
      doc(rule(`${ok}${expireDays(1)}`, "x".repeat(256))),
      "InvalidArgument",
      "ID length should not exceed allowed limit of 255",
    ],
    [
      "two rules with one ID",
      doc(rule(`${ok}${expireDays(1)}`, "same"), rule(`${ok}${expireDays(2)}`, "same")),
      "InvalidArgument",
      "Rule ID must be unique. Found same ID for more than one rule",
    ],
    [
      "a rule without an action",
      doc(rule(ok)),
      "InvalidRequest",
      "At least one action needs to be specified in a rule",
    ],
    [
      "AbortIncompleteMultipartUpload with a tag filter",
      doc(
        rule(
          "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>" +
            "</AbortIncompleteMultipartUpload>",
        ),
      ),
      "InvalidRequest",
      "Tag-based filter cannot be used with AbortIncompleteMultipartUpload action",
    ],
    [
      "ExpiredObjectDeleteMarker with a tag filter",
      doc(
        rule(
          "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" +
            "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
        ),
      ),
      "InvalidRequest",
      "Tag-based filter cannot be used with ExpiredObjectDeleteMarker action",
    ],
    [
      "And with one tag key twice",
      doc(
        rule(
          "<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And>" +
            `</Filter><Status>Enabled</Status>${expireDays(1)}`,
        ),
      ),
      "InvalidRequest",
      "Duplicate Tag Keys are not allowed.",
    ],
    [
      "a Transition (one storage class here)",
      doc(rule(`${ok}<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>`)),
      "NotImplemented",
    ],
    [
      "a NoncurrentVersionTransition",
      doc(
        rule(
          `${ok}${expireDays(1)}<NoncurrentVersionTransition><NoncurrentDays>3</NoncurrentDays>` +
            "<StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>",
        ),
      ),
      "NotImplemented",
    ],
  ];
  for (const [what, text, code, message] of cases) {
    it(`${what}: ${code}`, ({ expect }) => {
      const error = refusal(text);
      expect(error.code).toBe(code);
      if (message !== undefined) expect(error.message).toBe(message);
    });
  }
});

describe("lifecycleDocument: GET gives back what was put", () => {
  it("each filter in the form it was given, actions in AWS's order", ({ expect }) => {
    const text = doc(
      rule(`<Prefix>old/</Prefix><Status>Disabled</Status>${expireDays(5)}`, "legacy"),
      rule(
        "<Filter><And><Prefix>x/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag></And></Filter>" +
          `<Status>Enabled</Status><Expiration><Date>2026-01-10T00:00:00Z</Date></Expiration>`,
        "and",
      ),
      rule(
        "<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>" +
          "</NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>2" +
          "</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
        "all",
      ),
    );
    expect(xmlDocument(lifecycleDocument(parseLifecycle(text)))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        "<Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Disabled</Status>" +
        "<Expiration><Days>5</Days></Expiration></Rule>" +
        "<Rule><ID>and</ID><Filter><And><Prefix>x/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag></And></Filter>" +
        "<Status>Enabled</Status><Expiration><Date>2026-01-10T00:00:00.000Z</Date></Expiration></Rule>" +
        "<Rule><ID>all</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>7" +
        "</NoncurrentDays></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>2" +
        "</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
    );
  });
});

describe("the stored form", () => {
  const sample = (count: number, prefix = (i: number) => `p${i}/`): LifecycleConfiguration =>
    parseLifecycle(
      doc(
        ...Array.from({ length: count }, (_, i) =>
          rule(
            `<Filter><And><Prefix>${prefix(i)}</Prefix><Tag><Key>k</Key><Value>v ${i}</Value></Tag></And></Filter>` +
              `<Status>${i % 2 ? "Enabled" : "Disabled"}</Status>${expireDays(i + 1)}` +
              "<NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration>",
            `rule ${i}`,
          ),
        ),
      ),
    );

  it("a small configuration is one ASCII header value, read back as it was", ({ expect }) => {
    const config = sample(2, () => "日本 /");
    const headers = encodeLifecycle(config);
    expect([...headers.keys()]).toEqual([SYSMETA_LIFECYCLE]);
    const value = headers.get(SYSMETA_LIFECYCLE) ?? "";
    expect(value).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeLifecycle(headers)).toEqual(config);
  });

  it("1000 rules take several header values, each one Swift takes, and read back whole", ({ expect }) => {
    const config = sample(1000);
    const headers = encodeLifecycle(config);
    expect(JSON.parse(headers.get(SYSMETA_LIFECYCLE) ?? "")).toMatchObject({ v: 1 });
    const chunks = [...headers.keys()].filter((name) => name !== SYSMETA_LIFECYCLE);
    expect(chunks.length).toBeGreaterThan(1);
    for (const [, value] of headers) expect(value.length).toBeLessThanOrEqual(MAX_HEADER_SIZE);
    expect(decodeLifecycle(headers)).toEqual(config);
  });

  it("a shorter configuration clears the chunks a longer one left; removal clears them all", ({ expect }) => {
    const long = encodeLifecycle(sample(1000));
    const short = encodeLifecycle(sample(1), long);
    for (const name of long.keys()) if (name !== SYSMETA_LIFECYCLE) expect(short.get(name)).toBe("");
    const merged = new Headers(long);
    for (const [name, value] of short) merged.set(name, value);
    expect(decodeLifecycle(merged)?.rules).toHaveLength(1);
    const removed = removalHeaders(SYSMETA_LIFECYCLE, long);
    expect([...removed.values()].every((value) => value === "")).toBe(true);
    expect([...removed.keys()].sort()).toEqual([...long.keys()].sort());
    expect(decodeLifecycle(new Headers())).toBeNull();
  });
});

describe("when rules fall due", () => {
  const [days3, noncurrent, marker, abort] = parseLifecycle(
    doc(
      rule(`<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>${expireDays(3)}`, "days"),
      rule(
        "<Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays>" +
          "<NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        "nc",
      ),
      rule(
        "<Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>" +
          "</Expiration>",
        "m",
      ),
      rule(
        "<Filter><Prefix>up/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload>" +
          "<DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
        "a",
      ),
    ),
  ).rules;

  it("Days are counted from the time given and rounded up to the next midnight UTC", ({ expect }) => {
    expect(dueAfter(MIDNIGHT + 10 * 3_600_000, 1)).toBe(MIDNIGHT + 2 * DAY);
    expect(dueAfter(MIDNIGHT, 1)).toBe(MIDNIGHT + DAY);
    const created = MIDNIGHT + 3_600_000;
    expect(currentExpires(days3!, created, MIDNIGHT + 4 * DAY - 1)).toBe(false);
    expect(currentExpires(days3!, created, MIDNIGHT + 4 * DAY)).toBe(true);
  });

  it("a noncurrent version expires NoncurrentDays after it became noncurrent, past the newer ones kept", ({
    expect,
  }) => {
    const since = MIDNIGHT;
    expect(noncurrentExpires(noncurrent!, since, 1, since + 2 * DAY)).toBe(true);
    expect(noncurrentExpires(noncurrent!, since, 0, since + 30 * DAY)).toBe(false);
    expect(noncurrentExpires(noncurrent!, since, 1, since + 2 * DAY - 1)).toBe(false);
  });

  it("a lone delete marker goes with ExpiredObjectDeleteMarker, or once Expiration Days have passed", ({ expect }) => {
    expect(deleteMarkerExpires(marker!, MIDNIGHT, MIDNIGHT)).toBe(true);
    expect(deleteMarkerExpires(days3!, MIDNIGHT, MIDNIGHT + 2 * DAY)).toBe(false);
    expect(deleteMarkerExpires(days3!, MIDNIGHT, MIDNIGHT + 3 * DAY)).toBe(true);
    expect(deleteMarkerExpires(noncurrent!, MIDNIGHT, MIDNIGHT + 300 * DAY)).toBe(false);
  });

  it("an upload is aborted DaysAfterInitiation after it began, when its key has the rule's prefix", ({ expect }) => {
    expect(uploadExpires(abort!, "up/a", MIDNIGHT, MIDNIGHT + DAY)).toBe(true);
    expect(uploadExpires(abort!, "up/a", MIDNIGHT, MIDNIGHT + DAY - 1)).toBe(false);
    expect(uploadExpires(abort!, "down/a", MIDNIGHT, MIDNIGHT + 9 * DAY)).toBe(false);
  });

  it("filters: prefix, sizes strictly beyond their bounds, every tag with its value", ({ expect }) => {
    const filter = {
      form: "and" as const,
      prefix: "a/",
      tags: [{ key: "k", value: "v" }],
      sizeGreaterThan: 10,
      sizeLessThan: 20,
    };
    expect(keyAndSizeMatch(filter, "a/x", 11)).toBe(true);
    expect(keyAndSizeMatch(filter, "a/x", 10)).toBe(false);
    expect(keyAndSizeMatch(filter, "a/x", 20)).toBe(false);
    expect(keyAndSizeMatch(filter, "b/x", 15)).toBe(false);
    expect(tagsMatch(filter, new Map([["k", "v"]]))).toBe(true);
    expect(tagsMatch(filter, new Map([["k", "w"]]))).toBe(false);
    expect(tagsMatch(filter, new Map())).toBe(false);
  });
});
