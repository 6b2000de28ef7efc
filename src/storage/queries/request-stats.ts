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

/**
 * Elasticsearch refuses a search that makes more than search.max_buckets (65,536) buckets, and
 * each group carries one latency bucket per range: groups × ranges must stay under this.
 */
const BUCKET_BUDGET = 60_000;
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

/**
 * Request counts, weighted error counts and (if asked) latency histograms, grouped as asked.
 * Within Elasticsearch's bucket limit: many services or routes are read in partitions of the
 * terms (each at the asked precision); a long time series gets coarser latency buckets.
 */
export async function requestStats(client: Client, query: RequestQuery): Promise<RequestStats[]> {
  const { groupBy, latencyBucketRatio } = query;
  if (latencyBucketRatio === undefined) return search(client, query);
  const perGroup = latencyRanges(latencyBucketRatio).length + 1;
  if (typeof groupBy === 'object') {
    const buckets = Math.ceil((query.range.to - query.range.from) / groupBy.intervalMs);
    return search(client, {
      ...query,
      latencyBucketRatio: fittingRatio(latencyBucketRatio, buckets),
    });
  }
  const groups = await distinctGroups(client, query);
  const partitions = Math.ceil((groups * perGroup) / BUCKET_BUDGET);
  if (partitions <= 1) return search(client, query);
  const parts: RequestStats[][] = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    parts.push(await search(client, query, { partition, num_partitions: partitions }));
  }
  return parts.flat().sort((a, b) => a.key.localeCompare(b.key));
}

function baseFilter(query: RequestQuery): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { [fields.span.kind]: SERVER_KIND } },
    rangeFilter(fields.timestamp, query.range),
  ];
  if (query.service !== undefined) filter.push({ term: { [fields.serviceName]: query.service } });
  if (query.route !== undefined) filter.push({ term: { [fields.span.httpRoute]: query.route } });
  return filter;
}

/** How many services or routes the query will group (exact below 3,000). */
async function distinctGroups(client: Client, query: RequestQuery): Promise<number> {
  const field = query.groupBy === 'service' ? fields.serviceName : fields.span.httpRoute;
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter: baseFilter(query) } },
    aggs: { groups: { cardinality: { field, precision_threshold: 3000 } } },
  });
  // +1: routes have a "(none)" group; +5%: the count is approximate above the threshold.
  return (
    Math.ceil(((result.aggregations?.groups as { value: number } | undefined)?.value ?? 0) * 1.05) +
    1
  );
}

async function search(
  client: Client,
  query: RequestQuery,
  partition?: { partition: number; num_partitions: number },
): Promise<RequestStats[]> {
  const { latencyBucketRatio } = query;
  const group = grouping(query);
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter: baseFilter(query) } },
    aggs: {
      groups: {
        ...('terms' in group && partition
          ? { terms: { ...group.terms, include: partition } }
          : group),
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
