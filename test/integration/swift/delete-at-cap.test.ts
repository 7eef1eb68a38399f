/**
 * An X-Delete-At past November 2286 is stored as 9999999999, as Swift caps it (utils
 * normalize_delete_at_timestamp), whichever way it arrives: PUT, POST, X-Delete-After, a FormPOST's
 * x_delete_at. Never in exponent form. Answers checked against Swift 2.30.1.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text, unique } from "../../helpers";

const ADMIN: [string, string] = ["admin:admin", "admin"];
const C = "/AUTH_test/delete-at-cap";
const bytes = (body: string) => new TextEncoder().encode(body);

async function deleteAtOf(path: string, user?: [string, string]): Promise<string | null> {
  const head = await swift("HEAD", path, user ? { user } : {});
  await text(head);
  if (head.status !== 200) throw new Error(`HEAD ${path}: ${head.status}`);
  return head.headers.get("x-delete-at");
}

beforeAll(async () => {
  await text(await swift("PUT", C));
});

describe("X-Delete-At far in the future", () => {
  it("PUT with X-Delete-At: 99999999999999 stores 9999999999", async ({ expect }) => {
    const put = await swift("PUT", `${C}/put-at`, { body: bytes("x"), headers: { "X-Delete-At": "99999999999999" } });
    await text(put);
    expect(put.status).toBe(201);
    expect(await deleteAtOf(`${C}/put-at`)).toBe("9999999999");
  });

  it("POST with X-Delete-At: 99999999999999 stores 9999999999", async ({ expect }) => {
    await text(await swift("PUT", `${C}/post-at`, { body: bytes("x") }));
    const post = await swift("POST", `${C}/post-at`, { headers: { "X-Delete-At": "99999999999999" } });
    await text(post);
    expect(post.status).toBe(202);
    expect(await deleteAtOf(`${C}/post-at`)).toBe("9999999999");
  });

  it("a huge X-Delete-After on PUT or POST stores 9999999999", async ({ expect }) => {
    const put = await swift("PUT", `${C}/after`, { body: bytes("x"), headers: { "X-Delete-After": "99999999999999" } });
    await text(put);
    expect(put.status).toBe(201);
    expect(await deleteAtOf(`${C}/after`)).toBe("9999999999");
    const post = await swift("POST", `${C}/after`, { headers: { "X-Delete-After": "9".repeat(30) } });
    await text(post);
    expect(post.status).toBe(202);
    expect(await deleteAtOf(`${C}/after`)).toBe("9999999999");
  });

  it("a FormPOST x_delete_at or x_delete_after of 1e21 or more stores 9999999999, not a 400 for exponent form", async ({
    expect,
  }) => {
    const account = `AUTH_${unique("dac")}`;
    await text(
      await swift("PUT", `/${account}`, { user: ADMIN, headers: { "X-Account-Meta-Temp-URL-Key": "secret" } }),
    );
    await text(await swift("PUT", `/${account}/c`, { user: ADMIN }));
    for (const [field, name] of [
      ["x_delete_at", "form-at"],
      ["x_delete_after", "form-after"],
    ] as const) {
      const path = `/v1/${account}/c/${name}-`;
      const response = await formPost(path, [[field, "9".repeat(25)]]);
      expect(await text(response)).toContain("201 Created");
      expect(await deleteAtOf(`/${account}/c/${name}-file.txt`, ADMIN)).toBe("9999999999");
    }
  });
});

/** A FormPOST of one file `file.txt` under `path`, signed with the account's key "secret". */
async function formPost(path: string, fields: [string, string][]): Promise<Response> {
  const boundary = "----edgeswiftDeleteAtBoundary";
  const expires = String(Math.floor(Date.now() / 1000) + 600);
  const key = await crypto.subtle.importKey("raw", bytes("secret"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes(`${path}\n\n1024\n10\n${expires}`)));
  const signature = [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  const parts: [string, string][] = [
    ["redirect", ""],
    ["max_file_size", "1024"],
    ["max_file_count", "10"],
    ["expires", expires],
    ["signature", signature],
    ...fields,
  ];
  let body = parts
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join("");
  body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="file.txt"\r\n\r\nx\r\n`;
  body += `--${boundary}--\r\n`;
  return exports.default.fetch(`${BASE}${path}`, {
    method: "POST",
    body: bytes(body),
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
    redirect: "manual",
  });
}
