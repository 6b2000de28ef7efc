import type { Client } from '@elastic/elasticsearch';
import { weightedPercentiles } from '../analysis/weighted-percentiles.ts';
import { exemplarTraceIds, type ExemplarKind } from '../storage/queries/exemplars.ts';
import { groupByPattern, type MessagePatternCount } from '../analysis/message-pattern.ts';
import { errorMessagesByService } from '../storage/queries/error-messages.ts';
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
  BaselineRule,
  LatencyRule,
  LogCountRule,
  LogErrorRateRule,
  LogPatternRule,
  RequestErrorRateRule,
} from './rules.ts';
import { thresholdOf, type Observation } from './state-machine.ts';

function observation(
  rule: AlertRule,
  service: string,
  value: number,
  active: boolean,
  exemplars: readonly string[] = [],
  more: { labels?: Record<string, string>; details?: Record<string, string> } = {},
): Observation {
  const labels = {
    alertname: rule.name,
    service,
    severity: rule.severity,
    ...rule.labels,
    ...more.labels,
  };
  return {
    id: alertId(rule.name, labels),
    labels,
    service,
    active,
    value,
    exemplarTraceIds: exemplars,
    details: more.details,
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

/** The longest pattern a label carries; the alert's `pattern` annotation has it whole. */
const PATTERN_LABEL_LENGTH = 200;

/**
 * Per service, each error pattern logged at least `min_count` times in the window that is new
 * (the service never logged it over the lookback before the window) or, with `spike_factor`,
 * that spikes (logged that many times more often than its rate since it first appeared in the
 * lookback, over at least one window). One
 * alert per pattern and change: two searches per evaluation, whatever the number of services.
 */
async function logPatterns(
  client: Client,
  rule: LogPatternRule,
  range: TimeRange,
): Promise<Observation[]> {
  const services = rule.service === undefined ? undefined : [rule.service];
  const inWindow = await errorMessagesByService(client, range, { services, perService: 200 });
  const candidates = new Map<string, MessagePatternCount[]>();
  for (const [service, messages] of inWindow) {
    const counted = groupByPattern(messages, 50).filter((p) => p.count >= rule.min_count);
    if (counted.length > 0) candidates.set(service, counted);
  }
  if (candidates.size === 0) return [];
  const lookback = { from: range.from - rule.lookback, to: range.from };
  const before = await errorMessagesByService(client, lookback, {
    services: [...candidates.keys()],
    perService: 5000,
  });
  const windowMs = range.to - range.from;
  const observations: Observation[] = [];
  for (const [service, patterns] of candidates) {
    const known = new Map(
      groupByPattern(before.get(service) ?? [], Number.MAX_SAFE_INTEGER).map((p) => [p.pattern, p]),
    );
    for (const found of patterns) {
      const past = known.get(found.pattern);
      // Its rate since it first appeared: one that began just before the window is no spike.
      const expected =
        past === undefined
          ? 0
          : (past.count * windowMs) / Math.max(windowMs, range.from - past.firstSeen);
      const change =
        past === undefined
          ? 'new'
          : rule.spike_factor !== undefined && found.count >= rule.spike_factor * expected
            ? 'spike'
            : undefined;
      if (change === undefined) continue;
      const labels = {
        pattern: found.pattern.slice(0, PATTERN_LABEL_LENGTH),
        pattern_change: change,
      };
      const details = {
        pattern: found.pattern,
        first_seen: new Date(found.firstSeen).toISOString(),
        example: found.exampleMessage,
        ...(change === 'spike' ? { baseline: expected.toPrecision(3) } : {}),
      };
      observations.push(
        observation(rule, service, found.count, true, found.exampleTraceIds, { labels, details }),
      );
    }
  }
  return observations;
}

const DAY = 86_400_000;
/** MAD × this estimates a normal distribution's standard deviation. */
const MAD_TO_SIGMA = 1.4826;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * Per service: the metric now against the same window on each of the past days. Active when it
 * is above their median by `min_change` and by `deviations` robust sigmas (MAD), on at least
 * `min_requests` now and on each day counted, with three such days or more. One search per day,
 * whatever the number of services.
 */
async function baseline(
  read: EvaluationReader,
  rule: BaselineRule,
  range: TimeRange,
): Promise<Observation[]> {
  const p95 = rule.metric === 'p95';
  const query = (over: TimeRange) =>
    read.requests({
      range: over,
      service: rule.service,
      route: rule.route,
      groupBy: 'service',
      latencyBucketRatio: p95 ? FINE_LATENCY_BUCKETS : undefined,
    });
  const measure = (stats: RequestStats): number | null =>
    p95
      ? (weightedPercentiles(stats.latency, [95])[0] ?? null)
      : stats.requests > 0
        ? stats.errors / stats.requests
        : null;
  const [now, ...past] = await Promise.all(
    Array.from({ length: rule.days + 1 }, (_, day) =>
      query({ from: range.from - day * DAY, to: range.to - day * DAY }),
    ),
  );
  const pastOf = past.map((stats) => new Map(stats.map((group) => [group.key, group])));
  const observed = (now ?? []).map(async (group): Promise<Observation[]> => {
    const value = measure(group);
    if (value === null) return [];
    const history = pastOf
      .map((day) => day.get(group.key))
      .filter(
        (stats): stats is RequestStats =>
          stats !== undefined && stats.requests >= rule.min_requests,
      )
      .map(measure)
      .filter((v): v is number => v !== null);
    const centre = median(history);
    const spread = MAD_TO_SIGMA * median(history.map((v) => Math.abs(v - centre)));
    const change = value - centre;
    const active =
      group.requests >= rule.min_requests &&
      history.length >= 3 &&
      change >= rule.min_change &&
      change >= rule.deviations * spread;
    const shown = (v: number) => (p95 ? `${v.toFixed(1)} ms` : `${(v * 100).toPrecision(3)}%`);
    const exemplars = active
      ? await read.exemplars(p95 ? 'slowest' : 'failed', group.key, range)
      : [];
    return [
      observation(rule, group.key, value, active, exemplars, {
        details: {
          baseline: shown(centre),
          deviation:
            spread > 0 ? `${(change / spread).toFixed(1)} sigma` : 'no spread in the past days',
          days: String(history.length),
        },
      }),
    ];
  });
  return (await Promise.all(observed)).flat();
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
    case 'log_pattern':
      return logPatterns(client, rule, range);
    case 'baseline':
      return baseline(read, rule, range);
  }
}
