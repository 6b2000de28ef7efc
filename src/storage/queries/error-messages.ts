import type { Client } from '@elastic/elasticsearch';
import { ERROR_SEVERITY, fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { rangeFilter, type TimeRange } from './time-range.ts';
import { lenient } from './search-options.ts';

/** One exact error message, how often it was logged, and a trace it was logged in. */
export interface MessageCount {
  readonly message: string;
  readonly count: number;
  readonly exampleTraceId: string | null;
}

interface Bucket {
  key: string;
  doc_count: number;
  example: { hits: { hits: { _source?: Record<string, unknown> }[] } };
}

/** The most frequent exact error messages of a service, each with an example trace id. */
export async function errorMessages(
  client: Client,
  service: string,
  range: TimeRange,
  size = 500,
): Promise<MessageCount[]> {
  const result = await client.search({
    index: indices.logs.pattern,
    size: 0,
    ...lenient,
    query: {
      bool: {
        filter: [
          { term: { [fields.serviceName]: service } },
          { range: { [fields.log.severityNumber]: { gte: ERROR_SEVERITY } } },
          rangeFilter(fields.timestamp, range),
        ],
      },
    },
    aggs: {
      messages: {
        terms: { field: `${fields.log.body}.raw`, size },
        aggs: {
          example: {
            top_hits: {
              size: 1,
              _source: [fields.traceId],
              sort: [{ [fields.timestamp]: { order: 'desc' } }],
            },
          },
        },
      },
    },
  });
  const buckets =
    (result.aggregations?.messages as { buckets?: Bucket[] } | undefined)?.buckets ?? [];
  return buckets.map((bucket) => {
    const traceId = bucket.example.hits.hits[0]?._source?.[fields.traceId];
    return {
      message: bucket.key,
      count: bucket.doc_count,
      exampleTraceId: typeof traceId === 'string' && traceId !== '' ? traceId : null,
    };
  });
}
