import { percentileExceeds } from '../analysis/percentile-evidence.ts';
import {
  plainCounts,
  rateLowerBound,
  requestCounts,
  type WeightedCounts,
} from '../analysis/rate-evidence.ts';
import { weightedPercentiles } from '../analysis/weighted-percentiles.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { Client } from '../storage/client.ts';
import { evaluationReader, type EvaluationReader } from '../storage/evaluation-reader.ts';
import { FINE_LATENCY_BUCKETS } from '../storage/queries/request-stats.ts';
import { baseline } from './observe-baseline.ts';
import { faultyDeployments } from './observe-deploys.ts';
import { logPatterns } from './observe-patterns.ts';
import { sloBurn } from './observe-slo.ts';
import { storageDeletions } from './observe-storage.ts';
import { observation } from './observation.ts';
import type {
  AlertRule,
  LatencyRule,
  LogCountRule,
  LogErrorRateRule,
  RequestErrorRateRule,
} from './rules.ts';
import { thresholdOf, type Observation } from './state-machine.ts';

/** Whether a group's figures show the breach beyond chance, and what the alert says of it. */
interface Evidence {
  readonly evident: boolean;
  readonly details?: Readonly<Record<string, string>> | undefined;
}

/**
 * Per service: request figures over the window → value, whether it breaches, exemplars. A
 * breach also needs `evidence`: that the stored spans show it beyond chance and sampling noise.
 */
async function perServiceRequests(
  read: EvaluationReader,
  rule: RequestErrorRateRule | LatencyRule,
  range: TimeRange,
  measure: (stats: RequestStats) => number,
  evidence: (stats: RequestStats) => Evidence,
): Promise<Observation[]> {
  const latency = rule.kind === 'latency_percentile';
  const stats = await read.requests({
    range,
    service: rule.service,
    route: rule.route,
    groupBy: 'service',
    // Percentiles need fine latency buckets; an error rate needs none.
    latencyBucketRatio: latency ? FINE_LATENCY_BUCKETS : undefined,
  });
  const threshold = thresholdOf(rule);
  return Promise.all(
    stats.map(async (group) => {
      const value = measure(group);
      const { evident, details } = evidence(group);
      const beyondThreshold = group.requests >= rule.min_requests && value > threshold;
      const active = beyondThreshold && evident;
      const exemplars = active
        ? await read.exemplars(latency ? 'slowest' : 'failed', group.key, range)
        : [];
      return observation({
        rule,
        service: group.key,
        value,
        active,
        beyondThreshold,
        exemplars,
        details,
      });
    }),
  );
}

/** A rate as the alert shows it, like its value: "2.48%". */
const percent = (rate: number): string => `${Number((rate * 100).toPrecision(3))}%`;

/**
 * An error rate breaches only when its lower bound (rate-evidence.ts) is above the threshold,
 * not only its estimate; the bound goes beside the value, as `lower_bound`.
 */
function rateEvidence(counts: WeightedCounts, threshold: number): Evidence {
  const bound = rateLowerBound(counts);
  return { evident: bound > threshold, details: { lower_bound: percent(bound) } };
}

const errorRate = (read: EvaluationReader, rule: RequestErrorRateRule, range: TimeRange) =>
  perServiceRequests(
    read,
    rule,
    range,
    (s) => (s.requests > 0 ? s.errors / s.requests : 0),
    (s) => rateEvidence(requestCounts(s), rule.threshold),
  );

/**
 * Per service: error-level records ÷ all records. Lantern never samples log records, so these
 * are plain counts (no weight), exact for any OTLP source; chance still makes clusters, so the
 * rate needs the same evidence as the request error rate.
 */
async function logErrorRate(
  read: EvaluationReader,
  rule: LogErrorRateRule,
  range: TimeRange,
): Promise<Observation[]> {
  const stats = await read.logs({ range, service: rule.service, groupBy: 'service' });
  return stats.map((group) => {
    const value = group.logs > 0 ? group.errors / group.logs : 0;
    const { evident, details } = rateEvidence(
      plainCounts(group.logs, group.errors),
      rule.threshold,
    );
    const beyondThreshold = group.logs >= rule.min_records && value > rule.threshold;
    const active = beyondThreshold && evident;
    return observation({ rule, service: group.key, value, active, beyondThreshold, details });
  });
}

/** The weighted percentile; it breaches only when the kept spans show it (percentileExceeds). */
const latency = (read: EvaluationReader, rule: LatencyRule, range: TimeRange) =>
  perServiceRequests(
    read,
    rule,
    range,
    (s) => weightedPercentiles(s.latency, [rule.percentile])[0] ?? 0,
    (s) => ({ evident: percentileExceeds(s.latency, rule.percentile, rule.threshold_ms) }),
  );

async function logCount(
  read: EvaluationReader,
  rule: LogCountRule,
  range: TimeRange,
): Promise<Observation[]> {
  const counted = await read.logs({
    range,
    service: rule.service,
    minSeverity: rule.min_severity,
    groupBy: 'service',
  });
  const counts = new Map(counted.map((s) => [s.key, s.logs]));
  if (rule.op === 'below') {
    // Silence is only visible against services seen before: look back six windows.
    const lookback = { from: range.from - 5 * (range.to - range.from), to: range.to };
    const known = rule.service
      ? [rule.service]
      : (await read.logs({ range: lookback, groupBy: 'service' })).map((s) => s.key);
    for (const service of known) if (!counts.has(service)) counts.set(service, 0);
  }
  return [...counts].map(([service, count]) =>
    observation({
      rule,
      service,
      value: count,
      active: rule.op === 'above' ? count > rule.threshold : count < rule.threshold,
    }),
  );
}

/**
 * Evaluates one rule over a window: one observation per service it concerns. `read` answers
 * request-figure queries (pass one {@link evaluationReader} to every rule of an evaluation).
 */
export function observe(
  client: Client,
  rule: AlertRule,
  range: TimeRange,
  read: EvaluationReader = evaluationReader(client),
): Promise<Observation[]> {
  switch (rule.kind) {
    case 'error_rate':
      return rule.over === 'logs' ? logErrorRate(read, rule, range) : errorRate(read, rule, range);
    case 'latency_percentile':
      return latency(read, rule, range);
    case 'log_count':
      return logCount(read, rule, range);
    case 'slo_burn':
      return sloBurn(read, rule, range);
    case 'log_pattern':
      return logPatterns(read, rule, range);
    case 'baseline':
      return baseline(read, rule, range);
    case 'storage_deletions':
      return storageDeletions(read, rule, range);
    case 'faulty_deployment':
      return faultyDeployments(client, read, rule, range);
  }
}
