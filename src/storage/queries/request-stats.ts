import type { Client, estypes } from '@elastic/elasticsearch';
import { geometricEdges } from '../../contracts/latency-buckets.ts';
import type { RequestStats } from '../../contracts/request-stats.ts';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { allPages, type AfterKey } from './composite-pages.ts';
import {
  BUCKET_BUDGET,
  earliest,
  failedRequest,
  lenient,
  weightSpread,
  weightSum,
} from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter, timeBuckets } from './time-range.ts';

export interface RequestQuery {
  readonly range: TimeRange;
  readonly service?: string | undefined;
  readonly route?: string | undefined;
  /** Only spans of this `service.version` (a deploy comparison's side). */
  readonly version?: string | undefined;
  readonly groupBy: 'service' | 'route' | { readonly intervalMs: number };
  /**
   * Width ratio of the geometric latency buckets (1.02: each 2% wider than the last); finer
   * buckets make weighted percentiles more exact and the query heavier. Omitted: no latency.
   */
  readonly latencyBucketRatio?: number | undefined;
  /** Also count the requests that took longer than this (a latency SLO's bad events). */
  readonly slowerThanMs?: number | undefined;
}

/**
 * Latency bucket ratios: 2%-wide buckets for percentiles that are compared (API summaries and
 * alert rules must agree), 10% for per-bucket time series.
 */
export const FINE_LATENCY_BUCKETS = 1.02;
export const SERIES_LATENCY_BUCKETS = 1.1;

const MIN_MS = 0.05;
const MAX_MS = 600_000;

/** The finest ratio, no finer than asked, whose ranges fit `groups` groups in the budget. */
function fittingRatio(ratio: number, groups: number): number {
  const rangesAllowed = Math.floor(BUCKET_BUDGET / Math.max(1, groups)) - 1;
  const needed = Math.exp(Math.log(MAX_MS / MIN_MS) / Math.max(1, rangesAllowed - 1));
  return Math.max(ratio, needed);
}

function latencyRanges(ratio: number): { from: number; to: number }[] {
  // Duration is in microseconds: 50 µs to 10 min.
  const edges = geometricEdges(MIN_MS, MAX_MS, ratio);
  return [
    { from: 0, to: 50 },
    ...edges
      .slice(1)
      .map((to, i) => ({ from: Math.round((edges[i] ?? 0) * 1000), to: Math.round(to * 1000) })),
  ].filter((r) => r.to > r.from);
}

/** Time buckets, or one page of services or routes (a composite aggregation pages through them). */
function grouping(
  query: RequestQuery,
  pageSize: number,
  after: AfterKey | undefined,
): estypes.AggregationsAggregationContainer {
  const { groupBy } = query;
  if (typeof groupBy === 'object') return timeBuckets(query.range, groupBy.intervalMs);
  const field = groupBy === 'service' ? fields.serviceName : fields.span.httpRoute;
  return {
    composite: {
      size: pageSize,
      sources: [{ key: { terms: { field, missing_bucket: true } } }],
      ...(after && { after }),
    },
  };
}

interface GroupBucket {
  key: string | number | { key: string | null };
  doc_count: number;
  requests: { value: number };
  spread: { sum_of_squares: number | null };
  since: { value: number | null };
  errors: { requests: { value: number }; spread: { sum_of_squares: number | null } };
  slow?: { requests: { value: number } };
  latency?: {
    buckets: { from?: number; to?: number; doc_count: number; requests: { value: number } }[];
  };
}

const keyOf = (key: GroupBucket['key']): string =>
  typeof key === 'object' ? (key.key ?? '(none)') : String(key);

/**
 * Request counts, weighted error counts and (if asked) latency histograms, grouped as asked.
 * One search may make at most search.max_buckets (65,536) buckets, and each group carries one
 * latency bucket per range: services and routes are read in pages that fit (at the asked
 * precision); a long time series gets coarser latency buckets instead.
 */
export async function requestStats(client: Client, query: RequestQuery): Promise<RequestStats[]> {
  const { groupBy, latencyBucketRatio } = query;
  if (typeof groupBy === 'object') {
    const buckets = Math.ceil((query.range.to - query.range.from) / groupBy.intervalMs);
    const ratio =
      latencyBucketRatio === undefined ? undefined : fittingRatio(latencyBucketRatio, buckets);
    return (await search(client, { ...query, latencyBucketRatio: ratio })).rows;
  }
  const perGroup =
    latencyBucketRatio === undefined ? 1 : latencyRanges(latencyBucketRatio).length + 1;
  const pageSize = Math.min(1000, Math.floor(BUCKET_BUDGET / perGroup));
  return allPages(pageSize, (after) => search(client, query, pageSize, after));
}

async function search(
  client: Client,
  query: RequestQuery,
  pageSize = 0,
  after?: AfterKey,
): Promise<{ rows: RequestStats[]; afterKey?: AfterKey }> {
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { [fields.span.kind]: SERVER_KIND } },
    rangeFilter(fields.timestamp, query.range),
  ];
  if (query.service !== undefined) filter.push({ term: { [fields.serviceName]: query.service } });
  if (query.route !== undefined) filter.push({ term: { [fields.span.httpRoute]: query.route } });
  if (query.version !== undefined)
    filter.push({ term: { [fields.serviceVersion]: query.version } });
  const { latencyBucketRatio, slowerThanMs } = query;
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter } },
    aggs: {
      groups: {
        ...grouping(query, pageSize, after),
        aggs: {
          requests: weightSum,
          spread: weightSpread,
          since: earliest,
          errors: { filter: failedRequest, aggs: { requests: weightSum, spread: weightSpread } },
          ...(slowerThanMs !== undefined && {
            slow: {
              // Duration is in microseconds.
              filter: {
                range: { [fields.span.duration]: { gt: Math.round(slowerThanMs * 1000) } },
              },
              aggs: { requests: weightSum },
            },
          }),
          ...(latencyBucketRatio === undefined
            ? {}
            : {
                latency: {
                  range: { field: fields.span.duration, ranges: latencyRanges(latencyBucketRatio) },
                  aggs: { requests: weightSum },
                },
              }),
        },
      },
    },
  });
  const groups = result.aggregations?.groups as
    { buckets?: GroupBucket[]; after_key?: AfterKey } | undefined;
  return {
    rows: (groups?.buckets ?? []).map((bucket) => ({
      key: keyOf(bucket.key),
      spans: bucket.doc_count,
      requests: bucket.requests.value,
      errors: bucket.errors.requests.value,
      weightSquares: bucket.spread.sum_of_squares ?? 0,
      errorWeightSquares: bucket.errors.spread.sum_of_squares ?? 0,
      since: bucket.since.value,
      slow: bucket.slow?.requests.value ?? 0,
      latency: (bucket.latency?.buckets ?? []).map((range) => ({
        fromMs: (range.from ?? 0) / 1000,
        toMs: (range.to ?? 0) / 1000,
        spans: range.doc_count,
        weight: range.requests.value,
      })),
    })),
    ...(groups?.after_key && { afterKey: groups.after_key }),
  };
}
