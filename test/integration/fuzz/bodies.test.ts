/**
 * @module
 * Fuzzing request bodies that are archives or forms, through the Worker (fast-check): bulk
 * `?extract-archive=tar|tar.gz|tar.bz2` with random bytes and near-valid tars (odd names,
 * sizes, types, checksums, truncated or with bytes added), and multipart/form-data for FormPOST
 * and S3 POST uploads (validly signed forms changed a little: bytes replaced, cut short, another
 * boundary, odd part headers), and bulk-delete lists of any names. Never a 5xx, nor a 5xx
 * reported in a bulk body; and what a request refused or did not report done is not done: an
 * extraction changes no more listing entries than the files it reports created (none when
 * refused), an S3 POST refused stores nothing, a FormPOST stores no more than the files it
 * sent, and a bulk delete removes only names it lists, no more than it reports deleted.
 * A failing case is printed with its seed, so it can be replayed.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { unquote } from "../../../src/common/python";
import { BASE, swift, text } from "../../helpers";
import { bucketName } from "../s3/helpers";
import { concat } from "./bytes";

const encoder = new TextEncoder();
const C = "/AUTH_test/fuzz-bodies";

beforeAll(async () => {
  await text(await swift("PUT", C));
  await text(await swift("POST", "/AUTH_test", { headers: { "X-Account-Meta-Temp-URL-Key": "secret" } }));
});

/** A container's listing, name → entry as listed (empty when the container does not exist). */
async function listingOf(container: string): Promise<Map<string, string>> {
  const response = await swift("GET", `${container}?format=json`);
  const body = await text(response);
  if (response.status !== 200) return new Map();
  return new Map((JSON.parse(body) as { name: string }[]).map((entry) => [entry.name, JSON.stringify(entry)]));
}

/** The names whose listing entry was added, changed or removed between two listings. */
function changedNames(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name));
}

/** A bulk body's reported figure (0 when the answer is not a 200 with a JSON report). */
function reportedFigure(status: number, answer: string, field: string): number {
  if (status !== 200 || !answer.startsWith("{")) return 0;
  return Number((JSON.parse(answer) as Record<string, unknown>)[field] ?? 0);
}

// ---- tar ----------------------------------------------------------------------------------------

interface Member {
  name: string;
  prefix: string;
  type: string;
  data: Uint8Array;
  /** The size field as written: the data's length in octal, or any text. */
  size: string | null;
  /** Add this to the checksum (0 keeps it right). */
  checksumOff: number;
  pax: [string, string][];
}

/** A ustar header: fields written as given (cut to their widths), the checksum computed and offset. */
function tarHeader(member: Member, size: string): Uint8Array {
  const header = new Uint8Array(512);
  const put = (value: string, offset: number, length: number) =>
    header.set(encoder.encode(value).subarray(0, length), offset);
  put(member.name, 0, 100);
  put("0000644\0", 100, 8);
  put("0000000\0", 108, 8);
  put("0000000\0", 116, 8);
  put(size, 124, 12);
  put("14712345670\0", 136, 12);
  put("        ", 148, 8);
  put(member.type, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put(member.prefix, 345, 155);
  const sum = header.reduce((total, byte) => total + byte, 0) + member.checksumOff;
  put(`${Math.max(sum, 0).toString(8).padStart(6, "0")}\0 `, 148, 8);
  return header;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512;
  return pad ? [data, new Uint8Array(pad)] : [data];
}

function tar(members: readonly Member[], end: boolean): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const member of members) {
    if (member.pax.length) {
      const records = encoder.encode(
        member.pax.map(([key, value]) => `${key.length + value.length + 4} ${key}=${value}\n`).join(""),
      );
      blocks.push(
        tarHeader(
          { ...member, name: "PaxHeader", type: "x", prefix: "", checksumOff: 0 },
          `${records.length.toString(8).padStart(11, "0")}\0`,
        ),
        ...padded(records),
      );
    }
    blocks.push(tarHeader(member, member.size ?? `${member.data.length.toString(8).padStart(11, "0")}\0`));
    blocks.push(...padded(member.data));
  }
  if (end) blocks.push(new Uint8Array(1024));
  return concat(blocks);
}

const nameArb = fc.oneof(
  fc.constantFrom("a", "dir/b", "fuzz-bodies/c", "/abs", "..", "../x", "./y", "", "/", "a//b", "x/", "é/ü", "a\u0000b"),
  fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
  fc.string({ minLength: 99, maxLength: 120 }),
);
const memberArb: fc.Arbitrary<Member> = fc.record({
  name: nameArb,
  prefix: fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 1, arbitrary: nameArb }),
  type: fc.constantFrom("0", "0", "0", "\0", "5", "2", "1", "x", "g", "L", "K", "7", "Z"),
  data: fc.uint8Array({ maxLength: 700 }),
  size: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "77777777777\0",
        "",
        "x",
        "-1",
        "00000001000\0",
        "\u0080\u0000\u0000\u0000\u0001",
        " 12 ",
      ),
    },
  ),
  checksumOff: fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: -300, max: 300 }) },
  ),
  pax: fc.oneof(
    { weight: 6, arbitrary: fc.constant<[string, string][]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.tuple(
          fc.constantFrom("path", "size", "linkpath", "mtime", "x", ""),
          fc.string({ unit: "grapheme-ascii", maxLength: 20 }),
        ),
        { maxLength: 3 },
      ),
    },
  ),
});
/** A tar: members, with or without its end blocks, then maybe cut short or with bytes added. */
const tarArb = fc
  .record({
    members: fc.array(memberArb, { maxLength: 4 }),
    end: fc.boolean(),
    cut: fc.option(fc.nat(), { freq: 3 }),
    tail: fc.uint8Array({ maxLength: 40 }),
  })
  .map(({ members, end, cut, tail }) => {
    const whole = tar(members, end);
    return concat([cut === null ? whole : whole.slice(0, cut % (whole.length + 1)), tail]);
  });

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

// ---- forms --------------------------------------------------------------------------------------

async function hmac(hash: "SHA-1" | "SHA-256", key: Uint8Array | string, message: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const BOUNDARY = "fuzzFormBoundary0123456789";

/** Parts as `[name, filename or null, data]`, framed with BOUNDARY. */
function formBody(parts: readonly [string, string | null, string | Uint8Array][]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const [name, filename, data] of parts) {
    const file = filename === null ? "" : `; filename="${filename}"\r\nContent-Type: application/octet-stream`;
    chunks.push(encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n`));
    chunks.push(typeof data === "string" ? encoder.encode(data) : data);
    chunks.push(encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${BOUNDARY}--\r\n`));
  return concat(chunks);
}

/** A FormPOST to the container, signed with the account's key. */
async function formPostBody(files: readonly [string, Uint8Array][]): Promise<Uint8Array> {
  const expires = String(Math.floor(Date.now() / 1000) + 600);
  const path = `/v1${C}/`;
  const signature = hex(await hmac("SHA-256", "secret", `${path}\n\n1024\n3\n${expires}`));
  return formBody([
    ["redirect", null, ""],
    ["max_file_size", null, "1024"],
    ["max_file_count", null, "3"],
    ["expires", null, expires],
    ["signature", null, signature],
    ...files.map(([filename, data], index): [string, string, Uint8Array] => [`file${index}`, filename, data]),
  ]);
}

const bucket = bucketName("fuzz-post");

/** An S3 POST upload form for the bucket, signed with SigV4 by test:tester. */
async function s3PostBody(files: readonly [string, Uint8Array][]): Promise<Uint8Array> {
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const fields: Record<string, string> = {
    key: "uploads/${filename}",
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": `test:tester/${date}/us-east-1/s3/aws4_request`,
    "x-amz-date": amzDate,
  };
  const conditions = [
    { bucket },
    ["starts-with", "$key", ""],
    ...Object.entries(fields)
      .filter(([name]) => name !== "key")
      .map(([name, value]) => ({ [name]: value })),
  ];
  const policy = btoa(JSON.stringify({ expiration: new Date(Date.now() + 3600_000).toISOString(), conditions }));
  let key = encoder.encode("AWS4testing");
  for (const part of [date, "us-east-1", "s3", "aws4_request"]) key = await hmac("SHA-256", key, part);
  const signature = hex(await hmac("SHA-256", key, policy));
  return formBody([
    ...Object.entries(fields).map(([name, value]): [string, null, string] => [name, null, value]),
    ["policy", null, policy],
    ["x-amz-signature", null, signature],
    ...files.slice(0, 1).map(([filename, data]): [string, string, Uint8Array] => ["file", filename, data]),
  ]);
}

/** How a valid form is changed: bytes replaced, cut short, bytes added, or nothing. */
const damageArb = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({
    kind: fc.constant("replace" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("text" as const),
    at: fc.nat(),
    text: fc.constantFrom("\r\n", "--", `--${BOUNDARY}`, `--${BOUNDARY}--`, "\r\n\r\n", '"', ";", "name=", "filename="),
  }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
);
type Damage = typeof damageArb extends fc.Arbitrary<infer T> ? T : never;

function damaged(body: Uint8Array, damage: Damage): Uint8Array {
  if (damage.kind === "none") return body;
  const at = damage.at % (body.length + 1);
  if (damage.kind === "cut") return body.slice(0, at);
  const inserted = damage.kind === "replace" ? damage.bytes : encoder.encode(damage.text);
  const skip = damage.kind === "replace" ? inserted.length : 0;
  return concat([body.slice(0, at), inserted, body.slice(at + skip)]);
}

const contentTypeArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant(`multipart/form-data; boundary=${BOUNDARY}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `multipart/form-data; boundary="${BOUNDARY}"`,
      "multipart/form-data",
      "multipart/form-data; boundary=",
      "multipart/form-data; boundary=other",
      `multipart/form-data; boundary=${"x".repeat(200)}`,
      `multipart/mixed; boundary=${BOUNDARY}`,
      "application/x-www-form-urlencoded",
      "text/plain",
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((value) => value.trim()) },
);
const filesArb = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom("a.txt", "", "../x", "é", 'q"uote', "a/b"),
      fc.string({ unit: "grapheme-ascii", maxLength: 20 }),
    ),
    fc.uint8Array({ maxLength: 300 }),
  ),
  { maxLength: 4 },
);

describe("fuzzing archive and form bodies", () => {
  it("extract-archive of random bytes and near-valid tar, tar.gz and tar.bz2: never a 5xx, in the status or the body, and no more entries changed than files reported created", async ({
    expect,
  }) => {
    // The format the body is in, mostly as named; sometimes another or one bulk does not take.
    const bodyArb = fc.oneof(
      { weight: 4, arbitrary: tarArb.map((bytes) => ({ bytes, compress: false, format: "tar" })) },
      { weight: 2, arbitrary: tarArb.map((bytes) => ({ bytes, compress: true, format: "tar.gz" })) },
      {
        weight: 1,
        arbitrary: fc.record({
          bytes: fc.oneof(tarArb, fc.uint8Array({ maxLength: 2000 })),
          compress: fc.boolean(),
          format: fc.constantFrom("tar", "tar.gz", "tar.bz2", "zip", ""),
        }),
      },
    );
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        fc.constantFrom(C, C, "/AUTH_test", `${C}/sub`),
        async ({ bytes, compress, format }, path) => {
          const body = compress ? await gzip(bytes) : bytes;
          const before = await listingOf(C);
          const response = await swift("PUT", `${path}?extract-archive=${format}`, {
            body,
            headers: { Accept: "application/json" },
          });
          const answer = await text(response);
          const what = `PUT ${path}?extract-archive=${format} (${body.length} bytes): ${response.status} ${answer.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status === 200 && answer.startsWith("{")) {
            const reported = (JSON.parse(answer) as { "Response Status"?: string })["Response Status"] ?? "";
            expect(Number(reported.slice(0, 3)), what).toBeLessThan(500);
          }
          // Only files reported created change the container (a refused archive changes nothing),
          // and those extracted under a path land under it.
          const changed = changedNames(before, await listingOf(C));
          const created = reportedFigure(response.status, answer, "Number Files Created");
          expect(changed.length, `${what}: changed ${JSON.stringify(changed)}`).toBeLessThanOrEqual(created);
          if (path === `${C}/sub`)
            for (const name of changed) expect(name.startsWith("sub/"), `${what}: changed ${name}`).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("FormPOST and S3 POST uploads of validly signed forms changed a little: never a 5xx; a refused S3 POST stores nothing, a FormPOST no more than its files", async ({
    expect,
  }) => {
    await text(await swift("PUT", `/AUTH_test/${bucket}`));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("formpost", "s3"),
        filesArb,
        damageArb,
        contentTypeArb,
        async (kind, files, damage, contentType) => {
          const valid = kind === "formpost" ? await formPostBody(files) : await s3PostBody(files);
          const body = damaged(valid, damage);
          const url = kind === "formpost" ? `${BASE}/v1${C}/` : `${BASE}/${bucket}`;
          const container = kind === "formpost" ? C : `/AUTH_test/${bucket}`;
          const before = await listingOf(container);
          const response = await exports.default.fetch(url, {
            method: "POST",
            body,
            headers: { "Content-Type": contentType },
            redirect: "manual",
          });
          const answer = await response.text();
          const what = `POST ${kind} ${JSON.stringify(damage)} Content-Type: ${contentType}: ${response.status} ${answer.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          // A form as signed, framed as announced, with one to three plainly named files is taken.
          const plain = files.length > 0 && files.length <= 3 && files.every(([name]) => /^[\w.-]+$/.test(name));
          if (damage.kind === "none" && contentType === `multipart/form-data; boundary=${BOUNDARY}` && plain)
            expect(response.status, what).toBeLessThan(400);
          const changed = changedNames(before, await listingOf(container));
          if (kind === "s3") {
            // One file, taken whole or not at all.
            expect(changed.length, `${what}: changed ${JSON.stringify(changed)}`).toBeLessThanOrEqual(
              response.status < 400 ? 1 : 0,
            );
          } else {
            // FormPOST stores files one by one and stops at the first it refuses (as Swift's does),
            // so a refusal may follow stored files: never more than the form's file parts.
            const fileParts = new TextDecoder("latin1").decode(body).split("filename=").length - 1;
            expect(changed.length, `${what}: changed ${JSON.stringify(changed)}`).toBeLessThanOrEqual(fileParts);
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);

  it("bulk-delete of any list of names: never a 5xx, in the status or the body; it removes only names it lists, no more than it reports deleted", async ({
    expect,
  }) => {
    const lineArb = fc.oneof(
      fc.constantFrom(
        "/fuzz-bodies/gone",
        "fuzz-bodies/gone",
        "/fuzz-bodies/g%6Fne",
        "/fuzz-bodies/gone/",
        "/fuzz-bodies//gone",
        "/fuzz-bodies/keep%00",
        "/fuzz-bodies/kee",
        "/fuzz-bodies",
        "/fuzz-bodies/",
        "/",
        "",
        "//",
        "/%",
        "/%zz/x",
        "/fuzz-bodies/%2F",
        "/no-such/x",
        "/fuzz-bodies/a%00b",
        `/${"c".repeat(300)}/x`,
      ),
      fc.string({ unit: "grapheme-ascii", maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 20 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 8 }),
        fc.constantFrom("\n", "\r\n", "\n\n"),
        fc.constantFrom("POST", "DELETE"),
        async (lines, separator, method) => {
          // Two objects: one some lines name, one no line names.
          for (const name of ["gone", "keep"]) await text(await swift("PUT", `${C}/${name}`, { body: name }));
          const before = await listingOf(C);
          const response = await swift(method, "/AUTH_test?bulk-delete", {
            body: lines.join(separator),
            headers: { "Content-Type": "text/plain", Accept: "application/json" },
          });
          const answer = await text(response);
          const what = `${method} ?bulk-delete ${JSON.stringify(lines)}: ${response.status} ${answer.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status === 200 && answer.startsWith("{")) {
            const reported = (JSON.parse(answer) as { "Response Status"?: string })["Response Status"] ?? "";
            expect(Number(reported.slice(0, 3)), what).toBeLessThan(500);
          }
          const after = await listingOf(C);
          const removed = changedNames(before, after);
          expect(removed.length, `${what}: changed ${JSON.stringify(removed)}`).toBeLessThanOrEqual(
            reportedFigure(response.status, answer, "Number Deleted"),
          );
          // A line names `/container/object`, percent-encoded, leading slashes dropped (Swift: unquote).
          const named = new Set(lines.map((line) => unquote(line).replace(/^\/+/, "")));
          for (const name of removed) {
            expect(after.has(name), `${what}: ${name} changed, not removed`).toBe(false);
            expect(named.has(`fuzz-bodies/${name}`), `${what}: ${name} removed, no line names it`).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
