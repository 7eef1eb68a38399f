/**
 * Golden test: guessType answers as Python 3.11's mimetypes.MimeTypes(filenames=()).guess_type
 * does for every path in mime-type-vectors.json (every extension of its table, in both cases, with
 * and without encodings; suffix expansions; scheme and data URLs; dot files), which
 * test/fixtures/make-mime-types.py wrote with Python's own code.
 */
import { describe, it } from "vitest";
import { ENCODINGS_MAP, SUFFIX_MAP, TYPES_MAP, guessType, splitext } from "../../../src/common/mime-types";
import vectors from "../../fixtures/mime-type-vectors.json";

describe("guessType", () => {
  it("answers as Python's guess_type for every vector", ({ expect }) => {
    expect(vectors.length).toBeGreaterThan(1_000);
    const wrong = (vectors as [string, string | null][]).filter(([path, type]) => guessType(path) !== type);
    expect(wrong).toEqual([]);
  });

  it("strips an encoding and types the rest: a.tar.gz is application/x-tar, a.gz has no type", ({ expect }) => {
    expect(guessType("/a.tar.gz")).toBe("application/x-tar");
    expect(guessType("/a.txt.bz2")).toBe("text/plain");
    expect(guessType("/a.gz")).toBeNull();
    // Encodings are case-sensitive: .GZ is no encoding but an extension, typed as gzip itself.
    expect(guessType("/a.txt.GZ")).toBe("application/gzip");
  });

  it("expands .tgz, .svgz and the like before stripping the encoding", ({ expect }) => {
    expect(guessType("/a.tgz")).toBe("application/x-tar");
    expect(guessType("/a.TGZ")).toBe("application/x-tar");
    expect(guessType("/a.svgz")).toBe("image/svg+xml");
    expect(guessType("/a.tbz2")).toBe("application/x-tar");
  });

  it(
    "looks the extension up lower-cased, in Python's table then Debian's mime.types: " +
      ".wav is audio/x-wav, .md text/markdown",
    ({ expect }) => {
      expect(guessType("/a.wav")).toBe("audio/x-wav");
      expect(guessType("/A.WAV")).toBe("audio/x-wav");
      expect(guessType("/a.JPG")).toBe("image/jpeg");
      // Python's table has .rtf in its non-strict part only; Debian's mime.types adds it.
      expect(guessType("/a.rtf")).toBe("application/rtf");
      expect(guessType("/a.md")).toBe("text/markdown");
      expect(guessType("/a.woff2")).toBe("font/woff2");
    },
  );

  it("types the last part of a path, where leading dots make no extension", ({ expect }) => {
    expect(guessType("/v1/AUTH_test/c.txt/o")).toBeNull();
    expect(guessType("/v1/AUTH_test/c/.txt")).toBeNull();
    expect(guessType("/v1/AUTH_test/c/dir/.hidden.txt")).toBe("text/plain");
  });

  it("reads a data: URL's media type, and a path after another scheme", ({ expect }) => {
    expect(guessType("data:image/png;base64,xx")).toBe("image/png");
    expect(guessType("data:,x")).toBe("text/plain");
    expect(guessType("data:no-comma")).toBeNull();
    expect(guessType("x:a.txt")).toBe("text/plain");
  });

  it("keeps no inherited names in its tables", ({ expect }) => {
    expect(guessType("/a.constructor")).toBeNull();
    expect(guessType("/a.__proto__")).toBeNull();
    expect(
      [...TYPES_MAP.keys(), ...SUFFIX_MAP.keys(), ...ENCODINGS_MAP.keys()].every((ext) => ext.startsWith(".")),
    ).toBe(true);
  });
});

describe("splitext", () => {
  it("splits as Python's posixpath.splitext", ({ expect }) => {
    expect(splitext("a.tar.gz")).toEqual(["a.tar", ".gz"]);
    expect(splitext("..txt")).toEqual(["..txt", ""]);
    expect(splitext("a..txt")).toEqual(["a.", ".txt"]);
    expect(splitext("dir.d/file")).toEqual(["dir.d/file", ""]);
    expect(splitext("a.")).toEqual(["a", "."]);
  });
});
