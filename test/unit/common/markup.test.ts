/**
 * @module
 * The escaping of each XML and HTML body Swift writes, against Python 3.11's own output:
 * saxutils.escape (bulk results), ElementTree element text and attributes (XML listings),
 * html.escape (staticweb listing pages).
 */
import { describe, it } from "vitest";
import { htmlEscape, xmlAttribute, xmlText } from "../../../src/common/markup";

/** text, saxutils.escape(text), ElementTree text, ElementTree attribute value, html.escape(text). */
const ESCAPE_VECTORS = [
  ["plain", "plain", "plain", "plain", "plain"],
  ["a&b<c>d", "a&amp;b&lt;c&gt;d", "a&amp;b&lt;c&gt;d", "a&amp;b&lt;c&gt;d", "a&amp;b&lt;c&gt;d"],
  [
    "\"quoted\" 'single'",
    "\"quoted\" 'single'",
    "\"quoted\" 'single'",
    "&quot;quoted&quot; 'single'",
    "&quot;quoted&quot; &#x27;single&#x27;",
  ],
  [
    "line\nbreak\r\ttab",
    "line\nbreak\r\ttab",
    "line\nbreak\r\ttab",
    "line&#10;break&#13;&#09;tab",
    "line\nbreak\r\ttab",
  ],
  ["&amp;", "&amp;amp;", "&amp;amp;", "&amp;amp;", "&amp;amp;"],
  ["\u00e9\ud83d\ude00", "\u00e9\ud83d\ude00", "\u00e9\ud83d\ude00", "\u00e9\ud83d\ude00", "\u00e9\ud83d\ude00"],
] as const;

describe("escaping text for Swift's XML and HTML bodies", () => {
  it("element text escapes &, < and > only, as saxutils.escape and ElementTree write it", ({ expect }) => {
    for (const [text, sax, element] of ESCAPE_VECTORS) {
      expect(sax).toBe(element);
      expect(xmlText(text), text).toBe(element);
    }
  });

  it("an attribute value also escapes the double quote, newline, carriage return and tab, as ElementTree writes it", ({
    expect,
  }) => {
    for (const [text, , , attribute] of ESCAPE_VECTORS) expect(xmlAttribute(text), text).toBe(attribute);
  });

  it("HTML escapes both quotes, as html.escape(quote=True) writes it, and leaves control characters", ({ expect }) => {
    for (const [text, , , , html] of ESCAPE_VECTORS) expect(htmlEscape(text), text).toBe(html);
  });
});
