import type { LatencyBucket } from '../contracts/latency-buckets.ts';

/**
 * Weighted percentiles from a latency histogram. Elasticsearch's percentiles aggregation cannot
 * weight documents, so Lantern sums span weights into narrow geometric buckets and reads each
 * percentile here, interpolating geometrically inside its bucket.
 *
 * @returns one value (ms) per requested percentile (0–100), or null when there is no weight
 */
export function weightedPercentiles(
  buckets: readonly LatencyBucket[],
  percents: readonly number[],
): (number | null)[] {
  const total = buckets.reduce((sum, bucket) => sum + bucket.weight, 0);
  if (total <= 0) return percents.map(() => null);
  return percents.map((percent) => {
    const wanted = (percent / 100) * total;
    let below = 0;
    for (const bucket of buckets) {
      if (bucket.weight > 0 && below + bucket.weight >= wanted) {
        const fraction = (wanted - below) / bucket.weight;
        const from = Math.max(bucket.fromMs, 1e-3);
        return from * (bucket.toMs / from) ** fraction;
      }
      below += bucket.weight;
    }
    return buckets.at(-1)?.toMs ?? null;
  });
}
