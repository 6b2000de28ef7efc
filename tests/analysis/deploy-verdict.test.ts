import { describe, expect, it } from 'vitest';
import {
  comparisonWindows,
  DEFAULT_DEPLOY_THRESHOLDS,
  deployVerdict,
  slowerThan,
  type DeploySides,
} from '../../src/analysis/deploy-verdict.ts';
import { riseScore } from '../../src/analysis/rate-evidence.ts';
import { geometricEdges, type LatencyBucket } from '../../src/contracts/latency-buckets.ts';
import type { RequestStats } from '../../src/contracts/request-stats.ts';

/** A seeded linear congruential generator: the same traffic every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const EDGES = geometricEdges(0.05, 600_000, 1.02);

/** One kept span: its duration, whether it failed, its weight. */
type Span = readonly [ms: number, failed: boolean, weight: number];

/** Kept spans summed as Elasticsearch sums them: weights, squares, 2%-wide latency buckets. */
function stats(spans: readonly Span[]): RequestStats {
  const buckets = new Map<number, { spans: number; weight: number }>();
  let requests = 0;
  let errors = 0;
  let weightSquares = 0;
  let errorWeightSquares = 0;
  for (const [ms, failed, w] of spans) {
    requests += w;
    weightSquares += w * w;
    if (failed) {
      errors += w;
      errorWeightSquares += w * w;
    }
    // geometricEdges' i-th edge is 0.05 × 1.02^i.
    const at = Math.floor(Math.log(ms / 0.05) / Math.log(1.02));
    const bucket = buckets.get(at) ?? { spans: 0, weight: 0 };
    buckets.set(at, { spans: bucket.spans + 1, weight: bucket.weight + w });
  }
  const latency: LatencyBucket[] = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, b]) => ({ fromMs: EDGES[i] ?? 0, toMs: EDGES[i + 1] ?? 0, ...b }));
  return {
    key: 'checkout',
    spans: spans.length,
    requests,
    errors,
    weightSquares,
    errorWeightSquares,
    since: 0,
    slow: 0,
    latency,
  };
}

/**
 * `n` requests as the sampler keeps them: each fails with `errorRate` (kept, weight 1); the others
 * are kept one in four (weight 4). Latency is log-normal around `medianMs`, times `slower`.
 */
function traffic(random: () => number, n: number, errorRate: number, slower = 1): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < n; i += 1) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const ms = 40 * Math.exp(0.5 * gaussian) * slower;
    if (random() < errorRate) spans.push([ms, true, 1]);
    else if (random() < 0.25) spans.push([ms, false, 4]);
  }
  return spans;
}

const sides = (before: Span[], after: Span[], patterns: DeploySides['newPatterns'] = []) => ({
  before: stats(before),
  after: stats(after),
  windowMs: 5 * 60_000,
  newPatterns: patterns,
});
const judge = (s: DeploySides) => deployVerdict(s, DEFAULT_DEPLOY_THRESHOLDS);

describe('deploy verdict', () => {
  it('windows: the new version from the deploy, the old as long just before it', () => {
    expect(comparisonWindows(100_000, 160_000, 1_800_000)).toEqual({
      before: { from: 40_000, to: 100_000 },
      after: { from: 100_000, to: 160_000 },
    });
    expect(comparisonWindows(0, 5_000_000, 1_800_000).after).toEqual({ from: 0, to: 1_800_000 });
  });

  it('worse: an error rate from 1% to 30% over a few minutes of 20 requests a second', () => {
    const random = prng(1);
    const verdict = judge(sides(traffic(random, 2400, 0.01), traffic(random, 2400, 0.3)));
    expect(verdict.verdict).toBe('worse');
    expect(verdict.evidence).toHaveLength(1);
    expect(verdict.evidence[0]).toMatch(/^error rate \d+(\.\d+)?% after vs \d(\.\d+)?% before/);
  });

  it('worse: a p95 1.5 times slower, errors unchanged', () => {
    const random = prng(2);
    const verdict = judge(sides(traffic(random, 2400, 0.01), traffic(random, 2400, 0.01, 1.5)));
    expect(verdict.verdict).toBe('worse');
    expect(verdict.evidence).toEqual([
      expect.stringMatching(/^p95 .* \(1\.\d\d×\): requests slower/),
    ]);
  });

  it('worse: an error pattern only the new version logs, from the minimum count', () => {
    const random = prng(3);
    const before = traffic(random, 2400, 0.01);
    const after = traffic(random, 2400, 0.01);
    const pattern = (count: number) => [{ pattern: 'card <id> declined', count }];
    expect(judge(sides(before, after, pattern(5)))).toEqual({
      verdict: 'worse',
      evidence: ['new error pattern "card <id> declined", 5 times'],
    });
    expect(judge(sides(before, after, pattern(4))).verdict).toBe('not-worse');
  });

  it('neutral: of 200 deploys that change nothing, or slow requests by 5%, none is worse', () => {
    const random = prng(4);
    const judged = [];
    for (let i = 0; i < 200; i += 1) {
      const slower = i % 2 === 0 ? 1 : 1.05;
      const n = 600 + (i % 10) * 3000;
      judged.push(judge(sides(traffic(random, n, 0.02), traffic(random, n, 0.02, slower))).verdict);
    }
    expect(judged.filter((v) => v !== 'not-worse')).toEqual([]);
  });

  it('chance: at 2 requests a second, 5% failing on both sides, no deploy of 300 is worse', () => {
    // Five minutes, ~170 kept spans a side: the rate moves by a point or more most times.
    const random = prng(7);
    const judged = [];
    for (let i = 0; i < 300; i += 1)
      judged.push(judge(sides(traffic(random, 600, 0.05), traffic(random, 600, 0.05))));
    expect(judged.filter((v) => v.verdict !== 'not-worse')).toEqual([]);
  });

  it('too early: fewer than 100 requests after the deploy, or less than a minute', () => {
    const random = prng(5);
    const before = traffic(random, 2400, 0.01);
    const few = judge(sides(before, traffic(random, 60, 0.5)));
    expect(few.verdict).toBe('too-early');
    expect(few.evidence[0]).toMatch(/^\d+ requests over 300 s since the deploy/);
    const young = { ...sides(before, traffic(random, 2400, 0.5)), windowMs: 59_000 };
    expect(judge(young).verdict).toBe('too-early');
  });

  it('no previous: nothing ran before the new version', () => {
    const after = stats(traffic(prng(6), 2400, 0.3));
    expect(judge({ before: null, after, windowMs: 300_000, newPatterns: [] }).verdict).toBe(
      'no-previous',
    );
  });
});

describe('rise score', () => {
  it('is the two-proportion z for equal weights, and 0 without a spread', () => {
    const plain = (total: number, failed: number) => ({
      events: total,
      total,
      totalSquares: total,
      failed,
      failedSquares: failed,
    });
    // 10 of 1000 against 30 of 1000: pooled 2%, se = √(0.02 · 0.98 · 2/1000) = 0.00626.
    expect(riseScore(plain(1000, 10), plain(1000, 30))).toBeCloseTo(0.02 / 0.006261, 3);
    expect(riseScore(plain(1000, 0), plain(1000, 0))).toBe(0);
  });

  it('slower-than counts split a bucket across the threshold as the percentiles do', () => {
    const counts = slowerThan(
      [
        { fromMs: 10, toMs: 20, spans: 2, weight: 8 },
        { fromMs: 20, toMs: 40, spans: 1, weight: 1 },
      ],
      Math.sqrt(200),
    );
    expect(counts).toMatchObject({ events: 3, total: 9, totalSquares: 33 });
    expect(counts.failed).toBeCloseTo(4 + 1, 9);
  });
});
