/**
 * @module
 * Fuzzing large-object manifests through the Worker (fast-check): SLO manifest bodies (any JSON,
 * any bytes, and plausible manifests with wrong etags, sizes, ranges and paths, inline data,
 * nested manifests, a manifest naming itself) and DLO X-Object-Manifest values (any text and
 * plausible prefixes, one naming the manifest itself). Never a 5xx; a rejected manifest leaves
 * nothing stored; an accepted one reads back (GET) without a 5xx, its length as announced.
 * A failing case is printed with its seed, so it can be replayed.
 */
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { swift, text } from "../../helpers";
import { snapshot } from "./snapshot";

const C = "/AUTH_test/fuzz-manifests";
/** Where new manifests go, so the prefixes manifests name list the same objects in every run. */
const OUT = "/AUTH_test/fuzz-manifests-out";
const SEGMENTS = { "seg/0": "0123456789", "seg/1": "x", "seg/2": "abcdefghijklmnopqrstuvwxyz0123" } as const;
type Segment = keyof typeof SEGMENTS;
const etags = new Map<string, string>();
let counter = 0;

async function md5(data: string): Promise<string> {
  const digest = await crypto.subtle.digest("MD5", new TextEncoder().encode(data));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

beforeAll(async () => {
  await text(await swift("PUT", C));
  await text(await swift("PUT", "/AUTH_test/fuzz-manifests-other"));
  await text(await swift("PUT", OUT));
  for (const [name, body] of Object.entries(SEGMENTS)) {
    await text(await swift("PUT", `${C}/${name}`, { body }));
    etags.set(name, await md5(body));
  }
  const nested = await swift("PUT", `${C}/nested?multipart-manifest=put`, {
    body: JSON.stringify([{ path: "/fuzz-manifests/seg/0" }, { path: "/fuzz-manifests/seg/2", range: "3-" }]),
  });
  await text(nested);
  if (nested.status !== 201) throw new Error(`nested manifest: ${nested.status}`);
  const self = await swift("PUT", `${C}/self?multipart-manifest=put`, {
    body: JSON.stringify([{ path: "/fuzz-manifests/seg/1" }]),
  });
  await text(self);
  await text(await swift("PUT", `${C}/dlo`, { body: "", headers: { "X-Object-Manifest": "fuzz-manifests/seg/" } }));
});

const textArb = fc.string({ unit: "grapheme-ascii", maxLength: 40 });
const pathArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...Object.keys(SEGMENTS)).map((name) => `/fuzz-manifests/${name}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "/fuzz-manifests/nested",
      "/fuzz-manifests/self",
      "/fuzz-manifests/dlo",
      "fuzz-manifests/seg/0",
      "/fuzz-manifests/missing",
      "/fuzz-manifests-other/seg/0",
      "/fuzz-manifests",
      "/fuzz-manifests/",
      "/",
      "",
      "//seg/0",
      "/fuzz-manifests/seg/0/",
      "/fuzz-manifests/%73eg/0",
      "/AUTH_test/fuzz-manifests/seg/0",
      "/no-such-container/x",
    ),
  },
  { weight: 1, arbitrary: textArb },
);
const anyJsonArb = fc.jsonValue({ maxDepth: 3 });
const segmentArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      path: pathArb,
      etag: fc.option(
        fc.oneof(
          fc.constant("right"),
          fc.constantFrom(null, "", "0123456789abcdef0123456789abcdef", 5, '"x"'),
          textArb,
        ),
        { freq: 2, nil: undefined },
      ),
      size_bytes: fc.option(fc.oneof(fc.constant("right"), fc.constantFrom(null, 0, -1, 1, 10, 1e20, 1.5, "10", "x")), {
        freq: 2,
        nil: undefined,
      }),
      range: fc.option(
        fc.oneof(
          fc.constantFrom("0-0", "1-", "-3", "3-1", "0-100", "5-5", "", "bytes=1-2", "1-2,4-5", "-0", "x"),
          fc.tuple(fc.nat(12), fc.nat(12)).map(([a, d]) => `${a}-${a + d}`),
        ),
        { freq: 2, nil: undefined },
      ),
      extra: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.dictionary(textArb, anyJsonArb, { maxKeys: 2 }) },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.base64String({ maxLength: 24 }).map((data) => ({ data })),
      textArb.map((data) => ({ data })),
    ),
  },
  { weight: 1, arbitrary: anyJsonArb },
);
const manifestArb = fc.oneof(
  { weight: 6, arbitrary: fc.array(segmentArb, { maxLength: 4 }).map((segments) => ({ segments })) },
  { weight: 1, arbitrary: anyJsonArb.map((json) => ({ raw: JSON.stringify(json) })) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((raw) => ({ raw })) },
);

/** The manifest's JSON, "right" etags and sizes filled in from the stored segments. */
function manifestBody(manifest: { segments: unknown[] } | { raw: string }): string {
  if ("raw" in manifest) return manifest.raw;
  return JSON.stringify(
    manifest.segments.map((segment) => {
      if (typeof segment !== "object" || segment === null || !("path" in segment)) return segment;
      const { extra, ...fields } = segment as Record<string, unknown>;
      const name = String(fields.path).replace(/^\/?fuzz-manifests\//, "");
      if (fields.etag === "right") fields.etag = etags.get(name) ?? null;
      if (fields.size_bytes === "right") fields.size_bytes = SEGMENTS[name as Segment]?.length ?? null;
      return extra === undefined || typeof extra !== "object" || extra === null || Array.isArray(extra)
        ? fields
        : { ...extra, ...fields };
    }),
  );
}

/** A GET of a stored large object: never a 5xx; a 200's body as long as its Content-Length. */
async function expectReadable(
  expect: (value: unknown, message?: string) => { toBeLessThan(n: number): void; toBe(v: unknown): void },
  path: string,
  what: string,
): Promise<void> {
  const got = await swift("GET", path);
  const body = new Uint8Array(await got.arrayBuffer());
  expect(got.status, `${what}, then GET: ${got.status}`).toBeLessThan(500);
  const length = got.headers.get("content-length");
  if (got.status === 200 && length !== null) expect(body.length, `${what}, then GET`).toBe(Number(length));
}

describe("fuzzing manifests", () => {
  it("SLO manifests of any JSON, bytes or near-valid segments: never a 5xx; a rejected one stores nothing", async ({
    expect,
  }) => {
    await fc.assert(
      fc.asyncProperty(
        manifestArb,
        fc.constantFrom("new", "new", "new", "self"),
        fc.option(fc.constantFrom("0123456789abcdef0123456789abcdef", '""', "x"), { nil: undefined }),
        async (manifest, target, etag) => {
          counter += 1;
          const path = target === "self" ? `${C}/self` : `${OUT}/m${counter}`;
          const before = await snapshot({ heads: [C, OUT, path] });
          const body = manifestBody(manifest);
          const response = await swift("PUT", `${path}?multipart-manifest=put`, {
            body,
            headers: etag === undefined ? {} : { etag },
          });
          const answer = await text(response);
          const what = `PUT ${path} ${body.slice(0, 300)}: ${response.status} ${answer.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 300) expect(await snapshot({ heads: [C, OUT, path] }), what).toBe(before);
          else await expectReadable(expect, path, what);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("DLO X-Object-Manifest of any value: never a 5xx; a rejected one stores nothing; an accepted one reads back", async ({
    expect,
  }) => {
    const manifestHeaderArb = fc.oneof(
      fc.constantFrom(
        "fuzz-manifests/seg/",
        "fuzz-manifests/",
        "fuzz-manifests/d",
        "fuzz-manifests/self",
        "fuzz-manifests/n",
        "fuzz-manifests",
        "fuzz-manifests-other/",
        "/fuzz-manifests/seg",
        "no-such-container/x",
        "fuzz-manifests/seg/?x=1",
        "fuzz-manifests/%2E%2E",
        "fuzz-manifests//",
        "",
        "/",
        "%",
        "%zz/x",
        "%2F/x",
      ),
      textArb,
      fc.tuple(fc.constantFrom("fuzz-manifests/", "fuzz-manifests-other/"), textArb).map(([a, b]) => a + b),
    );
    await fc.assert(
      fc.asyncProperty(manifestHeaderArb, fc.constantFrom("new", "dlo"), async (manifest, target) => {
        counter += 1;
        const path = target === "dlo" ? `${C}/dlo` : `${OUT}/d${counter}`;
        const before = await snapshot({ heads: [C, OUT, path] });
        const response = await swift("PUT", path, { body: "", headers: { "X-Object-Manifest": manifest } });
        const answer = await text(response);
        const what = `PUT ${path} X-Object-Manifest: ${JSON.stringify(manifest)}: ${response.status} ${answer.slice(0, 300)}`;
        expect(response.status, what).toBeLessThan(500);
        if (response.status >= 300) expect(await snapshot({ heads: [C, OUT, path] }), what).toBe(before);
        else await expectReadable(expect, path, what);
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});
