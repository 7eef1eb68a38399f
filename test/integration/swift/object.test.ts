import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, it } from "vitest";
import { ALARM_AT_MAX_MS } from "../../../src/common/constraints";
import { loadRings } from "../../../src/ring/load";
import { swift, text } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const C = "/AUTH_test/objects";

async function md5(data: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("MD5", data))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

function streamOf(data: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

beforeAll(async () => {
  await text(await swift("PUT", C));
});

describe("object PUT", () => {
  it("returns 201 with the body's MD5 as ETag and Last-Modified", async ({ expect }) => {
    const response = await swift("PUT", `${C}/put-basic`, { body: bytes("hello") });
    await text(response);
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(response.headers.get("last-modified")).toMatch(/GMT$/);
  });

  it("with an ETag that does not match the body returns 422 and stores nothing", async ({ expect }) => {
    const response = await swift("PUT", `${C}/put-etag-wrong`, {
      body: bytes("hello"),
      headers: { ETag: "0123456789abcdef0123456789abcdef" },
    });
    await text(response);
    expect(response.status).toBe(422);
    const get = await swift("GET", `${C}/put-etag-wrong`);
    await text(get);
    expect(get.status).toBe(404);
  });

  it("with a matching ETag, quoted or not, returns 201", async ({ expect }) => {
    for (const etag of ["5d41402abc4b2a76b9719d911017c592", '"5d41402abc4b2a76b9719d911017c592"']) {
      const response = await swift("PUT", `${C}/put-etag-ok`, { body: bytes("hello"), headers: { ETag: etag } });
      await text(response);
      expect(response.status).toBe(201);
    }
  });

  it("into a container that does not exist returns 404", async ({ expect }) => {
    const response = await swift("PUT", "/AUTH_test/no-such-container/o", { body: bytes("x") });
    await text(response);
    expect(response.status).toBe(404);
  });

  it("with an object name over 1024 bytes returns 400 with Swift's message", async ({ expect }) => {
    const response = await swift("PUT", `${C}/${"o".repeat(1025)}`, { body: bytes("x") });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("Object name length of 1025 longer than 1024");
  });

  it("keeps Content-Type as sent, or guesses it from the name, or falls back to application/octet-stream", async ({
    expect,
  }) => {
    await text(
      await swift("PUT", `${C}/typed.bin`, { body: bytes("x"), headers: { "Content-Type": "text/x-custom" } }),
    );
    await text(await swift("PUT", `${C}/guessed.html`, { body: bytes("x") }));
    await text(await swift("PUT", `${C}/unknown-type`, { body: bytes("x") }));
    await text(
      await swift("PUT", `${C}/detected.json`, {
        body: bytes("x"),
        headers: { "Content-Type": "text/plain", "X-Detect-Content-Type": "true" },
      }),
    );
    const types: Record<string, string> = {};
    for (const name of ["typed.bin", "guessed.html", "unknown-type", "detected.json"]) {
      const head = await swift("HEAD", `${C}/${name}`);
      await text(head);
      types[name] = head.headers.get("content-type") ?? "";
    }
    expect(types).toEqual({
      "typed.bin": "text/x-custom",
      "guessed.html": "text/html",
      "unknown-type": "application/octet-stream",
      "detected.json": "application/json",
    });
  });

  it("keeps Content-Disposition, Content-Encoding and X-Object-Meta-* and returns them on GET and HEAD", async ({
    expect,
  }) => {
    const gzipped = new Uint8Array(
      await new Response(new Blob(["x"]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );
    await text(
      await swift("PUT", `${C}/kept-headers`, {
        body: gzipped,
        headers: {
          "Content-Disposition": 'attachment; filename="a.txt"',
          "Content-Encoding": "gzip",
          "X-Object-Meta-Color": "blue",
          "Cache-Control": "no-cache",
        },
      }),
    );
    for (const method of ["GET", "HEAD"]) {
      const response = await swift(method, `${C}/kept-headers`);
      // This caller, like a browser, decodes the gzip body the Worker sent as stored.
      expect(await text(response)).toBe(method === "GET" ? "x" : "");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="a.txt"');
      expect(response.headers.get("content-encoding")).toBe("gzip");
      expect(response.headers.get("x-object-meta-color")).toBe("blue");
      expect(response.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("with metadata over Swift's limits returns 400 and stores nothing", async ({ expect }) => {
    const response = await swift("PUT", `${C}/bad-meta`, {
      body: bytes("x"),
      headers: { "X-Object-Meta-Big": "v".repeat(257) },
    });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("Metadata value longer than 256: x-object-meta-Big");
    const get = await swift("HEAD", `${C}/bad-meta`);
    await text(get);
    expect(get.status).toBe(404);
  });

  it("without Content-Length or a chunked body returns 411", async ({ expect }) => {
    const response = await swift("PUT", `${C}/no-length`);
    expect(response.status).toBe(411);
    expect(await text(response)).toBe("Missing Content-Length header.");
  });

  it("with If-None-Match: * returns 412 when the object exists and 201 when it does not", async ({ expect }) => {
    const first = await swift("PUT", `${C}/inm`, { body: bytes("1"), headers: { "If-None-Match": "*" } });
    await text(first);
    expect(first.status).toBe(201);
    const second = await swift("PUT", `${C}/inm`, { body: bytes("2"), headers: { "If-None-Match": "*" } });
    await text(second);
    expect(second.status).toBe(412);
    expect(await text(await swift("GET", `${C}/inm`))).toBe("1");
  });

  it("with If-None-Match other than * returns 400", async ({ expect }) => {
    const response = await swift("PUT", `${C}/inm-bad`, { body: bytes("1"), headers: { "If-None-Match": "abc" } });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("If-None-Match only supports *");
  });

  it("with a Content-Type parameter named swift_* returns 400", async ({ expect }) => {
    const response = await swift("PUT", `${C}/swift-param`, {
      body: bytes("1"),
      headers: { "Content-Type": "text/plain; swift_bytes=5" },
    });
    await text(response);
    expect(response.status).toBe(400);
  });

  it("with X-Static-Large-Object from the client returns 400", async ({ expect }) => {
    const response = await swift("PUT", `${C}/slo-flag`, {
      body: bytes("1"),
      headers: { "X-Static-Large-Object": "true" },
    });
    await text(response);
    expect(response.status).toBe(400);
  });

  it("a newer PUT replaces the object; the older body is not served", async ({ expect }) => {
    await text(await swift("PUT", `${C}/overwrite`, { body: bytes("first") }));
    await text(await swift("PUT", `${C}/overwrite`, { body: bytes("second, longer") }));
    const get = await swift("GET", `${C}/overwrite`);
    expect(await text(get)).toBe("second, longer");
    const listing = JSON.parse(await text(await swift("GET", "/AUTH_test/objects?format=json&prefix=overwrite"))) as {
      bytes: number;
    }[];
    expect(listing).toHaveLength(1);
    expect(listing[0]?.bytes).toBe(14);
  });

  it("a zero-byte object is stored and read back (ETag of the empty string)", async ({ expect }) => {
    const put = await swift("PUT", `${C}/empty`, { body: new Uint8Array(0) });
    await text(put);
    expect(put.headers.get("etag")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    const get = await swift("GET", `${C}/empty`);
    expect(await text(get)).toBe("");
    expect(get.headers.get("content-length")).toBe("0");
  });
});

describe("object PUT with chunked transfer encoding", () => {
  it("stores a small chunked body (one R2 put) with its MD5 as ETag", async ({ expect }) => {
    const data = bytes("chunked body of unknown length");
    const response = await swift("PUT", `${C}/chunked-small`, { body: streamOf(data, 7) });
    await text(response);
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe(await md5(data));
    expect(await text(await swift("GET", `${C}/chunked-small`))).toBe("chunked body of unknown length");
  });

  it("stores a chunked body larger than one part through R2 multipart uploads, byte for byte", async ({ expect }) => {
    const data = new Uint8Array(12 * 1024 * 1024 + 12345);
    for (let i = 0; i < data.length; i += 65536)
      crypto.getRandomValues(data.subarray(i, Math.min(i + 65536, data.length)));
    const response = await swift("PUT", `${C}/chunked-large`, { body: streamOf(data) });
    await text(response);
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe(await md5(data));
    const get = await swift("GET", `${C}/chunked-large`);
    const back = new Uint8Array(await get.arrayBuffer());
    expect(back.length).toBe(data.length);
    expect(await md5(back)).toBe(await md5(data));
    expect(get.headers.get("etag")).toBe(await md5(data));
  });

  it("a chunked body whose MD5 does not match the client's ETag returns 422", async ({ expect }) => {
    const response = await swift("PUT", `${C}/chunked-etag`, {
      body: streamOf(bytes("abc")),
      headers: { ETag: "00000000000000000000000000000000" },
    });
    await text(response);
    expect(response.status).toBe(422);
  });
});

describe("object GET and HEAD", () => {
  it(
    "GET returns the body with Content-Length, Content-Type, ETag, " + "Last-Modified, X-Timestamp and Accept-Ranges",
    async ({ expect }) => {
      await text(await swift("PUT", `${C}/get-headers.txt`, { body: bytes("hello") }));
      const get = await swift("GET", `${C}/get-headers.txt`);
      expect(await text(get)).toBe("hello");
      expect(get.status).toBe(200);
      expect(get.headers.get("content-length")).toBe("5");
      expect(get.headers.get("content-type")).toBe("text/plain");
      expect(get.headers.get("etag")).toBe("5d41402abc4b2a76b9719d911017c592");
      expect(get.headers.get("accept-ranges")).toBe("bytes");
      const timestamp = Number(get.headers.get("x-timestamp"));
      expect(get.headers.get("last-modified")).toBe(new Date(Math.ceil(timestamp) * 1000).toUTCString());
    },
  );

  it("HEAD returns the same headers and no body", async ({ expect }) => {
    await text(await swift("PUT", `${C}/head-me`, { body: bytes("12345678") }));
    const head = await swift("HEAD", `${C}/head-me`);
    expect(await text(head)).toBe("");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("8");
  });

  it("GET and HEAD of a missing object return 404", async ({ expect }) => {
    for (const method of ["GET", "HEAD"]) {
      const response = await swift(method, `${C}/missing`);
      await text(response);
      expect(response.status).toBe(404);
    }
  });

  it("X-Newest: true reads every replica and serves the object", async ({ expect }) => {
    await text(await swift("PUT", `${C}/newest`, { body: bytes("n") }));
    const get = await swift("GET", `${C}/newest`, { headers: { "X-Newest": "true" } });
    expect(await text(get)).toBe("n");
  });
});

describe("conditional GET", () => {
  beforeAll(async () => {
    await text(await swift("PUT", `${C}/cond`, { body: bytes("hello") }));
  });
  const etag = "5d41402abc4b2a76b9719d911017c592";

  it("If-Match with the ETag serves 200; with another ETag returns 412", async ({ expect }) => {
    const ok = await swift("GET", `${C}/cond`, { headers: { "If-Match": `"${etag}"` } });
    expect(await text(ok)).toBe("hello");
    const bad = await swift("GET", `${C}/cond`, { headers: { "If-Match": '"nope"' } });
    await text(bad);
    expect(bad.status).toBe(412);
  });

  it("If-Match: * on a missing object returns 412", async ({ expect }) => {
    const response = await swift("GET", `${C}/cond-missing`, { headers: { "If-Match": "*" } });
    await text(response);
    expect(response.status).toBe(412);
  });

  it("If-None-Match with the ETag returns 304 with the ETag; with another serves 200", async ({ expect }) => {
    const notModified = await swift("GET", `${C}/cond`, { headers: { "If-None-Match": etag } });
    expect(await text(notModified)).toBe("");
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("etag")).toBe(etag);
    const ok = await swift("GET", `${C}/cond`, { headers: { "If-None-Match": '"other"' } });
    expect(await text(ok)).toBe("hello");
  });

  it("If-Modified-Since at or after Last-Modified returns 304; before serves 200", async ({ expect }) => {
    const head = await swift("HEAD", `${C}/cond`);
    await text(head);
    const lastModified = head.headers.get("last-modified") ?? "";
    const notModified = await swift("GET", `${C}/cond`, { headers: { "If-Modified-Since": lastModified } });
    await text(notModified);
    expect(notModified.status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 10_000).toUTCString();
    const modified = await swift("GET", `${C}/cond`, { headers: { "If-Modified-Since": earlier } });
    expect(await text(modified)).toBe("hello");
  });

  it("If-Unmodified-Since before Last-Modified returns 412; at or after serves 200", async ({ expect }) => {
    const head = await swift("HEAD", `${C}/cond`);
    await text(head);
    const lastModified = head.headers.get("last-modified") ?? "";
    const earlier = new Date(Date.parse(lastModified) - 10_000).toUTCString();
    const failed = await swift("GET", `${C}/cond`, { headers: { "If-Unmodified-Since": earlier } });
    await text(failed);
    expect(failed.status).toBe(412);
    const ok = await swift("GET", `${C}/cond`, { headers: { "If-Unmodified-Since": lastModified } });
    expect(await text(ok)).toBe("hello");
  });
});

describe("ranged GET", () => {
  beforeAll(async () => {
    await text(
      await swift("PUT", `${C}/ranged`, {
        body: bytes("0123456789abcdefghij"),
        headers: { "Content-Type": "text/plain" },
      }),
    );
  });

  it("a single range returns 206 with Content-Range and the bytes", async ({ expect }) => {
    const cases: [string, string, string][] = [
      ["bytes=0-4", "01234", "bytes 0-4/20"],
      ["bytes=15-", "fghij", "bytes 15-19/20"],
      ["bytes=-3", "hij", "bytes 17-19/20"],
      ["bytes=18-100", "ij", "bytes 18-19/20"],
      ["bytes = 2-3", "23", "bytes 2-3/20"],
    ];
    for (const [range, body, contentRange] of cases) {
      const response = await swift("GET", `${C}/ranged`, { headers: { Range: range } });
      expect(await text(response), range).toBe(body);
      expect(response.status).toBe(206);
      expect(response.headers.get("content-range")).toBe(contentRange);
      expect(response.headers.get("content-length")).toBe(String(body.length));
    }
  });

  it(
    "a range's last byte is length - 1: bytes=0-18 leaves the last byte out, " +
      "0-19, 0-20 and 0-21 return the whole body as 206 bytes 0-19/20, " +
      "and suffixes -1, -19, -20, -21 end at the last byte",
    async ({ expect }) => {
      const cases: [string, string, string][] = [
        ["bytes=0-18", "0123456789abcdefghi", "bytes 0-18/20"],
        ["bytes=0-19", "0123456789abcdefghij", "bytes 0-19/20"],
        ["bytes=0-20", "0123456789abcdefghij", "bytes 0-19/20"],
        ["bytes=0-21", "0123456789abcdefghij", "bytes 0-19/20"],
        ["bytes=19-19", "j", "bytes 19-19/20"],
        ["bytes=19-", "j", "bytes 19-19/20"],
        ["bytes=-1", "j", "bytes 19-19/20"],
        ["bytes=-19", "123456789abcdefghij", "bytes 1-19/20"],
        ["bytes=-20", "0123456789abcdefghij", "bytes 0-19/20"],
        ["bytes=-21", "0123456789abcdefghij", "bytes 0-19/20"],
      ];
      for (const [range, body, contentRange] of cases) {
        const response = await swift("GET", `${C}/ranged`, { headers: { Range: range } });
        expect(await text(response), range).toBe(body);
        expect(response.status, range).toBe(206);
        expect(response.headers.get("content-range"), range).toBe(contentRange);
        expect(response.headers.get("content-length"), range).toBe(String(body.length));
      }
    },
  );

  it(
    "a range starting at the object's length, or a suffix of zero bytes, " +
      "returns 416 with Content-Range bytes */20",
    async ({ expect }) => {
      for (const range of ["bytes=20-20", "bytes=20-", "bytes=20-25", "bytes=-0"]) {
        const response = await swift("GET", `${C}/ranged`, { headers: { Range: range } });
        await text(response);
        expect(response.status, range).toBe(416);
        expect(response.headers.get("content-range"), range).toBe("bytes */20");
      }
    },
  );

  it("several ranges return 206 multipart/byteranges with one part per range", async ({ expect }) => {
    const response = await swift("GET", `${C}/ranged`, { headers: { Range: "bytes=0-1,5-6" } });
    const body = await text(response);
    expect(response.status).toBe(206);
    const type = response.headers.get("content-type") ?? "";
    const boundary = /^multipart\/byteranges;boundary=(\w+)$/.exec(type)?.[1];
    expect(boundary).toBeTruthy();
    expect(body).toBe(
      `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/20\r\n\r\n01\r\n` +
        `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-6/20\r\n\r\n56\r\n--${boundary}--`,
    );
    expect(Number(response.headers.get("content-length"))).toBe(new TextEncoder().encode(body).length);
  });

  it("an unsatisfiable range returns 416 with Content-Range bytes */length", async ({ expect }) => {
    const response = await swift("GET", `${C}/ranged`, { headers: { Range: "bytes=30-40" } });
    await text(response);
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe("bytes */20");
  });

  it("more than 50 ranges, or more than two overlapping ones, return 416", async ({ expect }) => {
    const many = `bytes=${Array.from({ length: 51 }, (_, i) => `${i % 20}-${i % 20}`).join(",")}`;
    const overlapping = "bytes=0-5,1-6,2-7,3-8";
    for (const range of [many, overlapping]) {
      const response = await swift("GET", `${C}/ranged`, { headers: { Range: range } });
      await text(response);
      expect(response.status).toBe(416);
    }
  });

  it("a malformed Range header is ignored: 200 with the whole body", async ({ expect }) => {
    for (const range of ["bytes=5-2", "pages=1-2", "bytes=abc", "bytes=-"]) {
      const response = await swift("GET", `${C}/ranged`, { headers: { Range: range } });
      expect(await text(response), range).toBe("0123456789abcdefghij");
      expect(response.status).toBe(200);
    }
  });
});

describe("object POST", () => {
  it("replaces all X-Object-Meta-* (202) and keeps the body", async ({ expect }) => {
    await text(
      await swift("PUT", `${C}/posted`, {
        body: bytes("body"),
        headers: { "X-Object-Meta-A": "1", "X-Object-Meta-B": "2" },
      }),
    );
    const post = await swift("POST", `${C}/posted`, { headers: { "X-Object-Meta-C": "3" } });
    expect(await text(post)).toBe("<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>");
    expect(post.status).toBe(202);
    const get = await swift("GET", `${C}/posted`);
    expect(await text(get)).toBe("body");
    expect(get.headers.get("x-object-meta-a")).toBeNull();
    expect(get.headers.get("x-object-meta-b")).toBeNull();
    expect(get.headers.get("x-object-meta-c")).toBe("3");
  });

  it("may change Content-Type, which the container listing then shows", async ({ expect }) => {
    await text(await swift("PUT", `${C}/retyped`, { body: bytes("x"), headers: { "Content-Type": "text/plain" } }));
    await text(await swift("POST", `${C}/retyped`, { headers: { "Content-Type": "application/x-new" } }));
    const head = await swift("HEAD", `${C}/retyped`);
    await text(head);
    expect(head.headers.get("content-type")).toBe("application/x-new");
    const listing = JSON.parse(await text(await swift("GET", "/AUTH_test/objects?format=json&prefix=retyped"))) as {
      content_type: string;
    }[];
    expect(listing[0]?.content_type).toBe("application/x-new");
  });

  it("to a missing object returns 404", async ({ expect }) => {
    const response = await swift("POST", `${C}/never-there`, { headers: { "X-Object-Meta-A": "1" } });
    await text(response);
    expect(response.status).toBe(404);
  });

  it("with too much metadata returns 400 and changes nothing", async ({ expect }) => {
    await text(await swift("PUT", `${C}/post-bad`, { body: bytes("x"), headers: { "X-Object-Meta-Keep": "yes" } }));
    const headers = Object.fromEntries(Array.from({ length: 91 }, (_, i) => [`X-Object-Meta-K${i}`, "v"]));
    const response = await swift("POST", `${C}/post-bad`, { headers });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("Too many metadata items; max 90");
    const head = await swift("HEAD", `${C}/post-bad`);
    await text(head);
    expect(head.headers.get("x-object-meta-keep")).toBe("yes");
  });
});

describe("object DELETE", () => {
  it("returns 204, then the object is 404 and gone from the listing and the counts", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/deletes"));
    await text(await swift("PUT", "/AUTH_test/deletes/o", { body: bytes("12345") }));
    const deleted = await swift("DELETE", "/AUTH_test/deletes/o");
    await text(deleted);
    expect(deleted.status).toBe(204);
    const get = await swift("GET", "/AUTH_test/deletes/o");
    await text(get);
    expect(get.status).toBe(404);
    const listing = await swift("GET", "/AUTH_test/deletes");
    expect(await text(listing)).toBe("");
    expect(listing.status).toBe(204);
    expect(listing.headers.get("x-container-object-count")).toBe("0");
    expect(listing.headers.get("x-container-bytes-used")).toBe("0");
  });

  it("of a missing object returns 404", async ({ expect }) => {
    const response = await swift("DELETE", `${C}/never-existed`);
    await text(response);
    expect(response.status).toBe(404);
  });
});

describe("expiring objects", () => {
  it("X-Delete-After sets X-Delete-At on the object", async ({ expect }) => {
    const before = Math.floor(Date.now() / 1000);
    await text(await swift("PUT", `${C}/expires`, { body: bytes("x"), headers: { "X-Delete-After": "3600" } }));
    const head = await swift("HEAD", `${C}/expires`);
    await text(head);
    const deleteAt = Number(head.headers.get("x-delete-at"));
    expect(deleteAt).toBeGreaterThanOrEqual(before + 3600);
    expect(deleteAt).toBeLessThanOrEqual(before + 3602);
  });

  it("non-integer X-Delete-At/After and times in the past return 400 with Swift's messages", async ({ expect }) => {
    const cases: [Record<string, string>, string][] = [
      [{ "X-Delete-At": "soon" }, "Non-integer X-Delete-At"],
      [{ "X-Delete-After": "soon" }, "Non-integer X-Delete-After"],
      [{ "X-Delete-At": "1000" }, "X-Delete-At in past"],
      [{ "X-Delete-After": "-5" }, "X-Delete-After in past"],
    ];
    for (const [headers, message] of cases) {
      const response = await swift("PUT", `${C}/expires-bad`, { body: bytes("x"), headers });
      expect(response.status).toBe(400);
      expect(await text(response)).toBe(message);
    }
  });

  it("X-Delete-At that is not an integer, and times not after now, return 400 as Python's int() reads them", async ({
    expect,
  }) => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, string>, string][] = [
      [{ "X-Delete-At": String(now + 3600) + ".5" }, "Non-integer X-Delete-At"],
      [{ "X-Delete-At": "1e10" }, "Non-integer X-Delete-At"],
      [{ "X-Delete-At": "" }, "Non-integer X-Delete-At"],
      [{ "X-Delete-At": "-99999999999999999999" }, "X-Delete-At in past"],
      [{ "X-Delete-After": "0" }, "X-Delete-After in past"],
      [{ "X-Delete-After": "1.5" }, "Non-integer X-Delete-After"],
    ];
    for (const [headers, message] of cases) {
      const response = await swift("PUT", `${C}/expires-bad`, { body: bytes("x"), headers });
      expect(response.status, JSON.stringify(headers)).toBe(400);
      expect(await text(response)).toBe(message);
    }
    const spaced = await swift("PUT", `${C}/expires-spaced`, {
      body: bytes("x"),
      headers: { "X-Delete-At": ` +${now + 3600} ` },
    });
    expect(spaced.status).toBe(201);
    await text(spaced);
    const head = await swift("HEAD", `${C}/expires-spaced`);
    await text(head);
    expect(head.headers.get("x-delete-at")).toBe(String(now + 3600));
  });

  it(
    "X-Delete-At or X-Delete-After past November 2286 is stored as 9999999999, as Swift caps it, " +
      "and the replicas' alarms still run",
    async ({ expect }) => {
      const cases: [string, Record<string, string>][] = [
        ["PUT", { "X-Delete-At": "99999999999999999999" }],
        ["PUT", { "X-Delete-At": "1".repeat(100) }],
        ["PUT", { "X-Delete-After": "99999999999999999999" }],
        ["POST", { "X-Delete-At": "99999999999999999999" }],
        ["POST", { "X-Delete-After": "9".repeat(100) }],
      ];
      for (const [method, headers] of cases) {
        const write = await swift(method, `${C}/far-future`, { body: method === "PUT" ? bytes("x") : null, headers });
        await text(write);
        expect(write.status, `${method} ${JSON.stringify(headers)}`).toBe(method === "PUT" ? 201 : 202);
        const head = await swift("HEAD", `${C}/far-future`);
        await text(head);
        expect(head.status).toBe(200);
        expect(head.headers.get("x-delete-at")).toBe("9999999999");
      }
      const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });
      const partition = rings.object.partitionFor("AUTH_test", "objects", "far-future");
      for (const zone of rings.object.primaryZones(partition)) {
        const stub = env.OBJECT_REPLICA.getByName(`object/${partition}/${zone.id}`);
        expect((await stub.getObject("AUTH_test/objects/far-future")).value?.deleteAt).toBe(9_999_999_999);
        // Each alarm sets the next: the row still waits for its X-Delete-At, so there is always
        // one, at a time workerd accepts (a setAlarm past 2262 is refused and the alarm is lost).
        for (let round = 0; round < 4; round += 1) {
          await runDurableObjectAlarm(stub);
          const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
          expect(alarm, `alarm of ${zone.id} after run ${round}`).not.toBeNull();
          expect(alarm ?? 0).toBeLessThanOrEqual(ALARM_AT_MAX_MS);
        }
        expect((await stub.getObject("AUTH_test/objects/far-future")).value?.deleteAt).toBe(9_999_999_999);
      }
      const get = await swift("GET", `${C}/far-future`);
      expect(await text(get)).toBe("x");
    },
  );
});

describe("object DELETE with X-If-Delete-At", () => {
  const at = Math.floor(Date.now() / 1000) + 86_400;

  async function expiring(name: string): Promise<void> {
    await text(await swift("PUT", `${C}/${name}`, { body: bytes("x"), headers: { "X-Delete-At": String(at) } }));
  }

  async function status(method: string, name: string, headers: Record<string, string> = {}): Promise<number> {
    const response = await swift(method, `${C}/${name}`, { headers });
    await text(response);
    return response.status;
  }

  it("with a malformed value returns 400 'Bad X-If-Delete-At header value' and keeps the object", async ({
    expect,
  }) => {
    await expiring("if-delete-bad");
    for (const value of ["bad", "", "-1", "10000000000", "1e400", "nan", "12_zz"]) {
      const response = await swift("DELETE", `${C}/if-delete-bad`, { headers: { "X-If-Delete-At": value } });
      expect(response.status, value).toBe(400);
      expect(await text(response)).toBe("Bad X-If-Delete-At header value");
    }
    expect(await status("HEAD", "if-delete-bad")).toBe(200);
    // Swift: test_object.py test_delete_if_delete_at_bad — 400 even when there is no object.
    expect(await status("DELETE", "if-delete-never-existed", { "X-If-Delete-At": "bad" })).toBe(400);
  });

  it("that is not the object's X-Delete-At returns 412 and keeps the object", async ({ expect }) => {
    await expiring("if-delete-other");
    const response = await swift("DELETE", `${C}/if-delete-other`, { headers: { "X-If-Delete-At": String(at + 1) } });
    expect(response.status).toBe(412);
    expect(await text(response)).toBe("X-If-Delete-At and X-Delete-At do not match");
    expect(await status("HEAD", "if-delete-other")).toBe(200);
    await text(await swift("PUT", `${C}/if-delete-plain`, { body: bytes("x") }));
    expect(await status("DELETE", "if-delete-plain", { "X-If-Delete-At": String(at) })).toBe(412);
    expect(await status("HEAD", "if-delete-plain")).toBe(200);
  });

  it("equal to the object's X-Delete-At returns 204 and deletes it; of a missing object returns 404", async ({
    expect,
  }) => {
    await expiring("if-delete-match");
    expect(await status("DELETE", "if-delete-match", { "X-If-Delete-At": `${at}.00000` })).toBe(204);
    expect(await status("HEAD", "if-delete-match")).toBe(404);
    expect(await status("DELETE", "if-delete-match", { "X-If-Delete-At": String(at) })).toBe(404);
    // An object without X-Delete-At has 0 (Swift compares Timestamp(X-Delete-At or 0)).
    await text(await swift("PUT", `${C}/if-delete-zero`, { body: bytes("x") }));
    expect(await status("DELETE", "if-delete-zero", { "X-If-Delete-At": "0" })).toBe(204);
  });
});
