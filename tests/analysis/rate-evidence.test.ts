import { describe, expect, it } from 'vitest';
import {
  effectiveCount,
  plainCounts,
  rateLowerBound,
  type WeightedCounts,
} from '../../src/analysis/rate-evidence.ts';

/** A seeded linear congruential generator: the same windows every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Kept spans as [weight, failed] pairs, summed as Elasticsearch sums them. */
function counts(spans: readonly (readonly [number, boolean])[]): WeightedCounts {
  let total = 0;
  let totalSquares = 0;
  let failed = 0;
  let failedSquares = 0;
  for (const [w, bad] of spans) {
    total += w;
    totalSquares += w * w;
    if (bad) {
      failed += w;
      failedSquares += w * w;
    }
  }
  return { events: spans.length, total, totalSquares, failed, failedSquares };
}

/**
 * One window of `requests` requests failing with probability `rate`, kept as the Collector keeps
 * them: every failure (weight 1), a tenth of the rest (weight 10).
 */
function sampledWindow(random: () => number, requests: number, rate: number): WeightedCounts {
  const kept: [number, boolean][] = [];
  for (let i = 0; i < requests; i += 1) {
    if (random() < rate) kept.push([1, true]);
    else if (random() < 0.1) kept.push([10, false]);
  }
  return counts(kept);
}

/** Of `windows` windows, how many show a rate above `threshold` by their lower bound. */
function shownAbove(
  seed: number,
  windows: number,
  requests: number,
  rate: number,
  threshold: number,
) {
  const random = prng(seed);
  let shown = 0;
  for (let w = 0; w < windows; w += 1)
    if (rateLowerBound(sampledWindow(random, requests, rate)) > threshold) shown += 1;
  return shown;
}

describe('the effective count of a weighted failure rate', () => {
  it('is the plain count when every event weighs 1', () => {
    expect(effectiveCount(plainCounts(60, 4))).toBeCloseTo(60, 9);
  });

  it("is Kish's (Σw)²/Σw² when weights do not depend on failing", () => {
    // Ten spans of weight 1 and ten of weight 9, a fifth of each failed.
    const spans: [number, boolean][] = [];
    for (let i = 0; i < 10; i += 1) spans.push([1, i < 2], [9, i < 2]);
    const c = counts(spans);
    expect(effectiveCount(c)).toBeCloseTo((c.total * c.total) / c.totalSquares, 9);
  });

  it('is never more than the events stored: four failures and two OK spans of weight 10', () => {
    const c = counts([
      ...Array.from({ length: 4 }, () => [1, true] as const),
      [10, false],
      [10, false],
    ]);
    expect(effectiveCount(c)).toBe(6);
    // Uncapped, the linearised variance of six spans would claim about ten.
    expect(rateLowerBound(c)).toBeLessThan(0.05);
  });

  it('is more than Kish when failures are kept for certain and OK spans stand for ten', () => {
    const c = counts([
      ...Array.from({ length: 15 }, () => [1, true] as const),
      ...Array.from({ length: 5 }, () => [10, false] as const),
    ]);
    const kish = (c.total * c.total) / c.totalSquares;
    expect(effectiveCount(c)).toBeGreaterThan(2 * kish);
    expect(effectiveCount(c)).toBeLessThanOrEqual(c.total);
  });
});

describe('the lower bound of a failure rate', () => {
  it('leaves a chance cluster under 5%: four failures among sixty requests (6.7%)', () => {
    expect(4 / 60).toBeGreaterThan(0.05);
    expect(rateLowerBound(plainCounts(60, 4))).toBeLessThan(0.05);
  });

  it('leaves the same cluster under 5% when the OK requests rest on six spans of weight 10', () => {
    const c = counts([
      ...Array.from({ length: 4 }, () => [1, true] as const),
      ...Array.from({ length: 6 }, () => [10, false] as const),
    ]);
    expect(c.failed / c.total).toBeGreaterThan(0.05);
    expect(rateLowerBound(c)).toBeLessThan(0.05);
  });

  it('shows a 25% burst on sixty requests above 5%, sampled or not', () => {
    expect(rateLowerBound(plainCounts(60, 15))).toBeGreaterThan(0.05);
    const c = counts([
      ...Array.from({ length: 15 }, () => [1, true] as const),
      ...Array.from({ length: 5 }, () => [9, false] as const),
    ]);
    expect(rateLowerBound(c)).toBeGreaterThan(0.05);
  });

  it('is never below 0 and never above the rate', () => {
    expect(rateLowerBound(plainCounts(10, 0))).toBe(0);
    expect(rateLowerBound(plainCounts(0, 0))).toBe(0);
    expect(rateLowerBound(plainCounts(5, 5))).toBeLessThan(1);
    expect(rateLowerBound(plainCounts(1000, 300))).toBeLessThan(0.3);
  });

  it('keeps its level: a service failing at exactly 5% shows above 5% in at most 5% of windows', () => {
    const shown = shownAbove(7, 2000, 300, 0.05, 0.05);
    expect(shown / 2000).toBeLessThanOrEqual(0.05);
  });

  it('stays quiet on a 1% service of 60 requests a window, and shows a 25% burst in nearly all', () => {
    expect(shownAbove(11, 2000, 60, 0.01, 0.05)).toBe(0);
    expect(shownAbove(13, 2000, 60, 0.25, 0.05) / 2000).toBeGreaterThan(0.95);
  });
});
