import type { LogStats } from '../contracts/log-stats.ts';
import type { RequestPoint, RequestStats } from '../contracts/request-stats.ts';
import { latencySummary, ratio } from './summaries.ts';
import type * as Contract from '../contracts/api/figures.ts';

/** A bucket's start (epoch ms, as a number or as the key storage groups by) in RFC 3339. */
export const bucketStart = (key: string | number): string => new Date(Number(key)).toISOString();

export type RequestRateSeries = Contract.RequestRateSeries;

/** Every service's request series, by service name. */
export function requestRateSeries(
  series: ReadonlyMap<string, readonly RequestPoint[]>,
): RequestRateSeries[] {
  return [...series]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, points]) => ({
      service,
      buckets: points.map((p) => ({
        start: bucketStart(p.start),
        requests: p.requests,
        failedRequests: p.errors,
      })),
    }));
}

export type ErrorRateBucket = Contract.ErrorRateBucket;

/**
 * Request and log figures of the same time buckets side by side, oldest first. A bucket only one
 * side has counts nothing on the other; a rate over nothing is null.
 */
export function errorRateBuckets(
  requests: readonly RequestStats[],
  logs: readonly LogStats[],
): ErrorRateBucket[] {
  const requestsAt = new Map(requests.map((r) => [r.key, r]));
  const logsAt = new Map(logs.map((l) => [l.key, l]));
  const keys = [...new Set([...requestsAt.keys(), ...logsAt.keys()])].sort(
    (a, b) => Number(a) - Number(b),
  );
  return keys.map((key) => {
    const r = requestsAt.get(key);
    const l = logsAt.get(key);
    return {
      start: bucketStart(key),
      requests: r?.requests ?? 0,
      failedRequests: r?.errors ?? 0,
      errorRate: ratio(r?.errors ?? 0, r?.requests ?? 0),
      logs: l?.logs ?? 0,
      errorLogs: l?.errors ?? 0,
      logErrorRate: ratio(l?.errors ?? 0, l?.logs ?? 0),
    };
  });
}

export type RouteLatency = Contract.RouteLatency;

/** Each route's weighted requests, failures and latency percentiles. */
export function latencyByRoute(routes: readonly RequestStats[]): RouteLatency[] {
  return routes.map((r) => ({
    route: r.key,
    requests: r.requests,
    sampled: r.spans,
    failedRequests: r.errors,
    errorRate: ratio(r.errors, r.requests),
    latencyMs: latencySummary(r.latency),
  }));
}

export type LatencyBucketFigures = Contract.LatencyBucketFigures;

/** Latency percentiles per time bucket. */
export function latencySeries(buckets: readonly RequestStats[]): LatencyBucketFigures[] {
  return buckets.map((b) => ({
    start: bucketStart(b.key),
    requests: b.requests,
    latencyMs: latencySummary(b.latency),
  }));
}
