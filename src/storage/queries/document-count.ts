import type { Client } from '@elastic/elasticsearch';
import { fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { lenient } from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter } from './time-range.ts';

/**
 * Log records and spans in a range, every kind: a range on the time field alone, which
 * Elasticsearch counts from its points index without reading documents. Any change to what a
 * range holds (late data, a deleted daily index) changes it.
 */
export async function documentCount(client: Client, range: TimeRange): Promise<number> {
  const { count } = await client.count({
    index: [indices.logs.pattern, indices.spans.pattern],
    ...lenient,
    query: rangeFilter(fields.timestamp, range),
  });
  return count;
}
