import type { Client, estypes } from '@elastic/elasticsearch';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { lenient } from './search-options.ts';

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

/**
 * Dotted keys, as the exporter sends them; an object in `_source` (a document written another
 * way) is flattened so that one reader fits both.
 */
function flat(source: Record<string, unknown>, prefix = '', into: Record<string, unknown> = {}) {
  for (const [key, value] of Object.entries(source)) {
    const name = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flat(value as Record<string, unknown>, `${name}.`, into);
    } else into[name] = value;
  }
  return into;
}

/**
 * Every stored span of these traces, one trace at a time (each trace's spans in start order).
 * A trace none of whose spans is stored yields nothing.
 */
export async function* spansOfTraces(
  client: Client,
  traceIds: readonly string[],
): AsyncGenerator<readonly StoredSpan[]> {
  for (let i = 0; i < traceIds.length; i += TRACE_BATCH) {
    const batch = traceIds.slice(i, i + TRACE_BATCH);
    let pending: StoredSpan[] = [];
    let after: estypes.SortResults | undefined;
    for (;;) {
      const result = await client.search<Record<string, unknown>>({
        index: indices.spans.pattern,
        size: PAGE,
        ...lenient,
        query: { terms: { [fields.traceId]: batch } },
        // By trace first: a trace is whole once the next one begins.
        sort: [
          { [fields.traceId]: 'asc' },
          { [fields.timestamp]: 'asc' },
          { [fields.spanId]: 'asc' },
        ],
        ...(after && { search_after: after }),
      });
      const hits = result.hits.hits;
      for (const hit of hits) {
        const span = flat(hit._source ?? {});
        if (pending.length > 0 && pending[0]?.[fields.traceId] !== span[fields.traceId]) {
          yield pending;
          pending = [];
        }
        pending.push(span);
      }
      if (hits.length < PAGE) break;
      after = hits.at(-1)?.sort;
    }
    if (pending.length > 0) yield pending;
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
  if (q.startMin !== undefined || q.startMax !== undefined) {
    filter.push({
      range: {
        [fields.timestamp]: {
          ...(q.startMin !== undefined && { gte: q.startMin }),
          ...(q.startMax !== undefined && { lte: q.startMax }),
        },
      },
    });
  }
  if (q.minDurationUs !== undefined || q.maxDurationUs !== undefined) {
    filter.push({
      range: {
        [fields.span.duration]: {
          ...(q.minDurationUs !== undefined && { gte: q.minDurationUs }),
          ...(q.maxDurationUs !== undefined && { lte: q.maxDurationUs }),
        },
      },
    });
  }
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

/** Calls from one service to another: the requests they stand for (sampling weights summed). */
export interface ServiceCall {
  readonly parent: string;
  readonly child: string;
  readonly calls: number;
}

/** Entry spans looked at for the service graph of one time range, the most recent first. */
const GRAPH_SAMPLE = 10_000;
const PARENT_BATCH = 1_000;

/**
 * Which service calls which, from the requests (server spans) that started in the range and
 * have a parent: each parent's service is looked up by span id. Bounded by GRAPH_SAMPLE entry
 * spans, the most recent: a graph of a busy day is that of its last requests.
 */
export async function serviceCalls(
  client: Client,
  range: { readonly from: string; readonly to: string },
): Promise<ServiceCall[]> {
  const entries = await client.search<Record<string, unknown>>({
    index: indices.spans.pattern,
    size: GRAPH_SAMPLE,
    ...lenient,
    query: {
      bool: {
        filter: [
          { terms: { [fields.span.kind]: [SERVER_KIND, 'SPAN_KIND_CONSUMER'] } },
          { exists: { field: fields.span.parentSpanId } },
          { range: { [fields.timestamp]: { gte: range.from, lte: range.to } } },
        ],
        must_not: [{ term: { [fields.span.parentSpanId]: '' } }],
      },
    },
    sort: [{ [fields.timestamp]: { order: 'desc' } }],
    _source: [fields.serviceName, fields.span.parentSpanId, fields.span.samplingWeight],
  });
  const children = entries.hits.hits.map((hit) => flat(hit._source ?? {}));
  const parentIds = [...new Set(children.map((c) => String(c[fields.span.parentSpanId])))];
  const serviceOf = new Map<string, string>();
  for (let i = 0; i < parentIds.length; i += PARENT_BATCH) {
    const parents = await client.search<Record<string, unknown>>({
      index: indices.spans.pattern,
      size: PARENT_BATCH,
      ...lenient,
      query: { terms: { [fields.spanId]: parentIds.slice(i, i + PARENT_BATCH) } },
      _source: [fields.spanId, fields.serviceName],
    });
    for (const hit of parents.hits.hits) {
      const parent = flat(hit._source ?? {});
      serviceOf.set(String(parent[fields.spanId]), String(parent[fields.serviceName]));
    }
  }
  const calls = new Map<string, ServiceCall>();
  for (const child of children) {
    const parent = serviceOf.get(String(child[fields.span.parentSpanId]));
    const service = String(child[fields.serviceName]);
    if (parent === undefined || parent === service) continue;
    const key = `${parent}\n${service}`;
    const weight = child[fields.span.samplingWeight];
    const before = calls.get(key)?.calls ?? 0;
    calls.set(key, {
      parent,
      child: service,
      calls: before + (typeof weight === 'number' ? weight : 1),
    });
  }
  return [...calls.values()];
}
