/**
 * @module
 * MD5 as Swift's ETags use it: the hex digest of bytes or of a string's UTF-8.
 */

import { bytesToHex } from "@noble/hashes/utils.js";

/** MD5 hex of bytes or of a string's UTF-8. */
export async function md5Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("MD5", bytes)));
}
