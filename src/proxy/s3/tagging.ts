/**
 * @module
 * Object and bucket tagging (in progress).
 */

import { S3Error } from "./errors";
import type { S3Request } from "./request";

const pending = async (_req: S3Request): Promise<Response> => {
  throw new S3Error("NotImplemented");
};

export const getObjectTagging = pending;
export const putObjectTagging = pending;
export const deleteObjectTagging = pending;
export const getBucketTagging = pending;
export const putBucketTagging = pending;
export const deleteBucketTagging = pending;
