import type { LatencyBucket } from './latency-buckets.ts';

/** Requests (server spans) of one group, weighted by each span's sampling weight. */
export interface RequestStats {
  /** Service name, route, or bucket start (epoch ms as a string), depending on the grouping. */
  readonly key: string;
  /** Stored server spans. */
  readonly spans: number;
  /** Requests they stand for (sum of sampling weights; spans without a weight count 1). */
  readonly requests: number;
  /** Of those, failed: span status ERROR or HTTP status >= 500. */
  readonly errors: number;
  /**
   * Σ weight² over the spans, and over the failed ones: how much sampling and chance spread the
   * error rate (analysis/rate-evidence.ts).
   */
  readonly weightSquares: number;
  readonly errorWeightSquares: number;
  /** Epoch ms of the earliest span in the range; null when there is none. */
  readonly since: number | null;
  /** Of those, slower than the query's `slowerThanMs` (0 unless it asked). */
  readonly slow: number;
  /** Empty unless the query asked for latency. */
  readonly latency: readonly LatencyBucket[];
}

/** One time bucket of one service's requests, weighted. */
export interface RequestPoint {
  /** Bucket start, epoch ms. */
  readonly start: number;
  readonly requests: number;
  readonly errors: number;
}
