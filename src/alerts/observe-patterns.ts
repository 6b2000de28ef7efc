import { groupByPattern, type MessagePatternCount } from '../analysis/message-pattern.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { observation } from './observation.ts';
import type { LogPatternRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/** The longest pattern a label carries; the alert's `pattern` annotation has it whole. */
const PATTERN_LABEL_LENGTH = 200;

/**
 * Per service, each error pattern logged at least `min_count` times in the window, and at least
 * `min_share` of the service's records there, that is new
 * (the service never logged it over the lookback before the window) or, with `spike_factor`,
 * that spikes (logged that many times more often than its rate since it first appeared in the
 * lookback, over at least one window). One alert per pattern and change: three searches per
 * evaluation (the window's record counts shared with the log error rate), whatever the number
 * of services.
 */
export async function logPatterns(
  read: EvaluationReader,
  rule: LogPatternRule,
  range: TimeRange,
): Promise<Observation[]> {
  const services = rule.service === undefined ? undefined : [rule.service];
  const [inWindow, records] = await Promise.all([
    read.errorMessages(range, { services, perService: 200 }),
    read.logs({ range, service: rule.service, groupBy: 'service' }),
  ]);
  const recordsOf = new Map(records.map((s) => [s.key, s]));
  const candidates = new Map<string, MessagePatternCount[]>();
  for (const [service, messages] of inWindow) {
    const all = recordsOf.get(service);
    // A busy service logs more distinct messages than one search reads: its share is judged on
    // the pattern's part of the errors that were read.
    const errorsRead = messages.reduce((sum, m) => sum + m.count, 0);
    const scale = all && all.errors > errorsRead && errorsRead > 0 ? all.errors / errorsRead : 1;
    const counted = groupByPattern(messages, 50).filter(
      (p) => p.count >= rule.min_count && p.count * scale >= rule.min_share * (all?.logs ?? 0),
    );
    if (counted.length > 0) candidates.set(service, counted);
  }
  if (candidates.size === 0) return [];
  const lookback = { from: range.from - rule.lookback, to: range.from };
  const before = await read.errorMessages(lookback, {
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
        observation({
          rule,
          service,
          value: found.count,
          active: true,
          exemplars: found.exampleTraceIds,
          labels,
          details,
        }),
      );
    }
  }
  return observations;
}
