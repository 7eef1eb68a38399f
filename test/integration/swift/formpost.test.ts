import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift, text, unique } from "../../helpers";

const ADMIN: [string, string] = ["admin:admin", "admin"];
const BOUNDARY = "----edgeswiftFormBoundary7MA4YWxkTrZu0gW";
const encoder = new TextEncoder();

type Hash = "SHA-1" | "SHA-256" | "SHA-512";

async function hmac(hash: Hash, key: string, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

interface Form {
  path: string;
  redirect?: string;
  maxFileSize?: number | string;
  maxFileCount?: number | string;
  expires?: number | string;
  key?: string;
  hash?: Hash;
  /** A signature to send instead of the computed one. */
  signature?: string;
  /** `sha512:` base64 form instead of hex. */
  base64?: boolean;
  fields?: [string, string][];
  files?: { filename: string; data: Uint8Array | string; type?: string }[];
  /** Parts sent as they are after the files: each one's header lines, blank line and data. */
  parts?: string[];
}

async function formBody(form: Form): Promise<Uint8Array> {
  const redirect = form.redirect ?? "";
  const maxFileSize = String(form.maxFileSize ?? 1024);
  const maxFileCount = String(form.maxFileCount ?? 10);
  const expires = String(form.expires ?? Math.floor(Date.now() / 1000) + 600);
  const digest = await hmac(
    form.hash ?? "SHA-256",
    form.key ?? "secret",
    `${form.path}\n${redirect}\n${maxFileSize}\n${maxFileCount}\n${expires}`,
  );
  const signature = form.signature ?? (form.base64 ? `sha512:${btoa(String.fromCharCode(...digest))}` : hex(digest));
  const fields: [string, string][] = [
    ["redirect", redirect],
    ["max_file_size", maxFileSize],
    ["max_file_count", maxFileCount],
    ["expires", expires],
    ["signature", signature],
    ...(form.fields ?? []),
  ];
  const chunks: Uint8Array[] = [];
  for (const [name, value] of fields)
    chunks.push(encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [index, file] of (form.files ?? []).entries()) {
    const type = file.type === undefined ? "" : `Content-Type: ${file.type}\r\n`;
    chunks.push(
      encoder.encode(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file${index}"; ` +
          `filename="${file.filename}"\r\n${type}\r\n`,
      ),
    );
    chunks.push(typeof file.data === "string" ? encoder.encode(file.data) : file.data);
    chunks.push(encoder.encode("\r\n"));
  }
  for (const part of form.parts ?? []) chunks.push(encoder.encode(`--${BOUNDARY}\r\n${part}\r\n`));
  chunks.push(encoder.encode(`--${BOUNDARY}--\r\n`));
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/** POSTs the form as a browser would: no token; a 303 is returned, not followed. */
async function post(form: Form, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${form.path}`, {
    method: "POST",
    body: await formBody(form),
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
    redirect: "manual",
  });
}

/** A new account with Temp-URL key "secret" and a container `c`. */
async function account(): Promise<string> {
  const name = `AUTH_${unique("fp")}`;
  const put = await swift("PUT", `/${name}`, { user: ADMIN, headers: { "X-Account-Meta-Temp-URL-Key": "secret" } });
  await text(put);
  if (put.status !== 201) throw new Error(`account PUT ${put.status}`);
  await text(
    await swift("PUT", `/${name}/c`, {
      user: ADMIN,
      headers: { "X-Container-Meta-Access-Control-Allow-Origin": "http://site.example" },
    }),
  );
  return name;
}

async function read(path: string): Promise<Response> {
  return swift("GET", path, { user: ADMIN });
}

describe("FormPOST", () => {
  it("stores each file under the form's path and answers the last status as text without a redirect", async ({
    expect,
  }) => {
    const name = await account();
    const response = await post({
      path: `/v1/${name}/c/uploads/`,
      files: [
        { filename: "a.txt", data: "alpha", type: "text/plain" },
        { filename: "b.bin", data: "beta" },
      ],
    });
    expect(await text(response)).toBe("201 Created");
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("text/plain");
    const a = await read(`/${name}/c/uploads/a.txt`);
    expect(await text(a)).toBe("alpha");
    expect(a.headers.get("content-type")).toBe("text/plain");
    expect(await text(await read(`/${name}/c/uploads/b.bin`))).toBe("beta");
  });

  it("with a redirect, answers 303 to redirect?status=…&message=… (& when it has a query)", async ({ expect }) => {
    const name = await account();
    const plain = await post({
      path: `/v1/${name}/c`,
      redirect: "https://site.example/done",
      files: [{ filename: "x.txt", data: "x" }],
    });
    expect(await text(plain)).toBe(
      '<html><body><p><a href="https://site.example/done?status=201&message=">' +
        "Click to continue...</a></p></body></html>",
    );
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe("https://site.example/done?status=201&message=");
    expect(plain.headers.get("content-type")).toBeNull();
    expect(await text(await read(`/${name}/c/x.txt`))).toBe("x");
    const withQuery = await post({
      path: `/v1/${name}/c`,
      redirect: "https://site.example/done?a=1",
      maxFileCount: 1,
      files: [
        { filename: "y", data: "y" },
        { filename: "z", data: "z" },
      ],
    });
    await text(withQuery);
    expect(withQuery.headers.get("location")).toBe(
      "https://site.example/done?a=1&status=400&message=max%20file%20count%20exceeded",
    );
  });

  it("a redirect or content-type holding CR or LF returns 400 FormPost: invalid … and stores nothing", async ({
    expect,
  }) => {
    const name = await account();
    const injected = await post({
      path: `/v1/${name}/c`,
      redirect: "https://site.example/done\r\nSet-Cookie: a=b",
      files: [{ filename: "r.txt", data: "r" }],
    });
    expect(injected.status).toBe(400);
    expect(await text(injected)).toBe("FormPost: invalid redirect");
    expect((await read(`/${name}/c/r.txt`)).status).toBe(404);
    const noFiles = await post({ path: `/v1/${name}/c`, redirect: "https://site.example/\ndone" });
    expect(noFiles.status).toBe(400);
    expect(await text(noFiles)).toBe("FormPost: invalid redirect");
    const type = await post({
      path: `/v1/${name}/c`,
      fields: [["content-type", "text/plain\r\nX-Object-Meta-A: b"]],
      files: [{ filename: "t.txt", data: "t" }],
    });
    expect(type.status).toBe(400);
    expect(await text(type)).toBe("FormPost: invalid content-type");
    expect((await read(`/${name}/c/t.txt`)).status).toBe(404);
  });

  it("a redirect outside ASCII is sent back in Location as its UTF-8 percent-escapes", async ({ expect }) => {
    const name = await account();
    const response = await post({
      path: `/v1/${name}/c`,
      redirect: "https://site.example/é",
      files: [{ filename: "u.txt", data: "u" }],
    });
    await text(response);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://site.example/%C3%A9?status=201&message=");
  });

  it("a path past the container without a trailing slash is a name prefix: /c/pre and file fix make c/prefix", async ({
    expect,
  }) => {
    const name = await account();
    expect(await text(await post({ path: `/v1/${name}/c/pre`, files: [{ filename: "fix", data: "1" }] }))).toBe(
      "201 Created",
    );
    expect(await text(await read(`/${name}/c/prefix`))).toBe("1");
  });

  it("a filename with ../ stays under the signed path: it never writes to another container or account", async ({
    expect,
  }) => {
    const name = await account();
    const victim = await account();
    await text(await swift("PUT", `/${victim}/c/secret.txt`, { user: ADMIN, body: "private" }));
    await text(await swift("PUT", `/${name}/other`, { user: ADMIN }));
    for (const filename of [`../../${victim}/c/secret.txt`, "../other/x"]) {
      expect(await text(await post({ path: `/v1/${name}/c`, files: [{ filename, data: "overwritten" }] }))).toBe(
        "201 Created",
      );
      expect(await text(await read(`/${name}/c/${encodeURIComponent(filename)}`))).toBe("overwritten");
    }
    expect(await text(await read(`/${victim}/c/secret.txt`))).toBe("private");
    const other = await read(`/${name}/other/x`);
    await text(other);
    expect(other.status).toBe(404);
    expect(
      await text(await post({ path: `/v1/${name}/c/uploads/`, files: [{ filename: "../../../x", data: "up" }] })),
    ).toBe("201 Created");
    expect(await text(await read(`/${name}/c/${encodeURIComponent("uploads/../../../x")}`))).toBe("up");
  });

  it("more files than max_file_count: 400 Max File Count Exceeded, the earlier files stored", async ({ expect }) => {
    const name = await account();
    const response = await post({
      path: `/v1/${name}/c/`,
      maxFileCount: 1,
      files: [
        { filename: "one", data: "1" },
        { filename: "two", data: "2" },
      ],
    });
    expect(await text(response)).toBe("400 Bad Request\r\nFormPost: Max File Count Exceeded");
    expect(response.status).toBe(400);
    expect(await text(await read(`/${name}/c/one`))).toBe("1");
    const two = await read(`/${name}/c/two`);
    await text(two);
    expect(two.status).toBe(404);
  });

  // What Swift 2.30.1 reads from these parts is parse_mime_headers run by Python 3.11's email.parser on them.
  it("a part's first header of a name counts, and a lone CR ends a header line as CRLF does", async ({ expect }) => {
    const name = await account();
    const repeated =
      'Content-Disposition: form-data; name="f"; filename="first.txt"\r\n' +
      'Content-Disposition: form-data; name="f"; filename="second.txt"\r\n' +
      "Content-Type: text/first\r\ncontent-type: text/second\r\n\r\none";
    const cr = 'Content-Disposition: form-data; name="g"; filename="cr.txt"\rContent-Type: text/cr\r\n\r\ntwo';
    expect(await text(await post({ path: `/v1/${name}/c/`, parts: [repeated, cr] }))).toBe("201 Created");
    const first = await read(`/${name}/c/first.txt`);
    expect(await text(first)).toBe("one");
    expect(first.headers.get("content-type")).toBe("text/first");
    const second = await read(`/${name}/c/second.txt`);
    await text(second);
    expect(second.status).toBe(404);
    const stored = await read(`/${name}/c/cr.txt`);
    expect(await text(stored)).toBe("two");
    expect(stored.headers.get("content-type")).toBe("text/cr");
  });

  it("a part whose headers stop before Content-Disposition, or whose filename is on a folded line, is no file", async ({
    expect,
  }) => {
    const name = await account();
    const disposition = 'Content-Disposition: form-data; name="f"; filename="lost.txt"';
    for (const part of [
      `X-Note\r\n${disposition}\r\n\r\ndata`,
      `X Note: 1\r\n${disposition}\r\n\r\ndata`,
      'Content-Disposition : form-data; name="f"; filename="lost.txt"\r\n\r\ndata',
      'Content-Disposition: form-data; name="f";\r\n filename="lost.txt"\r\n\r\ndata',
    ]) {
      const response = await post({ path: `/v1/${name}/c/`, parts: [part] });
      expect(await text(response), part).toBe("400 Bad Request\r\nFormPost: No Files To Process");
    }
    const lost = await read(`/${name}/c/lost.txt`);
    await text(lost);
    expect(lost.status).toBe(404);
  });

  it("a file part with LF line ends has its headers read to the blank line, its data lost: it is stored empty", async ({
    expect,
  }) => {
    const name = await account();
    const part = 'Content-Disposition: form-data; name="f"; filename="lf.txt"\nContent-Type: text/lf\n\ndata';
    expect(await text(await post({ path: `/v1/${name}/c/`, parts: [part] }))).toBe("201 Created");
    const stored = await read(`/${name}/c/lf.txt`);
    expect(await text(stored)).toBe("");
    expect(stored.headers.get("content-type")).toBe("text/lf");
  });

  it("a file over max_file_size returns 400 FormPost: max_file_size exceeded and is not stored", async ({ expect }) => {
    const name = await account();
    const response = await post({
      path: `/v1/${name}/c/`,
      maxFileSize: 4,
      files: [{ filename: "big", data: "12345" }],
    });
    expect(await text(response)).toBe("FormPost: max_file_size exceeded");
    expect(response.status).toBe(400);
    const big = await read(`/${name}/c/big`);
    await text(big);
    expect(big.status).toBe(404);
    expect(
      await text(await post({ path: `/v1/${name}/c/`, maxFileSize: 5, files: [{ filename: "fits", data: "12345" }] })),
    ).toBe("201 Created");
  });

  it("a form without files returns 400 No Files To Process", async ({ expect }) => {
    const name = await account();
    const response = await post({ path: `/v1/${name}/c/` });
    expect(await text(response)).toBe("400 Bad Request\r\nFormPost: No Files To Process");
    expect(response.status).toBe(400);
  });

  it("bad or missing signature, other path, keyless account, expired form: 401 with FormPOST's message", async ({
    expect,
  }) => {
    const name = await account();
    const files = [{ filename: "f", data: "f" }];
    const cases: [Form, string][] = [
      [{ path: `/v1/${name}/c/`, key: "wrong", files }, "FormPost: Invalid Signature"],
      [{ path: `/v1/${name}/c/`, signature: "", files }, "FormPost: Invalid Signature"],
      [{ path: `/v1/${name}/c/`, signature: "md5:AAAA", files }, "FormPost: Invalid Signature"],
      [{ path: `/v1/${name}/c/`, expires: Math.floor(Date.now() / 1000) - 1, files }, "FormPost: Form Expired"],
      [{ path: "/v1/AUTH_nokeys/c/", files }, "FormPost: Invalid Signature"],
      [{ path: `/v1/${name}`, files }, "FormPost: Invalid Signature"],
    ];
    for (const [form, message] of cases) {
      const response = await post(form);
      expect(await text(response)).toBe(message);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Swift realm="unknown"');
    }
    const signedForOther = await swift("POST", `/${name}/c/b/`, {
      user: null,
      body: await formBody({ path: `/v1/${name}/c/a/`, files }),
      headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(await text(signedForOther)).toBe("FormPost: Invalid Signature");
    const stored = await read(`/${name}/c/b/f`);
    await text(stored);
    expect(stored.status).toBe(404);
  });

  it("a signature off only in its last or its first hex digit returns 401 and stores nothing", async ({ expect }) => {
    const name = await account();
    const path = `/v1/${name}/c/`;
    const expires = Math.floor(Date.now() / 1000) + 600;
    const flip = (digit: string) => (digit === "0" ? "1" : "0");
    for (const hash of ["SHA-1", "SHA-256", "SHA-512"] as const) {
      const signature = hex(await hmac(hash, "secret", `${path}\n\n1024\n10\n${expires}`));
      for (const wrong of [
        signature.slice(0, -1) + flip(signature.slice(-1)),
        flip(signature.slice(0, 1)) + signature.slice(1),
      ]) {
        const response = await post({
          path,
          expires,
          signature: wrong,
          files: [{ filename: `${hash}-wrong`, data: "x" }],
        });
        expect(await text(response), `${hash} ${wrong}`).toBe("FormPost: Invalid Signature");
        expect(response.status).toBe(401);
      }
      const stored = await read(`/${name}/c/${hash}-wrong`);
      await text(stored);
      expect(stored.status).toBe(404);
      const right = await post({ path, expires, signature, files: [{ filename: `${hash}-right`, data: "x" }] });
      expect(await text(right), hash).toBe("201 Created");
    }
  });

  it("malformed forms return 400 with FormPOST's messages", async ({ expect }) => {
    const name = await account();
    const path = `/v1/${name}/c/`;
    const files = [{ filename: "f", data: "f" }];
    const cases: [Form, string][] = [
      [{ path, maxFileSize: "big", files }, "FormPost: max_file_size not an integer"],
      [{ path, maxFileCount: "many", files }, "FormPost: max_file_count not an integer"],
      [{ path, expires: "soon", files }, "FormPost: expired not an integer"],
      [
        { path, fields: [["x_delete_at", "tomorrow"]], files },
        "FormPost: x_delete_at not an integer: Unix timestamp required.",
      ],
      [
        { path, fields: [["x_delete_after", "later"]], files },
        "FormPost: x_delete_after not an integer: Number of seconds required.",
      ],
    ];
    for (const [form, message] of cases) {
      const response = await post(form);
      expect(await text(response)).toBe(message);
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("text/plain");
    }
    const boundary = await swift("POST", path.slice("/v1".length), {
      user: null,
      body: "garbage",
      headers: { "Content-Type": "multipart/form-data; boundary=XX" },
    });
    expect(await text(boundary)).toBe("FormPost: invalid starting boundary");
    expect(boundary.status).toBe(400);
  });

  it("SHA-1 hex and SHA-512 base64 signatures pass; x_delete_after and the form's content-type reach the file", async ({
    expect,
  }) => {
    const name = await account();
    expect(
      await text(await post({ path: `/v1/${name}/c/`, hash: "SHA-1", files: [{ filename: "s1", data: "1" }] })),
    ).toBe("201 Created");
    const response = await post({
      path: `/v1/${name}/c/`,
      hash: "SHA-512",
      base64: true,
      fields: [
        ["x_delete_after", "3600"],
        ["content-type", "application/x-form"],
      ],
      files: [{ filename: "s5", data: "5", type: "text/plain" }],
    });
    expect(await text(response)).toBe("201 Created");
    const stored = await read(`/${name}/c/s5`);
    await text(stored);
    expect(stored.headers.get("content-type")).toBe("application/x-form");
    expect(Number(stored.headers.get("x-delete-at"))).toBeGreaterThan(Date.now() / 1000);
  });

  it("a multi-megabyte file with boundary-like bytes streams through and reads back intact", async ({ expect }) => {
    const name = await account();
    const size = 6 * 1024 * 1024 + 123;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 11)) & 0xff;
    const trap = encoder.encode(`\r\n--${BOUNDARY.slice(0, -1)}\r\n--`);
    data.set(trap, 4096 - 3);
    data.set(trap, size - trap.length);
    const response = await post({ path: `/v1/${name}/c/`, maxFileSize: size, files: [{ filename: "large", data }] });
    expect(await text(response)).toBe("201 Created");
    const stored = await read(`/${name}/c/large`);
    const body = new Uint8Array(await stored.arrayBuffer());
    expect(body.length).toBe(size);
    expect(hex(new Uint8Array(await crypto.subtle.digest("SHA-256", body)))).toBe(
      hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data))),
    );
  });

  it("with an Origin the answer carries the Access-Control headers of the file's PUT", async ({ expect }) => {
    const name = await account();
    const response = await post(
      { path: `/v1/${name}/c/`, files: [{ filename: "cors", data: "c" }] },
      { Origin: "http://site.example" },
    );
    await text(response);
    expect(response.status).toBe(201);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://site.example");
  });

  it("a POST that is not multipart/form-data is an ordinary POST (401 without a token)", async ({ expect }) => {
    const name = await account();
    const response = await swift("POST", `/${name}/c/x`, {
      user: null,
      body: "a=b",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    await text(response);
    expect(response.status).toBe(401);
  });

  it("/info lists formpost's digests", async ({ expect }) => {
    const info = (await (await exports.default.fetch(`${BASE}/info`)).json()) as { formpost: unknown };
    expect(info.formpost).toEqual({ allowed_digests: ["sha1", "sha256", "sha512"], deprecated_digests: ["sha1"] });
  });
});
