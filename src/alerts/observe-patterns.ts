import { groupByPattern, type MessagePatternCount } from '../analysis/message-pattern.ts';
import { plainCounts, rateLowerBound } from '../analysis/rate-evidence.ts';
import type { LogStats } from '../contracts/log-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { observation } from './observation.ts';
import type { LogPatternRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/** The longest pattern a label carries; the alert's `pattern` annotation has it whole. */
const PATTERN_LABEL_LENGTH = 200;
/** A service's record counts over the lookback come in at most this many time buckets. */
const HISTORY_BUCKETS = 2000;

/** A service's patterns that count in the window, and its records there. */
interface Candidate {
  readonly patterns: readonly MessagePatternCount[];
  readonly records: number;
}

/**
 * Per service, each error pattern logged at least `min_count` times in the window, and at least
 * `min_share` of the service's records there, that is new (the service never logged it over the
 * lookback before the window) or, with `spike_factor`, that spikes: its share of the service's
 * records is that many times its share since it first appeared in the lookback (over at least
 * one window), by the lower bound of its share now. Shares, not counts: a traffic ramp
 * multiplies every count and is not a spike.
 * A pattern new on a service whose history is shorter than the lookback is only "first seen":
 * every error a young service has always made is new to it, so it is not paged.
 * Four searches (the window's record counts shared with the log error rate), one more for each
 * further 29 services with a candidate at the default 7-day lookback (the bucket budget).
 */
export async function logPatterns(
  read: EvaluationReader,
  rule: LogPatternRule,
  range: TimeRange,
): Promise<Observation[]> {
  const candidates = await candidatesOf(read, rule, range);
  if (candidates.size === 0) return [];
  const lookback = { from: range.from - rule.lookback, to: range.from };
  const services = [...candidates.keys()];
  const intervalMs = Math.max(range.to - range.from, Math.ceil(rule.lookback / HISTORY_BUCKETS));
  const [before, histories] = await Promise.all([
    read.errorMessages(lookback, { services, perService: 5000 }),
    read.logHistories({ range: lookback, services, intervalMs }),
  ]);
  const windowMs = range.to - range.from;
  const observations: Observation[] = [];
  for (const [service, candidate] of candidates) {
    const history = recordHistory(histories.get(service) ?? [], intervalMs);
    // Data at the lookback's very start is sparse: one window of slack counts it as covered.
    const young = history.since === null || history.since > lookback.from + windowMs;
    const known = new Map(
      groupByPattern(before.get(service) ?? [], Number.MAX_SAFE_INTEGER).map((p) => [p.pattern, p]),
    );
    for (const found of candidate.patterns) {
      const past = known.get(found.pattern);
      if (past === undefined && young) continue;
      // Its share since it first appeared, over at least one window: one that began just before
      // the window is no spike.
      const pastShare =
        past === undefined
          ? 0
          : past.count /
            Math.max(1, history.recordsSince(Math.min(past.firstSeen, range.from - windowMs)));
      // A spike is evident: the lower bound of its share now (rate-evidence.ts), not only the
      // share, is the factor times its past one. Three errors where 0.2 were expected are 15
      // times the rate, and one window in a thousand of a quiet service's.
      const shareNow = rateLowerBound(
        plainCounts(candidate.records, Math.min(found.count, candidate.records)),
      );
      const change =
        past === undefined
          ? 'new'
          : rule.spike_factor !== undefined && shareNow >= rule.spike_factor * pastShare
            ? 'spike'
            : undefined;
      if (change === undefined) continue;
      observations.push(
        patternObservation(rule, service, found, change, pastShare * candidate.records),
      );
    }
  }
  return observations;
}

/** Per service, its error patterns that pass `min_count` and `min_share` in the window. */
async function candidatesOf(
  read: EvaluationReader,
  rule: LogPatternRule,
  range: TimeRange,
): Promise<Map<string, Candidate>> {
  const services = rule.service === undefined ? undefined : [rule.service];
  const [inWindow, records] = await Promise.all([
    read.errorMessages(range, { services, perService: 200 }),
    read.logs({ range, service: rule.service, groupBy: 'service' }),
  ]);
  const recordsOf = new Map(records.map((s) => [s.key, s]));
  const candidates = new Map<string, Candidate>();
  for (const [service, messages] of inWindow) {
    const all = recordsOf.get(service);
    // A busy service logs more distinct messages than one search reads: its share is judged on
    // the pattern's part of the errors that were read.
    const errorsRead = messages.reduce((sum, m) => sum + m.count, 0);
    const scale = all && all.errors > errorsRead && errorsRead > 0 ? all.errors / errorsRead : 1;
    const counted = groupByPattern(messages, 50).filter(
      (p) => p.count >= rule.min_count && p.count * scale >= rule.min_share * (all?.logs ?? 0),
    );
    if (counted.length > 0) candidates.set(service, { patterns: counted, records: all?.logs ?? 0 });
  }
  return candidates;
}

/** A service's record counts over the lookback: when it began, and how many since a time. */
function recordHistory(buckets: readonly LogStats[], intervalMs: number) {
  const filled = buckets.filter((b) => b.logs > 0);
  return {
    since: filled.find((b) => b.since !== null)?.since ?? null,
    /** Records in the buckets that end after `from` (the bucket holding it counted whole). */
    recordsSince: (from: number): number =>
      filled.reduce((sum, b) => (Number(b.key) + intervalMs > from ? sum + b.logs : sum), 0),
  };
}

function patternObservation(
  rule: LogPatternRule,
  service: string,
  found: MessagePatternCount,
  change: 'new' | 'spike',
  expected: number,
): Observation {
  const labels = { pattern: found.pattern.slice(0, PATTERN_LABEL_LENGTH), pattern_change: change };
  const details = {
    pattern: found.pattern,
    first_seen: new Date(found.firstSeen).toISOString(),
    example: found.exampleMessage,
    ...(change === 'spike' ? { baseline: expected.toPrecision(3) } : {}),
  };
  return observation({
    rule,
    service,
    value: found.count,
    active: true,
    exemplars: found.exampleTraceIds,
    labels,
    details,
  });
}
