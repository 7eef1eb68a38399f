/**
 * @module
 * Python's readings and writings of text that Swift relies on, so edgeswift accepts and writes
 * exactly what Swift does: int(), json.dumps, repr() of a str, urllib.parse's quote and unquote,
 * and bytes decoded as UTF-8 (strictly, as check_utf8 does) or as Latin-1 (as WSGI strings are).
 * One behaviour each; test/unit/common/python.test.ts holds vectors produced by Python 3 itself.
 */

/**
 * Whitespace Python's int() strips: ASCII space, \t \n \v \f \r and Unicode's spaces (not
 * \x1c-\x1f, which str.isspace() counts but int() does not; not U+FEFF, which JavaScript's \s does).
 */
const INT_SPACE = "[\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const INT_PATTERN = new RegExp(`^${INT_SPACE}*([+-]?)(\\p{Nd}+(?:_\\p{Nd}+)*)${INT_SPACE}*$`, "u");
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** A code point in lower-case hex, `digits` wide. */
const hexDigits = (code: number, digits: number): string => code.toString(16).padStart(digits, "0");

/** A Unicode decimal digit's value: Unicode keeps every digit set in runs of ten, 0 to 9. */
function digitValue(char: string): number {
  let code = char.codePointAt(0) ?? 0;
  if (code < 0x80) return code - 0x30;
  let offset = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(code - 1))) {
    code -= 1;
    offset += 1;
  }
  return offset % 10;
}

/**
 * Python's `int()` of a string: surrounding whitespace, an optional sign, any Unicode decimal
 * digits, `_` between digits; null where Python raises ValueError.
 */
export function pythonInt(text: string): number | null {
  const match = INT_PATTERN.exec(text);
  if (!match) return null;
  let digits = "";
  for (const char of match[2] ?? "") if (char !== "_") digits += String(digitValue(char));
  return Number(`${match[1] ?? ""}${digits}`);
}

/** How json.dumps is called: its default separators and key order, or Swift's compact, sorted form. */
export interface JsonOptions {
  /** separators=(',', ':') instead of (', ', ': '). */
  compact?: boolean;
  /** sort_keys=True: keys in code point order. */
  sortKeys?: boolean;
}

/** Code point order, as Python compares str (UTF-16 order differs past U+FFFF). */
function codePointOrder(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (difference) return difference;
  }
  return left.length - right.length;
}

/** Any UTF-16 unit json.dumps writes as `\uXXXX` (with ensure_ascii: past `~`). */
const NOT_ASCII = /[\u007f-\uffff]/;

/** A str as json.dumps writes it with ensure_ascii: every UTF-16 unit past `~` as `\uXXXX`. */
function jsonString(text: string): string {
  const json = JSON.stringify(text);
  return NOT_ASCII.test(json)
    ? json.replace(/[\u007f-\uffff]/g, (char) => `\\u${hexDigits(char.charCodeAt(0), 4)}`)
    : json;
}

/** How many object keys' JSON is kept (a listing's few field names; never unbounded). */
const KEY_CACHE_MAX = 64;
const keyJson = new Map<string, string>();

/** An object key as json.dumps writes it, kept for the next object with the same fields. */
function jsonKey(key: string): string {
  let json = keyJson.get(key);
  if (json === undefined) {
    json = jsonString(key);
    if (keyJson.size < KEY_CACHE_MAX) keyJson.set(key, json);
  }
  return json;
}

/**
 * Python's json.dumps (ensure_ascii), so stored and served JSON reads byte for byte as Swift's:
 * by default its separators `, ` and `: ` and keys in insertion order; `compact` and `sortKeys` as
 * Swift writes ACLs. Object members whose value is undefined are left out, as JSON.stringify does.
 * Written by hand rather than by rewriting JSON.stringify's output: a listing of 10,000 items
 * costs about 7 ms of CPU this way, against over 25 ms for a pass over the text.
 */
export function pythonJson(value: unknown, options: JsonOptions = {}): string {
  const [comma, colon] = options.compact ? [",", ":"] : [", ", ": "];
  const write = (item: unknown): string => {
    if (typeof item === "string") return jsonString(item);
    if (typeof item === "number" || typeof item === "boolean") return String(item);
    if (item === null || typeof item !== "object") return "null";
    if (Array.isArray(item)) {
      let out = "";
      for (let index = 0; index < item.length; index++) out += (index ? comma : "") + write(item[index]);
      return `[${out}]`;
    }
    const keys = Object.keys(item);
    if (options.sortKeys) keys.sort(codePointOrder);
    let out = "";
    for (const key of keys) {
      const member = (item as Record<string, unknown>)[key];
      if (member !== undefined) out += (out ? comma : "") + jsonKey(key) + colon + write(member);
    }
    return `{${out}}`;
  };
  return write(value);
}

/** What str.isprintable() refuses (other than the space), which repr() writes as an escape. */
const NOT_PRINTABLE = /^(?! )[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/**
 * Python's repr() of a str, which Swift's messages quote values with: in `'` unless the text
 * holds `'` and no `"`; newline, carriage return and tab as `\n` `\r` `\t`, anything else not
 * printable as a `\x`, `\u` or `\U` escape.
 */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quote || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (NOT_PRINTABLE.test(char))
      out +=
        code < 0x100
          ? `\\x${hexDigits(code, 2)}`
          : code < 0x10000
            ? `\\u${hexDigits(code, 4)}`
            : `\\U${hexDigits(code, 8)}`;
    else out += char;
  }
  return out + quote;
}

const encoder = new TextEncoder();
const ALWAYS_SAFE = /[A-Za-z0-9_.~-]/;

/**
 * urllib.parse.quote(text, safe): the text's UTF-8 bytes (or the bytes given), `A-Za-z0-9_.-~`
 * and the `safe` characters kept, every other byte `%XX` in upper case. Swift: wsgi_quote, and
 * quote(name, safe=" /") in tempurl's Content-Disposition.
 */
export function quote(text: string | Uint8Array, safe = "/"): string {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out +=
      ALWAYS_SAFE.test(char) || (byte < 0x80 && safe.includes(char))
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * urllib.parse.unquote: each run of `%XX` decoded as UTF-8; a malformed `%` and a run that is
 * not UTF-8 kept as written (where Python would write U+FFFD and Swift's wsgi_unquote a
 * surrogate escape, neither of which names an object). Swift: wsgi_unquote.
 */
export function unquote(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * urllib.parse.unquote_to_bytes of a string's UTF-8 (or of bytes): `%XX` as its byte, a
 * malformed escape kept as it is; with `plus`, `+` as a space first (unquote_plus, as query
 * strings are read).
 */
export function unquoteToBytes(text: string | Uint8Array, plus = false): Uint8Array {
  const raw = typeof text === "string" ? encoder.encode(text) : text;
  const bytes = new Uint8Array(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i] ?? 0;
    const high = byte === 0x25 ? hexValue(raw[i + 1]) : -1;
    const low = high >= 0 ? hexValue(raw[i + 2]) : -1;
    if (low >= 0) {
      bytes[length] = high * 16 + low;
      i += 2;
    } else {
      bytes[length] = plus && byte === 0x2b ? 0x20 : byte;
    }
    length += 1;
  }
  return bytes.subarray(0, length);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * bytes.decode("utf-8"): the text, or null where Python raises UnicodeDecodeError (overlong
 * forms, encoded surrogates, truncated sequences, past U+10FFFF). A BOM is kept, as Python keeps it.
 */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Bytes as UTF-8 text, each invalid sequence as U+FFFD (bytes.decode("utf-8", "replace")), a BOM kept. */
export function utf8Lenient(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}

/** bytes.decode("latin-1"): one character per byte (TextDecoder's "latin1" is windows-1252). */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}
