/**
 * @module
 * Moving an object body between zone buckets, for the proxy (a handoff zone's copy) and for the
 * replicas (a body a repaired row points at but the zone's bucket lacks).
 */

/** Copies a body between buckets (a handoff zone, or a zone whose bucket missed the write). */
export async function copyBody(key: string, from: R2Bucket, to: R2Bucket): Promise<boolean> {
  const source = await from.get(key);
  if (!source) return false;
  const stream = new FixedLengthStream(source.size);
  const [put] = await Promise.all([to.put(key, stream.readable), source.body.pipeTo(stream.writable)]);
  return put !== null;
}
