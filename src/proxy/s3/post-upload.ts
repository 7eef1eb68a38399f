/**
 * @module
 * Browser POST uploads with a signed policy (in progress).
 */

import { S3Error } from "./errors";
import type { S3Request } from "./request";

/** Whether a request is a browser form upload (POST multipart/form-data to a bucket). */
export function isFormUpload(request: Request): boolean {
  return request.method === "POST" && (request.headers.get("content-type") ?? "").startsWith("multipart/form-data");
}

export const postObject = async (_req: S3Request): Promise<Response> => {
  throw new S3Error("NotImplemented");
};
