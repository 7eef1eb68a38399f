/**
 * @module
 * S3's XML: response documents built from elements (text escaped once, here), and request bodies
 * (CreateBucketConfiguration, Delete, CompleteMultipartUpload, …) parsed by fast-xml-parser, any
 * ill-formed document refused as MalformedXML. AWS: the S3 API reference's request and response
 * syntax; namespace http://s3.amazonaws.com/doc/2006-03-01/.
 */

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { readAtMost } from "../../common/bodies";
import { md5Hex } from "../../common/digest";
import { H } from "../../common/headers";
import { xmlAttribute, xmlText } from "../../common/markup";
import { S3Error } from "./errors";
import { contentMd5Hex } from "./headers";
import type { S3Request } from "./request";

export const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** One element: its name and its children, elements and text, in order. */
export interface XmlElement {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

/** What an element may be given as a child; null and undefined are left out (a boolean is its text). */
export type XmlChild = XmlElement | string | number | boolean | null | undefined | readonly XmlChild[];

function flatten(children: readonly XmlChild[], into: (XmlElement | string)[]): void {
  for (const child of children) {
    if (child === null || child === undefined) continue;
    if (Array.isArray(child)) flatten(child, into);
    else if (typeof child === "object") into.push(child as XmlElement);
    else into.push(String(child));
  }
}

/** An element with its children (`el("Key", name)`, `el("Contents", el("Key", k), el("Size", n))`). */
export function el(name: string, ...children: XmlChild[]): XmlElement {
  const flat: (XmlElement | string)[] = [];
  flatten(children, flat);
  return { name, children: flat };
}

/** An element with attributes (`<Grantee xsi:type="Group">`). */
export function elWith(name: string, attributes: Record<string, string>, ...children: XmlChild[]): XmlElement {
  return { ...el(name, ...children), attributes };
}

/** An element only when its value is present (`optional("Prefix", prefix)`). */
export function optional(name: string, value: string | number | null | undefined): XmlElement | null {
  return value === null || value === undefined ? null : el(name, value);
}

function render(element: XmlElement, namespace = ""): string {
  let attributes = namespace;
  for (const [name, value] of Object.entries(element.attributes ?? {}))
    attributes += ` ${name}="${xmlAttribute(value)}"`;
  let inner = "";
  for (const child of element.children) inner += typeof child === "string" ? xmlText(child) : render(child);
  return inner === "" ? `<${element.name}${attributes}/>` : `<${element.name}${attributes}>${inner}</${element.name}>`;
}

/** A whole document: the declaration, then the root in S3's namespace. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, ` xmlns="${S3_NAMESPACE}"`)}`;
}

/** A 200 (or `status`) response with a document. */
export function xmlResponse(root: XmlElement, headers: Record<string, string> = {}, status = 200): Response {
  const body = xmlDocument(root);
  return new Response(body, {
    status,
    headers: {
      [H.CONTENT_TYPE]: "application/xml",
      [H.CONTENT_LENGTH]: String(new TextEncoder().encode(body).length),
      ...headers,
    },
  });
}

/** A parsed element: text, or children by name (each an array when `lists` names it). */
export type XmlValue = string | XmlObject;
export interface XmlObject {
  [name: string]: XmlValue | XmlValue[] | undefined;
}

/**
 * Parses a request document whose root must be `root`; `lists` names the elements that may
 * repeat (always arrays). Namespaces are dropped, text is kept as written (never turned into
 * numbers). Anything ill-formed, another root, or a document type (with entities of its own) is
 * MalformedXML.
 */
export function parseXml(text: string, root: string, lists: readonly string[] = []): XmlObject {
  // No document type, so no entity of a document's own is ever declared or expanded (an entity
  // bomb, an external entity): only XML's predefined ones and character references are read.
  if (text.trim() === "" || /<!DOCTYPE|<!ENTITY/i.test(text) || XMLValidator.validate(text) !== true)
    throw new S3Error("MalformedXML");
  const repeated = new Set(lists);
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    // Go's encoder writes quotes as numeric references (`<ETag>&#34;…&#34;</ETag>`, rclone).
    htmlEntities: true,
    ignoreDeclaration: true,
    isArray: (name) => repeated.has(name),
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    throw new S3Error("MalformedXML");
  }
  const document = parsed as Record<string, unknown>;
  const value = document[root];
  if (value === undefined || Object.keys(document).length !== 1) throw new S3Error("MalformedXML");
  return value === "" ? {} : typeof value === "object" && value !== null ? (value as XmlObject) : {};
}

/** The text of a child element, or null when absent; MalformedXML when it is not text. */
export function childText(parent: XmlObject, name: string): string | null {
  const value = parent[name];
  if (value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) throw new S3Error("MalformedXML");
  return Object.keys(value).length === 0 ? "" : fail();
}

/** The texts of every child element `name` (none: []); MalformedXML for one that is not text. */
export function childTexts(parent: XmlObject, name: string): string[] {
  const value = parent[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => childText({ [name]: item }, name) ?? "");
}

/** Child elements that must be objects (a list's items). */
export function childObjects(parent: XmlObject, name: string): XmlObject[] {
  const value = parent[name];
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => (typeof item === "string" ? (item === "" ? {} : fail()) : item));
}

function fail(): never {
  throw new S3Error("MalformedXML");
}

/**
 * A request body of at most `maxBytes` as text (AWS refuses bigger configuration documents with
 * MaxMessageLengthExceeded).
 */
export async function readBodyText(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readAtMost(body, maxBytes, () => new S3Error("MaxMessageLengthExceeded")));
}

/**
 * A request's document (readBodyText) whose Content-MD5, when the request gives one, must be the
 * md5 of what was read: BadDigest otherwise.
 */
export async function readDocument(req: Pick<S3Request, "request" | "body">, maxBytes: number): Promise<string> {
  const text = await readBodyText(req.body, maxBytes);
  const md5 = req.request.headers.get("content-md5");
  if (md5 !== null && contentMd5Hex(md5) !== (await md5Hex(text)))
    throw new S3Error("BadDigest", undefined, { "Content-MD5": md5 });
  return text;
}
