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
 * as the Collector keeps them: everything slower than `slowMs` (weight 1; 500 ms by default,
 * LANTERN_SLOW_TRACE_MS), 10% of the rest (weight 10).
 */
function sampledWindow(random: () => number, requests: number, medianMs: number, slowMs: number) {
  const kept: [number, number][] = [];
  for (let i = 0; i < requests; i += 1) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const duration = medianMs * Math.exp(0.5 * gaussian);
    if (duration > slowMs) kept.push([duration, 1]);
    else if (random() < 0.1) kept.push([duration, 10]);
  }
  return histogram(kept, 1.02);
}

/** Of `windows` sampled windows: how often the p95 estimate is over 500 ms, and how often shown. */
function over500(seed: number, windows: number, requests: number, medianMs: number, slowMs = 500) {
  const random = prng(seed);
  let estimated = 0;
  let shown = 0;
  for (let w = 0; w < windows; w += 1) {
    const buckets = sampledWindow(random, requests, medianMs, slowMs);
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

  it('counts chance on spans kept for certain: 16 slow of 300 is the window, 30 the service', () => {
    const all = (slow: number): [number, number][] => [
      ...Array.from({ length: slow }, (): [number, number] => [600, 1]),
      ...Array.from({ length: 300 - slow }, (): [number, number] => [100, 1]),
    ];
    // 5.3% slower than 500 ms: this window's p95 is above it, but a service whose true share is
    // 4% makes windows like this one time in five.
    expect(weightedPercentiles(histogram(all(16), 1.02), [95])[0]).toBeGreaterThan(500);
    expect(percentileExceeds(histogram(all(16), 1.02), 95, 500)).toBe(false);
    // 10%: 3.9 standard errors above 5%.
    expect(percentileExceeds(histogram(all(30), 1.02), 95, 500)).toBe(true);
  });

  it('keeps a quiet service whose true p95 is 318 ms from paging, where the bare estimate would', () => {
    // 150 requests per window (30 a minute), median 140 ms: true p95 = 140 × e^(1.645 × 0.5). On
    // a Collector that keeps only traces over 1 s (LANTERN_SLOW_TRACE_MS=1000), the requests
    // between 500 ms and 1 s rest on spans of weight 10.
    const { estimated, shown } = over500(7, 2000, 150, 140, 1000);
    expect(estimated).toBeGreaterThan(40);
    expect(shown).toBeLessThan(5);
    // Every request slower than 500 ms kept: the estimate itself stays under.
    expect(over500(7, 2000, 150, 140)).toEqual({ estimated: 0, shown: 0 });
  });

  it('still shows a real regression on the same quiet service (true p95 727 ms)', () => {
    // Median 320 ms: 19% of requests slower than 500 ms, all of them kept: shown in every
    // window, so an alert follows at its first evaluation.
    expect(over500(11, 500, 300, 320).shown).toBe(500);
    // Kept only over 1 s, they rest on about 30 spans a window: shown in most (68% of these).
    expect(over500(11, 500, 300, 320, 1000).shown).toBeGreaterThan(300);
  });

  it('is false without data', () => {
    expect(percentileExceeds([], 95, 500)).toBe(false);
  });
});
