import {
  comparisonWindows,
  deployVerdict,
  type DeployThresholds,
} from '../analysis/deploy-verdict.ts';
import { groupByPattern, markFirstSeen } from '../analysis/message-pattern.ts';
import { latencySummary } from '../analysis/summaries.ts';
import type {
  DeploymentComparison,
  NewErrorPattern,
  VersionFigures,
} from '../contracts/api/deployments.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { Client } from '../storage/client.ts';
import type { DeploymentStore } from '../storage/deployment-store.ts';
import { errorMessages } from '../storage/queries/error-messages.ts';
import { FINE_LATENCY_BUCKETS, requestStats } from '../storage/queries/request-stats.ts';
import {
  firstSpanBesides,
  firstSpanOf,
  versionBefore,
} from '../storage/queries/service-versions.ts';
import { deploymentsOf } from './deploy-detection.ts';

/** One deploy to compare: a version of a service, when, and the version it replaced. */
export interface DeployToCompare {
  readonly service: string;
  readonly version: string;
  /** Null: no earlier version is known. */
  readonly previousVersion: string | null;
  /** Epoch ms. */
  readonly at: number;
}

/** Each side's window is at most this long: half an hour of the new version against as much. */
export const COMPARISON_WINDOW_MS = 30 * 60_000;
/**
 * A pattern is new when the service logged none like it in this long before the deploy. Longer
 * than the before window: an error the old version makes once in twenty minutes is not new.
 */
const PATTERN_LOOKBACK_MS = 60 * 60_000;
/**
 * Distinct exact messages read on each side: a pattern's count is exact while its window holds
 * fewer (messages that carry ids are each distinct), a lower bound beyond.
 */
const MESSAGES_READ = 5000;
/** How far back the version a deploy replaced is looked for. */
const PREVIOUS_LOOKBACK_MS = 7 * 86_400_000;

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The newest deploy in `range` of the service (of `version`, when given), detected from its
 * spans or marked. A marked deploy replaced the version its spans carried last before it.
 */
export async function newestDeploy(
  client: Client,
  store: DeploymentStore,
  service: string,
  range: TimeRange,
  intervalMs: number,
  version?: string,
): Promise<DeployToCompare | undefined> {
  const { deployments } = await deploymentsOf(client, store, service, range, intervalMs);
  const newest = deployments.findLast((d) => version === undefined || d.version === version);
  if (!newest) return undefined;
  const at = Date.parse(newest.at);
  return {
    service,
    version: newest.version,
    at,
    previousVersion:
      newest.previousVersion ?? (await replaced(client, service, newest.version, at)),
  };
}

/** The version the service's spans carried last before `at`, other than `version`. */
const replaced = async (
  client: Client,
  service: string,
  version: string,
  at: number,
): Promise<string | null> =>
  (await versionBefore(client, service, version, { from: at - PREVIOUS_LOOKBACK_MS, to: at })) ??
  null;

/**
 * The deploy of `version`: at `at` when given; else the newest one found in `range`, else the
 * version's first span there (a first version: nothing before it). Undefined when the service's
 * spans in the range never carry the version and no marker names it.
 */
export async function findDeploy(
  client: Client,
  store: DeploymentStore,
  query: { service: string; version: string; at?: number | undefined },
  range: TimeRange,
  intervalMs: number,
): Promise<DeployToCompare | undefined> {
  const { service, version } = query;
  const deployAt = async (at: number): Promise<DeployToCompare> => ({
    service,
    version,
    at,
    previousVersion: await replaced(client, service, version, at),
  });
  if (query.at !== undefined) return deployAt(query.at);
  const newest = await newestDeploy(client, store, service, range, intervalMs, version);
  if (newest) return newest;
  const first = await firstSpanOf(client, service, version, range);
  return first === undefined ? undefined : deployAt(first);
}

/**
 * The before/after comparison of a deploy (contracts/api/deployments.ts), read at `now`: the
 * previous version's requests in the window before it and the new version's after it (equal
 * lengths, analysis/deploy-verdict.ts), weighted; error patterns logged since the deploy that
 * the service did not log in the hour before it (by time: log records' service.version is kept
 * in _source only, not searchable); and the verdict.
 */
export async function compareDeploy(
  client: Client,
  deploy: DeployToCompare,
  now: number,
  thresholds: DeployThresholds,
): Promise<DeploymentComparison> {
  const { service, version, previousVersion, at } = deploy;
  // A version the next one replaced is compared up to the next one's first span: the errors
  // logged after it are the next version's (patterns are told apart by time).
  const next = await firstSpanBesides(
    client,
    service,
    previousVersion === null ? [version] : [version, previousVersion],
    { from: at, to: Math.min(now, at + COMPARISON_WINDOW_MS) },
  );
  const { before, after } = comparisonWindows(at, next ?? now, COMPARISON_WINDOW_MS);
  const [beforeStats, afterStats, newPatterns] = await Promise.all([
    previousVersion === null ? null : requestsOf(client, service, previousVersion, before),
    requestsOf(client, service, version, after),
    newErrorPatterns(client, service, at, after),
  ]);
  const { verdict, evidence } = deployVerdict(
    {
      before: beforeStats,
      after: afterStats,
      windowMs: after.to - after.from,
      newPatterns,
    },
    thresholds,
  );
  return {
    service,
    version,
    previousVersion,
    at: iso(at),
    before:
      previousVersion === null || beforeStats === null
        ? null
        : figures(previousVersion, before, beforeStats),
    after: figures(version, after, afterStats),
    newErrorPatterns: newPatterns,
    verdict,
    evidence,
  };
}

/** One version's requests in a window: one row (zero when it has none). */
async function requestsOf(
  client: Client,
  service: string,
  version: string,
  range: TimeRange,
): Promise<RequestStats> {
  const [row] = await requestStats(client, {
    range,
    service,
    version,
    groupBy: 'service',
    latencyBucketRatio: FINE_LATENCY_BUCKETS,
  });
  return (
    row ?? {
      key: service,
      spans: 0,
      requests: 0,
      errors: 0,
      weightSquares: 0,
      errorWeightSquares: 0,
      since: null,
      slow: 0,
      latency: [],
    }
  );
}

async function newErrorPatterns(
  client: Client,
  service: string,
  at: number,
  after: TimeRange,
): Promise<NewErrorPattern[]> {
  if (after.to <= after.from) return [];
  const [since, earlier] = await Promise.all([
    errorMessages(client, service, after, MESSAGES_READ),
    errorMessages(client, service, { from: at - PATTERN_LOOKBACK_MS, to: at }, MESSAGES_READ),
  ]);
  return markFirstSeen(groupByPattern(since, 50), earlier)
    .filter((p) => p.firstSeenInRange)
    .map((p) => ({ pattern: p.pattern, example: p.exampleMessage, count: p.count }));
}

function figures(version: string, range: TimeRange, stats: RequestStats): VersionFigures {
  const seconds = (range.to - range.from) / 1000;
  return {
    version,
    from: iso(range.from),
    to: iso(range.to),
    requests: stats.requests,
    requestsPerSecond: seconds > 0 ? stats.requests / seconds : 0,
    failed: stats.errors,
    errorRate: stats.requests > 0 ? Math.min(1, stats.errors / stats.requests) : null,
    latencyMs: latencySummary(stats.latency),
  };
}
