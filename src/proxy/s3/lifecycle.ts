/**
 * @module
 * Bucket lifecycle configuration (in progress).
 */

import { S3Error } from "./errors";
import type { S3Request } from "./request";

const pending = async (_req: S3Request): Promise<Response> => {
  throw new S3Error("NotImplemented");
};

export const getLifecycle = pending;
export const putLifecycle = pending;
export const deleteLifecycle = pending;
