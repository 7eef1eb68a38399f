import { beforeAll, describe, it } from "vitest";
import { exports } from "cloudflare:workers";
import { BASE, swift, text } from "../../helpers";

const C = "/AUTH_test/slo";
const bytes = (s: string) => new TextEncoder().encode(s);
const json = (value: unknown) => bytes(JSON.stringify(value));

async function md5(data: Uint8Array | string): Promise<string> {
  const input = typeof data === "string" ? bytes(data) : data;
  return [...new Uint8Array(await crypto.subtle.digest("MD5", input))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** PUTs a manifest and returns the response, body consumed. */
async function putManifest(
  name: string,
  manifest: unknown,
  headers: Record<string, string> = {},
): Promise<{ response: Response; body: string }> {
  const response = await swift("PUT", `${C}/${name}?multipart-manifest=put`, { body: json(manifest), headers });
  return { response, body: await text(response) };
}

const A = "aaaaa"; // seg-a
const B = "bbbbbbb"; // seg-b
const D = "ddd"; // seg-d

beforeAll(async () => {
  await text(await swift("PUT", C));
  await text(await swift("PUT", "/AUTH_test/slo-other"));
  await text(await swift("PUT", `${C}/seg-a`, { body: bytes(A) }));
  await text(await swift("PUT", `${C}/seg-b`, { body: bytes(B) }));
  await text(
    await swift("PUT", `${C}/seg-d`, { body: bytes(D), headers: { "Content-Type": "text/plain; charset=utf-8" } }),
  );
  await text(await swift("PUT", "/AUTH_test/slo-other/seg-o", { body: bytes("ooo") }));
  const { response } = await putManifest(
    "two",
    [
      { path: "/slo/seg-a", etag: await md5(A), size_bytes: 5 },
      { path: "slo/seg-b", etag: null, size_bytes: null },
    ],
    { "Content-Type": "text/x-large", "X-Object-Meta-Color": "blue" },
  );
  if (response.status !== 201) throw new Error(`manifest two: ${response.status}`);
});

describe("/info", () => {
  it("publishes the slo section with Swift's limits and allow_async_delete", async ({ expect }) => {
    const info = await (await exports.default.fetch(`${BASE}/info`)).json<Record<string, unknown>>();
    expect(info.slo).toEqual({
      max_manifest_segments: 1000,
      max_manifest_size: 8388608,
      yield_frequency: 10,
      min_segment_size: 1,
      allow_async_delete: true,
    });
  });
});

describe("SLO manifest PUT", () => {
  it("returns 201 with the quoted md5 of the segments' etags as ETag", async ({ expect }) => {
    const { response } = await putManifest("put-ok", [{ path: "/slo/seg-a" }, { path: "/slo/seg-b" }]);
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe(`"${await md5((await md5(A)) + (await md5(B)))}"`);
    expect(response.headers.get("last-modified")).toMatch(/GMT$/);
  });

  it("of an empty list stores an empty large object", async ({ expect }) => {
    const { response } = await putManifest("put-empty", []);
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe(`"${await md5("")}"`);
    const get = await swift("GET", `${C}/put-empty`);
    expect(await text(get)).toBe("");
    expect(get.headers.get("content-length")).toBe("0");
  });

  it("with the client's ETag equal to the large object's (quoted or not) returns 201", async ({ expect }) => {
    const etag = await md5(await md5(A));
    for (const sent of [etag, `"${etag}"`]) {
      const { response } = await putManifest("put-etag-ok", [{ path: "/slo/seg-a" }], { ETag: sent });
      expect(response.status).toBe(201);
    }
  });

  it("with an ETag that is not the large object's returns 422 and stores nothing", async ({ expect }) => {
    const { response } = await putManifest("put-etag-bad", [{ path: "/slo/seg-a" }], {
      ETag: "0123456789abcdef0123456789abcdef",
    });
    expect(response.status).toBe(422);
    const head = await swift("HEAD", `${C}/put-etag-bad`);
    await text(head);
    expect(head.status).toBe(404);
  });

  it("that is not JSON returns 400 'Manifest must be valid JSON.'", async ({ expect }) => {
    const response = await swift("PUT", `${C}/bad?multipart-manifest=put`, { body: bytes("nojson") });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("Manifest must be valid JSON.\n");
  });

  it("that is not a list returns 400 'Manifest must be a list.'", async ({ expect }) => {
    const { response, body } = await putManifest("bad", { path: "/slo/seg-a" });
    expect(response.status).toBe(400);
    expect(body).toBe("Manifest must be a list.\n");
  });

  it("with malformed segments returns 400 with one 'Index N: …' line per bad segment, as text/plain", async ({
    expect,
  }) => {
    const { response, body } = await putManifest("bad", [
      1,
      { foo: 1 },
      { path: "x" },
      { path: "/a/b", bogus: 1, zz: 2 },
      { path: 5 },
      { path: "/a/b", etag: 5 },
      { path: "/a/b", size_bytes: "x" },
      { path: "/a/b", size_bytes: 0 },
      { path: "/slo/bad" },
      { path: "/a/b", range: "x" },
      { path: "/a/b", range: "1-2,4-5" },
      { path: "/a/b", range: "5-", size_bytes: 3 },
      { data: "!!" },
      { data: "" },
      { data: "YWJj", path: "/a/b" },
      { path: "/a/b" },
    ]);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(body).toBe(
      [
        "Index 0: not a JSON object",
        "Index 1: expected keys to include one of 'data' or 'path'",
        "Index 2: path does not refer to an object. Path must be of the form /container/object.",
        'Index 3: extraneous keys "bogus", "zz"',
        'Index 4: "path" must be a string',
        'Index 5: "etag" must be a string or null (if provided)',
        "Index 6: invalid size_bytes",
        "Index 7: too small; each segment must be at least 1 byte.",
        "Index 8: manifest must not include itself as a segment",
        "Index 9: invalid range",
        "Index 10: multiple ranges (only one allowed)",
        "Index 11: unsatisfiable range",
        "Index 12: data must be valid base64",
        "Index 13: too small; each segment must be at least 1 byte.",
        'Index 14: extraneous keys "path"',
        "",
      ].join("\n"),
    );
  });

  it("of inline data segments only returns 400", async ({ expect }) => {
    const { response, body } = await putManifest("bad", [{ data: "YWJj" }]);
    expect(response.status).toBe(400);
    expect(body).toBe("Inline data segments require at least one object-backed segment.\n");
  });

  it("whose segments are missing or differ returns 400 with Swift's 'Errors:' report", async ({ expect }) => {
    const { response, body } = await putManifest("bad", [
      { path: "/slo/seg-a", etag: "x", size_bytes: 4 },
      { path: "/slo/nope" },
      { path: "/slo/seg-b", range: "10-20" },
      { path: "/slo/seg-d" },
    ]);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(body).toBe(
      "Errors:\n/slo/seg-a, Size Mismatch\n/slo/seg-a, Etag Mismatch\n" +
        "/slo/nope, 404 Not Found\n/slo/seg-b, Unsatisfiable Range\n",
    );
  });

  it("whose segments are bad reports them as JSON or XML after Accept", async ({ expect }) => {
    const manifest = [{ path: "/slo/seg-a", etag: "x" }, { path: "/slo/nope" }];
    const asJson = await putManifest("bad", manifest, { Accept: "application/json" });
    expect(asJson.response.status).toBe(400);
    expect(asJson.response.headers.get("content-type")).toBe("application/json");
    expect(asJson.body).toBe('{"Errors": [["/slo/seg-a", "Etag Mismatch"], ["/slo/nope", "404 Not Found"]]}');
    const asXml = await putManifest("bad", manifest, { Accept: "application/xml" });
    expect(asXml.response.headers.get("content-type")).toBe("application/xml");
    expect(asXml.body).toBe(
      "<upload>\n<errors>\n<object><name>/slo/seg-a</name><status>Etag Mismatch</status></object>\n" +
        "<object><name>/slo/nope</name><status>404 Not Found</status></object>\n</errors>\n</upload>\n",
    );
  });

  it(
    "size_bytes of a ranged segment is checked against the segment's size, not the range's length " +
      "(Swift: validate_seg_dict)",
    async ({ expect }) => {
      const whole = await putManifest("ranged-size", [
        { path: "/slo/seg-b", range: "1-3", size_bytes: B.length },
        { path: "/slo/seg-a", range: "-2", size_bytes: A.length },
      ]);
      expect(whole.response.status, whole.body).toBe(201);
      expect(await text(await swift("GET", `${C}/ranged-size`))).toBe("bbbaa");
      const ranged = await putManifest("bad", [{ path: "/slo/seg-b", range: "1-3", size_bytes: 3 }]);
      expect(ranged.response.status).toBe(400);
      expect(ranged.body).toBe("Errors:\n/slo/seg-b, Size Mismatch\n");
    },
  );

  it("with a zero-byte segment before the last returns 400 'Too small'", async ({ expect }) => {
    await text(await swift("PUT", `${C}/empty-seg`, { body: bytes("") }));
    const { response, body } = await putManifest("bad", [{ path: "/slo/empty-seg" }, { path: "/slo/seg-a" }]);
    expect(response.status).toBe(400);
    expect(body).toBe("Errors:\n/slo/empty-seg, Too small; each segment must be at least 1 byte.\n");
  });

  it("with more than 1000 object segments returns 413", async ({ expect }) => {
    const { response, body } = await putManifest(
      "bad",
      Array.from({ length: 1001 }, () => ({ path: "/slo/seg-a" })),
    );
    expect(response.status).toBe(413);
    expect(body).toBe("Number of object-backed segments must be <= 1000");
  });

  it("larger than 8 MiB returns 413", async ({ expect }) => {
    const response = await swift("PUT", `${C}/bad?multipart-manifest=put`, {
      body: new Uint8Array(8 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await text(response)).toBe("Manifest File > 8388608 bytes");
  });

  it("without a body or Content-Length returns 411", async ({ expect }) => {
    const response = await swift("PUT", `${C}/bad?multipart-manifest=put`);
    await text(response);
    expect(response.status).toBe(411);
  });

  it("with X-Copy-From returns 405", async ({ expect }) => {
    const response = await swift("PUT", `${C}/bad?multipart-manifest=put`, {
      headers: { "X-Copy-From": "slo/two", "Content-Length": "0" },
    });
    expect(response.status).toBe(405);
    expect(await text(response)).toBe("Multipart Manifest PUTs cannot be COPY requests");
  });

  it("with heartbeat=on answers 202 at once and reports the 201 in the body", async ({ expect }) => {
    const response = await swift("PUT", `${C}/heartbeat?multipart-manifest=put&heartbeat=on`, {
      body: json([{ path: "/slo/seg-a" }]),
    });
    const body = await text(response);
    expect(response.status).toBe(202);
    expect(response.headers.get("content-type")).toBe("text/plain");
    const etag = `"${await md5(await md5(A))}"`;
    expect(body).toMatch(
      new RegExp(
        `^ \\r\\n\\r\\nEtag: ${etag}\\nLast Modified: .+ GMT\\n` +
          `Response Body: \\nResponse Status: 201 Created\\nErrors:\\n$`,
      ),
    );
    const head = await swift("HEAD", `${C}/heartbeat`);
    await text(head);
    expect(head.headers.get("etag")).toBe(etag);
  });

  it("with heartbeat=on reports bad segments as 400 in the body, in JSON after Accept", async ({ expect }) => {
    const response = await swift("PUT", `${C}/heartbeat-bad?multipart-manifest=put&heartbeat=on`, {
      body: json([{ path: "/slo/nope" }]),
      headers: { Accept: "application/json" },
    });
    const body = await text(response);
    expect(response.status).toBe(202);
    expect(body.startsWith(" \r\n\r\n")).toBe(true);
    expect(JSON.parse(body)).toEqual({
      "Response Status": "400 Bad Request",
      "Response Body":
        "Bad Request\n" +
        "The server could not comply with the request since it is either malformed or otherwise incorrect.",
      Errors: [["/slo/nope", "404 Not Found"]],
    });
  });

  it("X-Static-Large-Object on a normal PUT or a POST returns 400", async ({ expect }) => {
    for (const method of ["PUT", "POST"]) {
      const response = await swift(method, `${C}/two`, {
        headers: { "X-Static-Large-Object": "True" },
        body: method === "PUT" ? bytes("x") : null,
      });
      expect(response.status).toBe(400);
      expect(await text(response)).toBe(
        "X-Static-Large-Object is a reserved header. " +
          "To create a static large object add query param multipart-manifest=put.",
      );
    }
  });
});

describe("SLO GET and HEAD", () => {
  it("GET returns the segments concatenated with the large object's headers", async ({ expect }) => {
    const response = await swift("GET", `${C}/two`);
    expect(await text(response)).toBe(A + B);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("12");
    expect(response.headers.get("etag")).toBe(`"${await md5((await md5(A)) + (await md5(B)))}"`);
    expect(response.headers.get("x-static-large-object")).toBe("True");
    expect(response.headers.get("x-manifest-etag")).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get("content-type")).toBe("text/x-large");
    expect(response.headers.get("x-object-meta-color")).toBe("blue");
  });

  it("HEAD returns the same headers and no body", async ({ expect }) => {
    const get = await swift("GET", `${C}/two`);
    await text(get);
    const head = await swift("HEAD", `${C}/two`);
    expect(await text(head)).toBe("");
    for (const name of ["content-length", "etag", "x-static-large-object", "x-manifest-etag", "content-type"]) {
      expect(head.headers.get(name)).toBe(get.headers.get(name));
    }
  });

  it("a Range across segments returns 206 with those bytes", async ({ expect }) => {
    const response = await swift("GET", `${C}/two`, { headers: { Range: "bytes=3-8" } });
    expect(await text(response)).toBe((A + B).slice(3, 9));
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe("bytes 3-8/12");
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it("a suffix Range returns the last bytes", async ({ expect }) => {
    const response = await swift("GET", `${C}/two`, { headers: { Range: "bytes=-4" } });
    expect(await text(response)).toBe("bbbb");
    expect(response.headers.get("content-range")).toBe("bytes 8-11/12");
  });

  it("several ranges return multipart/byteranges", async ({ expect }) => {
    const response = await swift("GET", `${C}/two`, { headers: { Range: "bytes=0-0,4-6" } });
    const body = await text(response);
    expect(response.status).toBe(206);
    const boundary = /boundary=([0-9a-f]+)$/.exec(response.headers.get("content-type") ?? "")?.[1] ?? "";
    expect(boundary).not.toBe("");
    expect(body).toBe(
      `--${boundary}\r\nContent-Type: text/x-large\r\nContent-Range: bytes 0-0/12\r\n\r\na\r\n` +
        `--${boundary}\r\nContent-Type: text/x-large\r\nContent-Range: bytes 4-6/12\r\n\r\nabb\r\n--${boundary}--`,
    );
    expect(response.headers.get("content-length")).toBe(String(bytes(body).length));
  });

  it("an unsatisfiable Range returns 416 with Content-Range bytes */total", async ({ expect }) => {
    const response = await swift("GET", `${C}/two`, { headers: { Range: "bytes=20-" } });
    await text(response);
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe("bytes */12");
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it("If-None-Match with the large object's ETag returns 304", async ({ expect }) => {
    const etag = `"${await md5((await md5(A)) + (await md5(B)))}"`;
    const response = await swift("GET", `${C}/two`, { headers: { "If-None-Match": etag } });
    expect(await text(response)).toBe("");
    expect(response.status).toBe(304);
    expect(response.headers.get("etag")).toBe(etag);
  });

  it("If-Match with the manifest's own ETag returns 412; with the large object's, 200", async ({ expect }) => {
    const head = await swift("HEAD", `${C}/two`);
    await text(head);
    const manifestEtag = head.headers.get("x-manifest-etag") ?? "";
    const refused = await swift("GET", `${C}/two`, { headers: { "If-Match": manifestEtag } });
    expect(await text(refused)).toBe("");
    expect(refused.status).toBe(412);
    const served = await swift("HEAD", `${C}/two`, { headers: { "If-Match": head.headers.get("etag") ?? "" } });
    await text(served);
    expect(served.status).toBe(200);
  });

  it("If-Modified-Since after Last-Modified returns 304", async ({ expect }) => {
    const response = await swift("GET", `${C}/two`, {
      headers: { "If-Modified-Since": new Date(Date.now() + 3600_000).toUTCString() },
    });
    await text(response);
    expect(response.status).toBe(304);
  });

  it("ranged segments, inline data and whole segments join in order, ETag over 'etag:range;' and data md5", async ({
    expect,
  }) => {
    const { response } = await putManifest("mixed", [
      { path: "/slo/seg-d" },
      { data: btoa("XYZ") },
      { path: "/slo/seg-a", range: "-2" },
    ]);
    expect(response.status).toBe(201);
    const expected = await md5((await md5(D)) + (await md5("XYZ")) + `${await md5(A)}:3-4;`);
    expect(response.headers.get("etag")).toBe(`"${expected}"`);
    const get = await swift("GET", `${C}/mixed`);
    expect(await text(get)).toBe("dddXYZaa");
    const ranged = await swift("GET", `${C}/mixed`, { headers: { Range: "bytes=1-4" } });
    expect(await text(ranged)).toBe("ddXY");
  });

  it("a manifest of manifests is followed to its leaf segments", async ({ expect }) => {
    const { response } = await putManifest("nested", [
      { path: "/slo/two" },
      { path: "/slo/mixed", range: "2-5" },
      { path: "/slo-other/seg-o" },
    ]);
    expect(response.status).toBe(201);
    const get = await swift("GET", `${C}/nested`);
    expect(await text(get)).toBe(`${A}${B}dXYZooo`);
    expect(get.headers.get("content-length")).toBe(String(12 + 4 + 3));
    const ranged = await swift("GET", `${C}/nested`, { headers: { Range: "bytes=10-14" } });
    expect(await text(ranged)).toBe("bbdXY");
    const manifest = await swift("GET", `${C}/nested?multipart-manifest=get`);
    const segments = JSON.parse(await text(manifest)) as Record<string, unknown>[];
    expect(segments.map((segment) => segment.sub_slo ?? false)).toEqual([true, true, false]);
    expect(segments[1]?.range).toBe("2-5");
  });

  it("GET and HEAD through a symlink to a manifest return the large object", async ({ expect }) => {
    await text(await swift("PUT", `${C}/link-to-two`, { body: bytes(""), headers: { "X-Symlink-Target": "slo/two" } }));
    const get = await swift("GET", `${C}/link-to-two`);
    expect(await text(get)).toBe(A + B);
    expect(get.status).toBe(200);
    expect(get.headers.get("etag")).toBe(`"${await md5((await md5(A)) + (await md5(B)))}"`);
    expect(get.headers.get("content-location")).toBe("/v1/AUTH_test/slo/two");
    const head = await swift("HEAD", `${C}/link-to-two`);
    await text(head);
    expect(head.headers.get("content-length")).toBe("12");
    const ranged = await swift("GET", `${C}/link-to-two`, { headers: { Range: "bytes=4-5" } });
    expect(await text(ranged)).toBe("ab");
  });

  it("GET of a manifest whose first segment is gone returns 409", async ({ expect }) => {
    await text(await swift("PUT", `${C}/gone-seg`, { body: bytes("gone") }));
    await putManifest("broken", [{ path: "/slo/gone-seg" }, { path: "/slo/seg-a" }]);
    await text(await swift("DELETE", `${C}/gone-seg`));
    const response = await swift("GET", `${C}/broken`);
    await text(response);
    expect(response.status).toBe(409);
  });

  it("GET of a manifest whose later segment changed ends the body early", async ({ expect }) => {
    await text(await swift("PUT", `${C}/changing`, { body: bytes("1234") }));
    await putManifest("broken-later", [{ path: "/slo/seg-a" }, { path: "/slo/changing" }]);
    await text(await swift("PUT", `${C}/changing`, { body: bytes("5678") }));
    const response = await swift("GET", `${C}/broken-later`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

describe("SLO ?multipart-manifest=get", () => {
  it("returns the stored manifest as JSON with name, hash, bytes, content_type, last_modified and range", async ({
    expect,
  }) => {
    const { response: put } = await putManifest("manifest-get", [
      { path: "/slo/seg-d" },
      { path: "slo/seg-b", range: "1-3" },
    ]);
    expect(put.status).toBe(201);
    const response = await swift("GET", `${C}/manifest-get?multipart-manifest=get`);
    const body = await text(response);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("x-static-large-object")).toBe("True");
    expect(response.headers.get("etag")).toBe(await md5(body));
    const lastModified = /"last_modified": "(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000)"/.exec(body)?.[1];
    expect(lastModified).toBeDefined();
    const segments = JSON.parse(body) as Record<string, unknown>[];
    expect(segments).toEqual([
      {
        name: "/slo/seg-d",
        bytes: 3,
        hash: await md5(D),
        content_type: "text/plain",
        last_modified: expect.any(String),
      },
      {
        name: "/slo/seg-b",
        bytes: 7,
        hash: await md5(B),
        content_type: "application/octet-stream",
        last_modified: expect.any(String),
        range: "1-3",
      },
    ]);
    expect(body.startsWith('[{"name": "/slo/seg-d", "bytes": 3, "hash": ')).toBe(true);
  });

  it("&format=raw returns the manifest as the client would send it, with the object's content type", async ({
    expect,
  }) => {
    const response = await swift("GET", `${C}/two?multipart-manifest=get&format=raw`);
    const body = await text(response);
    expect(body).toBe(
      `[{"etag": "${await md5(A)}", "path": "/slo/seg-a", "size_bytes": 5}, ` +
        `{"etag": "${await md5(B)}", "path": "/slo/seg-b", "size_bytes": 7}]`,
    );
    expect(response.headers.get("content-type")).toBe("text/x-large");
    expect(response.headers.get("etag")).toBe(await md5(body));
  });
});

describe("SLO in container listings", () => {
  it("lists a manifest with the large object's size, content type without swift_bytes, and slo_etag in JSON", async ({
    expect,
  }) => {
    const head = await swift("HEAD", `${C}/two`);
    await text(head);
    const listing = await swift("GET", `${C}?format=json&prefix=two`);
    const [entry] = JSON.parse(await text(listing)) as Record<string, unknown>[];
    expect(entry).toEqual({
      bytes: 12,
      hash: head.headers.get("x-manifest-etag"),
      name: "two",
      content_type: "text/x-large",
      last_modified: expect.any(String),
      slo_etag: head.headers.get("etag"),
    });
    const xml = await swift("GET", `${C}?format=xml&prefix=two`);
    const body = await text(xml);
    expect(body).toContain("<bytes>12</bytes><content_type>text/x-large</content_type>");
    expect(body).not.toContain("slo_etag");
  });

  it("counts only the manifest's own bytes in X-Container-Bytes-Used", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/slo-bytes"));
    await text(
      await swift("PUT", "/AUTH_test/slo-bytes/man?multipart-manifest=put", { body: json([{ path: "/slo/seg-a" }]) }),
    );
    const manifest = await swift("GET", "/AUTH_test/slo-bytes/man?multipart-manifest=get");
    const size = bytes(await text(manifest)).length;
    const head = await swift("HEAD", "/AUTH_test/slo-bytes");
    await text(head);
    expect(head.headers.get("x-container-bytes-used")).toBe(String(size));
  });
});

describe("SLO POST, COPY and plain DELETE", () => {
  it("POST of metadata and a new Content-Type keeps it a large object with its listed size", async ({ expect }) => {
    await putManifest("posted", [{ path: "/slo/seg-a" }, { path: "/slo/seg-b" }]);
    const post = await swift("POST", `${C}/posted`, {
      headers: { "X-Object-Meta-Shape": "round", "Content-Type": "text/x-new" },
    });
    await text(post);
    expect(post.status).toBe(202);
    const get = await swift("GET", `${C}/posted`);
    expect(await text(get)).toBe(A + B);
    expect(get.headers.get("x-static-large-object")).toBe("True");
    expect(get.headers.get("x-object-meta-shape")).toBe("round");
    expect(get.headers.get("content-type")).toBe("text/x-new");
    const listing = await swift("GET", `${C}?format=json&prefix=posted`);
    const [entry] = JSON.parse(await text(listing)) as { bytes: number; content_type: string }[];
    expect(entry).toMatchObject({ bytes: 12, content_type: "text/x-new", slo_etag: get.headers.get("etag") });
  });

  it("COPY of a manifest copies the large object's bytes into a plain object", async ({ expect }) => {
    const copy = await swift("COPY", `${C}/two`, { headers: { Destination: "slo-other/two-copy" } });
    await text(copy);
    expect(copy.status).toBe(201);
    expect(copy.headers.get("etag")).toBe(await md5(A + B));
    const get = await swift("GET", "/AUTH_test/slo-other/two-copy");
    expect(await text(get)).toBe(A + B);
    expect(get.headers.get("x-static-large-object")).toBeNull();
    expect(get.headers.get("x-object-meta-color")).toBe("blue");
  });

  it("COPY ?multipart-manifest=get copies the manifest itself", async ({ expect }) => {
    const copy = await swift("COPY", `${C}/two?multipart-manifest=get`, {
      headers: { Destination: "slo-other/two-manifest" },
    });
    await text(copy);
    expect(copy.status).toBe(201);
    const original = await swift("HEAD", `${C}/two`);
    await text(original);
    expect(copy.headers.get("etag")).toBe(original.headers.get("etag"));
    const get = await swift("GET", "/AUTH_test/slo-other/two-manifest");
    expect(await text(get)).toBe(A + B);
    expect(get.headers.get("x-static-large-object")).toBe("True");
    expect(get.headers.get("content-type")).toBe("text/x-large");
  });

  it("a plain DELETE removes the manifest and leaves the segments", async ({ expect }) => {
    await putManifest("plain-delete", [{ path: "/slo/seg-a" }]);
    const del = await swift("DELETE", `${C}/plain-delete`);
    await text(del);
    expect(del.status).toBe(204);
    const segment = await swift("HEAD", `${C}/seg-a`);
    await text(segment);
    expect(segment.status).toBe(200);
  });
});

describe("SLO DELETE ?multipart-manifest=delete", () => {
  it("deletes the segments, then the manifest, and reports it as bulk delete does", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/slo-del"));
    for (const name of ["s1", "s2"])
      await text(await swift("PUT", `/AUTH_test/slo-del/${name}`, { body: bytes(name) }));
    await text(
      await swift("PUT", "/AUTH_test/slo-del/man?multipart-manifest=put", {
        body: json([{ path: "/slo-del/s1" }, { path: "/slo-del/s2" }]),
      }),
    );
    const del = await swift("DELETE", "/AUTH_test/slo-del/man?multipart-manifest=delete");
    expect(await text(del)).toBe(
      "Number Deleted: 3\nNumber Not Found: 0\nResponse Body: \nResponse Status: 200 OK\nErrors:\n",
    );
    expect(del.status).toBe(200);
    expect(del.headers.get("content-type")).toBe("text/plain");
    const listing = await swift("GET", "/AUTH_test/slo-del?format=json");
    expect(JSON.parse(await text(listing))).toEqual([]);
  });

  it("reports segments already gone as not found, in JSON after Accept", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/slo-del/t1", { body: bytes("t1") }));
    await text(await swift("PUT", "/AUTH_test/slo-del/t2", { body: bytes("t2") }));
    await text(
      await swift("PUT", "/AUTH_test/slo-del/man2?multipart-manifest=put", {
        body: json([{ path: "/slo-del/t1" }, { path: "/slo-del/t2" }, { path: "/slo-del/t1" }]),
      }),
    );
    await text(await swift("DELETE", "/AUTH_test/slo-del/t2"));
    const del = await swift("DELETE", "/AUTH_test/slo-del/man2?multipart-manifest=delete", {
      headers: { Accept: "application/json" },
    });
    expect(JSON.parse(await text(del))).toEqual({
      "Response Status": "200 OK",
      "Response Body": "",
      "Number Deleted": 2,
      "Number Not Found": 2,
      Errors: [],
    });
    expect(del.headers.get("content-type")).toBe("application/json");
  });

  it("of an object that is not a manifest reports 400 Bad Request in the body", async ({ expect }) => {
    const del = await swift("DELETE", `${C}/seg-b?multipart-manifest=delete`);
    expect(await text(del)).toBe(
      "Number Deleted: 0\nNumber Not Found: 0\nResponse Body: \n" +
        "Response Status: 400 Bad Request\nErrors:\n/slo/seg-b, Not an SLO manifest\n",
    );
    expect(del.status).toBe(200);
    const still = await swift("HEAD", `${C}/seg-b`);
    await text(still);
    expect(still.status).toBe(200);
  });

  it("of a missing object reports it not found, in XML after Accept", async ({ expect }) => {
    const del = await swift("DELETE", `${C}/never-was?multipart-manifest=delete`, {
      headers: { Accept: "application/xml" },
    });
    expect(await text(del)).toBe(
      "<delete>\n<number_deleted>0</number_deleted>\n<number_not_found>1</number_not_found>\n" +
        "<response_body></response_body>\n<response_status>200 OK</response_status>\n" +
        "<errors>\n</errors>\n</delete>\n",
    );
  });
});

describe("SLO streaming", () => {
  const MiB = 1024 * 1024;

  function randomBytes(size: number, seed: number): Uint8Array {
    const data = new Uint8Array(size);
    let state = seed;
    for (let i = 0; i < size; i++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      data[i] = state >> 16;
    }
    return data;
  }

  it("an SLO of three 5 MiB segments reads back byte for byte, in chunks far smaller than a segment, " +
    "fetching segments only as the client reads", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/slo-big"));
    const segments = [randomBytes(5 * MiB + 1, 1), randomBytes(5 * MiB + 2, 2), randomBytes(5 * MiB + 3, 3)];
    const manifest = [];
    for (const [index, segment] of segments.entries()) {
      const put = await swift("PUT", `/AUTH_test/slo-big/part-${index}`, { body: segment });
      await text(put);
      manifest.push({ path: `/slo-big/part-${index}`, etag: put.headers.get("etag"), size_bytes: segment.length });
    }
    const put = await swift("PUT", "/AUTH_test/slo-big/large?multipart-manifest=put", { body: json(manifest) });
    await text(put);
    expect(put.status).toBe(201);
    const total = segments.reduce((sum, segment) => sum + segment.length, 0);

    const expected = new crypto.DigestStream("MD5");
    const expectedWriter = expected.getWriter();
    for (const segment of segments) await expectedWriter.write(segment);
    await expectedWriter.close();

    const response = await swift("GET", "/AUTH_test/slo-big/large");
    expect(response.headers.get("content-length")).toBe(String(total));
    const digest = new crypto.DigestStream("MD5");
    const writer = digest.getWriter();
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    let received = 0;
    let largestChunk = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      received += chunk.value.byteLength;
      largestChunk = Math.max(largestChunk, chunk.value.byteLength);
      await writer.write(chunk.value);
    }
    await writer.close();
    expect(received).toBe(total);
    expect(new Uint8Array(await digest.digest)).toEqual(new Uint8Array(await expected.digest));
    expect(largestChunk).toBeLessThan(MiB);

    // The last segment is opened only when the client has read up to it: replaced before then,
    // the body stops short instead of having been buffered whole.
    const lazy = await swift("GET", "/AUTH_test/slo-big/large");
    const lazyReader = lazy.body?.getReader();
    if (!lazyReader) throw new Error("no body");
    const first = await lazyReader.read();
    expect(first.done).toBe(false);
    await text(await swift("PUT", "/AUTH_test/slo-big/part-2", { body: bytes("replaced") }));
    let lazyReceived = first.value?.byteLength ?? 0;
    const drain = async (): Promise<void> => {
      for (let chunk = await lazyReader.read(); !chunk.done; chunk = await lazyReader.read())
        lazyReceived += chunk.value.byteLength;
    };
    await expect(drain()).rejects.toThrow();
    expect(lazyReceived).toBeLessThanOrEqual(total - (segments[2]?.length ?? 0));
  }, 120_000);
});
