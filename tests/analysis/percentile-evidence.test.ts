import { describe, expect, it } from 'vitest';
import { percentileExceeds } from '../../src/analysis/percentile-evidence.ts';
import { weightedPercentiles } from '../../src/analysis/weighted-percentiles.ts';
import { histogram } from '../support/latency-histogram.ts';

/** A seeded linear congruential generator: the same windows every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * One window of `requests` requests with log-normal durations (median `medianMs`, σ 0.5), kept
 * as the Collector keeps them: everything slower than 1 s (weight 1), 10% of the rest (weight 10).
 */
function sampledWindow(random: () => number, requests: number, medianMs: number) {
  const kept: [number, number][] = [];
  for (let i = 0; i < requests; i += 1) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const duration = medianMs * Math.exp(0.5 * gaussian);
    if (duration > 1000) kept.push([duration, 1]);
    else if (random() < 0.1) kept.push([duration, 10]);
  }
  return histogram(kept, 1.02);
}

/** Of `windows` sampled windows: how often the p95 estimate is over 500 ms, and how often shown. */
function over500(seed: number, windows: number, requests: number, medianMs: number) {
  const random = prng(seed);
  let estimated = 0;
  let shown = 0;
  for (let w = 0; w < windows; w += 1) {
    const buckets = sampledWindow(random, requests, medianMs);
    if ((weightedPercentiles(buckets, [95])[0] ?? 0) > 500) estimated += 1;
    if (percentileExceeds(buckets, 95, 500)) shown += 1;
  }
  return { estimated, shown };
}

describe('a percentile above a threshold beyond sampling noise', () => {
  it('is not shown by one slow span among fifteen kept at weight 10', () => {
    const buckets = histogram(
      [...Array.from({ length: 14 }, (_, i): [number, number] => [100 + i * 10, 10]), [550, 10]],
      1.02,
    );
    expect(weightedPercentiles(buckets, [95])[0]).toBeGreaterThan(500);
    expect(percentileExceeds(buckets, 95, 500)).toBe(false);
  });

  it('is shown by spans kept for certain: weight 1 carries no sampling noise', () => {
    const slow = Array.from({ length: 16 }, (): [number, number] => [600, 1]);
    const fast = Array.from({ length: 284 }, (): [number, number] => [100, 1]);
    expect(percentileExceeds(histogram([...fast, ...slow], 1.02), 95, 500)).toBe(true);
    // 15 of 300 is exactly 5%: the p95 is not above the threshold.
    expect(percentileExceeds(histogram([...fast, [100, 1], ...slow.slice(1)], 1.02), 95, 500)).toBe(
      false,
    );
  });

  it('keeps a quiet service whose true p95 is 318 ms from paging, where the bare estimate would', () => {
    // 150 requests per window (30 a minute), median 140 ms: true p95 = 140 × e^(1.645 × 0.5).
    const { estimated, shown } = over500(7, 2000, 150, 140);
    expect(estimated).toBeGreaterThan(40);
    expect(shown).toBeLessThan(5);
  });

  it('still shows a real regression on the same quiet service (true p95 727 ms)', () => {
    // Median 320 ms: 19% of requests slower than 500 ms. About 30 spans kept per window: shown
    // in most windows (71% of these), so an alert with `for: 2m` follows within minutes.
    const { shown } = over500(11, 500, 300, 320);
    expect(shown).toBeGreaterThan(300);
  });

  it('is false without data', () => {
    expect(percentileExceeds([], 95, 500)).toBe(false);
  });
});
