import type { Client, estypes } from '@elastic/elasticsearch';
import { isFailedRequest } from '../../contracts/failed-request.ts';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { byService, lenient, weightSum } from './search-options.ts';
import { flat, hasParent, spansOfTraces, type StoredSpan } from './stored-traces.ts';

/** A sampled call's duration and the requests it stands for (its sampling weight). */
export interface WeightedDuration {
  readonly ms: number;
  readonly weight: number;
}

/**
 * Calls from one service to another (client→server, producer→consumer) over a range: the
 * requests they stand for (sampling weights summed), the failed ones among them, and the
 * durations of the callee's requests that were looked at, for percentiles.
 */
export interface ServiceCall {
  readonly parent: string;
  readonly child: string;
  /** Weighted calls over the whole range. */
  readonly calls: number;
  /** Weighted failed requests among them (contracts/failed-request.ts). */
  readonly errors: number;
  /** The callee's request spans of this call that were joined to their caller. */
  readonly latency: readonly WeightedDuration[];
}

/** Entry spans joined to their callers for one time range, the most recent first. */
export const GRAPH_SAMPLE = 10_000;

/** Kinds of the spans that are called by another service's span: the callee's side of an edge. */
const CALLEE_KINDS = [SERVER_KIND, 'SPAN_KIND_CONSUMER'];
/** Kinds of the caller's span that a callee's span is nearly always the child of. */
const CALLER_KINDS = ['SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER'];

const spanKey = (traceId: unknown, spanId: unknown) => `${String(traceId)}/${String(spanId)}`;
const parentOf = (child: StoredSpan) =>
  spanKey(child[fields.traceId], child[fields.span.parentSpanId]);
const weightOf = (span: StoredSpan) => {
  const weight = span[fields.span.samplingWeight];
  return typeof weight === 'number' ? weight : 1;
};
const failed = (span: StoredSpan) => {
  const status = fields.span.httpStatuses
    .map((f) => span[f])
    .find((v): v is number => typeof v === 'number');
  return isFailedRequest({ statusIsError: span[fields.span.status] === 2, httpStatus: status });
};

/**
 * Which service calls which, and how. A parent's id has no doc values (templates.ts), so no
 * aggregation can join a request to its caller: the callee's request spans that have a parent
 * are read (the `sample` most recent in the range), and each parent's service is found among
 * the spans of its trace. One aggregation in the same search sums every service's called
 * requests over the whole range; each edge's calls and errors are scaled by its callee's total
 * over its sample (1 when the sample holds the whole range), so rates stay right over a busy
 * day, while error shares and percentiles come from the sample: its most recent requests.
 */
export async function serviceCalls(
  client: Client,
  range: { readonly from: string; readonly to: string },
  sample = GRAPH_SAMPLE,
): Promise<ServiceCall[]> {
  const entries = await client.search<Record<string, unknown>>({
    index: indices.spans.pattern,
    size: sample,
    ...lenient,
    query: {
      bool: {
        filter: [
          { terms: { [fields.span.kind]: CALLEE_KINDS } },
          hasParent,
          { range: { [fields.timestamp]: { gte: range.from, lte: range.to } } },
        ],
      },
    },
    sort: [{ [fields.timestamp]: { order: 'desc' } }],
    aggs: { callees: { ...byService, aggs: { requests: weightSum } } },
    _source: [
      fields.traceId,
      fields.serviceName,
      fields.span.parentSpanId,
      fields.span.samplingWeight,
      fields.span.duration,
      fields.span.status,
      ...fields.span.httpStatuses,
    ],
  });
  const children = entries.hits.hits.map((hit) => flat(hit._source ?? {}));
  const serviceOf = await callerServices(client, children);
  return edges(children, serviceOf, calledTotals(entries.aggregations));
}

/** Each parent span's service, by `traceId/spanId`, for the parents of these children. */
async function callerServices(
  client: Client,
  children: readonly StoredSpan[],
): Promise<Map<string, string>> {
  const parentKeys = new Set(children.map(parentOf));
  const serviceOf = new Map<string, string>();
  const lookUp = async (among: readonly StoredSpan[], filter?: estypes.QueryDslQueryContainer) => {
    const traceIds = [...new Set(among.map((child) => String(child[fields.traceId])))];
    const read = { filter, fields: [fields.spanId, fields.serviceName], traces: 1_000 };
    for await (const spans of spansOfTraces(client, traceIds, read)) {
      for (const span of spans) {
        const key = spanKey(span[fields.traceId], span[fields.spanId]);
        if (parentKeys.has(key)) serviceOf.set(key, String(span[fields.serviceName]));
      }
    }
  };
  // A request's parent is nearly always its caller's client or producer span: those are read
  // first. The traces of requests whose parent is not among them are then read whole.
  await lookUp(children, { terms: { [fields.span.kind]: CALLER_KINDS } });
  await lookUp(children.filter((child) => !serviceOf.has(parentOf(child))));
  return serviceOf;
}

/** Every callee's weighted requests with a parent over the whole range. */
function calledTotals(aggregations: Record<string, estypes.AggregationsAggregate> | undefined) {
  const callees = aggregations?.callees as estypes.AggregationsStringTermsAggregate | undefined;
  const buckets = (callees?.buckets ?? []) as (estypes.AggregationsStringTermsBucket & {
    requests: { value: number };
  })[];
  return new Map(buckets.map((b) => [String(b.key), b.requests.value]));
}

/** The sampled children summed per (caller, callee), scaled up to the callee's whole range. */
function edges(
  children: readonly StoredSpan[],
  serviceOf: ReadonlyMap<string, string>,
  totals: ReadonlyMap<string, number>,
): ServiceCall[] {
  const sampled = new Map<string, number>();
  const calls = new Map<
    string,
    { parent: string; child: string; calls: number; errors: number; latency: WeightedDuration[] }
  >();
  for (const child of children) {
    const service = String(child[fields.serviceName]);
    const weight = weightOf(child);
    sampled.set(service, (sampled.get(service) ?? 0) + weight);
    const parent = serviceOf.get(parentOf(child));
    if (parent === undefined || parent === service) continue;
    const key = `${parent}\n${service}`;
    const edge = calls.get(key) ?? { parent, child: service, calls: 0, errors: 0, latency: [] };
    edge.calls += weight;
    if (failed(child)) edge.errors += weight;
    // Duration is in microseconds.
    edge.latency.push({ ms: Number(child[fields.span.duration] ?? 0) / 1000, weight });
    calls.set(key, edge);
  }
  return [...calls.values()].map((edge) => {
    // The sample is the whole range unless it was cut: then its callee's total over the range
    // says how many requests each sampled one stands for.
    const inSample = sampled.get(edge.child) ?? 0;
    const total = totals.get(edge.child) ?? inSample;
    const scale = inSample > 0 && total > inSample ? total / inSample : 1;
    return { ...edge, calls: edge.calls * scale, errors: edge.errors * scale };
  });
}
