import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text } from "../../helpers";

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s);
const A = "/AUTH_test";

/** A ustar header block (with the checksum computed). */
function tarHeader(name: string, size: number, type = "0", prefix = ""): Uint8Array {
  const header = new Uint8Array(512);
  const put = (value: string | Uint8Array, offset: number, length: number) =>
    header.set((typeof value === "string" ? bytes(value) : value).subarray(0, length), offset);
  put(name, 0, 100);
  put("0000644\0", 100, 8);
  put("0000000\0", 108, 8);
  put("0000000\0", 116, 8);
  put(`${size.toString(8).padStart(11, "0")}\0`, 124, 12);
  put("14712345670\0", 136, 12);
  put("        ", 148, 8);
  put(type, 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put(prefix, 345, 155);
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return header;
}

/** `"<length> key=value\n"`, the length counting itself. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = bytes(rest).length + 1;
  while (String(length).length + bytes(rest).length !== length) length = String(length).length + bytes(rest).length;
  return `${length}${rest}`;
}

interface Member {
  name: string;
  body?: string;
  type?: string;
  pax?: Record<string, string>;
  prefix?: string;
}

/** A tar archive of the members, ended by two zero blocks. */
function tar(members: Member[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const withData = (data: Uint8Array) => {
    blocks.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) blocks.push(new Uint8Array(pad));
  };
  for (const member of members) {
    if (member.pax) {
      const records = bytes(
        Object.entries(member.pax)
          .map(([key, value]) => paxRecord(key, value))
          .join(""),
      );
      blocks.push(tarHeader("PaxHeader", records.length, "x"));
      withData(records);
    }
    const data = bytes(member.body ?? "");
    blocks.push(
      tarHeader(
        member.name,
        member.type && member.type !== "0" ? 0 : data.length,
        member.type ?? "0",
        member.prefix ?? "",
      ),
    );
    if (data.length && (member.type ?? "0") === "0") withData(data);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((total, block) => total + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

interface Outcome {
  "Response Status": string;
  "Response Body": string;
  "Number Deleted"?: number;
  "Number Not Found"?: number;
  "Number Files Created"?: number;
  Errors: [string, string][];
}

async function json(response: Response): Promise<Outcome> {
  return JSON.parse(await text(response)) as Outcome;
}

const JSON_ACCEPT = { Accept: "application/json" };

function bulkDelete(
  list: string,
  headers: Record<string, string> = {},
  init: { user?: null; path?: string; method?: string } = {},
): Promise<Response> {
  return swift(init.method ?? "POST", `${init.path ?? A}?bulk-delete`, {
    body: bytes(list),
    headers: { "Content-Type": "text/plain", ...headers },
    ...(init.user === null ? { user: null } : {}),
  });
}

async function status(path: string): Promise<number> {
  const response = await swift("HEAD", path);
  await text(response);
  return response.status;
}

beforeAll(async () => {
  for (const container of ["bulk-del", "bulk-full"]) await text(await swift("PUT", `${A}/${container}`));
  for (const name of ["one", "two", "dir/three", "sp ace"])
    await text(await swift("PUT", `${A}/bulk-del/${name}`, { body: bytes(name) }));
  await text(await swift("PUT", `${A}/bulk-full/keep`, { body: bytes("x") }));
});

describe("bulk delete", () => {
  it("POST ?bulk-delete deletes the listed objects and empty containers and returns 200 with counts as text", async ({
    expect,
  }) => {
    await text(await swift("PUT", `${A}/bulk-empty`));
    const response = await bulkDelete(
      "/bulk-del/one\n/bulk-del/dir%2Fthree\nbulk-del/sp%20ace\n/bulk-del/missing\n/bulk-empty\n",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await text(response)).toBe(
      "Number Deleted: 4\nNumber Not Found: 1\nResponse Body: \nResponse Status: 200 OK\nErrors:\n",
    );
    expect(await status(`${A}/bulk-del/one`)).toBe(404);
    expect(await status(`${A}/bulk-del/dir/three`)).toBe(404);
    expect(await status(`${A}/bulk-del/sp ace`)).toBe(404);
    expect(await status(`${A}/bulk-empty`)).toBe(404);
    expect(await status(`${A}/bulk-del/two`)).toBe(200);
  });

  it("deletes objects before containers, so a container emptied by the same request is deleted", async ({ expect }) => {
    await text(await swift("PUT", `${A}/bulk-order`));
    await text(await swift("PUT", `${A}/bulk-order/o`, { body: bytes("x") }));
    const outcome = await json(await bulkDelete("/bulk-order\n/bulk-order/o\n", JSON_ACCEPT));
    expect(outcome).toEqual({
      "Response Status": "200 OK",
      "Response Body": "",
      "Number Deleted": 2,
      "Number Not Found": 0,
      Errors: [],
    });
  });

  it(
    "a container that still holds objects is listed in Errors with 409 Conflict " +
      "and the Response Status is 400 Bad Request",
    async ({ expect }) => {
      const response = await bulkDelete("/bulk-full\n", JSON_ACCEPT);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      const body = await text(response);
      expect(body).toBe(
        '{"Response Status": "400 Bad Request", "Response Body": "", "Number Deleted": 0, "Number Not Found": 0, ' +
          '"Errors": [["/bulk-full", "409 Conflict"]]}',
      );
    },
  );

  it("Accept: application/xml renders Swift's <delete> document", async ({ expect }) => {
    const response = await bulkDelete("/bulk-full\n", { Accept: "application/xml" });
    expect(response.headers.get("content-type")).toBe("application/xml");
    expect(await text(response)).toBe(
      "<delete>\n<number_deleted>0</number_deleted>\n<number_not_found>0</number_not_found>\n" +
        "<response_body></response_body>\n" +
        "<response_status>400 Bad Request</response_status>\n<errors>\n" +
        "<object><name>/bulk-full</name><status>409 Conflict</status></object>\n</errors>\n</delete>\n",
    );
  });

  it(
    "DELETE ?bulk-delete works as POST, and a container in the URL is ignored " + "(names are relative to the account)",
    async ({ expect }) => {
      await text(await swift("PUT", `${A}/bulk-del/via-delete`, { body: bytes("x") }));
      const outcome = await json(
        await bulkDelete("/bulk-del/via-delete", JSON_ACCEPT, { method: "DELETE", path: `${A}/ignored-container` }),
      );
      expect(outcome["Number Deleted"]).toBe(1);
      expect(outcome["Response Status"]).toBe("200 OK");
    },
  );

  it("an Accept that offers none of text/plain, JSON or XML reports 406 Not Acceptable in a 200", async ({
    expect,
  }) => {
    const response = await bulkDelete("/bulk-del/two\n", { Accept: "image/png" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await text(response)).toContain("Response Status: 406 Not Acceptable\n");
    expect(await status(`${A}/bulk-del/two`)).toBe(200);
  });

  it("a request Content-Type other than text/plain reports 406 Not Acceptable", async ({ expect }) => {
    const outcome = await json(
      await bulkDelete("/bulk-del/two\n", { ...JSON_ACCEPT, "Content-Type": "application/x-www-form-urlencoded" }),
    );
    expect(outcome["Response Status"]).toBe("406 Not Acceptable");
    expect(await status(`${A}/bulk-del/two`)).toBe(200);
  });

  it("an empty list reports 400 Bad Request 'Invalid bulk delete.'", async ({ expect }) => {
    const outcome = await json(await bulkDelete("\n\n", JSON_ACCEPT));
    expect(outcome).toEqual({
      "Response Status": "400 Bad Request",
      "Response Body": "Invalid bulk delete.",
      "Number Deleted": 0,
      "Number Not Found": 0,
      Errors: [],
    });
  });

  it("more than 10000 names report 413 'Maximum Bulk Deletes: 10000 per request' and delete nothing", async ({
    expect,
  }) => {
    const list = Array.from({ length: 10_001 }, (_, i) => `/bulk-del/n${i}`).join("\n");
    const outcome = await json(await bulkDelete(`/bulk-del/two\n${list}`, JSON_ACCEPT));
    expect(outcome["Response Status"]).toBe("413 Request Entity Too Large");
    expect(outcome["Response Body"]).toBe("Maximum Bulk Deletes: 10000 per request");
    expect(await status(`${A}/bulk-del/two`)).toBe(200);
  });

  it("a line longer than twice the longest path reports 400 'Invalid File Name'", async ({ expect }) => {
    const outcome = await json(await bulkDelete(`/bulk-del/${"x".repeat(2600)}`, JSON_ACCEPT));
    expect(outcome["Response Status"]).toBe("400 Bad Request");
    expect(outcome["Response Body"]).toBe("Invalid File Name");
  });

  it("names that are not UTF-8 or hold a NUL are listed with 412 Precondition Failed", async ({ expect }) => {
    const outcome = await json(await bulkDelete("/bulk-del/a%FF\n/bulk-del/a%00b\n/bulk-del/missing\n", JSON_ACCEPT));
    expect(outcome["Response Status"]).toBe("400 Bad Request");
    expect(outcome["Number Not Found"]).toBe(1);
    expect(outcome.Errors).toEqual([
      ["/bulk-del/a%FF", "412 Precondition Failed"],
      ["/bulk-del/a%00b", "412 Precondition Failed"],
    ]);
  });

  it("an anonymous bulk delete lists every name with 401 Unauthorized and deletes nothing", async ({ expect }) => {
    const outcome = await json(await bulkDelete("/bulk-del/two\n", JSON_ACCEPT, { user: null }));
    expect(outcome).toEqual({
      "Response Status": "400 Bad Request",
      "Response Body": "",
      "Number Deleted": 0,
      "Number Not Found": 0,
      Errors: [["/bulk-del/two", "401 Unauthorized"]],
    });
    expect(await status(`${A}/bulk-del/two`)).toBe(200);
  });

  it("after 1000 failed deletes the run stops with 400 'Max delete failures exceeded'", async ({ expect }) => {
    const list = Array.from({ length: 1_100 }, (_, i) => `/bulk-del/f${i}`).join("\n");
    const outcome = await json(await bulkDelete(list, JSON_ACCEPT, { user: null }));
    expect(outcome["Response Status"]).toBe("400 Bad Request");
    expect(outcome["Response Body"]).toBe("Max delete failures exceeded");
    expect(outcome.Errors.length).toBeGreaterThanOrEqual(1_000);
    expect(outcome.Errors.length).toBeLessThan(1_100);
  });

  it("names in Errors are quoted as Swift quotes them (UTF-8, then percent-encoded)", async ({ expect }) => {
    await text(await swift("PUT", `${A}/bulk-full/é t`, { body: bytes("x") }));
    const outcome = await json(await bulkDelete("/bulk-full\n", JSON_ACCEPT));
    expect(outcome.Errors).toEqual([["/bulk-full", "409 Conflict"]]);
    await text(await swift("PUT", `${A}/bulk-é`));
    await text(await swift("PUT", `${A}/bulk-é/o`, { body: bytes("x") }));
    const quoted = await json(await bulkDelete("/bulk-%C3%A9\n", JSON_ACCEPT));
    expect(quoted.Errors).toEqual([["/bulk-%C3%A9", "409 Conflict"]]);
  });

  it("without a body or Content-Length reports 411 Length Required", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/v1${A}?bulk-delete`, {
      method: "POST",
      headers: { Accept: "application/json" },
    });
    const outcome = JSON.parse(await response.text()) as Outcome;
    expect(response.status).toBe(200);
    expect(outcome["Response Status"]).toBe("411 Length Required");
  });
});

describe("bulk names are literal", () => {
  it("a bulk-delete line /c/../other/o names the object ../other/o in c: other/o is not deleted", async ({
    expect,
  }) => {
    await text(await swift("PUT", `${A}/bulk-dots`));
    await text(await swift("PUT", `${A}/bulk-dots-victim`));
    await text(await swift("PUT", `${A}/bulk-dots-victim/victim`, { body: bytes("v") }));
    const outcome = await json(await bulkDelete("/bulk-dots/../bulk-dots-victim/victim\n", JSON_ACCEPT));
    expect(outcome["Number Deleted"]).toBe(0);
    expect(outcome["Number Not Found"]).toBe(1);
    expect(await status(`${A}/bulk-dots-victim/victim`)).toBe(200);
  });

  it("a tar member ../other/o extracted into a container is stored under that literal name, never in other", async ({
    expect,
  }) => {
    await text(await swift("PUT", `${A}/bulk-dots-victim/tar-victim`, { body: bytes("v") }));
    const outcome = await json(
      await swift("PUT", `${A}/bulk-dots?extract-archive=tar`, {
        body: tar([{ name: "../bulk-dots-victim/tar-victim", body: "t" }]),
        headers: JSON_ACCEPT,
      }),
    );
    expect(outcome["Number Files Created"]).toBe(1);
    expect(await text(await swift("GET", `${A}/bulk-dots-victim/tar-victim`))).toBe("v");
    expect(
      await text(await swift("GET", `${A}/bulk-dots/${encodeURIComponent("../bulk-dots-victim/tar-victim")}`)),
    ).toBe("t");
  });
});

describe("bulk extract-archive", () => {
  it(
    "PUT ?extract-archive=tar at the account creates each file as an object, " +
      "creating containers and ignoring top-level files",
    async ({ expect }) => {
      const archive = tar([
        { name: "ea-one/", type: "5" },
        { name: "ea-one/a.txt", body: "alpha" },
        { name: "./ea-one/sub/b.json", body: "{}" },
        { name: "ea-two/c", body: "gamma" },
        { name: "top.txt", body: "ignored" },
        { name: "ea-two/link", type: "2" },
      ]);
      const response = await swift("PUT", `${A}?extract-archive=tar`, { body: archive });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain");
      expect(await text(response)).toBe(
        "Number Files Created: 3\nResponse Body: \nResponse Status: 201 Created\nErrors:\n",
      );
      const listing = await swift("GET", `${A}/ea-one?format=json`);
      const names = (JSON.parse(await text(listing)) as { name: string; content_type: string }[]).map((o) => [
        o.name,
        o.content_type,
      ]);
      expect(names).toEqual([
        ["a.txt", "text/plain"],
        ["sub/b.json", "application/json"],
      ]);
      const c = await swift("GET", `${A}/ea-two/c`);
      expect(await text(c)).toBe("gamma");
      expect(c.headers.get("content-type")).toBe("application/octet-stream");
      expect(await status(`${A}/ea-two/link`)).toBe(404);
    },
  );

  it("?extract-archive=tar.gz into a container and prefix puts every file under that path", async ({ expect }) => {
    await text(await swift("PUT", `${A}/ea-dest`));
    const archive = await gzip(
      tar([
        { name: "x/one", body: "1" },
        { name: "top", body: "2" },
      ]),
    );
    const outcome = await json(
      await swift("PUT", `${A}/ea-dest/pre/?extract-archive=tar.gz`, { body: archive, headers: JSON_ACCEPT }),
    );
    expect(outcome).toEqual({
      "Response Status": "201 Created",
      "Response Body": "",
      "Number Files Created": 2,
      Errors: [],
    });
    expect(await text(await swift("GET", `${A}/ea-dest/pre/x/one`))).toBe("1");
    expect(await text(await swift("GET", `${A}/ea-dest/pre/top`))).toBe("2");
  });

  it("the format is read case-insensitively with dots stripped", async ({ expect }) => {
    const outcome = await json(
      await swift("PUT", `${A}/ea-dest?extract-archive=.TAR.`, {
        body: tar([{ name: "case/f", body: "f" }]),
        headers: JSON_ACCEPT,
      }),
    );
    expect(outcome["Number Files Created"]).toBe(1);
  });

  it("an unsupported archive format returns 400 'Unsupported archive format'", async ({ expect }) => {
    for (const format of ["zip", "", "tar.bz2"]) {
      const response = await swift("PUT", `${A}/ea-dest?extract-archive=${format}`, {
        body: tar([{ name: "f/g", body: "x" }]),
      });
      expect(response.status).toBe(400);
      expect(await text(response)).toBe("Unsupported archive format");
    }
  });

  it("request metadata and X-Delete-After go to every object; pax xattrs set Content-Type and metadata", async ({
    expect,
  }) => {
    const archive = tar([
      { name: "ea-meta/plain", body: "p" },
      {
        name: "ea-meta/xattr",
        body: "x",
        pax: {
          "SCHILY.xattr.user.mime_type": "application/x-special",
          "SCHILY.xattr.user.meta.lunch": "burger",
          "LIBARCHIVE.xattr.user.meta.dinner": "ziti",
          "SCHILY.xattr.user.stuff": "ignored",
        },
      },
    ]);
    const outcome = await json(
      await swift("PUT", `${A}?extract-archive=tar`, {
        body: archive,
        headers: {
          ...JSON_ACCEPT,
          "X-Object-Meta-Color": "red",
          "X-Delete-After": "3600",
          "Content-Type": "application/x-tar",
        },
      }),
    );
    expect(outcome["Number Files Created"]).toBe(2);
    const plain = await swift("HEAD", `${A}/ea-meta/plain`);
    await text(plain);
    expect(plain.headers.get("x-object-meta-color")).toBe("red");
    expect(plain.headers.get("x-delete-at")).toMatch(/^\d+$/);
    expect(plain.headers.get("content-type")).toBe("application/octet-stream");
    const xattr = await swift("HEAD", `${A}/ea-meta/xattr`);
    await text(xattr);
    expect(xattr.headers.get("content-type")).toBe("application/x-special");
    expect(xattr.headers.get("x-object-meta-lunch")).toBe("burger");
    expect(xattr.headers.get("x-object-meta-dinner")).toBe("ziti");
    expect(xattr.headers.get("x-object-meta-color")).toBe("red");
  });

  it("long names come from pax path records, GNU long names and the ustar prefix", async ({ expect }) => {
    const long = `ea-long/${"d".repeat(120)}/file`;
    const gnuName = `ea-long/${"g".repeat(150)}`;
    const padded = (data: Uint8Array) => [...data, ...new Uint8Array((512 - (data.length % 512)) % 512)];
    const gnuArchive = Uint8Array.from([
      ...tarHeader("././@LongLink", gnuName.length + 1, "L"),
      ...padded(bytes(`${gnuName}\0`)),
      ...tarHeader(gnuName.slice(0, 100), 3),
      ...padded(bytes("gnu")),
      ...new Uint8Array(1024),
    ]);
    const archive = tar([
      { name: "short", body: "pax", pax: { path: long } },
      { name: "file", body: "ustar", prefix: "ea-long/prefixed" },
    ]);
    const first = await json(await swift("PUT", `${A}?extract-archive=tar`, { body: archive, headers: JSON_ACCEPT }));
    expect(first["Number Files Created"]).toBe(2);
    expect(await text(await swift("GET", `${A}/${long}`))).toBe("pax");
    expect(await text(await swift("GET", `${A}/ea-long/prefixed/file`))).toBe("ustar");
    const second = await json(
      await swift("PUT", `${A}?extract-archive=tar`, { body: gnuArchive, headers: JSON_ACCEPT }),
    );
    expect(second["Number Files Created"]).toBe(1);
    expect(await text(await swift("GET", `${A}/${gnuName}`))).toBe("gnu");
  });

  it("Accept: text/xml renders Swift's <extract> document", async ({ expect }) => {
    const response = await swift("PUT", `${A}/ea-dest?extract-archive=tar`, {
      body: tar([{ name: "xml/f", body: "x" }]),
      headers: { Accept: "text/xml" },
    });
    expect(response.headers.get("content-type")).toBe("text/xml");
    expect(await text(response)).toBe(
      "<extract>\n<number_files_created>1</number_files_created>\n<response_body></response_body>\n" +
        "<response_status>201 Created</response_status>\n<errors>\n</errors>\n</extract>\n",
    );
  });

  it("an archive of only directories reports 400 'Invalid Tar File: No Valid Files'", async ({ expect }) => {
    const outcome = await json(
      await swift("PUT", `${A}?extract-archive=tar`, {
        body: tar([{ name: "ea-dirs/", type: "5" }]),
        headers: JSON_ACCEPT,
      }),
    );
    expect(outcome).toEqual({
      "Response Status": "400 Bad Request",
      "Response Body": "Invalid Tar File: No Valid Files",
      "Number Files Created": 0,
      Errors: [],
    });
  });

  it("malformed archives report 400 with tarfile's reason", async ({ expect }) => {
    const junk = new Uint8Array(1024).map((_, i) => (i * 7 + 3) % 251);
    const archive = tar([
      { name: "ea-trunc/a", body: "aaaa" },
      { name: "ea-trunc/b", body: "b".repeat(600) },
    ]);
    const badChecksum = archive.slice();
    badChecksum[0] = 0x5a; // the name changes, the stored checksum does not
    const cases: [string, Uint8Array, string][] = [
      ["tar", new Uint8Array(0), "Invalid Tar File: empty file"],
      ["tar", bytes("garbage"), "Invalid Tar File: truncated header"],
      ["tar", junk, "Invalid Tar File: invalid header"],
      ["tar", badChecksum, "Invalid Tar File: bad checksum"],
      ["tar.gz", junk, "Invalid Tar File: not a gzip file"],
      ["tar.gz", await gzip(badChecksum), "Invalid Tar File: bad checksum"],
      ["tar.gz", (await gzip(archive)).subarray(0, 40), "Invalid Tar File: invalid compressed data"],
      ["tar", archive.subarray(0, 1636), "Invalid Tar File: unexpected end of data"],
    ];
    for (const [format, body, message] of cases) {
      const outcome = await json(
        await swift("PUT", `${A}/ea-dest?extract-archive=${format}`, {
          body,
          headers: { ...JSON_ACCEPT, "Content-Length": String(body.length) },
        }),
      );
      expect(outcome["Response Status"], message).toBe("400 Bad Request");
      expect(outcome["Response Body"]).toBe(message);
    }
  });

  it("files that cannot be created are listed with their status, and the Response Status follows them", async ({
    expect,
  }) => {
    const archive = tar([
      { name: "ok/a", body: "a" },
      { name: "bad/long", body: "b", pax: { path: `bad/${"n".repeat(1100)}` } },
    ]);
    const outcome = await json(
      await swift("PUT", `${A}/ea-dest?extract-archive=tar`, { body: archive, headers: JSON_ACCEPT }),
    );
    expect(outcome["Number Files Created"]).toBe(1);
    expect(outcome["Response Status"]).toBe("400 Bad Request");
    expect(outcome.Errors).toEqual([[`ea-dest/bad/${"n".repeat(1100)}`, "400 Bad Request"]]);
  });

  it("an anonymous extract-archive reports 401 Unauthorized and creates nothing", async ({ expect }) => {
    const outcome = await json(
      await swift("PUT", `${A}?extract-archive=tar`, {
        body: tar([{ name: "ea-anon/f", body: "x" }]),
        headers: JSON_ACCEPT,
        user: null,
      }),
    );
    expect(outcome).toEqual({
      "Response Status": "401 Unauthorized",
      "Response Body": "",
      "Number Files Created": 0,
      Errors: [],
    });
    expect(await status(`${A}/ea-anon`)).toBe(404);
  });

  it("/info lists bulk_upload and bulk_delete with their limits", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(info.bulk_upload).toEqual({ max_containers_per_extraction: 10000, max_failed_extractions: 1000 });
    expect(info.bulk_delete).toEqual({ max_deletes_per_request: 10000, max_failed_deletes: 1000 });
  });
});
