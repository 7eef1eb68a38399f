/**
 * @module
 * Browser POST uploads (POST Object): a `multipart/form-data` POST to a bucket whose fields carry
 * the key, the object's metadata and a signed policy (SigV4: `x-amz-algorithm`,
 * `x-amz-credential`, `x-amz-date`, `x-amz-signature`; SigV2: `AWSAccessKeyId`, `signature`), and
 * whose `file` field is the object. The policy (base64 JSON: `expiration`, `conditions`) is what
 * was signed: every field but the file, the policy, the signature and `x-ignore-*` must be named
 * by a condition, and every condition must hold before a byte is stored; the file streams into one
 * Swift PUT as the user the access key names, its size held to `content-length-range` as it goes
 * (a refused upload fails its PUT, so nothing is stored). The form is read with FormPOST's
 * streaming reader (auth/multipart.ts): the fields before the file are kept, at most 20 KiB, the
 * file is never held whole, and fields after it are ignored, as AWS ignores them.
 * AWS: RESTObjectPOST.html, sigv4-HTTPPOSTForms.html, sigv4-HTTPPOSTConstructPolicy.html,
 * sigv4-authentication-HTTPPOST.html, HTTPPOSTForms.html (V2). Swift's s3api serves no POST upload.
 */

import { constantTimeEqual } from "../../common/compare";
import { MAX_OBJECT_NAME_LENGTH } from "../../common/constraints";
import { H } from "../../common/headers";
import type { Config } from "../../config/config";
import { MultipartReader, parseContentDisposition } from "../auth/multipart";
import { v2Signature } from "../auth/sigv2";
import { ALGORITHM, hmacHex, type S3Credentials, type S3Signed, signingKey } from "../auth/sigv4";
import { bucketOf } from "./bucket";
import { S3Error } from "./errors";
import { AMZ_META_PREFIX, contentMd5Hex, quoteEtag, SHARED_HEADERS, swiftObjectHeaders } from "./headers";
import { versionHeader, writeResult } from "./object";
import { releaseReplaced, replacedUpload } from "./upload-segments";
import { addressOf, isValidBucketName, type S3Request, unsignedAddressOf } from "./request";
import { el, xmlResponse } from "./xml";

/** AWS: the fields before the file may hold 20 KB at most (MaxPostPreDataLengthExceeded). */
const MAX_PRE_DATA_BYTES = 20 * 1024;
/** Fields no condition needs to name (AWS: the file, the policy, the signature, `x-ignore-*`; V2's key id). */
const UNCONDITIONED: ReadonlySet<string> = new Set([
  "file",
  "policy",
  "x-amz-signature",
  "signature",
  "awsaccesskeyid",
]);
/** Form fields an object keeps as the headers PutObject takes (user metadata besides). */
const OBJECT_FIELDS = SHARED_HEADERS;
const SUCCESS_STATUSES: ReadonlySet<string> = new Set(["200", "201", "204"]);
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;
const FILENAME_VARIABLE = "${filename}";

const decoder = new TextDecoder();

/** Whether a request is a browser form upload (POST multipart/form-data to a bucket). */
export function isFormUpload(request: Request): boolean {
  const type = request.headers.get(H.CONTENT_TYPE) ?? "";
  return request.method === "POST" && type.toLowerCase().startsWith("multipart/form-data");
}

/**
 * Whether an unsigned request is an S3 form upload: a form POST to a bucket (request.ts
 * unsignedAddressOf; elsewhere it is Swift's FormPOST, or Swift's answer to a bad path).
 */
export function isS3FormUpload(request: Request, config: Config): boolean {
  if (!isFormUpload(request)) return false;
  const address = unsignedAddressOf(new URL(request.url), config);
  return address !== null && address.key === null;
}

/** A form read up to its file, its signature verified: the access key, fields, and the file still to read. */
export interface SignedForm extends S3Signed {
  /** The fields before the file, by lower-case name (the first of a repeated name). */
  fields: ReadonlyMap<string, string>;
  /** The file part's name (`${filename}`) and Content-Type. */
  filename: string;
  fileType: string | null;
  /** Positioned at the file's first byte; closed by postObject (or on any refusal before it). */
  reader: MultipartReader;
}

function missingField(name: string): S3Error {
  return new S3Error(
    "InvalidArgument",
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: name, ArgumentValue: "" },
  );
}

function malformed(): S3Error {
  return new S3Error("MalformedPOSTRequest");
}

/** Reads the fields up to the `file` part; the reader is left at the file's first byte. */
async function readFields(reader: MultipartReader): Promise<Omit<SignedForm, "accessKey" | "payload" | "reader">> {
  if (!(await reader.start())) throw malformed();
  const fields = new Map<string, string>();
  let budget = MAX_PRE_DATA_BYTES;
  do {
    const headers = await reader.headers();
    const [disposition, attributes] = parseContentDisposition(headers.get(H.CONTENT_DISPOSITION) ?? "");
    const name = attributes.get("name")?.toLowerCase();
    if (disposition !== "form-data" || name === undefined) throw malformed();
    if (name === "file")
      return { fields, filename: attributes.get("filename") ?? "", fileType: headers.get(H.CONTENT_TYPE) ?? null };
    const value = await reader.readUpTo(budget + 1);
    if (value.length > budget)
      throw new S3Error(
        "MaxMessageLengthExceeded",
        "Your POST request fields preceding the upload file were too large.",
      );
    budget -= value.length;
    if (!fields.has(name)) fields.set(name, decoder.decode(value));
  } while (await reader.next());
  throw new S3Error("IncorrectNumberOfFilesInPostRequest");
}

/** The access key the form's signature proves (SigV4 or SigV2 over the base64 policy). */
function verifySignature(fields: ReadonlyMap<string, string>, credentials: S3Credentials): string {
  const policy = fields.get("policy");
  const v4 = fields.get("x-amz-signature");
  if (v4 !== undefined) {
    if (policy === undefined) throw missingField("policy");
    for (const name of ["x-amz-algorithm", "x-amz-credential", "x-amz-date"])
      if (!fields.has(name)) throw missingField(name);
    if (fields.get("x-amz-algorithm") !== ALGORITHM)
      throw new S3Error("InvalidArgument", `Only ${ALGORITHM} is supported.`, {
        ArgumentName: "x-amz-algorithm",
        ArgumentValue: fields.get("x-amz-algorithm") ?? "",
      });
    const credential = fields.get("x-amz-credential") ?? "";
    const parts = credential.split("/");
    const accessKey = parts.slice(0, -4).join("/");
    const [date = "", region = "", service = "", terminal = ""] = parts.slice(-4);
    const day = AMZ_DATE.exec(fields.get("x-amz-date") ?? "")?.[1];
    if (
      parts.length < 5 ||
      accessKey === "" ||
      day !== date ||
      (region !== credentials.region && region !== credentials.region.toLowerCase()) ||
      service !== "s3" ||
      terminal !== "aws4_request"
    ) {
      throw new S3Error(
        "InvalidArgument",
        `Invalid credential "${credential}": expecting "<access key>/<x-amz-date's day>/` +
          `${credentials.region}/s3/aws4_request".`,
        { ArgumentName: "x-amz-credential", ArgumentValue: credential },
      );
    }
    const secret = credentials.secretOf(accessKey);
    if (secret === null) throw new S3Error("InvalidAccessKeyId", undefined, { AWSAccessKeyId: accessKey });
    if (!constantTimeEqual(hmacHex(signingKey(secret, date, region), policy), v4.toLowerCase()))
      throw signatureMismatch(accessKey, policy, v4);
    return accessKey;
  }
  const v2 = fields.get("signature");
  const accessKey = fields.get("awsaccesskeyid");
  if (v2 === undefined && accessKey === undefined) {
    // Anonymous POST uploads (to a bucket anyone may write) would need an identity edgeswift's
    // S3 requests always have: refused.
    throw new S3Error("AccessDenied", "Anonymous POST uploads are not supported: sign the policy.");
  }
  if (accessKey === undefined) throw missingField("AWSAccessKeyId");
  if (v2 === undefined) throw missingField("signature");
  if (policy === undefined) throw missingField("policy");
  const secret = credentials.secretOf(accessKey);
  if (secret === null) throw new S3Error("InvalidAccessKeyId", undefined, { AWSAccessKeyId: accessKey });
  if (!constantTimeEqual(v2Signature(secret, policy), v2)) throw signatureMismatch(accessKey, policy, v2);
  return accessKey;
}

function signatureMismatch(accessKey: string, policy: string, provided: string): S3Error {
  return new S3Error("SignatureDoesNotMatch", undefined, {
    AWSAccessKeyId: accessKey,
    StringToSign: policy,
    SignatureProvided: provided,
  });
}

/**
 * Reads a form upload's fields up to its file and verifies their signature: the access key the
 * router maps to a Swift user. Any refusal closes the body. `body` is the request's own by default
 * (an unsigned form), or its checked body (a request also signed in its headers).
 */
export async function readSignedForm(
  request: Request,
  bucket: string,
  credentials: S3Credentials,
  body: ReadableStream<Uint8Array> | null = request.body,
): Promise<SignedForm> {
  if (!isValidBucketName(bucket)) throw new S3Error("InvalidBucketName", undefined, { BucketName: bucket });
  const [, attributes] = parseContentDisposition(request.headers.get(H.CONTENT_TYPE) ?? "");
  const boundary = attributes.get("boundary");
  if (!boundary || body === null) throw malformed();
  const reader = new MultipartReader(body, boundary);
  try {
    const read = await readFields(reader);
    const accessKey = verifySignature(read.fields, credentials);
    return { ...read, accessKey, payload: { mode: "unsigned" }, reader };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

// ---- The policy --------------------------------------------------------------------------------

type Condition =
  | { kind: "eq" | "starts-with"; field: string; value: string; text: string }
  | { kind: "content-length-range"; min: number; max: number };

function invalidPolicy(detail: string): S3Error {
  return new S3Error("InvalidPolicyDocument", `Invalid Policy: ${detail}`);
}

/** How AWS quotes a condition that failed: `["starts-with", "$key", "user/"]`. */
function conditionText(kind: string, field: string, value: string): string {
  return `[${[kind, `$${field}`, value].map((part) => JSON.stringify(part)).join(", ")}]`;
}

function lengthBound(value: unknown): number {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0)
    throw invalidPolicy("Invalid content-length-range.");
  return number;
}

function parseCondition(entry: unknown): Condition[] {
  if (Array.isArray(entry)) {
    const [op, a, b] = entry as unknown[];
    const kind = typeof op === "string" ? op.toLowerCase() : "";
    if (kind === "content-length-range" && entry.length === 3)
      return [{ kind, min: lengthBound(a), max: lengthBound(b) }];
    if ((kind === "eq" || kind === "starts-with") && entry.length === 3 && typeof a === "string" && a.startsWith("$")) {
      if (typeof b !== "string") throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
      const field = a.slice(1).toLowerCase();
      return [{ kind, field, value: b, text: conditionText(kind, a.slice(1), b) }];
    }
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
  }
  if (entry !== null && typeof entry === "object") {
    const pairs = Object.entries(entry);
    if (!pairs.length) throw invalidPolicy("Invalid Condition: {}");
    return pairs.map(([name, value]) => {
      if (typeof value !== "string") throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
      return { kind: "eq" as const, field: name.toLowerCase(), value, text: conditionText("eq", name, value) };
    });
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
}

/** The policy's conditions, once its expiration has been checked against `nowMs`. */
function parsePolicy(base64: string, nowMs: number): Condition[] {
  let document: unknown;
  try {
    document = JSON.parse(decoder.decode(Uint8Array.from(atob(base64.trim()), (char) => char.charCodeAt(0))));
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
  if (document === null || typeof document !== "object" || Array.isArray(document))
    throw invalidPolicy("Invalid JSON.");
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy("Policy missing expiration.");
  const expiresMs = typeof expiration === "string" ? Date.parse(expiration) : Number.NaN;
  if (Number.isNaN(expiresMs)) throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy("Policy missing conditions.");
  if (expiresMs < nowMs) throw new S3Error("AccessDenied", "Invalid according to Policy: Policy expired.");
  return conditions.flatMap(parseCondition);
}

function policyFailure(detail: string): S3Error {
  return new S3Error("AccessDenied", `Invalid according to Policy: ${detail}`);
}

/** Whether a field's value meets an eq or starts-with condition (Content-Type: each of a list). */
function holds(condition: { kind: "eq" | "starts-with"; field: string; value: string }, value: string): boolean {
  if (condition.kind === "eq") return value === condition.value;
  if (condition.field === H.CONTENT_TYPE)
    return value.split(",").every((type) => type.trim().startsWith(condition.value));
  return value.startsWith(condition.value);
}

/**
 * Checks every field is named by a condition and every condition but content-length-range holds
 * (`values`: the fields, `key` as stored, `bucket` the request's); answers the size range.
 */
function checkConditions(conditions: readonly Condition[], values: ReadonlyMap<string, string>) {
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  const named = new Set<string>();
  for (const condition of conditions) {
    if (condition.kind === "content-length-range") {
      min = Math.max(min, condition.min);
      max = Math.min(max, condition.max);
      continue;
    }
    named.add(condition.field);
    if (!holds(condition, values.get(condition.field) ?? ""))
      throw policyFailure(`Policy Condition failed: ${condition.text}`);
  }
  const extra = [...values.keys()].filter(
    (name) => name !== "bucket" && !UNCONDITIONED.has(name) && !name.startsWith("x-ignore-") && !named.has(name),
  );
  if (extra.length) throw policyFailure(`Extra input fields: ${extra.join(", ")}`);
  return { min, max };
}

// ---- The upload --------------------------------------------------------------------------------

/** The file's bytes as they stream, failing past `max` bytes or at an end short of `min`. */
function sizedFile(
  reader: MultipartReader,
  min: number,
  max: number,
  onRefused: (error: S3Error) => void,
): ReadableStream<Uint8Array> {
  let size = 0;
  const refuse = (controller: ReadableStreamDefaultController<Uint8Array>, error: S3Error) => {
    onRefused(error);
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        const chunk = await reader.read(64 * 1024);
        if (!chunk.length) {
          if (size < min)
            refuse(
              controller,
              new S3Error("EntityTooSmall", undefined, { ProposedSize: String(size), MinSizeAllowed: String(min) }),
            );
          else controller.close();
          return;
        }
        size += chunk.length;
        if (size > max) refuse(controller, new S3Error("EntityTooLarge", undefined, { MaxSizeAllowed: String(max) }));
        else controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The Swift headers of the object: metadata and the headers PutObject keeps, from the fields. */
function objectHeaders(fields: ReadonlyMap<string, string>, fileType: string | null): Headers {
  const s3 = new Headers();
  try {
    for (const [name, value] of fields)
      if (name.startsWith(AMZ_META_PREFIX) || (OBJECT_FIELDS as readonly string[]).includes(name)) s3.set(name, value);
    if (!s3.has(H.CONTENT_TYPE) && fileType) s3.set(H.CONTENT_TYPE, fileType);
  } catch {
    throw new S3Error("InvalidArgument", "A form field holds a value no header can carry.");
  }
  const swift = swiftObjectHeaders(s3);
  const md5 = fields.get("content-md5");
  if (md5 !== undefined) swift.set(H.ETAG, contentMd5Hex(md5));
  return swift;
}

/** The stored object's URL: `/bucket/key` path style, `/key` on a bucket's own host. */
function objectLocation(req: S3Request, bucket: string, key: string): string {
  const path = key.split("/").map(encodeURIComponent).join("/");
  const { virtualHost } = addressOf(req.url, req.ctx.config.s3);
  return `${req.url.origin}/${virtualHost ? "" : `${encodeURIComponent(bucket)}/`}${path}`;
}

/** The answer to a stored upload: 303 to success_action_redirect, else success_action_status (204). */
function answer(req: S3Request, fields: ReadonlyMap<string, string>, bucket: string, key: string, put: Response) {
  const etag = quoteEtag(put.headers.get(H.ETAG) ?? "");
  const location = objectLocation(req, bucket, key);
  const headers = { [H.ETAG]: etag, [H.LOCATION]: location, ...versionHeader(put) };
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect && URL.canParse(redirect)) {
    const target = new URL(redirect);
    target.searchParams.append("bucket", bucket);
    target.searchParams.append("key", key);
    target.searchParams.append("etag", etag);
    return new Response(null, { status: 303, headers: { ...headers, [H.LOCATION]: target.toString() } });
  }
  const status = fields.get("success_action_status") ?? "";
  if (status === "201") {
    const document = el(
      "PostResponse",
      el("Location", location),
      el("Bucket", bucket),
      el("Key", key),
      el("ETag", etag),
    );
    return xmlResponse(document, headers, 201);
  }
  return new Response(null, {
    status: SUCCESS_STATUSES.has(status) ? Number(status) : 204,
    headers: { ...headers, [H.CONTENT_LENGTH]: "0" },
  });
}

/**
 * POST Object: the form's policy checked, its file PUT as the object `key` (`${filename}` taken
 * from the file part). `form` is the form the router read to authenticate the request; without
 * it (a request signed in its headers too) the form is read here and must be signed by the same user.
 */
export async function postObject(req: S3Request, form?: SignedForm): Promise<Response> {
  const bucket = bucketOf(req);
  const credentials: S3Credentials = {
    region: req.ctx.config.s3.region,
    secretOf: (accessKey) => req.ctx.config.users.get(accessKey)?.key ?? null,
  };
  const signed = form ?? (await readSignedForm(req.request, bucket, credentials, req.body));
  const { fields, reader } = signed;
  try {
    if (signed.accessKey !== req.owner) throw new S3Error("AccessDenied");
    const conditions = parsePolicy(fields.get("policy") ?? "", Date.now());
    const keyField = fields.get("key");
    if (keyField === undefined) throw missingField("key");
    const key = keyField.replaceAll(FILENAME_VARIABLE, signed.filename);
    if (key === "")
      throw new S3Error("InvalidArgument", "User key must have a length greater than 0.", {
        ArgumentName: "key",
        ArgumentValue: "",
      });
    if (new TextEncoder().encode(key).length > MAX_OBJECT_NAME_LENGTH)
      throw new S3Error("KeyTooLongError", undefined, { MaxSizeAllowed: String(MAX_OBJECT_NAME_LENGTH) });
    const values = new Map(fields);
    values.set("key", key);
    values.set("bucket", bucket);
    const { min, max } = checkConditions(conditions, values);
    const headers = objectHeaders(fields, signed.fileType);
    const upload: { refused: S3Error | null } = { refused: null };
    const body = sizedFile(reader, min, max, (error) => {
      upload.refused = error;
    });
    const replaced = replacedUpload(req, key);
    let response: Response;
    try {
      response = await req.swift({ method: "PUT", container: bucket, object: key, headers, body });
    } catch (error) {
      throw upload.refused ?? error;
    }
    if (upload.refused !== null) {
      await response.body?.cancel();
      throw upload.refused;
    }
    await writeResult(req, response, bucket);
    await response.body?.cancel();
    releaseReplaced(req, key, replaced);
    return answer(req, fields, bucket, key, response);
  } finally {
    await reader.close();
  }
}
