/**
 * @module
 * Escaping text for the XML and HTML bodies Swift writes, each as Swift's own writer escapes it:
 * ElementTree for XML listings (element text and attributes differ), saxutils.escape for bulk's
 * XML results, html.escape for staticweb's listing pages.
 */

const TEXT: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ATTRIBUTE: Record<string, string> = { ...TEXT, '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;" };
const HTML: Record<string, string> = { ...TEXT, '"': "&quot;", "'": "&#x27;" };

/**
 * Element text: `&`, `<` and `>` (quotes and control characters as they are).
 * Swift: xml.sax.saxutils.escape, and ElementTree's _escape_cdata in listing_formats.py.
 */
export function xmlText(text: string): string {
  return text.replace(/[&<>]/g, (char) => TEXT[char] ?? char);
}

/**
 * A double-quoted attribute value: as xmlText, and `"`, newline, carriage return and tab as
 * references. Swift: ElementTree's _escape_attrib (`<container name="…">`).
 */
export function xmlAttribute(text: string): string {
  return text.replace(/[&<>"\n\r\t]/g, (char) => ATTRIBUTE[char] ?? char);
}

/** Python's html.escape(text, quote=True). Swift: staticweb.py. */
export function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML[char] ?? char);
}
