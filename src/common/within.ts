/**
 * @module
 * Waiting for work at most a while: the one timeout race (a replica call's node timeout, a
 * container update's wait, a multipart Complete's grace period before its heartbeat).
 */

/**
 * What `work` settles to, or `otherwise` once `ms` have passed first (the work goes on unawaited;
 * its rejection, when it comes first, is this promise's). The timer is cleared either way.
 */
export async function within<T, F>(work: Promise<T>, ms: number, otherwise: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(otherwise), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
