import type { Client, estypes } from '@elastic/elasticsearch';
import { fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { lenient } from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter } from './time-range.ts';
import { toTraceLog, type TraceLog } from './trace-logs.ts';

export interface LogQuery {
  readonly range: TimeRange;
  readonly service?: string | undefined;
  /** Records at or above this severity number (OpenTelemetry: 9 INFO, 13 WARN, 17 ERROR). */
  readonly minSeverity?: number | undefined;
  /** Words that must all appear in the message (a full-text match, not a query string). */
  readonly text?: string | undefined;
  readonly limit: number;
}

/** Log records matching the filters, newest first. */
export async function searchLogs(client: Client, q: LogQuery): Promise<TraceLog[]> {
  const filter: estypes.QueryDslQueryContainer[] = [rangeFilter(fields.timestamp, q.range)];
  if (q.service !== undefined) filter.push({ term: { [fields.serviceName]: q.service } });
  if (q.minSeverity !== undefined) {
    filter.push({ range: { [fields.log.severityNumber]: { gte: q.minSeverity } } });
  }
  const must: estypes.QueryDslQueryContainer[] =
    q.text === undefined
      ? []
      : [{ match: { [fields.log.body]: { query: q.text, operator: 'and' } } }];
  const result = await client.search<Record<string, unknown>>({
    index: indices.logs.pattern,
    size: q.limit,
    ...lenient,
    query: { bool: { filter, must } },
    sort: [{ [fields.timestamp]: { order: 'desc' } }],
  });
  return result.hits.hits.map((hit) => toTraceLog(hit._source ?? {}));
}
