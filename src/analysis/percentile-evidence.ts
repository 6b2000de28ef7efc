import type { LatencyBucket } from '../contracts/latency-buckets.ts';

/**
 * One-sided 95%: how many standard errors the evidence must clear, for a percentile here and an
 * error rate (rate-evidence.ts) alike.
 */
export const Z_95 = 1.645;

/**
 * Whether stored spans show the weighted `percent`-th percentile above `thresholdMs` beyond
 * what chance and sampling explain: the share of requests slower than the threshold must exceed
 * 1 − percent/100 by Z_95 standard errors, as an error rate must exceed its threshold
 * (rate-evidence.ts): a share of slow requests is a rate like a share of failed ones.
 *
 * The variance is the weighted ratio's, linearised: each kept span of weight w adds
 * w²(y − share)² (y is 1 when slower), which holds both the chance of each request being slow
 * and the chance of its span being kept (w(w − 1) of the w² is the sampling's). A span kept for
 * certain (an error, a slow trace: weight 1) still adds the chance of its request: a service whose
 * slow requests are all kept, 16 of 300 slower than the threshold (5.3%), shows a p95 above it
 * in this window, not in the service. A p95 over a low-traffic service rests on a few kept spans,
 * each standing for many requests (weight 10 under the Collector's 10% baseline): one slow one
 * among fifteen moves the estimate past any threshold, and its weight's variance says so. Per
 * bucket Σw² is read as weight²/spans, exact when a bucket's spans share one weight (narrow
 * buckets mostly do). Written here because no library works on Elasticsearch's weighted range
 * buckets.
 */
export function percentileExceeds(
  buckets: readonly LatencyBucket[],
  percent: number,
  thresholdMs: number,
): boolean {
  const total = buckets.reduce((sum, bucket) => sum + bucket.weight, 0);
  if (total <= 0) return false;
  const slower = buckets.map((bucket) => ({ bucket, y: shareSlower(bucket, thresholdMs) }));
  const share = slower.reduce((sum, { bucket, y }) => sum + y * bucket.weight, 0) / total;
  const variance =
    slower.reduce((sum, { bucket, y }) => {
      if (bucket.spans <= 0) return sum;
      return sum + ((bucket.weight * bucket.weight) / bucket.spans) * (y - share) ** 2;
    }, 0) /
    (total * total);
  return share - Z_95 * Math.sqrt(variance) > 1 - percent / 100;
}

/** The part of a bucket above the threshold, spread geometrically as the percentiles read it. */
export function shareSlower(bucket: LatencyBucket, thresholdMs: number): number {
  if (bucket.fromMs >= thresholdMs) return 1;
  if (bucket.toMs <= thresholdMs) return 0;
  const from = Math.max(bucket.fromMs, 1e-3);
  return Math.log(bucket.toMs / thresholdMs) / Math.log(bucket.toMs / from);
}
