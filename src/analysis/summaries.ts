import type { LatencyBucket } from '../contracts/latency-buckets.ts';
import { weightedPercentiles } from './weighted-percentiles.ts';
import type * as Contract from '../contracts/api/figures.ts';

/** Weighted request figures of one group (service, route or time bucket). */
export interface RequestFigures {
  readonly key: string;
  /** Stored (sampled) spans the estimate rests on: how much to trust it. */
  readonly spans: number;
  readonly requests: number;
  readonly errors: number;
  readonly latency: readonly LatencyBucket[];
}

export interface LogFigures {
  readonly key: string;
  readonly logs: number;
  readonly errors: number;
}

export type LatencySummary = Contract.LatencySummary;

/** Failed ÷ all, or null when there was nothing. */
export const ratio = (part: number, whole: number): number | null =>
  whole > 0 ? part / whole : null;

export function latencySummary(latency: readonly LatencyBucket[]): LatencySummary {
  const [p50 = null, p95 = null, p99 = null] = weightedPercentiles(latency, [50, 95, 99]);
  return { p50: round(p50), p95: round(p95), p99: round(p99) };
}

const round = (value: number | null): number | null =>
  value === null ? null : Math.round(value * 1000) / 1000;

export type ServiceSummary = Contract.ServiceSummary;

/** One row per service seen in either logs or spans, by name. */
export function summarizeServices(
  requests: readonly RequestFigures[],
  logs: readonly LogFigures[],
): ServiceSummary[] {
  const byService = new Map<string, { r?: RequestFigures; l?: LogFigures }>();
  for (const r of requests) byService.set(r.key, { ...byService.get(r.key), r });
  for (const l of logs) byService.set(l.key, { ...byService.get(l.key), l });
  return [...byService]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, { r, l }]) => ({
      service,
      logs: {
        count: l?.logs ?? 0,
        errors: l?.errors ?? 0,
        errorRate: ratio(l?.errors ?? 0, l?.logs ?? 0),
      },
      requests: {
        count: round(r?.requests ?? 0) ?? 0,
        sampled: r?.spans ?? 0,
        errors: round(r?.errors ?? 0) ?? 0,
        errorRate: ratio(r?.errors ?? 0, r?.requests ?? 0),
        latencyMs: latencySummary(r?.latency ?? []),
      },
    }));
}
