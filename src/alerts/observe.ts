import { percentileExceeds } from '../analysis/percentile-evidence.ts';
import { weightedPercentiles } from '../analysis/weighted-percentiles.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { Client } from '../storage/client.ts';
import { evaluationReader, type EvaluationReader } from '../storage/evaluation-reader.ts';
import { FINE_LATENCY_BUCKETS } from '../storage/queries/request-stats.ts';
import { baseline } from './observe-baseline.ts';
import { logPatterns } from './observe-patterns.ts';
import { sloBurn } from './observe-slo.ts';
import { observation } from './observation.ts';
import type {
  AlertRule,
  LatencyRule,
  LogCountRule,
  LogErrorRateRule,
  RequestErrorRateRule,
} from './rules.ts';
import { thresholdOf, type Observation } from './state-machine.ts';

/**
 * Per service: request figures over the window → value, whether it breaches, exemplars. A
 * breach also needs `evident`: that the stored spans show it beyond sampling noise.
 */
async function perServiceRequests(
  read: EvaluationReader,
  rule: RequestErrorRateRule | LatencyRule,
  range: TimeRange,
  measure: (stats: RequestStats) => number,
  evident: (stats: RequestStats) => boolean = () => true,
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
      const active = group.requests >= rule.min_requests && value > threshold && evident(group);
      const exemplars = active
        ? await read.exemplars(latency ? 'slowest' : 'failed', group.key, range)
        : [];
      return observation({ rule, service: group.key, value, active, exemplars });
    }),
  );
}

const errorRate = (read: EvaluationReader, rule: RequestErrorRateRule, range: TimeRange) =>
  perServiceRequests(read, rule, range, (s) => (s.requests > 0 ? s.errors / s.requests : 0));

/**
 * Per service: error-level records ÷ all records. Lantern never samples log records, so these
 * are plain counts (no weight), exact for any OTLP source.
 */
async function logErrorRate(
  read: EvaluationReader,
  rule: LogErrorRateRule,
  range: TimeRange,
): Promise<Observation[]> {
  const stats = await read.logs({ range, service: rule.service, groupBy: 'service' });
  return stats.map((group) => {
    const value = group.logs > 0 ? group.errors / group.logs : 0;
    const active = group.logs >= rule.min_records && value > rule.threshold;
    return observation({ rule, service: group.key, value, active });
  });
}

/** The weighted percentile; it breaches only when the kept spans show it (percentileExceeds). */
const latency = (read: EvaluationReader, rule: LatencyRule, range: TimeRange) =>
  perServiceRequests(
    read,
    rule,
    range,
    (s) => weightedPercentiles(s.latency, [rule.percentile])[0] ?? 0,
    (s) => percentileExceeds(s.latency, rule.percentile, rule.threshold_ms),
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
  }
}
