/**
 * Names are opaque strings, as in Swift: `.` and `..` in a name taken from a header, a manifest or
 * a body are part of the name, never resolved against the path (no reaching another container or
 * account through a subrequest).
 */
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";

const A = "/AUTH_test";
const enc = (name: string) => encodeURIComponent(name);

async function status(method: string, path: string): Promise<number> {
  const response = await swift(method, path);
  await text(response);
  return response.status;
}

async function body(path: string): Promise<string> {
  const response = await swift("GET", path);
  const got = await text(response);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
  return got;
}

beforeAll(async () => {
  for (const container of ["names-bad", "names-segs"]) await text(await swift("PUT", `${A}/${container}`));
  for (const victim of ["victim", "victim-copy", "victim-link", "victim-slo", "victim-dlo"])
    await text(await swift("PUT", `${A}/names-segs/${victim}`, { body: "victim" }));
});

describe("names with dot segments are literal", () => {
  it("an object whose name holds ../ is stored and read under that name when its slashes are sent as %2F", async ({
    expect,
  }) => {
    const name = "x/../../names-segs/victim";
    expect(await status("PUT", `${A}/names-bad/${enc(name)}`)).toBe(411);
    const put = await swift("PUT", `${A}/names-bad/${enc(name)}`, { body: "mine" });
    await text(put);
    expect(put.status).toBe(201);
    expect(await body(`${A}/names-bad/${enc(name)}`)).toBe("mine");
    expect(await body(`${A}/names-segs/victim`)).toBe("victim");
    const listing = await swift("GET", `${A}/names-bad?prefix=x/`);
    expect((await text(listing)).split("\n")).toContain(name);
  });

  it(
    "PUT with X-Copy-From: c/../other/o copies the object named ../other/o in c " +
      "(404 when there is none), not other/o",
    async ({ expect }) => {
      const copy = await swift("PUT", `${A}/names-bad/copied`, {
        headers: { "X-Copy-From": "names-bad/../names-segs/victim", "Content-Length": "0" },
      });
      await text(copy);
      expect(copy.status).toBe(404);
      expect(await status("HEAD", `${A}/names-bad/copied`)).toBe(404);
    },
  );

  it("COPY with Destination: c/../other/o writes the object named ../other/o in c, never other/o", async ({
    expect,
  }) => {
    await text(await swift("PUT", `${A}/names-bad/source`, { body: "source" }));
    const copy = await swift("COPY", `${A}/names-bad/source`, {
      headers: { Destination: "names-bad/../names-segs/victim-copy" },
    });
    await text(copy);
    expect(copy.status).toBe(201);
    expect(await body(`${A}/names-segs/victim-copy`)).toBe("victim");
    expect(await body(`${A}/names-bad/${enc("../names-segs/victim-copy")}`)).toBe("source");
  });

  it("a symlink to c/../other/o points at the object named ../other/o in c: GET follows to 404, not other/o", async ({
    expect,
  }) => {
    const put = await swift("PUT", `${A}/names-bad/link`, {
      headers: { "X-Symlink-Target": "names-bad/../names-segs/victim-link", "Content-Length": "0" },
    });
    await text(put);
    expect(put.status).toBe(201);
    expect(await status("GET", `${A}/names-bad/link`)).toBe(404);
    await text(await swift("PUT", `${A}/names-bad/${enc("../names-segs/victim-link")}`, { body: "literal" }));
    expect(await body(`${A}/names-bad/link`)).toBe("literal");
  });

  it(
    "an SLO segment path /c/../other/o names the object ../other/o in c: " +
      "the manifest is refused, and a delete of it removes nothing outside",
    async ({ expect }) => {
      const manifest = JSON.stringify([{ path: "/names-bad/../names-segs/victim-slo" }]);
      const put = await swift("PUT", `${A}/names-bad/slo?multipart-manifest=put`, { body: manifest });
      const got = await text(put);
      expect(put.status).toBe(400);
      expect(got).toContain("404 Not Found");
      await status("DELETE", `${A}/names-bad/slo?multipart-manifest=delete`);
      expect(await body(`${A}/names-segs/victim-slo`)).toBe("victim");
    },
  );

  it("a DLO prefix with ../ lists only its container: its segments are the objects under that literal prefix", async ({
    expect,
  }) => {
    await text(
      await swift("PUT", `${A}/names-bad/dlo`, {
        headers: { "X-Object-Manifest": "names-bad/../names-segs/victim-dlo", "Content-Length": "0" },
      }),
    );
    expect(await body(`${A}/names-bad/dlo`)).toBe("");
    await text(await swift("PUT", `${A}/names-bad/${enc("../names-segs/victim-dlo")}`, { body: "literal" }));
    expect(await body(`${A}/names-bad/dlo`)).toBe("literal");
  });
});
