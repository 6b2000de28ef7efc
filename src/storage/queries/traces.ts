import type { Client, estypes } from '@elastic/elasticsearch';
import { isFailedRequest } from '../../contracts/failed-request.ts';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { failedRequest, lenient } from './search-options.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { boundsFilter, rangeFilter } from './time-range.ts';
import type * as Contract from '../../contracts/api/telemetry.ts';

/** One trace in a search result: the first request of it that matched, and the trace's extent. */
export type TraceSummary = Contract.TraceSummary;

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
  readonly limit: number;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const number = (value: unknown, fallback: number): number =>
  typeof value === 'number' ? value : fallback;

/**
 * Requests (server spans) matching the filters, newest first, one row per trace (collapsed on
 * the keyword TraceId). Every value arrives validated and goes in as a term or range value.
 */
export async function searchTraces(client: Client, q: TraceQuery): Promise<TraceSummary[]> {
  const filter: estypes.QueryDslQueryContainer[] = [
    { term: { [fields.span.kind]: SERVER_KIND } },
    rangeFilter(fields.timestamp, q.range),
  ];
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
  if (q.failedOnly) filter.push(failedRequest);
  const durations = boundsFilter(
    fields.span.duration,
    q.minDurationMs === undefined ? undefined : q.minDurationMs * 1000,
    q.maxDurationMs === undefined ? undefined : q.maxDurationMs * 1000,
  );
  if (durations) filter.push(durations);
  if (q.attribute) filter.push({ term: { [`Attributes.${q.attribute.key}`]: q.attribute.value } });
  const result = await client.search<Record<string, unknown>>({
    index: indices.spans.pattern,
    size: q.limit,
    ...lenient,
    query: { bool: { filter } },
    sort: [{ [fields.timestamp]: { order: 'desc' } }],
    collapse: { field: fields.traceId },
    _source: [
      fields.traceId,
      fields.serviceName,
      fields.span.name,
      fields.span.httpRoute,
      fields.timestamp,
      fields.span.duration,
      fields.span.status,
      ...fields.span.httpStatuses,
      fields.span.samplingWeight,
    ],
  });
  return result.hits.hits.map((hit) => {
    const s = hit._source ?? {};
    const httpStatus = fields.span.httpStatuses
      .map((field) => s[field])
      .find((value) => typeof value === 'number');
    return {
      traceId: String(s[fields.traceId]),
      service: text(s[fields.serviceName]),
      name: text(s[fields.span.name]) ?? '',
      route: text(s[fields.span.httpRoute]),
      startedAt: String(s[fields.timestamp]),
      durationMs: number(s[fields.span.duration], 0) / 1000,
      failed: isFailedRequest({
        statusIsError: s[fields.span.status] === 2,
        httpStatus: typeof httpStatus === 'number' ? httpStatus : undefined,
      }),
      weight: number(s[fields.span.samplingWeight], 1),
    };
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
