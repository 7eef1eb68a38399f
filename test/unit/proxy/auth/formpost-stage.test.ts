/**
 * @module
 * The FormPOST stage in Node: the container's Temp-URL keys come from the isolate's info cache,
 * primed here, and each file's PUT is a recorded subrequest. Swift: common/middleware/formpost.py.
 */
import { describe, it, vi } from "vitest";
import { SwiftError } from "../../../../src/common/errors";
import { formpost, FORMPOST_INFO } from "../../../../src/proxy/auth/formpost";
import { hmacHex } from "../../../../src/proxy/auth/tempurl";
import type { ServiceContext } from "../../../../src/proxy/services/context";
import { InfoCache } from "../../../../src/proxy/services/info-cache";
import type { SubrequestInit, SwiftRequest } from "../../../../src/proxy/swift/request";
import { stageRequest } from "./stage-request";

const KEY = "container-key";
const FAR = "4000000000";
const BOUNDARY = "XyZ";

function context(): ServiceContext {
  const cache = new InfoCache();
  const now = Date.now();
  cache.set("account:AUTH_test", { account: "AUTH_test", metadata: {} }, 600_000, now);
  cache.set(
    "container:AUTH_test/c",
    {
      account: "AUTH_test",
      container: "c",
      metadata: { "x-container-meta-temp-url-key": { value: KEY, timestamp: "1" } },
    },
    600_000,
    now,
  );
  cache.set("account:AUTH_nokeys", { account: "AUTH_nokeys", metadata: {} }, 600_000, now);
  cache.set("container:AUTH_nokeys/c", null, 600_000, now);
  cache.set(
    "account:AUTH_acct",
    { account: "AUTH_acct", metadata: { "x-account-meta-temp-url-key": { value: KEY, timestamp: "1" } } },
    600_000,
    now,
  );
  const ctx: Pick<ServiceContext, "cache"> = { cache };
  return ctx as ServiceContext;
}

/** A form's fields; null leaves a field out (Swift reads a missing one as it reads an empty one). */
interface Form {
  redirect?: string;
  maxFileSize?: string | null;
  maxFileCount?: string | null;
  expires?: string | null;
  signature?: string;
  key?: string;
  extra?: [string, string][];
  files?: { name: string; body: string; headers?: string }[];
}

async function formBody(path: string, form: Form): Promise<string> {
  const redirect = form.redirect ?? "";
  const maxFileSize = form.maxFileSize === undefined ? "1024" : form.maxFileSize;
  const maxFileCount = form.maxFileCount === undefined ? "10" : form.maxFileCount;
  const expires = form.expires === undefined ? FAR : form.expires;
  // Swift signs `value or '0'` for the limits and the expiry.
  const signed = [path, redirect, maxFileSize || "0", maxFileCount || "0", expires || "0"].join("\n");
  const signature = form.signature ?? (await hmacHex("sha256", form.key ?? KEY, signed));
  const given = (name: string, value: string | null): [string, string][] => (value === null ? [] : [[name, value]]);
  const fields: [string, string][] = [
    ["redirect", redirect],
    ...given("max_file_size", maxFileSize),
    ...given("max_file_count", maxFileCount),
    ...given("expires", expires),
    ["signature", signature ?? ""],
    ...(form.extra ?? []),
  ];
  let body = "";
  for (const [name, value] of fields)
    body += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  for (const file of form.files ?? [{ name: "a.txt", body: "hello" }]) {
    body += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`;
    body += `${file.headers ?? ""}\r\n${file.body}\r\n`;
  }
  return `${body}--${BOUNDARY}--\r\n`;
}

interface Put {
  path: string;
  headers: Headers;
  body: string;
  init: SubrequestInit;
  environ: SwiftRequest["environ"];
}

async function post(
  path: string,
  body: string,
  options: {
    contentType?: string;
    method?: string;
    headers?: Record<string, string>;
    answer?: (put: Put) => Response;
    puts?: Put[];
  } = {},
): Promise<{ response: Response; puts: Put[]; passedOn: boolean; environ: SwiftRequest["environ"] }> {
  const url = new URL(`https://swift.example${path}`);
  const method = options.method ?? "POST";
  const request = new Request(url, {
    method,
    headers: { "content-type": options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}`, ...options.headers },
    body: method === "GET" ? null : body,
  });
  const puts: Put[] = options.puts ?? [];
  const environ: SwiftRequest["environ"] = {};
  const req = stageRequest(request, context(), environ, async (init) => {
    const text = init.body instanceof ReadableStream ? await new Response(init.body).text() : "";
    const put = { path: init.path, headers: new Headers(init.headers), body: text, init, environ: { ...environ } };
    puts.push(put);
    return options.answer
      ? options.answer(put)
      : new Response(null, { status: 201, headers: { "access-control-allow-origin": "*", etag: "e" } });
  });
  let passedOn = false;
  const response = await formpost(req, async () => {
    passedOn = true;
    return new Response("controller");
  });
  return { response, puts, passedOn, environ };
}

async function refused(
  path: string,
  body: string,
): Promise<{ kind: string; message: string; headers: Record<string, string> }> {
  try {
    await post(path, body);
  } catch (error) {
    if (error instanceof SwiftError) {
      // The headers the client gets: the detail's content type, then the error's own.
      return {
        kind: error.kind,
        message: error.message,
        headers: { "content-type": error.detailType, ...error.headers },
      };
    }
    throw error;
  }
  throw new Error("not refused");
}
const UNAUTHORIZED_HEADERS = {
  "content-type": "text/html; charset=UTF-8",
  "www-authenticate": `Swift realm="unknown"`,
};

describe("FormPOST", () => {
  it("allows sha1, sha256 and sha512 signatures, sha1 deprecated", ({ expect }) => {
    expect(FORMPOST_INFO).toEqual({ allowed_digests: ["sha1", "sha256", "sha512"], deprecated_digests: ["sha1"] });
  });

  it("a request that is not a POST of multipart/form-data with a boundary passes on", async ({ expect }) => {
    expect((await post("/v1/AUTH_test/c", "", { method: "GET" })).passedOn).toBe(true);
    expect((await post("/v1/AUTH_test/c", "x", { contentType: "text/plain" })).passedOn).toBe(true);
    expect((await post("/v1/AUTH_test/c", "x", { contentType: "multipart/form-data" })).passedOn).toBe(true);
    expect((await post("/v1/AUTH_test/c", "x", { contentType: "text/plain; boundary=XyZ" })).passedOn).toBe(true);
  });

  it("a signed form PUTs each file under the signed path, and answers 201 Created as text", async ({ expect }) => {
    const body = await formBody("/v1/AUTH_test/c/pre/", {
      files: [
        { name: "a.txt", body: "hello" },
        { name: "b.txt", body: "world" },
      ],
    });
    const { response, puts, environ } = await post("/v1/AUTH_test/c/pre/", body, {
      headers: { origin: "https://o.example", referer: "https://r.example/" },
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe("201 Created");
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("content-length")).toBe("11");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("etag")).toBeNull();
    expect(puts.map((put) => [put.path, put.body])).toEqual([
      ["/v1/AUTH_test/c/pre/a.txt", "hello"],
      ["/v1/AUTH_test/c/pre/b.txt", "world"],
    ]);
    expect(puts[0]?.init).toMatchObject({ method: "PUT", source: "formpost", keepAuthorization: true });
    expect(puts[0]?.headers.get("origin")).toBe("https://o.example");
    expect(puts[0]?.headers.get("referer")).toBe("https://r.example/");
    expect(environ).toMatchObject({
      authorized: "formpost",
      signedScope: { account: "AUTH_test", container: "c", objectPrefix: "pre/" },
      answeredBeforeController: true,
    });
  });

  it("on a container path the file goes under the container; a trailing slash is not doubled", async ({ expect }) => {
    expect((await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", {}))).puts[0]?.path).toBe(
      "/v1/AUTH_test/c/a.txt",
    );
    expect((await post("/v1/AUTH_test/c/", await formBody("/v1/AUTH_test/c/", {}))).puts[0]?.path).toBe(
      "/v1/AUTH_test/c/a.txt",
    );
    expect((await post("/v1/AUTH_test/c/p/", await formBody("/v1/AUTH_test/c/p/", {}))).puts[0]?.path).toBe(
      "/v1/AUTH_test/c/p/a.txt",
    );
    expect((await post("/v1/AUTH_test/c/p", await formBody("/v1/AUTH_test/c/p", {}))).puts[0]?.path).toBe(
      "/v1/AUTH_test/c/pa.txt",
    );
  });

  it("with a redirect, the answer is 303 See Other to redirect?status=…&message=…", async ({ expect }) => {
    const { response } = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { redirect: "https://app.example/done" }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://app.example/done?status=201&message=");
    expect(response.headers.get("content-type")).toBeNull();
    const html =
      `<html><body><p><a href="https://app.example/done?status=201&message=">` +
      `Click to continue...</a></p></body></html>`;
    expect(await response.text()).toBe(html);
    expect(response.headers.get("content-length")).toBe(String(html.length));
    const withQuery = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { redirect: "https://app.example/done?x=1", maxFileCount: "0" }),
    );
    expect(withQuery.response.headers.get("location")).toBe(
      "https://app.example/done?x=1&status=400&message=max%20file%20count%20exceeded",
    );
  });

  it("more files than max_file_count is 400 max file count exceeded, after the allowed ones", async ({ expect }) => {
    const body = await formBody("/v1/AUTH_test/c", {
      maxFileCount: "1",
      files: [
        { name: "a", body: "1" },
        { name: "b", body: "2" },
      ],
    });
    const { response, puts } = await post("/v1/AUTH_test/c", body);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("400 Bad Request\r\nFormPost: Max File Count Exceeded");
    expect(puts.map((put) => put.path)).toEqual(["/v1/AUTH_test/c/a"]);
  });

  it("a form without files is 400 no files to process", async ({ expect }) => {
    const { response } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { files: [] }));
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("400 Bad Request\r\nFormPost: No Files To Process");
  });

  it("a file larger than max_file_size is 400 max_file_size exceeded", async ({ expect }) => {
    const error = await refused(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { maxFileSize: "3", files: [{ name: "a", body: "four" }] }),
    );
    expect(error).toEqual({
      kind: "BadRequest",
      message: "FormPost: max_file_size exceeded",
      headers: { "content-type": "text/plain" },
    });
    const { response } = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { maxFileSize: "4", files: [{ name: "a", body: "four" }] }),
    );
    expect(response.status).toBe(201);
  });

  it("limits that are not integers are 400 naming them", async ({ expect }) => {
    expect((await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { maxFileSize: "x" }))).message).toBe(
      "FormPost: max_file_size not an integer",
    );
    expect((await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { maxFileCount: "x" }))).message).toBe(
      "FormPost: max_file_count not an integer",
    );
    expect((await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { expires: "x" }))).message).toBe(
      "FormPost: expired not an integer",
    );
    expect(
      (await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { extra: [["x_delete_at", "soon"]] })))
        .message,
    ).toBe("FormPost: x_delete_at not an integer: Unix timestamp required.");
    expect(
      (await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { extra: [["x_delete_after", "1.5"]] })))
        .message,
    ).toBe("FormPost: x_delete_after not an integer: Number of seconds required.");
  });

  it("x_delete_at, x_delete_after, content-type and content-encoding fields become the PUT's headers", async ({
    expect,
  }) => {
    const extra: [string, string][] = [
      ["x_delete_at", " 4000000000 "],
      ["x_delete_after", "60"],
      ["Content-Type", ""],
      ["content-encoding", "gzip"],
    ];
    const { puts } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { extra }));
    expect(puts[0]?.headers.get("x-delete-at")).toBe("4000000000");
    expect(puts[0]?.headers.get("x-delete-after")).toBe("60");
    expect(puts[0]?.headers.get("content-type")).toBe("application/octet-stream");
    expect(puts[0]?.headers.get("content-encoding")).toBe("gzip");
  });

  it("a file part's own Content-Type and Content-Encoding apply when the form sets none", async ({ expect }) => {
    const files = [{ name: "a", body: "x", headers: "Content-Type: text/csv\r\nContent-Encoding: br\r\n" }];
    const { puts } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { files }));
    expect(puts[0]?.headers.get("content-type")).toBe("text/csv");
    expect(puts[0]?.headers.get("content-encoding")).toBe("br");
    const overridden = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { files, extra: [["content-type", "image/png"]] }),
    );
    expect(overridden.puts[0]?.headers.get("content-type")).toBe("image/png");
    const empty = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { files: [{ name: "a", body: "x", headers: "Content-Type: \r\n" }] }),
    );
    expect(empty.puts[0]?.headers.get("content-type")).toBe("application/octet-stream");
    const none = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", {}));
    expect(none.puts[0]?.headers.has("content-type")).toBe(false);
  });

  it("an expired form is 401 Form Expired", async ({ expect }) => {
    expect(await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { expires: "1000000000" }))).toEqual({
      kind: "Unauthorized",
      message: "FormPost: Form Expired",
      headers: UNAUTHORIZED_HEADERS,
    });
  });

  it("a wrong, unreadable or disallowed signature is 401 Invalid Signature", async ({ expect }) => {
    for (const form of [{ key: "guess" }, { signature: "nonsense" }, { signature: "md5:AAAA" }, { signature: "" }]) {
      expect(await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", form))).toEqual({
        kind: "Unauthorized",
        message: "FormPost: Invalid Signature",
        headers: UNAUTHORIZED_HEADERS,
      });
    }
    const signedElsewhere = await formBody("/v1/AUTH_test/c/other", {});
    expect((await refused("/v1/AUTH_test/c/pre", signedElsewhere)).message).toBe("FormPost: Invalid Signature");
  });

  it("a container without Temp-URL keys, or an account path, refuses every form", async ({ expect }) => {
    expect((await refused("/v1/AUTH_nokeys/c", await formBody("/v1/AUTH_nokeys/c", {}))).message).toBe(
      "FormPost: Invalid Signature",
    );
    expect((await refused("/v1/AUTH_test", await formBody("/v1/AUTH_test", {}))).message).toBe(
      "FormPost: Invalid Signature",
    );
  });

  it("a body that does not start with the boundary is 400 invalid starting boundary", async ({ expect }) => {
    expect((await refused("/v1/AUTH_test/c", "garbage")).message).toBe("FormPost: invalid starting boundary");
  });

  it("a failed PUT ends the form with its status, and no later file is stored", async ({ expect }) => {
    const body = await formBody("/v1/AUTH_test/c", {
      files: [
        { name: "a", body: "1" },
        { name: "b", body: "2" },
      ],
    });
    const { response, puts } = await post("/v1/AUTH_test/c", body, {
      answer: () => new Response("nope", { status: 404 }),
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("404 Not Found");
    expect(puts).toHaveLength(1);
  });

  it("the PUT carries no Origin, Referer or Content-Encoding the form did not have", async ({ expect }) => {
    const { puts } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", {}));
    expect(puts[0]?.headers.has("origin")).toBe(false);
    expect(puts[0]?.headers.has("referer")).toBe(false);
    expect(puts[0]?.headers.has("access-control-request-method")).toBe(false);
    expect(puts[0]?.headers.has("content-encoding")).toBe(false);
  });

  it("a form posted to a container may write anywhere in it", async ({ expect }) => {
    const { environ } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", {}));
    expect(environ).toMatchObject({ signedScope: { account: "AUTH_test", container: "c", objectPrefix: "" } });
  });

  it("a 2xx PUT goes on to the next file; a 3xx one ends the form", async ({ expect }) => {
    const body = await formBody("/v1/AUTH_test/c", {
      files: [
        { name: "a", body: "1" },
        { name: "b", body: "2" },
      ],
    });
    const ok = await post("/v1/AUTH_test/c", body, { answer: () => new Response(null, { status: 200 }) });
    expect([ok.response.status, ok.puts.length]).toEqual([200, 2]);
    const moved = await post("/v1/AUTH_test/c", body, { answer: () => new Response(null, { status: 300 }) });
    expect([moved.response.status, moved.puts.length]).toEqual([300, 1]);
  });

  it("a part that is not form-data is a field even with a filename; a part without a name is ignored", async ({
    expect,
  }) => {
    let body = await formBody("/v1/AUTH_test/c", {});
    const extra =
      `--${BOUNDARY}\r\nContent-Disposition: attachment; name="x_delete_after"; filename="f"\r\n\r\n60\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n`;
    body = body.replace(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"`,
      `${extra}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"`,
    );
    const { response, puts } = await post("/v1/AUTH_test/c", body);
    expect(response.status).toBe(201);
    expect(puts.map((put) => put.path)).toEqual(["/v1/AUTH_test/c/a.txt"]);
    expect(puts[0]?.headers.get("x-delete-after")).toBe("60");
  });

  it("a field keeps the dashes inside its value", async ({ expect }) => {
    const redirect = "https://my-app.example/a--b";
    const { response } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { redirect }));
    expect(response.headers.get("location")).toBe(`${redirect}?status=201&message=`);
  });

  it("a field's value is cut at 4096 bytes and loses trailing line breaks and dashes", async ({ expect }) => {
    const redirect = `https://app.example/${"x".repeat(5000)}`;
    const cut = redirect.slice(0, 4096);
    const signature = await hmacHex("sha256", KEY, ["/v1/AUTH_test/c", cut, "1024", "10", FAR].join("\n"));
    const { response } = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { redirect, signature: signature ?? "" }),
    );
    expect(response.headers.get("location")).toBe(`${cut}?status=201&message=`);
    const dashed = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { extra: [["x_delete_after", "60--\r\n"]] }),
    );
    expect(dashed.puts[0]?.headers.get("x-delete-after")).toBe("60");
  });

  it(
    "a container without Temp-URL keys refuses every form as Invalid Signature, " +
      "before its limits or expiry are read",
    async ({ expect }) => {
      const form = await formBody("/v1/AUTH_nokeys/c", {
        maxFileSize: "x",
        expires: "1000000000",
        extra: [["x_delete_at", "soon"]],
      });
      expect(await refused("/v1/AUTH_nokeys/c", form)).toEqual({
        kind: "Unauthorized",
        message: "FormPost: Invalid Signature",
        headers: UNAUTHORIZED_HEADERS,
      });
    },
  );

  it(
    "a form posted to an account path is refused as Invalid Signature, " +
      "even signed with the account's key, even expired",
    async ({ expect }) => {
      expect((await refused("/v1/AUTH_acct", await formBody("/v1/AUTH_acct", {}))).message).toBe(
        "FormPost: Invalid Signature",
      );
      expect((await refused("/v1/AUTH_acct", await formBody("/v1/AUTH_acct", { expires: "1000000000" }))).message).toBe(
        "FormPost: Invalid Signature",
      );
    },
  );

  it("a missing or empty max_file_size is 0, signed as 0: only an empty file fits", async ({ expect }) => {
    for (const maxFileSize of [null, ""]) {
      const empty = await post(
        "/v1/AUTH_test/c",
        await formBody("/v1/AUTH_test/c", { maxFileSize, files: [{ name: "a", body: "" }] }),
      );
      expect(empty.response.status, String(maxFileSize)).toBe(201);
      const error = await refused(
        "/v1/AUTH_test/c",
        await formBody("/v1/AUTH_test/c", { maxFileSize, files: [{ name: "a", body: "x" }] }),
      );
      expect(error.message, String(maxFileSize)).toBe("FormPost: max_file_size exceeded");
    }
  });

  it("a missing or empty max_file_count is 0: the first file is one too many", async ({ expect }) => {
    for (const maxFileCount of [null, ""]) {
      const { response, puts } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { maxFileCount }));
      expect(response.status, String(maxFileCount)).toBe(400);
      expect(await response.text()).toBe("400 Bad Request\r\nFormPost: Max File Count Exceeded");
      expect(puts).toEqual([]);
    }
  });

  it("a form without an expiry, or with an empty one, has expired", async ({ expect }) => {
    for (const expires of [null, ""])
      expect((await refused("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { expires }))).message).toBe(
        "FormPost: Form Expired",
      );
  });

  it("a form is valid through the second it expires at, and 401 Form Expired once the clock is past it", async ({
    expect,
  }) => {
    const body = await formBody("/v1/AUTH_test/c", {});
    const clock = vi.spyOn(Date, "now");
    try {
      clock.mockReturnValue(Number(FAR) * 1000);
      expect((await post("/v1/AUTH_test/c", body)).response.status).toBe(201);
      clock.mockReturnValue(Number(FAR) * 1000 + 1);
      expect((await refused("/v1/AUTH_test/c", body)).message).toBe("FormPost: Form Expired");
    } finally {
      clock.mockRestore();
    }
  });

  it("the form's content-encoding wins over the file part's own", async ({ expect }) => {
    const files = [{ name: "a", body: "x", headers: "Content-Encoding: br\r\n" }];
    const { puts } = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { files, extra: [["content-encoding", "gzip"]] }),
    );
    expect(puts[0]?.headers.get("content-encoding")).toBe("gzip");
  });

  it(
    "x_delete_at and x_delete_after are read as Python's int() reads them: " +
      "whitespace of any kind around them is dropped",
    async ({ expect }) => {
      const extra: [string, string][] = [
        ["x_delete_at", "\u00a04000000000\u2003"],
        ["x_delete_after", "\u200360\u00a0"],
      ];
      const { puts } = await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", { extra }));
      expect(puts[0]?.headers.get("x-delete-at")).toBe("4000000000");
      expect(puts[0]?.headers.get("x-delete-after")).toBe("60");
    },
  );

  it(
    "a content-type, content-encoding or redirect holding CR, LF or NUL is 400 FormPost: invalid …, " +
      "and no file is stored",
    async ({ expect }) => {
      const cases: [Form, string][] = [
        [{ extra: [["content-type", "text/plain\r\nX-Injected: 1"]] }, "FormPost: invalid content-type"],
        [{ extra: [["content-encoding", "gzip\0"]] }, "FormPost: invalid content-encoding"],
        [{ redirect: "https://app.example/\nX-Injected: 1" }, "FormPost: invalid redirect"],
        [{ redirect: "https://app.example/\ra" }, "FormPost: invalid redirect"],
      ];
      for (const [form, message] of cases) {
        const puts: Put[] = [];
        let error: unknown = null;
        try {
          await post("/v1/AUTH_test/c", await formBody("/v1/AUTH_test/c", form), { puts });
        } catch (caught) {
          error = caught;
        }
        expect(
          error instanceof SwiftError ? { kind: error.kind, message: error.message, type: error.detailType } : error,
          message,
        ).toEqual({ kind: "BadRequest", message, type: "text/plain" });
        expect(puts, message).toEqual([]);
      }
    },
  );

  it("a redirect holding a line break is 400 invalid redirect even when the form has no file to store", async ({
    expect,
  }) => {
    const error = await refused(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { redirect: "https://app.example/\nLocation: x", files: [] }),
    );
    expect(error.message).toBe("FormPost: invalid redirect");
  });

  it("a redirect past ASCII goes in Location as UTF-8 percent-escapes, characters beyond the BMP too", async ({
    expect,
  }) => {
    const { response } = await post(
      "/v1/AUTH_test/c",
      await formBody("/v1/AUTH_test/c", { redirect: "https://app.example/\u{1F600}é/ü" }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://app.example/%F0%9F%98%80%C3%A9/%C3%BC?status=201&message=");
  });
});
