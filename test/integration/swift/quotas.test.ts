import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const A = "/AUTH_test";
const ADMIN: [string, string] = ["admin:admin", "admin"];
const TESTER2: [string, string] = ["test2:tester2", "testing2"];

async function send(
  method: string,
  path: string,
  init: Parameters<typeof swift>[2] = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await swift(method, path, init);
  return { status: response.status, body: await text(response), headers: response.headers };
}

beforeAll(async () => {
  await send("PUT", `${A}/quota-src`);
  await send("PUT", `${A}/quota-src/ten`, { body: bytes("0123456789") });
});

describe("container quotas", () => {
  it("X-Container-Meta-Quota-Bytes that is not an integer returns 400 'Invalid bytes quota.' on PUT and POST", async ({
    expect,
  }) => {
    for (const value of ["abc", "-1", "1.5"]) {
      const put = await send("PUT", `${A}/quota-bad-bytes`, { headers: { "X-Container-Meta-Quota-Bytes": value } });
      expect(put.status).toBe(400);
      expect(put.body).toBe("Invalid bytes quota.");
    }
    await send("PUT", `${A}/quota-bad-bytes`);
    const post = await send("POST", `${A}/quota-bad-bytes`, { headers: { "X-Container-Meta-Quota-Bytes": "many" } });
    expect(post.status).toBe(400);
    expect(post.body).toBe("Invalid bytes quota.");
  });

  it("X-Container-Meta-Quota-Count that is not an integer returns 400 'Invalid count quota.'", async ({ expect }) => {
    const put = await send("PUT", `${A}/quota-bad-count`, { headers: { "X-Container-Meta-Quota-Count": "x" } });
    expect(put.status).toBe(400);
    expect(put.body).toBe("Invalid count quota.");
    await send("PUT", `${A}/quota-bad-count`);
    const post = await send("POST", `${A}/quota-bad-count`, { headers: { "X-Container-Meta-Quota-Count": "1e3" } });
    expect(post.status).toBe(400);
    expect(post.body).toBe("Invalid count quota.");
  });

  it("integer quotas are stored as container metadata, and an empty value removes them", async ({ expect }) => {
    expect(
      (
        await send("PUT", `${A}/quota-meta`, {
          headers: { "X-Container-Meta-Quota-Bytes": "100", "X-Container-Meta-Quota-Count": "3" },
        })
      ).status,
    ).toBe(201);
    const head = await send("HEAD", `${A}/quota-meta`);
    expect(head.headers.get("x-container-meta-quota-bytes")).toBe("100");
    expect(head.headers.get("x-container-meta-quota-count")).toBe("3");
    expect((await send("POST", `${A}/quota-meta`, { headers: { "X-Container-Meta-Quota-Bytes": "" } })).status).toBe(
      204,
    );
    const after = await send("HEAD", `${A}/quota-meta`);
    expect(after.headers.get("x-container-meta-quota-bytes")).toBeNull();
  });

  it(
    "an object PUT that would take the container past its bytes quota " +
      "returns 413 'Upload exceeds quota.'; one that reaches it exactly is stored",
    async ({ expect }) => {
      await send("PUT", `${A}/quota-bytes`, { headers: { "X-Container-Meta-Quota-Bytes": "5" } });
      const over = await send("PUT", `${A}/quota-bytes/big`, { body: bytes("123456") });
      expect(over.status).toBe(413);
      expect(over.body).toBe("Upload exceeds quota.");
      expect((await send("HEAD", `${A}/quota-bytes/big`)).status).toBe(404);
      expect((await send("PUT", `${A}/quota-bytes/fits`, { body: bytes("12345") })).status).toBe(201);
    },
  );

  it("an object PUT past the count quota returns 413 'Upload exceeds quota.'", async ({ expect }) => {
    await send("PUT", `${A}/quota-count`);
    await send("PUT", `${A}/quota-count/a`, { body: bytes("a") });
    await send("PUT", `${A}/quota-count/b`, { body: bytes("b") });
    await send("POST", `${A}/quota-count`, { headers: { "X-Container-Meta-Quota-Count": "2" } });
    const over = await send("PUT", `${A}/quota-count/c`, { body: bytes("c") });
    expect(over.status).toBe(413);
    expect(over.body).toBe("Upload exceeds quota.");
  });

  it("COPY and PUT with X-Copy-From into a container whose quota the source would pass return 413", async ({
    expect,
  }) => {
    await send("PUT", `${A}/quota-copy`, { headers: { "X-Container-Meta-Quota-Bytes": "9" } });
    const copy = await send("COPY", `${A}/quota-src/ten`, { headers: { Destination: "quota-copy/ten" } });
    expect(copy.status).toBe(413);
    expect(copy.body).toBe("Upload exceeds quota.");
    const copyFrom = await send("PUT", `${A}/quota-copy/ten`, {
      headers: { "X-Copy-From": "quota-src/ten", "Content-Length": "0" },
    });
    expect(copyFrom.status).toBe(413);
    expect((await send("HEAD", `${A}/quota-copy/ten`)).status).toBe(404);
  });

  it("a chunked PUT counts as zero bytes (Swift checks Content-Length only)", async ({ expect }) => {
    await send("PUT", `${A}/quota-chunked`, { headers: { "X-Container-Meta-Quota-Bytes": "1" } });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("more than one byte"));
        controller.close();
      },
    });
    expect(
      (await send("PUT", `${A}/quota-chunked/o`, { body, headers: { "Transfer-Encoding": "chunked" } })).status,
    ).toBe(201);
  });

  it("a quota on a container does not limit other containers or object POST and DELETE", async ({ expect }) => {
    await send("PUT", `${A}/quota-zero`, { headers: { "X-Container-Meta-Quota-Bytes": "20" } });
    await send("PUT", `${A}/quota-zero/o`, { body: bytes("x") });
    await send("POST", `${A}/quota-zero`, {
      headers: { "X-Container-Meta-Quota-Bytes": "0", "X-Container-Meta-Quota-Count": "0" },
    });
    expect((await send("POST", `${A}/quota-zero/o`, { headers: { "X-Object-Meta-A": "1" } })).status).toBe(202);
    expect((await send("DELETE", `${A}/quota-zero/o`)).status).toBe(204);
    expect((await send("PUT", `${A}/quota-src/other`, { body: bytes("123456789012") })).status).toBe(201);
  });
});

describe("account quotas", () => {
  it("the account's owner setting X-Account-Meta-Quota-Bytes gets 403 and nothing is stored", async ({ expect }) => {
    const post = await send("POST", A, { headers: { "X-Account-Meta-Quota-Bytes": "100" } });
    expect(post.status).toBe(403);
    const empty = await send("POST", A, { headers: { "X-Account-Meta-Quota-Bytes": "" } });
    expect(empty.status).toBe(403);
    const head = await send("HEAD", A);
    expect(head.headers.get("x-account-meta-quota-bytes")).toBeNull();
  });

  it("the account's owner removing the quota with X-Remove-Account-Meta-Quota-Bytes gets 403", async ({ expect }) => {
    const post = await send("POST", A, { headers: { "X-Remove-Account-Meta-Quota-Bytes": "x" } });
    expect(post.status).toBe(403);
  });

  it("a reseller admin setting a quota that is not an integer gets 400", async ({ expect }) => {
    const post = await send("POST", "/AUTH_test2", { headers: { "X-Account-Meta-Quota-Bytes": "lots" }, user: ADMIN });
    expect(post.status).toBe(400);
  });

  it("quota headers on container requests mean nothing and are not refused", async ({ expect }) => {
    expect(
      (await send("PUT", `${A}/quota-acct-header`, { headers: { "X-Account-Meta-Quota-Bytes": "1" } })).status,
    ).toBe(201);
  });

  it(
    "once a reseller admin sets X-Account-Meta-Quota-Bytes, " +
      "an object PUT that would pass it returns 413 'Upload exceeds quota.'",
    async ({ expect }) => {
      await send("PUT", "/AUTH_test2/quota", { user: TESTER2 });
      const set = await send("PUT", "/AUTH_test2", { headers: { "X-Account-Meta-Quota-Bytes": "10" }, user: ADMIN });
      expect(set.status).toBe(202);
      const head = await send("HEAD", "/AUTH_test2", { user: TESTER2 });
      expect(head.headers.get("x-account-meta-quota-bytes")).toBe("10");
      const over = await send("PUT", "/AUTH_test2/quota/big", { body: bytes("12345678901"), user: TESTER2 });
      expect(over.status).toBe(413);
      expect(over.body).toBe("Upload exceeds quota.");
      // The reseller admin's own writes are not limited.
      expect((await send("PUT", "/AUTH_test2/quota/admin", { body: bytes("12345678901"), user: ADMIN })).status).toBe(
        201,
      );
      // Container PUT and object POST are not writes the quota counts.
      expect((await send("PUT", "/AUTH_test2/quota2", { user: TESTER2 })).status).toBe(201);
      expect(
        (await send("POST", "/AUTH_test2/quota/admin", { headers: { "X-Object-Meta-A": "b" }, user: TESTER2 })).status,
      ).toBe(202);
      const removed = await send("PUT", "/AUTH_test2", {
        headers: { "X-Remove-Account-Meta-Quota-Bytes": "x" },
        user: ADMIN,
      });
      expect(removed.status).toBe(202);
      expect((await send("PUT", "/AUTH_test2/quota/after", { body: bytes("12345678901"), user: TESTER2 })).status).toBe(
        201,
      );
    },
  );

  it("a reseller admin may set and remove the quota with POST", async ({ expect }) => {
    await send("PUT", "/AUTH_test2/quota-post", { user: TESTER2 });
    expect(
      (await send("POST", "/AUTH_test2", { headers: { "X-Account-Meta-Quota-Bytes": "5" }, user: ADMIN })).status,
    ).toBe(204);
    expect((await send("PUT", "/AUTH_test2/quota-post/big", { body: bytes("123456"), user: TESTER2 })).status).toBe(
      413,
    );
    expect(
      (await send("POST", "/AUTH_test2", { headers: { "X-Remove-Account-Meta-Quota-Bytes": "x" }, user: ADMIN }))
        .status,
    ).toBe(204);
    expect((await send("PUT", "/AUTH_test2/quota-post/big", { body: bytes("123456"), user: TESTER2 })).status).toBe(
      201,
    );
  });

  it("/info lists container_quotas and account_quotas", async ({ expect }) => {
    const response = await exports.default.fetch(`${BASE}/info`);
    const info = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(info.container_quotas).toEqual({});
    expect(info.account_quotas).toEqual({});
  });
});
