import { describe, it } from "vitest";
import { swift, text } from "../../helpers";

describe("smoke", () => {
  it("stores and reads back an object", async ({ expect }) => {
    let r = await swift("PUT", "/AUTH_test/smoke");
    expect(r.status, await text(r)).toBe(201);
    r = await swift("PUT", "/AUTH_test/smoke/hello.txt", { body: new TextEncoder().encode("hello world") });
    expect(r.status, await text(r)).toBe(201);
    expect(r.headers.get("etag")).toBe("5eb63bbbe01eeed093cb22bb8f5acdc3");
    r = await swift("GET", "/AUTH_test/smoke/hello.txt");
    expect(await text(r)).toBe("hello world");
    expect(r.headers.get("content-type")).toBe("text/plain");
    r = await swift("GET", "/AUTH_test/smoke");
    expect(await text(r)).toBe("hello.txt\n");
    r = await swift("HEAD", "/AUTH_test");
    await text(r);
    expect(r.headers.get("x-account-object-count")).toBe("1");
  });
});
