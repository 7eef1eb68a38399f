import { describe, it } from "vitest";
import { conditionalStatus, parseEtagList } from "../../../src/common/conditional";

const LAST_MODIFIED = Date.parse("Tue, 14 Nov 2023 22:13:20 GMT") / 1000;
const status = (headers: Record<string, string>, etag = "abc", lastModified = LAST_MODIFIED) =>
  conditionalStatus(new Headers(headers), etag, lastModified);

describe("parseEtagList", () => {
  it("takes quoted, unquoted and weak etags, dropping quotes, W/ and empty entries", ({ expect }) => {
    expect(parseEtagList(`"a", b ,W/"c",, *`)).toEqual(["a", "b", "c", "*"]);
    expect(parseEtagList(`"x"y"`)).toEqual(['x"y']);
    expect(parseEtagList(`a"`)).toEqual([`a"`]);
    expect(parseEtagList(`xW/"a"`)).toEqual([`xW/"a"`]);
  });

  it("unquotes a tag only when it both starts and ends with a quote (swob normalize_etag)", ({ expect }) => {
    expect(parseEtagList(`"a"b, "c"`)).toEqual([`"a"b`, "c"]);
  });
});

describe("conditional GET and HEAD (Swift: swob conditional_response)", () => {
  it("without conditions the object is served", ({ expect }) => {
    expect(status({})).toBeNull();
  });

  it("If-Match with a matching etag or * serves the object; otherwise 412 Precondition Failed", ({ expect }) => {
    expect(status({ "if-match": `"abc"` })).toBeNull();
    expect(status({ "if-match": `"x", "abc"` })).toBeNull();
    expect(status({ "if-match": "*" })).toBeNull();
    expect(status({ "if-match": `"x"` })).toBe(412);
  });

  it("If-None-Match with a matching etag or * is 304 Not Modified; otherwise the object is served", ({ expect }) => {
    expect(status({ "if-none-match": `"abc"` })).toBe(304);
    expect(status({ "if-none-match": "*" })).toBe(304);
    expect(status({ "if-none-match": `"x"` })).toBeNull();
  });

  it("If-Match is checked before If-None-Match", ({ expect }) => {
    expect(status({ "if-match": `"x"`, "if-none-match": `"abc"` })).toBe(412);
  });

  it("If-Modified-Since at or after Last-Modified is 304; before it the object is served", ({ expect }) => {
    expect(status({ "if-modified-since": "Tue, 14 Nov 2023 22:13:20 GMT" })).toBe(304);
    expect(status({ "if-modified-since": "Tue, 14 Nov 2023 22:13:21 GMT" })).toBe(304);
    expect(status({ "if-modified-since": "Tue, 14 Nov 2023 22:13:19 GMT" })).toBeNull();
  });

  it("If-Modified-Since compares whole seconds: a date with a fraction of the same second is not earlier", ({
    expect,
  }) => {
    expect(status({ "if-modified-since": "2023-11-14T22:13:20.900Z" })).toBe(304);
  });

  it("If-Modified-Since is ignored when If-None-Match is present, and when it is not a date", ({ expect }) => {
    expect(status({ "if-none-match": `"x"`, "if-modified-since": "Tue, 14 Nov 2023 22:13:21 GMT" })).toBeNull();
    expect(status({ "if-modified-since": "yesterday" })).toBeNull();
    expect(status({ "if-modified-since": "yesterday" }, "abc", 0)).toBeNull();
  });

  it("If-Unmodified-Since before Last-Modified is 412; at or after it the object is served", ({ expect }) => {
    expect(status({ "if-unmodified-since": "Tue, 14 Nov 2023 22:13:19 GMT" })).toBe(412);
    expect(status({ "if-unmodified-since": "Tue, 14 Nov 2023 22:13:20 GMT" })).toBeNull();
    expect(status({ "if-unmodified-since": "Tue, 14 Nov 2023 22:13:21 GMT" })).toBeNull();
  });

  it("If-Unmodified-Since is ignored when If-Match is present, and when it is not a date", ({ expect }) => {
    expect(status({ "if-match": `"abc"`, "if-unmodified-since": "Tue, 14 Nov 2023 22:13:19 GMT" })).toBeNull();
    expect(status({ "if-unmodified-since": "yesterday" })).toBeNull();
  });

  it("a matching If-None-Match wins over If-Unmodified-Since (304 before 412)", ({ expect }) => {
    expect(status({ "if-none-match": `"abc"`, "if-unmodified-since": "Tue, 14 Nov 2023 22:13:19 GMT" })).toBe(304);
  });
});
