/**
 * @module
 * Python's readings and writings that Swift relies on, against values Python 3.11 itself
 * produced: int(), json.dumps (Swift's default and its compact, sorted ACL form), repr(),
 * urllib.parse quote/unquote/unquote_to_bytes, and bytes decoded as UTF-8 and Latin-1.
 * The vectors were printed by a script calling those functions; where edgeswift differs on
 * purpose (unquote of bytes that are not UTF-8) the test says so and why.
 */
import { describe, it } from "vitest";
import {
  latin1,
  pythonInt,
  pythonJson,
  pythonRepr,
  quote,
  unquote,
  unquoteToBytes,
  utf8Lenient,
  utf8OrNull,
} from "../../../src/common/python";

/** int(text), or null where Python raises ValueError. */
const INT_VECTORS = [
  ["0", 0],
  ["42", 42],
  [" 42 ", 42],
  ["\t-7\n", -7],
  ["+5", 5],
  ["007", 7],
  ["1_000", 1000],
  ["1__000", null],
  ["_1", null],
  ["1_", null],
  ["", null],
  [" ", null],
  ["1.0", null],
  ["0x10", null],
  ["- 1", null],
  ["1 2", null],
  ["\u0661\u0662", 12],
  ["\ud835\udfcf\ud835\udfd0", 12],
  ["\u0967_\u0966", 10],
  ["\u00a01\u3000", 1],
  ["\u00851", 1],
  ["\ufeff1", null],
  ["1\u001c", null],
  ["\u001f1", null],
  ["12345678901234567", 12345678901234567],
  ["-0", 0],
  ["\uff11\uff12", 12],
  ["\u00b2", null],
] as const;
/** value, json.dumps(value), json.dumps(value, separators=(',', ':'), sort_keys=True). */
const JSON_VECTORS = [
  [null, "null", "null"],
  [true, "true", "true"],
  [false, "false", "false"],
  [0, "0", "0"],
  [-12, "-12", "-12"],
  ["", '""', '""'],
  ['a"b\\c', '"a\\"b\\\\c"', '"a\\"b\\\\c"'],
  ["\u0000\b\t\n\f\r\u001f\u007f", '"\\u0000\\b\\t\\n\\f\\r\\u001f\\u007f"', '"\\u0000\\b\\t\\n\\f\\r\\u001f\\u007f"'],
  ["\u00e9", '"\\u00e9"', '"\\u00e9"'],
  ["\u2028", '"\\u2028"', '"\\u2028"'],
  ["\ud83d\ude00", '"\\ud83d\\ude00"', '"\\ud83d\\ude00"'],
  ["\ud800", '"\\ud800"', '"\\ud800"'],
  [[], "[]", "[]"],
  [{}, "{}", "{}"],
  [[1, "x", null], '[1, "x", null]', '[1,"x",null]'],
  [
    { b: 1, a: [true, { z: "\u00e9" }] },
    '{"b": 1, "a": [true, {"z": "\\u00e9"}]}',
    '{"a":[true,{"z":"\\u00e9"}],"b":1}',
  ],
  [
    { "\ud800\udc00": 1, "\uffff": 2, a: 3 },
    '{"\\ud800\\udc00": 1, "\\uffff": 2, "a": 3}',
    '{"a":3,"\\uffff":2,"\\ud800\\udc00":1}',
  ],
] as const;
/** text, repr(text). */
const REPR_VECTORS = [
  ["abc", "'abc'"],
  ["it's", '"it\'s"'],
  ['say "hi"', "'say \"hi\"'"],
  ['it\'s "x"', "'it\\'s \"x\"'"],
  ["a\\b", "'a\\\\b'"],
  ["\n\r\t\u0001\u007f", "'\\n\\r\\t\\x01\\x7f'"],
  [" ~\u00e9", "' ~\u00e9'"],
  ["\u0085\u00a0\u00ad", "'\\x85\\xa0\\xad'"],
  ["\u2028\u200b", "'\\u2028\\u200b'"],
  ["\ud800", "'\\ud800'"],
  ["\udb40\udc01", "'\\U000e0001'"],
  ["\ud83d\ude00", "'\ud83d\ude00'"],
  ["\udbff\udfff", "'\\U0010ffff'"],
] as const;
/** text, quote(text), quote(text, safe=' /'), quote(text, safe=''). */
const QUOTE_VECTORS = [
  ["", "", "", ""],
  ["abc", "abc", "abc", "abc"],
  ["a b", "a%20b", "a b", "a%20b"],
  ["a/b", "a/b", "a/b", "a%2Fb"],
  ["a+b=c&d", "a%2Bb%3Dc%26d", "a%2Bb%3Dc%26d", "a%2Bb%3Dc%26d"],
  ["~_.-", "~_.-", "~_.-", "~_.-"],
  ["\u00e9", "%C3%A9", "%C3%A9", "%C3%A9"],
  ["\ud83d\ude00", "%F0%9F%98%80", "%F0%9F%98%80", "%F0%9F%98%80"],
  ["%", "%25", "%25", "%25"],
  ["%41", "%2541", "%2541", "%2541"],
  ["a\u0000b", "a%00b", "a%00b", "a%00b"],
  [
    "!*'();:@&=+$,?#[]",
    "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D",
    "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D",
    "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D",
  ],
  ["\u007f", "%7F", "%7F", "%7F"],
] as const;
/** bytes, quote(bytes): bytes that are not UTF-8. */
const QUOTE_BYTES_VECTORS = [
  [[255], "%FF"],
  [[97, 195], "a%C3"],
  [[237, 160, 128, 47, 120], "%ED%A0%80/x"],
] as const;
/** text, unquote(text). */
const UNQUOTE_VECTORS = [
  ["abc", "abc"],
  ["a%20b", "a b"],
  ["%C3%A9", "\u00e9"],
  ["%c3%a9", "\u00e9"],
  ["a+b", "a+b"],
  ["%", "%"],
  ["%4", "%4"],
  ["%zz", "%zz"],
  ["100%", "100%"],
  ["%%41", "%A"],
  ["%2F%2f", "//"],
  ["%F0%9F%98%80", "\ud83d\ude00"],
  ["%41%", "A%"],
  ["caf%C3%A9%20%E2%82%AC", "caf\u00e9 \u20ac"],
] as const;
/** text, unquote(text) where the escapes are not UTF-8: Python writes U+FFFD. */
const UNQUOTE_INVALID_PYTHON = [
  ["%FF", "\ufffd"],
  ["a%C3", "a\ufffd"],
  ["%C3%A9%C3", "\u00e9\ufffd"],
  ["%ED%A0%80", "\ufffd\ufffd\ufffd"],
] as const;
/** text, unquote_to_bytes(text), unquote_to_bytes of it with + as a space (unquote_plus). */
const UNQUOTE_BYTES_VECTORS = [
  ["a%20b", [97, 32, 98], [97, 32, 98]],
  ["%FF%00", [255, 0], [255, 0]],
  ["%", [37], [37]],
  ["%G1", [37, 71, 49], [37, 71, 49]],
  ["a+b", [97, 43, 98], [97, 32, 98]],
  ["%2B", [43], [43]],
  ["\u00e9%C3%A9", [195, 169, 195, 169], [195, 169, 195, 169]],
] as const;
/** bytes, bytes.decode('utf-8') or null on UnicodeDecodeError, decode('utf-8', 'replace'), decode('latin-1'). */
const UTF8_VECTORS = [
  [[97, 98, 99], "abc", "abc", "abc"],
  [[195, 169], "\u00e9", "\u00e9", "\u00c3\u00a9"],
  [[239, 187, 191, 120], "\ufeffx", "\ufeffx", "\u00ef\u00bb\u00bfx"],
  [[240, 159, 152, 128], "\ud83d\ude00", "\ud83d\ude00", "\u00f0\u009f\u0098\u0080"],
  [[192, 128], null, "\ufffd\ufffd", "\u00c0\u0080"],
  [[237, 160, 128], null, "\ufffd\ufffd\ufffd", "\u00ed\u00a0\u0080"],
  [[244, 144, 128, 128], null, "\ufffd\ufffd\ufffd\ufffd", "\u00f4\u0090\u0080\u0080"],
  [[226, 130], null, "\ufffd", "\u00e2\u0082"],
  [[255], null, "\ufffd", "\u00ff"],
  [[97, 0, 98], "a\u0000b", "a\u0000b", "a\u0000b"],
  [[244, 143, 191, 191], "\udbff\udfff", "\udbff\udfff", "\u00f4\u008f\u00bf\u00bf"],
] as const;

describe("pythonInt reads what Python's int() reads", () => {
  it("signs, leading zeros, _ between digits, Unicode digits and Python's whitespace are read; all else is null", ({
    expect,
  }) => {
    for (const [text, value] of INT_VECTORS) {
      const read = pythonInt(text);
      // + 0: "-0" reads as -0, which is Python's 0
      expect(read === null ? null : read + 0, JSON.stringify(text)).toBe(value);
    }
  });
});

describe("pythonJson writes what Python's json.dumps writes", () => {
  it("Swift's default form: ', ' and ': ', keys in insertion order, every non-ASCII character and DEL as \\uXXXX", ({
    expect,
  }) => {
    for (const [value, dumped] of JSON_VECTORS) expect(pythonJson(value), dumped).toBe(dumped);
  });

  it("the ACL form: compact separators and keys sorted by code point (an astral key after U+FFFF)", ({ expect }) => {
    for (const [value, , compact] of JSON_VECTORS)
      expect(pythonJson(value, { compact: true, sortKeys: true }), compact).toBe(compact);
  });

  it("object members whose value is undefined are left out, as JSON.stringify leaves them", ({ expect }) => {
    expect(pythonJson({ a: undefined, b: 1 })).toBe('{"b": 1}');
  });

  it("a listing: separators and escapes inside strings stay as they are, nested values spaced", ({ expect }) => {
    const listing = [
      { subdir: "x/" },
      { bytes: 1, name: 'é😀\u2028\u007f"\\\n\u0001,:', n: null, t: true, l: [1, 2, []], o: {} },
    ];
    // Python 3.11: json.dumps of the same list.
    expect(pythonJson(listing)).toBe(
      '[{"subdir": "x/"}, {"bytes": 1, "name": "\\u00e9\\ud83d\\ude00\\u2028\\u007f\\"\\\\\\n\\u0001,:", ' +
        '"n": null, "t": true, "l": [1, 2, []], "o": {}}]',
    );
    // json.dumps(..., separators=(",", ":")).
    expect(pythonJson({ "a,b": "c:d", x: ["", '"', "\\\\"] }, { compact: true })).toBe(
      '{"a,b":"c:d","x":["","\\"","\\\\\\\\"]}',
    );
  });
});

describe("pythonRepr writes what Python's repr() of a str writes", () => {
  it("quotes, backslashes, \\n \\r \\t, and \\x, \\u or \\U escapes for what is not printable (lone surrogates too)", ({
    expect,
  }) => {
    for (const [text, repr] of REPR_VECTORS) expect(pythonRepr(text), repr).toBe(repr);
  });
});

describe("quote is urllib.parse.quote", () => {
  it(
    "keeps letters, digits and _.-~ and the safe characters (default '/'), " +
      "and writes every other UTF-8 byte as upper-case %XX",
    ({ expect }) => {
      for (const [text, slash, spaceSlash, none] of QUOTE_VECTORS) {
        expect(quote(text), text).toBe(slash);
        expect(quote(text, " /"), text).toBe(spaceSlash);
        expect(quote(text, ""), text).toBe(none);
      }
    },
  );

  it("quotes bytes that are not UTF-8 byte for byte (a bulk-delete name that failed check_utf8)", ({ expect }) => {
    for (const [bytes, quoted] of QUOTE_BYTES_VECTORS) expect(quote(Uint8Array.from(bytes)), quoted).toBe(quoted);
  });

  it("a non-ASCII safe character does not keep its UTF-8 bytes (Python encodes safe as ASCII, ignoring the rest)", ({
    expect,
  }) => {
    expect(quote("é", "é")).toBe("%C3%A9");
    expect(quote("\u00c3", "\u00c3")).toBe("%C3%83");
  });
});

describe("unquote is urllib.parse.unquote", () => {
  it("decodes each run of %XX as UTF-8, in either case, and keeps a % that is not followed by two hex digits", ({
    expect,
  }) => {
    for (const [text, unquoted] of UNQUOTE_VECTORS) expect(unquote(text), text).toBe(unquoted);
  });

  it(
    "keeps as written a run of escapes that is not UTF-8, where Python writes U+FFFD " +
      "(Swift keeps the bytes: a name with U+FFFD would be another name)",
    ({ expect }) => {
      for (const [text, python] of UNQUOTE_INVALID_PYTHON) {
        expect(python).toContain("\ufffd");
        expect(unquote(text), text).toBe(text);
      }
    },
  );

  it("unquoteToBytes is unquote_to_bytes; with plus it reads + as a space first, as unquote_plus does for queries", ({
    expect,
  }) => {
    for (const [text, bytes, plusBytes] of UNQUOTE_BYTES_VECTORS) {
      expect([...unquoteToBytes(text)], text).toEqual(bytes);
      expect([...unquoteToBytes(new TextEncoder().encode(text))], text).toEqual(bytes);
      expect([...unquoteToBytes(text, true)], text).toEqual(plusBytes);
    }
  });
});

describe("bytes as text", () => {
  it(
    "utf8OrNull is bytes.decode('utf-8'): a BOM kept; " +
      "overlong forms, encoded surrogates, truncated sequences and code points past U+10FFFF refused",
    ({ expect }) => {
      for (const [bytes, strict] of UTF8_VECTORS)
        expect(utf8OrNull(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBe(strict);
    },
  );

  it("utf8Lenient is decode('utf-8', 'replace'): one U+FFFD per maximal invalid sequence, a BOM kept", ({ expect }) => {
    for (const [bytes, , replaced] of UTF8_VECTORS)
      expect(utf8Lenient(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBe(replaced);
  });

  it("latin1 is decode('latin-1'): one character per byte, 0x80-0x9F included (not windows-1252)", ({ expect }) => {
    for (const [bytes, , , text] of UTF8_VECTORS)
      expect(latin1(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBe(text);
    expect(latin1(Uint8Array.of(0x80, 0x9f))).toBe("\u0080\u009f");
  });
});
