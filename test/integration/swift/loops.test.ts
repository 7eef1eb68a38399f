import { exports } from "cloudflare:workers";
import { beforeAll, describe, it } from "vitest";
import { BASE, swift, text } from "../../helpers";

/**
 * Manifests and links that lead back to themselves, through one kind or several. Each request
 * must end with Swift's answer (409 Conflict), and the Worker must go on serving (/healthcheck and
 * /info answer after it). Before the bound, each of these recursed until workerd passed 1 GB: a
 * loop that still yields fails at the test's timeout; one that starves the isolate is ended by the
 * run's own limits.
 */

const C = "/AUTH_test/loops";
const bytes = (s: string) => new TextEncoder().encode(s);
/** A request that loops (and still yields) fails the test here. */
const BOUNDED = { timeout: 20_000 };

async function send(
  method: string,
  path: string,
  init: Parameters<typeof swift>[2] = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await swift(method, path, init);
  return { status: response.status, body: await text(response), headers: response.headers };
}

async function md5(data: string): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("MD5", bytes(data)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function manifest(name: string, segments: unknown[]): Promise<void> {
  const put = await send("PUT", `${C}/${name}?multipart-manifest=put`, { body: JSON.stringify(segments) });
  if (put.status !== 201) throw new Error(`manifest ${name}: ${put.status} ${put.body}`);
}

async function put(name: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await send("PUT", `${C}/${name}`, { body: bytes(body), headers });
  if (response.status !== 201) throw new Error(`PUT ${name}: ${response.status} ${response.body}`);
}

/** /healthcheck and /info still answer: the Worker was not wedged by the request before. */
async function stillServing(expect: (value: unknown) => { toBe(expected: unknown): void }): Promise<void> {
  const health = await exports.default.fetch(`${BASE}/healthcheck`);
  expect(health.status).toBe(200);
  expect(await health.text()).toBe("OK");
  const info = await exports.default.fetch(`${BASE}/info`);
  expect(info.status).toBe(200);
  await info.arrayBuffer();
}

beforeAll(async () => {
  await send("PUT", C);
  await put("seg", "abc");
});

describe("loops through large objects and symlinks", () => {
  it(
    "GET of an SLO whose segment is an SLO whose segment is the first returns 409 Conflict",
    BOUNDED,
    async ({ expect }) => {
      // loopA starts as a plain object so that loopX records it as a leaf segment, then becomes an SLO of loopX.
      await put("loopA", "x");
      await manifest("loopX", [{ path: "/loops/loopA" }]);
      await manifest("loopA", [{ path: "/loops/loopX" }]);
      const get = await send("GET", `${C}/loopA`);
      expect(get.status).toBe(409);
      expect(get.body).toBe(
        "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>",
      );
      await stillServing(expect);
    },
  );

  it(
    "GET of an SLO whose segment is a DLO listing that SLO first returns 409 Conflict",
    BOUNDED,
    async ({ expect }) => {
      await put("part-1", "abc");
      await put("dlo", "", { "X-Object-Manifest": "loops/part-" });
      // part-0 lists before part-1: the DLO's first segment is the SLO, whose first segment is the DLO.
      await manifest("part-0", [{ path: "/loops/dlo" }]);
      const slo = await send("GET", `${C}/part-0`);
      expect(slo.status).toBe(409);
      const dlo = await send("GET", `${C}/dlo`);
      expect(dlo.status).toBe(409);
      await stillServing(expect);
    },
  );

  it("GET of a DLO whose prefix lists the DLO itself first returns 409 Conflict", BOUNDED, async ({ expect }) => {
    await put("self-0", "manifest body", { "X-Object-Manifest": "loops/self-" });
    await put("self-1", "abc");
    const get = await send("GET", `${C}/self-0`);
    expect(get.status).toBe(409);
    await stillServing(expect);
  });

  it("GET of a symlink to an SLO whose segment is that symlink returns 409 Conflict", BOUNDED, async ({ expect }) => {
    // The SLO is first a plain object, so that the link's HEAD at manifest PUT finds it.
    await put("sym-slo", "abc");
    const link = await send("PUT", `${C}/sym`, {
      headers: { "X-Symlink-Target": "loops/sym-slo", "Content-Length": "0" },
    });
    expect(link.status).toBe(201);
    await manifest("sym-slo", [{ path: "/loops/sym" }]);
    const viaLink = await send("GET", `${C}/sym`);
    expect(viaLink.status).toBe(409);
    const viaManifest = await send("GET", `${C}/sym-slo`);
    expect(viaManifest.status).toBe(409);
    await stillServing(expect);
  });

  it("PUT with X-Copy-From of a looping SLO returns 409 Conflict and writes nothing", BOUNDED, async ({ expect }) => {
    await put("copyA", "x");
    await manifest("copyX", [{ path: "/loops/copyA" }]);
    await manifest("copyA", [{ path: "/loops/copyX" }]);
    const copy = await send("PUT", `${C}/copied`, { headers: { "X-Copy-From": "loops/copyA", "Content-Length": "0" } });
    expect(copy.status).toBe(409);
    const verb = await send("COPY", `${C}/copyA`, { headers: { Destination: "loops/copied" } });
    expect(verb.status).toBe(409);
    expect((await send("HEAD", `${C}/copied`)).status).toBe(404);
    await stillServing(expect);
  });

  it(
    "a loop of nested SLO manifests (each the other's sub-manifest) returns 409 Conflict",
    BOUNDED,
    async ({ expect }) => {
      await manifest("nestB", [{ path: "/loops/seg" }]);
      await manifest("nestA", [{ path: "/loops/nestB" }]);
      // nestB becomes a manifest of nestA (a sub-SLO): A → B → A → … past max_manifest_depth.
      await manifest("nestB", [{ path: "/loops/nestA" }]);
      const get = await send("GET", `${C}/nestA`);
      expect(get.status).toBe(409);
      await stillServing(expect);
    },
  );
});

describe("static symlinks to links", () => {
  it(
    "PUT of a static link to a static link to an object returns 201, and GET follows both",
    BOUNDED,
    async ({ expect }) => {
      await put("t", "target");
      const etag = await md5("target");
      const l1 = await send("PUT", `${C}/l1`, {
        headers: { "X-Symlink-Target": "loops/t", "X-Symlink-Target-Etag": etag, "Content-Length": "0" },
      });
      expect(l1.status).toBe(201);
      const l2 = await send("PUT", `${C}/l2`, {
        headers: { "X-Symlink-Target": "loops/l1", "X-Symlink-Target-Etag": etag, "Content-Length": "0" },
      });
      expect(l2.status).toBe(201);
      const get = await send("GET", `${C}/l2`);
      expect(get.status).toBe(200);
      expect(get.body).toBe("target");
      // The PUT's headers went to no one else: t is still the object it was.
      const t = await send("GET", `${C}/t?symlink=get`);
      expect(t.body).toBe("target");
      expect(t.headers.get("x-symlink-target")).toBeNull();
      await stillServing(expect);
    },
  );

  it(
    "PUT of a static link to a soft link returns 409: the soft link's own ETag is not the target's",
    BOUNDED,
    async ({ expect }) => {
      await put("t2", "target");
      const etag = await md5("target");
      await send("PUT", `${C}/soft1`, { headers: { "X-Symlink-Target": "loops/t2", "Content-Length": "0" } });
      const l2 = await send("PUT", `${C}/static2`, {
        headers: { "X-Symlink-Target": "loops/soft1", "X-Symlink-Target-Etag": etag, "Content-Length": "0" },
      });
      expect(l2.status).toBe(409);
      expect(l2.body).toBe(
        `Object Etag 'd41d8cd98f00b204e9800998ecf8427e' does not match X-Symlink-Target-Etag header '${etag}'`,
      );
      await stillServing(expect);
    },
  );

  it(
    "GET of a chain of three static links returns 409 Too many levels of symbolic links",
    BOUNDED,
    async ({ expect }) => {
      await put("t3", "target");
      const etag = await md5("target");
      const linkTo = (name: string, target: string) =>
        send("PUT", `${C}/${name}`, {
          headers: { "X-Symlink-Target": `loops/${target}`, "X-Symlink-Target-Etag": etag, "Content-Length": "0" },
        });
      expect((await linkTo("s1", "t3")).status).toBe(201);
      expect((await linkTo("s2", "s1")).status).toBe(201);
      // The PUT follows s2 → s1 → t3 (two links) to check the ETag; a GET of s3 would follow three.
      expect((await linkTo("s3", "s2")).status).toBe(201);
      const get = await send("GET", `${C}/s3`);
      expect(get.status).toBe(409);
      expect(get.body).toBe("Too many levels of symbolic links, maximum allowed is 2");
      await stillServing(expect);
    },
  );
});
