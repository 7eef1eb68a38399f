/**
 * @module
 * The multipart/form-data reader FormPOST uses, with the semantics of Swift's MIME helpers:
 * parts end at CRLF + `--boundary`, `--` after it ends the body, headers are read as UTF-8 or
 * else Latin-1, and Content-Disposition's attributes as parse_content_disposition reads them.
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
      '--BOUND\r\nContent-Disposition: form-data; name="file1"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\r\n' +
      "--BOUND--\r\nepilogue is ignored";
    expect(await parts(body)).toEqual([
      { headers: { "content-disposition": 'form-data; name="redirect"' }, body: "https://x/" },
      {
        headers: { "content-disposition": 'form-data; name="file1"; filename="a.txt"', "content-type": "text/plain" },
        body: "line one\r\nline two",
      },
    ]);
  });

  it("blank lines before the first boundary are skipped; a body that does not start with the boundary has no parts", async ({
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

  it("a folded header line continues the previous header; a line without a colon is skipped", async ({ expect }) => {
    const result = await parts("--BOUND\r\nX-Long: one\r\n\ttwo\r\nno colon here\r\n\r\nv\r\n--BOUND--");
    expect(result?.[0]?.headers).toEqual({ "x-long": "one two" });
  });

  it("header bytes that are not UTF-8 are read as Latin-1, one character per byte", async ({ expect }) => {
    const head = new TextEncoder().encode('--BOUND\r\nContent-Disposition: form-data; name="caf');
    const tail = new TextEncoder().encode('"\r\n\r\nv\r\n--BOUND--');
    const body = new Uint8Array([...head, 0xe9, ...tail]);
    expect((await parts(body))?.[0]?.headers["content-disposition"]).toBe('form-data; name="caf\u00e9"');
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

  it("reading stops at the first attribute that is not name=value", ({ expect }) => {
    expect(Object.fromEntries(parseContentDisposition('form-data; name="a"; junk; filename="b"')[1])).toEqual({
      name: "a",
    });
  });
});
