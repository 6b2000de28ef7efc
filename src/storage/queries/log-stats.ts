import type { Client, estypes } from '@elastic/elasticsearch';
import { ERROR_SEVERITY, fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { LogStats } from '../../contracts/log-stats.ts';
import { byService, earliest, lenient } from './search-options.ts';
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
        aggs: {
          errors: { filter: { range: { [fields.log.severityNumber]: { gte: ERROR_SEVERITY } } } },
          since: earliest,
        },
      },
    },
  });
  const buckets =
    (result.aggregations?.groups as { buckets?: Bucket[] } | undefined)?.buckets ?? [];
  return buckets.map((bucket) => ({
    key: String(bucket.key),
    logs: bucket.doc_count,
    errors: bucket.errors.doc_count,
    since: bucket.since.value,
  }));
}
