import { describe, it, vi } from "vitest";
import { exports } from "cloudflare:workers";
import { BASE, swift, text, tokenFor } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("account", () => {
  it("HEAD of an account never written answers 204 with zero counts (account_autocreate)", async ({ expect }) => {
    const response = await swift("HEAD", "/AUTH_test2", { user: ["test2:tester2", "testing2"] });
    await text(response);
    expect(response.status).toBe(204);
    expect(response.headers.get("x-account-container-count")).toBe("0");
    expect(response.headers.get("x-account-object-count")).toBe("0");
    expect(response.headers.get("x-account-bytes-used")).toBe("0");
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  });

  it("GET of an empty account: plain text 204, JSON [] 200, XML an empty account element 200", async ({ expect }) => {
    const user: [string, string] = ["test2:tester2", "testing2"];
    const plain = await swift("GET", "/AUTH_test2", { user });
    expect(plain.status).toBe(204);
    expect(await text(plain)).toBe("");
    const json = await swift("GET", "/AUTH_test2?format=json", { user });
    expect(json.status).toBe(200);
    expect(await text(json)).toBe("[]");
    const xml = await swift("GET", "/AUTH_test2?format=xml", { user });
    expect(xml.status).toBe(200);
    expect(await text(xml)).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_test2">\n</account>');
  });

  it("counts containers, objects and bytes after writes", async ({ expect }) => {
    await text(await swift("PUT", "/AUTH_test/acct-counts"));
    await text(await swift("PUT", "/AUTH_test/acct-counts/a", { body: bytes("12345") }));
    await text(await swift("PUT", "/AUTH_test/acct-counts/b", { body: bytes("123") }));
    const head = await swift("HEAD", "/AUTH_test");
    await text(head);
    expect(Number(head.headers.get("x-account-container-count"))).toBeGreaterThanOrEqual(1);
    // Object counts reach the account just after the object writes are answered.
    const entry = await vi.waitFor(
      async () => {
        const json = await swift("GET", "/AUTH_test?format=json&prefix=acct-counts");
        const [found] = JSON.parse(await text(json)) as {
          name: string;
          count: number;
          bytes: number;
          last_modified: string;
        }[];
        expect(found).toMatchObject({ name: "acct-counts", count: 2, bytes: 8 });
        return found;
      },
      { timeout: 2_000, interval: 20 },
    );
    expect(entry?.last_modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  });

  it("POST sets X-Account-Meta-* (204), an empty value or X-Remove-Account-Meta-* removes it", async ({ expect }) => {
    let response = await swift("POST", "/AUTH_test", {
      headers: { "X-Account-Meta-Color": "blue", "X-Account-Meta-Shape": "round", "X-Account-Meta-Size": "big" },
    });
    await text(response);
    expect(response.status).toBe(204);
    response = await swift("HEAD", "/AUTH_test");
    await text(response);
    expect(response.headers.get("x-account-meta-color")).toBe("blue");
    await text(
      await swift("POST", "/AUTH_test", {
        headers: { "X-Account-Meta-Color": "", "X-Remove-Account-Meta-Shape": "x" },
      }),
    );
    response = await swift("HEAD", "/AUTH_test");
    await text(response);
    expect(response.headers.get("x-account-meta-color")).toBeNull();
    expect(response.headers.get("x-account-meta-shape")).toBeNull();
    expect(response.headers.get("x-account-meta-size")).toBe("big");
  });

  it("POST with a metadata name over 128 bytes returns 400 and stores nothing", async ({ expect }) => {
    const response = await swift("POST", "/AUTH_test", {
      headers: { [`X-Account-Meta-${"a".repeat(129)}`]: "x", "X-Account-Meta-Good": "no" },
    });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe(`Metadata name too long: x-account-meta-A${"a".repeat(128)}`);
    const head = await swift("HEAD", "/AUTH_test");
    await text(head);
    expect(head.headers.get("x-account-meta-good")).toBeNull();
  });

  it("PUT and DELETE of an account by its own .admin user are 403 (only the reseller admin manages accounts)", async ({
    expect,
  }) => {
    for (const method of ["PUT", "DELETE"]) {
      const response = await swift(method, "/AUTH_test");
      await text(response);
      expect(response.status).toBe(403);
    }
    const anonymous = await swift("DELETE", "/AUTH_test", { user: null });
    await text(anonymous);
    expect(anonymous.status).toBe(401);
  });

  it("other methods on an account return 405 with Allow", async ({ expect }) => {
    const response = await swift("COPY", "/AUTH_test");
    await text(response);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("DELETE, HEAD, POST, GET, PUT, OPTIONS");
  });

  it("an account name over 256 bytes returns 400", async ({ expect }) => {
    const response = await swift("HEAD", `/AUTH_${"x".repeat(260)}`, { user: ["admin:admin", "admin"] });
    await text(response);
    expect(response.status).toBe(400);
  });
});

describe("paths", () => {
  it("an unknown API version returns 400; a path without an account returns 412 Bad URL; / returns 404", async ({
    expect,
  }) => {
    const cases: [string, number][] = [
      ["/v2/AUTH_test", 400],
      ["/foo", 412],
      ["/v1", 412],
      ["/v1/", 412],
      ["/", 404],
    ];
    for (const [path, status] of cases) {
      const response = await exports.default.fetch(`${BASE}${path}`, { headers: { "X-Auth-Token": await tokenFor() } });
      const body = await response.text();
      expect(response.status, path).toBe(status);
      if (status === 412) expect(body).toBe("Bad URL");
    }
  });

  it("an empty container segment before an object returns 404", async ({ expect }) => {
    const empty = await swift("GET", "/AUTH_test//o");
    await text(empty);
    expect(empty.status).toBe(404);
  });

  it("a path that is not UTF-8 returns 412", async ({ expect }) => {
    const response = await swift("GET", "/AUTH_test/%FF%FE");
    expect(response.status).toBe(412);
    expect(await text(response)).toBe("Invalid UTF8 or contains NULL");
  });

  it("a path with a NUL returns 412", async ({ expect }) => {
    const response = await swift("GET", "/AUTH_test/c%00d");
    await text(response);
    expect(response.status).toBe(412);
  });
});
