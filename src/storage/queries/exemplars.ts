import type { Client, estypes } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { failedRequest, lenient } from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter } from './time-range.ts';

export type ExemplarKind = 'failed' | 'slowest';

/**
 * A few trace ids that show why an alert fires: recent failed requests, or the slowest ones,
 * of a service in the window.
 */
export async function exemplarTraceIds(
  client: Client,
  kind: ExemplarKind,
  service: string,
  range: TimeRange,
  count = 3,
): Promise<string[]> {
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { [fields.span.kind]: SERVER_KIND } },
    { term: { [fields.serviceName]: service } },
    rangeFilter(fields.timestamp, range),
  ];
  if (kind === 'failed') filter.push(failedRequest);
  const result = await client.search<Record<string, string | undefined>>({
    index: indices.spans.pattern,
    size: count,
    ...lenient,
    _source: [fields.traceId],
    query: { bool: { filter } },
    sort: [
      kind === 'failed'
        ? { [fields.timestamp]: { order: 'desc' } }
        : { [fields.span.duration]: { order: 'desc' } },
    ],
  });
  return result.hits.hits
    .map((hit) => hit._source?.[fields.traceId] ?? '')
    .filter((id) => id !== '');
}
