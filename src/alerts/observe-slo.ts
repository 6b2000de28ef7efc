import type { TimeRange } from '../contracts/time-range.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { observation } from './observation.ts';
import { burnRate, sendingSince, windowCoverage, type BurnRateRule } from './slo.ts';
import type { Observation } from './state-machine.ts';

/**
 * Per service: the SLO's burn rate over the long window (the range) and the short one; active
 * while both reach the rule's burn rate, on enough requests. The value is the long window's.
 * Each window's rate is scaled by the part of it the service has been sending, the long one held
 * to the short one's length (windowCoverage): a young service's 3-day alert waits for six hours'
 * worth of budget, then judges all the service has sent.
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
      // When the service began sending, as the long window shows it, holds for both windows.
      const since = sendingSince(group, range);
      const coverage = windowCoverage(since, range, rule.short_window);
      const value = burnRate(slo, group) * coverage;
      const shortRate =
        burnRate(slo, shortOf.get(group.key)) *
        windowCoverage(since, { from: range.to - rule.short_window, to: range.to });
      const active =
        group.requests >= slo.min_requests &&
        value >= rule.burn_rate &&
        shortRate >= rule.burn_rate;
      const exemplars = active
        ? await read.exemplars(slo.kind === 'latency' ? 'slowest' : 'failed', group.key, range)
        : [];
      const sending = windowCoverage(since, range);
      const details =
        sending < 1
          ? { window_coverage: `${Number((sending * 100).toPrecision(2))}% of the window` }
          : undefined;
      return observation({ rule, service: group.key, value, active, exemplars, details });
    }),
  );
}
