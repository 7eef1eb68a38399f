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

/** A little-endian unsigned integer width: its typed array and the DataView methods that read and write it. */
interface UintWidth<A extends Uint16Array | Uint32Array> {
  array: { new (length: number): A; readonly BYTES_PER_ELEMENT: number };
  get: "getUint16" | "getUint32";
  set: "setUint16" | "setUint32";
}

const UINT16: UintWidth<Uint16Array> = { array: Uint16Array, get: "getUint16", set: "setUint16" };
const UINT32: UintWidth<Uint32Array> = { array: Uint32Array, get: "getUint32", set: "setUint32" };

/** Base64 of unsigned integers of one width, little-endian. */
function uintsToBase64<A extends Uint16Array | Uint32Array>(values: A, width: UintWidth<A>): string {
  const size = width.array.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view[width.set](i * size, values[i] ?? 0, true);
  return bytesToBase64(bytes);
}

/** Unsigned integers of one width from a little-endian base64 string; throws `misfit` when the bytes do not divide. */
function base64ToUints<A extends Uint16Array | Uint32Array>(text: string, width: UintWidth<A>, misfit: string): A {
  const size = width.array.BYTES_PER_ELEMENT;
  const bytes = base64ToBytes(text);
  if (bytes.length % size !== 0) throw new Error(misfit);
  const view = new DataView(bytes.buffer);
  const values = new width.array(bytes.length / size);
  for (let i = 0; i < values.length; i++) values[i] = view[width.get](i * size, true);
  return values;
}

/** Base64 of uint16 values, little-endian. */
export function uint16ToBase64(values: Uint16Array): string {
  return uintsToBase64(values, UINT16);
}

/** Base64 of uint32 values, little-endian. */
export function uint32ToBase64(values: Uint32Array): string {
  return uintsToBase64(values, UINT32);
}

/** Uint32 values of a little-endian base64 string; throws when the byte count is not a multiple of 4. */
export function base64ToUint32(text: string): Uint32Array {
  return base64ToUints(text, UINT32, "uint32 table length is not a multiple of 4 bytes");
}

/** Uint16 values of a little-endian base64 string; throws when the byte count is odd. */
export function base64ToUint16(text: string): Uint16Array {
  return base64ToUints(text, UINT16, "uint16 table has an odd number of bytes");
}
