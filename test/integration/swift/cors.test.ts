import { describe, it } from "vitest";
import { swift, text, unique } from "../../helpers";

const ALLOW = "DELETE, HEAD, POST, GET, PUT, OPTIONS";
const OBJECT_ALLOW = `${ALLOW}, COPY`;

/** A container of AUTH_test with CORS metadata and an object `o`. */
async function corsContainer(
  headers: Record<string, string> = {
    "X-Container-Meta-Access-Control-Allow-Origin": "http://a.example http://b.example",
  },
): Promise<string> {
  const name = unique("cors");
  await text(await swift("PUT", `/AUTH_test/${name}`, { headers }));
  await text(await swift("PUT", `/AUTH_test/${name}/o`, { body: "hello", headers: { "X-Object-Meta-Color": "red" } }));
  return name;
}

function preflight(path: string, headers: Record<string, string>): Promise<Response> {
  return swift("OPTIONS", path, { user: null, headers });
}

const exposed = (response: Response) =>
  new Set((response.headers.get("access-control-expose-headers") ?? "").split(", ").filter(Boolean));

const SIMPLE = [
  "cache-control",
  "content-language",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
  "etag",
  "x-timestamp",
  "x-trans-id",
  "x-openstack-request-id",
];

describe("CORS preflight (OPTIONS)", () => {
  it("OPTIONS without Origin returns 200 with Allow at every level, COPY for objects, without a token", async ({
    expect,
  }) => {
    const name = await corsContainer();
    for (const [path, allow] of [
      ["/AUTH_test", ALLOW],
      [`/AUTH_test/${name}`, ALLOW],
      [`/AUTH_test/${name}/o`, OBJECT_ALLOW],
      ["/AUTH_test/no-such-container/o", OBJECT_ALLOW],
    ] as const) {
      const response = await preflight(path, {});
      expect(await text(response)).toBe("");
      expect(response.status).toBe(200);
      expect(response.headers.get("allow")).toBe(allow);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it(
    "a preflight from an allowed origin returns 200 with Allow-Origin, -Methods, " +
      "the asked headers, Max-Age and Vary",
    async ({ expect }) => {
      const name = await corsContainer({
        "X-Container-Meta-Access-Control-Allow-Origin": "http://a.example http://b.example",
        "X-Container-Meta-Access-Control-Max-Age": "99",
      });
      const response = await preflight(`/AUTH_test/${name}/o`, {
        Origin: "http://b.example",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-auth-token, content-type,x-object-meta-a, x-auth-token",
      });
      expect(await text(response)).toBe("");
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe("http://b.example");
      expect(response.headers.get("access-control-allow-methods")).toBe(OBJECT_ALLOW);
      expect(response.headers.get("access-control-allow-headers")).toBe("x-auth-token, content-type, x-object-meta-a");
      expect(response.headers.get("access-control-max-age")).toBe("99");
      expect(response.headers.get("vary")).toBe("Origin, Access-Control-Request-Headers");
      expect(response.headers.get("allow")).toBe(OBJECT_ALLOW);
      const container = await preflight(`/AUTH_test/${name}`, {
        Origin: "http://a.example",
        "Access-Control-Request-Method": "GET",
      });
      await text(container);
      expect(container.status).toBe(200);
      expect(container.headers.get("access-control-allow-methods")).toBe(ALLOW);
      expect(container.headers.get("access-control-max-age")).toBe("99");
      expect(container.headers.get("access-control-allow-headers")).toBeNull();
      expect(container.headers.get("vary")).toBe("Origin");
    },
  );

  it("with Allow-Origin `*` the preflight answers `*` for any origin, without Vary: Origin", async ({ expect }) => {
    const name = await corsContainer({ "X-Container-Meta-Access-Control-Allow-Origin": "*" });
    const response = await preflight(`/AUTH_test/${name}/o`, {
      Origin: "http://anyone.example",
      "Access-Control-Request-Method": "GET",
    });
    await text(response);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("vary")).toBeNull();
  });

  it(
    "a preflight from an origin not allowed, for a method not allowed, without a method, " +
      "or to a missing container returns 401 with Allow",
    async ({ expect }) => {
      const name = await corsContainer();
      const cases: [string, Record<string, string>][] = [
        [`/AUTH_test/${name}/o`, { Origin: "http://evil.example", "Access-Control-Request-Method": "GET" }],
        [`/AUTH_test/${name}/o`, { Origin: "http://a.example", "Access-Control-Request-Method": "PATCH" }],
        [`/AUTH_test/${name}/o`, { Origin: "http://a.example", "Access-Control-Request-Method": "COPY" }],
        [`/AUTH_test/${name}/o`, { Origin: "http://a.example" }],
        ["/AUTH_test/no-such-container/o", { Origin: "http://a.example", "Access-Control-Request-Method": "GET" }],
        [
          `/AUTH_test/${await corsContainer({})}/o`,
          { Origin: "http://a.example", "Access-Control-Request-Method": "GET" },
        ],
      ];
      for (const [path, headers] of cases) {
        const response = await preflight(path, headers);
        expect(await text(response)).toBe(
          "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized " +
            "to access the document you requested.</p></html>",
        );
        expect(response.status).toBe(401);
        expect(response.headers.get("allow")).toBe(ALLOW);
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
      }
    },
  );

  it("an account-level preflight has no CORS: 200 with Allow", async ({ expect }) => {
    const response = await preflight("/AUTH_test", {
      Origin: "http://a.example",
      "Access-Control-Request-Method": "GET",
    });
    await text(response);
    expect(response.status).toBe(200);
    expect(response.headers.get("allow")).toBe(ALLOW);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("OPTIONS with a token of ours that does not verify, or outside the reseller prefix, returns 401", async ({
    expect,
  }) => {
    const forged = await swift("OPTIONS", "/AUTH_test/c/o", {
      user: null,
      headers: { "X-Auth-Token": "AUTH_tkforged" },
    });
    await text(forged);
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toBe('Swift realm="AUTH_test"');
    const outside = await preflight("/other/c", {});
    await text(outside);
    expect(outside.status).toBe(401);
  });
});

describe("CORS on actual requests", () => {
  it(
    "a GET from an allowed origin exposes the simple headers, " +
      "the object's metadata and the container's list, with Allow-Origin and Vary",
    async ({ expect }) => {
      const name = await corsContainer({
        "X-Container-Meta-Access-Control-Allow-Origin": "http://a.example",
        "X-Container-Meta-Access-Control-Expose-Headers": "X-Foo  x-bar",
      });
      const response = await swift("GET", `/AUTH_test/${name}/o`, { headers: { Origin: "http://a.example" } });
      expect(await text(response)).toBe("hello");
      expect(response.headers.get("access-control-allow-origin")).toBe("http://a.example");
      expect(response.headers.get("vary")).toBe("Origin");
      expect(exposed(response)).toEqual(new Set([...SIMPLE, "x-object-meta-color", "x-foo", "x-bar"]));
    },
  );

  it("with Allow-Origin `*` an actual request gets Allow-Origin `*` and no Vary", async ({ expect }) => {
    const name = await corsContainer({ "X-Container-Meta-Access-Control-Allow-Origin": "*" });
    const response = await swift("HEAD", `/AUTH_test/${name}/o`, { headers: { Origin: "http://anyone.example" } });
    await text(response);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("vary")).toBeNull();
  });

  it("container listings expose the container's metadata and add Origin to Vary", async ({ expect }) => {
    const name = await corsContainer();
    const response = await swift("GET", `/AUTH_test/${name}?format=json`, { headers: { Origin: "http://a.example" } });
    await text(response);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://a.example");
    expect(exposed(response).has("x-container-meta-access-control-allow-origin")).toBe(true);
    expect((response.headers.get("vary") ?? "").split(", ")).toContain("Origin");
  });

  it(
    "an origin not allowed gets no CORS headers (strict_cors_mode), " +
      "nor does a request to an account or without Origin",
    async ({ expect }) => {
      const name = await corsContainer();
      for (const [path, headers] of [
        [`/AUTH_test/${name}/o`, { Origin: "http://evil.example" }],
        [`/AUTH_test/${name}/o`, {}],
        ["/AUTH_test", { Origin: "http://a.example" }],
      ] as const) {
        const response = await swift("GET", path, { headers });
        await text(response);
        expect(response.status).toBe(200);
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
        expect(response.headers.get("access-control-expose-headers")).toBeNull();
      }
    },
  );

  it("errors from a controller carry CORS headers (404, a delayed 401); refusals before any controller do not", async ({
    expect,
  }) => {
    const name = await corsContainer();
    const headers = { Origin: "http://a.example" };
    const missing = await swift("GET", `/AUTH_test/${name}/nope`, { headers });
    await text(missing);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("http://a.example");
    const anonymousRead = await swift("GET", `/AUTH_test/${name}/o`, { user: null, headers });
    await text(anonymousRead);
    expect(anonymousRead.status).toBe(401);
    expect(anonymousRead.headers.get("access-control-allow-origin")).toBe("http://a.example");
    for (const [method, path] of [
      ["POST", `/AUTH_test/${name}`],
      ["GET", `/AUTH_test/${name}/o?temp_url_sig=x&temp_url_expires=1`],
      ["PATCH", `/AUTH_test/${name}/o`],
    ] as const) {
      const refused = await swift(method, path, { user: method === "PATCH" ? undefined : null, headers });
      await text(refused);
      expect([401, 405]).toContain(refused.status);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("an object PUT from an allowed origin gets CORS headers", async ({ expect }) => {
    const name = await corsContainer();
    const response = await swift("PUT", `/AUTH_test/${name}/new`, {
      body: "x",
      headers: { Origin: "http://b.example" },
    });
    await text(response);
    expect(response.status).toBe(201);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://b.example");
  });
});
