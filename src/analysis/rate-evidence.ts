import type { RequestStats } from '../contracts/request-stats.ts';
import { Z_95 } from './percentile-evidence.ts';

// The level is the latency rule's (percentile-evidence.ts): one level of evidence for every
// rule, so "beyond chance" means the same whichever rule says it. The rule's `for` adds
// persistence on top of it.

/**
 * Failures among weighted events (requests standing for `weight` each, or log records of weight
 * 1): the sums of weights and of squared weights, over all events and over the failed ones.
 */
export interface WeightedCounts {
  /** Stored events (spans, records): what the estimate rests on. */
  readonly events: number;
  /** Σw over every event. */
  readonly total: number;
  /** Σw² over every event. */
  readonly totalSquares: number;
  /** Σw over the failed ones. */
  readonly failed: number;
  /** Σw² over the failed ones. */
  readonly failedSquares: number;
}

/** Unweighted counts (log records): each weighs 1, so its square does too. */
export const plainCounts = (total: number, failed: number): WeightedCounts => ({
  events: total,
  total,
  totalSquares: total,
  failed,
  failedSquares: failed,
});

/** A group's requests as weighted counts: its spans, their weights and squared weights. */
export const requestCounts = (stats: RequestStats): WeightedCounts => ({
  events: stats.spans,
  total: stats.requests,
  totalSquares: stats.weightSquares,
  failed: stats.errors,
  failedSquares: stats.errorWeightSquares,
});

/**
 * How many independent events the weighted rate is worth (Korn and Graubard's effective sample
 * size): p̂(1 − p̂) ÷ Var(p̂), with the variance of the weighted ratio linearised,
 * Σ w²(y − p̂)² ÷ (Σw)², which holds both the chance of each request failing and the chance of
 * its span being kept. Equal weights give the plain count; weights unrelated to failure give
 * Kish's (Σw)² ÷ Σw². Lantern's weights are related: failures are kept for certain (weight 1)
 * while OK spans stand for many, so the OK side carries the uncertainty and Kish's figure would
 * undercount. Capped, as Korn and Graubard cap it, at the events stored: a variance read from a
 * handful of heavy spans is itself noise (two kept OK spans of weight 10 beside four failures
 * claim more certainty than six spans hold).
 */
export function effectiveCount(counts: WeightedCounts): number {
  return Math.min(counts.events, unCappedCount(counts));
}

function unCappedCount(counts: WeightedCounts): number {
  const { total, totalSquares, failed, failedSquares } = counts;
  if (total <= 0) return 0;
  const rate = failed / total;
  const okSquares = Math.max(0, totalSquares - failedSquares);
  const variance = (failedSquares * (1 - rate) ** 2 + okSquares * rate ** 2) / (total * total);
  // All failed or none: no spread to read; the weights alone say what the events are worth.
  if (variance <= 0 || rate <= 0 || rate >= 1) return (total * total) / Math.max(totalSquares, 1);
  return (rate * (1 - rate)) / variance;
}

/**
 * The lowest failure rate the counts leave plausible, one-sided 95%: Wilson's score bound at the
 * effective count. Wilson's bound stays inside [0, 1] and keeps its level on small counts and
 * rates near 0, where the normal (Wald) bound claims too much: four failures of sixty requests
 * are 6.7%, but a 1% service makes clusters like that by chance, and its bound says so.
 */
export function rateLowerBound(counts: WeightedCounts): number {
  const n = effectiveCount(counts);
  if (n <= 0 || counts.total <= 0) return 0;
  const rate = counts.failed / counts.total;
  const z2 = Z_95 * Z_95;
  const centre = rate + z2 / (2 * n);
  const margin = Z_95 * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/**
 * How many standard errors the second rate is above the first: a two-proportion z score on
 * weighted counts, each side worth its effective count ({@link effectiveCount}), the variance
 * pooled under "no change". 0 when either side holds nothing or neither varies.
 */
export function riseScore(first: WeightedCounts, second: WeightedCounts): number {
  const n1 = effectiveCount(first);
  const n2 = effectiveCount(second);
  if (n1 <= 0 || n2 <= 0 || first.total <= 0 || second.total <= 0) return 0;
  const p1 = first.failed / first.total;
  const p2 = second.failed / second.total;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const error = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return error > 0 ? (p2 - p1) / error : 0;
}
