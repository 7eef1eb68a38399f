/**
 * @module
 * For the S3 unit tests: the S3Error a call throws (a test fails when it throws none, or another
 * error), so each test file reads the code, message and fields it checks.
 */
import { S3Error } from "../../../../src/proxy/s3/errors";

export function thrownS3Error(run: () => unknown): S3Error {
  try {
    run();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("accepted: no S3Error thrown");
}
