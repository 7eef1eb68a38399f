import { describe, it } from "vitest";
import { send, unique } from "../../helpers";
import { s3Sent, xmlValues } from "../s3/helpers";

const A = "/AUTH_test";
const TAGGING = "X-Object-Sysmeta-S3api-Tagging";

/** A new container of AUTH_test (with `headers`), which S3 sees as a bucket. */
async function container(headers: Record<string, string> = {}): Promise<string> {
  const name = unique("sysmeta");
  const put = await send("PUT", `${A}/${name}`, { headers });
  if (put.status !== 201) throw new Error(`container PUT ${put.status} ${put.body}`);
  return name;
}

/** The object's S3 tags, as `key=value` strings. */
async function tagsOf(path: string): Promise<string[]> {
  const got = await s3Sent("GET", `/${path}?tagging`);
  const keys = xmlValues(got.body, "Key");
  const values = xmlValues(got.body, "Value");
  return keys.map((key, index) => `${key}=${values[index] ?? ""}`);
}

describe("object system metadata and a client's POST", () => {
  it("a client's object POST neither sets nor changes system metadata; it is neither shown", async ({ expect }) => {
    const c = await container();
    await s3Sent("PUT", `/${c}/tagged`, { body: "t", headers: { "x-amz-tagging": "kept=1" } });
    await send("PUT", `${A}/${c}/plain`, { body: "p" });
    for (const [object, tags] of [
      ["tagged", ["kept=1"]],
      ["plain", []],
    ] as const) {
      const post = await send("POST", `${A}/${c}/${object}`, {
        headers: { [TAGGING]: "forged=1", [`${TAGGING}-2`]: "forged=2", "X-Object-Meta-A": "b" },
      });
      expect(post.status).toBe(202);
      expect(await tagsOf(`${c}/${object}`)).toEqual(tags);
      const head = await send("HEAD", `${A}/${c}/${object}`);
      expect(head.headers.get("x-object-meta-a")).toBe("b");
      expect([...head.headers.keys()].filter((name) => name.includes("sysmeta"))).toEqual([]);
    }
  });

  it("a client's POST to ?version-id= stays 400 in a versioned container, system metadata or not", async ({
    expect,
  }) => {
    const c = await container({ "X-Versions-Enabled": "true" });
    const put = await s3Sent("PUT", `/${c}/doc`, { body: "1", headers: { "x-amz-tagging": "kept=1" } });
    const version = put.headers.get("x-amz-version-id") ?? "";
    for (const headers of [{}, { [TAGGING]: "forged=1" }] as Record<string, string>[]) {
      const post = await send("POST", `${A}/${c}/doc?version-id=${version}`, { headers });
      expect(post.status).toBe(400);
      expect(post.body).toContain("POST to a specific version is not allowed");
    }
    expect(await tagsOf(`${c}/doc`)).toEqual(["kept=1"]);
  });
});
