/**
 * Container sync settings as Swift 2.30 keeps them with its default configuration (checked
 * against a SAIO: no realms in container-sync-realms.conf, allowed_sync_hosts 127.0.0.1,
 * allow_full_urls true): X-Container-Sync-Key and a valid X-Container-Sync-To are stored on
 * container PUT and POST and shown to the container's owner only; an X-Container-Sync-To Swift
 * cannot sync to is refused with 400 and its message. No syncing happens (no sync daemon).
 * Swift: container/server.py PUT/POST, common/utils.py validate_sync_to,
 * common/middleware/container_sync.py, proxy/server.py swift_owner_headers.
 */

import { describe, it } from "vitest";
import { swift, text } from "../../helpers";

const A = "/AUTH_test";
const TESTER3: [string, string] = ["test:tester3", "testing3"];
const SYNC_TO = "http://127.0.0.1:8080/v1/AUTH_test/sync-other";

async function send(
  method: string,
  path: string,
  init: Parameters<typeof swift>[2] = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await swift(method, path, init);
  return { status: response.status, body: await text(response), headers: response.headers };
}

describe("container sync settings", () => {
  it(
    "X-Container-Sync-Key and X-Container-Sync-To are stored on container PUT " +
      "and shown to the owner on HEAD and GET",
    async ({ expect }) => {
      const put = await send("PUT", `${A}/sync-put`, {
        headers: { "X-Container-Sync-Key": "secret", "X-Container-Sync-To": SYNC_TO },
      });
      expect(put.status).toBe(201);
      for (const method of ["HEAD", "GET"]) {
        const got = await send(method, `${A}/sync-put`);
        expect(got.headers.get("x-container-sync-key")).toBe("secret");
        expect(got.headers.get("x-container-sync-to")).toBe(SYNC_TO);
      }
    },
  );

  it("container POST sets, changes and removes them (an empty value or X-Remove-Container-Sync-*)", async ({
    expect,
  }) => {
    await send("PUT", `${A}/sync-post`);
    expect(
      (
        await send("POST", `${A}/sync-post`, {
          headers: { "X-Container-Sync-Key": "one", "X-Container-Sync-To": SYNC_TO },
        })
      ).status,
    ).toBe(204);
    let head = await send("HEAD", `${A}/sync-post`);
    expect(head.headers.get("x-container-sync-key")).toBe("one");
    expect(head.headers.get("x-container-sync-to")).toBe(SYNC_TO);
    await send("POST", `${A}/sync-post`, { headers: { "X-Container-Sync-Key": "two" } });
    head = await send("HEAD", `${A}/sync-post`);
    expect(head.headers.get("x-container-sync-key")).toBe("two");
    expect(head.headers.get("x-container-sync-to")).toBe(SYNC_TO);
    await send("POST", `${A}/sync-post`, {
      headers: { "X-Remove-Container-Sync-Key": "x", "X-Container-Sync-To": "" },
    });
    head = await send("HEAD", `${A}/sync-post`);
    expect(head.headers.get("x-container-sync-key")).toBeNull();
    expect(head.headers.get("x-container-sync-to")).toBeNull();
  });

  it("a user with only a read ACL and an anonymous reader do not see them", async ({ expect }) => {
    await send("PUT", `${A}/sync-hidden`, {
      headers: {
        "X-Container-Sync-Key": "secret",
        "X-Container-Sync-To": SYNC_TO,
        "X-Container-Read": "test:tester3,.r:*,.rlistings",
      },
    });
    for (const user of [TESTER3, null]) {
      for (const method of ["HEAD", "GET"]) {
        const got = await send(method, `${A}/sync-hidden`, { user });
        expect(got.status).toBe(204);
        expect(got.headers.get("x-container-sync-key")).toBeNull();
        expect(got.headers.get("x-container-sync-to")).toBeNull();
      }
    }
  });

  it("a container POST setting them by a user with only the write ACL returns 403 and stores nothing", async ({
    expect,
  }) => {
    await send("PUT", `${A}/sync-nonowner`, { headers: { "X-Container-Write": "test:tester3" } });
    expect(
      (await send("POST", `${A}/sync-nonowner`, { headers: { "X-Container-Sync-Key": "mine" }, user: TESTER3 })).status,
    ).toBe(403);
    expect((await send("HEAD", `${A}/sync-nonowner`)).headers.get("x-container-sync-key")).toBeNull();
  });

  it("an X-Container-Sync-To Swift cannot sync to returns 400 with Swift's message and stores nothing", async ({
    expect,
  }) => {
    const cases: [string, string][] = [
      ["//realm/cluster/AUTH_test/other", "No realm key for 'realm'"],
      ["//realm/other", "Invalid X-Container-Sync-To format '//realm/other'"],
      ["http://example.com/v1/AUTH_test/other", "Invalid host 'example.com' in X-Container-Sync-To"],
      ["http://LOCALHOST:8080/v1/AUTH_test/other", "Invalid host 'localhost' in X-Container-Sync-To"],
      ["foo", `Invalid scheme '' in X-Container-Sync-To, must be "//", "http", or "https".`],
      [
        "ftp://127.0.0.1/v1/AUTH_test/other",
        `Invalid scheme 'ftp' in X-Container-Sync-To, must be "//", "http", or "https".`,
      ],
      ["http://127.0.0.1/", "Path required in X-Container-Sync-To"],
      ["http://127.0.0.1/v1/AUTH_test/other?x=1", "Params, queries, and fragments not allowed in X-Container-Sync-To"],
      ["http://127.0.0.1/v1/AUTH_test/other;p", "Params, queries, and fragments not allowed in X-Container-Sync-To"],
    ];
    for (const [value, message] of cases) {
      const put = await send("PUT", `${A}/sync-bad`, { headers: { "X-Container-Sync-To": value } });
      expect([put.status, put.body]).toEqual([400, message]);
    }
    expect((await send("HEAD", `${A}/sync-bad`)).status).toBe(404);
    await send("PUT", `${A}/sync-bad`);
    const post = await send("POST", `${A}/sync-bad`, {
      headers: { "X-Container-Sync-To": "http://example.com/v1/AUTH_test/other" },
    });
    expect([post.status, post.body]).toEqual([400, "Invalid host 'example.com' in X-Container-Sync-To"]);
    expect((await send("HEAD", `${A}/sync-bad`)).headers.get("x-container-sync-to")).toBeNull();
  });

  it("an https URL on an allowed host, an upper-case scheme and the bare // are accepted as sent", async ({
    expect,
  }) => {
    for (const value of ["https://127.0.0.1/v1/AUTH_test/other", "HTTP://127.0.0.1/v1/AUTH_test/other", "//"]) {
      await send("PUT", `${A}/sync-good`);
      expect((await send("POST", `${A}/sync-good`, { headers: { "X-Container-Sync-To": value } })).status).toBe(204);
      expect((await send("HEAD", `${A}/sync-good`)).headers.get("x-container-sync-to")).toBe(value);
    }
  });
});
