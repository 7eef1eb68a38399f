/**
 * @module
 * S3_MIN_PART_SIZE as parseConfig reads it: AWS's 5 MiB unless set, any positive whole number
 * of bytes (s3api's min_segment_size), and a 503 naming it for anything else.
 */
import { env } from "cloudflare:workers";
import { describe, it } from "vitest";
import { ConfigError, DEFAULT_MIN_PART_SIZE_BYTES, parseConfig } from "../../../src/config/config";

/** The test env with S3_MIN_PART_SIZE replaced (undefined: unset). */
const withMinPartSize = (value: unknown): Env => ({ ...env, S3_MIN_PART_SIZE: value }) as unknown as Env;

function refusal(value: unknown): ConfigError {
  try {
    parseConfig(withMinPartSize(value));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`parseConfig accepted S3_MIN_PART_SIZE ${String(value)}`);
}

describe("parseConfig: S3_MIN_PART_SIZE", () => {
  it("is AWS's 5 MiB as wrangler.toml ships it, and when unset or empty", ({ expect }) => {
    expect(DEFAULT_MIN_PART_SIZE_BYTES).toBe(5 * 1024 * 1024);
    expect(parseConfig(env).s3.minPartSizeBytes).toBe(5_242_880);
    expect(parseConfig(withMinPartSize(undefined)).s3.minPartSizeBytes).toBe(5_242_880);
    expect(parseConfig(withMinPartSize("")).s3.minPartSizeBytes).toBe(5_242_880);
  });

  it("takes any positive whole number of bytes", ({ expect }) => {
    expect(parseConfig(withMinPartSize("1")).s3.minPartSizeBytes).toBe(1);
    expect(parseConfig(withMinPartSize("8388608")).s3.minPartSizeBytes).toBe(8_388_608);
  });

  it("refuses anything else with 503, naming it", ({ expect }) => {
    for (const bad of ["0", "-5", "1.5", "five", "9007199254740993"]) {
      const error = refusal(bad);
      expect(error.status).toBe(503);
      expect(error.message).toBe(`configuration: S3_MIN_PART_SIZE must be a positive integer, got "${bad}"`);
    }
  });
});
