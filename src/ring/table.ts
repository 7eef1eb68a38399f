/**
 * @module
 * The compact form of assignment tables in ring and builder files: zone indexes as bytes, base64.
 * A Uint16Array is written little-endian whatever the machine, so files compare byte for byte.
 */

const CHUNK = 0x8000;

/** Base64 of raw bytes (btoa in chunks: a 256 KiB table would overflow one apply call). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/** Raw bytes of a base64 string; throws on text that is not base64. */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Base64 of uint16 values, little-endian. */
export function uint16ToBase64(values: Uint16Array): string {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i] ?? 0, true);
  return bytesToBase64(bytes);
}

/** Base64 of uint32 values, little-endian. */
export function uint32ToBase64(values: Uint32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i] ?? 0, true);
  return bytesToBase64(bytes);
}

/** Uint32 values of a little-endian base64 string; throws when the byte count is not a multiple of 4. */
export function base64ToUint32(text: string): Uint32Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 4 !== 0) throw new Error("uint32 table length is not a multiple of 4 bytes");
  const view = new DataView(bytes.buffer);
  const values = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getUint32(i * 4, true);
  return values;
}

/** Uint16 values of a little-endian base64 string; throws when the byte count is odd. */
export function base64ToUint16(text: string): Uint16Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 2 !== 0) throw new Error("uint16 table has an odd number of bytes");
  const view = new DataView(bytes.buffer);
  const values = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < values.length; i++) values[i] = view.getUint16(i * 2, true);
  return values;
}
