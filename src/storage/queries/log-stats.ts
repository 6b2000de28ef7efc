import type { Client, estypes } from '@elastic/elasticsearch';
import { ERROR_SEVERITY, fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { LogStats } from '../../contracts/log-stats.ts';
import { BUCKET_BUDGET, byService, earliest, lenient } from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter, timeBuckets } from './time-range.ts';

/** Which log records logStats counts, and how it groups them (searchLogs finds the records). */
export interface LogStatsQuery {
  readonly range: TimeRange;
  readonly service?: string | undefined;
  /** Count only records at least this severe. */
  readonly minSeverity?: number | undefined;
  readonly groupBy: 'service' | { readonly intervalMs: number };
}

interface Bucket {
  key: string | number;
  doc_count: number;
  errors: { doc_count: number };
  since: { value: number | null };
}

/** What each group of records is counted for: all of them, the errors, the earliest. */
const bucketAggs = {
  errors: { filter: { range: { [fields.log.severityNumber]: { gte: ERROR_SEVERITY } } } },
  since: earliest,
} as const;

const statsOf = (bucket: Bucket): LogStats => ({
  key: String(bucket.key),
  logs: bucket.doc_count,
  errors: bucket.errors.doc_count,
  since: bucket.since.value,
});

export async function logStats(client: Client, query: LogStatsQuery): Promise<LogStats[]> {
  const filter: estypes.QueryDslQueryContainer[] = [rangeFilter(fields.timestamp, query.range)];
  if (query.service !== undefined) filter.push({ term: { [fields.serviceName]: query.service } });
  if (query.minSeverity !== undefined && query.minSeverity > 1) {
    filter.push({ range: { [fields.log.severityNumber]: { gte: query.minSeverity } } });
  }
  const groups: estypes.AggregationsAggregationContainer =
    query.groupBy === 'service' ? byService : timeBuckets(query.range, query.groupBy.intervalMs);
  const result = await client.search({
    index: indices.logs.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter } },
    aggs: {
      groups: {
        ...groups,
        aggs: bucketAggs,
      },
    },
  });
  const buckets =
    (result.aggregations?.groups as { buckets?: Bucket[] } | undefined)?.buckets ?? [];
  return buckets.map(statsOf);
}

/** Several services' records over one range, each in time buckets of `intervalMs`. */
export interface LogHistoryQuery {
  readonly range: TimeRange;
  readonly services: readonly string[];
  readonly intervalMs: number;
}

/**
 * Each service's record counts in time buckets (as logStats grouped by interval gives one
 * service's), only the buckets that hold records: one search for as many services as the bucket
 * budget holds at the range's bucket count, not one per service.
 */
export async function logHistories(
  client: Client,
  query: LogHistoryQuery,
): Promise<Map<string, LogStats[]>> {
  const { range, intervalMs } = query;
  const { field, fixed_interval, offset } = timeBuckets(range, intervalMs).date_histogram;
  const perService = Math.ceil((range.to - range.from) / intervalMs) + 1;
  const servicesPerSearch = Math.max(1, Math.floor(BUCKET_BUDGET / perService));
  const chunks: string[][] = [];
  for (let i = 0; i < query.services.length; i += servicesPerSearch)
    chunks.push(query.services.slice(i, i + servicesPerSearch));
  const answers = await Promise.all(
    chunks.map(async (services) => {
      const result = await client.search({
        index: indices.logs.pattern,
        size: 0,
        ...lenient,
        query: {
          bool: {
            filter: [
              rangeFilter(fields.timestamp, range),
              { terms: { [fields.serviceName]: services } },
            ],
          },
        },
        aggs: {
          services: {
            terms: { field: fields.serviceName, size: services.length },
            aggs: {
              groups: {
                // Only the buckets that hold records: the empty rest would be most of the answer.
                date_histogram: { field, fixed_interval, offset, min_doc_count: 1 },
                aggs: bucketAggs,
              },
            },
          },
        },
      });
      const buckets =
        (
          result.aggregations?.services as
            { buckets?: { key: string; groups: { buckets: Bucket[] } }[] } | undefined
        )?.buckets ?? [];
      return buckets.map((b) => [b.key, b.groups.buckets.map(statsOf)] as const);
    }),
  );
  return new Map(answers.flat());
}
