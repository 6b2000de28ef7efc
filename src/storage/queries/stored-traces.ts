import type { Client, estypes } from '@elastic/elasticsearch';
import { fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { lenient } from './search-options.ts';
import { boundsFilter, rangeFilter } from './time-range.ts';

/**
 * What Jaeger asks of a trace store (its Remote Storage API v2), answered from lantern-spans-*:
 * the one copy of every kept span. Documents come back as stored (`StoredSpan`), for
 * storage/otlp-traces.ts to turn into OTLP.
 */

/** A span document, its keys flat (`Attributes.http.route`), as the Collector wrote it. */
export type StoredSpan = Readonly<Record<string, unknown>>;

/** A search for traces, Jaeger's TraceQueryParameters in Lantern's terms. */
export interface StoredTraceQuery {
  readonly service?: string | undefined;
  readonly operation?: string | undefined;
  /** Exact matches on a span's or its resource's attribute; `error=true` is a span in error. */
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** ISO instants or epoch milliseconds, bounds of a span's start. */
  readonly startMin?: string | undefined;
  readonly startMax?: string | undefined;
  readonly minDurationUs?: number | undefined;
  readonly maxDurationUs?: number | undefined;
  /** How many traces at most. */
  readonly limit: number;
}

/** A trace found by a search: its id, and when its matching span started. */
export interface FoundTrace {
  readonly traceId: string;
  readonly startedAt: string;
}

/** Trace ids asked for at once: a terms query stays far below Elasticsearch's limits. */
const TRACE_BATCH = 200;
/** Spans read per page of a trace batch. */
const PAGE = 5_000;
/** How long a point in time stays open between two of its pages. */
const KEEP_ALIVE = '1m';

/**
 * How to read the spans of traces: only those matching a filter (all by default), which fields
 * of each (all by default; the trace id always), how many traces a search asks for, pages of
 * how many spans.
 */
export interface TraceRead {
  readonly filter?: estypes.QueryDslQueryContainer | undefined;
  /** Spans that started in this range only: spares the daily indices and segments outside it. */
  readonly within?: TimeRange | undefined;
  readonly fields?: readonly string[] | undefined;
  readonly traces?: number | undefined;
  readonly page?: number | undefined;
}

/**
 * Dotted keys, as the exporter sends them; an object in `_source` (a document written another
 * way) is flattened so that one reader fits both.
 */
export function flat(
  source: Record<string, unknown>,
  prefix = '',
  into: Record<string, unknown> = {},
) {
  for (const [key, value] of Object.entries(source)) {
    const name = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flat(value as Record<string, unknown>, `${name}.`, into);
    } else into[name] = value;
  }
  return into;
}

type Hits = estypes.SearchHit<Record<string, unknown>>[];

/** Consecutive spans of one trace together: hits come sorted by trace first. */
function byTrace(hits: Hits): StoredSpan[][] {
  const traces: StoredSpan[][] = [];
  for (const hit of hits) {
    const span = flat(hit._source ?? {});
    const current = traces.at(-1);
    if (current?.[0]?.[fields.traceId] === span[fields.traceId]) current?.push(span);
    else traces.push([span]);
  }
  return traces;
}

/**
 * Every stored span of these traces, one trace at a time (each trace's spans in start order).
 * A trace none of whose spans is stored yields nothing.
 */
export async function* spansOfTraces(
  client: Client,
  traceIds: readonly string[],
  read: TraceRead = {},
): AsyncGenerator<readonly StoredSpan[]> {
  const size = read.page ?? PAGE;
  const request = (batch: readonly string[]) => ({
    size,
    query: {
      bool: {
        filter: [
          { terms: { [fields.traceId]: [...batch] } },
          ...(read.filter ? [read.filter] : []),
          ...(read.within ? [rangeFilter(fields.timestamp, read.within)] : []),
        ],
      },
    },
    ...(read.fields && { _source: [fields.traceId, ...read.fields] }),
  });
  const traces = read.traces ?? TRACE_BATCH;
  for (let i = 0; i < traceIds.length; i += traces) {
    const batch = traceIds.slice(i, i + traces);
    // Most batches fit in one page: one search.
    const first = await client.search<Record<string, unknown>>({
      index: indices.spans.pattern,
      ...lenient,
      ...request(batch),
      sort: [{ [fields.traceId]: 'asc' }, { [fields.timestamp]: 'asc' }],
    });
    const found = byTrace(first.hits.hits);
    if (first.hits.hits.length < size) {
      yield* found;
      continue;
    }
    // A full page: its last trace may go on. The traces not yet whole are read again, in pages
    // of one point in time, whose _shard_doc tells apart spans of one trace that started at the
    // same instant (span ids have no doc values to sort by).
    found.pop();
    yield* found;
    const whole = new Set(found.map((spans) => spans[0]?.[fields.traceId]));
    yield* inPointInTime(client, request(batch.filter((id) => !whole.has(id))));
  }
}

/** Every span a request for some traces' spans finds, page by page, one trace at a time. */
async function* inPointInTime(
  client: Client,
  request: Omit<estypes.SearchRequest, 'index' | 'pit' | 'sort' | 'search_after'>,
): AsyncGenerator<readonly StoredSpan[]> {
  let { id } = await client.openPointInTime({
    index: indices.spans.pattern,
    keep_alive: KEEP_ALIVE,
    ignore_unavailable: true,
  });
  try {
    let pending: StoredSpan[] = [];
    let after: estypes.SortResults | undefined;
    for (;;) {
      const result = await client.search<Record<string, unknown>>({
        ...request,
        pit: { id, keep_alive: KEEP_ALIVE },
        sort: [{ [fields.traceId]: 'asc' }, { [fields.timestamp]: 'asc' }, { _shard_doc: 'asc' }],
        ...(after && { search_after: after }),
      });
      id = result.pit_id ?? id;
      const hits = result.hits.hits;
      for (const spans of byTrace(hits)) {
        if (pending.length > 0 && pending[0]?.[fields.traceId] !== spans[0]?.[fields.traceId]) {
          yield pending;
          pending = [];
        }
        pending.push(...spans);
      }
      if (hits.length < (request.size ?? 0)) break;
      after = hits.at(-1)?.sort;
    }
    if (pending.length > 0) yield pending;
  } finally {
    await client.closePointInTime({ id });
  }
}

const attributeFilter = (key: string, value: string | number | boolean) =>
  key === 'error' && String(value) === 'true'
    ? { term: { [fields.span.status]: 2 } }
    : {
        bool: {
          should: [
            { term: { [`Attributes.${key}`]: value } },
            { term: { [`Resource.${key}`]: value } },
          ],
          minimum_should_match: 1,
        },
      };

/** Traces with a span matching every condition, the most recent first, one row per trace. */
export async function findTraces(client: Client, q: StoredTraceQuery): Promise<FoundTrace[]> {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (q.service !== undefined) filter.push({ term: { [fields.serviceName]: q.service } });
  if (q.operation !== undefined) filter.push({ term: { [fields.span.name]: q.operation } });
  for (const [key, value] of Object.entries(q.attributes)) filter.push(attributeFilter(key, value));
  const bounds = [
    boundsFilter(fields.timestamp, q.startMin, q.startMax),
    boundsFilter(fields.span.duration, q.minDurationUs, q.maxDurationUs),
  ];
  filter.push(...bounds.filter((b) => b !== undefined));
  const result = await client.search<Record<string, unknown>>({
    index: indices.spans.pattern,
    size: q.limit,
    ...lenient,
    query: { bool: { filter } },
    sort: [{ [fields.timestamp]: { order: 'desc' } }],
    collapse: { field: fields.traceId },
    _source: [fields.traceId, fields.timestamp],
  });
  return result.hits.hits.map((hit) => ({
    traceId: String(hit._source?.[fields.traceId]),
    startedAt: String(hit._source?.[fields.timestamp]),
  }));
}

/** Every service with a stored span. */
export async function serviceNames(client: Client): Promise<string[]> {
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    aggs: { services: { terms: { field: fields.serviceName, size: 10_000 } } },
  });
  // No span index yet: no aggregation in the answer.
  const agg = result.aggregations?.services as estypes.AggregationsStringTermsAggregate | undefined;
  return ((agg?.buckets ?? []) as estypes.AggregationsStringTermsBucket[]).map((b) =>
    String(b.key),
  );
}

/** A span name of a service, with the span kind it has (`SPAN_KIND_SERVER`, …). */
export interface StoredOperation {
  readonly name: string;
  readonly kind: string;
}

/** The span names of one service, each with every kind it occurs with; `kind` narrows it. */
export async function operationsOf(
  client: Client,
  service: string,
  kind?: string,
): Promise<StoredOperation[]> {
  const filter: estypes.QueryDslQueryContainer[] = [{ term: { [fields.serviceName]: service } }];
  if (kind !== undefined) filter.push({ term: { [fields.span.kind]: kind } });
  const result = await client.search({
    index: indices.spans.pattern,
    size: 0,
    ...lenient,
    query: { bool: { filter } },
    aggs: {
      names: {
        terms: { field: fields.span.name, size: 10_000 },
        aggs: { kinds: { terms: { field: fields.span.kind, size: 10 } } },
      },
    },
  });
  const names = result.aggregations?.names as estypes.AggregationsStringTermsAggregate | undefined;
  return ((names?.buckets ?? []) as estypes.AggregationsStringTermsBucket[]).flatMap((name) => {
    const kinds = name.kinds as estypes.AggregationsStringTermsAggregate;
    return (kinds.buckets as estypes.AggregationsStringTermsBucket[]).map((k) => ({
      name: String(name.key),
      kind: String(k.key),
    }));
  });
}

/**
 * A span with a parent. From template v5 on, a parent's id is not indexed: the field's name is
 * in _ignored (templates.ts); older daily indices still have the id indexed. An empty id is no
 * parent.
 */
export const hasParent: estypes.QueryDslQueryContainer = {
  bool: {
    should: [
      { term: { _ignored: fields.span.parentSpanId } },
      { exists: { field: fields.span.parentSpanId } },
    ],
    minimum_should_match: 1,
    must_not: [{ term: { [fields.span.parentSpanId]: '' } }],
  },
};
