/**
 * @module
 * Swift's protocol details, as a Swift 2.30.1 proxy answers them (each checked against a running
 * SAIO): request framing (411, 400, 501, 413 from the headers alone), 405 for unknown methods,
 * Date on every response, header names as swob writes them, paths that are not UTF-8 or cannot
 * be split, and the exact status, content type and text of error bodies, with 401's
 * WWW-Authenticate realm. Swift: proxy/server.py handle_request, get_controller;
 * common/constraints.py check_object_creation; common/swob.py; common/middleware/tempauth.py.
 */

import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { parseConfig } from "../../../src/config/config";
import { swobHeaderName } from "../../../src/proxy/middleware/trans-id";
import { BASE, swift, text, tokenFor } from "../../helpers";

const A = "/AUTH_test";
const C = `${A}/protocol`;
const bytes = (s: string) => new TextEncoder().encode(s);
const HTML = "text/html; charset=UTF-8";
const NOT_FOUND_PAGE = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>";
const NOT_ALLOWED_PAGE = "<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>";
const UNAUTHORIZED_PAGE =
  "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized " +
  "to access the document you requested.</p></html>";

/** A raw request through the Worker: any path (not only below /v1), the tester's token by default. */
async function send(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: BodyInit | null; token?: boolean } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== false) headers.set("X-Auth-Token", await tokenFor());
  return exports.default.fetch(`${BASE}${path}`, { method, headers, body: init.body ?? null });
}

/** Status, content type and body of a response, read whole. */
async function answer(response: Response): Promise<{ status: number; type: string | null; body: string }> {
  return { status: response.status, type: response.headers.get("content-type"), body: await text(response) };
}

/** A body that never ends: whoever reads it to its end waits forever, so a response proves it was not read. */
function endlessBody(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) });
}

beforeAll(async () => {
  await text(await swift("PUT", C));
});

describe("request framing (Swift: constraints.check_object_creation, swob message_length)", () => {
  it(
    "an object PUT with neither Content-Length nor Transfer-Encoding is 411 " +
      "'Missing Content-Length header.' as text/plain",
    async ({ expect }) => {
      const response = await swift("PUT", `${C}/no-length`);
      expect(await answer(response)).toEqual({
        status: 411,
        type: "text/plain",
        body: "Missing Content-Length header.",
      });
    },
  );

  it("Transfer-Encoding with two codings (gzip,chunked) is 501 with swob's message as text/plain", async ({
    expect,
  }) => {
    const response = await swift("PUT", `${C}/gzip-chunked`, {
      headers: { "Transfer-Encoding": "gzip,chunked" },
      body: bytes("x"),
    });
    expect(await answer(response)).toEqual({
      status: 501,
      type: "text/plain",
      body: "Unsupported Transfer-Coding header value specified in Transfer-Encoding header",
    });
  });

  it("a Transfer-Encoding other than chunked is 400 'Invalid Transfer-Encoding header value' as text/plain", async ({
    expect,
  }) => {
    const response = await swift("PUT", `${C}/gzip`, { headers: { "Transfer-Encoding": "gzip" }, body: bytes("x") });
    expect(await answer(response)).toEqual({
      status: 400,
      type: "text/plain",
      body: "Invalid Transfer-Encoding header value",
    });
  });

  it("a Content-Length that is not a number is 400 'Invalid Content-Length header value' as text/plain", async ({
    expect,
  }) => {
    const response = await swift("PUT", `${C}/bad-length`, { headers: { "Content-Length": "X" }, body: bytes("x") });
    expect(await answer(response)).toEqual({
      status: 400,
      type: "text/plain",
      body: "Invalid Content-Length header value",
    });
  });

  // A method the runtime does not know (FOO) never reaches the Worker: on the wire workerd answers
  // 501 "ERROR: Unrecognized request method." itself, and fetch() refuses to send it.
  it("a method the runtime does not know (FOO) cannot be sent to the Worker at all", async ({ expect }) => {
    await expect(swift("FOO", C)).rejects.toThrow(/Invalid HTTP method string: FOO/);
  });

  for (const [level, path] of [
    ["account", A],
    ["container", C],
    ["object", `${C}/o`],
  ] as const) {
    for (const method of ["PATCH", "PROPFIND", "MKCOL"]) {
      it(`an unknown method (${method}) on the ${level} is 405 with Allow and swob's Method Not Allowed page`, async ({
        expect,
      }) => {
        const response = await swift(method, path);
        expect(await answer(response)).toEqual({ status: 405, type: HTML, body: NOT_ALLOWED_PAGE });
        expect(response.headers.get("allow")?.split(", ").sort()).toEqual([
          "DELETE",
          "GET",
          "HEAD",
          "OPTIONS",
          "POST",
          "PUT",
        ]);
      });
    }
  }

  it("any method but GET on /auth/v1.0 is 405 without Allow (tempauth), HEAD included", async ({ expect }) => {
    for (const method of ["POST", "HEAD", "PUT"]) {
      const response = await send(method, "/auth/v1.0", {
        headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" },
        token: false,
      });
      await text(response);
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow"), method).toBeNull();
      expect(response.headers.get("x-auth-token"), method).toBeNull();
    }
  });
});

describe("max_file_size (Swift: constraints.check_object_creation)", () => {
  it("a Content-Length over max_file_size is 413 'Your request is too large.' before the body is read", async ({
    expect,
  }) => {
    const { maxFileSize } = parseConfig(env);
    const response = await swift("PUT", `${C}/too-large`, {
      headers: { "Content-Length": String(maxFileSize + 1) },
      body: endlessBody(),
    });
    expect(await answer(response)).toEqual({ status: 413, type: "text/plain", body: "Your request is too large." });
    const head = await swift("HEAD", `${C}/too-large`);
    await text(head);
    expect(head.status).toBe(404);
  });

  it("a Content-Length of exactly max_file_size is not refused from the header", async ({ expect }) => {
    const { maxFileSize } = parseConfig(env);
    // Into a container that does not exist: the answer is the 404, not 413.
    const response = await swift("PUT", `${A}/protocol-missing/o`, {
      headers: { "Content-Length": String(maxFileSize) },
      body: endlessBody(),
    });
    expect((await answer(response)).status).toBe(404);
  });
});

describe("Date and header names (Swift: eventlet wsgi, swob HeaderKeyDict)", () => {
  function expectDate(response: Response, what: string): void {
    const date = response.headers.get("date");
    if (date === null) throw new Error(`${what}: no Date`);
    if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(date))
      throw new Error(`${what}: Date ${date}`);
    if (Math.abs(Date.parse(date) - Date.now()) > 60_000) throw new Error(`${what}: Date ${date} is not now`);
  }

  it("every response carries Date: successes, errors, auth and /info", async ({ expect }) => {
    const cases: [string, () => Promise<Response>][] = [
      ["info", () => send("GET", "/info", { token: false })],
      [
        "token",
        () =>
          send("GET", "/auth/v1.0", {
            headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" },
            token: false,
          }),
      ],
      [
        "bad key",
        () =>
          send("GET", "/auth/v1.0", { headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "wrong" }, token: false }),
      ],
      ["no token", () => swift("GET", A, { user: null })],
      ["object PUT", () => swift("PUT", `${C}/dated`, { body: bytes("x") })],
      ["object HEAD", () => swift("HEAD", `${C}/dated`)],
      ["404", () => swift("GET", `${C}/missing`)],
      ["405", () => swift("PATCH", C)],
      ["412", () => send("GET", "/v1/AUTH_test/%FF")],
      ["root", () => send("GET", "/", { token: false })],
    ];
    for (const [what, request] of cases) {
      const response = await request();
      await text(response);
      expectDate(response, what);
    }
    expect(cases.length).toBeGreaterThan(0);
  });

  it("header names are title-cased per word as swob's HeaderKeyDict writes them (Python bytes.title)", ({ expect }) => {
    expect(swobHeaderName("x-object-meta-color")).toBe("X-Object-Meta-Color");
    expect(swobHeaderName("x-container-meta-foo-bar")).toBe("X-Container-Meta-Foo-Bar");
    expect(swobHeaderName("x-account-meta-temp-url-key")).toBe("X-Account-Meta-Temp-Url-Key");
    expect(swobHeaderName("X-OBJECT-META-cOLOR")).toBe("X-Object-Meta-Color");
    // bytes.title(): any byte that is not a letter starts a new word.
    expect(swobHeaderName("x-object-meta-ab_cd")).toBe("X-Object-Meta-Ab_Cd");
    expect(swobHeaderName("x-object-meta-2x.y")).toBe("X-Object-Meta-2X.Y");
    expect(swobHeaderName("x-openstack-request-id")).toBe("X-Openstack-Request-Id");
    expect(swobHeaderName("etag")).toBe("Etag");
  });

  it("an underscore in a header name reads as a dash, as in Swift's WSGI server: metadata of all three levels", async ({
    expect,
  }) => {
    await text(
      await swift("PUT", `${C}/meta-underscore`, {
        body: bytes("x"),
        headers: { "X-Object-Meta-Foo_Bar": "1", "X-Object-Meta-Under_score_X": "2" },
      }),
    );
    const head = await swift("HEAD", `${C}/meta-underscore`);
    await text(head);
    expect(head.headers.get("x-object-meta-foo-bar")).toBe("1");
    expect(head.headers.get("x-object-meta-under-score-x")).toBe("2");
    expect([...head.headers.keys()].filter((name) => name.includes("_"))).toEqual([]);
    // Every underscore, the prefix's too: X_Object_Meta_Q is X-Object-Meta-Q.
    expect((await swift("POST", `${C}/meta-underscore`, { headers: { X_Object_Meta_Q: "4" } })).status).toBe(202);
    const posted = await swift("HEAD", `${C}/meta-underscore`);
    await text(posted);
    expect(posted.headers.get("x-object-meta-q")).toBe("4");
    await text(await swift("POST", C, { headers: { "X-Container-Meta-A_B": "3" } }));
    const container = await swift("HEAD", C);
    await text(container);
    expect(container.headers.get("x-container-meta-a-b")).toBe("3");
    expect(container.headers.get("x-container-meta-a_b")).toBeNull();
  });

  it("metadata comes back under its name whatever case it was sent in", async ({ expect }) => {
    await text(
      await swift("PUT", `${C}/meta-case`, { body: bytes("x"), headers: { "x-object-meta-cOLOR-sHADE": "red" } }),
    );
    const head = await swift("HEAD", `${C}/meta-case`);
    await text(head);
    expect(head.headers.get("X-Object-Meta-Color-Shade")).toBe("red");
  });
});

describe("paths (Swift: proxy/server.py handle_request, utils.split_path)", () => {
  for (const path of [
    "/v1/AUTH_test%FF",
    "/v1/AUTH_test%00",
    "/v1/AUTH_test/c%FF",
    "/v1/AUTH_test/c%00",
    "/v1/AUTH_test/c/o%FF",
    "/v1/AUTH_test/c/o%00",
  ]) {
    it(`${path}: not UTF-8 or holding a NUL is 412 'Invalid UTF8 or contains NULL' as text/html`, async ({
      expect,
    }) => {
      expect(await answer(await send("GET", path))).toEqual({
        status: 412,
        type: HTML,
        body: "Invalid UTF8 or contains NULL",
      });
    });
  }

  for (const path of ["//v1/AUTH_test", "//", "///", "//v1/AUTH_test/c/o"]) {
    it(`${path}: a path split_path refuses (empty first segment) is 404 with swob's Not Found page`, async ({
      expect,
    }) => {
      expect(await answer(await send("GET", path))).toEqual({ status: 404, type: HTML, body: NOT_FOUND_PAGE });
    });
  }

  it("a path without an account is 412 'Bad URL' as text/html", async ({ expect }) => {
    for (const path of ["/v1", "/v1/", "/v1//c"]) {
      expect(await answer(await send("GET", path)), path).toEqual({ status: 412, type: HTML, body: "Bad URL" });
    }
  });
});

describe("error bodies: Swift's status, content type and text", () => {
  it("an object name over 1024 bytes is 400 'Object name length of 1025 longer than 1024' as text/plain", async ({
    expect,
  }) => {
    const response = await swift("PUT", `${C}/${"o".repeat(1025)}`, { body: bytes("") });
    expect(await answer(response)).toEqual({
      status: 400,
      type: "text/plain",
      body: "Object name length of 1025 longer than 1024",
    });
  });

  it("a container name over 256 bytes is 400 'Container name length of 257 longer than 256' as text/html", async ({
    expect,
  }) => {
    const response = await swift("PUT", `${A}/${"c".repeat(257)}`);
    expect(await answer(response)).toEqual({
      status: 400,
      type: HTML,
      body: "Container name length of 257 longer than 256",
    });
  });

  it("bad metadata is 400 with check_metadata's message as text/plain", async ({ expect }) => {
    const long = await swift("POST", C, { headers: { [`X-Container-Meta-${"a".repeat(129)}`]: "x" } });
    expect(await answer(long)).toEqual({
      status: 400,
      type: "text/plain",
      body: `Metadata name too long: x-container-meta-A${"a".repeat(128)}`,
    });
    const value = await swift("PUT", `${C}/meta-value`, {
      body: bytes(""),
      headers: { "X-Object-Meta-A": "v".repeat(257) },
    });
    expect(await answer(value)).toEqual({
      status: 400,
      type: "text/plain",
      body: "Metadata value longer than 256: x-object-meta-A",
    });
  });

  it("404 is swob's Not Found page as text/html, with its Content-Length and reason", async ({ expect }) => {
    const response = await swift("GET", `${C}/nothing-here`);
    expect(response.statusText).toBe("Not Found");
    expect(response.headers.get("content-length")).toBe(String(NOT_FOUND_PAGE.length));
    expect(await answer(response)).toEqual({ status: 404, type: HTML, body: NOT_FOUND_PAGE });
  });

  it("the reason phrase is swob's (413 Request Entity Too Large, not the runtime's Payload Too Large)", async ({
    expect,
  }) => {
    const { maxFileSize } = parseConfig(env);
    const response = await swift("PUT", `${C}/reason`, {
      headers: { "Content-Length": String(maxFileSize + 1) },
      body: endlessBody(),
    });
    await text(response);
    expect(response.statusText).toBe("Request Entity Too Large");
  });

  it("a listing limit over the maximum is 412 'Maximum limit is 10000' as text/html", async ({ expect }) => {
    expect(await answer(await swift("GET", `${A}?limit=10001`))).toEqual({
      status: 412,
      type: HTML,
      body: "Maximum limit is 10000",
    });
  });

  it("a listing Accept that cannot be parsed is 400 'Invalid Accept header' as text/html", async ({ expect }) => {
    expect(await answer(await swift("GET", A, { headers: { Accept: "bad" } }))).toEqual({
      status: 400,
      type: HTML,
      body: "Invalid Accept header",
    });
  });

  it("COPY without Destination is 412 'Destination header required' as text/html", async ({ expect }) => {
    await text(await swift("PUT", `${C}/copy-source`, { body: bytes("x") }));
    expect(await answer(await swift("COPY", `${C}/copy-source`))).toEqual({
      status: 412,
      type: HTML,
      body: "Destination header required",
    });
  });

  it("X-Copy-From without a container is 412 with copy's form message as text/html", async ({ expect }) => {
    const response = await swift("PUT", `${C}/copy-dest`, { headers: { "X-Copy-From": "x" }, body: bytes("") });
    expect(await answer(response)).toEqual({
      status: 412,
      type: HTML,
      body: "X-Copy-From header must be of the form <container name>/<object name>",
    });
  });

  it("a bad X-If-Delete-At is 400 'Bad X-If-Delete-At header value' as text/html (the object server's)", async ({
    expect,
  }) => {
    await text(await swift("PUT", `${C}/if-delete-at`, { body: bytes("x") }));
    const response = await swift("DELETE", `${C}/if-delete-at`, { headers: { "X-If-Delete-At": "x" } });
    expect(await answer(response)).toEqual({ status: 400, type: HTML, body: "Bad X-If-Delete-At header value" });
  });

  it("a bad X-Delete-At is 400 'Non-integer X-Delete-At' as text/plain", async ({ expect }) => {
    const response = await swift("PUT", `${C}/delete-at`, { headers: { "X-Delete-At": "x" }, body: bytes("") });
    expect(await answer(response)).toEqual({ status: 400, type: "text/plain", body: "Non-integer X-Delete-At" });
  });
});

describe("401 and WWW-Authenticate (Swift: swob www_authenticate, tempauth)", () => {
  it("without a token: swob's Unauthorized page and the account URL-quoted as realm", async ({ expect }) => {
    for (const [path, realm] of [
      ["/AUTH_test", "AUTH_test"],
      ["/AUTH_a%20b%22c/c", "AUTH_a%20b%22c"],
      ["/AUTH_%C3%A9/c/o%20x", "AUTH_%C3%A9"],
    ] as const) {
      const response = await swift("GET", path, { user: null });
      expect(await answer(response), path).toEqual({ status: 401, type: HTML, body: UNAUTHORIZED_PAGE });
      expect(response.headers.get("www-authenticate"), path).toBe(`Swift realm="${realm}"`);
    }
  });

  it("with a token of ours that does not verify: the account as it is, unquoted (tempauth's own header)", async ({
    expect,
  }) => {
    const response = await send("GET", "/v1/AUTH_a%20b%22c/c", {
      headers: { "X-Auth-Token": "AUTH_tkbogus" },
      token: false,
    });
    await text(response);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Swift realm="AUTH_a b"c"');
  });

  it("a token request's realm is tempauth's: the account, or unknown for a wrong key or a user without ':'", async ({
    expect,
  }) => {
    const cases: [string, Record<string, string>, string][] = [
      ["/auth/v1.0", {}, "unknown"],
      ["/auth/v1.0", { "X-Auth-User": "test:tester", "X-Auth-Key": "wrong" }, "unknown"],
      ["/auth/v1.0", { "X-Auth-User": "nocolon", "X-Auth-Key": "wrong" }, "unknown"],
      ["/auth/v1.0", { "X-Auth-User": "a b:c", "X-Auth-Key": "wrong" }, "a b"],
      ["/auth/v1.0", { "X-Auth-User": "test:", "X-Auth-Key": "wrong" }, "test"],
      ["/auth/v1.0", { "X-Auth-User": "test:tester" }, "test"],
      ["/auth/v1/test/auth", {}, "test"],
      ["/auth/v1/test/auth", { "X-Auth-User": "other:tester", "X-Auth-Key": "testing" }, "test"],
      ["/auth/v1/test/auth", { "X-Auth-User": "test:tester", "X-Auth-Key": "wrong" }, "unknown"],
      ["/auth/v1/test/auth", { "X-Storage-User": "test:tester", "X-Auth-Key": "testing" }, "test"],
    ];
    for (const [path, headers, realm] of cases) {
      const response = await send("GET", path, { headers, token: false });
      const what = `${path} ${JSON.stringify(headers)}`;
      expect(await answer(response), what).toEqual({ status: 401, type: HTML, body: UNAUTHORIZED_PAGE });
      expect(response.headers.get("www-authenticate"), what).toBe(`Swift realm="${realm}"`);
    }
  });

  it(
    "a token request takes the key from X-Storage-Pass when X-Auth-Key is empty, " +
      "and X-Storage-User as the bare user on /auth/v1/{account}/auth",
    async ({ expect }) => {
      for (const [path, headers] of [
        ["/auth/v1.0", { "X-Auth-User": "test:tester", "X-Auth-Key": "", "X-Storage-Pass": "testing" }],
        ["/auth/v1/test/auth", { "X-Storage-User": "tester", "X-Auth-Key": "testing" }],
        ["/auth/v1/test/auth", { "X-Auth-User": "test:tester", "X-Storage-Pass": "testing" }],
      ] as const) {
        const response = await send("GET", path, { headers, token: false });
        await text(response);
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(200);
        expect(response.headers.get("x-storage-url")).toBe(`${BASE}/v1/AUTH_test`);
      }
    },
  );

  it("a token is issued with swob's default content type, text/html; charset=UTF-8, and no body", async ({
    expect,
  }) => {
    const response = await send("GET", "/auth/v1.0", {
      headers: { "X-Auth-User": "test:tester", "X-Auth-Key": "testing" },
      token: false,
    });
    expect(await answer(response)).toEqual({ status: 200, type: HTML, body: "" });
  });
});

describe("conditional answers and /info (Swift: swob conditional_response, container_sync)", () => {
  it("a 304 keeps the object's headers, Content-Type too, as swob's does", async ({ expect }) => {
    const put = await swift("PUT", `${C}/not-modified`, { headers: { "Content-Type": "text/x-foo" }, body: "x" });
    await text(put);
    for (const method of ["GET", "HEAD"]) {
      const response = await swift(method, `${C}/not-modified`, { headers: { "If-None-Match": "*" } });
      await text(response);
      expect(response.status, method).toBe(304);
      expect(response.headers.get("content-type"), method).toBe("text/x-foo");
      expect(response.headers.get("etag"), method).toBe("9dd4e461268c8034f5c8564e155c67a6");
      expect(response.headers.get("x-timestamp"), method).not.toBeNull();
    }
  });

  it("/info lists container_sync with no realms", async ({ expect }) => {
    const response = await send("GET", "/info", { token: false });
    expect(((await response.json()) as { container_sync?: unknown }).container_sync).toEqual({ realms: {} });
  });
});
