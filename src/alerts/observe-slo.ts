import type { TimeRange } from '../contracts/time-range.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { observation } from './observation.ts';
import { burnRate, type BurnRateRule } from './slo.ts';
import type { Observation } from './state-machine.ts';

/**
 * Per service: the SLO's burn rate over the long window (the range) and the short one; active
 * while both reach the rule's burn rate, on enough requests. The value is the long window's.
 */
export async function sloBurn(
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
      return observation({ rule, service: group.key, value, active, exemplars });
    }),
  );
}
