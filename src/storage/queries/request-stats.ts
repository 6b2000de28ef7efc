import type { Client, estypes } from '@elastic/elasticsearch';
import { geometricEdges, type LatencyBucket } from '../../analysis/weighted-percentiles.ts';
import { fields, indices, SERVER_KIND } from '../indices.ts';
import { byService, failedRequest, lenient } from './search-options.ts';
import { rangeFilter, timeBuckets, type TimeRange } from './time-range.ts';

/** Requests (server spans) of one group, weighted by each span's sampling weight. */
export interface RequestStats {
  /** Service name, route, or bucket start (epoch ms as a string), depending on the grouping. */
  readonly key: string;
  /** Stored server spans. */
  readonly spans: number;
  /** Requests they stand for (sum of sampling weights; spans without a weight count 1). */
  readonly requests: number;
  /** Of those, failed: span status ERROR or HTTP status >= 500. */
  readonly errors: number;
  /** Empty unless the query asked for latency. */
  readonly latency: LatencyBucket[];
}

export interface RequestQuery {
  readonly range: TimeRange;
  readonly service?: string | undefined;
  readonly route?: string | undefined;
  readonly groupBy: 'service' | 'route' | { readonly intervalMs: number };
  /**
   * Width ratio of the geometric latency buckets (1.02: each 2% wider than the last); finer
   * buckets make weighted percentiles more exact and the query heavier. Omitted: no latency.
   */
  readonly latencyBucketRatio?: number | undefined;
}

const weight = { sum: { field: fields.span.samplingWeight, missing: 1 } };

function latencyRanges(ratio: number): { from: number; to: number }[] {
  // Duration is in microseconds: 50 µs to 10 min.
  const edges = geometricEdges(0.05, 600_000, ratio);
  return [
    { from: 0, to: 50 },
    ...edges
      .slice(1)
      .map((to, i) => ({ from: Math.round((edges[i] ?? 0) * 1000), to: Math.round(to * 1000) })),
  ].filter((r) => r.to > r.from);
}

function grouping(query: RequestQuery): estypes.AggregationsAggregationContainer {
  const { groupBy } = query;
  if (groupBy === 'service') return byService;
  if (groupBy === 'route') {
    return { terms: { field: fields.span.httpRoute, size: 1000, missing: '(none)' } };
  }
  return timeBuckets(query.range, groupBy.intervalMs);
}

interface GroupBucket {
  key: string | number;
  doc_count: number;
  requests: { value: number };
  errors: { requests: { value: number } };
  latency?: { buckets: { from?: number; to?: number; requests: { value: number } }[] };
}

/** Request counts, weighted error counts and (if asked) latency histograms, grouped as asked. */
export async function requestStats(client: Client, query: RequestQuery): Promise<RequestStats[]> {
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { [fields.span.kind]: SERVER_KIND } },
    rangeFilter(fields.timestamp, query.range),
  ];
  if (query.service !== undefined) filter.push({ term: { [fields.serviceName]: query.service } });
  if (query.route !== undefined) filter.push({ term: { [fields.span.httpRoute]: query.route } });
  const { latencyBucketRatio } = query;
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter } },
    aggs: {
      groups: {
        ...grouping(query),
        aggs: {
          requests: weight,
          errors: { filter: failedRequest, aggs: { requests: weight } },
          ...(latencyBucketRatio === undefined
            ? {}
            : {
                latency: {
                  range: { field: fields.span.duration, ranges: latencyRanges(latencyBucketRatio) },
                  aggs: { requests: weight },
                },
              }),
        },
      },
    },
  });
  const groups =
    (result.aggregations?.groups as { buckets?: GroupBucket[] } | undefined)?.buckets ?? [];
  return groups.map((bucket) => ({
    key: String(bucket.key),
    spans: bucket.doc_count,
    requests: bucket.requests.value,
    errors: bucket.errors.requests.value,
    latency: (bucket.latency?.buckets ?? []).map((range) => ({
      fromMs: (range.from ?? 0) / 1000,
      toMs: (range.to ?? 0) / 1000,
      weight: range.requests.value,
    })),
  }));
}
