import type { Client, estypes } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { lenient } from './search-options.ts';
import { rangeFilter } from './time-range.ts';

/** One service calling another, seen in a trace. */
export interface ServiceCall {
  readonly caller: string;
  readonly callee: string;
}

/** Recent served spans with a parent read per service: how many callers each can show. */
const PER_SERVICE = 25;
const MAX_SERVICES = 500;
/** A parent span starts before its child: look this much earlier for it. */
const PARENT_LEAD_MS = 60_000;

type SpanSource = Record<string, unknown>;

/**
 * Which services call which in the range, from the spans' parent/child edges: the most recent
 * served spans of each service that have a parent, then the services those parents belong to.
 * Elasticsearch cannot join a span to its parent, so this is two searches over a sample: a
 * caller that makes a small share of a service's calls can be missed.
 */
export async function serviceCalls(client: Client, range: TimeRange): Promise<ServiceCall[]> {
  const children = await servedSpansWithParents(client, range);
  if (children.length === 0) return [];
  const parents = await servicesOfSpans(
    client,
    { from: range.from - PARENT_LEAD_MS, to: range.to },
    [...new Set(children.map((child) => child.parentSpanId))],
  );
  const calls = new Map<string, ServiceCall>();
  for (const child of children) {
    const caller = parents.get(child.parentSpanId);
    if (caller === undefined || caller === child.service) continue;
    calls.set(JSON.stringify([caller, child.service]), { caller, callee: child.service });
  }
  return [...calls.values()];
}

async function servedSpansWithParents(
  client: Client,
  range: TimeRange,
): Promise<{ service: string; parentSpanId: string }[]> {
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: {
      bool: {
        filter: [
          rangeFilter(fields.timestamp, range),
          { terms: { [fields.span.kind]: [SERVER_KIND, 'SPAN_KIND_CONSUMER'] } },
          { exists: { field: fields.span.parentSpanId } },
        ],
        must_not: [{ term: { [fields.span.parentSpanId]: '' } }],
      },
    },
    aggs: {
      services: {
        terms: { field: fields.serviceName, size: MAX_SERVICES },
        aggs: {
          recent: {
            top_hits: {
              size: PER_SERVICE,
              sort: [{ [fields.timestamp]: { order: 'desc' } }],
              _source: [fields.span.parentSpanId],
            },
          },
        },
      },
    },
  });
  const services = result.aggregations?.services as
    estypes.AggregationsStringTermsAggregate | undefined;
  const buckets = (services?.buckets ?? []) as (estypes.AggregationsStringTermsBucket & {
    recent: estypes.AggregationsTopHitsAggregate;
  })[];
  return buckets.flatMap((bucket) =>
    bucket.recent.hits.hits.flatMap((hit) => {
      const parentSpanId = text(
        (hit._source as SpanSource | undefined)?.[fields.span.parentSpanId],
      );
      return parentSpanId ? [{ service: String(bucket.key), parentSpanId }] : [];
    }),
  );
}

/** The service of each of these spans that is stored in the range. */
async function servicesOfSpans(
  client: Client,
  range: TimeRange,
  spanIds: readonly string[],
): Promise<Map<string, string>> {
  const result = await client.search<SpanSource>({
    index: indices.spans.pattern,
    size: spanIds.length,
    ...lenient,
    _source: [fields.spanId, fields.serviceName],
    query: {
      bool: {
        filter: [
          rangeFilter(fields.timestamp, range),
          { terms: { [fields.spanId]: [...spanIds] } },
        ],
      },
    },
  });
  const services = new Map<string, string>();
  for (const hit of result.hits.hits) {
    const source = hit._source ?? {};
    const spanId = text(source[fields.spanId]);
    const service = text(source[fields.serviceName]);
    if (spanId && service) services.set(spanId, service);
  }
  return services;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
