import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { loadRings } from "../../../src/ring/load";
import { swift, text, unique } from "../../helpers";

const bytes = (s: string) => new TextEncoder().encode(s);
const rings = loadRings({ hashPathPrefix: env.HASH_PATH_PREFIX, hashPathSuffix: env.HASH_PATH_SUFFIX });

describe("container", () => {
  it("PUT creates a container (201); PUT again returns 202 with Swift's Accepted page", async ({ expect }) => {
    const name = unique();
    const first = await swift("PUT", `/AUTH_test/${name}`);
    await text(first);
    expect(first.status).toBe(201);
    const again = await swift("PUT", `/AUTH_test/${name}`);
    expect(again.status).toBe(202);
    expect(await text(again)).toBe("<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>");
  });

  it("HEAD returns 204 with counts, X-Timestamp, Last-Modified, X-Storage-Policy and metadata", async ({ expect }) => {
    const name = unique();
    await text(await swift("PUT", `/AUTH_test/${name}`, { headers: { "X-Container-Meta-Color": "red" } }));
    await text(await swift("PUT", `/AUTH_test/${name}/o`, { body: bytes("abc") }));
    const head = await swift("HEAD", `/AUTH_test/${name}`);
    await text(head);
    expect(head.status).toBe(204);
    expect(head.headers.get("x-container-object-count")).toBe("1");
    expect(head.headers.get("x-container-bytes-used")).toBe("3");
    expect(head.headers.get("x-container-meta-color")).toBe("red");
    expect(head.headers.get("x-storage-policy")).toBe("gold");
    expect(head.headers.get("x-timestamp")).toMatch(/^\d{10}\.\d{5}$/);
    expect(head.headers.get("last-modified")).toMatch(/GMT$/);
  });

  it("HEAD and GET of a container that does not exist return 404", async ({ expect }) => {
    for (const method of ["HEAD", "GET"]) {
      const response = await swift(method, "/AUTH_test/never-made");
      await text(response);
      expect(response.status).toBe(404);
    }
  });

  it("POST sets and removes X-Container-Meta-* (204); POST to a missing container returns 404", async ({ expect }) => {
    const name = unique();
    await text(
      await swift("PUT", `/AUTH_test/${name}`, { headers: { "X-Container-Meta-A": "1", "X-Container-Meta-B": "2" } }),
    );
    const post = await swift("POST", `/AUTH_test/${name}`, {
      headers: { "X-Container-Meta-A": "one", "X-Remove-Container-Meta-B": "x", "X-Container-Meta-C": "3" },
    });
    await text(post);
    expect(post.status).toBe(204);
    const head = await swift("HEAD", `/AUTH_test/${name}`);
    await text(head);
    expect(head.headers.get("x-container-meta-a")).toBe("one");
    expect(head.headers.get("x-container-meta-b")).toBeNull();
    expect(head.headers.get("x-container-meta-c")).toBe("3");
    const missing = await swift("POST", "/AUTH_test/never-made-post", { headers: { "X-Container-Meta-A": "1" } });
    await text(missing);
    expect(missing.status).toBe(404);
  });

  it("PUT with metadata over Swift's limits returns 400 with Swift's message and creates nothing", async ({
    expect,
  }) => {
    const cases: [Record<string, string>, string][] = [
      [
        { [`X-Container-Meta-${"n".repeat(129)}`]: "v" },
        `Metadata name too long: x-container-meta-N${"n".repeat(128)}`,
      ],
      [{ "X-Container-Meta-Long": "v".repeat(257) }, "Metadata value longer than 256: x-container-meta-Long"],
      [
        Object.fromEntries(Array.from({ length: 91 }, (_, i) => [`X-Container-Meta-K${i}`, "v"])),
        "Too many metadata items; max 90",
      ],
      [
        Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`X-Container-Meta-K${i}`, "v".repeat(250)])),
        "Total metadata too large; max 4096",
      ],
    ];
    for (const [headers, message] of cases) {
      const name = unique("bad-meta");
      const response = await swift("PUT", `/AUTH_test/${name}`, { headers });
      expect(response.status).toBe(400);
      expect(await text(response)).toBe(message);
      const head = await swift("HEAD", `/AUTH_test/${name}`);
      await text(head);
      expect(head.status).toBe(404);
    }
  });

  it("a container name over 256 bytes returns 400 with Swift's message", async ({ expect }) => {
    const response = await swift("PUT", `/AUTH_test/${"c".repeat(257)}`);
    expect(response.status).toBe(400);
    expect(await text(response)).toBe("Container name length of 257 longer than 256");
  });

  it("DELETE of a container that still holds objects returns 409 Conflict", async ({ expect }) => {
    const name = unique();
    await text(await swift("PUT", `/AUTH_test/${name}`));
    await text(await swift("PUT", `/AUTH_test/${name}/o`, { body: bytes("x") }));
    const response = await swift("DELETE", `/AUTH_test/${name}`);
    expect(response.status).toBe(409);
    expect(await text(response)).toBe(
      "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>",
    );
  });

  it("DELETE of an empty container returns 204, after which it is gone (404) and can be created again (201)", async ({
    expect,
  }) => {
    const name = unique();
    await text(await swift("PUT", `/AUTH_test/${name}`, { headers: { "X-Container-Meta-Old": "yes" } }));
    await text(await swift("PUT", `/AUTH_test/${name}/o`, { body: bytes("x") }));
    await text(await swift("DELETE", `/AUTH_test/${name}/o`));
    const deleted = await swift("DELETE", `/AUTH_test/${name}`);
    await text(deleted);
    expect(deleted.status).toBe(204);
    const head = await swift("HEAD", `/AUTH_test/${name}`);
    await text(head);
    expect(head.status).toBe(404);
    const again = await swift("PUT", `/AUTH_test/${name}`);
    await text(again);
    expect(again.status).toBe(201);
    const fresh = await swift("HEAD", `/AUTH_test/${name}`);
    await text(fresh);
    expect(fresh.headers.get("x-container-meta-old")).toBeNull();
    expect(fresh.headers.get("x-container-object-count")).toBe("0");
  });

  it("DELETE of a container that does not exist returns 404", async ({ expect }) => {
    const response = await swift("DELETE", "/AUTH_test/never-made-delete");
    await text(response);
    expect(response.status).toBe(404);
  });

  it("a deleted container leaves the account listing", async ({ expect }) => {
    const name = unique("gone");
    await text(await swift("PUT", `/AUTH_test/${name}`));
    let listing = await text(await swift("GET", `/AUTH_test?prefix=${name}`));
    expect(listing).toBe(`${name}\n`);
    await text(await swift("DELETE", `/AUTH_test/${name}`));
    const response = await swift("GET", `/AUTH_test?prefix=${name}`);
    listing = await text(response);
    expect(response.status).toBe(204);
    expect(listing).toBe("");
  });

  it("X-Container-Read and X-Container-Write are stored and returned to the owner", async ({ expect }) => {
    const name = unique();
    await text(
      await swift("PUT", `/AUTH_test/${name}`, {
        headers: { "X-Container-Read": ".r:*", "X-Container-Write": "test2:tester2" },
      }),
    );
    const head = await swift("HEAD", `/AUTH_test/${name}`);
    await text(head);
    expect(head.headers.get("x-container-read")).toBe(".r:*");
    expect(head.headers.get("x-container-write")).toBe("test2:tester2");
  });
});

describe("container information cache", () => {
  it(
    "an object PUT right after its container is deleted through this isolate returns 404 " +
      "(the cached info is dropped)",
    async ({ expect }) => {
      const name = unique("cached");
      await text(await swift("PUT", `/AUTH_test/${name}`));
      const first = await swift("PUT", `/AUTH_test/${name}/o`, { body: bytes("x") });
      await text(first);
      expect(first.status).toBe(201);
      await text(await swift("DELETE", `/AUTH_test/${name}/o`));
      await text(await swift("DELETE", `/AUTH_test/${name}`));
      const after = await swift("PUT", `/AUTH_test/${name}/o`, { body: bytes("x") });
      await text(after);
      expect(after.status).toBe(404);
    },
  );
});

describe("container POST and Last-Modified", () => {
  it(
    "a POST moves the container's Last-Modified to its own time, keeping X-Timestamp " +
      "(as Swift's container server does)",
    async ({ expect }) => {
      const name = unique("lm");
      await text(await swift("PUT", `/AUTH_test/${name}`));
      const before = await swift("HEAD", `/AUTH_test/${name}`);
      await text(before);
      const partition = rings.container.partitionFor("AUTH_test", name);
      // A POST stamped later than the PUT (replicas are called directly to choose the time).
      for (const zone of rings.container.primaryZones(partition)) {
        const stub = env.CONTAINER_REPLICA.getByName(`container/${partition}/${zone.id}`);
        expect((await stub.postContainer("AUTH_test", name, "1900000000.00000", {})).status).toBe(204);
      }
      const after = await swift("HEAD", `/AUTH_test/${name}`);
      await text(after);
      expect(after.headers.get("x-timestamp")).toBe(before.headers.get("x-timestamp"));
      expect(after.headers.get("last-modified")).toBe(new Date(1_900_000_000_000).toUTCString());
    },
  );
});
