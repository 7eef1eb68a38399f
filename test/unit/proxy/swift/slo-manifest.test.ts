/**
 * @module
 * SLO manifest validation as Swift's slo.py parse_and_validate_input answers it (400, one
 * `Index N:` line per bad segment), the stored form read back, and the large object's ETag.
 */
import { md5 } from "@noble/hashes/legacy.js";
import { afterAll, beforeAll, describe, it, vi } from "vitest";
import {
  annotate,
  parseManifestInput,
  parseStoredManifest,
  rawManifest,
  sloEtag,
  strictBase64,
} from "../../../../src/proxy/swift/large-objects/manifest";
import { SwiftError } from "../../../../src/common/errors";

/** The Workers runtime digests MD5; Node's WebCrypto does not, so there sloEtag's digests come from @noble/hashes. */
beforeAll(async () => {
  if (
    await crypto.subtle.digest("MD5", new Uint8Array(0)).then(
      () => true,
      () => false,
    )
  )
    return;
  const digest = crypto.subtle.digest.bind(crypto.subtle);
  vi.spyOn(crypto.subtle, "digest").mockImplementation(async (algorithm, data) => {
    if (algorithm !== "MD5") return digest(algorithm, data);
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    return md5(bytes).slice().buffer;
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

const SELF = "/c/manifest";

function rejection(text: string): { kind: string; message: string; type: string } {
  try {
    parseManifestInput(text, SELF);
  } catch (error) {
    if (error instanceof SwiftError) return { kind: error.kind, message: error.message, type: error.detailType };
    throw error;
  }
  throw new Error("manifest accepted");
}
const messageOf = (segments: unknown[]) => rejection(JSON.stringify(segments)).message;

describe("PUT ?multipart-manifest=put: the manifest body", () => {
  it("a body that is not JSON is 400 Manifest must be valid JSON, as text/html", ({ expect }) => {
    expect(rejection("[")).toEqual({
      kind: "BadRequest",
      message: "Manifest must be valid JSON.\n",
      type: "text/html; charset=UTF-8",
    });
  });

  it("a body that is not a list is 400 Manifest must be a list", ({ expect }) => {
    expect(rejection(`{"path":"/c/o"}`)).toEqual({
      kind: "BadRequest",
      message: "Manifest must be a list.\n",
      type: "text/html; charset=UTF-8",
    });
  });

  it("path segments are accepted with their etag, size and range", ({ expect }) => {
    expect(
      parseManifestInput(
        JSON.stringify([
          { path: "/c/a", etag: "e", size_bytes: 10, range: "1-2" },
          { path: "c/b", etag: null, size_bytes: null, range: null },
          { path: "/c/d", size_bytes: "5" },
          { path: "/c/e", size_bytes: 2.9, range: "" },
          { path: "/c/f", size_bytes: true },
        ]),
        SELF,
      ),
    ).toEqual([
      { kind: "path", path: "/c/a", etag: "e", sizeBytes: 10, range: { start: 1, end: 2 } },
      { kind: "path", path: "c/b", etag: null, sizeBytes: null, range: null },
      { kind: "path", path: "/c/d", etag: null, sizeBytes: 5, range: null },
      { kind: "path", path: "/c/e", etag: null, sizeBytes: 2, range: null },
      { kind: "path", path: "/c/f", etag: null, sizeBytes: 1, range: null },
    ]);
  });

  it("inline data segments are stored re-encoded with normal padding", ({ expect }) => {
    const segments = parseManifestInput(JSON.stringify([{ data: "YWJj" }, { path: "/c/o" }, { data: "YQ===" }]), SELF);
    expect(segments[0]).toMatchObject({ kind: "data", data: "YWJj" });
    expect(segments[2]).toMatchObject({ kind: "data", data: "YQ==" });
    expect([...(segments[2]?.kind === "data" ? segments[2].bytes : [])]).toEqual([97]);
  });

  it("each bad segment is one Index line, as text/plain", ({ expect }) => {
    const error = rejection(JSON.stringify([1, { path: "/c/o" }, { nothing: 1 }]));
    expect(error).toEqual({
      kind: "BadRequest",
      message: "Index 0: not a JSON object\nIndex 2: expected keys to include one of 'data' or 'path'\n",
      type: "text/plain",
    });
    expect(messageOf([null, [], { path: "/c/o" }])).toBe("Index 0: not a JSON object\nIndex 1: not a JSON object\n");
  });

  it("extraneous keys are named, sorted", ({ expect }) => {
    expect(messageOf([{ path: "/c/o", z: 1, b: 2 }])).toBe(`Index 0: extraneous keys "b", "z"\n`);
    expect(messageOf([{ data: "YQ==", path: "/c/o" }, { path: "/c/o" }])).toBe(`Index 0: extraneous keys "path"\n`);
  });

  it("data that is not base64, or empty, is refused", ({ expect }) => {
    expect(messageOf([{ data: "a" }, { path: "/c/o" }])).toBe("Index 0: data must be valid base64\n");
    expect(messageOf([{ data: 1 }, { path: "/c/o" }])).toBe("Index 0: data must be valid base64\n");
    expect(messageOf([{ data: "" }, { path: "/c/o" }])).toBe(
      "Index 0: too small; each segment must be at least 1 byte.\n",
    );
  });

  it("a manifest of inline data only is refused", ({ expect }) => {
    expect(messageOf([{ data: "YQ==" }])).toBe("Inline data segments require at least one object-backed segment.\n");
  });

  it("path and etag must be strings; a path must name /container/object", ({ expect }) => {
    expect(messageOf([{ path: 1 }])).toBe(`Index 0: "path" must be a string\n`);
    expect(messageOf([{ path: "/c/o", etag: 1 }])).toBe(`Index 0: "etag" must be a string or null (if provided)\n`);
    for (const path of ["/c", "c", "/c/", "//c//"]) {
      expect(messageOf([{ path }]), path).toBe(
        "Index 0: path does not refer to an object. Path must be of the form /container/object.\n",
      );
    }
  });

  it("size_bytes must be an integer, at least 1 except in the last segment", ({ expect }) => {
    expect(messageOf([{ path: "/c/o", size_bytes: "x" }])).toBe("Index 0: invalid size_bytes\n");
    expect(messageOf([{ path: "/c/o", size_bytes: "1.5" }])).toBe("Index 0: invalid size_bytes\n");
    expect(messageOf([{ path: "/c/o", size_bytes: [] }])).toBe("Index 0: invalid size_bytes\n");
    expect(messageOf([{ path: "/c/o", size_bytes: 0 }, { path: "/c/p" }])).toBe(
      "Index 0: too small; each segment must be at least 1 byte.\n",
    );
    expect(
      parseManifestInput(JSON.stringify([{ path: "/c/o" }, { path: "/c/p", size_bytes: 0 }]), SELF)[1],
    ).toMatchObject({ sizeBytes: 0 });
    expect(parseManifestInput(JSON.stringify([{ path: "/c/o", size_bytes: " -0 " }]), SELF)[0]).toMatchObject({
      sizeBytes: -0,
    });
  });

  it("a size_bytes of 1 is enough in any segment", ({ expect }) => {
    expect(
      parseManifestInput(
        JSON.stringify([
          { path: "/c/o", size_bytes: 1 },
          { path: "/c/p", size_bytes: 1 },
        ]),
        SELF,
      ).map((segment) => segment.kind === "path" && segment.sizeBytes),
    ).toEqual([1, 1]);
  });

  it("a size_bytes that is a list or an object is invalid, as Python's int() raises TypeError for it", ({ expect }) => {
    expect(messageOf([{ path: "/c/o", size_bytes: [5] }])).toBe("Index 0: invalid size_bytes\n");
    expect(messageOf([{ path: "/c/o", size_bytes: ["5"] }])).toBe("Index 0: invalid size_bytes\n");
  });

  it("a manifest that includes itself as a segment is refused", ({ expect }) => {
    expect(messageOf([{ path: "/c/manifest" }])).toBe("Index 0: manifest must not include itself as a segment\n");
    expect(messageOf([{ path: "//c/manifest" }])).toBe("Index 0: manifest must not include itself as a segment\n");
    expect(messageOf([{ path: "c/manifest" }])).toBe("Index 0: manifest must not include itself as a segment\n");
  });

  it("a range must be one satisfiable byte range", ({ expect }) => {
    expect(messageOf([{ path: "/c/o", range: "x" }])).toBe("Index 0: invalid range\n");
    expect(messageOf([{ path: "/c/o", range: "0-1,3-4" }])).toBe("Index 0: multiple ranges (only one allowed)\n");
    expect(messageOf([{ path: "/c/o", size_bytes: 5, range: "5-" }])).toBe("Index 0: unsatisfiable range\n");
    expect(parseManifestInput(JSON.stringify([{ path: "/c/o", size_bytes: 5, range: "-2" }]), SELF)[0]).toMatchObject({
      range: { start: null, end: 2 },
    });
    expect(
      parseManifestInput(
        JSON.stringify([
          { path: "/c/o", range: 0 },
          { path: "/c/p", range: false },
        ]),
        SELF,
      ),
    ).toMatchObject([{ range: null }, { range: null }]);
  });

  it("without size_bytes a range is checked for its form only (its object's size is not known yet)", ({ expect }) => {
    expect(parseManifestInput(JSON.stringify([{ path: "/c/o", range: "100-200" }]), SELF)).toEqual([
      { kind: "path", path: "/c/o", etag: null, sizeBytes: null, range: { start: 100, end: 200 } },
    ]);
  });
});

describe("strictBase64 (Swift: utils.strict_b64decode)", () => {
  it("decodes padded and unpadded base64 as Python's b64decode does", ({ expect }) => {
    expect(strictBase64("YWJj")).toEqual(new Uint8Array([97, 98, 99]));
    expect(strictBase64("YWI=")).toEqual(new Uint8Array([97, 98]));
    expect(strictBase64("YQ==")).toEqual(new Uint8Array([97]));
    expect(strictBase64("YQ===")).toEqual(new Uint8Array([97]));
    expect(strictBase64("")).toEqual(new Uint8Array([]));
  });

  it("ignores padding before the data, as Python's b64decode does", ({ expect }) => {
    expect(strictBase64("=YQ==")).toEqual(new Uint8Array([97]));
    expect(strictBase64("==YQ==")).toEqual(new Uint8Array([97]));
    expect(strictBase64("=YWJj")).toEqual(new Uint8Array([97, 98, 99]));
  });

  it("padding before the data does not stand in for the padding it lacks; padding cannot make one character whole", ({
    expect,
  }) => {
    expect(strictBase64("==YQ")).toBeNull();
    expect(strictBase64("Y===")).toBeNull();
  });

  it("refuses other alphabets, short padding and an impossible length", ({ expect }) => {
    for (const value of ["YQ", "YWI", "Y", "YQ=", "YW-j", "YW_j", "Y Q==", "YQ==YQ==", 1, null]) {
      expect(strictBase64(value), String(value)).toBeNull();
    }
  });
});

describe("the stored manifest", () => {
  it("is read back when every entry is a data or an object segment", ({ expect }) => {
    const stored = [{ name: "/c/o", bytes: 3, hash: "h", content_type: "t", last_modified: "l" }, { data: "YQ==" }];
    expect(parseStoredManifest(JSON.stringify(stored))).toEqual(stored);
  });

  it("anything else is 500 Unable to load SLO manifest", ({ expect }) => {
    for (const text of [
      "[",
      "{}",
      "[1]",
      `[{"data":"YQ=="},1]`,
      `[{"name":"/c/o","bytes":"3","hash":"h"}]`,
      `[{"name":"/c/o","bytes":3}]`,
      `[{"bytes":3,"hash":"h"}]`,
      `[{"data":1}]`,
    ]) {
      let error: unknown = null;
      try {
        parseStoredManifest(text);
      } catch (caught) {
        error = caught;
      }
      expect(
        error instanceof SwiftError &&
          error.kind === "InternalServerError" &&
          error.message === "Unable to load SLO manifest",
        text,
      ).toBe(true);
    }
  });

  it("each segment's length is its range's, its data's, or its whole object's", ({ expect }) => {
    const segments = annotate([
      { name: "/c/a", bytes: 10, hash: "h", content_type: "t", last_modified: "l" },
      { name: "/c/b", bytes: 10, hash: "h", content_type: "t", last_modified: "l", range: "2-5" },
      { data: "YWJj" },
      { data: "!" },
    ]);
    expect(segments.map((segment) => segment.length)).toEqual([10, 4, 3, 0]);
    expect(segments[0]).toMatchObject({ rangeStart: 0, rangeEnd: 9 });
    expect(segments[1]).toMatchObject({ rangeStart: 2, rangeEnd: 5 });
    expect(segments[2]).toMatchObject({ raw: new Uint8Array([97, 98, 99]) });
  });

  it("?multipart-manifest=get&format=raw gives the manifest as the client sent it, keys sorted", ({ expect }) => {
    expect(
      rawManifest([
        { name: "/c/a", bytes: 10, hash: "h1", content_type: "t", last_modified: "l" },
        { name: "/c/b", bytes: 10, hash: "h2", content_type: "t", last_modified: "l", range: "2-5" },
        { data: "YQ==" },
      ]),
    ).toBe(
      `[{"etag": "h1", "path": "/c/a", "size_bytes": 10}, ` +
        `{"etag": "h2", "path": "/c/b", "range": "2-5", "size_bytes": 10}, {"data": "YQ=="}]`,
    );
  });
});

describe("the large object's ETag (Swift: slo.py, md5 of the segments' etags)", () => {
  // Golden values from Python's hashlib: md5(b"segment one"), md5(b"segment two"), md5(b"abc").
  const ONE = "5d4cacc319c4c1a3cfe4c28670e1014d";
  const TWO = "c705559c6f87874f4f1eab0db3ac7078";

  it("is md5 of each segment's etag in order, `etag:range;` if ranged, md5 of the bytes for inline data", async ({
    expect,
  }) => {
    const stored = [
      { name: "/c/a", bytes: 11, hash: ONE, content_type: "t", last_modified: "l" },
      { name: "/c/b", bytes: 11, hash: TWO, content_type: "t", last_modified: "l", range: "2-5" },
      { data: "YWJj" },
    ];
    // md5("5d4c…014d" + "c705…7078:2-5;" + "9001…7f72")
    expect(await sloEtag(stored)).toBe("3e5b60d7e8ee62773a43ca3c8583a35f");
    expect(await sloEtag(annotate(stored))).toBe("3e5b60d7e8ee62773a43ca3c8583a35f");
  });

  it("of one whole segment is md5 of that segment's etag", async ({ expect }) => {
    expect(await sloEtag([{ name: "/c/a", bytes: 11, hash: ONE, content_type: "t", last_modified: "l" }])).toBe(
      "571b1dd6ef85727059d1b0037c897c14",
    );
  });
});
