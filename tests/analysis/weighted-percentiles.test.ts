import { describe, expect, it } from 'vitest';
import { weightedPercentiles } from '../../src/analysis/weighted-percentiles.ts';
import { histogram } from '../support/latency-histogram.ts';

function exact(samples: [number, number][], percent: number): number {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, w]) => sum + w, 0);
  let seen = 0;
  for (const [duration, weight] of sorted) {
    seen += weight;
    if (seen >= (percent / 100) * total) return duration;
  }
  return sorted.at(-1)?.[0] ?? 0;
}

describe('weighted percentiles from a geometric histogram', () => {
  it('match the exact weighted percentiles within 1%', () => {
    const samples: [number, number][] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const duration = 5 + 300 * Math.random() ** 3 + (i % 50 === 0 ? 800 : 0);
      samples.push([duration, i % 3 === 0 ? 4 : 1]);
    }
    const estimated = weightedPercentiles(histogram(samples, 1.02), [50, 95, 99]);
    [50, 95, 99].forEach((percent, i) => {
      const truth = exact(samples, percent);
      expect(Math.abs((estimated[i] ?? 0) - truth) / truth).toBeLessThan(0.01);
    });
  });

  it('counts weight, not documents', () => {
    const buckets = [
      { fromMs: 1, toMs: 2, spans: 1, weight: 1 },
      { fromMs: 100, toMs: 101, spans: 1, weight: 9 },
    ];
    expect(weightedPercentiles(buckets, [50])[0]).toBeGreaterThan(100);
  });

  it('is null without data', () => {
    expect(weightedPercentiles([], [50, 99])).toEqual([null, null]);
  });
});
