import type { Client } from '@elastic/elasticsearch';
import { weightedPercentiles } from '../analysis/weighted-percentiles.ts';
import { exemplarTraceIds, type ExemplarKind } from '../storage/queries/exemplars.ts';
import { logStats } from '../storage/queries/log-stats.ts';
import {
  FINE_LATENCY_BUCKETS,
  requestStats,
  type RequestQuery,
  type RequestStats,
} from '../storage/queries/request-stats.ts';
import type { TimeRange } from '../storage/queries/time-range.ts';
import { alertId } from './alert.ts';
import { burnRate, type BurnRateRule } from './slo.ts';
import type {
  AlertRule,
  LatencyRule,
  LogCountRule,
  LogErrorRateRule,
  RequestErrorRateRule,
} from './rules.ts';
import { thresholdOf, type Observation } from './state-machine.ts';

function observation(
  rule: AlertRule,
  service: string,
  value: number,
  active: boolean,
  exemplars: readonly string[] = [],
): Observation {
  const labels = { alertname: rule.name, service, severity: rule.severity, ...rule.labels };
  return {
    id: alertId(rule.name, labels),
    labels,
    service,
    active,
    value,
    exemplarTraceIds: exemplars,
  };
}

/**
 * What one evaluation reads from Elasticsearch, each distinct question asked once: rules that
 * need the same figures or exemplars (the two default p95 rules share a window, and fire for the
 * same slow service) share one query.
 */
export interface EvaluationReader {
  requests(query: RequestQuery): Promise<RequestStats[]>;
  exemplars(kind: ExemplarKind, service: string, range: TimeRange): Promise<string[]>;
}

function memoized<A extends unknown[], R>(
  ask: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  const asked = new Map<string, Promise<R>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let answer = asked.get(key);
    if (!answer) {
      answer = ask(...args);
      asked.set(key, answer);
    }
    return answer;
  };
}

export function evaluationReader(client: Client): EvaluationReader {
  return {
    requests: memoized((query: RequestQuery) => requestStats(client, query)),
    exemplars: memoized((kind: ExemplarKind, service: string, range: TimeRange) =>
      exemplarTraceIds(client, kind, service, range),
    ),
  };
}

/** Per service: request figures over the window → value, whether it breaches, exemplars. */
async function perServiceRequests(
  read: EvaluationReader,
  rule: RequestErrorRateRule | LatencyRule,
  range: TimeRange,
  measure: (stats: RequestStats) => number,
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
      const active = group.requests >= rule.min_requests && value > threshold;
      const exemplars = active
        ? await read.exemplars(latency ? 'slowest' : 'failed', group.key, range)
        : [];
      return observation(rule, group.key, value, active, exemplars);
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
  client: Client,
  rule: LogErrorRateRule,
  range: TimeRange,
): Promise<Observation[]> {
  const stats = await logStats(client, { range, service: rule.service, groupBy: 'service' });
  return stats.map((group) => {
    const value = group.logs > 0 ? group.errors / group.logs : 0;
    const active = group.logs >= rule.min_records && value > rule.threshold;
    return observation(rule, group.key, value, active);
  });
}

const latency = (read: EvaluationReader, rule: LatencyRule, range: TimeRange) =>
  perServiceRequests(
    read,
    rule,
    range,
    (s) => weightedPercentiles(s.latency, [rule.percentile])[0] ?? 0,
  );

async function logCount(
  client: Client,
  rule: LogCountRule,
  range: TimeRange,
): Promise<Observation[]> {
  const counted = await logStats(client, {
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
      : (await logStats(client, { range: lookback, groupBy: 'service' })).map((s) => s.key);
    for (const service of known) if (!counts.has(service)) counts.set(service, 0);
  }
  return [...counts].map(([service, count]) =>
    observation(
      rule,
      service,
      count,
      rule.op === 'above' ? count > rule.threshold : count < rule.threshold,
    ),
  );
}

/**
 * Per service: the SLO's burn rate over the long window (the range) and the short one; active
 * while both reach the rule's burn rate, on enough requests. The value is the long window's.
 */
async function sloBurn(
  read: EvaluationReader,
  rule: BurnRateRule,
  range: TimeRange,
): Promise<Observation[]> {
  const { slo } = rule;
  const stats = (over: TimeRange) =>
    read.requests({
      range: over,
      service: slo.service,
      route: slo.route,
      groupBy: 'service',
      slowerThanMs: slo.threshold_ms,
    });
  const [long, short] = await Promise.all([
    stats(range),
    stats({ from: range.to - rule.short_window, to: range.to }),
  ]);
  const shortOf = new Map(short.map((group) => [group.key, group]));
  return Promise.all(
    long.map(async (group) => {
      const value = burnRate(slo, group);
      const active =
        group.requests >= slo.min_requests &&
        value >= rule.burn_rate &&
        burnRate(slo, shortOf.get(group.key)) >= rule.burn_rate;
      const exemplars = active
        ? await read.exemplars(slo.kind === 'latency' ? 'slowest' : 'failed', group.key, range)
        : [];
      return observation(rule, group.key, value, active, exemplars);
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
      return rule.over === 'logs'
        ? logErrorRate(client, rule, range)
        : errorRate(read, rule, range);
    case 'latency_percentile':
      return latency(read, rule, range);
    case 'log_count':
      return logCount(client, rule, range);
    case 'slo_burn':
      return sloBurn(read, rule, range);
  }
}
