import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const md5Hex = async (s: string) =>
  [...new Uint8Array(await crypto.subtle.digest("MD5", bytes(s)))].map((b) => b.toString(16).padStart(2, "0")).join("");

beforeAll(async () => {
  await text(await swift("PUT", "/AUTH_test/copy-src"));
  await text(await swift("PUT", "/AUTH_test/copy-dst"));
  await text(
    await swift("PUT", "/AUTH_test/copy-src/original.txt", {
      body: bytes("original body"),
      headers: { "Content-Type": "text/x-original", "X-Object-Meta-Color": "blue", "X-Object-Meta-Shape": "round" },
    }),
  );
});

describe("server-side copy", () => {
  it("a copy's 201 carries its user metadata, the source's kept and the request's added", async ({ expect }) => {
    const kept = await swift("COPY", "/AUTH_test/copy-src/original.txt", {
      headers: { Destination: "copy-dst/meta.txt", "X-Object-Meta-Size": "big", "X-Delete-At": "9999999999" },
    });
    await text(kept);
    expect(kept.status).toBe(201);
    const metadata = (response: Response) =>
      Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("x-object-meta-")));
    expect(metadata(kept)).toEqual({
      "x-object-meta-color": "blue",
      "x-object-meta-shape": "round",
      "x-object-meta-size": "big",
    });
    expect(kept.headers.get("x-delete-at")).toBe("9999999999");
    const fresh = await swift("PUT", "/AUTH_test/copy-dst/fresh.txt", {
      headers: { "X-Copy-From": "copy-src/original.txt", "X-Fresh-Metadata": "true", "X-Object-Meta-Size": "small" },
    });
    await text(fresh);
    expect(metadata(fresh)).toEqual({ "x-object-meta-size": "small" });
    expect(fresh.headers.get("x-delete-at")).toBeNull();
  });

  it("COPY with Destination copies body and metadata, returning 201 with X-Copied-From headers", async ({ expect }) => {
    const response = await swift("COPY", "/AUTH_test/copy-src/original.txt", {
      headers: { Destination: "copy-dst/copied.txt" },
    });
    await text(response);
    expect(response.status).toBe(201);
    expect(response.headers.get("x-copied-from")).toBe("copy-src/original.txt");
    expect(response.headers.get("x-copied-from-account")).toBe("AUTH_test");
    expect(response.headers.get("x-copied-from-last-modified")).toMatch(/GMT$/);
    expect(response.headers.get("etag")).toBe(await md5Hex("original body"));
    const get = await swift("GET", "/AUTH_test/copy-dst/copied.txt");
    expect(await text(get)).toBe("original body");
    expect(get.headers.get("content-type")).toBe("text/x-original");
    expect(get.headers.get("x-object-meta-color")).toBe("blue");
  });

  it("PUT with X-Copy-From copies, the request's metadata overriding the source's", async ({ expect }) => {
    const response = await swift("PUT", "/AUTH_test/copy-dst/from-header", {
      headers: { "X-Copy-From": "/copy-src/original.txt", "X-Object-Meta-Color": "green", "Content-Length": "0" },
    });
    await text(response);
    expect(response.status).toBe(201);
    const head = await swift("HEAD", "/AUTH_test/copy-dst/from-header");
    await text(head);
    expect(head.headers.get("x-object-meta-color")).toBe("green");
    expect(head.headers.get("x-object-meta-shape")).toBe("round");
    expect(head.headers.get("etag")).toBe(await md5Hex("original body"));
  });

  it("X-Fresh-Metadata: true drops the source's metadata", async ({ expect }) => {
    await text(
      await swift("COPY", "/AUTH_test/copy-src/original.txt", {
        headers: { Destination: "/copy-dst/fresh", "X-Fresh-Metadata": "true", "X-Object-Meta-New": "1" },
      }),
    );
    const head = await swift("HEAD", "/AUTH_test/copy-dst/fresh");
    await text(head);
    expect(head.headers.get("x-object-meta-color")).toBeNull();
    expect(head.headers.get("x-object-meta-new")).toBe("1");
  });

  it("a Range on the copy request copies only those bytes of the source", async ({ expect }) => {
    await text(
      await swift("COPY", "/AUTH_test/copy-src/original.txt", {
        headers: { Destination: "copy-dst/partial", Range: "bytes=0-7" },
      }),
    );
    expect(await text(await swift("GET", "/AUTH_test/copy-dst/partial"))).toBe("original");
  });

  it("If-Match that does not hold on the source returns 412 and copies nothing", async ({ expect }) => {
    const response = await swift("COPY", "/AUTH_test/copy-src/original.txt", {
      headers: { Destination: "copy-dst/not-copied", "If-Match": '"nope"' },
    });
    await text(response);
    expect(response.status).toBe(412);
    const head = await swift("HEAD", "/AUTH_test/copy-dst/not-copied");
    await text(head);
    expect(head.status).toBe(404);
  });

  it("COPY without Destination returns 412 'Destination header required'", async ({ expect }) => {
    const response = await swift("COPY", "/AUTH_test/copy-src/original.txt");
    expect(response.status).toBe(412);
    expect(await text(response)).toBe("Destination header required");
  });

  it("a Destination without container/object returns 412", async ({ expect }) => {
    const response = await swift("COPY", "/AUTH_test/copy-src/original.txt", { headers: { Destination: "justone" } });
    expect(response.status).toBe(412);
    expect(await text(response)).toBe("Destination header must be of the form <container name>/<object name>");
  });

  it("copying a missing source returns 404; into a missing container returns 404", async ({ expect }) => {
    const missingSource = await swift("COPY", "/AUTH_test/copy-src/nothing", {
      headers: { Destination: "copy-dst/x" },
    });
    await text(missingSource);
    expect(missingSource.status).toBe(404);
    const missingContainer = await swift("COPY", "/AUTH_test/copy-src/original.txt", {
      headers: { Destination: "no-such-container/x" },
    });
    await text(missingContainer);
    expect(missingContainer.status).toBe(404);
  });

  it("X-Copy-From with a body returns 400", async ({ expect }) => {
    const response = await swift("PUT", "/AUTH_test/copy-dst/with-body", {
      headers: { "X-Copy-From": "copy-src/original.txt" },
      body: bytes("not empty"),
    });
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("Copy requests require a zero byte body");
  });

  it("a copy to another account needs rights there: 403 for a user without them", async ({ expect }) => {
    const response = await swift("COPY", "/AUTH_test/copy-src/original.txt", {
      headers: { Destination: "copy-dst/x", "Destination-Account": "AUTH_test2" },
    });
    await text(response);
    expect(response.status).toBe(403);
  });
});
