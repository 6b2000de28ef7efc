import { median } from '../analysis/median.ts';
import { rateLowerBound, requestCounts } from '../analysis/rate-evidence.ts';
import { weightedPercentiles } from '../analysis/weighted-percentiles.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import { FINE_LATENCY_BUCKETS } from '../storage/queries/request-stats.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { observation } from './observation.ts';
import type { BaselineRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

const DAY = 86_400_000;
/** MAD × this estimates a normal distribution's standard deviation. */
const MAD_TO_SIGMA = 1.4826;

/**
 * Per service: the metric now against the same window on each of the past days. Active when it
 * is above their median by `min_change` and by `deviations` robust sigmas (MAD), on at least
 * `min_requests` now and on each day counted, with three such days or more. An error rate must
 * rise that far by its lower bound (rate-evidence.ts), not only its estimate: one failure among
 * twenty requests on a service that never fails is 5%, and chance. One search per day, whatever
 * the number of services.
 */
export async function baseline(
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
    const bound = p95 ? value : rateLowerBound(requestCounts(group));
    const evidentChange = Math.min(change, bound - centre);
    const active =
      group.requests >= rule.min_requests &&
      history.length >= 3 &&
      evidentChange >= rule.min_change &&
      evidentChange >= rule.deviations * spread;
    const shown = (v: number) => (p95 ? `${v.toFixed(1)} ms` : `${(v * 100).toPrecision(3)}%`);
    const exemplars = active
      ? await read.exemplars(p95 ? 'slowest' : 'failed', group.key, range)
      : [];
    return [
      observation({
        rule,
        service: group.key,
        value,
        active,
        exemplars,
        details: {
          baseline: shown(centre),
          deviation:
            spread > 0 ? `${(change / spread).toFixed(1)} sigma` : 'no spread in the past days',
          days: String(history.length),
          ...(p95 ? {} : { lower_bound: shown(bound) }),
        },
      }),
    ];
  });
  return (await Promise.all(observed)).flat();
}
