/**
 * @module
 * The multipart/form-data reader FormPOST uses, with the semantics of Swift's MIME helpers:
 * parts end at CRLF + `--boundary`, `--` after it ends the body, headers are read line by line as
 * UTF-8 or else Latin-1 and parsed as Python's email.parser parses them, and Content-Disposition's
 * attributes as parse_content_disposition reads them.
 * Swift: common/utils iter_multipart_mime_documents, parse_mime_headers, parse_content_disposition.
 */
import { describe, it } from "vitest";
import { chunkedStream } from "../chunked-stream";
import { MultipartReader, parseContentDisposition } from "../../../../src/proxy/auth/multipart";

interface Part {
  headers: Record<string, string>;
  body: string;
}

/** Every part of the body: its headers and the rest as text; null when the starting boundary is missing. */
async function parts(body: string | Uint8Array, boundary = "BOUND"): Promise<Part[] | null> {
  const reader = new MultipartReader(chunkedStream(body, 5), boundary);
  if (!(await reader.start())) return null;
  const out: Part[] = [];
  do {
    const headers = Object.fromEntries(await reader.headers());
    out.push({ headers, body: new TextDecoder().decode(await reader.readUpTo(1 << 20)) });
  } while (await reader.next());
  await reader.close();
  return out;
}

describe("reading multipart/form-data", () => {
  it("each part has its headers (names in lower case) and its body up to CRLF--boundary; -- ends the body", async ({
    expect,
  }) => {
    const body =
      '--BOUND\r\nContent-Disposition: form-data; name="redirect"\r\n\r\nhttps://x/\r\n' +
      '--BOUND\r\nContent-Disposition: form-data; name="file1"; filename="a.txt"\r\n' +
      "Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n" +
      "--BOUND--\r\nepilogue is ignored";
    expect(await parts(body)).toEqual([
      { headers: { "content-disposition": 'form-data; name="redirect"' }, body: "https://x/" },
      {
        headers: { "content-disposition": 'form-data; name="file1"; filename="a.txt"', "content-type": "text/plain" },
        body: "line one\r\nline two",
      },
    ]);
  });

  it("blank lines before the first boundary are skipped; a body not starting with the boundary has no parts", async ({
    expect,
  }) => {
    expect(await parts("\r\n\r\n--BOUND\r\n\r\nx\r\n--BOUND--")).toEqual([{ headers: {}, body: "x" }]);
    expect(await parts("preamble\r\n--BOUND\r\n\r\nx\r\n--BOUND--")).toBeNull();
  });

  it("a boundary's text inside a part, without CRLF before it, is data", async ({ expect }) => {
    expect(await parts("--BOUND\r\n\r\nx--BOUND y\r\n--BOUND--")).toEqual([{ headers: {}, body: "x--BOUND y" }]);
  });

  it("a body that ends without the closing boundary ends its last part there", async ({ expect }) => {
    expect(await parts("--BOUND\r\n\r\nunfinished")).toEqual([{ headers: {}, body: "unfinished" }]);
  });

  it("header bytes that are not UTF-8 are read as Latin-1, one character per byte", async ({ expect }) => {
    const head = new TextEncoder().encode('--BOUND\r\nContent-Disposition: form-data; name="caf');
    const tail = new TextEncoder().encode('"\r\n\r\nv\r\n--BOUND--');
    const body = new Uint8Array([...head, 0xe9, ...tail]);
    expect((await parts(body))?.[0]?.headers["content-disposition"]).toBe('form-data; name="caf\u00e9"');
  });
});

/** Text as bytes, one byte per character (Latin-1): a body with bytes that are not UTF-8. */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** The headers and body of a one-part body whose part is `part` (Latin-1 text), as the reader gives them. */
async function onePart(part: string): Promise<Part | undefined> {
  return (await parts(latin1Bytes(`--BOUND\r\n${part}\r\n--BOUND--`)))?.[0];
}

// Expectations: Swift 2.30.1's parse_mime_headers run by Python 3.11 (email.parser, HeaderKeyDict) on the same bytes.
describe("a part's headers, as Swift's parse_mime_headers reads them with Python's email.parser", () => {
  it("a folded header keeps its line break: the continuation line is added whole, CRLF and tab included", async ({
    expect,
  }) => {
    expect(await onePart("X-Long: one\r\n\ttwo\r\n\r\nv")).toEqual({
      headers: { "x-long": "one\r\n\ttwo" },
      body: "v",
    });
    expect((await onePart("A: x\r\n y\r\n \r\nB: 2\r\n\r\nv"))?.headers).toEqual({ a: "x\r\n y\r\n ", b: "2" });
  });

  it("a name given twice keeps its first value, whatever the case of the second", async ({ expect }) => {
    expect((await onePart("A: 1\r\nA: 2\r\n\r\nv"))?.headers).toEqual({ a: "1" });
    expect((await onePart("Content-Type: text/first\r\ncontent-type: text/second\r\n\r\nv"))?.headers).toEqual({
      "content-type": "text/first",
    });
  });

  it("a line that is not a header ends the headers; the body still starts after the blank line", async ({ expect }) => {
    expect(await onePart("no colon\r\nB: 2\r\n\r\nv")).toEqual({ headers: {}, body: "v" });
    expect(await onePart("A: 1\r\nno colon\r\nB: 2\r\n\r\nv")).toEqual({ headers: { a: "1" }, body: "v" });
  });

  it("a name holding a space, or a space before the colon, is not a header and ends the headers", async ({
    expect,
  }) => {
    expect(await onePart("X Y: z\r\nB: 2\r\n\r\nv")).toEqual({ headers: {}, body: "v" });
    expect(await onePart("A:1\r\nB : 2\r\n\r\nv")).toEqual({ headers: { a: "1" }, body: "v" });
  });

  it("a lone CR or a lone LF ends a header line, as CRLF does", async ({ expect }) => {
    expect(await onePart("A: 1\rB: 2\r\n\r\nv")).toEqual({ headers: { a: "1", b: "2" }, body: "v" });
    expect(await onePart("A: 1\nB: 2\r\n\r\nv")).toEqual({ headers: { a: "1", b: "2" }, body: "v" });
  });

  it("with LF line ends the first line runs to the boundary: headers end at its blank line, the rest is lost", async ({
    expect,
  }) => {
    expect(await onePart('Content-Disposition: form-data; name="a"\n\nv')).toEqual({
      headers: { "content-disposition": 'form-data; name="a"' },
      body: "",
    });
    expect(await onePart("A: 1\n\nB: 2\r\n\r\nv")).toEqual({ headers: { a: "1" }, body: "v" });
  });

  it("a value loses the spaces and tabs after the colon, keeps those at its end; an empty first line is kept", async ({
    expect,
  }) => {
    expect((await onePart("A:  \t 1 \t\r\n\r\nv"))?.headers).toEqual({ a: "1 \t" });
    expect((await onePart("A:\r\n 1\r\n\r\nv"))?.headers).toEqual({ a: "\r\n 1" });
    expect((await onePart("A:\r\n\r\nv"))?.headers).toEqual({ a: "" });
  });

  it("`From ` lines and lines starting with a colon are skipped, and so are continuation lines with no header", async ({
    expect,
  }) => {
    const part = " lead\r\nFrom x\r\n after-from\r\n:x\r\n after-colon\r\nA: 1\r\nFrom: me\r\n\r\nv";
    expect(await onePart(part)).toEqual({ headers: { a: "1", from: "me" }, body: "v" });
  });

  it("only CR and LF end a line: a vertical tab or NEL stays in the value", async ({ expect }) => {
    expect((await onePart("A: 1\vB: 2\r\n\r\nv"))?.headers).toEqual({ a: "1\vB: 2" });
    expect((await onePart("A: 1\x85B: 2\r\n\r\nv"))?.headers).toEqual({ a: "1\x85B: 2" });
  });

  it("each line is UTF-8 or, when it is not, Latin-1 on its own: a folded value may mix both", async ({ expect }) => {
    expect((await onePart("A: caf\xc3\xa9\r\n caf\xe9\r\n\r\nv"))?.headers).toEqual({ a: "caf\u00e9\r\n caf\u00e9" });
  });

  it("a line longer than the reader's pieces is read whole, its encoding decided by all of it", async ({ expect }) => {
    const utf8 = await onePart(`A: ${"\xc3\xa9".repeat(10000)}\r\nB: 2\r\n\r\nv`);
    expect(utf8?.headers).toEqual({ a: "\u00e9".repeat(10000), b: "2" });
    const notUtf8 = await onePart(`A: ${"\xc3\xa9".repeat(5000)}\xe9\r\n\r\nv`);
    expect(notUtf8?.headers).toEqual({ a: `${"\xc3\xa9".repeat(5000)}\xe9` });
  });

  it("past 64 KiB of header text a part's headers are not kept (Swift keeps them all); its body is still read", async ({
    expect,
  }) => {
    const part = `A: 1\r\nBig: ${"x".repeat(70 * 1024)}\r\nC: 3\r\n\r\nv`;
    expect(await onePart(part)).toEqual({ headers: { a: "1" }, body: "v" });
  });

  it("the starting boundary may have ASCII spaces around it, not other white space", async ({ expect }) => {
    // Swift reads len("--BOUND") + 2 bytes of that line: here " --BOUND\t", so the CRLF after it is the blank line
    // that ends the part's headers, and the part's body is "\r\nx".
    expect(await parts(latin1Bytes(" --BOUND\t\r\n\r\nx\r\n--BOUND--"))).toEqual([{ headers: {}, body: "\r\nx" }]);
    expect(await parts(latin1Bytes("--BOUND\xa0\r\n\r\nx\r\n--BOUND--"))).toBeNull();
    expect(await parts(new TextEncoder().encode("--BOUND\u00a0\r\n\r\nx\r\n--BOUND--"))).toBeNull();
  });
});

describe("parseContentDisposition (Swift: utils.parse_content_disposition)", () => {
  it("splits the value from its attributes, quoted or not, quotes stripped", ({ expect }) => {
    const [value, attributes] = parseContentDisposition('form-data; name="file1"; filename=a.txt');
    expect(value).toBe("form-data");
    expect(Object.fromEntries(attributes)).toEqual({ name: "file1", filename: "a.txt" });
  });

  it("a value without attributes has none; a quoted attribute may hold ; and spaces", ({ expect }) => {
    expect(parseContentDisposition("form-data")).toEqual(["form-data", new Map()]);
    expect(Object.fromEntries(parseContentDisposition('form-data; name="a; b c"')[1])).toEqual({ name: "a; b c" });
  });

  it("a quoted value may hold a folded line; an attribute on a folded line is not read", ({ expect }) => {
    expect(Object.fromEntries(parseContentDisposition('form-data; name="a\r\n b"')[1])).toEqual({ name: "a\r\n b" });
    expect(Object.fromEntries(parseContentDisposition('form-data; name="f";\r\n filename="b.txt"')[1])).toEqual({
      name: "f",
    });
  });

  it("both sides of the first ; lose the white space Python's str.strip() strips (\\x1c, NEL; not U+FEFF)", ({
    expect,
  }) => {
    expect(parseContentDisposition("\x1cform-data\x85; name=a\x1c")).toEqual(["form-data", new Map([["name", "a"]])]);
    expect(parseContentDisposition("\ufeffform-data; name=a")).toEqual(["\ufeffform-data", new Map([["name", "a"]])]);
  });

  it("reading stops at the first attribute that is not name=value", ({ expect }) => {
    expect(Object.fromEntries(parseContentDisposition('form-data; name="a"; junk; filename="b"')[1])).toEqual({
      name: "a",
    });
  });
});
