import { exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import { BASE, swift, text, unique } from "../../helpers";

const ADMIN: [string, string] = ["admin:admin", "admin"];
const TESTER3: [string, string] = ["test:tester3", "testing3"];
const TESTER2: [string, string] = ["test2:tester2", "testing2"];

/** Status of a request, its body consumed. */
async function status(method: string, path: string, init: Parameters<typeof swift>[2] = {}): Promise<number> {
  const response = await swift(method, path, init);
  await text(response);
  return response.status;
}

/** A container of AUTH_test with one object `o` ("hello"), its ACLs as given. */
async function container(headers: Record<string, string> = {}): Promise<string> {
  const name = unique("acl");
  const put = await swift("PUT", `/AUTH_test/${name}`, { headers });
  await text(put);
  if (put.status !== 201) throw new Error(`container PUT ${put.status}`);
  await text(await swift("PUT", `/AUTH_test/${name}/o`, { body: "hello", headers: { "X-Object-Meta-Color": "red" } }));
  return name;
}

/**
 * A new account whose X-Account-Access-Control is `acl`, set by the reseller admin, with container `c` and object
 * `c/o`.
 */
async function accountWith(acl: Record<string, string[]>): Promise<string> {
  const account = `AUTH_${unique("acct")}`;
  const put = await swift("PUT", `/${account}`, {
    user: ADMIN,
    headers: { "X-Account-Access-Control": JSON.stringify(acl), "X-Account-Meta-Temp-URL-Key": "secret" },
  });
  await text(put);
  if (put.status !== 201) throw new Error(`account PUT ${put.status}`);
  await text(
    await swift("PUT", `/${account}/c`, {
      user: ADMIN,
      headers: { "X-Container-Read": "test2", "X-Container-Meta-Temp-URL-Key": "ckey" },
    }),
  );
  await text(await swift("PUT", `/${account}/c/o`, { user: ADMIN, body: "hello" }));
  return account;
}

describe("container ACLs", () => {
  it(
    "without an ACL, another account's user gets 403 and an anonymous caller 401, " +
      "whether or not the object or container exists",
    async ({ expect }) => {
      const name = await container();
      for (const path of [
        `/AUTH_test/${name}/o`,
        `/AUTH_test/${name}/missing`,
        `/AUTH_test/${name}`,
        "/AUTH_test/no-such-container",
        "/AUTH_test/no-such-container/o",
      ]) {
        for (const method of ["GET", "HEAD"]) {
          expect(await status(method, path, { user: TESTER2 })).toBe(403);
          const anonymous = await swift(method, path, { user: null });
          expect(await text(anonymous)).toBe(
            method === "GET"
              ? "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized " +
                  "to access the document you requested.</p></html>"
              : "",
          );
          expect(anonymous.status).toBe(401);
          expect(anonymous.headers.get("www-authenticate")).toBe('Swift realm="AUTH_test"');
        }
      }
      expect(await status("GET", `/AUTH_test/${name}/o`, { user: TESTER3 })).toBe(403);
      expect(await status("PUT", `/AUTH_test/${name}/o2`, { user: null, body: "x" })).toBe(401);
      expect(await status("DELETE", `/AUTH_test/${name}/o`, { user: TESTER2 })).toBe(403);
    },
  );

  it("X-Container-Read: .r:* lets anyone GET and HEAD objects, but listing the container is refused (401)", async ({
    expect,
  }) => {
    const name = await container({ "X-Container-Read": ".r:*" });
    const got = await swift("GET", `/AUTH_test/${name}/o`, { user: null });
    expect(await text(got)).toBe("hello");
    expect(got.status).toBe(200);
    expect(got.headers.get("x-object-meta-color")).toBe("red");
    expect(await status("HEAD", `/AUTH_test/${name}/o`, { user: null })).toBe(200);
    expect(await status("GET", `/AUTH_test/${name}/missing`, { user: null })).toBe(404);
    expect(await status("GET", `/AUTH_test/${name}`, { user: null })).toBe(401);
    expect(await status("HEAD", `/AUTH_test/${name}`, { user: null })).toBe(401);
    expect(await status("PUT", `/AUTH_test/${name}/o`, { user: null, body: "x" })).toBe(401);
    expect(await status("DELETE", `/AUTH_test/${name}/o`, { user: TESTER2 })).toBe(403);
  });

  it("X-Container-Read: .r:*,.rlistings also lets anyone list the container with GET and HEAD", async ({ expect }) => {
    const name = await container({ "X-Container-Read": ".r:*,.rlistings" });
    const listing = await swift("GET", `/AUTH_test/${name}`, { user: null });
    expect(await text(listing)).toBe("o\n");
    expect(listing.status).toBe(200);
    expect(await status("HEAD", `/AUTH_test/${name}`, { user: null })).toBe(204);
    expect(await status("POST", `/AUTH_test/${name}`, { user: null })).toBe(401);
    expect(await status("DELETE", `/AUTH_test/${name}`, { user: TESTER2 })).toBe(403);
  });

  it("a referrer ACL admits a matching Referer host and refuses others; .r:-host denies that host", async ({
    expect,
  }) => {
    const name = await container({ "X-Container-Read": ".r:.example.com,.r:-bad.example.com" });
    const path = `/AUTH_test/${name}/o`;
    expect(await status("GET", path, { user: null, headers: { Referer: "http://www.example.com/page" } })).toBe(200);
    expect(await status("GET", path, { user: null, headers: { Referer: "https://EXAMPLE.example.com:8443/x" } })).toBe(
      200,
    );
    expect(await status("GET", path, { user: null, headers: { Referer: "http://bad.example.com/page" } })).toBe(401);
    expect(await status("GET", path, { user: null, headers: { Referer: "http://example.org/" } })).toBe(401);
    expect(await status("GET", path, { user: null })).toBe(401);
    expect(await status("GET", path, { user: TESTER2, headers: { Referer: "http://bad.example.com/" } })).toBe(403);
  });

  it("a read ACL naming account:user lets that user read objects and list the container, but not write (403)", async ({
    expect,
  }) => {
    const name = await container({ "X-Container-Read": "test:tester3" });
    expect(await status("GET", `/AUTH_test/${name}/o`, { user: TESTER3 })).toBe(200);
    const listing = await swift("GET", `/AUTH_test/${name}`, { user: TESTER3 });
    expect(await text(listing)).toBe("o\n");
    expect(await status("PUT", `/AUTH_test/${name}/o`, { user: TESTER3, body: "x" })).toBe(403);
    expect(await status("POST", `/AUTH_test/${name}/o`, { user: TESTER3 })).toBe(403);
    expect(await status("POST", `/AUTH_test/${name}`, { user: TESTER3 })).toBe(403);
    expect(await status("GET", `/AUTH_test/${name}/o`, { user: TESTER2 })).toBe(403);
  });

  it("a read ACL naming an account lets every user of that account read; `*` is no wildcard in tempauth (403)", async ({
    expect,
  }) => {
    const byAccount = await container({ "X-Container-Read": "test2" });
    expect(await status("GET", `/AUTH_test/${byAccount}/o`, { user: TESTER2 })).toBe(200);
    const star = await container({ "X-Container-Read": "*" });
    expect(await status("GET", `/AUTH_test/${star}/o`, { user: TESTER2 })).toBe(403);
    expect(await status("GET", `/AUTH_test/${star}/o`, { user: null })).toBe(401);
  });

  it(
    "X-Container-Write lets the named user PUT, POST and DELETE objects, " +
      "not read them nor POST or DELETE the container (403)",
    async ({ expect }) => {
      const name = await container({ "X-Container-Write": "test2:tester2" });
      expect(await status("PUT", `/AUTH_test/${name}/w`, { user: TESTER2, body: "written" })).toBe(201);
      expect(await status("POST", `/AUTH_test/${name}/w`, { user: TESTER2, headers: { "X-Object-Meta-A": "1" } })).toBe(
        202,
      );
      expect(await status("GET", `/AUTH_test/${name}/w`, { user: TESTER2 })).toBe(403);
      expect(await status("GET", `/AUTH_test/${name}`, { user: TESTER2 })).toBe(403);
      expect(await status("POST", `/AUTH_test/${name}`, { user: TESTER2 })).toBe(403);
      expect(await status("DELETE", `/AUTH_test/${name}`, { user: TESTER2 })).toBe(403);
      expect(await status("DELETE", `/AUTH_test/${name}/w`, { user: TESTER2 })).toBe(204);
      expect(await status("GET", `/AUTH_test/${name}/w`)).toBe(404);
      expect(await status("PUT", `/AUTH_test/${name}/w`, { user: TESTER3, body: "x" })).toBe(403);
    },
  );

  it("invalid ACLs on container PUT and POST return 400 with clean_acl's message and change nothing", async ({
    expect,
  }) => {
    const cases: [Record<string, string>, string][] = [
      [{ "X-Container-Read": ".r:" }, "No host/domain value after referrer designation in ACL: '.r:'"],
      [{ "X-Container-Read": ".r:-" }, "No host/domain value after referrer designation in ACL: '.r:-'"],
      [{ "X-Container-Read": ".r:*." }, "No host/domain value after referrer designation in ACL: '.r:*.'"],
      [{ "X-Container-Write": ".r:*" }, "Referrers not allowed in write ACL: '.r:*'"],
      [{ "X-Container-Read": "bob, .foo:bar" }, "Unknown designator '.foo' in ACL: '.foo:bar'"],
    ];
    const existing = await container();
    for (const [headers, message] of cases) {
      const name = unique("bad-acl");
      const put = await swift("PUT", `/AUTH_test/${name}`, { headers });
      expect(await text(put)).toBe(message);
      expect(put.status).toBe(400);
      expect(put.headers.get("content-type")).toBe("text/html; charset=UTF-8");
      expect(await status("HEAD", `/AUTH_test/${name}`)).toBe(404);
      const post = await swift("POST", `/AUTH_test/${existing}`, { headers });
      expect(await text(post)).toBe(message);
      expect(post.status).toBe(400);
    }
    const head = await swift("HEAD", `/AUTH_test/${existing}`);
    await text(head);
    expect(head.headers.get("x-container-read")).toBeNull();
  });

  it("ACLs are stored cleaned, as clean_acl writes them", async ({ expect }) => {
    const name = await container({
      "X-Container-Read": " .referrer : *.example.com, bob ,,sue:x ,.rlistings",
      "X-Container-Write": "bob , sue",
    });
    const head = await swift("HEAD", `/AUTH_test/${name}`);
    await text(head);
    expect(head.headers.get("x-container-read")).toBe(".r:.example.com,bob,sue:x,.rlistings");
    expect(head.headers.get("x-container-write")).toBe("bob,sue");
    await text(await swift("POST", `/AUTH_test/${name}`, { headers: { "X-Remove-Container-Read": "x" } }));
    const removed = await swift("HEAD", `/AUTH_test/${name}`);
    await text(removed);
    expect(removed.headers.get("x-container-read")).toBeNull();
  });

  it("a reader sees no owner-only headers (ACLs, Temp-URL keys) in container HEAD and GET", async ({ expect }) => {
    const name = await container({
      "X-Container-Read": "test:tester3",
      "X-Container-Write": "test2",
      "X-Container-Meta-Temp-URL-Key": "k1",
      "X-Container-Meta-Temp-URL-Key-2": "k2",
      "X-Container-Meta-Shown": "yes",
    });
    for (const method of ["HEAD", "GET"]) {
      const response = await swift(method, `/AUTH_test/${name}`, { user: TESTER3 });
      await text(response);
      expect(response.headers.get("x-container-meta-shown")).toBe("yes");
      for (const hidden of [
        "x-container-read",
        "x-container-write",
        "x-container-meta-temp-url-key",
        "x-container-meta-temp-url-key-2",
      ]) {
        expect(response.headers.get(hidden)).toBeNull();
      }
      const owner = await swift(method, `/AUTH_test/${name}`);
      await text(owner);
      expect(owner.headers.get("x-container-read")).toBe("test:tester3");
      expect(owner.headers.get("x-container-meta-temp-url-key")).toBe("k1");
    }
  });

  it("a token of ours that does not verify gets 401 even on a public container", async ({ expect }) => {
    const name = await container({ "X-Container-Read": ".r:*" });
    const response = await swift("GET", `/AUTH_test/${name}/o`, {
      user: null,
      headers: { "X-Auth-Token": "AUTH_tkforged" },
    });
    await text(response);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Swift realm="AUTH_test"');
    expect(await status("GET", `/AUTH_test/${name}/o`, { user: null, headers: { "X-Auth-Token": "not-ours" } })).toBe(
      200,
    );
  });

  it("an account outside the reseller prefix is refused to everyone but nothing is leaked (401)", async ({
    expect,
  }) => {
    expect(await status("GET", "/other/c/o", { user: null })).toBe(401);
    expect(await status("GET", "/other/c/o", { user: TESTER2 })).toBe(403);
  });
});

describe("account ACLs (X-Account-Access-Control)", () => {
  it("read-only lets a user list the account and containers and read objects; every write gets 403", async ({
    expect,
  }) => {
    const account = await accountWith({ "read-only": ["test:tester3"] });
    const listing = await swift("GET", `/${account}`, { user: TESTER3 });
    expect(await text(listing)).toBe("c\n");
    expect(listing.status).toBe(200);
    expect(await status("HEAD", `/${account}`, { user: TESTER3 })).toBe(204);
    expect(await status("GET", `/${account}/c`, { user: TESTER3 })).toBe(200);
    expect(await status("GET", `/${account}/c/o`, { user: TESTER3 })).toBe(200);
    for (const [method, path] of [
      ["PUT", `/${account}/c/o2`],
      ["POST", `/${account}/c/o`],
      ["DELETE", `/${account}/c/o`],
      ["PUT", `/${account}/c2`],
      ["POST", `/${account}/c`],
      ["DELETE", `/${account}/c`],
      ["POST", `/${account}`],
    ] as const) {
      expect(await status(method, path, { user: TESTER3, body: method === "PUT" ? "x" : null })).toBe(403);
    }
    expect(await status("GET", `/${account}/c/o`, { user: ["test:tester", "testing"] })).toBe(403);
    expect(await status("GET", `/${account}`, { user: null })).toBe(401);
  });

  it(
    "read-write adds container and object writes, but not account POST (403); " + "its owner-only headers are dropped",
    async ({ expect }) => {
      const account = await accountWith({ "read-write": ["test:tester3"] });
      expect(
        await status("PUT", `/${account}/c2`, {
          user: TESTER3,
          headers: {
            "X-Container-Read": ".r:*",
            "X-Container-Meta-Temp-URL-Key": "mine",
            "X-Container-Meta-Kept": "1",
          },
        }),
      ).toBe(201);
      const head = await swift("HEAD", `/${account}/c2`, { user: ADMIN });
      await text(head);
      expect(head.headers.get("x-container-meta-kept")).toBe("1");
      expect(head.headers.get("x-container-read")).toBeNull();
      expect(head.headers.get("x-container-meta-temp-url-key")).toBeNull();
      expect(await status("GET", `/${account}/c2/o`, { user: null })).toBe(401);
      expect(await status("PUT", `/${account}/c2/o`, { user: TESTER3, body: "x" })).toBe(201);
      expect(
        await status("POST", `/${account}/c2`, {
          user: TESTER3,
          headers: { "X-Container-Meta-B": "2", "X-Remove-Container-Read": "x" },
        }),
      ).toBe(204);
      expect(
        await status("POST", `/${account}/c`, { user: TESTER3, headers: { "X-Remove-Container-Read": "x" } }),
      ).toBe(204);
      const kept = await swift("HEAD", `/${account}/c`, { user: ADMIN });
      await text(kept);
      expect(kept.headers.get("x-container-read")).toBe("test2");
      expect(await status("DELETE", `/${account}/c2/o`, { user: TESTER3 })).toBe(204);
      expect(await status("DELETE", `/${account}/c2`, { user: TESTER3 })).toBe(204);
      expect(await status("POST", `/${account}`, { user: TESTER3, headers: { "X-Account-Meta-A": "1" } })).toBe(403);
      expect(
        await status("POST", `/${account}`, {
          user: TESTER3,
          headers: { "X-Account-Access-Control": '{"admin":["test:tester3"]}' },
        }),
      ).toBe(403);
    },
  );

  it("admin makes a user an owner: it sees the account ACL and Temp-URL keys and may change them", async ({
    expect,
  }) => {
    const account = await accountWith({ admin: ["test:tester3"] });
    const head = await swift("HEAD", `/${account}`, { user: TESTER3 });
    await text(head);
    expect(head.headers.get("x-account-access-control")).toBe('{"admin":["test:tester3"]}');
    expect(head.headers.get("x-account-meta-temp-url-key")).toBe("secret");
    const container = await swift("HEAD", `/${account}/c`, { user: TESTER3 });
    await text(container);
    expect(container.headers.get("x-container-read")).toBe("test2");
    expect(
      await status("POST", `/${account}/c`, { user: TESTER3, headers: { "X-Container-Write": "test:tester" } }),
    ).toBe(204);
    expect(await status("POST", `/${account}`, { user: TESTER3, headers: { "X-Account-Meta-B": "2" } })).toBe(204);
  });

  it("users the account ACL does not name, and anonymous callers, see none of it: 403 and 401", async ({ expect }) => {
    const account = await accountWith({ "read-only": ["test:tester3"], "read-write": ["nobody"] });
    expect(await status("HEAD", `/${account}`, { user: ["test:tester", "testing"] })).toBe(403);
    expect(await status("HEAD", `/${account}`, { user: null })).toBe(401);
    const reader = await swift("HEAD", `/${account}`, { user: TESTER3 });
    await text(reader);
    expect(reader.status).toBe(204);
    expect(reader.headers.get("x-account-access-control")).toBeNull();
    expect(reader.headers.get("x-account-meta-temp-url-key")).toBeNull();
    const listing = await swift("GET", `/${account}/c`, { user: TESTER3 });
    await text(listing);
    expect(listing.headers.get("x-container-read")).toBeNull();
    expect(listing.headers.get("x-container-meta-temp-url-key")).toBeNull();
  });

  it("the owner sees X-Account-Access-Control in Swift's normal form; {} removes it", async ({ expect }) => {
    const account = `AUTH_${unique("acct")}`;
    const acl = '{ "read-only" : ["b", "a\\u00e9"], "admin": [] }';
    expect(await status("PUT", `/${account}`, { user: ADMIN, headers: { "X-Account-Access-Control": acl } })).toBe(201);
    const head = await swift("HEAD", `/${account}`, { user: ADMIN });
    await text(head);
    expect(head.headers.get("x-account-access-control")).toBe('{"admin":[],"read-only":["b","a\\u00e9"]}');
    expect(await status("POST", `/${account}`, { user: ADMIN, headers: { "X-Account-Access-Control": "{}" } })).toBe(
      204,
    );
    const cleared = await swift("HEAD", `/${account}`, { user: ADMIN });
    await text(cleared);
    expect(cleared.headers.get("x-account-access-control")).toBeNull();
  });

  it("an invalid X-Account-Access-Control returns 400 with tempauth's message, on any request", async ({ expect }) => {
    const cases: [string, string][] = [
      ["it's", `Syntax error in input ("it's")`],
      ["[1]", "Syntax error in input ('[1]')"],
      ['{"foo":[]}', 'Key "foo" not recognized'],
      ['{"admin":"x"}', 'Value for key "admin" must be a list'],
      ['{"read-only":[1]}', 'Elements of "read-only" list must be strings'],
    ];
    for (const [value, error] of cases) {
      const response = await swift("POST", "/AUTH_test", { headers: { "X-Account-Access-Control": value } });
      expect(await text(response)).toBe(`X-Account-Access-Control invalid: ${error}\n\nInput: ${value}\n`);
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    }
    expect(
      await status("GET", "/AUTH_test/anything/o", { user: TESTER2, headers: { "X-Account-Access-Control": "nope" } }),
    ).toBe(400);
    const head = await swift("HEAD", "/AUTH_test");
    await text(head);
    expect(head.headers.get("x-account-access-control")).toBeNull();
  });

  it("/info announces tempauth account ACLs", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = (await response.json()) as { tempauth: { account_acls: boolean } };
    expect(info.tempauth.account_acls).toBe(true);
  });
});
