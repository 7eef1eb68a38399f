/**
 * @module
 * The streaming tar reader bulk's extract-archive uses, against archives Python's tarfile wrote
 * (ustar with a prefix, GNU long names, pax with a global header), fed in small chunks so that
 * headers and data straddle reads; and tarfile's errors, by message, for what it refuses.
 * Swift: python tarfile TarFile.next, TarInfo.frombuf (in stream mode, as bulk.py opens it).
 */
import { describe, it } from "vitest";
import { chunkedStream } from "../chunked-stream";
import { TarError, gunzip, tarEntries, type TarEntry } from "../../../../src/proxy/swift/bulk/tar";

// Written by tarfile.open(mode="w", format=…) then gzip; the comments after each say what tarfile
// reads back (tarfile drops a directory's trailing slash, which this reader keeps: bulk strips it).
const USTAR_TGZ =
  "H4sIAAAAAAACA+3WQQqDMBCF4TmKJ2hjHJPzCFpaEGptCh6/waUbKTaBNv+3GchmFsN7pDuFJUhaJnKq64y2M2ql1taq90bXd+dd" +
  "I5WRDF7P0M1xpZTpOozjXVCq/px+x37+zTb/1nqpWvKf3OOAr92/3txfjfX64/0/HZDx/tM8XG7L0NOEZRoz7Pi8/33dxPzbLsPn" +
  "tPD+BwAAAAAAAAAAAPA/3mjxaUAAKAAA";
const GNU_TGZ =
  "H4sIAAAAAAACA+3UUQqCQBCA4T3KnsAd18l97QBewlAiqi3KwNubIvQQSE8a6P+9zDKvyz+JS9y+uMVjcYpnMw8ZTU3x4j/vcR+C" +
  "BmMLs4DXsykf1pqNqur67uKfJE3bGKz9/4eoc9XJ/iVNTao7ryGIDvss8/2wQv+zu/Sn38byWpPCJh3Kqpv7DP/sX776l5B7pf8l" +
  "tCQAAAAAAAAAAAAAAKvwBrnI0hQAKAAA";
const PAX_TGZ =
  "H4sIAAAAAAACA+3UPwrCMBTH8cyeIhcwTdrYuBQFFwUHwclJosYqWC3tE+KRPIcXs9VBEBwr/vl9loQsGR7fJwIR9CfWD51duYI1" +
  "Qt69OqUMw8e9fldSxTHjKXuDY0m2qL5n/0l1+fKQZW5PSbo7LOyuxeCPiE/o33Se+w+VYdyj/8bpiE8Hw9F4JrwlKsSxdIXItpmb" +
  "0yl3CTlPgW+TK6lVrYrc0iZZ2vXlLMgTVsX3q4bZq2fZ5B911LHWr/uXEVO6E2pjpL69m8goxiX6b1xuPSIAAAAAAAAAAAAAAAAA" +
  "APgBV7300bwAKAAA";

const base64Bytes = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

interface Read {
  name: string;
  validUtf8: boolean;
  isFile: boolean;
  size: number;
  data: string;
  pax: Record<string, string>;
}

async function readAll(entries: AsyncGenerator<TarEntry>, readData = true): Promise<Read[]> {
  const out: Read[] = [];
  for await (const entry of entries) {
    const data = readData ? await new Response(entry.body()).text() : "";
    out.push({
      name: entry.name,
      validUtf8: entry.validUtf8,
      isFile: entry.isFile,
      size: entry.size,
      data,
      pax: Object.fromEntries(entry.pax),
    });
  }
  return out;
}

const archive = async (tgz: string, readData = true): Promise<Read[]> =>
  readAll(tarEntries(await gunzip(chunkedStream(base64Bytes(tgz), 7))), readData);

/** A ustar header block for `name` with its checksum, a size field as given (octal text normally). */
function header(name: string, sizeField: string, type = "0"): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, text: string) => block.set(new TextEncoder().encode(text), offset);
  put(0, name);
  put(100, "0000644\0");
  put(124, sizeField);
  put(136, "00000000000\0");
  put(156, type);
  put(257, "ustar\0");
  put(263, "00");
  put(148, "        ");
  const sum = block.reduce((total, byte) => total + byte, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

async function tarError(bytes: Uint8Array): Promise<string> {
  try {
    await readAll(tarEntries(chunkedStream(bytes, 7)));
  } catch (error) {
    if (error instanceof TarError) return error.message;
    throw error;
  }
  return "no error";
}

describe("reading archives tarfile wrote", () => {
  it(
    "a ustar archive: files with their data, a directory and a symlink that are not files, " +
      "a name joined from the ustar prefix",
    async ({ expect }) => {
      const entries = await archive(USTAR_TGZ);
      expect(entries.map(({ name, isFile, size, data }) => ({ name, isFile, size, data }))).toEqual([
        { name: "a.txt", isFile: true, size: 5, data: "hello" },
        { name: "d/", isFile: false, size: 0, data: "" },
        { name: `${"p".repeat(60)}/${"q".repeat(60)}`, isFile: true, size: 8, data: "prefixed" },
        { name: "l", isFile: false, size: 0, data: "" },
      ]);
    },
  );

  it("a GNU long name is the next entry's name; a name that is not UTF-8 is marked so (bulk answers it 412)", async ({
    expect,
  }) => {
    const entries = await archive(GNU_TGZ);
    expect(entries.map(({ name, validUtf8, data }) => ({ name, validUtf8, data }))).toEqual([
      { name: `deep/${"n".repeat(120)}.txt`, validUtf8: true, data: "long name" },
      { name: "bad\ufffd.txt", validUtf8: false, data: "x" },
    ]);
  });

  it("a pax path is the name; the entry carries its own and the global pax records", async ({ expect }) => {
    const [entry, ...rest] = await archive(PAX_TGZ);
    expect(rest).toEqual([]);
    expect(entry?.name).toBe("café.txt");
    expect(entry?.data).toBe("pax");
    expect(entry?.pax["SCHILY.xattr.user.mime_type"]).toBe("text/x-test");
    expect(entry?.pax.comment).toBe("global");
  });

  it("data an entry's reader leaves unread is skipped before the next header", async ({ expect }) => {
    expect((await archive(USTAR_TGZ, false)).map((entry) => entry.name)).toEqual([
      "a.txt",
      "d/",
      `${"p".repeat(60)}/${"q".repeat(60)}`,
      "l",
    ]);
  });
});

describe("what tarfile refuses, with its messages (Swift reports them as 'Invalid Tar File: …')", () => {
  it("an empty body is 'empty file', a first header shorter than a block 'truncated header'", async ({ expect }) => {
    expect(await tarError(new Uint8Array(0))).toBe("empty file");
    expect(await tarError(header("a", "00000000005\0").subarray(0, 100))).toBe("truncated header");
  });

  it("a first header with a wrong checksum is 'bad checksum'; a later one quietly ends the archive", async ({
    expect,
  }) => {
    const bad = header("b", "00000000000\0");
    bad[0] = 0x63;
    expect(await tarError(bad)).toBe("bad checksum");
    const entries = await readAll(tarEntries(chunkedStream(concat(header("a", "00000000000\0"), bad), 7)));
    expect(entries.map((entry) => entry.name)).toEqual(["a"]);
  });

  it("a size that is not octal is 'invalid header'", async ({ expect }) => {
    expect(await tarError(header("a", "0000000009z\0"))).toBe("invalid header");
  });

  it("an archive that ends inside an entry's data is 'unexpected end of data'", async ({ expect }) => {
    expect(await tarError(concat(header("a", "00000000012\0"), new TextEncoder().encode("short")))).toBe(
      "unexpected end of data",
    );
  });

  it(
    "a compressed body that is not gzip is 'not a gzip file'; " +
      "gzip magic before garbage is 'invalid compressed data'",
    async ({ expect }) => {
      await expect(gunzip(chunkedStream(new TextEncoder().encode("plain"), 7))).rejects.toThrow("not a gzip file");
      const broken = await gunzip(
        chunkedStream(Uint8Array.of(0x1f, 0x8b, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09), 7),
      );
      await expect(new Response(broken).arrayBuffer()).rejects.toThrow("invalid compressed data");
    },
  );
});
