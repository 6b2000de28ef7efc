import type { Client, estypes } from '@elastic/elasticsearch';
import { ERROR_SEVERITY, fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { MessageCount } from '../../contracts/log-stats.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter } from './time-range.ts';
import { BUCKET_BUDGET, lenient } from './search-options.ts';

interface MessageBucket {
  key: string;
  doc_count: number;
  first: { value: number | null };
  example: { hits: { hits: { _source?: Record<string, unknown> }[] } };
}
interface ServiceBucket {
  key: string;
  messages: { buckets: MessageBucket[] };
}

/**
 * The most frequent exact error messages of each service (of those given, or of every service),
 * each with its first time and an example trace id: one search, at most `perService` messages
 * each (fewer when many services share the bucket budget).
 */
export interface MessageQuery {
  /** Only these services; omitted: every service. */
  readonly services?: readonly string[] | undefined;
  readonly perService: number;
}

export async function errorMessagesByService(
  client: Client,
  range: TimeRange,
  options: MessageQuery,
): Promise<Map<string, MessageCount[]>> {
  const services = options.services;
  if (services?.length === 0) return new Map();
  const serviceCount = services?.length ?? 500;
  // Each service is a bucket too, and holds its messages' buckets.
  const perService = Math.max(
    1,
    Math.min(options.perService, Math.floor(BUCKET_BUDGET / serviceCount) - 1),
  );
  const filter: estypes.QueryDslQueryContainer[] = [
    { range: { [fields.log.severityNumber]: { gte: ERROR_SEVERITY } } },
    rangeFilter(fields.timestamp, range),
  ];
  if (services) filter.push({ terms: { [fields.serviceName]: [...services] } });
  const result = await client.search({
    index: indices.logs.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter } },
    aggs: {
      services: {
        terms: { field: fields.serviceName, size: serviceCount },
        aggs: {
          messages: {
            terms: { field: `${fields.log.body}.raw`, size: perService },
            aggs: {
              first: { min: { field: fields.timestamp } },
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
      },
    },
  });
  const buckets =
    (result.aggregations?.services as { buckets?: ServiceBucket[] } | undefined)?.buckets ?? [];
  return new Map(
    buckets.map((service) => [
      service.key,
      service.messages.buckets.map((bucket) => {
        const traceId = bucket.example.hits.hits[0]?._source?.[fields.traceId];
        return {
          message: bucket.key,
          count: bucket.doc_count,
          firstSeen: bucket.first.value ?? range.from,
          exampleTraceId: typeof traceId === 'string' && traceId !== '' ? traceId : null,
        };
      }),
    ]),
  );
}

/** The most frequent exact error messages of one service, each with an example trace id. */
export async function errorMessages(
  client: Client,
  service: string,
  range: TimeRange,
  size = 500,
): Promise<MessageCount[]> {
  const found = await errorMessagesByService(client, range, {
    services: [service],
    perService: size,
  });
  return found.get(service) ?? [];
}
