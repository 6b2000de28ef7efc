import type { Client, estypes } from '@elastic/elasticsearch';
import { fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { failedRequest, lenient } from './search-options.ts';
import { hasParent } from './stored-traces.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { boundsFilter, rangeFilter } from './time-range.ts';
import type * as Contract from '../../contracts/api/telemetry.ts';

/** One trace in a search result: by its root, with its spans, services and errors counted. */
export type TraceSummary = Contract.TraceSummary;
export type TraceSort = (typeof Contract.TRACE_SORTS)[number];

export interface TraceQuery {
  readonly range: TimeRange;
  readonly service?: string | undefined;
  /** Matches the route (`http.route`) or the span name exactly. */
  readonly operation?: string | undefined;
  readonly failedOnly: boolean;
  readonly minDurationMs?: number | undefined;
  readonly maxDurationMs?: number | undefined;
  /** An exact attribute match (`Attributes.<key>` = value). */
  readonly attribute?: { readonly key: string; readonly value: string } | undefined;
  readonly sort: TraceSort;
  readonly limit: number;
}

type Query = estypes.QueryDslQueryContainer;
type Source = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const number = (value: unknown, fallback: number): number =>
  typeof value === 'number' ? value : fallback;

/** A span that failed: status ERROR, or a failed request (a server's 5xx). */
const failedSpan: Query = {
  bool: { should: [{ term: { [fields.span.status]: 2 } }, failedRequest], minimum_should_match: 1 },
};

/** Spans any filter of the search matches; all the filters hold for one span, as in Jaeger. */
function matchingSpans(q: TraceQuery): Query[] {
  const filter: Query[] = [rangeFilter(fields.timestamp, q.range)];
  if (q.service !== undefined) filter.push({ term: { [fields.serviceName]: q.service } });
  if (q.operation !== undefined) {
    filter.push({
      bool: {
        should: [
          { term: { [fields.span.httpRoute]: q.operation } },
          { term: { [fields.span.name]: q.operation } },
        ],
        minimum_should_match: 1,
      },
    });
  }
  if (q.failedOnly) filter.push(failedSpan);
  const durations = boundsFilter(
    fields.span.duration,
    q.minDurationMs === undefined ? undefined : q.minDurationMs * 1000,
    q.maxDurationMs === undefined ? undefined : q.maxDurationMs * 1000,
  );
  if (durations) filter.push(durations);
  if (q.attribute) filter.push({ term: { [`Attributes.${q.attribute.key}`]: q.attribute.value } });
  return filter;
}

/** The ids of the traces a search finds, in its order. */
async function foundTraceIds(client: Client, q: TraceQuery): Promise<string[]> {
  const query = { bool: { filter: matchingSpans(q) } };
  if (q.sort === 'most-spans') {
    const result = await client.search({
      index: indices.spans.pattern,
      size: 0,
      ...lenient,
      query,
      aggs: { traces: { terms: { field: fields.traceId, size: q.limit } } },
    });
    const traces = result.aggregations?.traces as estypes.AggregationsStringTermsAggregate;
    return (traces.buckets as estypes.AggregationsStringTermsBucket[]).map((b) => String(b.key));
  }
  const result = await client.search<Source>({
    index: indices.spans.pattern,
    size: q.limit,
    ...lenient,
    query,
    sort: [
      q.sort === 'longest'
        ? { [fields.span.duration]: { order: 'desc' } }
        : { [fields.timestamp]: { order: 'desc' } },
    ],
    collapse: { field: fields.traceId },
    _source: [fields.traceId],
  });
  return result.hits.hits.map((hit) => String(hit._source?.[fields.traceId]));
}

const SUMMARY_FIELDS = [
  fields.serviceName,
  fields.span.name,
  fields.span.httpRoute,
  fields.timestamp,
  fields.span.duration,
  fields.span.samplingWeight,
];
const firstSpan: estypes.AggregationsAggregationContainer = {
  top_hits: { size: 1, sort: [{ [fields.timestamp]: { order: 'asc' } }], _source: SUMMARY_FIELDS },
};
/** The root: the span with no parent (a trace may have none stored). */
const rootSpan: estypes.AggregationsAggregationContainer = {
  filter: { bool: { must_not: [hasParent] } },
  aggs: { first: firstSpan },
};

interface TraceBucket {
  key: string;
  doc_count: number;
  services: estypes.AggregationsStringTermsAggregate;
  errors: { doc_count: number };
  root: { doc_count: number; first: { hits: estypes.SearchHitsMetadata<Source> } };
  earliest: { hits: estypes.SearchHitsMetadata<Source> };
  longest: { value: number | null };
}

/**
 * Traces with a span matching every filter (any kind of span, of any service), newest, longest
 * or with the most spans first; each listed by its root with its spans, services and errors
 * counted (one aggregation over the found traces' spans).
 */
export async function searchTraces(client: Client, q: TraceQuery): Promise<TraceSummary[]> {
  const ids = await foundTraceIds(client, q);
  if (ids.length === 0) return [];
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { terms: { [fields.traceId]: ids } },
    aggs: {
      traces: {
        terms: { field: fields.traceId, size: ids.length },
        aggs: {
          services: { terms: { field: fields.serviceName, size: 50 } },
          errors: { filter: failedSpan } as estypes.AggregationsAggregationContainer,
          root: rootSpan,
          earliest: firstSpan,
          longest: { max: { field: fields.span.duration } },
        },
      },
    },
  });
  const buckets = new Map(
    ((result.aggregations?.traces as { buckets?: TraceBucket[] } | undefined)?.buckets ?? []).map(
      (b) => [b.key, b],
    ),
  );
  return ids.flatMap((traceId) => {
    const b = buckets.get(traceId);
    if (!b) return [];
    const root = b.root.first.hits.hits[0]?._source;
    const head = root ?? b.earliest.hits.hits[0]?._source ?? {};
    return [
      {
        traceId,
        service: text(head[fields.serviceName]),
        name: text(head[fields.span.name]) ?? '',
        route: text(head[fields.span.httpRoute]),
        startedAt: String(head[fields.timestamp]),
        durationMs: (root ? number(root[fields.span.duration], 0) : (b.longest.value ?? 0)) / 1000,
        failed: b.errors.doc_count > 0,
        weight: Math.max(1, number(head[fields.span.samplingWeight], 1)),
        rootKept: root !== undefined,
        spans: b.doc_count,
        errors: b.errors.doc_count,
        services: (b.services.buckets as estypes.AggregationsStringTermsBucket[]).map((s) => ({
          service: String(s.key),
          spans: s.doc_count,
        })),
      },
    ];
  });
}

/** One span of a trace, whole, as the trace view shows it. */
export type TraceSpan = Contract.Span;

const prefixed = (source: Record<string, unknown>, prefix: string): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(source)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );

/** Every stored span of one trace (up to `limit`), in start order. */
export async function traceSpans(
  client: Client,
  traceId: string,
  limit: number,
): Promise<TraceSpan[]> {
  const result = await client.search<Record<string, unknown>>({
    index: indices.spans.pattern,
    size: limit,
    ...lenient,
    query: { term: { [fields.traceId]: traceId } },
    sort: [{ [fields.timestamp]: { order: 'asc' } }],
  });
  return result.hits.hits.map((hit) => {
    const s = hit._source ?? {};
    return {
      spanId: String(s[fields.spanId]),
      parentSpanId: text(s[fields.span.parentSpanId]),
      service: text(s[fields.serviceName]),
      name: text(s[fields.span.name]) ?? '',
      kind: text(s[fields.span.kind]) ?? '',
      startedAt: String(s[fields.timestamp]),
      durationMs: number(s[fields.span.duration], 0) / 1000,
      status: number(s[fields.span.status], 0),
      statusMessage: text(s[fields.span.statusMessage]),
      weight: number(s[fields.span.samplingWeight], 1),
      attributes: prefixed(s, 'Attributes.'),
      resource: prefixed(s, 'Resource.'),
      events: prefixed(s, fields.span.eventsPrefix),
    };
  });
}
