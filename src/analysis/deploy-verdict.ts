import type { DeployVerdict } from '../contracts/api/deployments.ts';
import type { LatencyBucket } from '../contracts/latency-buckets.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import { shareSlower } from './percentile-evidence.ts';
import { requestCounts, riseScore, type WeightedCounts } from './rate-evidence.ts';
import { weightedPercentiles } from './weighted-percentiles.ts';

/**
 * Whether a deploy made a service worse: the previous version's requests in the window before
 * the deploy against the new version's after it. Pure: from the two sides' request figures and
 * the error patterns only the new version logged.
 */

/**
 * The two windows of a deploy at `at`: the new version's from the deploy to `maxMs` after it
 * (clipped at `now`), the previous version's just before, as long. Equal lengths, so rates and
 * percentiles compare traffic of the same span of time.
 */
export function comparisonWindows(
  at: number,
  now: number,
  maxMs: number,
): { before: TimeRange; after: TimeRange } {
  const length = Math.max(0, Math.min(now, at + maxMs) - at);
  return { before: { from: at - length, to: at }, after: { from: at, to: at + length } };
}

/** What makes a deploy worse; the faulty_deployment rule's fields, in its units. */
export interface DeployThresholds {
  /** Fewer weighted requests than this after the deploy (or before it) is too early to tell. */
  readonly minRequests: number;
  /** And a new version younger than this (ms). */
  readonly minAgeMs: number;
  /** An error rate rise smaller than this (a fraction) is no regression, however certain. */
  readonly minRateIncrease: number;
  /** The new p95 must be at least this many times the old one (1.2: 20% slower). */
  readonly p95Factor: number;
  /** A new error pattern counts from this many records in the new version's window. */
  readonly minPatternCount: number;
}

/** The faulty_deployment rule's defaults (config/rules.yaml), and the comparison endpoint's. */
export const DEFAULT_DEPLOY_THRESHOLDS: DeployThresholds = {
  minRequests: 100,
  minAgeMs: 60_000,
  minRateIncrease: 0.01,
  p95Factor: 1.2,
  minPatternCount: 5,
};

/** An error pattern only the new version logged, and how often. */
export interface PatternCount {
  readonly pattern: string;
  readonly count: number;
}

export interface DeploySides {
  /** Null when there is no previous version. */
  readonly before: RequestStats | null;
  /** The new version's requests: a zero row when it has none yet. */
  readonly after: RequestStats;
  /** Length of each window, ms. */
  readonly windowMs: number;
  readonly newPatterns: readonly PatternCount[];
}

/**
 * Standard errors a rise must clear. Stricter than the single-window rules' 95% (Z_95): one deploy
 * is judged again on every evaluation (every 5 s for an hour), each time on a little more data;
 * at 99.9% a neutral deploy stays quiet across those looks, and a real fault (30% failed against
 * 1%) clears it within the first minute of traffic.
 */
export const Z_DEPLOY = 3.09;

export interface Verdict {
  readonly verdict: DeployVerdict;
  readonly evidence: string[];
}

/**
 * The verdict on a deploy, and why. `worse` when any of: the error rate rose beyond chance
 * (a two-proportion test on weighted counts at their effective sizes) and by at least
 * `minRateIncrease`; the p95 rose by `p95Factor` and the share of requests slower than that
 * (factor × old p95) rose beyond chance the same way; an error pattern only the new version
 * logged, `minPatternCount` times or more.
 */
export function deployVerdict(sides: DeploySides, thresholds: DeployThresholds): Verdict {
  const { before, after } = sides;
  if (before === null || before.requests <= 0)
    return { verdict: 'no-previous', evidence: ['no requests of a previous version before it'] };
  if (
    after.requests < thresholds.minRequests ||
    before.requests < thresholds.minRequests ||
    sides.windowMs < thresholds.minAgeMs
  )
    return {
      verdict: 'too-early',
      evidence: [
        `${count(after.requests)} requests over ${seconds(sides.windowMs)} since the deploy ` +
          `(${count(before.requests)} before): at least ${count(thresholds.minRequests)} each ` +
          `and ${seconds(thresholds.minAgeMs)} are needed to tell`,
      ],
    };
  const findings = [
    errorRateFinding(before, after, thresholds),
    p95Finding(before, after, thresholds),
    ...sides.newPatterns.map((p) => patternFinding(p, thresholds)),
  ];
  // A worse deploy's evidence is what makes it worse; a neutral one's, every figure compared.
  const worse = findings.filter((f) => f.worse);
  return worse.length > 0
    ? { verdict: 'worse', evidence: worse.map((f) => f.text) }
    : { verdict: 'not-worse', evidence: findings.map((f) => f.text) };
}

interface Finding {
  readonly worse: boolean;
  readonly text: string;
}

function errorRateFinding(
  before: RequestStats,
  after: RequestStats,
  thresholds: DeployThresholds,
): Finding {
  const old = before.errors / before.requests;
  const now = after.errors / after.requests;
  const z = riseScore(requestCounts(before), requestCounts(after));
  const worse = z > Z_DEPLOY && now - old >= thresholds.minRateIncrease;
  return {
    worse,
    text:
      `error rate ${percent(now)} after vs ${percent(old)} before ` +
      `(${count(after.requests)} and ${count(before.requests)} requests): ` +
      (worse ? `a rise beyond chance (z = ${z.toFixed(1)})` : 'no rise beyond chance and size'),
  };
}

function p95Finding(
  before: RequestStats,
  after: RequestStats,
  thresholds: DeployThresholds,
): Finding {
  const [old] = weightedPercentiles(before.latency, [95]);
  const [now] = weightedPercentiles(after.latency, [95]);
  if (old == null || now == null || old <= 0) return { worse: false, text: 'p95: no latency' };
  const limit = old * thresholds.p95Factor;
  const z = riseScore(slowerThan(before.latency, limit), slowerThan(after.latency, limit));
  const worse = now >= limit && z > Z_DEPLOY;
  return {
    worse,
    text:
      `p95 ${ms(now)} after vs ${ms(old)} before (${(now / old).toFixed(2)}×): ` +
      (worse
        ? `requests slower than ${ms(limit)} rose beyond chance (z = ${z.toFixed(1)})`
        : `not ${String(thresholds.p95Factor)}× slower beyond chance`),
  };
}

function patternFinding(pattern: PatternCount, thresholds: DeployThresholds): Finding {
  const worse = pattern.count >= thresholds.minPatternCount;
  return {
    worse,
    text:
      `new error pattern "${pattern.pattern}", ${String(pattern.count)} times` +
      (worse ? '' : ` (fewer than ${String(thresholds.minPatternCount)})`),
  };
}

/**
 * Requests slower than `thresholdMs` as weighted counts, a latency bucket across it split
 * geometrically as the percentiles read it. Σw² per bucket is read as weight²/spans, exact when
 * a bucket's spans share one weight (percentile-evidence.ts reads it the same way).
 */
export function slowerThan(buckets: readonly LatencyBucket[], thresholdMs: number): WeightedCounts {
  let events = 0;
  let total = 0;
  let totalSquares = 0;
  let failed = 0;
  let failedSquares = 0;
  for (const bucket of buckets) {
    if (bucket.spans <= 0) continue;
    const squares = (bucket.weight * bucket.weight) / bucket.spans;
    const y = shareSlower(bucket, thresholdMs);
    events += bucket.spans;
    total += bucket.weight;
    totalSquares += squares;
    failed += y * bucket.weight;
    failedSquares += y * squares;
  }
  return { events, total, totalSquares, failed, failedSquares };
}

const percent = (rate: number): string => `${Number((rate * 100).toPrecision(3))}%`;
const ms = (value: number): string => `${Number(value.toPrecision(3))} ms`;
const count = (value: number): string => String(Math.round(value));
const seconds = (value: number): string => `${String(Math.round(value / 1000))} s`;
