import type { Client } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { RequestPoint } from '../../contracts/request-stats.ts';
import { allPages, type AfterKey } from './composite-pages.ts';
import { BUCKET_BUDGET, failedRequest, lenient, weightSum } from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { rangeFilter, timeBuckets } from './time-range.ts';

interface ServiceBucket {
  key: { service: string };
  over_time: {
    buckets: {
      key: number;
      requests: { value: number };
      errors: { requests: { value: number } };
    }[];
  };
}

/**
 * Every service's weighted requests and failed requests per time bucket, empty buckets
 * included: the overview's sparklines in one search (a page of services at a time when
 * services × buckets would pass the bucket limit), rather than one search per service.
 */
export async function requestSeriesByService(
  client: Client,
  range: TimeRange,
  intervalMs: number,
): Promise<Map<string, RequestPoint[]>> {
  const buckets = Math.ceil((range.to - range.from) / intervalMs);
  const pageSize = Math.max(1, Math.min(1000, Math.floor(BUCKET_BUDGET / (buckets + 1))));
  const services = await allPages(pageSize, async (after) => {
    const result = await client.search({
      index: indices.spans.pattern,
      size: 0,
      ...lenient,
      query: {
        bool: {
          filter: [
            { term: { [fields.span.kind]: SERVER_KIND } },
            rangeFilter(fields.timestamp, range),
          ],
        },
      },
      aggs: {
        services: {
          composite: {
            size: pageSize,
            sources: [{ service: { terms: { field: fields.serviceName } } }],
            ...(after && { after }),
          },
          aggs: {
            over_time: {
              ...timeBuckets(range, intervalMs),
              aggs: {
                requests: weightSum,
                errors: { filter: failedRequest, aggs: { requests: weightSum } },
              },
            },
          },
        },
      },
    });
    const page = result.aggregations?.services as
      { buckets?: ServiceBucket[]; after_key?: AfterKey } | undefined;
    return { rows: page?.buckets ?? [], afterKey: page?.after_key };
  });
  return new Map(
    services.map((bucket) => [
      bucket.key.service,
      bucket.over_time.buckets.map((b) => ({
        start: b.key,
        requests: b.requests.value,
        errors: b.errors.requests.value,
      })),
    ]),
  );
}
