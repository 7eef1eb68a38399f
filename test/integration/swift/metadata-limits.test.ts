/**
 * Account and container metadata limits over what is stored plus what a request sends, as Swift's
 * account and container servers check them (common/db.py DatabaseBroker.validate_metadata): at
 * most MAX_META_COUNT items and MAX_META_OVERALL_SIZE characters of names and values, counting
 * user metadata only. Answers checked against Swift 2.30.1.
 */
import { describe, it } from "vitest";
import { swift, text, unique } from "../../helpers";

const ADMIN: [string, string] = ["admin:admin", "admin"];

type Level = "account" | "container";

/** A fresh account (by the reseller admin) or container, with its path and metadata header prefix. */
async function fresh(level: Level): Promise<{ path: string; meta: string; remove: string; user: [string, string] }> {
  if (level === "account") {
    const path = `/AUTH_${unique("ml")}`;
    const put = await swift("PUT", path, { user: ADMIN });
    await text(put);
    if (put.status !== 201) throw new Error(`account PUT ${put.status}`);
    return { path, meta: "X-Account-Meta-", remove: "X-Remove-Account-Meta-", user: ADMIN };
  }
  const path = `/AUTH_test/${unique("metalimits")}`;
  await text(await swift("PUT", path));
  return { path, meta: "X-Container-Meta-", remove: "X-Remove-Container-Meta-", user: ["test:tester", "testing"] };
}

/**
 * `count` items named `${name}${10 + i}` (a name of name.length + 2 characters) with values of `valueLength`
 * characters of `fill`.
 */
function items(meta: string, name: string, count: number, valueLength: number, fill = "v"): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < count; i += 1) headers[`${meta}${name}${10 + i}`] = fill.repeat(valueLength);
  return headers;
}

async function post(
  target: { path: string; user: [string, string] },
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const response = await swift("POST", target.path, { user: target.user, headers });
  return { status: response.status, body: await text(response) };
}

/** The stored user metadata, as HEAD shows it: lower-cased name → value. */
async function stored(target: { path: string; user: [string, string] }, meta: string): Promise<Record<string, string>> {
  const response = await swift("HEAD", target.path, { user: target.user });
  await text(response);
  const found: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name.startsWith(meta.toLowerCase())) found[name] = value;
  return found;
}

describe.each<Level>(["account", "container"])("%s metadata limits", (level) => {
  it(
    `a POST that makes the ${level}'s metadata one byte over max_meta_overall_size ` +
      "returns 400 Total metadata too large; max 4096 and stores nothing; exactly at the limit returns 204",
    async ({ expect }) => {
      const target = await fresh(level);
      // 16 items of a 3-character name and a 247-character value: 4000 stored.
      expect((await post(target, items(target.meta, "a", 16, 247))).status).toBe(204);
      const before = await stored(target, target.meta);
      expect(await post(target, { [`${target.meta}B`]: "w".repeat(96) })).toEqual({
        status: 400,
        body: "Total metadata too large; max 4096",
      });
      expect(await stored(target, target.meta)).toEqual(before);
      expect((await post(target, { [`${target.meta}B`]: "w".repeat(95) })).status).toBe(204);
      expect((await stored(target, target.meta))[`${target.meta.toLowerCase()}b`]).toBe("w".repeat(95));
    },
  );

  it(`removing ${level} metadata frees room for new items in the same POST`, async ({ expect }) => {
    const target = await fresh(level);
    expect(
      (await post(target, { ...items(target.meta, "a", 16, 247), [`${target.meta}B`]: "w".repeat(96) })).status,
    ).toBe(400); // one request alone: 4097 bytes
    expect((await post(target, items(target.meta, "a", 16, 247))).status).toBe(204);
    expect((await post(target, { [`${target.meta}B`]: "w".repeat(95) })).status).toBe(204);
    expect(await post(target, { [`${target.meta}C`]: "x" })).toEqual({
      status: 400,
      body: "Total metadata too large; max 4096",
    });
    // An X-Remove-…-Meta-* header and an empty value both remove; the removed items no longer count.
    expect(
      (await post(target, { [`${target.remove}A10`]: "x", [`${target.meta}A11`]: "", [`${target.meta}C`]: "x" }))
        .status,
    ).toBe(204);
    const after = await stored(target, target.meta);
    expect(after[`${target.meta.toLowerCase()}c`]).toBe("x");
    expect(after[`${target.meta.toLowerCase()}a10`]).toBeUndefined();
    expect(Object.keys(after)).toHaveLength(16);
  });

  it(
    `a POST that makes the ${level}'s metadata items one over max_meta_count ` +
      "returns 400 Too many metadata items; max 90; replacing a stored item adds none",
    async ({ expect }) => {
      const target = await fresh(level);
      expect((await post(target, items(target.meta, "a", 45, 1))).status).toBe(204);
      expect((await post(target, items(target.meta, "b", 45, 1))).status).toBe(204);
      expect(await post(target, { [`${target.meta}C`]: "x" })).toEqual({
        status: 400,
        body: "Too many metadata items; max 90",
      });
      expect(Object.keys(await stored(target, target.meta))).toHaveLength(90);
      expect((await post(target, { [`${target.meta}A10`]: "y" })).status).toBe(204);
      expect((await post(target, { [`${target.remove}A11`]: "x", [`${target.meta}C`]: "x" })).status).toBe(204);
      expect(Object.keys(await stored(target, target.meta))).toHaveLength(90);
    },
  );

  it(`stored ${level} metadata is counted in characters, as Swift's ${level} server does, not in UTF-8 bytes`, async ({
    expect,
  }) => {
    const target = await fresh(level);
    expect((await post(target, items(target.meta, "a", 16, 247))).status).toBe(204); // 4000 stored
    // 96 characters left: B with 95 × "é" (190 UTF-8 bytes) fits exactly; Swift answers 204, and 400 for 96 × "é".
    expect(await post(target, { [`${target.meta}B`]: "\u00e9".repeat(96) })).toEqual({
      status: 400,
      body: "Total metadata too large; max 4096",
    });
    expect((await post(target, { [`${target.meta}B`]: "\u00e9".repeat(95) })).status).toBe(204);
  });
});

describe("metadata limits", () => {
  it(
    "container ACLs and X-Versions-Location do not count toward max_meta_overall_size; " +
      "only X-Container-Meta-* does",
    async ({ expect }) => {
      const target = await fresh("container");
      // 16 items of a 3-character name and a 253-character value: exactly 4096.
      expect((await post(target, items(target.meta, "a", 16, 253))).status).toBe(204);
      expect((await post(target, { "X-Container-Read": ".r:*", "X-Container-Write": "test:tester" })).status).toBe(204);
      expect((await post(target, { "X-Versions-Location": "versions" })).status).toBe(204);
      expect(await post(target, { [`${target.meta}E`]: "x" })).toEqual({
        status: 400,
        body: "Total metadata too large; max 4096",
      });
    },
  );

  it(
    "a PUT of an existing container whose metadata would go over max_meta_overall_size " +
      "returns 400 and changes nothing",
    async ({ expect }) => {
      const target = await fresh("container");
      expect((await post(target, items(target.meta, "a", 16, 253))).status).toBe(204);
      const before = await stored(target, target.meta);
      const put = await swift("PUT", target.path, { headers: { [`${target.meta}E`]: "x" } });
      expect(put.status).toBe(400);
      expect(await text(put)).toBe("Total metadata too large; max 4096");
      expect(await stored(target, target.meta)).toEqual(before);
    },
  );

  it("a PUT of an existing account whose metadata would pass max_meta_count returns 400 and changes nothing", async ({
    expect,
  }) => {
    const target = await fresh("account");
    expect((await post(target, items(target.meta, "a", 90, 1))).status).toBe(204);
    const put = await swift("PUT", target.path, { user: ADMIN, headers: { [`${target.meta}E`]: "x" } });
    expect(put.status).toBe(400);
    expect(await text(put)).toBe("Too many metadata items; max 90");
    expect(Object.keys(await stored(target, target.meta))).toHaveLength(90);
  });

  it(
    "two concurrent container POSTs that each fit but together exceed max_meta_overall_size: " +
      "one is stored, the other answers 400",
    async ({ expect }) => {
      const target = await fresh("container");
      const replies = await Promise.all([
        post(target, items(target.meta, "a", 10, 247)),
        post(target, items(target.meta, "b", 10, 247)),
      ]);
      expect(replies.map((reply) => reply.status).sort()).toEqual([204, 400]);
      const names = Object.keys(await stored(target, target.meta));
      expect(names).toHaveLength(10);
      expect(new Set(names.map((name) => name.slice(target.meta.length, target.meta.length + 1))).size).toBe(1);
    },
  );
});
