import type { LatencyBucket } from '../contracts/latency-buckets.ts';

/**
 * One-sided 95%: how many standard errors the evidence must clear, for a percentile here and an
 * error rate (rate-evidence.ts) alike.
 */
export const Z_95 = 1.645;

/**
 * Whether stored spans show the weighted `percent`-th percentile above `thresholdMs` beyond
 * what sampling noise explains: the share of requests slower than the threshold must exceed
 * 1 − percent/100 by 1.645 standard errors (one-sided 95%).
 *
 * A p95 over a low-traffic service rests on a few kept spans, each standing for many requests
 * (weight 10 under the Collector's 10% baseline): one slow one among fifteen moves the estimate
 * past any threshold. The spread of the estimate follows from how spans were kept: a span of
 * weight w was kept with probability 1/w, so it adds w(w − 1)(y − share)² to the variance of the
 * weighted sum (Horvitz–Thompson, linearised for the ratio; y is 1 when slower). Spans kept for
 * certain (errors, slow traces: weight 1) add nothing. Per bucket Σ w(w − 1) is read as
 * weight²/spans − weight, exact when a bucket's spans share one weight (narrow buckets mostly do).
 * Written here because no library works on Elasticsearch's weighted range buckets.
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
      const spread = Math.max(0, (bucket.weight * bucket.weight) / bucket.spans - bucket.weight);
      return sum + spread * (y - share) ** 2;
    }, 0) /
    (total * total);
  return share - Z_95 * Math.sqrt(variance) > 1 - percent / 100;
}

/** The part of a bucket above the threshold, spread geometrically as the percentiles read it. */
function shareSlower(bucket: LatencyBucket, thresholdMs: number): number {
  if (bucket.fromMs >= thresholdMs) return 1;
  if (bucket.toMs <= thresholdMs) return 0;
  const from = Math.max(bucket.fromMs, 1e-3);
  return Math.log(bucket.toMs / thresholdMs) / Math.log(bucket.toMs / from);
}
