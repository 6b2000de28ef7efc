/** A time bucket of weighted requests, as the request-rate and error-rate answers give them. */
interface Bucket {
  readonly start: string;
  readonly requests: number;
}

/** What "now" means for a request rate: the last five minutes of complete buckets. */
const NOW_MS = 5 * 60_000;

/**
 * Requests per second now: over the complete buckets (the one still filling left out) that
 * started in the last five minutes, or the last complete one when buckets are wider. Null
 * without a complete bucket.
 */
export function currentRate(
  buckets: readonly Bucket[],
  intervalMs: number,
  nowMs: number,
): number | null {
  const complete = buckets.filter((b) => Date.parse(b.start) + intervalMs <= nowMs);
  const recent = complete.filter((b) => Date.parse(b.start) >= nowMs - NOW_MS);
  const chosen = recent.length > 0 ? recent : complete.slice(-1);
  if (chosen.length === 0) return null;
  return chosen.reduce((sum, b) => sum + b.requests, 0) / ((chosen.length * intervalMs) / 1000);
}

/**
 * Requests per second over the range, counted only from the service's first bucket with
 * requests: a service that started two minutes ago at 20/s reads 20, not 20 × 2 / 60 on an
 * hour's range.
 */
export function rangeRate(
  requests: number,
  buckets: readonly Bucket[],
  range: { readonly from: number; readonly to: number },
): number {
  const first = buckets.find((b) => b.requests > 0);
  const since = first ? Math.max(range.from, Date.parse(first.start)) : range.from;
  return requests / (Math.max(1000, range.to - since) / 1000);
}
